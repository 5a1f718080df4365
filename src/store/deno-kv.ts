/**
 * @module The Deno KV backend: persistent, and atomic across processes through versionstamp-checked commits.
 */
import type { KV, KvKey, SetOptions } from "./kv.ts";
import { assertStorable, expiresAt } from "./encoding.ts";

// The slice of the Deno KV API used here, typed locally so this module type-checks on any runtime
// (and without Deno's unstable type definitions); `Deno` itself is only touched inside denoKvStore.
type Versionstamp = string | null;
interface DenoKvEntry<T> {
  key: KvKey;
  value: T | null;
  versionstamp: Versionstamp;
}
interface DenoAtomic {
  check(...checks: { key: KvKey; versionstamp: Versionstamp }[]): DenoAtomic;
  set(key: KvKey, value: unknown, options?: { expireIn?: number }): DenoAtomic;
  delete(key: KvKey): DenoAtomic;
  commit(): Promise<{ ok: boolean }>;
}
interface DenoKv {
  get<T>(key: KvKey): Promise<DenoKvEntry<T>>;
  set(key: KvKey, value: unknown, options?: { expireIn?: number }): Promise<unknown>;
  delete(key: KvKey): Promise<void>;
  list<T>(selector: { prefix: KvKey }, options?: { limit?: number }): AsyncIterable<DenoKvEntry<T>>;
  atomic(): DenoAtomic;
  close(): void;
}

/** What is stored under each key: the value and our own expiry, checked on every read. */
interface Wrapped {
  v: unknown;
  exp: number | null;
}

/** Attempts before giving up; a failed attempt means another writer got in first or held the lock. */
const MAX_ATTEMPTS = 1000;

/**
 * A {@link KV} on Deno KV: persistent, and `take` / `update` atomic across processes and isolates
 * through versionstamp-checked commits. `path` is a database file; leave it out for Deno's default
 * database (on Deno Deploy: the project's hosted, replicated KV). Expiry is exact to the millisecond
 * (each value carries its own, checked on read) while `expireIn` lets Deno reclaim the space later.
 *
 * Throws (rejects with) `Error` when not running on Deno, or when Deno KV is not enabled
 * (`--unstable-kv`, or `"unstable": ["kv"]` in deno.json).
 *
 * @example
 * ```ts
 * import { createServer, denoKvStore } from "gatehouse";
 *
 * const store = await denoKvStore(); // Deno Deploy, or `deno serve --unstable-kv`
 * export default createServer({ name: "notes", version: "1.0.0", store, secret: Deno.env.get("GATEHOUSE_SECRET") });
 * ```
 */
export async function denoKvStore(path?: string): Promise<KV> {
  const deno = (globalThis as { Deno?: { openKv?: (path?: string) => Promise<DenoKv> } }).Deno;
  if (!deno) throw new Error("Deno KV is only available on Deno");
  if (typeof deno.openKv !== "function") {
    throw new Error('Deno KV is unstable in this Deno: run with --unstable-kv or add "unstable": ["kv"] to deno.json');
  }
  const kv = await deno.openKv(path);
  let closed = false;

  const isLive = (w: Wrapped | null, now = Date.now()): w is Wrapped => w !== null && (w.exp === null || w.exp > now);

  const wrap = (value: unknown, options: SetOptions | undefined) => {
    assertStorable(value);
    const exp = expiresAt(options);
    const wrapped: Wrapped = { v: value, exp };
    // expireIn must be a positive integer; an entry already due is still written with our exp,
    // which makes it invisible at once, and with the shortest expireIn so Deno removes it.
    return { wrapped, setOptions: exp === null ? undefined : { expireIn: Math.max(1, exp - Date.now()) } };
  };

  /**
   * Runs `attempt` until it succeeds: a failed versionstamp check means another writer got there
   * first, and "database is locked" means another connection to the same file holds SQLite's
   * write lock (Deno's local backend does not wait for it). Neither wrote anything, so both are
   * safe to retry; each attempt reads afresh.
   */
  const retry = async <R>(attempt: () => Promise<{ ok: true; result: R } | { ok: false }>): Promise<R> => {
    for (let i = 0; i < MAX_ATTEMPTS; i++) {
      try {
        const outcome = await attempt();
        if (outcome.ok) return outcome.result;
      } catch (error) {
        if (!isLocked(error)) throw error;
      }
      // Under contention, step aside briefly with jitter so the current winner can finish.
      if (i >= 4) await new Promise((r) => setTimeout(r, Math.random() * Math.min(20, i)));
    }
    throw new Error("Deno KV: too much contention on one key; gave up");
  };
  const always = <R>(op: () => Promise<R>) => retry(async () => ({ ok: true as const, result: await op() }));

  return {
    async get<T>(key: KvKey) {
      const entry = await always(() => kv.get<Wrapped>(key));
      return isLive(entry.value) ? entry.value.v as T : undefined;
    },
    async set<T>(key: KvKey, value: T, options?: SetOptions) {
      const { wrapped, setOptions } = wrap(value, options);
      await always(() => kv.set(key, wrapped, setOptions));
    },
    async delete(key: KvKey) {
      await always(() => kv.delete(key));
    },
    take<T>(key: KvKey) {
      return retry<T | undefined>(async () => {
        const entry = await kv.get<Wrapped>(key);
        if (entry.versionstamp === null) return { ok: true, result: undefined };
        const res = await kv.atomic().check(entry).delete(key).commit();
        if (!res.ok) return { ok: false };
        // Deleting an expired entry is just cleanup; only a live value is handed out, once.
        return { ok: true, result: isLive(entry.value) ? entry.value.v as T : undefined };
      });
    },
    update<T>(key: KvKey, fn: (current: T | undefined) => T | undefined, options?: SetOptions) {
      return retry<T | undefined>(async () => {
        const entry = await kv.get<Wrapped>(key);
        const next = fn(isLive(entry.value) ? entry.value.v as T : undefined);
        const op = kv.atomic().check(entry);
        if (next === undefined) op.delete(key);
        else {
          const { wrapped, setOptions } = wrap(next, options);
          op.set(key, wrapped, setOptions);
        }
        const res = await op.commit();
        return res.ok ? { ok: true, result: next } : { ok: false };
      });
    },
    list<T>(prefix: KvKey, options?: { limit?: number }) {
      const limit = options?.limit ?? Infinity;
      return always(async () => {
        const out: Array<{ key: KvKey; value: T }> = [];
        if (limit <= 0) return out;
        const now = Date.now();
        // Deno's prefix selector leaves out the prefix key itself; the contract includes it
        // (first, as a key sorts before its extensions).
        if (prefix.length > 0) {
          const self = await kv.get<Wrapped>(prefix);
          if (isLive(self.value, now)) out.push({ key: self.key, value: self.value.v as T });
        }
        // Expired entries are filtered here, so no Deno-side limit: it would count them too.
        for await (const entry of kv.list<Wrapped>({ prefix })) {
          if (out.length >= limit) break;
          if (isLive(entry.value, now)) out.push({ key: entry.key, value: entry.value.v as T });
        }
        return out;
      });
    },
    close() {
      // Idempotent: closing twice is a no-op, as in the other backends.
      if (!closed) {
        closed = true;
        kv.close();
      }
      return Promise.resolve();
    },
  };
}

function isLocked(error: unknown): boolean {
  return error instanceof Error && /database is locked|SQLITE_BUSY/i.test(error.message);
}
