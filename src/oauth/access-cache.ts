/**
 * @module A per-process cache of our access tokens already validated against the store, so a busy client does not pay a SHA-256, two store reads and two AES-GCM opens per request; revocations reach every instance sharing the store within `revocationCheckMs` through one shared marker.
 *
 * Correctness rules:
 * - An entry lives until the earliest of: the access token's expiry, the grant's expiry, the
 *   provider token's refresh point (so a cached provider token is never one that needs refreshing),
 *   and `ttlMs` after it was validated.
 * - Every revocation on this instance (`/revoke`, a refresh-token replay, a code replay, an upstream
 *   refresh that failed for good) clears the cache at once and writes a new random value under the
 *   shared revocation marker. Every instance reads that marker at most once per `revocationCheckMs`
 *   (default 1 s) on its next request, and clears its cache when it changed: a revocation made on
 *   another instance is honoured within about a second, at the cost of one store read per second.
 * - Only successes are cached (an unknown token cannot push known ones out by failing), keyed by the
 *   token itself in process memory only: see `verifiedTokenCache` for why that is safe.
 */
import type { AuthResult } from "../auth/strategy.ts";
import { verifiedTokenCache } from "../auth/verified-tokens.ts";
import { randomId } from "../crypto/random.ts";
import type { KV } from "../store/kv.ts";

/**
 * `oauth({ accessTokenCache })`: how our access tokens are remembered once validated (default
 * 10 000 tokens, each for at most 60 s, revocations on other instances seen within 1 s). `false`
 * validates every request against the store.
 *
 * @example
 * ```ts
 * import type { AccessTokenCacheOptions } from "gatehouse";
 *
 * const strict: AccessTokenCacheOptions = { ttlMs: 5_000, revocationCheckMs: 250 };
 * ```
 */
export interface AccessTokenCacheOptions {
  /** Most tokens kept (default 10 000); one not used since it was last passed over is dropped first (about least recently used). */
  maxEntries?: number;
  /** Longest a validated token is trusted without looking at the store again, in ms (default 60 000). */
  ttlMs?: number;
  /** How often, at most, the shared revocation marker is read, in ms (default 1 000). */
  revocationCheckMs?: number;
}

type Success = Extract<AuthResult, { ok: true }>;

export interface AccessTokenCache {
  /** A cached success, unless the revocation marker is due to be read (then `undefined`: take the slow path). */
  get(token: string): Success | undefined;
  /** Reads the shared revocation marker when due; clears the cache when another instance revoked something. */
  sync(): Promise<void>;
  /** Call before validating against the store; pass the value to `set`. */
  generation(): number;
  /** Keeps a success, unless a revocation happened since `generation` was taken (the store read may predate it). */
  set(token: string, result: Success, expiresAtMs: number, generation: number): void;
  /** A revocation on this instance: forget everything here, and tell the other instances. */
  revoked(): Promise<void>;
  readonly size: number;
}

/** The shared marker: a random value rewritten on every revocation. */
export const REVOCATION_MARKER = ["oauth", "revocation-marker"] as const;

export function accessTokenCache(store: KV, now: () => number, options: AccessTokenCacheOptions = {}): AccessTokenCache {
  const ttlMs = options.ttlMs ?? 60_000;
  const checkMs = options.revocationCheckMs ?? 1_000;
  const entries = verifiedTokenCache<Success>({ maxEntries: options.maxEntries ?? 10_000, maxTtlMs: ttlMs, now });
  let marker: string | undefined;
  let checkedAt = -Infinity; // real time (Date.now), not the injectable clock: this bounds real staleness
  let syncing: Promise<void> | undefined;
  let generation = 0; // bumped by every clear: a validation that started before one must not be cached
  const clear = () => {
    generation++;
    entries.clear();
  };

  const due = () => Date.now() - checkedAt >= checkMs;

  return {
    get size() {
      return entries.size;
    },
    get(token) {
      return due() ? undefined : entries.get(token);
    },
    sync() {
      if (!due()) return Promise.resolve();
      syncing ??= (async () => {
        try {
          const current = await store.get<string>(REVOCATION_MARKER);
          if (current !== marker) clear();
          marker = current;
          checkedAt = Date.now();
        } finally {
          syncing = undefined;
        }
      })();
      return syncing;
    },
    generation: () => generation,
    set(token, result, expiresAtMs, since) {
      if (since === generation) entries.set(token, result, expiresAtMs);
    },
    async revoked() {
      clear();
      marker = randomId();
      await store.set(REVOCATION_MARKER, marker);
    },
  };
}
