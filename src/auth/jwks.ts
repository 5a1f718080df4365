/** @module A remote JSON Web Key Set (RFC 7517 §5): fetched with a timeout and a size cap, cached per `Cache-Control: max-age`, refetched on an unknown `kid` at most once per cooldown, and kept through issuer outages. */
import { type BoundedFetchOptions, fetchJson } from "./bounded-fetch.ts";
import { JoseError } from "./jwt-errors.ts";
import { type AsymmetricAlgorithm, importPublicJwk, jwkMatches, type PublicJwk } from "./jws-algorithms.ts";

export interface RemoteJwksOptions extends BoundedFetchOptions {
  /** The JWKS URL, or a function that finds it (issuer discovery), called when the first key is needed. */
  uri: string | (() => Promise<string>);
  /**
   * The least time between two fetches caused by an unknown `kid`, a stale set or a failure
   * (default 30 s): a stream of tokens with made-up `kid`s costs the issuer at most one request
   * per cooldown.
   */
  cooldownMs?: number;
  /** Freshness when the response has no usable `Cache-Control: max-age` (default 10 min). */
  defaultMaxAgeMs?: number;
  /** `max-age` is clamped to at least this (default 30 s) … */
  minMaxAgeMs?: number;
  /** … and at most this (default 24 h). */
  maxMaxAgeMs?: number;
  /** The current time in milliseconds (tests). */
  now?: () => number;
}

export interface RemoteJwks {
  /**
   * The keys that may verify a token with this header: those whose `kid` equals the header's (all
   * keys of a compatible type when the header has none) and that suit `alg`. Refetches once (per
   * cooldown) when none is known. Throws `JWKSNoMatchingKey`, or `JWKSUnavailable` when the set
   * could not be fetched and the cached one (if any) has no such key.
   */
  keysFor(header: { alg: AsymmetricAlgorithm; kid?: string }): Promise<CryptoKey[]>;
  /** How many times the set was requested from the issuer (for tests and metrics). */
  readonly fetchCount: number;
}

interface KeyEntry {
  jwk: PublicJwk;
  /** Imported CryptoKeys per algorithm, made on first use (one SubtleCrypto import per key and algorithm per fetched set). */
  imported: Map<AsymmetricAlgorithm, Promise<CryptoKey>>;
}

/** Parses `max-age` out of `Cache-Control` (RFC 9111 §5.2.2.1); `no-cache`/`no-store` count as 0. */
export function maxAgeMs(cacheControl: string | null): number | undefined {
  if (!cacheControl) return undefined;
  const directives = cacheControl.toLowerCase().split(",").map((d) => d.trim());
  if (directives.includes("no-store") || directives.includes("no-cache")) return 0;
  for (const d of directives) {
    const m = /^max-age\s*=\s*"?(\d+)"?$/.exec(d);
    if (m) return Number(m[1]) * 1000;
  }
  return undefined;
}

export function remoteJwks(options: RemoteJwksOptions): RemoteJwks {
  const now = options.now ?? Date.now;
  const cooldownMs = options.cooldownMs ?? 30_000;
  const defaultMaxAge = options.defaultMaxAgeMs ?? 10 * 60_000;
  const minMaxAge = options.minMaxAgeMs ?? 30_000;
  const maxMaxAge = options.maxMaxAgeMs ?? 24 * 3_600_000;

  let keys: KeyEntry[] | undefined;
  let expiresAt = 0;
  let lastAttemptAt: number | undefined;
  let lastError: string | undefined;
  let inflight: Promise<void> | undefined;
  let fetchCount = 0;
  let resolvedUri: string | undefined;

  const mayFetch = () => lastAttemptAt === undefined || now() - lastAttemptAt >= cooldownMs;

  /** One fetch at a time: concurrent callers share it (single flight). Never rejects; failures land in `lastError`. */
  function load(): Promise<void> {
    inflight ??= (async () => {
      lastAttemptAt = now();
      fetchCount++;
      try {
        resolvedUri ??= typeof options.uri === "string" ? options.uri : await options.uri();
        const { body, headers } = await fetchJson(resolvedUri, options);
        const list = (body as { keys?: unknown })?.keys;
        if (!Array.isArray(list)) throw new JoseError("JWKSInvalid", `${resolvedUri}: not a JWK Set (no "keys" array)`);
        // RFC 7517 §5: members we cannot use are ignored, not fatal; symmetric keys are never usable.
        keys = list
          .filter((k): k is PublicJwk =>
            typeof k === "object" && k !== null && typeof (k as PublicJwk).kty === "string" && (k as PublicJwk).kty !== "oct"
          )
          .map((jwk) => ({ jwk, imported: new Map() }));
        const age = maxAgeMs(headers.get("cache-control")) ?? defaultMaxAge;
        expiresAt = now() + Math.min(maxMaxAge, Math.max(minMaxAge, age));
        lastError = undefined;
      } catch (error) {
        // Keep whatever set we had: cached keys keep working through an outage.
        lastError = error instanceof Error ? error.message : String(error);
      } finally {
        inflight = undefined;
      }
    })();
    return inflight;
  }

  function candidates(header: { alg: AsymmetricAlgorithm; kid?: string }): KeyEntry[] {
    return (keys ?? []).filter((k) => (header.kid === undefined || k.jwk.kid === header.kid) && jwkMatches(k.jwk, header.alg));
  }

  function importAll(entries: KeyEntry[], alg: AsymmetricAlgorithm): Promise<CryptoKey[]> {
    return Promise.all(entries.map((entry) => {
      let key = entry.imported.get(alg);
      if (!key) {
        key = importPublicJwk(entry.jwk, alg);
        entry.imported.set(alg, key);
      }
      return key;
    }));
  }

  return {
    get fetchCount() {
      return fetchCount;
    },
    async keysFor(header) {
      // A stale (or never fetched) set is refreshed first, subject to the cooldown.
      if ((keys === undefined || now() >= expiresAt) && (mayFetch() || inflight)) await (inflight ?? load());
      let found = candidates(header);
      // Rotation: an unknown kid means the issuer may have published a new key; look once.
      if (found.length === 0 && (mayFetch() || inflight)) {
        await (inflight ?? load());
        found = candidates(header);
      }
      if (found.length > 0) return await importAll(found, header.alg);
      // The last fetch failed: say so, the key may well exist at an issuer we cannot reach.
      if (keys === undefined || lastError !== undefined) {
        throw new JoseError("JWKSUnavailable", `The issuer's signing keys could not be fetched (${lastError ?? "not fetched yet"})`);
      }
      const which = header.kid === undefined ? `for ${header.alg}` : `with this kid for ${header.alg}`;
      throw new JoseError("JWKSNoMatchingKey", `The issuer publishes no signing key ${which}`);
    },
  };
}
