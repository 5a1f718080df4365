/**
 * @module The one storage contract: a tiny async KV that every backend implements, atomically in memory, Bun SQLite, Deno KV and Redis (Workers KV only best-effort).
 */

/**
 * A key: a tuple of strings and numbers, like Deno KV's (`["grant", id]`). Keys sort part by part
 * (numbers numerically, strings by UTF-8 bytes), which is the order `list` returns; a key prefix
 * selects a range. Anything other than strings and numbers (or `NaN`) is refused with `TypeError`.
 *
 * @example
 * ```ts
 * import { type KvKey, memoryStore } from "gatehouse";
 *
 * const store = memoryStore();
 * const key: KvKey = ["counter", "tenant-a", 2026];
 * await store.set(key, 1);
 * const all = await store.list<number>(["counter", "tenant-a"]); // [{ key: ["counter", "tenant-a", 2026], value: 1 }]
 * ```
 */
export type KvKey = readonly (string | number)[];

/**
 * Options of `KV.set` and `KV.update`: `ttlMs`, after which the entry reads as absent (to the
 * millisecond in every backend; the space is reclaimed later).
 *
 * @example
 * ```ts
 * import { memoryStore, type SetOptions } from "gatehouse";
 *
 * const store = memoryStore();
 * const fiveMinutes: SetOptions = { ttlMs: 5 * 60_000 };
 * await store.set(["login", "state-abc"], { next: "/" }, fiveMinutes);
 * ```
 */
export interface SetOptions {
  /** Expire the entry after this many milliseconds. */
  ttlMs?: number;
}

/**
 * The storage contract every backend implements and everything stateful in Gatehouse goes through
 * (sessions, OAuth clients, codes and tokens, rate-limit buckets, tasks). Values must be
 * JSON-compatible (`undefined` is refused: use `delete`); what a caller gets back is a copy.
 *
 * `take` (read-and-delete) and `update` (read-modify-write) are atomic per key in `memoryStore`,
 * `sqliteStore`, `denoKvStore` and `redisStore`, also across processes sharing the backend: of
 * many concurrent takers exactly one gets the value, and no concurrent update is lost.
 * `workersKvStore` is the exception: there both are best-effort (see its doc). Every method returns a
 * promise and reports failures (a bad key, a throwing `fn`, the backend) as a rejection.
 *
 * @example
 * ```ts
 * import { type KV, memoryStore } from "gatehouse";
 *
 * const store: KV = memoryStore();
 *
 * // A counter that stays exact under concurrency (fn may run more than once: keep it pure).
 * await store.update<number>(["hits", "home"], (n) => (n ?? 0) + 1, { ttlMs: 60_000 });
 *
 * // A single-use code: whoever takes it first gets it, everyone else gets undefined.
 * await store.set(["code", "xyz"], { user: "ada" }, { ttlMs: 60_000 });
 * const first = await store.take<{ user: string }>(["code", "xyz"]);
 * const second = await store.take(["code", "xyz"]); // undefined
 * await store.close();
 * ```
 */
export interface KV {
  /**
   * Set by a store held in this process only (`memoryStore()`), to an object that identifies it
   * (wrappers pass the same object on). Nothing in such a store is shared with other processes, so
   * hot per-request state may live in plain process memory beside it, with the same meaning: the
   * rate limiter keeps its buckets there, as 16 bytes per key instead of stored records.
   */
  readonly local?: object;
  get<T>(key: KvKey): Promise<T | undefined>;
  set<T>(key: KvKey, value: T, options?: SetOptions): Promise<void>;
  delete(key: KvKey): Promise<void>;
  /** Atomic read-and-delete: of many concurrent takers of one key, exactly one gets the value. */
  take<T>(key: KvKey): Promise<T | undefined>;
  /**
   * Atomic read-modify-write. `fn` gets the current value (or `undefined`) and returns the new
   * value, or `undefined` to delete. `fn` may run more than once under contention, so it must be
   * pure. Resolves to what was stored. `options.ttlMs` applies to the written value.
   */
  update<T>(
    key: KvKey,
    fn: (current: T | undefined) => T | undefined,
    options?: SetOptions,
  ): Promise<T | undefined>;
  /** Entries whose key starts with `prefix`, in key order (for listings and sweeps; not for hot paths). */
  list<T>(prefix: KvKey, options?: { limit?: number }): Promise<Array<{ key: KvKey; value: T }>>;
  /** Releases the backend (closes files/handles). */
  close(): Promise<void>;
}
