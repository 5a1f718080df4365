/**
 * @module The Cloudflare Workers KV backend: the KV contract as far as an eventually consistent store without transactions allows; `take` and `update` are best-effort.
 */
import type { KV, KvKey, SetOptions } from "./kv.ts";
import { assertStorable, compareEncoded, decodeKey, encodeKey, expiresAt } from "./encoding.ts";

// The slice of the Workers KV binding used here, typed locally so this module type-checks on any
// runtime without @cloudflare/workers-types. Only documented methods of `KVNamespace` are used.
interface ListedKey {
  name: string;
  expiration?: number;
  metadata?: unknown;
}
/**
 * The part of a Cloudflare Workers KV binding (`KVNamespace`) that {@link workersKvStore} uses, typed
 * here so Gatehouse needs no `@cloudflare/workers-types`; a real binding (`env.MY_KV`) fits it.
 *
 * @example
 * ```ts
 * import { workersKvStore, type WorkersKVNamespace } from "gatehouse";
 *
 * interface Env {
 *   GATEHOUSE_KV: WorkersKVNamespace;
 * }
 * const storeFor = (env: Env) => workersKvStore(env.GATEHOUSE_KV);
 * ```
 */
export interface WorkersKVNamespace {
  get(key: string, options: { type: "json"; cacheTtl?: number }): Promise<unknown>;
  put(key: string, value: string, options?: { expiration?: number; metadata?: unknown }): Promise<void>;
  delete(key: string): Promise<void>;
  list(
    options: { prefix?: string; limit?: number; cursor?: string },
  ): Promise<{ keys: ListedKey[]; list_complete: boolean; cursor?: string }>;
}

/** What is stored under each key: the value and our own expiry (ms since epoch), checked on every read. */
interface Wrapped {
  v: unknown;
  exp: number | null;
}

/** Workers KV refuses keys over 512 bytes (UTF-8). */
const MAX_KEY_BYTES = 512;
/** Workers KV refuses an expiry less than 60 s ahead; one more second absorbs clock skew with the KV service. */
const MIN_EXPIRY_SECONDS = 61;
/** Values fetched at once while listing. */
const LIST_READ_CONCURRENCY = 16;

const encoder = new TextEncoder();

/**
 * A {@link KV} on a Cloudflare Workers KV namespace (`env.MY_KV`).
 *
 * What it keeps from the contract: JSON round-trips, tuple keys that never collide, prefix
 * listing in key order (Workers KV lists in UTF-8 byte order, the order `encodeKey` preserves),
 * and expiry to the millisecond (Workers KV's own expiry is at least 60 s away and in whole
 * seconds, so each value carries its expiry and reads ignore what is past it; Workers KV deletes
 * the entry itself later). A `set` whose ttl has already run out deletes the key.
 *
 * What it cannot give, because Workers KV is eventually consistent and has no transactions:
 * - **`take` is not atomic.** It is a read followed by a delete; two concurrent takers, in one
 *   isolate or in two data centres, can both get the value. Single use is not enforced.
 * - **`update` is not atomic.** It is a read, `fn`, then a write; concurrent updates of one key
 *   lose all but the last write (counters under-count, rate-limit buckets leak).
 * - **Reads can be stale for about 60 s** (longer across regions): a write or delete made in one
 *   location is not immediately visible in another, and reads are served from an edge cache
 *   (`cacheTtl`, at least 30 s, which Workers KV applies even when not asked). A deleted or
 *   revoked record can still be read elsewhere for that long; a session created in one location
 *   can be missing in another at first.
 * - **One write per second per key.** Workers KV refuses faster writes to the same key, so a
 *   hot key written on every request (the `rateLimit` buckets) fails; do not enable `rateLimit`
 *   with this store (use Cloudflare's rate-limiting binding or WAF rules in front instead).
 * - Keys longer than 512 bytes once encoded are refused with a TypeError.
 * - `list` is a key listing followed by one read per key: slow, and as stale as any read.
 *
 * So this store is fine for what tolerates those: sessions, cached client metadata documents,
 * registered clients. **It must not be used for the `oauth` strategy** (authorization codes must
 * be single-use and refresh tokens must rotate with replay detection, which both need an atomic
 * `take`/`update`), nor for anything else that relies on single use or exact counts. Put that
 * state in a store with transactions: a Durable Object (one object serialises every operation on
 * its storage) or D1.
 *
 * @example
 * ```ts
 * import { bearer, createServer, type GatehouseServer, workersKvStore, type WorkersKVNamespace } from "gatehouse";
 *
 * interface Env {
 *   GATEHOUSE_KV: WorkersKVNamespace;
 *   MCP_TOKEN: string;
 * }
 *
 * let server: GatehouseServer | undefined; // built on the first request: bindings arrive with it
 * export default {
 *   fetch(request: Request, env: Env): Promise<Response> {
 *     server ??= createServer({
 *       name: "edge",
 *       version: "1.0.0",
 *       store: workersKvStore(env.GATEHOUSE_KV),
 *       auth: bearer({ token: env.MCP_TOKEN }),
 *       publicUrl: new URL(request.url).origin,
 *     });
 *     return server.fetch(request);
 *   },
 * };
 * ```
 */
export function workersKvStore(namespace: WorkersKVNamespace): KV {
  const keyOf = (key: KvKey): string => {
    const id = encodeKey(key);
    if (id === "") throw new TypeError("Workers KV: the empty key cannot be stored");
    if (encoder.encode(id).length > MAX_KEY_BYTES) throw new TypeError(`Workers KV: key longer than ${MAX_KEY_BYTES} bytes once encoded`);
    return id;
  };
  const isLive = (w: unknown, now = Date.now()): w is Wrapped =>
    typeof w === "object" && w !== null && "v" in w && ((w as Wrapped).exp === null || (w as Wrapped).exp! > now);
  const read = async (id: string): Promise<Wrapped | undefined> => {
    const stored = await namespace.get(id, { type: "json" });
    return isLive(stored) ? stored : undefined;
  };
  const write = async (id: string, value: unknown, options: SetOptions | undefined): Promise<void> => {
    assertStorable(value);
    const exp = expiresAt(options);
    if (exp !== null && exp <= Date.now()) return namespace.delete(id); // already expired: nothing to keep
    const wrapped: Wrapped = { v: value, exp };
    await namespace.put(id, JSON.stringify(wrapped), {
      // Metadata comes back with `list`, so listing can skip expired keys without reading them.
      metadata: { exp },
      ...(exp !== null && { expiration: Math.max(Math.ceil(exp / 1000), Math.ceil(Date.now() / 1000) + MIN_EXPIRY_SECONDS) }),
    });
  };

  return {
    async get<T>(key: KvKey) {
      return (await read(keyOf(key)))?.v as T | undefined;
    },
    async set<T>(key: KvKey, value: T, options?: SetOptions) {
      await write(keyOf(key), value, options);
    },
    async delete(key: KvKey) {
      await namespace.delete(keyOf(key));
    },
    // Best-effort: read, then delete. NOT atomic (see the function's documentation).
    async take<T>(key: KvKey) {
      const id = keyOf(key);
      const found = await read(id);
      if (found === undefined) return undefined;
      await namespace.delete(id);
      return found.v as T;
    },
    // Best-effort: read, compute, write. NOT atomic (see the function's documentation).
    async update<T>(key: KvKey, fn: (current: T | undefined) => T | undefined, options?: SetOptions) {
      const id = keyOf(key);
      const next = fn((await read(id))?.v as T | undefined);
      if (next === undefined) await namespace.delete(id);
      else await write(id, next, options);
      return next;
    },
    async list<T>(prefix: KvKey, options?: { limit?: number }) {
      const limit = Math.max(0, options?.limit ?? Infinity);
      const start = encodeKey(prefix);
      const out: Array<{ key: KvKey; value: T }> = [];
      let cursor: string | undefined;
      // Page by page, in key order: keep the keys whose metadata says they are live, then read them.
      while (out.length < limit) {
        const page = await namespace.list({ prefix: start || undefined, cursor });
        const now = Date.now();
        const names = page.keys
          .filter((listed) => {
            const exp = (listed.metadata as { exp?: number | null } | undefined)?.exp;
            return exp === undefined || exp === null || exp > now;
          })
          .map((listed) => listed.name)
          // Workers KV lists in UTF-8 byte order already, the contract's order; sorting the page
          // again keeps it whatever a binding or emulator does.
          .sort(compareEncoded);
        for (let i = 0; i < names.length && out.length < limit; i += LIST_READ_CONCURRENCY) {
          const batch = names.slice(i, i + LIST_READ_CONCURRENCY);
          const values = await Promise.all(batch.map(read));
          for (const [j, found] of values.entries()) {
            // A key deleted or expired between the listing and the read is left out.
            if (found !== undefined && out.length < limit) out.push({ key: decodeKey(batch[j]), value: found.v as T });
          }
        }
        if (page.list_complete || !page.cursor) break;
        cursor = page.cursor;
      }
      return out;
    },
    close() {
      // A binding holds nothing to release.
      return Promise.resolve();
    },
  };
}
