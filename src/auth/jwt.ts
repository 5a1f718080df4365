/** @module The `jwt` strategy: a resource server for an existing identity provider's access tokens (RFC 9068), with protected-resource metadata (RFC 9728) pointing clients at that provider. */
import type { AuthResult, AuthStrategy, AuthSuccess } from "./strategy.ts";
import type { Identity } from "./identity.ts";
import { type Handler, NO_HEADERS, type RequestContext } from "../http/pipeline.ts";
import { cachedAccessToken } from "./bearer.ts";
import { sha256Hex } from "../crypto/hash.ts";
import { JoseError, type JoseErrorCode } from "./jwt-errors.ts";
import {
  type AsymmetricAlgorithm,
  DEFAULT_ALGORITHMS,
  type HmacAlgorithm,
  importHmacSecret,
  isHmacAlgorithm,
  isJwsAlgorithm,
  type JwsAlgorithm,
} from "./jws-algorithms.ts";
import { type JwtClaims, jwtVerify, type KeyResolver } from "./jwt-verify.ts";
import { remoteJwks } from "./jwks.ts";
import { discoverAuthorizationServer } from "./issuer-discovery.ts";
import { verifiedTokenCache, type VerifiedTokenCacheOptions } from "./verified-tokens.ts";
import {
  type ProtectedResourceMetadata,
  protectedResourceMetadata,
  resourceMetadataRoute,
  resourceMetadataUrl,
} from "./resource-metadata.ts";

interface JwtCommonOptions {
  /** Exact `iss` value(s) accepted; the first is the authorization server named in the metadata. */
  issuer: string | readonly string[];
  /** The token's audience must contain one of these; by default `resource` (RFC 8707: tokens bound to this server). */
  audience?: string | readonly string[];
  /** This MCP endpoint's canonical URL (e.g. `https://mcp.example.com/mcp`): the RFC 9728 `resource` and the default audience. */
  resource: string;
  /** Scopes this resource uses: `scopes_supported` in the metadata and `scope` in 401 challenges. */
  scopes?: readonly string[];
  /** Where the audience is carried: `aud` (default) or `client_id` (Cognito, Clerk). */
  audienceClaim?: "aud" | "client_id";
  /** Where scopes are: `scope` or `scp`; by default `scope`, else `scp`. Either may be a space-separated string or an array. */
  scopeClaim?: "scope" | "scp";
  /** Leeway for `exp`/`nbf`/`iat` in seconds (default 30). */
  clockSkewSeconds?: number;
  /** Verified-token cache (default 10 000 tokens, 5 min at most); `false` turns it off. */
  cache?: Omit<VerifiedTokenCacheOptions, "now"> | false;
  /** JWKS fetching: timeout (default 5 s), size cap (256 KiB), unknown-kid cooldown (30 s). */
  jwks?: { timeoutMs?: number; maxBytes?: number; cooldownMs?: number };
  /** The fetch used for discovery and JWKS (default: global fetch). */
  fetch?: typeof fetch;
  /** The current time in milliseconds (tests). */
  now?: () => number;
  /** Shown in the metadata (`resource_name`). */
  resourceName?: string;
}

/**
 * Options of {@link jwt}. Required: `issuer` (exact `iss` value or values; the first is the
 * authorization server advertised in the metadata) and `resource` (this MCP endpoint's URL; also the
 * default audience). Keys come from `jwksUri`, else from the issuer's discovery document (OpenID
 * configuration, then RFC 8414), and verify only asymmetric algorithms (default RS256/384/512,
 * PS256/384/512, ES256/384, EdDSA). HS256/384/512 need `secret` (≥ 32 bytes), which is the only key
 * an HMAC algorithm may use: asking for one without a secret is a compile error, and a JWKS key is
 * never used for HMAC (RFC 8725 §3.1). The `jwtProviders` presets fill `issuer`, `jwksUri` and the
 * claim names for common providers.
 *
 * @example
 * ```ts
 * import { jwt, type JwtOptions } from "gatehouse";
 *
 * const options: JwtOptions = {
 *   issuer: "https://login.example.com/",
 *   resource: "https://mcp.example.com/mcp",
 *   audience: ["https://mcp.example.com/mcp", "api://notes"],
 *   scopes: ["notes:read", "notes:write"],
 *   clockSkewSeconds: 10,
 * };
 * const auth = jwt(options);
 * ```
 */
export type JwtOptions =
  & JwtCommonOptions
  & (
    | { jwksUri?: string; secret?: never; algorithms?: readonly AsymmetricAlgorithm[] }
    | { secret: string; jwksUri?: string; algorithms?: readonly JwsAlgorithm[] }
  );

/**
 * What {@link jwt} returns: an {@link AuthStrategy} that also carries what `createServer` advertises
 * for it: the canonical `resource`, the RFC 9728 `metadata` document and its `resourceMetadataUrl`
 * (named in every 401/403 challenge), and the `scopes` put in 401 challenges. Its `routes` serve the
 * metadata at `/.well-known/oauth-protected-resource` and the path-inserted URL.
 *
 * @example
 * ```ts
 * import { jwt, type JwtStrategy } from "gatehouse";
 *
 * const auth: JwtStrategy = jwt({ issuer: "https://login.example.com/", resource: "https://mcp.example.com/mcp" });
 * console.log(auth.resourceMetadataUrl); // https://mcp.example.com/.well-known/oauth-protected-resource/mcp
 * console.log(auth.metadata.authorization_servers); // ["https://login.example.com/"]
 * ```
 */
export interface JwtStrategy extends AuthStrategy {
  readonly name: "jwt";
  readonly resource: string;
  /** The path-inserted RFC 9728 URL for `WWW-Authenticate: Bearer resource_metadata="…"`. */
  readonly resourceMetadataUrl: string;
  readonly metadata: ProtectedResourceMetadata;
  /** Scopes to put in 401 challenges (may be empty). */
  readonly scopes: readonly string[];
  /** Serves the metadata at the root and path-inserted well-known URLs. */
  routes: (request: Request, ctx: RequestContext, next: Handler) => Promise<Response | undefined> | undefined;
}

/** The HMAC secret must be at least as long as the hash (RFC 7518 §3.2): 32 bytes for HS256. */
const MIN_SECRET_BYTES = 32;

/** What a refused token is told: stable, free of token content, and honest about outages. */
function describe(error: JoseError): string {
  const byCode: Partial<Record<JoseErrorCode, string>> = {
    JWTExpired: "The access token has expired",
    JWTNotYetValid: "The access token is not valid yet",
    JWKSUnavailable: "The access token's signing key is not known and the issuer's keys could not be fetched; try again later",
    JWKSNoMatchingKey: "The access token is signed with a key the issuer does not publish",
    JWSSignatureVerificationFailed: "The access token's signature is not valid",
  };
  return byCode[error.code] ?? error.message;
}

/** Reads scopes from `scope` or `scp`, each as a space-separated string (RFC 8693 §4.2) or an array of strings. */
export function scopesOf(claims: JwtClaims, claim?: "scope" | "scp"): string[] {
  const value = claim ? claims[claim] : claims.scope ?? claims.scp;
  if (typeof value === "string") return value.split(" ").filter((s) => s !== "");
  if (Array.isArray(value)) return value.filter((s): s is string => typeof s === "string" && s !== "");
  return [];
}

/** Validates an absolute http(s) URL without fragment and drops a trailing slash. */
function canonicalResource(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new TypeError(`jwt: resource must be an absolute URL, got "${value}"`);
  }
  if ((url.protocol !== "https:" && url.protocol !== "http:") || url.hash) {
    throw new TypeError(`jwt: resource must be an http(s) URL without a fragment, got "${value}"`);
  }
  return url.href.replace(/\/+$/, "");
}

function deepFreeze<T>(value: T): T {
  if (typeof value === "object" && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

/**
 * A resource server for access tokens your identity provider issues as JWTs (RFC 9068): Gatehouse
 * verifies them and never issues any. Per request the bearer token is looked up in an in-memory
 * cache of verified tokens (no crypto on a hit); on a miss it is verified and cached until its `exp`
 * (at most 5 min by default).
 *
 * What is verified: the JWS signature with an allowed algorithm and a key of the issuer (never
 * `alg: none`, never a key named by the token itself: `jku`, `x5u`, `jwk`, `x5c` and `crit` headers
 * are refused; RSA keys under 2048 bits refused; tokens over 16 KiB refused); `exp` (required), `nbf`
 * and `iat` with `clockSkewSeconds` of leeway; `iss` exactly one of `issuer`; the audience claim
 * contains one of `audience` (default `resource`). What is NOT verified: `typ`, `jti` replay, or
 * revocation (a revoked token is accepted until it expires); which scopes a tool needs is decided
 * per tool (`scopes` on the tool), not here.
 *
 * Identity: `subject` = `sub`, `scopes` from `scope` or `scp` (space-separated string or array),
 * `claims` = the whole verified payload, `clientId` = `client_id` or `azp`, `credentialId` a hash
 * prefix of the token. The client's token is never passed on: `resolvedHeaders` is `{}` and there is
 * no `providerToken`. Refusals are 401 `invalid_token` with a stable description (the JWKS being
 * unreachable says so, rather than blaming the token).
 *
 * Throws `TypeError` at construction: no `issuer`; `resource` not an absolute http(s) URL or with a
 * fragment; an empty `audience` or `algorithms`; an unknown algorithm; an HMAC algorithm without
 * `secret`; a `secret` shorter than 32 bytes. `createServer` also refuses a `resource` other than
 * `publicUrl` + `mcpPath`.
 *
 * @example
 * ```ts
 * import { createServer, jwt, jwtProviders } from "gatehouse";
 *
 * export default createServer({
 *   name: "notes",
 *   version: "1.0.0",
 *   publicUrl: "https://mcp.example.com",
 *   auth: jwt({
 *     ...jwtProviders.auth0({ domain: "acme.us.auth0.com" }),
 *     resource: "https://mcp.example.com/mcp",
 *     scopes: ["notes:read"],
 *   }),
 * });
 * ```
 */
export function jwt(options: JwtOptions): JwtStrategy {
  const issuers = typeof options.issuer === "string" ? [options.issuer] : [...options.issuer];
  if (issuers.length === 0 || issuers.some((i) => typeof i !== "string" || i === "")) throw new TypeError("jwt: issuer is required");
  // The canonical resource URL has no trailing slash (MCP authorization, RFC 8707 §2).
  const resource = canonicalResource(options.resource);
  const audience = options.audience === undefined
    ? [resource]
    : typeof options.audience === "string"
    ? [options.audience]
    : [...options.audience];
  if (audience.length === 0) throw new TypeError("jwt: audience must not be empty");
  const secret = options.secret;
  if (secret !== undefined && new TextEncoder().encode(secret).length < MIN_SECRET_BYTES) {
    throw new TypeError(`jwt: secret must be at least ${MIN_SECRET_BYTES} bytes (RFC 7518 §3.2)`);
  }
  const algorithms: JwsAlgorithm[] = options.algorithms
    ? [...options.algorithms]
    : secret !== undefined
    ? ["HS256", ...(options.jwksUri ? DEFAULT_ALGORITHMS : [])]
    : [...DEFAULT_ALGORITHMS];
  for (const alg of algorithms) {
    if (!isJwsAlgorithm(alg)) throw new TypeError(`jwt: unsupported algorithm "${alg}"`);
    if (isHmacAlgorithm(alg) && secret === undefined) throw new TypeError(`jwt: ${alg} needs an explicitly configured secret`);
  }
  if (algorithms.length === 0) throw new TypeError("jwt: algorithms must not be empty");
  const now = options.now ?? Date.now;
  const fetchOptions = { fetch: options.fetch, timeoutMs: options.jwks?.timeoutMs, maxBytes: options.jwks?.maxBytes };

  const needsJwks = algorithms.some((a) => !isHmacAlgorithm(a));
  const jwks = needsJwks
    ? remoteJwks({
      ...fetchOptions,
      cooldownMs: options.jwks?.cooldownMs,
      now,
      uri: options.jwksUri ?? (async () => {
        const metadata = await discoverAuthorizationServer(issuers[0], fetchOptions);
        if (typeof metadata.jwks_uri !== "string") throw new JoseError("DiscoveryFailed", `${issuers[0]} publishes no jwks_uri`);
        return metadata.jwks_uri;
      }),
    })
    : undefined;
  const hmacKeys = new Map<HmacAlgorithm, Promise<CryptoKey>>();

  // The one place that decides which key material an algorithm may use: HMAC only the configured
  // secret, everything else only the issuer's published public keys (RFC 8725 §3.1).
  const keys: KeyResolver = async (header) => {
    if (isHmacAlgorithm(header.alg)) {
      if (secret === undefined) throw new JoseError("JOSEAlgNotAllowed", "HMAC tokens are not accepted");
      let key = hmacKeys.get(header.alg);
      if (!key) hmacKeys.set(header.alg, key = importHmacSecret(secret, header.alg));
      return [await key];
    }
    if (!jwks) throw new JoseError("JOSEAlgNotAllowed", "The token's algorithm is not allowed");
    return await jwks.keysFor({ alg: header.alg as AsymmetricAlgorithm, kid: header.kid });
  };

  // Holds the whole success result: a hit is answered synchronously with no allocation.
  const cache = options.cache === false ? undefined : verifiedTokenCache<AuthSuccess>({ ...options.cache, now });
  const lookup = (token: string) => cache?.get(token);
  const scopes = [...(options.scopes ?? [])];
  const metadata = protectedResourceMetadata({
    resource,
    authorizationServers: [issuers[0]],
    scopesSupported: scopes,
    resourceName: options.resourceName,
  });
  const route = resourceMetadataRoute(metadata);

  return {
    name: "jwt",
    resource,
    resourceMetadataUrl: resourceMetadataUrl(resource),
    metadata,
    scopes,
    routes: (request, ctx, next) => route(request, ctx, next),
    authenticate: (request) => cachedAccessToken(request, lookup, verify),
  };

  async function verify(token: string): Promise<AuthResult> {
    let claims: JwtClaims;
    try {
      ({ claims } = await jwtVerify(token, keys, {
        issuer: issuers,
        audience,
        audienceClaim: options.audienceClaim,
        algorithms,
        clockSkewSeconds: options.clockSkewSeconds,
        now,
      }));
    } catch (error) {
      if (error instanceof JoseError) return { ok: false, error: "invalid_token", description: describe(error) };
      throw error;
    }
    const credentialId = `jwt:${(await sha256Hex(token)).slice(0, 16)}`;
    const clientId = typeof claims.client_id === "string" ? claims.client_id : typeof claims.azp === "string" ? claims.azp : undefined;
    // Frozen: one identity object is shared by every request that presents this token.
    const identity: Identity = deepFreeze({
      strategy: "jwt" as const,
      subject: typeof claims.sub === "string" ? claims.sub : undefined,
      scopes: scopesOf(claims, options.scopeClaim),
      claims,
      ...(clientId ? { clientId } : {}),
      credentialId,
    });
    const result: AuthSuccess = Object.freeze({ ok: true as const, identity, resolvedHeaders: NO_HEADERS });
    cache?.set(token, result, (claims.exp as number) * 1000);
    return result;
  }
}
