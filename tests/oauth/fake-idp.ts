/**
 * @module A standards-following upstream identity provider for tests, on a real loopback socket (node:http, so it runs under Deno and Bun alike): OpenID discovery, authorization code with PKCE S256, refresh tokens, userinfo; plus switches for provider quirks (GitHub's 200-with-error) and failures.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { createHash, randomBytes } from "node:crypto";
import type { AddressInfo } from "node:net";

export interface FakeIdpOptions {
  clientId?: string;
  clientSecret?: string;
  /** "oidc": a plain OpenID provider. "github": token errors as HTTP 200 + `error`, userinfo with numeric `id`, no expiry unless set. */
  mode?: "oidc" | "github";
  /** Access token lifetime in seconds (`expires_in`); 0 = omit. */
  accessTokenTtl?: number;
  /** Issue refresh tokens (default true). */
  refreshTokens?: boolean;
}

interface CodeEntry {
  clientId: string;
  redirectUri: string;
  challenge?: string;
  scope: string;
  sub: string;
}

export interface FakeIdp {
  readonly issuer: string;
  readonly clientId: string;
  readonly clientSecret: string;
  /** The only redirect URI the IdP accepts (set it to Gatehouse's provider callback). */
  redirectUri: string;
  /** Who "logs in" at /authorize. */
  user: { sub: string; email: string; name: string };
  /** The next /authorize answers error=access_denied. */
  denyNext: boolean;
  /** The next token request (any grant) fails with this OAuth error code. */
  failNextToken?: string;
  /** Refresh requests fail with this error code while set. */
  failRefresh?: string;
  accessTokenTtl: number;
  refreshTokens: boolean;
  /** Every /authorize query and token request body, for assertions. */
  readonly authorizeRequests: URLSearchParams[];
  readonly tokenRequests: URLSearchParams[];
  /** Access tokens the IdP has issued and still honours. */
  readonly accessTokens: Set<string>;
  close(): Promise<void>;
}

const b64url = (buf: Buffer) => buf.toString("base64").replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");

/** Starts the IdP on 127.0.0.1 with an OS-assigned port. */
export async function startFakeIdp(options: FakeIdpOptions = {}): Promise<FakeIdp> {
  const mode = options.mode ?? "oidc";
  const codes = new Map<string, CodeEntry>();
  const refreshTokens = new Map<string, { sub: string; scope: string }>();
  const server: Server = createServer((req, res) => {
    handle(req, res).catch(() => send(res, 500, { error: "server_error" }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  const issuer = `http://127.0.0.1:${port}`;

  const idp: FakeIdp = {
    issuer,
    clientId: options.clientId ?? "gatehouse-upstream-client",
    clientSecret: options.clientSecret ?? "upstream-secret-0123456789",
    redirectUri: "",
    user: { sub: "user-1234", email: "alice@example.com", name: "Alice" },
    denyNext: false,
    accessTokenTtl: options.accessTokenTtl ?? (mode === "github" ? 0 : 3600),
    refreshTokens: options.refreshTokens ?? true,
    authorizeRequests: [],
    tokenRequests: [],
    accessTokens: new Set(),
    close: () =>
      new Promise<void>((resolve) => {
        (server as Server & { closeAllConnections?: () => void }).closeAllConnections?.();
        server.close(() => resolve());
      }),
  };

  function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
    res.writeHead(status, { "content-type": "application/json", "cache-control": "no-store", ...headers });
    res.end(JSON.stringify(body));
  }

  function tokenError(res: ServerResponse, error: string, status = 400) {
    // GitHub's quirk: token errors come back as HTTP 200.
    send(res, mode === "github" ? 200 : status, { error, error_description: `fake idp: ${error}` });
  }

  async function readBody(req: IncomingMessage): Promise<string> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString("utf8");
  }

  function issueTokens(sub: string, scope: string) {
    const access = `idp-at-${b64url(randomBytes(24))}`;
    idp.accessTokens.add(access);
    const body: Record<string, unknown> = { access_token: access, token_type: mode === "github" ? "bearer" : "Bearer", scope };
    if (idp.accessTokenTtl > 0) body.expires_in = idp.accessTokenTtl;
    if (idp.refreshTokens) {
      const refresh = `idp-rt-${b64url(randomBytes(24))}`;
      refreshTokens.set(refresh, { sub, scope });
      body.refresh_token = refresh;
    }
    if (mode === "oidc" && scope.split(" ").includes("openid")) {
      const now = Math.floor(Date.now() / 1000);
      const claims = { iss: issuer, sub, aud: idp.clientId, iat: now, exp: now + 300, email: idp.user.email };
      body.id_token = `${b64url(Buffer.from('{"alg":"none"}'))}.${b64url(Buffer.from(JSON.stringify(claims)))}.`;
    }
    return body;
  }

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? "/", issuer);
    if (url.pathname === "/.well-known/openid-configuration" && req.method === "GET") {
      return send(res, 200, {
        issuer,
        authorization_endpoint: `${issuer}/authorize`,
        token_endpoint: `${issuer}/token`,
        userinfo_endpoint: `${issuer}/userinfo`,
        response_types_supported: ["code"],
        grant_types_supported: ["authorization_code", "refresh_token"],
        code_challenge_methods_supported: ["S256"],
        token_endpoint_auth_methods_supported: ["client_secret_post", "client_secret_basic"],
        subject_types_supported: ["public"],
        id_token_signing_alg_values_supported: ["none"],
      });
    }
    if (url.pathname === "/authorize" && req.method === "GET") {
      const q = url.searchParams;
      idp.authorizeRequests.push(q);
      if (q.get("client_id") !== idp.clientId) return send(res, 400, { error: "invalid_client" });
      if (q.get("redirect_uri") !== idp.redirectUri) return send(res, 400, { error: "invalid_request", error_description: "redirect_uri" });
      const back = new URL(idp.redirectUri);
      if (q.get("state")) back.searchParams.set("state", q.get("state")!);
      if (idp.denyNext) {
        idp.denyNext = false;
        back.searchParams.set("error", "access_denied");
      } else if (q.get("response_type") !== "code") {
        back.searchParams.set("error", "unsupported_response_type");
      } else if (q.get("code_challenge") && q.get("code_challenge_method") !== "S256") {
        back.searchParams.set("error", "invalid_request");
      } else {
        const code = b64url(randomBytes(24));
        codes.set(code, {
          clientId: idp.clientId,
          redirectUri: q.get("redirect_uri")!,
          challenge: q.get("code_challenge") ?? undefined,
          scope: q.get("scope") ?? "",
          sub: idp.user.sub,
        });
        back.searchParams.set("code", code);
      }
      res.writeHead(302, { location: back.href });
      return res.end();
    }
    if (url.pathname === "/token" && req.method === "POST") {
      const body = new URLSearchParams(await readBody(req));
      idp.tokenRequests.push(body);
      let id = body.get("client_id");
      let secret = body.get("client_secret");
      const basic = /^Basic (.+)$/i.exec(req.headers.authorization ?? "");
      if (basic) {
        const [u, p] = Buffer.from(basic[1], "base64").toString("utf8").split(":");
        id = decodeURIComponent(u);
        secret = decodeURIComponent(p);
      }
      if (id !== idp.clientId || secret !== idp.clientSecret) return tokenError(res, "invalid_client", 401);
      if (idp.failNextToken) {
        const error = idp.failNextToken;
        idp.failNextToken = undefined;
        return tokenError(res, error);
      }
      if (body.get("grant_type") === "authorization_code") {
        const entry = codes.get(body.get("code") ?? "");
        codes.delete(body.get("code") ?? "");
        if (!entry || entry.redirectUri !== body.get("redirect_uri")) return tokenError(res, "invalid_grant");
        if (entry.challenge) {
          const verifier = body.get("code_verifier") ?? "";
          if (b64url(createHash("sha256").update(verifier).digest()) !== entry.challenge) return tokenError(res, "invalid_grant");
        }
        return send(res, 200, issueTokens(entry.sub, entry.scope));
      }
      if (body.get("grant_type") === "refresh_token") {
        if (idp.failRefresh) return tokenError(res, idp.failRefresh);
        const entry = refreshTokens.get(body.get("refresh_token") ?? "");
        if (!entry) return tokenError(res, "invalid_grant");
        refreshTokens.delete(body.get("refresh_token")!);
        return send(res, 200, issueTokens(entry.sub, entry.scope));
      }
      return tokenError(res, "unsupported_grant_type");
    }
    if (url.pathname === "/userinfo" && req.method === "GET") {
      const token = /^Bearer (.+)$/i.exec(req.headers.authorization ?? "")?.[1];
      if (!token || !idp.accessTokens.has(token)) {
        return send(res, 401, { error: "invalid_token" }, { "www-authenticate": 'Bearer error="invalid_token"' });
      }
      return send(
        res,
        200,
        mode === "github"
          ? { id: 4242, login: "alice-gh", name: idp.user.name, email: idp.user.email }
          : { sub: idp.user.sub, email: idp.user.email, email_verified: true, name: idp.user.name },
      );
    }
    send(res, 404, { error: "not_found" });
  }

  return idp;
}
