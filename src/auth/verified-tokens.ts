/** @module A bounded cache (approximately least-recently-used) of tokens already verified, so a busy client pays one signature verification per token, not per request (DESIGN §8). */

export interface VerifiedTokenCacheOptions {
  /** Most tokens kept (default 10 000); one not used since it was last passed over is dropped first (about least recently used). */
  maxEntries?: number;
  /**
   * Longest a verified token is trusted without re-verifying, in ms (default 5 min), even when
   * its `exp` is later: bounds how long a key the issuer withdrew keeps accepting tokens it signed.
   */
  maxTtlMs?: number;
  /** The current time in milliseconds (tests). */
  now?: () => number;
}

export interface VerifiedTokenCache<T> {
  get(token: string): T | undefined;
  /** Keeps `value` for `token` until `expiresAtMs` (the token's `exp`) or `maxTtlMs`, whichever is first. */
  set(token: string, value: T, expiresAtMs: number): void;
  readonly size: number;
  clear(): void;
}

/**
 * The key is the token string itself, not a hash of it. A SHA-256 would need SubtleCrypto (an
 * async round trip that costs most of what the cache saves, DESIGN §8) and a fast non-crypto hash
 * would let colliding tokens share an entry. Keeping the raw token is safe here because the map is
 * process memory only: it is never persisted, never sent anywhere, never logged or enumerated, and
 * it holds nothing the client did not already present; entries die at `exp`. A lookup is one
 * `Map.get` (string hashing inside the engine) and compares the whole token, so a forged token
 * can only hit an entry by being byte-identical to a verified one.
 */
export function verifiedTokenCache<T>(options: VerifiedTokenCacheOptions = {}): VerifiedTokenCache<T> {
  const maxEntries = options.maxEntries ?? 10_000;
  const maxTtlMs = options.maxTtlMs ?? 5 * 60_000;
  const now = options.now ?? Date.now;
  // Map keeps insertion order. A hit only marks its entry (no Map writes on the hot path: deleting and
  // re-inserting on every hit churns the table, measured); eviction gives marked entries a second
  // chance by moving them to the back (CLOCK, an approximation of least recently used).
  const entries = new Map<string, { value: T; expiresAt: number; used: boolean }>();

  return {
    get size() {
      return entries.size;
    },
    get(token) {
      const entry = entries.get(token);
      if (!entry) return undefined;
      if (now() >= entry.expiresAt) {
        entries.delete(token);
        return undefined;
      }
      entry.used = true;
      return entry.value;
    },
    set(token, value, expiresAtMs) {
      if (maxEntries <= 0) return;
      const expiresAt = Math.min(expiresAtMs, now() + maxTtlMs);
      if (expiresAt <= now()) return;
      entries.delete(token);
      entries.set(token, { value, expiresAt, used: false });
      // Ends within one pass: every entry moved to the back loses its mark (the new one is never the victim).
      while (entries.size > maxEntries) {
        const [oldest, entry] = entries.entries().next().value as [string, { value: T; expiresAt: number; used: boolean }];
        entries.delete(oldest);
        if (entry.used || oldest === token) {
          entry.used = false;
          entries.set(oldest, entry);
        }
      }
    },
    clear() {
      entries.clear();
    },
  };
}
