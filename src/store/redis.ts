/**
 * @module The Redis backend: the KV contract on one Redis primary, shared by any number of server processes; every read-modify-write is a server-side Lua script, so it is atomic across processes.
 *
 * Layout under a prefix (default `gatehouse:`), all keys sharing one Redis hash slot tag:
 * - `<prefix>{kv}:v:<encoded key>`: the value as JSON, with Redis's own millisecond expiry (`PX`).
 * - `<prefix>{kv}:index`: a sorted set of every encoded key (all scores 0), so `list` is a
 *   `ZRANGEBYLEX` range in key order (`encodeKey` sorts by UTF-8 byte as Redis compares members).
 * - `<prefix>{kv}:expiry`: a sorted set of the keys that have a ttl, scored by their expiry on the
 *   Redis clock; each write removes up to a few keys that have expired from both sets, so the index
 *   does not grow with keys nobody reads again.
 *
 * Guarantees (one Redis primary; Redis runs one script at a time):
 * - `get`, `set`, `delete` and `take` are single scripts or commands: linearizable on the primary.
 * - `take`: GET + DEL in one script; of any number of concurrent takers, in any process, exactly one
 *   gets the value.
 * - `update`: optimistic compare-and-set. The value is read, `fn` runs here, and a script writes
 *   the result only if the stored JSON is still exactly what was read (or still absent); otherwise
 *   it reads again and retries, so concurrent increments are all counted.
 * - Expiry is Redis's own, to the millisecond, on the Redis server's clock.
 * - `list` reads the index and the values in one script: a consistent snapshot.
 * - Durability is the Redis server's: with `appendonly yes` and `appendfsync always` an
 *   acknowledged write survives a Redis restart; with the default `everysec`, up to a second of
 *   writes can be lost if the Redis host crashes. Replicas are asynchronous: after a failover, recent
 *   writes (a redeemed code, a rotation) can be lost. Redis Cluster is not supported (the scripts
 *   touch the index keys next to the value key; the `{kv}` tag keeps them in one slot).
 */
import type { KV, KvKey, SetOptions } from "./kv.ts";
import { assertStorable, decodeKey, encodeKey, expiresAt, prefixUpperBound } from "./encoding.ts";

/**
 * A decoded RESP reply as a {@link RedisConnection} resolves it: simple and bulk strings as UTF-8
 * strings, integers as numbers, nil as `null`, arrays as arrays. Error replies are not values: the
 * connection rejects with {@link RedisReplyError} instead.
 *
 * @example
 * ```ts
 * import type { RedisReply } from "gatehouse";
 *
 * const asCount = (reply: RedisReply): number => (typeof reply === "number" ? reply : Number(reply ?? 0));
 * ```
 */
export type RedisReply = string | number | null | RedisReply[];

/**
 * What {@link redisStore} needs from a Redis client: `send(args)` runs one command and resolves to
 * its {@link RedisReply}, and must reject with a {@link RedisReplyError} for an error reply (the
 * store reloads its scripts after `-NOSCRIPT`, which it recognises only through that class).
 * `close()` releases the connection. Gatehouse's own socket client is what `openStore("redis://…")`
 * uses; implement this to bring another client.
 *
 * @example
 * ```ts
 * import { type RedisConnection, type RedisReply, RedisReplyError, redisStore } from "gatehouse";
 *
 * // Any client with a raw-command call; this shape is an assumption for the example.
 * declare const client: { command(args: string[]): Promise<unknown>; quit(): Promise<void> };
 *
 * const connection: RedisConnection = {
 *   async send(args) {
 *     try {
 *       return await client.command(args.map(String)) as RedisReply;
 *     } catch (error) {
 *       throw new RedisReplyError(error instanceof Error ? error.message : String(error));
 *     }
 *   },
 *   close: () => client.quit(),
 * };
 * const store = redisStore(connection, { prefix: "notes:" });
 * ```
 */
export interface RedisConnection {
  send(args: readonly (string | number)[]): Promise<RedisReply>;
  close(): Promise<void>;
}

/**
 * Redis answered a command with an error reply (`-ERR …`, `-NOSCRIPT …`); `message` is the reply's
 * text. A {@link RedisConnection} rejects with it so the store can tell a Redis error from a lost
 * connection.
 *
 * @example
 * ```ts
 * import { RedisReplyError } from "gatehouse";
 *
 * const error = new RedisReplyError("NOSCRIPT No matching script. Please use EVAL.");
 * console.log(error.name, /^NOSCRIPT/.test(error.message)); // RedisReplyError true
 * ```
 */
export class RedisReplyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "RedisReplyError";
  }
}

/**
 * Options of {@link redisStore}: `prefix` (default `gatehouse:`) is prepended to every Redis key, so
 * one Redis database can hold several deployments; instances sharing state must use the same prefix.
 *
 * @example
 * ```ts
 * import { type RedisConnection, redisStore, type RedisStoreOptions } from "gatehouse";
 *
 * declare const connection: RedisConnection;
 * const options: RedisStoreOptions = { prefix: "staging:" };
 * const store = redisStore(connection, options);
 * ```
 */
export interface RedisStoreOptions {
  /** Prepended to every Redis key (default `gatehouse:`), so one Redis can hold several deployments. */
  prefix?: string;
}

/** Keys with an expiry that each write cleans out of the index at most. */
const SWEEP_PER_WRITE = 8;
/** Compare-and-set attempts before `update` gives up on a key that keeps changing under it. */
const MAX_ATTEMPTS = 1000;

// Shared by every script: the Redis time in ms, and the bounded index sweep.
const COMMON = `
local function now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local function sweep(index, expiry, vprefix, now)
  local due = redis.call('ZRANGEBYSCORE', expiry, '-inf', now, 'LIMIT', 0, ${SWEEP_PER_WRITE})
  for _, member in ipairs(due) do
    local left = redis.call('PTTL', vprefix .. member)
    if left == -2 then
      redis.call('ZREM', expiry, member)
      redis.call('ZREM', index, member)
    elseif left == -1 then
      redis.call('ZREM', expiry, member)
    else
      redis.call('ZADD', expiry, now + left, member)
    end
  end
end
local function write(index, expiry, vprefix, member, value, ttl, now)
  local key = vprefix .. member
  if ttl == '' then
    redis.call('SET', key, value)
    redis.call('ZREM', expiry, member)
    redis.call('ZADD', index, 0, member)
  elseif tonumber(ttl) <= 0 then
    redis.call('DEL', key)
    redis.call('ZREM', expiry, member)
    redis.call('ZREM', index, member)
  else
    redis.call('SET', key, value, 'PX', ttl)
    redis.call('ZADD', expiry, now + tonumber(ttl), member)
    redis.call('ZADD', index, 0, member)
  end
end
local function forget(index, expiry, vprefix, member)
  redis.call('DEL', vprefix .. member)
  redis.call('ZREM', index, member)
  redis.call('ZREM', expiry, member)
end
`;

// KEYS: index, expiry. ARGV[1] is always the value-key prefix, ARGV[2] the encoded key.
const SCRIPTS = {
  /** ARGV: vprefix, member, value, ttl ('' for none). */
  set: `${COMMON}
local now = now_ms()
write(KEYS[1], KEYS[2], ARGV[1], ARGV[2], ARGV[3], ARGV[4], now)
sweep(KEYS[1], KEYS[2], ARGV[1], now)
return 1`,
  /** ARGV: vprefix, member. */
  delete: `${COMMON}
forget(KEYS[1], KEYS[2], ARGV[1], ARGV[2])
return 1`,
  /** ARGV: vprefix, member. Returns the value that was there (or nil), and it is gone. */
  take: `${COMMON}
local value = redis.call('GET', ARGV[1] .. ARGV[2])
forget(KEYS[1], KEYS[2], ARGV[1], ARGV[2])
return value`,
  /**
   * ARGV: vprefix, member, expected ('' = absent, else '=' .. json), next ('' = delete, else json), ttl.
   * Writes only if the stored value is still the expected one; returns 1 if written, 0 if not.
   */
  cas: `${COMMON}
local current = redis.call('GET', ARGV[1] .. ARGV[2])
if ARGV[3] == '' then
  if current then return 0 end
elseif (not current) or ('=' .. current) ~= ARGV[3] then
  return 0
end
local now = now_ms()
if ARGV[4] == '' then
  forget(KEYS[1], KEYS[2], ARGV[1], ARGV[2])
else
  write(KEYS[1], KEYS[2], ARGV[1], ARGV[2], ARGV[4], ARGV[5], now)
end
sweep(KEYS[1], KEYS[2], ARGV[1], now)
return 1`,
  /**
   * ARGV: vprefix, start ('' = everything), upper ('' = no bound), limit (-1 = none).
   * Returns [member, value, member, value, …] in key order, live entries only; dead index members
   * met on the way are removed.
   */
  list: `
local index, expiry, vprefix = KEYS[1], KEYS[2], ARGV[1]
local lo = ARGV[2] == '' and '-' or ('[' .. ARGV[2])
local hi = ARGV[3] == '' and '+' or ('(' .. ARGV[3])
local limit = tonumber(ARGV[4])
local out, offset = {}, 0
while limit < 0 or #out < limit * 2 do
  local batch = redis.call('ZRANGEBYLEX', index, lo, hi, 'LIMIT', offset, 200)
  if #batch == 0 then break end
  offset = offset + #batch
  for _, member in ipairs(batch) do
    local value = redis.call('GET', vprefix .. member)
    if value then
      if limit < 0 or #out < limit * 2 then
        out[#out + 1] = member
        out[#out + 1] = value
      end
    else
      redis.call('ZREM', index, member)
      redis.call('ZREM', expiry, member)
      offset = offset - 1
    end
  end
end
return out`,
} as const;

type ScriptName = keyof typeof SCRIPTS;

/**
 * A {@link KV} on one Redis primary, shared by any number of server processes and hosts. Each
 * operation is one server-side Lua script: `take` is GET + DEL in one script (exactly one of any
 * number of concurrent takers gets the value), `update` is an optimistic compare-and-set that retries
 * until it wins (so concurrent increments are all counted), `list` is a consistent snapshot, and
 * expiry is Redis's own, to the millisecond. Durability is the Redis server's (`appendonly yes`;
 * `appendfsync always` to lose nothing on a crash); replicas are asynchronous, so a failover can drop
 * recent writes; Redis Cluster and Sentinel are not supported. `close()` closes the connection;
 * operations after it reject.
 *
 * Most applications use `openStore("redis://…")`, which connects, checks the connection with a PING
 * and calls this; call it directly to bring your own {@link RedisConnection}.
 *
 * @example
 * ```ts
 * import { createServer, type RedisConnection, redisStore } from "gatehouse";
 *
 * declare const connection: RedisConnection; // see RedisConnection for an adapter
 * export default createServer({ name: "notes", version: "1.0.0", store: redisStore(connection, { prefix: "notes:" }) });
 * ```
 */
export function redisStore(connection: RedisConnection, options: RedisStoreOptions = {}): KV {
  const base = `${options.prefix ?? "gatehouse:"}{kv}:`;
  const keys = [`${base}index`, `${base}expiry`];
  const vprefix = `${base}v:`;
  const shas = new Map<ScriptName, string>();
  let closed = false;

  /** EVALSHA, loading the script first (and again after a Redis restart flushed it). */
  const run = async (name: ScriptName, argv: readonly (string | number)[]): Promise<RedisReply> => {
    if (closed) throw new Error("Redis store is closed");
    for (let attempt = 0;; attempt++) {
      let sha = shas.get(name);
      if (!sha) {
        sha = String(await connection.send(["SCRIPT", "LOAD", SCRIPTS[name]]));
        shas.set(name, sha);
      }
      try {
        return await connection.send(["EVALSHA", sha, keys.length, ...keys, vprefix, ...argv]);
      } catch (error) {
        if (attempt === 0 && error instanceof RedisReplyError && /^NOSCRIPT/.test(error.message)) {
          shas.delete(name);
          continue;
        }
        throw error;
      }
    }
  };

  const ttlArg = (options?: SetOptions): string => {
    const exp = expiresAt(options);
    return exp === null ? "" : String(exp - Date.now());
  };
  const parse = <T>(reply: RedisReply): T | undefined => (typeof reply === "string" ? JSON.parse(reply) as T : undefined);
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

  return {
    async get<T>(key: KvKey) {
      const member = encodeKey(key);
      if (closed) throw new Error("Redis store is closed");
      return parse<T>(await connection.send(["GET", vprefix + member]));
    },
    async set<T>(key: KvKey, value: T, options?: SetOptions) {
      const member = encodeKey(key);
      assertStorable(value);
      await run("set", [member, JSON.stringify(value), ttlArg(options)]);
    },
    async delete(key: KvKey) {
      await run("delete", [encodeKey(key)]);
    },
    async take<T>(key: KvKey) {
      return parse<T>(await run("take", [encodeKey(key)]));
    },
    async update<T>(key: KvKey, fn: (current: T | undefined) => T | undefined, options?: SetOptions) {
      const member = encodeKey(key);
      for (let i = 0; i < MAX_ATTEMPTS; i++) {
        const raw = await connection.send(["GET", vprefix + member]);
        const current = typeof raw === "string" ? raw : undefined;
        const next = fn(current === undefined ? undefined : JSON.parse(current) as T);
        if (next !== undefined) assertStorable(next);
        const json = next === undefined ? "" : JSON.stringify(next);
        const written = await run("cas", [member, current === undefined ? "" : `=${current}`, json, ttlArg(options)]);
        // What was stored, as a reader sees it (a JSON round trip), not the caller's object.
        if (written === 1) return next === undefined ? undefined : JSON.parse(json) as T;
        // Someone else wrote in between: read again. Under heavy contention, step aside a little.
        if (i >= 4) await sleep(Math.random() * Math.min(20, i));
      }
      throw new Error("Redis: too much contention on one key; gave up");
    },
    async list<T>(prefix: KvKey, options?: { limit?: number }) {
      const start = encodeKey(prefix);
      const wanted = options?.limit;
      const limit = wanted === undefined || wanted === Infinity ? -1 : Math.max(0, Math.floor(wanted));
      if (limit === 0) return [];
      const reply = await run("list", [start, prefixUpperBound(start) ?? "", limit]);
      const flat = Array.isArray(reply) ? reply as string[] : [];
      const out: Array<{ key: KvKey; value: T }> = [];
      for (let i = 0; i < flat.length; i += 2) out.push({ key: decodeKey(flat[i]), value: JSON.parse(flat[i + 1]) as T });
      return out;
    },
    async close() {
      // Idempotent: closing twice is a no-op, as in the other backends.
      if (closed) return;
      closed = true;
      await connection.close();
    },
  };
}
