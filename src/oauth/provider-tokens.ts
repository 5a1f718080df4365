/**
 * @module The provider's access token for a request: opened from the grant and, when expired, refreshed upstream transparently — once per grant even when many requests need it at the same moment, in this process (single flight) and across instances (a lease in the store).
 */
import { randomId } from "../crypto/random.ts";
import { KEYS, type OAuthSettings } from "./settings.ts";
import { type Grant, openProviderTokens, revokeGrant, sealProviderTokens } from "./grants.ts";
import { type ProviderTokens, refreshProviderTokens, UpstreamError } from "./upstream.ts";

/** Refresh this long before the provider's stated expiry, so a token does not die in flight. */
export const EXPIRY_SKEW_MS = 60_000;
/** How long an instance may hold the refresh lease. */
const LEASE_MS = 15_000;
/** How long another instance waits for the lease holder's result. */
const WAIT_MS = 10_000;

export type ProviderTokenResult =
  | { ok: true; tokens: ProviderTokens }
  /** The upstream grant is gone (invalid_grant, or expired without a refresh token): the user must log in again. */
  | { ok: false; description: string };

const inFlight = new Map<string, Promise<ProviderTokenResult>>();

/** The grant's usable provider tokens. Throws only for transient failures (the auth stage answers 503). */
export async function providerTokensFor(s: OAuthSettings, grant: Grant, secret: string): Promise<ProviderTokenResult> {
  const tokens = await openProviderTokens(grant, secret);
  if (!tokens) return { ok: false, description: "The stored provider credentials could not be opened" };
  if (!expired(s, tokens)) return { ok: true, tokens };
  const flightKey = `${grant.id}:${grant.version}`;
  let flight = inFlight.get(flightKey);
  if (!flight) {
    flight = refresh(s, grant, secret, tokens).finally(() => inFlight.delete(flightKey));
    inFlight.set(flightKey, flight);
  }
  return await flight;
}

function expired(s: OAuthSettings, tokens: ProviderTokens): boolean {
  return tokens.expiresAt !== undefined && tokens.expiresAt - EXPIRY_SKEW_MS <= s.now();
}

async function refresh(s: OAuthSettings, grant: Grant, secret: string, tokens: ProviderTokens): Promise<ProviderTokenResult> {
  const key = KEYS.grant(grant.id);
  const lease = randomId();
  const now = s.now();
  const ttl = { ttlMs: Math.max(1, grant.expiresAt - now) };
  const claimed = await s.store.update<Grant>(
    key,
    (g) =>
      g && g.version === grant.version && !(g.leaseUntil !== undefined && g.leaseUntil > now)
        ? { ...g, lease, leaseUntil: now + LEASE_MS }
        : g,
    ttl,
  );
  if (!claimed) return { ok: false, description: "The login was revoked" };
  if (claimed.lease !== lease) return await awaitOther(s, grant, secret);

  if (!tokens.refreshToken) {
    await revokeGrant(s, grant.id);
    return { ok: false, description: "The provider's token expired and it issued no refresh token; log in again" };
  }
  let fresh: ProviderTokens;
  try {
    const provider = await s.provider();
    fresh = await refreshProviderTokens(provider, s.fetch, tokens.refreshToken, s.now);
  } catch (error) {
    if (error instanceof UpstreamError && error.code !== "network" && error.code !== "temporarily_unavailable") {
      // invalid_grant and friends: the upstream login is over. Our 401 `invalid_token` sends the
      // client through login again instead of looping on a 500 (FIELD-NOTES §2.2).
      await revokeGrant(s, grant.id);
      return { ok: false, description: `The provider refused to refresh the login (${error.code}); log in again` };
    }
    await s.store.update<Grant>(key, (g) => g && g.lease === lease ? { ...g, lease: undefined, leaseUntil: undefined } : g, ttl);
    throw error;
  }
  const sealed = await sealProviderTokens(grant.id, secret, fresh);
  await s.store.update<Grant>(
    key,
    (g) => g && g.lease === lease ? { ...g, provider: sealed, version: g.version + 1, lease: undefined, leaseUntil: undefined } : g,
    ttl,
  );
  return { ok: true, tokens: fresh };
}

/** Another instance holds the lease: wait for the grant's version to move, then use its result. */
async function awaitOther(s: OAuthSettings, grant: Grant, secret: string): Promise<ProviderTokenResult> {
  const deadline = Date.now() + WAIT_MS;
  while (Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
    const current = await s.store.get<Grant>(KEYS.grant(grant.id));
    if (!current) return { ok: false, description: "The login was revoked" };
    if (current.version !== grant.version) {
      const tokens = await openProviderTokens(current, secret);
      if (tokens && !expired(s, tokens)) return { ok: true, tokens };
      return { ok: false, description: "The provider credentials could not be refreshed" };
    }
    if (current.leaseUntil === undefined || current.leaseUntil <= s.now()) {
      // The holder gave up or died: try ourselves.
      const opened = await openProviderTokens(current, secret);
      if (!opened) return { ok: false, description: "The stored provider credentials could not be opened" };
      return await refresh(s, current, secret, opened);
    }
  }
  throw new Error("provider token refresh is taking too long");
}
