/**
 * @module `oauth()`: Gatehouse as the OAuth 2.1 authorization server in front of an upstream identity provider (`oauthProvider()` in provider-mode.ts builds the same strategy around the app's own login). Its routes serve the endpoints; `authenticate` accepts only our own opaque access tokens, bound to this resource, and hands tools the provider's token (refreshed upstream when needed), never the client's.
 */
import type { AuthResult, AuthStrategy } from "../auth/strategy.ts";
import { bearerCredential } from "../auth/bearer.ts";
import type { KV } from "../store/kv.ts";
import { lookupAccessToken } from "./grants.ts";
import { providerTokensFor } from "./provider-tokens.ts";
import { oauthRoutes, PUBLIC_CORS_PATHS } from "./routes.ts";
import { resourceMetadataUrl } from "../auth/resource-metadata.ts";
import { DEFAULT_LIFETIMES, type Lifetimes, normalizeResource, type OAuthSettings, type StaticClient } from "./settings.ts";
import { type FetchLike, PRESETS, type Provider, type ProviderOptions, resolveProvider } from "./upstream.ts";
import type { ClientMetadataFetchOptions } from "./client-metadata.ts";
import { isLoopbackHost } from "./redirect-uri.ts";

/** What both modes share: `oauth()` (an upstream provider logs users in) and `oauthProvider()` (the app does). */
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
  /** Clock (ms since epoch), for tests. */
  now?: () => number;
}

export interface OAuthOptions extends OAuthCommonOptions {
  /** The upstream identity provider. */
  provider: ProviderOptions;
  /** Our callback registered at the provider (`OAUTH_REDIRECT_URI`; default `<issuer>/oauth/provider-callback`). */
  redirectUri?: string;
  /** Used for every request to the provider (default `globalThis.fetch`). */
  fetch?: FetchLike;
}

/** The strategy, with what `createServer` needs to advertise it in 401 challenges. */
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

/** The oauth strategy. */
export function oauth(options: OAuthOptions): OAuthStrategy {
  checkIssuer(options.issuer);
  if (!options.provider?.clientId || !options.provider.clientSecret) throw new TypeError("oauth: provider.clientId and provider.clientSecret are required");
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

/** The mode-specific part of the settings: an upstream provider, or the app's own login (src/oauth/provider-mode.ts). */
export type OAuthMode = Pick<OAuthSettings, "provider" | "fetch" | "ownLogin"> & { scopes: readonly string[]; providerRedirectUri?: string };

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
  const routes = oauthRoutes(settings, { mcpPath, serverName: options.serverName ?? new URL(issuer).host });

  return {
    name: "oauth",
    resourceMetadataUrl: resourceMetadataUrl(resource),
    publicCorsPaths: PUBLIC_CORS_PATHS,
    scopes: settings.scopes.filter((x) => x !== "offline_access"),
    settings,
    routes: (request, ctx) => routes(request, ctx) ?? Promise.resolve(undefined),
    async authenticate(request): Promise<AuthResult> {
      const credential = bearerCredential(request);
      switch (credential.kind) {
        case "missing":
        case "other_scheme":
          return { ok: false, description: "Missing access token; expected 'Authorization: Bearer <token>'" };
        case "malformed":
          return { ok: false, error: "invalid_request", description: "Malformed Authorization header; expected exactly one token after 'Bearer'" };
      }
      if (credential.token.length > 256) return { ok: false, error: "invalid_token", description: "The access token is invalid, expired or revoked" };
      const found = await lookupAccessToken(settings, credential.token);
      if (!found) return { ok: false, error: "invalid_token", description: "The access token is invalid, expired or revoked" };
      // RFC 8707 / MCP: a token issued for another resource (another server sharing the store) is refused.
      if (!settings.resources.has(found.record.resource) || found.grant.resource !== found.record.resource) {
        return { ok: false, error: "invalid_token", description: "The access token was not issued for this resource" };
      }
      const credentialId = `oauth:${found.hash.slice(0, 16)}`;
      const identity = {
        strategy: "oauth" as const,
        subject: found.grant.subject,
        scopes: found.record.scopes,
        claims: found.grant.claims,
        clientId: found.record.clientId,
        credentialId,
      };
      // Own-login mode: the app is the identity provider; there is no upstream token to hand on.
      if (settings.ownLogin) return { ok: true, identity, resolvedHeaders: {} };
      const upstream = await providerTokensFor(settings, found.grant, found.secret);
      if (!upstream.ok) return { ok: false, error: "invalid_token", description: upstream.description };
      return {
        ok: true,
        identity,
        providerToken: upstream.tokens.accessToken,
        resolvedHeaders: { Authorization: `Bearer ${upstream.tokens.accessToken}` },
      };
    },
  };
}
