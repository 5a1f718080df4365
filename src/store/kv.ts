/**
 * @module The one storage contract: a tiny async KV that every backend (memory, Deno KV, Bun SQLite) implements atomically.
 */

/** A key is a tuple of parts, like Deno KV's: `["grant", id]`. Parts must not contain NUL. */
export type KvKey = readonly (string | number)[];

export interface SetOptions {
  /** Expire the entry after this many milliseconds. */
  ttlMs?: number;
}

/**
 * The storage contract. Every operation is atomic per key in every backend; `take` and `update`
 * are the building blocks for single-use codes, refresh rotation and shared rate limits.
 */
export interface KV {
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
