/**
 * @module Chooses the KV backend named by the STORE setting, and says clearly when this runtime cannot provide it.
 */
import type { KV } from "../store/kv.ts";
import { memoryStore } from "../store/memory.ts";

const EXPECTED = "expected memory, sqlite:<path>, denokv:<path> or redis://host[:port][/db]";

/**
 * Opens the store a `STORE`-style string describes: `memory`; `sqlite:<path>` (Bun, see
 * {@link bunSqliteStore}); `denokv:<path>`, or `denokv:` for Deno's default database (Deno, see
 * {@link denoKvStore}); `redis://[user:password@]host[:port][/db][?prefix=p]` or `rediss://…` for TLS
 * (any runtime with `node:net`, see {@link redisStore}), checked with one PING so a wrong address
 * or password fails here rather than on the first request.
 *
 * Rejects with an `Error` whose message starts with `STORE:` and never repeats the path or URL (it
 * may hold a password): an unknown scheme, a backend this runtime cannot provide (with the
 * alternative to use), Deno KV not enabled, or Redis unreachable.
 *
 * @example
 * ```ts
 * import { createServer, openStore } from "gatehouse";
 *
 * const store = await openStore(Deno.env.get("STORE") ?? "memory");
 * export default createServer({ name: "notes", version: "1.0.0", store });
 * ```
 */
export function openStore(spec: string): Promise<KV> {
  const value = spec.trim();
  if (value === "memory") return Promise.resolve(memoryStore());
  const colon = value.indexOf(":");
  const scheme = colon < 0 ? value : value.slice(0, colon);
  const path = colon < 0 ? "" : value.slice(colon + 1);
  const runtime = currentRuntime();

  if (scheme === "redis" || scheme === "rediss") return openRedis(value);
  if (scheme === "sqlite") {
    if (!path) return fail(`STORE: sqlite needs a file path, as in sqlite:./gatehouse.db`);
    if (runtime === "this runtime") {
      return fail(`STORE: sqlite:<path> needs Bun (bun:sqlite) or Deno (node:sqlite); on ${runtime} use ${alternative(runtime)}`);
    }
    // SQLite's own message may name the file: say what failed without echoing the configured path.
    // Each backend's module loads only when it is chosen (start-up work: scripts/bench/cold-instructions.mjs).
    return import("../store/sqlite.ts").then(({ sqliteStore }) => sqliteStore(path)).catch((error: unknown) =>
      fail(`STORE: sqlite: cannot open the database file (${String((error as Error)?.message ?? error).split(path).join("<path>")})`)
    );
  }
  if (scheme === "denokv") {
    if (runtime !== "deno") return fail(`STORE: denokv needs Deno; on ${runtime} use ${alternative(runtime)}`);
    if (typeof (globalThis as { Deno?: { openKv?: unknown } }).Deno?.openKv !== "function") {
      return fail(
        'STORE: denokv needs Deno KV, which this Deno keeps unstable: run with --unstable-kv or add "unstable": ["kv"] to deno.json',
      );
    }
    return import("../store/deno-kv.ts").then(({ denoKvStore }) => denoKvStore(path || undefined));
  }
  if (value === "") return fail(`STORE: is empty; ${EXPECTED}`);
  return fail(`STORE: unknown store "${scheme.slice(0, 32)}"; ${EXPECTED}`);
}

async function openRedis(url: string): Promise<KV> {
  // Loaded on demand, through a specifier bundlers leave alone: the socket client needs node:net,
  // which Workers and browser bundles lack. (`.js` once compiled for npm.)
  const specifier = import.meta.url.endsWith(".ts") ? "./redis-connection.ts" : "./redis-connection.js";
  const [{ parseRedisUrl, redisConnection }, { redisStore }] = await Promise.all([
    import(specifier) as Promise<typeof import("./redis-connection.ts")>,
    import("../store/redis.ts"),
  ]);
  let options;
  try {
    options = parseRedisUrl(url);
  } catch (error) {
    throw new Error(`STORE: ${(error as Error).message}`);
  }
  const connection = redisConnection(options);
  try {
    await connection.send(["PING"]);
  } catch (error) {
    await connection.close();
    throw new Error(`STORE: cannot reach Redis at ${options.host}:${options.port}: ${(error as Error).message}`);
  }
  return redisStore(connection, { prefix: options.prefix });
}

type Runtime = "deno" | "bun" | "this runtime";

function currentRuntime(): Runtime {
  // Bun first: a Bun process may carry a Deno shim, never the reverse.
  if ((globalThis as { Bun?: unknown }).Bun) return "bun";
  if ((globalThis as { Deno?: unknown }).Deno) return "deno";
  return "this runtime";
}

function alternative(runtime: Runtime): string {
  if (runtime === "bun") return "sqlite:<path> or memory";
  if (runtime === "deno") return "sqlite:<path>, denokv:<path> or memory";
  return "memory";
}

function fail(message: string): Promise<never> {
  return Promise.reject(new Error(message));
}
