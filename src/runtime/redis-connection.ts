/**
 * @module A small RESP2 client over node:net / node:tls (the same code on Bun, Deno and Node): pipelined commands on one socket, AUTH and SELECT from the URL, lazy reconnect, and a bound on how long Redis may stay silent.
 *
 * Why not a package: the store needs seven commands (GET, SCRIPT LOAD, EVALSHA, AUTH, SELECT,
 * PING, QUIT), Bun's built-in client does not exist on Deno, and an npm client would add a
 * dependency tree for both. RESP2 is a few dozen lines.
 */
import { connect as netConnect, type Socket } from "node:net";
import { connect as tlsConnect } from "node:tls";
import { Buffer } from "node:buffer";
import { type RedisConnection, type RedisReply, RedisReplyError } from "../store/redis.ts";
import { unrefTimer } from "./timers.ts";

export interface RedisConnectionOptions {
  host: string;
  port: number;
  tls: boolean;
  username?: string;
  password?: string;
  /** Database number (SELECT), default 0. */
  db: number;
  /** Key prefix for the store (`?prefix=`); not used by the connection itself. */
  prefix?: string;
  /** A command unanswered for this long fails, and the socket is dropped (default 10 s). */
  timeoutMs?: number;
}

/**
 * Parses `redis://[user[:password]@]host[:port][/db][?prefix=…]` (or `rediss://` for TLS).
 * Errors never echo the URL: it may carry a password.
 */
export function parseRedisUrl(spec: string): RedisConnectionOptions {
  let url: URL;
  try {
    url = new URL(spec);
  } catch {
    throw new Error("not a URL; expected redis://[user:password@]host[:port][/db]");
  }
  if (url.protocol !== "redis:" && url.protocol !== "rediss:") throw new Error("expected a redis:// or rediss:// URL");
  if (!url.hostname) throw new Error("the Redis URL has no host");
  const path = url.pathname.replace(/^\//, "");
  if (path !== "" && !/^\d{1,4}$/.test(path)) throw new Error("the Redis URL's path must be a database number, as in /0");
  const prefix = url.searchParams.get("prefix") ?? undefined;
  return {
    host: url.hostname.replace(/^\[|\]$/g, ""),
    port: url.port ? Number(url.port) : 6379,
    tls: url.protocol === "rediss:",
    username: url.username ? decodeURIComponent(url.username) : undefined,
    password: url.password ? decodeURIComponent(url.password) : undefined,
    db: path === "" ? 0 : Number(path),
    prefix,
  };
}

interface Pending {
  resolve: (reply: RedisReply) => void;
  reject: (error: Error) => void;
}

const CRLF = "\r\n";

/** Encodes one command as a RESP array of bulk strings (lengths in UTF-8 bytes). */
function encodeCommand(args: readonly (string | number)[]): Buffer {
  const parts: Buffer[] = [Buffer.from(`*${args.length}${CRLF}`)];
  for (const arg of args) {
    const bytes = Buffer.from(String(arg), "utf8");
    parts.push(Buffer.from(`$${bytes.length}${CRLF}`), bytes, Buffer.from(CRLF));
  }
  return Buffer.concat(parts);
}

/** A RESP2 reply parsed from `buf` at `at`: [reply or error, next offset], or undefined if incomplete. */
type Parsed = [RedisReply | RedisReplyError, number];
function parseReply(buf: Buffer, at: number): Parsed | undefined {
  const eol = buf.indexOf(CRLF, at);
  if (eol < 0) return undefined;
  const type = buf[at];
  const line = buf.toString("utf8", at + 1, eol);
  const after = eol + 2;
  switch (type) {
    case 0x2b: // +
      return [line, after];
    case 0x2d: // -
      return [new RedisReplyError(line), after];
    case 0x3a: // :
      return [Number(line), after];
    case 0x24: { // $
      const length = Number(line);
      if (length < 0) return [null, after];
      if (buf.length < after + length + 2) return undefined;
      return [buf.toString("utf8", after, after + length), after + length + 2];
    }
    case 0x2a: { // *
      const count = Number(line);
      if (count < 0) return [null, after];
      const items: RedisReply[] = [];
      let offset = after;
      for (let i = 0; i < count; i++) {
        const item = parseReply(buf, offset);
        if (!item) return undefined;
        // An error inside an array (EXEC) is kept as its message; the store never sends EXEC.
        items.push(item[0] instanceof RedisReplyError ? item[0].message : item[0]);
        offset = item[1];
      }
      return [items, offset];
    }
    default:
      throw new Error("Redis sent a reply this client cannot read");
  }
}

/**
 * One lazily (re)connected, pipelined Redis connection. Commands are written as they come and
 * answered in order. When the socket fails, every command in flight is rejected (none is
 * retried: a script may or may not have run) and the next command connects again.
 */
export function redisConnection(options: RedisConnectionOptions): RedisConnection {
  const timeoutMs = options.timeoutMs ?? 10_000;
  let socket: Socket | undefined;
  let ready: Promise<Socket> | undefined;
  let queue: Pending[] = [];
  let buffer: Buffer = Buffer.alloc(0);
  let watchdog: ReturnType<typeof setTimeout> | undefined;
  let closed = false;

  const failAll = (error: Error) => {
    const pending = queue;
    queue = [];
    buffer = Buffer.alloc(0);
    if (watchdog) clearTimeout(watchdog);
    watchdog = undefined;
    for (const p of pending) p.reject(error);
  };

  const drop = (error: Error) => {
    const s = socket;
    socket = undefined;
    ready = undefined;
    s?.destroy();
    failAll(error);
  };

  // Re-armed on every reply: it fires only when Redis has said nothing for timeoutMs while owing answers.
  const arm = () => {
    if (watchdog) clearTimeout(watchdog);
    watchdog = undefined;
    if (queue.length === 0) return;
    watchdog = setTimeout(() => drop(new Error(`Redis did not answer within ${timeoutMs} ms`)), timeoutMs);
    unrefTimer(watchdog);
  };

  const onData = (chunk: Buffer) => {
    buffer = buffer.length ? Buffer.concat([buffer, chunk]) : chunk;
    let offset = 0;
    try {
      for (;;) {
        const parsed = parseReply(buffer, offset);
        if (!parsed) break;
        offset = parsed[1];
        const pending = queue.shift();
        if (!pending) throw new Error("Redis sent a reply nobody asked for");
        if (parsed[0] instanceof RedisReplyError) pending.reject(parsed[0]);
        else pending.resolve(parsed[0]);
      }
    } catch (error) {
      drop(error instanceof Error ? error : new Error(String(error)));
      return;
    }
    buffer = offset >= buffer.length ? Buffer.alloc(0) : buffer.subarray(offset);
    arm();
  };

  const open = (): Promise<Socket> => {
    if (ready) return ready;
    ready = new Promise<Socket>((resolve, reject) => {
      const s = options.tls
        ? tlsConnect({ host: options.host, port: options.port, servername: options.host })
        : netConnect({ host: options.host, port: options.port });
      socket = s;
      s.setNoDelay?.(true);
      const connectTimer = setTimeout(() => {
        s.destroy();
        reject(new Error(`could not connect to Redis within ${timeoutMs} ms`));
      }, timeoutMs);
      unrefTimer(connectTimer);
      s.once(options.tls ? "secureConnect" : "connect", () => {
        clearTimeout(connectTimer);
        resolve(s);
      });
      s.on("data", onData);
      s.on("error", (error: Error) => {
        clearTimeout(connectTimer);
        if (socket === s) drop(new Error(`Redis connection failed: ${error.message}`));
        reject(new Error(`Redis connection failed: ${error.message}`));
      });
      s.on("close", () => {
        clearTimeout(connectTimer);
        if (socket === s) drop(new Error("Redis connection closed"));
        reject(new Error("Redis connection closed"));
      });
    });
    // Handshake first, pipelined ahead of whatever is queued next.
    const handshake: (string | number)[][] = [];
    if (options.password !== undefined) {
      handshake.push(options.username ? ["AUTH", options.username, options.password] : ["AUTH", options.password]);
    }
    if (options.db) handshake.push(["SELECT", options.db]);
    const current = socket;
    for (const args of handshake) {
      // A refused AUTH or SELECT drops the connection, so nothing runs unauthenticated or in the wrong database.
      enqueue(args).catch((error) => {
        if (socket === current && error instanceof RedisReplyError) drop(new Error(`Redis refused ${args[0]}: ${error.message}`));
      });
    }
    return ready;
  };

  // Writes a command behind the current socket's queue.
  function enqueue(args: readonly (string | number)[]): Promise<RedisReply> {
    return new Promise<RedisReply>((resolve, reject) => {
      queue.push({ resolve, reject });
      if (queue.length === 1) arm();
      const payload = encodeCommand(args);
      ready!.then((s) => s.write(payload), () => {/* rejected by drop() */});
    });
  }

  return {
    send(args) {
      if (closed) return Promise.reject(new Error("Redis connection is closed"));
      open();
      return enqueue(args);
    },
    async close() {
      if (closed) return;
      closed = true;
      const s = socket;
      if (s && ready) {
        try {
          await Promise.race([enqueue(["QUIT"]), new Promise((r) => setTimeout(r, 200))]);
        } catch { /* closing anyway */ }
      }
      drop(new Error("Redis connection is closed"));
    },
  };
}
