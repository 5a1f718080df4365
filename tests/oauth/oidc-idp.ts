/**
 * @module panva's `oidc-provider` (OpenID Certified) as the upstream identity provider in tests: a Koa app on node:http, on 127.0.0.1 with an OS-assigned port, one confidential client for Gatehouse, PKCE, a fixed account, short-lived access tokens and refresh tokens; the login and consent prompts are its devInteractions pages, submitted with fetch by `loginAtIdp`.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import Provider from "oidc-provider";
import type { CookieJar } from "../e2e/oauth-helpers/browser-fetch.ts";

export interface OidcIdpOptions {
  /** Access-token lifetime in seconds (default 300); changeable later through `OidcIdp.accessTokenTtl`. */
  accessTokenTtl?: number;
  /** The one account `findAccount` knows (log in with its `sub` as the devInteractions login name). */
  account?: { sub: string; email: string };
}

export interface OidcIdp {
  readonly issuer: string;
  readonly clientId: string;
  readonly clientSecret: string;
  /** The provider itself (its `AccessToken.find`, events …). */
  readonly provider: InstanceType<typeof Provider>;
  /** Every request path + query oidc-provider received ("GET /auth?…"), for assertions. */
  readonly requests: string[];
  /** Token endpoint grant types seen, in order. */
  readonly grants: string[];
  /** Errors oidc-provider reported as server_error (its 500s), for failure messages. */
  readonly errors: Error[];
  /** The lifetime (seconds) of the next access tokens issued. */
  accessTokenTtl: number;
  close(): Promise<void>;
}

/**
 * Starts oidc-provider with `redirectUri` (Gatehouse's `/oauth/provider-callback`) as its only
 * registered redirect URI. The socket is bound first so the issuer carries the real port.
 */
export async function startOidcIdp(redirectUri: string, options: OidcIdpOptions = {}): Promise<OidcIdp> {
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const clientId = "gatehouse";
  const clientSecret = "gatehouse-upstream-secret-0123456789abcdef";
  const account = options.account ?? { sub: "oidc-user-42", email: "carol@example.org" };
  const requests: string[] = [];
  const grants: string[] = [];
  const errors: Error[] = [];
  // Assigned below; the lifetime function reads it only when a token is issued.
  // deno-lint-ignore prefer-const
  let idp: OidcIdp;

  const provider = new Provider(issuer, {
    clients: [{
      client_id: clientId,
      client_secret: clientSecret,
      redirect_uris: [redirectUri],
      grant_types: ["authorization_code", "refresh_token"],
      response_types: ["code"],
      token_endpoint_auth_method: "client_secret_post",
    }],
    // PKCE for every client, confidential ones included (the default only forces it on public ones).
    pkce: { required: () => true },
    // One fixed user; any other account id is unknown (oidc-provider then refuses the login).
    findAccount: (_ctx: unknown, id: string) =>
      id === account.sub ? { accountId: id, claims: () => ({ sub: account.sub, email: account.email, email_verified: true }) } : undefined,
    claims: { openid: ["sub"], email: ["email", "email_verified"] },
    scopes: ["openid", "email", "offline_access"],
    // Refresh tokens for our client whether or not offline_access was asked for (Gatehouse asks
    // for "openid email"); the default wants offline_access plus prompt=consent (OIDC Core §11).
    issueRefreshToken: (_ctx: unknown, client: { grantTypeAllowed(t: string): boolean }) => client.grantTypeAllowed("refresh_token"),
    ttl: {
      AccessToken: () => idp.accessTokenTtl,
      AuthorizationCode: 60,
      RefreshToken: 3600,
      IdToken: 300,
      Interaction: 300,
      Session: 3600,
      Grant: 3600,
    },
    features: { devInteractions: { enabled: true } },
    cookies: { keys: ["test-cookie-key-0123456789abcdef"] },
  } as any);
  provider.on("server_error", (_ctx: unknown, error: Error) => errors.push(error));
  provider.on("grant.success", (ctx: any) => grants.push(String(ctx.oidc?.params?.grant_type)));
  const callback = provider.callback();
  server.on("request", (req, res) => {
    requests.push(`${req.method} ${req.url}`);
    callback(req, res);
  });
  idp = {
    issuer,
    clientId,
    clientSecret,
    provider,
    requests,
    grants,
    errors,
    accessTokenTtl: options.accessTokenTtl ?? 300,
    close: () =>
      new Promise<void>((resolve) => {
        (server as Server & { closeAllConnections?: () => void }).closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
  return idp;
}

const FORM = { "content-type": "application/x-www-form-urlencoded" };

/**
 * Plays the browser at oidc-provider: `/auth` → `/interaction/:uid` (login page) → POST login →
 * resume → consent page → POST consent → resume → 303 to Gatehouse's callback. Cookies are kept in
 * `jar` per origin. Returns the URL oidc-provider sends the browser back to.
 */
export async function loginAtIdp(authUrl: URL, jar: CookieJar, login = "oidc-user-42"): Promise<URL> {
  let url = authUrl;
  const origin = authUrl.origin;
  for (let hop = 0; hop < 12; hop++) {
    const cookie = jar.header(url);
    const response = await fetch(url, { redirect: "manual", headers: cookie ? { cookie } : {}, signal: AbortSignal.timeout(10_000) });
    jar.store(url, response);
    if (response.status >= 300 && response.status < 400) {
      await response.body?.cancel();
      const next = new URL(response.headers.get("location")!, url);
      if (next.origin !== origin) return next;
      url = next;
      continue;
    }
    const html = await response.text();
    if (response.status !== 200 || !url.pathname.startsWith("/interaction/")) {
      throw new Error(
        `oidc-provider answered ${response.status} at ${url.pathname}: ${html.replace(/<[^>]*>/g, " ").replace(/\s+/g, " ").slice(0, 300)}`,
      );
    }
    // devInteractions: a login form (prompt=login, field `login`) or a consent form (prompt=consent).
    const fields: Record<string, string> = /name="login"/.test(html) ? { prompt: "login", login, password: "any" } : { prompt: "consent" };
    const post = await fetch(url, {
      method: "POST",
      redirect: "manual",
      headers: { ...FORM, ...(jar.header(url) ? { cookie: jar.header(url)! } : {}) },
      body: new URLSearchParams(fields).toString(),
      signal: AbortSignal.timeout(10_000),
    });
    jar.store(url, post);
    await post.body?.cancel();
    if (post.status < 300 || post.status >= 400) throw new Error(`oidc-provider interaction POST answered ${post.status}`);
    url = new URL(post.headers.get("location")!, url);
  }
  throw new Error("oidc-provider: too many redirects");
}
