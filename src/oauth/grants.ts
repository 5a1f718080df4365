/**
 * @module Grants and the tokens that hang off them: authorization codes, access tokens and refresh-token families, stored only as SHA-256 hashes, with the provider's tokens sealed under a per-grant key that only our tokens can unwrap.
 *
 * Storage shape (see `KEYS`): a grant holds the provider tokens sealed (AES-GCM) under a random
 * per-grant key. Every code, access token and refresh token record holds that per-grant key sealed
 * under a key derived (HKDF) from the token itself, and is stored under the token's SHA-256. So a
 * dump of the store alone opens nothing: the raw tokens it would take exist only at the clients.
 * A grant is one refresh family: deleting it revokes every code and token issued from it.
 */
import { importSealKey, open, seal } from "../crypto/seal.ts";
import { sha256Hex } from "../crypto/hash.ts";
import { randomId, randomToken } from "../crypto/random.ts";
import { KEYS, type OAuthSettings } from "./settings.ts";
import type { ProviderTokens } from "./upstream.ts";
import { verifyPkce } from "./pkce.ts";

export interface Grant {
  id: string;
  clientId: string;
  subject: string;
  claims: Record<string, unknown>;
  scopes: string[];
  resource: string;
  /** The provider's tokens, sealed under the grant key (aad `provider:<id>`); absent in own-login mode (no upstream). */
  provider?: string;
  /** Bumped whenever `provider` changes (upstream refresh). */
  version: number;
  /** Sliding: each refresh-token rotation extends it. */
  expiresAt: number;
  /** A cross-instance lease on refreshing the provider token (see provider-tokens.ts). */
  lease?: string;
  leaseUntil?: number;
}

interface Wrapped {
  grantId: string;
  /** The grant key, sealed under a key derived from this record's own token. */
  wrappedKey: string;
  clientId: string;
  scopes: string[];
  resource: string;
  expiresAt: number;
}

export interface CodeRecord extends Wrapped {
  redirectUri: string;
  codeChallenge: string;
  /** Set once, atomically, by the one redemption that wins. */
  redeemedBy?: string;
}

export type AccessRecord = Wrapped;

export interface RefreshRecord extends Wrapped {
  /** Set once, atomically, by the rotation that wins. */
  rotatedBy?: string;
  rotatedAt?: number;
  /** The successor tokens, sealed under this (old) token's key, for a retry within the grace window. */
  successor?: string;
  successorHash?: string;
}

/** What `/token` returns (RFC 6749 §5.1). */
export interface TokenSet {
  access_token: string;
  token_type: "Bearer";
  expires_in: number;
  refresh_token: string;
  scope?: string;
}

export type GrantResult<T> = { ok: true; value: T } | {
  ok: false;
  error: "invalid_grant" | "invalid_target" | "invalid_scope";
  description: string;
};

const fail = (error: "invalid_grant" | "invalid_target" | "invalid_scope", description: string) => ({
  ok: false as const,
  error,
  description,
});

async function tokenKey(token: string): Promise<CryptoKey> {
  return await importSealKey(`gatehouse token:${token}`);
}

async function wrapGrantKey(token: string, grantId: string, grantSecret: string): Promise<string> {
  return await seal(await tokenKey(token), grantSecret, `grant-key:${grantId}`);
}

/** The grant secret a record's token unlocks, or undefined when the token does not open it. */
export async function unwrapGrantKey(token: string, record: Wrapped): Promise<string | undefined> {
  return await open(await tokenKey(token), record.wrappedKey, `grant-key:${record.grantId}`);
}

/** Seals the provider tokens for storage in a grant. */
export async function sealProviderTokens(grantId: string, grantSecret: string, tokens: ProviderTokens): Promise<string> {
  return await seal(await importSealKey(grantSecret), JSON.stringify(tokens), `provider:${grantId}`);
}

/** Opens a grant's provider tokens with the grant secret. */
export async function openProviderTokens(grant: Grant, grantSecret: string): Promise<ProviderTokens | undefined> {
  if (grant.provider === undefined) return undefined;
  const text = await open(await importSealKey(grantSecret), grant.provider, `provider:${grant.id}`);
  return text === undefined ? undefined : JSON.parse(text) as ProviderTokens;
}

const ttl = (s: OAuthSettings, expiresAt: number) => ({ ttlMs: Math.max(1, expiresAt - s.now()) });

/** Starts a grant after a successful login: upstream (with the provider's tokens) or the app's own (without). */
export async function createGrant(
  s: OAuthSettings,
  input: {
    clientId: string;
    subject: string;
    claims: Record<string, unknown>;
    scopes: string[];
    resource: string;
    tokens?: ProviderTokens;
  },
): Promise<{ grant: Grant; secret: string }> {
  const id = randomId();
  const secret = randomToken(32);
  const grant: Grant = {
    id,
    clientId: input.clientId,
    subject: input.subject,
    claims: input.claims,
    scopes: input.scopes,
    resource: input.resource,
    provider: input.tokens ? await sealProviderTokens(id, secret, input.tokens) : undefined,
    version: 1,
    expiresAt: s.now() + s.lifetimes.refreshTokenMs,
  };
  await s.store.set(KEYS.grant(id), grant, ttl(s, grant.expiresAt));
  return { grant, secret };
}

/** RFC 6749 §10.5 / §4.1.2: revokes a grant and with it every token issued from it. */
export async function revokeGrant(s: OAuthSettings, grantId: string): Promise<void> {
  await s.store.delete(KEYS.grant(grantId));
  await s.accessCache?.revoked();
}

/** A live grant, or undefined (revoked or expired). */
export async function liveGrant(s: OAuthSettings, grantId: string): Promise<Grant | undefined> {
  const grant = await s.store.get<Grant>(KEYS.grant(grantId));
  return grant && grant.expiresAt > s.now() ? grant : undefined;
}

/** Issues an authorization code for a grant. The code record outlives the code (10 min) so a late replay is still recognised. */
export async function issueCode(
  s: OAuthSettings,
  grant: Grant,
  secret: string,
  p: { redirectUri: string; codeChallenge: string },
): Promise<string> {
  const code = randomToken(32);
  const record: CodeRecord = {
    grantId: grant.id,
    wrappedKey: await wrapGrantKey(code, grant.id, secret),
    clientId: grant.clientId,
    scopes: grant.scopes,
    resource: grant.resource,
    expiresAt: s.now() + s.lifetimes.codeMs,
    redirectUri: p.redirectUri,
    codeChallenge: p.codeChallenge,
  };
  await s.store.set(KEYS.code(await sha256Hex(code)), record, { ttlMs: Math.max(s.lifetimes.codeMs, 600_000) });
  return code;
}

/**
 * Redeems a code (RFC 6749 §4.1.3, OAuth 2.1 §4.1.3). The client, redirect URI, PKCE verifier
 * and resource are checked first, so a party without the verifier cannot burn the code; then the
 * code is claimed atomically (`update` with a per-attempt nonce: of many concurrent redemptions,
 * one wins). A code that was already redeemed revokes its grant (RFC 6749 §10.5).
 */
export async function redeemCode(
  s: OAuthSettings,
  code: string,
  p: { clientId: string; redirectUri?: string; verifier?: string; resource?: string },
): Promise<GrantResult<{ grant: Grant; secret: string; record: CodeRecord }>> {
  const key = KEYS.code(await sha256Hex(code));
  const record = await s.store.get<CodeRecord>(key);
  if (!record) return fail("invalid_grant", "The authorization code is invalid or has expired");
  if (record.redeemedBy) {
    await revokeGrant(s, record.grantId);
    return fail("invalid_grant", "The authorization code was already used; the tokens issued for it are revoked");
  }
  if (record.expiresAt <= s.now()) return fail("invalid_grant", "The authorization code has expired");
  if (record.clientId !== p.clientId) return fail("invalid_grant", "The authorization code was issued to another client");
  if (p.redirectUri === undefined || p.redirectUri !== record.redirectUri) {
    return fail("invalid_grant", "redirect_uri does not match the one used in the authorization request");
  }
  if (!(await verifyPkce(p.verifier, record.codeChallenge))) return fail("invalid_grant", "PKCE verification failed (code_verifier)");
  if (p.resource !== undefined && p.resource !== record.resource) {
    return fail("invalid_target", "resource does not match the one the authorization was granted for");
  }
  // Read the grant BEFORE claiming the code: once claimed, a concurrent replay revokes the grant
  // (RFC 6749 §10.5), and the winner must still answer with the one token pair (which that
  // revocation then ends), not with nothing at all.
  const grant = await liveGrant(s, record.grantId);
  const secret = grant && await unwrapGrantKey(code, record);
  if (!grant || !secret) return fail("invalid_grant", "The authorization grant was revoked");
  const nonce = randomId();
  const after = await s.store.update<CodeRecord>(
    key,
    (current) => current && !current.redeemedBy ? { ...current, redeemedBy: nonce } : current,
    { ttlMs: 600_000 },
  );
  if (after?.redeemedBy !== nonce) {
    await revokeGrant(s, record.grantId);
    return fail("invalid_grant", "The authorization code was already used; the tokens issued for it are revoked");
  }
  return { ok: true, value: { grant, secret, record } };
}

interface Successor {
  accessToken: string;
  refreshToken: string;
  accessExpiresAt: number;
  scopes: string[];
}

/** Creates and stores a new access + refresh token pair for a grant (records written before they are handed out). */
async function mint(
  s: OAuthSettings,
  grant: Grant,
  secret: string,
  p: { clientId: string; accessScopes: string[]; refreshScopes: string[]; resource: string },
): Promise<{ successor: Successor; accessHash: string; refreshHash: string }> {
  const now = s.now();
  const accessToken = randomToken(32);
  const refreshToken = randomToken(32);
  const access: AccessRecord = {
    grantId: grant.id,
    wrappedKey: await wrapGrantKey(accessToken, grant.id, secret),
    clientId: p.clientId,
    scopes: p.accessScopes,
    resource: p.resource,
    expiresAt: now + s.lifetimes.accessTokenMs,
  };
  const refresh: RefreshRecord = {
    grantId: grant.id,
    wrappedKey: await wrapGrantKey(refreshToken, grant.id, secret),
    clientId: p.clientId,
    scopes: p.refreshScopes,
    resource: p.resource,
    expiresAt: now + s.lifetimes.refreshTokenMs,
  };
  const accessHash = await sha256Hex(accessToken);
  const refreshHash = await sha256Hex(refreshToken);
  await s.store.set(KEYS.access(accessHash), access, ttl(s, access.expiresAt));
  await s.store.set(KEYS.refresh(refreshHash), refresh, ttl(s, refresh.expiresAt));
  return { successor: { accessToken, refreshToken, accessExpiresAt: access.expiresAt, scopes: p.accessScopes }, accessHash, refreshHash };
}

function tokenSet(s: OAuthSettings, t: Successor): TokenSet {
  return {
    access_token: t.accessToken,
    token_type: "Bearer",
    expires_in: Math.max(0, Math.round((t.accessExpiresAt - s.now()) / 1000)),
    refresh_token: t.refreshToken,
    ...(t.scopes.length ? { scope: t.scopes.join(" ") } : {}),
  };
}

/** The first token pair of a grant (after a code redemption). */
export async function issueTokens(s: OAuthSettings, grant: Grant, secret: string, clientId: string): Promise<TokenSet> {
  const { successor } = await mint(s, grant, secret, {
    clientId,
    accessScopes: grant.scopes,
    refreshScopes: grant.scopes,
    resource: grant.resource,
  });
  return tokenSet(s, successor);
}

/**
 * Refresh-token rotation (OAuth 2.1 §4.3.1) with reuse detection and a grace window.
 *
 * - The presented token is rotated atomically: of concurrent rotations exactly one wins; the
 *   losers fall through to the grace path and get the winner's successor.
 * - A token already rotated less than `refreshGraceMs` ago, whose successor has not been used
 *   yet, gets that same successor again: a client that lost the response (or raced itself) keeps
 *   its login (FIELD-NOTES §2.1).
 * - Any other reuse is a replay (RFC 6819 §5.2.2.3, OAuth 2.1 §4.3.1): the whole family (grant)
 *   is revoked.
 */
export async function rotateRefreshToken(
  s: OAuthSettings,
  presented: string,
  p: { clientId: string; scopes?: string[]; resource?: string },
): Promise<GrantResult<TokenSet>> {
  const hash = await sha256Hex(presented);
  const key = KEYS.refresh(hash);
  const record = await s.store.get<RefreshRecord>(key);
  if (!record || record.expiresAt <= s.now()) return fail("invalid_grant", "The refresh token is invalid or has expired");
  // RFC 6749 §6: the token is bound to the client it was issued to.
  if (record.clientId !== p.clientId) return fail("invalid_grant", "The refresh token was issued to another client");
  const grant = await liveGrant(s, record.grantId);
  if (!grant) return fail("invalid_grant", "The refresh token was revoked");
  const secret = await unwrapGrantKey(presented, record);
  if (!secret) return fail("invalid_grant", "The refresh token is invalid");
  if (p.resource !== undefined && p.resource !== record.resource) {
    return fail("invalid_target", "resource does not match the one the authorization was granted for");
  }
  // RFC 6749 §6: a narrower scope may be asked for, never a broader one.
  const accessScopes = p.scopes ?? record.scopes;
  if (accessScopes.some((scope) => !record.scopes.includes(scope))) {
    return fail("invalid_scope", "scope exceeds what the refresh token was granted");
  }
  if (record.rotatedBy) return await retryOrReplay(s, presented, hash, record);

  const minted = await mint(s, grant, secret, {
    clientId: record.clientId,
    accessScopes,
    refreshScopes: record.scopes,
    resource: record.resource,
  });
  const sealedSuccessor = await seal(await tokenKey(presented), JSON.stringify(minted.successor), `successor:${hash}`);
  const nonce = randomId();
  const now = s.now();
  const after = await s.store.update<RefreshRecord>(
    key,
    (current) =>
      current && !current.rotatedBy
        ? { ...current, rotatedBy: nonce, rotatedAt: now, successor: sealedSuccessor, successorHash: minted.refreshHash }
        : current,
    ttl(s, record.expiresAt),
  );
  if (after?.rotatedBy !== nonce) {
    // Lost the race: our pair was never handed out. Serve the winner's successor (or detect a replay).
    await s.store.delete(KEYS.access(minted.accessHash));
    await s.store.delete(KEYS.refresh(minted.refreshHash));
    if (!after) return fail("invalid_grant", "The refresh token is invalid or has expired");
    return await retryOrReplay(s, presented, hash, after);
  }
  // Sliding family lifetime.
  const expiresAt = s.now() + s.lifetimes.refreshTokenMs;
  await s.store.update<Grant>(KEYS.grant(grant.id), (g) => g ? { ...g, expiresAt } : undefined, ttl(s, expiresAt));
  return { ok: true, value: tokenSet(s, minted.successor) };
}

async function retryOrReplay(s: OAuthSettings, presented: string, hash: string, record: RefreshRecord): Promise<GrantResult<TokenSet>> {
  const withinGrace = record.rotatedAt !== undefined && s.now() - record.rotatedAt <= s.lifetimes.refreshGraceMs;
  if (withinGrace && record.successor && record.successorHash) {
    const next = await s.store.get<RefreshRecord>(KEYS.refresh(record.successorHash));
    if (next && !next.rotatedBy && await liveGrant(s, record.grantId)) {
      const text = await open(await tokenKey(presented), record.successor, `successor:${hash}`);
      if (text) return { ok: true, value: tokenSet(s, JSON.parse(text) as Successor) };
    }
  }
  await revokeGrant(s, record.grantId);
  return fail("invalid_grant", "The refresh token was already used; every token of this login is revoked");
}

/** What an access token stands for, when it is live. */
export interface AccessGrant {
  hash: string;
  record: AccessRecord;
  grant: Grant;
  secret: string;
}

/** Looks up a presented access token: known, unexpired, grant not revoked, and able to open its grant key. */
export async function lookupAccessToken(s: OAuthSettings, token: string): Promise<AccessGrant | undefined> {
  const hash = await sha256Hex(token);
  const record = await s.store.get<AccessRecord>(KEYS.access(hash));
  if (!record || record.expiresAt <= s.now()) return undefined;
  const grant = await liveGrant(s, record.grantId);
  if (!grant) return undefined;
  const secret = await unwrapGrantKey(token, record);
  if (!secret) return undefined;
  return { hash, record, grant, secret };
}

/**
 * RFC 7009 revocation. A refresh token revokes its whole family; an access token only itself.
 * Tokens of other clients, and unknown tokens, are left alone (the caller answers 200 regardless).
 */
export async function revokeToken(s: OAuthSettings, token: string, clientId: string, hint?: string): Promise<void> {
  const hash = await sha256Hex(token);
  const order = hint === "access_token" ? ["access", "refresh"] as const : ["refresh", "access"] as const;
  for (const kind of order) {
    const key = kind === "access" ? KEYS.access(hash) : KEYS.refresh(hash);
    const record = await s.store.get<Wrapped>(key);
    if (!record) continue;
    if (record.clientId !== clientId) return;
    if (kind === "refresh") await revokeGrant(s, record.grantId);
    else {
      await s.store.delete(key);
      await s.accessCache?.revoked();
    }
    return;
  }
}
