/**
 * @module The upstream identity provider: presets (Google, GitHub) with their quirks, endpoint discovery (OpenID / RFC 8414), and the code exchange, refresh and subject lookup, every failure mapped to an `UpstreamError` (never a 500).
 */
import { base64UrlDecode } from "../crypto/base64url.ts";
import { isLoopbackHost } from "./redirect-uri.ts";
import { readCapped } from "../http/body.ts";

export type FetchLike = (input: Request | string | URL, init?: RequestInit) => Promise<Response>;

/**
 * The upstream identity provider of {@link oauth}: Gatehouse's own client registration there
 * (`clientId`, `clientSecret`, both required) and where its endpoints are. Explicit `authorizeUrl` /
 * `tokenUrl` / `userinfoUrl` win; then the `preset` (`"google"`, `"github"`: endpoints, scopes and
 * quirks such as Google's `access_type=offline&prompt=consent`); else discovery from `accountsUrl`
 * (OpenID configuration / RFC 8414). When authorize and token URLs are explicit, `accountsUrl` is taken
 * as the userinfo URL instead. Discovery happens at the first login, not in `oauth()`; if the endpoints
 * are still unknown then, that login fails. Provider URLs must be https (http only on loopback),
 * without credentials or fragment. PKCE is sent upstream unless `pkce: false` or discovery says the
 * provider lacks S256.
 *
 * @example
 * ```ts
 * import type { ProviderOptions } from "gatehouse";
 *
 * const github: ProviderOptions = { preset: "github", clientId: "Iv1.0123456789abcdef", clientSecret: "…" };
 * const okta: ProviderOptions = {
 *   accountsUrl: "https://acme.okta.com",
 *   clientId: "0oa1example",
 *   clientSecret: "…",
 *   scopes: ["openid", "email", "profile", "offline_access"],
 *   tokenAuthMethod: "client_secret_basic",
 * };
 * ```
 */
export interface ProviderOptions {
  /** Google or GitHub defaults (endpoints, scopes, quirks); everything below overrides them. */
  preset?: "google" | "github";
  clientId: string;
  clientSecret: string;
  /** The provider's issuer/base URL, to discover endpoints from; or its userinfo URL when authorize/token URLs are explicit. */
  accountsUrl?: string;
  authorizeUrl?: string;
  tokenUrl?: string;
  userinfoUrl?: string;
  /** Scopes requested upstream. */
  scopes?: readonly string[];
  /** Extra query parameters on the upstream authorization request. */
  authorizeParams?: Record<string, string>;
  /** Send PKCE upstream (default: true, unless discovery says the provider lacks S256). */
  pkce?: boolean;
  /** How we authenticate at the provider's token endpoint (default `client_secret_post`). */
  tokenAuthMethod?: "client_secret_post" | "client_secret_basic";
  /** The userinfo field that is the stable subject (default `sub`, GitHub `id`). */
  subjectField?: string;
  /** Repeat `scope` on refresh requests (Azure AD needs it). */
  scopeOnRefresh?: boolean;
  /** Name shown on the consent page (default from the preset or the authorize URL's host). */
  name?: string;
}

/** A provider with every endpoint known. */
export interface Provider {
  name: string;
  clientId: string;
  clientSecret: string;
  issuer?: string;
  authorizeUrl: string;
  tokenUrl: string;
  userinfoUrl?: string;
  scopes: readonly string[];
  authorizeParams: Record<string, string>;
  pkce: boolean;
  tokenAuthMethod: "client_secret_post" | "client_secret_basic";
  subjectField?: string;
  scopeOnRefresh: boolean;
}

/** The provider's tokens, as we keep them (sealed) for one grant. */
export interface ProviderTokens {
  accessToken: string;
  refreshToken?: string;
  /** Absolute expiry (ms since epoch); absent when the provider did not say (GitHub OAuth apps: never). */
  expiresAt?: number;
  idToken?: string;
}

/** An upstream failure in OAuth words: `code` is the provider's error code, or `network` / `invalid_response`. */
export class UpstreamError extends Error {
  readonly code: string;
  constructor(code: string, description: string) {
    super(description);
    this.code = code;
    this.name = "UpstreamError";
  }
}

export const PRESETS: Record<"google" | "github", Omit<Provider, "clientId" | "clientSecret">> = {
  google: {
    name: "Google",
    issuer: "https://accounts.google.com",
    authorizeUrl: "https://accounts.google.com/o/oauth2/v2/auth",
    tokenUrl: "https://oauth2.googleapis.com/token",
    userinfoUrl: "https://openidconnect.googleapis.com/v1/userinfo",
    scopes: ["openid", "email", "profile"],
    // Google issues a refresh token only with access_type=offline, and again on a repeat login
    // only with prompt=consent (otherwise the second login gets none and the grant dies hourly).
    authorizeParams: { access_type: "offline", prompt: "consent" },
    pkce: true,
    tokenAuthMethod: "client_secret_post",
    scopeOnRefresh: false,
  },
  github: {
    name: "GitHub",
    authorizeUrl: "https://github.com/login/oauth/authorize",
    tokenUrl: "https://github.com/login/oauth/access_token",
    userinfoUrl: "https://api.github.com/user",
    scopes: ["read:user"],
    authorizeParams: {},
    pkce: true,
    tokenAuthMethod: "client_secret_post",
    // GitHub's numeric user id is stable; the login can be renamed.
    subjectField: "id",
    scopeOnRefresh: false,
  },
};

const TIMEOUT_MS = 10_000;
const MAX_RESPONSE_BYTES = 256 * 1024;

/** Provider URLs must be HTTPS (loopback http allowed, for tests and local IdPs). Throws TypeError naming the option. */
export function checkProviderUrl(name: string, raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new TypeError(`${name}: not an absolute URL`);
  }
  if (url.protocol !== "https:" && !(url.protocol === "http:" && isLoopbackHost(url.hostname))) {
    throw new TypeError(`${name}: must be an https URL (http only for loopback hosts)`);
  }
  if (url.username || url.password || url.hash) throw new TypeError(`${name}: must not contain credentials or a fragment`);
  return url.href;
}

/**
 * Resolves options to a full provider. Discovery runs only when the authorize or token URL is
 * still unknown after the preset and explicit URLs; with both explicit, `accountsUrl` (when set
 * and no userinfo URL is) is taken to be the userinfo URL.
 */
export async function resolveProvider(options: ProviderOptions, fetchImpl: FetchLike): Promise<Provider> {
  const preset = options.preset ? PRESETS[options.preset] : undefined;
  let authorizeUrl = options.authorizeUrl ?? preset?.authorizeUrl;
  let tokenUrl = options.tokenUrl ?? preset?.tokenUrl;
  let userinfoUrl = options.userinfoUrl ?? preset?.userinfoUrl;
  let issuer = preset?.issuer;
  let pkce = options.pkce ?? preset?.pkce ?? true;
  if ((!authorizeUrl || !tokenUrl) && options.accountsUrl) {
    const found = await discover(options.accountsUrl, fetchImpl);
    authorizeUrl ??= found.authorizeUrl;
    tokenUrl ??= found.tokenUrl;
    userinfoUrl ??= found.userinfoUrl;
    issuer = found.issuer;
    if (options.pkce === undefined && found.pkceMethods && !found.pkceMethods.includes("S256")) pkce = false;
  } else if (options.accountsUrl && !userinfoUrl) {
    userinfoUrl = options.accountsUrl;
  }
  if (!authorizeUrl || !tokenUrl) {
    throw new TypeError("provider: authorize and token URLs are unknown; set a preset, accountsUrl, or authorizeUrl and tokenUrl");
  }
  return {
    name: options.name ?? preset?.name ?? new URL(authorizeUrl).hostname,
    clientId: options.clientId,
    clientSecret: options.clientSecret,
    issuer,
    authorizeUrl: checkProviderUrl("authorizeUrl", authorizeUrl),
    tokenUrl: checkProviderUrl("tokenUrl", tokenUrl),
    userinfoUrl: userinfoUrl ? checkProviderUrl("userinfoUrl", userinfoUrl) : undefined,
    scopes: options.scopes ?? preset?.scopes ?? ["openid"],
    authorizeParams: { ...preset?.authorizeParams, ...options.authorizeParams },
    pkce,
    tokenAuthMethod: options.tokenAuthMethod ?? preset?.tokenAuthMethod ?? "client_secret_post",
    subjectField: options.subjectField ?? preset?.subjectField,
    scopeOnRefresh: options.scopeOnRefresh ?? preset?.scopeOnRefresh ?? false,
  };
}

interface Discovered {
  issuer: string;
  authorizeUrl: string;
  tokenUrl: string;
  userinfoUrl?: string;
  pkceMethods?: string[];
}

/** OpenID Connect Discovery 1.0 §4, then RFC 8414 §3 (path-inserted); the document's issuer must match (RFC 8414 §3.3). */
async function discover(base: string, fetchImpl: FetchLike): Promise<Discovered> {
  const url = new URL(checkProviderUrl("accountsUrl", base));
  const path = url.pathname.replace(/\/+$/, "");
  const candidates = [
    `${url.origin}${path}/.well-known/openid-configuration`,
    `${url.origin}/.well-known/oauth-authorization-server${path}`,
    `${url.origin}/.well-known/openid-configuration${path}`,
  ];
  for (const candidate of candidates) {
    let doc: Record<string, unknown>;
    try {
      const response = await fetchImpl(candidate, {
        headers: { accept: "application/json" },
        redirect: "error",
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
      if (!response.ok) {
        await response.body?.cancel();
        continue;
      }
      doc = JSON.parse(await boundedText(response));
    } catch {
      continue;
    }
    const issuer = typeof doc.issuer === "string" ? doc.issuer : "";
    if (issuer.replace(/\/+$/, "") !== `${url.origin}${path}`) continue;
    if (typeof doc.authorization_endpoint !== "string" || typeof doc.token_endpoint !== "string") continue;
    return {
      issuer,
      authorizeUrl: doc.authorization_endpoint,
      tokenUrl: doc.token_endpoint,
      userinfoUrl: typeof doc.userinfo_endpoint === "string" ? doc.userinfo_endpoint : undefined,
      pkceMethods: Array.isArray(doc.code_challenge_methods_supported) ? doc.code_challenge_methods_supported.map(String) : undefined,
    };
  }
  throw new TypeError(`provider: no usable OpenID or RFC 8414 metadata at ${url.origin}${path}`);
}

/** The URL we send the browser to after consent. */
export function upstreamAuthorizeUrl(provider: Provider, p: { redirectUri: string; state: string; challenge?: string }): string {
  const url = new URL(provider.authorizeUrl);
  url.searchParams.set("response_type", "code");
  url.searchParams.set("client_id", provider.clientId);
  url.searchParams.set("redirect_uri", p.redirectUri);
  if (provider.scopes.length) url.searchParams.set("scope", provider.scopes.join(" "));
  url.searchParams.set("state", p.state);
  if (p.challenge) {
    url.searchParams.set("code_challenge", p.challenge);
    url.searchParams.set("code_challenge_method", "S256");
  }
  for (const [k, v] of Object.entries(provider.authorizeParams)) url.searchParams.set(k, v);
  return url.href;
}

/** Exchanges the upstream authorization code (RFC 6749 §4.1.3). */
export function exchangeCode(
  provider: Provider,
  fetchImpl: FetchLike,
  p: { code: string; redirectUri: string; verifier?: string },
  now: () => number = Date.now,
): Promise<ProviderTokens> {
  const body = new URLSearchParams({ grant_type: "authorization_code", code: p.code, redirect_uri: p.redirectUri });
  if (p.verifier) body.set("code_verifier", p.verifier);
  return tokenRequest(provider, fetchImpl, body, now);
}

/** Refreshes the provider's access token (RFC 6749 §6); keeps the old refresh token when no new one comes back. */
export async function refreshProviderTokens(
  provider: Provider,
  fetchImpl: FetchLike,
  refreshToken: string,
  now: () => number = Date.now,
): Promise<ProviderTokens> {
  const body = new URLSearchParams({ grant_type: "refresh_token", refresh_token: refreshToken });
  if (provider.scopeOnRefresh && provider.scopes.length) body.set("scope", provider.scopes.join(" "));
  const tokens = await tokenRequest(provider, fetchImpl, body, now);
  return { ...tokens, refreshToken: tokens.refreshToken ?? refreshToken };
}

/** `now`: the clock the expiry is compared against later (the settings' clock), so both agree. */
async function tokenRequest(provider: Provider, fetchImpl: FetchLike, body: URLSearchParams, now: () => number): Promise<ProviderTokens> {
  const headers: Record<string, string> = {
    "content-type": "application/x-www-form-urlencoded",
    // GitHub answers form-encoded unless asked for JSON.
    accept: "application/json",
  };
  if (provider.tokenAuthMethod === "client_secret_basic") {
    const enc = (s: string) => encodeURIComponent(s).replace(/%20/g, "+");
    headers.authorization = `Basic ${btoa(`${enc(provider.clientId)}:${enc(provider.clientSecret)}`)}`;
  } else {
    body.set("client_id", provider.clientId);
    body.set("client_secret", provider.clientSecret);
  }
  let response: Response;
  try {
    response = await fetchImpl(provider.tokenUrl, {
      method: "POST",
      headers,
      body,
      redirect: "error",
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
  } catch {
    throw new UpstreamError("network", "The identity provider could not be reached");
  }
  let text: string;
  try {
    text = await boundedText(response);
  } catch {
    throw new UpstreamError("invalid_response", "The identity provider's token response could not be read");
  }
  const fields = parseTokenBody(text, response.headers.get("content-type") ?? "");
  // GitHub reports token errors with HTTP 200 and an `error` field, so the field decides, not the status.
  if (fields && typeof fields.error === "string") {
    throw new UpstreamError(fields.error, `The identity provider refused the token request (${sanitize(fields.error)})`);
  }
  if (!response.ok) {
    throw new UpstreamError(
      response.status >= 500 ? "temporarily_unavailable" : "invalid_response",
      `The identity provider answered HTTP ${response.status}`,
    );
  }
  if (!fields || typeof fields.access_token !== "string" || fields.access_token === "") {
    throw new UpstreamError("invalid_response", "The identity provider's token response has no access_token");
  }
  if (typeof fields.token_type === "string" && fields.token_type.toLowerCase() !== "bearer") {
    throw new UpstreamError("invalid_response", "The identity provider issued a token type other than Bearer");
  }
  const expiresIn = Number(fields.expires_in);
  return {
    accessToken: fields.access_token,
    refreshToken: typeof fields.refresh_token === "string" && fields.refresh_token !== "" ? fields.refresh_token : undefined,
    expiresAt: Number.isFinite(expiresIn) && expiresIn > 0 ? now() + expiresIn * 1000 : undefined,
    idToken: typeof fields.id_token === "string" ? fields.id_token : undefined,
  };
}

function parseTokenBody(text: string, contentType: string): Record<string, unknown> | undefined {
  try {
    const parsed = JSON.parse(text);
    if (parsed && typeof parsed === "object" && !Array.isArray(parsed)) return parsed;
  } catch {
    if (contentType.includes("x-www-form-urlencoded") || /^[\w.%+-]+=/.test(text)) return Object.fromEntries(new URLSearchParams(text));
  }
  return undefined;
}

/** Claims we keep about the user (tools see them as `context.auth.claims`); the rest is dropped. */
const KEPT_CLAIMS = ["sub", "id", "login", "email", "email_verified", "name", "preferred_username", "iss"];

/**
 * Who logged in: from the userinfo endpoint when there is one, else from the ID token's claims.
 * The ID token came straight from the token endpoint over TLS, which OpenID Connect Core §3.1.3.7
 * accepts in place of signature validation; we still check `iss`, `aud` and `exp`.
 */
export async function fetchSubject(
  provider: Provider,
  fetchImpl: FetchLike,
  tokens: ProviderTokens,
): Promise<{ subject: string; claims: Record<string, unknown> }> {
  let source: Record<string, unknown> | undefined;
  if (provider.userinfoUrl) {
    let response: Response;
    try {
      response = await fetchImpl(provider.userinfoUrl, {
        headers: { authorization: `Bearer ${tokens.accessToken}`, accept: "application/json", "user-agent": "gatehouse" },
        redirect: "error",
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
    } catch {
      throw new UpstreamError("network", "The identity provider's userinfo endpoint could not be reached");
    }
    if (!response.ok) {
      await response.body?.cancel();
      throw new UpstreamError("invalid_response", `The identity provider's userinfo endpoint answered HTTP ${response.status}`);
    }
    try {
      source = JSON.parse(await boundedText(response));
    } catch {
      throw new UpstreamError("invalid_response", "The identity provider's userinfo response is not JSON");
    }
  } else if (tokens.idToken) {
    source = idTokenClaims(provider, tokens.idToken);
  }
  const field = provider.subjectField ?? (source && source.sub !== undefined ? "sub" : "id");
  const subject = source?.[field];
  if ((typeof subject !== "string" && typeof subject !== "number") || String(subject) === "") {
    throw new UpstreamError("invalid_response", "The identity provider did not say who logged in");
  }
  const claims: Record<string, unknown> = {};
  for (const k of KEPT_CLAIMS) {
    const v = source![k];
    if (typeof v === "string" || typeof v === "number" || typeof v === "boolean") claims[k] = v;
  }
  return { subject: String(subject), claims };
}

function idTokenClaims(provider: Provider, idToken: string): Record<string, unknown> {
  const payload = idToken.split(".")[1];
  const bytes = payload ? base64UrlDecode(payload) : undefined;
  let claims: Record<string, unknown>;
  try {
    claims = JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    throw new UpstreamError("invalid_response", "The identity provider's ID token is malformed");
  }
  const aud = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
  if (provider.issuer && claims.iss !== provider.issuer) {
    throw new UpstreamError("invalid_response", "The ID token's issuer is not the provider");
  }
  if (!aud.includes(provider.clientId)) throw new UpstreamError("invalid_response", "The ID token was not issued to us");
  if (typeof claims.exp === "number" && claims.exp * 1000 < Date.now() - 60_000) {
    throw new UpstreamError("invalid_response", "The ID token has expired");
  }
  return claims;
}

/** Reads a response body with a size cap. */
async function boundedText(response: Response): Promise<string> {
  const read = await readCapped(response, MAX_RESPONSE_BYTES);
  if (read.ok) return read.text;
  throw new Error(read.reason === "too_large" ? "response too large" : "response could not be read");
}

/** Error codes from upstream are echoed in descriptions only after this (they come from a third party). */
function sanitize(text: string): string {
  return text.replace(/[^\w.-]/g, "").slice(0, 64);
}
