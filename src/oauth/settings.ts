/** @module The resolved configuration every OAuth module reads: issuer, resource, store, lifetimes, provider, clients. */
import type { KV } from "../store/kv.ts";
import type { FetchLike, Provider } from "./upstream.ts";
import type { ClientMetadataFetchOptions } from "./client-metadata.ts";
import type { OwnLogin } from "./provider-mode.ts";
import type { AccessTokenCache } from "./access-cache.ts";

/** How long things live. Defaults in `DEFAULT_LIFETIMES`. */
export interface Lifetimes {
  /** Authorization codes (RFC 6749 §4.1.2 "short"; OAuth 2.1 recommends ≤ 10 min). Default 60 s. */
  codeMs: number;
  /** Our access tokens. Default 1 h. */
  accessTokenMs: number;
  /** Our refresh tokens, sliding: each rotation starts a new period. Default 30 days. */
  refreshTokenMs: number;
  /** How long after a rotation an identical retry of the old refresh token gets the same successor. Default 10 s, at most 60 s. */
  refreshGraceMs: number;
  /** The consent page and the upstream login round trip (the upstream `state`). Default 10 min. */
  loginMs: number;
  /** A dynamically registered client that never completes a login is forgotten after this. Default 24 h. */
  unusedClientMs: number;
}

export const DEFAULT_LIFETIMES: Lifetimes = {
  codeMs: 60_000,
  accessTokenMs: 3_600_000,
  refreshTokenMs: 30 * 86_400_000,
  refreshGraceMs: 10_000,
  loginMs: 600_000,
  unusedClientMs: 86_400_000,
};

/** The pre-registered confidential client (OAUTH_CLIENT_ID / OAUTH_CLIENT_SECRET). */
export interface StaticClient {
  clientId: string;
  clientSecret: string;
  name?: string;
  /**
   * Redirect URIs it may use. Absent: any URI `checkRedirectUri` accepts, which is safe only
   * because the client is confidential (a code is useless without the secret) and the consent
   * page names the redirect host.
   */
  redirectUris?: readonly string[];
}

export interface OAuthSettings {
  /** Our issuer: `PUBLIC_URL`, no trailing slash (RFC 8414 §2: no query or fragment). */
  issuer: string;
  /** The canonical resource identifier (RFC 8707): the MCP endpoint URL. */
  resource: string;
  /** Every resource value that names this server (the MCP URL and the bare origin). */
  resources: ReadonlySet<string>;
  store: KV;
  /** Scopes offered to MCP clients. */
  scopes: readonly string[];
  /** Our callback at the provider (`OAUTH_REDIRECT_URI`). */
  providerRedirectUri: string;
  /** The provider, resolved (and discovered) on first use. In own-login mode it always rejects (there is none). */
  provider(): Promise<Provider>;
  /** Own-login mode (`oauthProvider()`): the app logs users in; no upstream provider, callback or provider tokens. */
  ownLogin?: OwnLogin;
  /** Used for every request to the provider. */
  fetch: FetchLike;
  lifetimes: Lifetimes;
  staticClient?: StaticClient;
  /** Client ID Metadata Documents; absent: disabled. */
  clientMetadata?: ClientMetadataFetchOptions;
  /** Accept dynamic client registration (RFC 7591). */
  registration: boolean;
  now(): number;
  /** Access tokens already validated (absent: `accessTokenCache: false`); revocations must call `revoked()`. */
  accessCache?: AccessTokenCache;
}

/** KV key prefixes. One place, so a store dump is easy to read. */
export const KEYS = {
  client: (id: string) => ["oauth", "client", id] as const,
  clientDedupe: (digest: string) => ["oauth", "client-dedupe", digest] as const,
  clientMetadata: (url: string) => ["oauth", "cimd", url] as const,
  consent: (id: string) => ["oauth", "consent", id] as const,
  upstreamState: (hash: string) => ["oauth", "upstream-state", hash] as const,
  grant: (id: string) => ["oauth", "grant", id] as const,
  code: (hash: string) => ["oauth", "code", hash] as const,
  access: (hash: string) => ["oauth", "access", hash] as const,
  refresh: (hash: string) => ["oauth", "refresh", hash] as const,
};

/** Normalises a `resource` value for comparison (RFC 8707 §2; MCP: accept uppercase scheme/host, no trailing slash). */
export function normalizeResource(raw: string): string | undefined {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return undefined;
  }
  // RFC 8707 §2: an absolute URI without a fragment.
  if (url.hash || raw.includes("#")) return undefined;
  return `${url.origin}${url.pathname.replace(/\/+$/, "")}${url.search}`;
}
