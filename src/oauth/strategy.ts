/**
 * @module `oauth()`: Gatehouse as the OAuth 2.1 authorization server in front of an upstream identity provider (`oauthProvider()` in provider-mode.ts builds the same strategy around the app's own login). Its routes serve the endpoints; `authenticate` accepts only our own opaque access tokens, bound to this resource, and hands tools the provider's token (refreshed upstream when needed), never the client's.
 */
import type { AuthResult, AuthStrategy } from "../auth/strategy.ts";
import { cachedAccessToken } from "../auth/bearer.ts";
import type { KV } from "../store/kv.ts";
import { lookupAccessToken } from "./grants.ts";
import { EXPIRY_SKEW_MS, providerTokensFor } from "./provider-tokens.ts";
import { accessTokenCache, type AccessTokenCacheOptions } from "./access-cache.ts";
import { oauthRoutes, PUBLIC_CORS_PATHS } from "./routes.ts";
import { resourceMetadataUrl } from "../auth/resource-metadata.ts";
import { DEFAULT_LIFETIMES, type Lifetimes, normalizeResource, type OAuthSettings, type StaticClient } from "./settings.ts";
import { type FetchLike, PRESETS, type Provider, type ProviderOptions, resolveProvider } from "./upstream.ts";
import type { ClientMetadataFetchOptions } from "./client-metadata.ts";
import { isLoopbackHost } from "./redirect-uri.ts";

/**
 * What both OAuth modes share: {@link oauth} (an upstream provider logs users in) and
 * {@link oauthProvider} (the app does): the issuer, the store, the offered scopes, client
 * registration policy and lifetimes. See {@link OAuthOptions} for each field's default.
 *
 * @example
 * ```ts
 * import { memoryStore, type OAuthCommonOptions } from "gatehouse";
 *
 * const common: OAuthCommonOptions = { issuer: "https://mcp.example.com", store: memoryStore(), scopes: ["notes:read"] };
 * ```
 */
export interface OAuthCommonOptions {
  /** Our issuer and base URL (`PUBLIC_URL`): https, or http on loopback; no path, query or fragment. Never taken from request headers. */
  issuer: string;
  /** Where clients, grants and tokens live; pass the same store as `createServer({ store })`. */
  store: KV;
  /** Path of the MCP endpoint (default `/mcp`); with the issuer it is the resource identifier (RFC 8707). */
  mcpPath?: string;
  /** Scopes offered to MCP clients (`oauth()` default: the provider's scopes; `oauthProvider()` default: none). */
  scopes?: readonly string[];
  /** A pre-registered confidential client (`OAUTH_CLIENT_ID`/`OAUTH_CLIENT_SECRET`). */
  staticClient?: StaticClient;
  /** Enable Client ID Metadata Documents (needs a DNS resolver from the runtime adapter). Default: disabled. */
  clientMetadata?: ClientMetadataFetchOptions;
  /** Accept RFC 7591 dynamic client registration (default true). */
  registration?: boolean;
  lifetimes?: Partial<Lifetimes>;
  /** The server name on the consent page (default: the issuer's host). */
  serverName?: string;
  /**
   * Validated access tokens remembered per process (default: 10 000 tokens, 60 s each; a revocation
   * on any instance sharing the store is honoured everywhere within ~1 s). `false`: every request
   * reads the store and opens the token's records (about 10× slower, revocation seen at once).
   */
  accessTokenCache?: AccessTokenCacheOptions | false;
  /** Clock (ms since epoch), for tests. */
  now?: () => number;
}

/**
 * Options of {@link oauth}. Required: `issuer` (Gatehouse's own base URL, i.e. `PUBLIC_URL`: an https
 * origin, or http on loopback; never taken from request headers), `store` (the same store as
 * `createServer({ store })`) and `provider` (see {@link ProviderOptions}). `mcpPath` (default `/mcp`)
 * with `issuer` is the resource identifier. `scopes` offered to MCP clients default to the provider's.
 * `redirectUri` is our callback as registered at the provider (default `<issuer>/oauth/provider-callback`).
 * `staticClient` adds one pre-registered confidential client; `registration: false` turns dynamic
 * client registration off; `clientMetadata` turns Client ID Metadata Documents on (off by default: it
 * needs a DNS resolver to check that addresses are public). `lifetimes` overrides the code (60 s),
 * access token (1 h), refresh token (30 days, sliding), refresh grace (10 s), login (10 min) and
 * unused-client (24 h) lifetimes.
 *
 * @example
 * ```ts
 * import { memoryStore, oauth, type OAuthOptions } from "gatehouse";
 *
 * const options: OAuthOptions = {
 *   issuer: "http://localhost:8000",
 *   store: memoryStore(),
 *   provider: { accountsUrl: "https://login.example.com", clientId: "gatehouse", clientSecret: "…" },
 *   scopes: ["openid", "email"],
 *   lifetimes: { accessTokenMs: 15 * 60_000 },
 *   staticClient: { clientId: "ci-bot", clientSecret: "at-least-32-characters-of-random-secret" },
 * };
 * const auth = oauth(options);
 * ```
 */
export interface OAuthOptions extends OAuthCommonOptions {
  /** The upstream identity provider. */
  provider: ProviderOptions;
  /** Our callback registered at the provider (`OAUTH_REDIRECT_URI`; default `<issuer>/oauth/provider-callback`). */
  redirectUri?: string;
  /** Used for every request to the provider (default `globalThis.fetch`). */
  fetch?: FetchLike;
}

/**
 * What {@link oauth} and {@link oauthProvider} return: an {@link AuthStrategy} carrying what
 * `createServer` advertises for it: the RFC 9728 `resourceMetadataUrl` named in 401/403 challenges,
 * the `scopes` put in those challenges (without `offline_access`), the endpoints answered with CORS
 * for any origin (`publicCorsPaths`), and the resolved `settings` (for tests and tooling; not a
 * stable API).
 *
 * @example
 * ```ts
 * import { memoryStore, oauth, type OAuthStrategy } from "gatehouse";
 *
 * const auth: OAuthStrategy = oauth({
 *   issuer: "https://mcp.example.com",
 *   store: memoryStore(),
 *   provider: { preset: "google", clientId: "1234.apps.googleusercontent.com", clientSecret: "…" },
 * });
 * console.log(auth.resourceMetadataUrl); // https://mcp.example.com/.well-known/oauth-protected-resource/mcp
 * ```
 */
export interface OAuthStrategy extends AuthStrategy {
  readonly name: "oauth";
  /** RFC 9728 metadata URL of the MCP endpoint, for `WWW-Authenticate: Bearer resource_metadata="…"`. */
  readonly resourceMetadataUrl: string;
  /** Scopes to advertise in the 401 challenge. */
  readonly scopes: readonly string[];
  readonly publicCorsPaths: readonly string[];
  /** The resolved settings (tests and tooling). */
  readonly settings: OAuthSettings;
}

function checkIssuer(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new TypeError("oauth: issuer must be an absolute URL (PUBLIC_URL)");
  }
  if (url.protocol !== "https:" && !(url.protocol === "http:" && isLoopbackHost(url.hostname))) {
    throw new TypeError("oauth: issuer must use https (http only on a loopback host): MCP requires every authorization endpoint on HTTPS");
  }
  if (url.pathname !== "/" || url.search || url.hash || url.username || url.password) {
    throw new TypeError("oauth: issuer must be an origin without path, query, fragment or credentials");
  }
  return url.origin;
}

function checkLifetimes(l: Lifetimes): Lifetimes {
  const bad = (name: string, max: number) => {
    const v = l[name as keyof Lifetimes];
    if (!Number.isFinite(v) || v <= 0 || v > max) throw new TypeError(`oauth: lifetimes.${name} must be between 1 and ${max} ms`);
  };
  bad("codeMs", 600_000); // OAuth 2.1 §4.1.2: at most 10 minutes
  bad("accessTokenMs", 86_400_000);
  bad("refreshTokenMs", 365 * 86_400_000);
  bad("refreshGraceMs", 60_000);
  bad("loginMs", 3_600_000);
  bad("unusedClientMs", 30 * 86_400_000);
  return l;
}

/**
 * Makes Gatehouse the OAuth 2.1 authorization server for its MCP endpoint, logging users in at an
 * upstream identity provider (Google, GitHub, any OIDC issuer). MCP clients register (dynamic client
 * registration, Client ID Metadata Documents when `clientMetadata` is set, or the `staticClient`),
 * send the user to `/authorize` (PKCE S256 only, exact redirect URIs), the user sees Gatehouse's own
 * consent page for that client and logs in at the provider, and the client redeems a single-use code
 * at `/token` for Gatehouse's opaque access and refresh tokens, bound to this resource (RFC 8707).
 * Its routes serve `/.well-known/oauth-authorization-server`, `/.well-known/oauth-protected-resource[/mcp]`,
 * `/authorize`, `/token`, `/register`, `/revoke`, `/oauth/callback` and `/oauth/provider-callback`.
 *
 * Per request, `authenticate` accepts only Gatehouse's own access tokens: known (looked up by SHA-256
 * hash), unexpired, grant not revoked, issued for this resource; never the provider's token, never a
 * JWT. Tools get the provider's access token as `providerToken` and `resolvedHeaders.Authorization`
 * (refreshed upstream when it has expired); the MCP client never sees it. Identity: `subject` from the
 * provider's user info (`sub`; GitHub's `id`), `claims` = that user info, `clientId` = the MCP client,
 * `scopes` = the scopes granted to it.
 *
 * Clients, codes, grants and tokens live in `store`: pass the server's store, persistent and atomic in
 * production (not `workersKvStore`: codes must be single-use and refresh rotation needs an atomic
 * update). Provider discovery runs on first use and is retried after a failure. For apps that log
 * users in themselves, see {@link oauthProvider}.
 *
 * Throws `TypeError`: `issuer` not an https origin (http only on loopback) or with a path, query,
 * fragment or credentials; `mcpPath` not a path like `/mcp`; no `provider.clientId` or
 * `provider.clientSecret`; a `staticClient` without both id and secret; a `lifetimes` value out of
 * range. `createServer` also refuses an `issuer` + `mcpPath` other than its `publicUrl` + `mcpPath`.
 *
 * @example
 * ```ts
 * import { createServer, oauth, openStore } from "gatehouse";
 *
 * const store = await openStore("sqlite:./gatehouse.db"); // clients, grants and tokens must survive restarts
 * export default createServer({
 *   name: "github-tools",
 *   version: "1.0.0",
 *   store,
 *   publicUrl: "https://mcp.example.com",
 *   auth: oauth({
 *     issuer: "https://mcp.example.com",
 *     store,
 *     provider: { preset: "github", clientId: "Iv1.0123456789abcdef", clientSecret: "…", scopes: ["read:user"] },
 *   }),
 * });
 * ```
 */
export function oauth(options: OAuthOptions): OAuthStrategy {
  checkIssuer(options.issuer);
  if (!options.provider?.clientId || !options.provider.clientSecret) {
    throw new TypeError("oauth: provider.clientId and provider.clientSecret are required");
  }
  const fetchImpl: FetchLike = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  let provider: Promise<Provider> | undefined;
  const scopes = options.scopes ?? options.provider.scopes ?? (options.provider.preset ? PRESETS[options.provider.preset].scopes : []);
  return createOAuthStrategy(options, {
    scopes,
    providerRedirectUri: options.redirectUri,
    provider() {
      // Discovery runs once; a failure is retried on the next request rather than cached.
      provider ??= resolveProvider(options.provider, fetchImpl).catch((error) => {
        provider = undefined;
        throw error;
      });
      return provider;
    },
    fetch: fetchImpl,
  });
}

const INVALID: AuthResult = Object.freeze({
  ok: false,
  error: "invalid_token",
  description: "The access token is invalid, expired or revoked",
});

/** The mode-specific part of the settings: an upstream provider, or the app's own login (src/oauth/provider-mode.ts). */
export type OAuthMode = Pick<OAuthSettings, "provider" | "fetch" | "ownLogin"> & {
  scopes: readonly string[];
  providerRedirectUri?: string;
};

/** Builds the strategy for either mode: same endpoints, storage and token rules. */
export function createOAuthStrategy(options: OAuthCommonOptions, mode: OAuthMode): OAuthStrategy {
  const issuer = checkIssuer(options.issuer);
  const mcpPath = options.mcpPath ?? "/mcp";
  if (!mcpPath.startsWith("/") || mcpPath === "/") throw new TypeError("oauth: mcpPath must be a path like /mcp");
  const resource = normalizeResource(`${issuer}${mcpPath}`)!;
  if (options.staticClient && (!options.staticClient.clientId || !options.staticClient.clientSecret)) {
    throw new TypeError("oauth: staticClient needs both clientId and clientSecret");
  }

  const settings: OAuthSettings = {
    issuer,
    resource,
    resources: new Set([resource, issuer]),
    store: options.store,
    scopes: [...mode.scopes],
    providerRedirectUri: mode.providerRedirectUri ?? `${issuer}/oauth/provider-callback`,
    provider: mode.provider,
    fetch: mode.fetch,
    ownLogin: mode.ownLogin,
    lifetimes: checkLifetimes({ ...DEFAULT_LIFETIMES, ...options.lifetimes }),
    staticClient: options.staticClient,
    clientMetadata: options.clientMetadata,
    registration: options.registration ?? true,
    now: options.now ?? Date.now,
  };
  if (options.accessTokenCache !== false) {
    settings.accessCache = accessTokenCache(settings.store, settings.now, options.accessTokenCache);
  }
  const routes = oauthRoutes(settings, { mcpPath, serverName: options.serverName ?? new URL(issuer).host });
  const lookup = (token: string) => settings.accessCache?.get(token);

  return {
    name: "oauth",
    resourceMetadataUrl: resourceMetadataUrl(resource),
    publicCorsPaths: PUBLIC_CORS_PATHS,
    scopes: settings.scopes.filter((x) => x !== "offline_access"),
    settings,
    routes: (request, ctx) => routes(request, ctx),
    // A token validated a moment ago: no hashing, store reads or decryption (see access-cache.ts).
    authenticate: (request) => cachedAccessToken(request, lookup, (token) => token.length > 256 ? INVALID : validate(token)),
  };

  async function validate(token: string): Promise<AuthResult> {
    const cache = settings.accessCache;
    await cache?.sync();
    const hit = cache?.get(token);
    if (hit) return hit;
    const generation = cache?.generation() ?? 0;
    const found = await lookupAccessToken(settings, token);
    if (!found) return INVALID;
    // RFC 8707 / MCP: a token issued for another resource (another server sharing the store) is refused.
    if (!settings.resources.has(found.record.resource) || found.grant.resource !== found.record.resource) {
      return { ok: false, error: "invalid_token", description: "The access token was not issued for this resource" };
    }
    const credentialId = `oauth:${found.hash.slice(0, 16)}`;
    const identity = Object.freeze({
      strategy: "oauth" as const,
      subject: found.grant.subject,
      scopes: found.record.scopes,
      claims: found.grant.claims,
      clientId: found.record.clientId,
      credentialId,
    });
    let result: Extract<AuthResult, { ok: true }>;
    let until = Math.min(found.record.expiresAt, found.grant.expiresAt);
    if (settings.ownLogin) {
      // Own-login mode: the app is the identity provider; there is no upstream token to hand on.
      result = { ok: true, identity, resolvedHeaders: {} };
    } else {
      const upstream = await providerTokensFor(settings, found.grant, found.secret);
      if (!upstream.ok) return { ok: false, error: "invalid_token", description: upstream.description };
      const accessToken = upstream.tokens.accessToken;
      result = {
        ok: true,
        identity,
        providerToken: accessToken,
        resolvedHeaders: Object.freeze({ Authorization: `Bearer ${accessToken}` }),
      };
      // Never cached past the point where the provider token is due for a refresh.
      if (upstream.tokens.expiresAt !== undefined) until = Math.min(until, upstream.tokens.expiresAt - EXPIRY_SKEW_MS);
    }
    cache?.set(token, Object.freeze(result), until, generation);
    return result;
  }
}
