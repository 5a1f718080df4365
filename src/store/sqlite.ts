/**
 * @module The SQLite backend (`bun:sqlite` on Bun, `node:sqlite` on Deno): one WAL-mode file, atomic across processes through BEGIN IMMEDIATE transactions.
 */
import type { KV, KvKey, SetOptions } from "./kv.ts";
import { assertStorable, decodeKey, encodeKey, expiresAt, prefixUpperBound } from "./encoding.ts";

// The slice of bun:sqlite and node:sqlite used here (the same shape), typed locally so this module
// type-checks on both runtimes.
type Binding = string | number | null;
interface Statement<Row> {
  /** `null` (Bun) or `undefined` (Deno) when there is no row. */
  get(...params: Binding[]): Row | null | undefined;
  all(...params: Binding[]): Row[];
  run(...params: Binding[]): unknown;
}
interface Database {
  exec(sql: string): unknown;
  prepare(sql: string): Statement<unknown>;
  close(): void;
}

interface Row {
  value: string;
}

/** Every this many writes, delete up to SWEEP_BATCH expired rows. */
const SWEEP_EVERY = 128;
const SWEEP_BATCH = 500;
/** How long a writer waits for another process's lock before SQLite reports SQLITE_BUSY. */
const BUSY_TIMEOUT_MS = 5000;

/**
 * A {@link KV} in a SQLite file (created if missing, WAL mode), through `bun:sqlite` on Bun and
 * `node:sqlite` on Deno. Persistent and shared by every process on the host that opens the same
 * file, on either runtime. Both drivers are synchronous, so nothing interleaves within a process;
 * across processes `take` and `update` run inside `BEGIN IMMEDIATE`, which takes the write lock
 * before reading, so they are atomic there too. A writer waits up to 5 s for another's lock. Not
 * for several hosts (use `redisStore`).
 *
 * Throws (rejects with) `Error` on a runtime with neither driver or when `path` is empty; SQLite's
 * own error when the file cannot be opened.
 *
 * @example
 * ```ts
 * import { createServer, sqliteStore } from "gatehouse";
 *
 * const store = await sqliteStore("/var/lib/gatehouse/gatehouse.db");
 * export default createServer({ name: "notes", version: "1.0.0", store });
 * ```
 */
export async function sqliteStore(path: string): Promise<KV> {
  if (!path) throw new Error("SQLite storage needs a file path");
  const db = await openDatabase(path);
  db.exec(`PRAGMA busy_timeout = ${BUSY_TIMEOUT_MS}`);
  db.exec("PRAGMA journal_mode = WAL");
  db.exec("PRAGMA synchronous = NORMAL"); // WAL + NORMAL: durable on commit except across power loss
  db.exec(`CREATE TABLE IF NOT EXISTS kv (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL,
    expires_at INTEGER
  ) WITHOUT ROWID`);
  db.exec("CREATE INDEX IF NOT EXISTS kv_expires_at ON kv (expires_at) WHERE expires_at IS NOT NULL");

  // Prepared once; `live` rows are those without an expiry or whose expiry is still ahead.
  const live = "(expires_at IS NULL OR expires_at > ?)";
  const selectOne = db.prepare(`SELECT value FROM kv WHERE key = ? AND ${live}`);
  const upsert = db.prepare(
    `INSERT INTO kv (key, value, expires_at) VALUES (?, ?, ?)
     ON CONFLICT (key) DO UPDATE SET value = excluded.value, expires_at = excluded.expires_at`,
  );
  const remove = db.prepare("DELETE FROM kv WHERE key = ?");
  const listRange = db.prepare(
    `SELECT key, value FROM kv WHERE key >= ? AND key < ? AND ${live} ORDER BY key LIMIT ?`,
  );
  const listAll = db.prepare(
    `SELECT key, value FROM kv WHERE ${live} ORDER BY key LIMIT ?`,
  );
  const sweepExpired = db.prepare(
    `DELETE FROM kv WHERE key IN (SELECT key FROM kv WHERE expires_at <= ? LIMIT ${SWEEP_BATCH})`,
  );

  let writes = 0;
  let closed = false;
  const sweep = () => {
    if (++writes % SWEEP_EVERY === 0) sweepExpired.run(Date.now());
  };
  sweepExpired.run(Date.now());

  const write = (id: string, value: unknown, options: SetOptions | undefined) => {
    assertStorable(value);
    upsert.run(id, JSON.stringify(value), expiresAt(options));
  };

  const one = (id: string) => (selectOne.get(id, Date.now()) ?? undefined) as Row | undefined;
  const immediate = <R>(fn: () => R): R => {
    db.exec("BEGIN IMMEDIATE");
    try {
      const result = fn();
      db.exec("COMMIT");
      return result;
    } catch (error) {
      // SQLite may already have rolled back (some errors end the transaction): keep the first error.
      try {
        db.exec("ROLLBACK");
      } catch { /* no transaction left */ }
      throw error;
    }
  };

  const take = (id: string) =>
    immediate(() => {
      const row = one(id);
      remove.run(id); // an expired row goes too: it is garbage either way
      return row;
    });

  const update = (id: string, fn: (current: unknown) => unknown, options?: SetOptions) =>
    immediate(() => {
      const row = one(id);
      const next = fn(row ? JSON.parse(row.value) : undefined);
      if (next === undefined) remove.run(id);
      else write(id, next, options);
      // What was stored, as a reader would see it (JSON round trip), not the caller's object.
      return next === undefined ? undefined : JSON.parse(JSON.stringify(next));
    });

  // Both drivers throw synchronously; `settle` turns every throw into a rejection.
  return {
    get: <T>(key: KvKey) =>
      settle(() => {
        const row = one(encodeKey(key));
        return row ? JSON.parse(row.value) as T : undefined;
      }),
    set: <T>(key: KvKey, value: T, options?: SetOptions) =>
      settle(() => {
        write(encodeKey(key), value, options);
        sweep();
      }),
    delete: (key: KvKey) => settle(() => void remove.run(encodeKey(key))),
    take: <T>(key: KvKey) =>
      settle(() => {
        const row = take(encodeKey(key));
        return row ? JSON.parse(row.value) as T : undefined;
      }),
    update: <T>(key: KvKey, fn: (current: T | undefined) => T | undefined, options?: SetOptions) =>
      settle(() => {
        const result = update(encodeKey(key), fn as (current: unknown) => unknown, options);
        sweep();
        return result as T | undefined;
      }),
    list: <T>(prefix: KvKey, options?: { limit?: number }) =>
      settle(() => {
        const start = encodeKey(prefix);
        const upper = prefixUpperBound(start);
        const wanted = options?.limit;
        // SQLite reads LIMIT -1 as "no limit".
        const limit = wanted === undefined || wanted === Infinity ? -1 : Math.max(0, Math.floor(wanted));
        const now = Date.now();
        const rows = (upper === undefined ? listAll.all(now, limit) : listRange.all(start, upper, now, limit)) as Array<
          { key: string; value: string }
        >;
        return rows.map((row) => ({ key: decodeKey(row.key), value: JSON.parse(row.value) as T }));
      }),
    close: () =>
      settle(() => {
        // Idempotent: closing twice is a no-op, as in the other backends.
        if (closed) return;
        closed = true;
        db.close();
      }),
  };
}

/**
 * `bunSqliteStore` is {@link sqliteStore} (its first name, from when only Bun had a driver).
 *
 * @example
 * ```ts
 * import { bunSqliteStore, createServer } from "gatehouse";
 *
 * const store = await bunSqliteStore("./gatehouse.db"); // the same as sqliteStore("./gatehouse.db")
 * export default createServer({ name: "notes", version: "1.0.0", store });
 * ```
 */
export const bunSqliteStore: (path: string) => Promise<KV> = sqliteStore;

/** Bun's driver on Bun, `node:sqlite` on Deno (both synchronous, with the same statement API). */
async function openDatabase(path: string): Promise<Database> {
  // Computed specifiers, so neither runtime's module graph tries to resolve the other's driver.
  if ((globalThis as { Bun?: unknown }).Bun) {
    const bun = "bun:sqlite";
    const { Database } = await import(bun) as { Database: new (path: string, options?: object) => Database };
    return new Database(path, { create: true, strict: true });
  }
  if ((globalThis as { Deno?: unknown }).Deno) {
    const node = "node:sqlite";
    const { DatabaseSync } = await import(node) as { DatabaseSync: new (path: string) => Database };
    return new DatabaseSync(path);
  }
  throw new Error("SQLite storage needs Bun (bun:sqlite) or Deno (node:sqlite)");
}

function settle<R>(fn: () => R): Promise<R> {
  try {
    return Promise.resolve(fn());
  } catch (error) {
    return Promise.reject(error);
  }
}
