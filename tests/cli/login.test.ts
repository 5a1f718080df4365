import { after, before, beforeEach, describe, it } from "node:test";
import assert from "node:assert/strict";
import { createServer as createHttpServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { mkdtempSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { login, LoginError, type LoginOptions, parseBearerChallenge } from "../../src/cli/login.ts";
import { main, parseLoginArgs } from "../../src/cli/main.ts";
import { nodeLoopbackListen } from "../../src/runtime/cli-io.ts";
import { jwt } from "../../src/auth/jwt.ts";
import { createServer } from "../../src/server.ts";
import { sha256Base64Url } from "../../src/crypto/hash.ts";
import { makeKey, sign, type TestKey } from "../auth/jwt-fixtures.ts";

const MCP = "http://localhost:8000/mcp";

/** A standards-following stand-in authorization server (RFC 8414, 7591, 7636, 8707, 9207) on 127.0.0.1. */
interface StandIn {
  url: string;
  mode: "approve" | "deny" | "wrong-iss" | "bad-state" | "silent";
  metadata: Record<string, unknown>;
  registered: string[];
  lastAuthorize?: URLSearchParams;
  lastToken?: URLSearchParams;
  close(): Promise<void>;
}

let as: StandIn;
let key: TestKey;

async function startAuthorizationServer(): Promise<StandIn> {
  const codes = new Map<string, { challenge: string; redirectUri: string; clientId: string; resource?: string; scope?: string }>();
  const state = { mode: "approve", registered: [] as string[] } as unknown as StandIn;
  const server: Server = createHttpServer(async (req, res) => {
    const url = new URL(req.url ?? "/", state.url);
    let body = "";
    for await (const chunk of req) body += chunk;
    const json = (status: number, value: unknown) => {
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify(value));
    };
    if (url.pathname === "/.well-known/oauth-authorization-server") return json(200, state.metadata);
    if (url.pathname === "/jwks") return json(200, { keys: [key.jwk] });
    if (url.pathname === "/register" && req.method === "POST") {
      const client = JSON.parse(body);
      const id = `client-${state.registered.length + 1}`;
      state.registered.push(client.redirect_uris[0]);
      return json(201, { client_id: id, redirect_uris: client.redirect_uris, token_endpoint_auth_method: "none" });
    }
    if (url.pathname === "/authorize") {
      const q = url.searchParams;
      state.lastAuthorize = q;
      if (state.mode === "silent") return json(200, { waiting: true });
      const back = new URL(q.get("redirect_uri")!);
      const code = crypto.randomUUID();
      codes.set(code, {
        challenge: q.get("code_challenge")!,
        redirectUri: q.get("redirect_uri")!,
        clientId: q.get("client_id")!,
        resource: q.get("resource") ?? undefined,
        scope: q.get("scope") ?? undefined,
      });
      if (state.mode === "deny") back.searchParams.set("error", "access_denied");
      else back.searchParams.set("code", code);
      back.searchParams.set("state", state.mode === "bad-state" ? "forged" : q.get("state")!);
      back.searchParams.set("iss", state.mode === "wrong-iss" ? "https://evil.example" : state.url);
      res.writeHead(302, { location: back.href });
      return res.end();
    }
    if (url.pathname === "/token" && req.method === "POST") {
      const form = new URLSearchParams(body);
      state.lastToken = form;
      const grant = codes.get(form.get("code") ?? "");
      codes.delete(form.get("code") ?? "");
      if (!grant || grant.redirectUri !== form.get("redirect_uri") || grant.clientId !== form.get("client_id")) {
        return json(400, { error: "invalid_grant" });
      }
      if (await sha256Base64Url(form.get("code_verifier") ?? "") !== grant.challenge) {
        return json(400, { error: "invalid_grant", error_description: "PKCE verification failed" });
      }
      const now = Math.floor(Date.now() / 1000);
      const token = await sign(key, {
        iss: state.url,
        aud: grant.resource ?? "none",
        sub: "alice",
        scope: grant.scope ?? "",
        exp: now + 600,
        iat: now,
        client_id: grant.clientId,
      });
      return json(200, { access_token: token, token_type: "Bearer", expires_in: 600, scope: grant.scope });
    }
    json(404, { error: "not_found" });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  state.close = () => new Promise<void>((resolve) => (server.closeAllConnections?.(), server.close(() => resolve())));
  return state;
}

/** The "browser": follows the authorization redirect to the loopback listener. */
async function browser(url: string) {
  const r = await fetch(url, { redirect: "manual" });
  const location = r.headers.get("location");
  await r.body?.cancel();
  if (location) await (await fetch(location)).text();
}

before(async () => {
  key = await makeKey("ES256", "as-key");
  as = await startAuthorizationServer();
});
after(() => as.close());
beforeEach(() => {
  as.mode = "approve";
  as.metadata = {
    issuer: as.url,
    authorization_endpoint: `${as.url}/authorize`,
    token_endpoint: `${as.url}/token`,
    registration_endpoint: `${as.url}/register`,
    jwks_uri: `${as.url}/jwks`,
    code_challenge_methods_supported: ["S256"],
    authorization_response_iss_parameter_supported: true,
  };
});

const base = (extra: Partial<LoginOptions> = {}) =>
  ({ issuer: as.url, listen: nodeLoopbackListen, openBrowser: browser, timeoutMs: 5_000, ...extra }) as LoginOptions;

async function refused(promise: Promise<unknown>, code: string, pattern?: RegExp) {
  await assert.rejects(promise, (e: unknown) => {
    assert.ok(e instanceof LoginError, String(e));
    assert.equal(e.code, code, e.message);
    if (pattern) assert.match(e.message, pattern);
    return true;
  });
}

describe("gatehouse login", () => {
  it("end to end from an MCP server URL: 401 → resource metadata → authorization server → token the server accepts", async () => {
    const server = createServer({
      name: "t",
      version: "1",
      publicUrl: "http://localhost:8000",
      auth: jwt({ issuer: as.url, resource: MCP, scopes: ["notes:read"] }),
    });
    // The MCP server is served in memory; everything else goes over real sockets.
    const routed: typeof fetch = (input, init) => {
      const request = new Request(input, init);
      return request.url.startsWith("http://localhost:8000/") ? server.fetch(request) : fetch(request);
    };
    const result = await login({ server: MCP, listen: nodeLoopbackListen, openBrowser: browser, fetch: routed, timeoutMs: 5_000 });
    assert.equal(result.issuer, as.url);
    assert.equal(result.resource, MCP);
    assert.equal(as.lastAuthorize?.get("resource"), MCP, "RFC 8707 resource sent");
    assert.equal(as.lastAuthorize?.get("scope"), "notes:read", "scopes from the resource metadata");
    assert.equal(as.lastToken?.get("resource"), MCP);
    const call = (token?: string) =>
      server.fetch(
        new Request(MCP, {
          method: "POST",
          headers: {
            "content-type": "application/json",
            accept: "application/json, text/event-stream",
            ...(token ? { authorization: `Bearer ${token}` } : {}),
          },
          body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "ping" }),
        }),
      );
    assert.equal((await call()).status, 401);
    const ok = await call(result.accessToken);
    assert.notEqual(ok.status, 401, await ok.clone().text());
  });

  it("from an issuer: Dynamic Client Registration, PKCE S256, a fresh state, a loopback IP redirect", async () => {
    const result = await login(base({ scopes: ["a", "b"] }));
    const q = as.lastAuthorize!;
    assert.equal(q.get("code_challenge_method"), "S256");
    assert.match(q.get("code_challenge") ?? "", /^[A-Za-z0-9_-]{43}$/);
    assert.match(q.get("state") ?? "", /^[A-Za-z0-9_-]{43}$/);
    assert.match(q.get("redirect_uri") ?? "", /^http:\/\/127\.0\.0\.1:\d+\/callback$/);
    assert.equal(q.get("client_id"), result.clientId);
    assert.equal(as.registered.at(-1), q.get("redirect_uri"));
    assert.equal(q.get("scope"), "a b");
    assert.equal(result.tokenType, "Bearer");
    assert.equal(result.scope, "a b");
  });

  it("uses a given client id without registering, on a configured port", async () => {
    const before = as.registered.length;
    const probe = await nodeLoopbackListen(0, () => Promise.resolve(new Response()));
    const port = probe.port;
    await probe.close();
    const result = await login(base({ clientId: "preregistered", port }));
    assert.equal(result.clientId, "preregistered");
    assert.equal(as.registered.length, before);
    assert.equal(as.lastAuthorize?.get("redirect_uri"), `http://127.0.0.1:${port}/callback`);
  });

  it("denied consent is a clear access_denied", async () => {
    as.mode = "deny";
    await refused(login(base()), "access_denied", /access_denied/);
  });

  it("refuses a response from the wrong issuer (RFC 9207) and a forged state", async () => {
    as.mode = "wrong-iss";
    await refused(login(base()), "wrong_issuer", /https:\/\/evil\.example/);
    as.mode = "bad-state";
    await refused(login(base()), "state_mismatch");
  });

  it("times out when the browser never comes back, and frees the port", async () => {
    as.mode = "silent";
    await refused(login(base({ timeoutMs: 200 })), "timeout", /within/);
  });

  it("refuses servers without PKCE S256 and metadata naming another issuer", async () => {
    as.metadata = { ...as.metadata, code_challenge_methods_supported: ["plain"] };
    await refused(login(base()), "pkce_unsupported");
    as.metadata = { ...as.metadata, code_challenge_methods_supported: ["S256"], issuer: "https://other.example" };
    await refused(login(base()), "discovery_failed", /expected/);
  });

  it("needs a way to get a client id", async () => {
    delete as.metadata.registration_endpoint;
    await refused(login(base()), "registration_failed", /--client-id/);
  });

  it("reads resource_metadata and scope from a challenge", () => {
    assert.deepEqual(
      parseBearerChallenge(
        'Bearer error="invalid_token", scope="a b", resource_metadata="https://h/.well-known/oauth-protected-resource/mcp"',
      ),
      {
        scope: "a b",
        resourceMetadata: "https://h/.well-known/oauth-protected-resource/mcp",
      },
    );
  });
});

describe("gatehouse CLI", () => {
  it("parses arguments and refuses bad ones", () => {
    const parsed = parseLoginArgs(["--issuer", "https://id.example", "--scope", "a b", "--port=9999", "--no-browser"]);
    assert.equal((parsed.options as { issuer: string }).issuer, "https://id.example");
    assert.deepEqual(parsed.options.scopes, ["a", "b"]);
    assert.equal(parsed.options.port, 9999);
    assert.equal(parsed.browser, false);
    assert.throws(() => parseLoginArgs([]), /exactly one of --server or --issuer/);
    assert.throws(() => parseLoginArgs(["--issuer", "x", "--server", "y"]), /exactly one/);
    assert.throws(() => parseLoginArgs(["--issuer", "x", "--port", "70000"]), /--port/);
    assert.throws(() => parseLoginArgs(["--issuer", "x", "--bogus", "1"]), /unknown option --bogus/);
  });

  it("writes the token response to a 0600 file", async () => {
    const out = join(mkdtempSync(join(tmpdir(), "gatehouse-login-")), "token.json");
    const error = console.error;
    // The user would open the printed URL; here the "browser" reads it from stderr.
    console.error = (line: unknown) => {
      const m = /(http:\/\/127\.0\.0\.1:\d+\/authorize\?\S+)/.exec(String(line));
      if (m) void browser(m[1]);
    };
    let code: number;
    try {
      code = await main(["login", "--issuer", as.url, "--no-browser", "--out", out, "--timeout", "5"]);
    } finally {
      console.error = error;
    }
    assert.equal(code, 0);
    const saved = JSON.parse(readFileSync(out, "utf8"));
    assert.equal(saved.tokenType, "Bearer");
    assert.match(saved.accessToken, /^ey/);
    if (process.platform !== "win32") assert.equal(statSync(out).mode & 0o777, 0o600);
  });
});
