/**
 * @module The in-process KV: a Map with lazy TTL expiry and a bounded sweep, for tests and single-instance servers.
 */
import type { KV, KvKey, SetOptions } from "./kv.ts";
import { assertStorable, compareEncoded, decodeKey, encodeKey, expiresAt } from "./encoding.ts";

interface Entry {
  value: unknown;
  /** Absolute expiry in ms since epoch, or null for none. */
  exp: number | null;
}

/** Every this many writes, look at up to SWEEP_BATCH entries and drop the expired ones. */
const SWEEP_EVERY = 64;
const SWEEP_BATCH = 256;

/**
 * A {@link KV} held in this process's memory: nothing survives a restart and nothing is shared with
 * other processes. `createServer`'s default, fine for tests, development and a single instance whose
 * state may be lost (OAuth clients and tokens, sessions). Nothing awaits between a read and the write
 * that depends on it, so `take` and `update` are atomic within the process. Values are copied in and
 * out (`structuredClone`), so mutating what you got does not change what is stored. Expired entries
 * are dropped on read and by a bounded sweep every 64 writes. `close()` empties it. It sets `local`, so the
rate limiter keeps its buckets beside it (16 bytes per key) instead of as stored records.
 *
 * @example
 * ```ts
 * import { createServer, memoryStore } from "gatehouse";
 *
 * const store = memoryStore();
 * const server = createServer({ name: "dev", version: "0.0.0", store });
 * await store.set(["greeting"], "hello", { ttlMs: 1000 });
 * ```
 */
export function memoryStore(): KV {
  const map = new Map<string, Entry>();
  let writes = 0;
  // A live Map iterator resumes where the last sweep stopped; entries added later are visited too.
  let cursor: Iterator<[string, Entry]> | undefined;

  const live = (id: string, now = Date.now()): Entry | undefined => {
    const entry = map.get(id);
    if (!entry) return undefined;
    if (entry.exp !== null && entry.exp <= now) {
      map.delete(id); // lazy expiry on read
      return undefined;
    }
    return entry;
  };

  // Expired keys that are never read again would otherwise stay forever; sweeping a bounded batch
  // per write keeps the cost per operation constant while the whole map is still covered.
  const sweep = () => {
    if (++writes % SWEEP_EVERY !== 0) return;
    const now = Date.now();
    cursor ??= map.entries();
    for (let i = 0; i < SWEEP_BATCH; i++) {
      const next = cursor.next();
      if (next.done) {
        cursor = undefined;
        return;
      }
      const [id, entry] = next.value;
      if (entry.exp !== null && entry.exp <= now) map.delete(id);
    }
  };

  const write = (id: string, value: unknown, options: SetOptions | undefined) => {
    assertStorable(value);
    map.set(id, { value: structuredClone(value), exp: expiresAt(options) });
    sweep();
  };

  // `settle` turns a synchronous throw (a bad key, a throwing `fn`) into a rejection.
  return {
    local: {},
    get: <T>(key: KvKey) =>
      settle(() => {
        const entry = live(encodeKey(key));
        return entry ? structuredClone(entry.value) as T : undefined;
      }),
    set: <T>(key: KvKey, value: T, options?: SetOptions) => settle(() => write(encodeKey(key), value, options)),
    delete: (key: KvKey) => settle(() => void map.delete(encodeKey(key))),
    take: <T>(key: KvKey) =>
      settle(() => {
        const id = encodeKey(key);
        const entry = live(id);
        if (!entry) return undefined;
        map.delete(id);
        return entry.value as T;
      }),
    update: <T>(key: KvKey, fn: (current: T | undefined) => T | undefined, options?: SetOptions) =>
      settle(() => {
        const id = encodeKey(key);
        const entry = live(id);
        const next = fn(entry ? structuredClone(entry.value) as T : undefined);
        if (next === undefined) map.delete(id);
        else write(id, next, options); // stores a copy, so handing `next` back is safe
        return next;
      }),
    list: <T>(prefix: KvKey, options?: { limit?: number }) =>
      settle(() => {
        const start = encodeKey(prefix);
        const now = Date.now();
        const ids: string[] = [];
        for (const [id, entry] of map) {
          if (id.startsWith(start) && (entry.exp === null || entry.exp > now)) ids.push(id);
        }
        ids.sort(compareEncoded);
        const limit = Math.max(0, options?.limit ?? Infinity);
        return ids.slice(0, limit).map((id) => ({ key: decodeKey(id), value: structuredClone(map.get(id)!.value) as T }));
      }),
    close: () => settle(() => map.clear()),
  };
}

function settle<R>(fn: () => R): Promise<R> {
  try {
    return Promise.resolve(fn());
  } catch (error) {
    return Promise.reject(error);
  }
}
