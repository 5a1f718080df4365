/**
 * @module The complete flow against an OpenID Certified upstream: panva's `oidc-provider` on loopback (tests/oauth/oidc-idp.ts), Gatehouse (`oauth({ provider: { accountsUrl } })`, endpoints discovered) on a real socket through src/runtime/node.ts, and the official SDK v1 client's OAuth support (discovery, DCR, PKCE, token exchange, refresh). The browser leg (Gatehouse consent, oidc-provider's login and consent interactions, our provider callback) is played with fetch and a cookie jar. Then tools see oidc-provider's own access token; our refresh rotates; an expired upstream token is refreshed at oidc-provider once for concurrent calls; a grant revoked at oidc-provider becomes our 401 invalid_token.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { UnauthorizedError } from "@modelcontextprotocol/sdk/client/auth.js";
import { createServer } from "../../src/mod.ts";
import { memoryStore } from "../../src/store/memory.ts";
import { oauth } from "../../src/oauth/strategy.ts";
import { recordedProvider } from "../e2e/oauth-helpers/client-provider.ts";
import { CookieJar, location, navigate, openConsent, submitConsent } from "../e2e/oauth-helpers/browser-fetch.ts";
import { loginAtIdp, type OidcIdp, startOidcIdp } from "./oidc-idp.ts";
import { type Served, serveOnLoopback } from "./serve.ts";
import { tools } from "./helpers.ts";

const CALLBACK = "http://127.0.0.1:45872/callback";
const TEST = { timeout: 30_000 };

/** The text of the first content item of a tools/call result. */
function text(result: any): string {
  assert.equal(result?.content?.[0]?.type, "text", JSON.stringify(result));
  return result.content[0].text;
}

describe("oauth against oidc-provider (OpenID Certified) with the official SDK v1 client", () => {
  let idp: OidcIdp;
  let served: Served;
  /** Gatehouse's clock runs this far ahead (ms), to make upstream tokens look expired on demand. */
  let skew = 0;
  const provider = recordedProvider(CALLBACK, "SDK v1 via oidc-provider");
  const clients: Client[] = [];
  let mcpUrl: URL;
  let firstProviderToken = "";

  const connect = async () => {
    const client = new Client({ name: "gatehouse-oidc-provider-e2e", version: "1.0.0" });
    clients.push(client);
    await client.connect(new StreamableHTTPClientTransport(mcpUrl, { authProvider: provider as any }), { timeout: 20_000 });
    return client;
  };
  const call = async (client: Client, name: string) => text(await client.callTool({ name, arguments: {} }));

  before(async () => {
    served = await serveOnLoopback(async (origin) => {
      // oidc-provider's only redirect URI is Gatehouse's provider callback, so Gatehouse's port comes first.
      idp = await startOidcIdp(`${origin}/oauth/provider-callback`, { accessTokenTtl: 120 });
      const store = memoryStore();
      const auth = oauth({
        issuer: origin,
        store,
        provider: { accountsUrl: idp.issuer, clientId: idp.clientId, clientSecret: idp.clientSecret, scopes: ["openid", "email"] },
        scopes: ["mcp:tools"],
        now: () => Date.now() + skew,
      });
      const server = createServer({
        name: "gatehouse-oidc-provider",
        version: "1.0.0",
        tools,
        auth,
        store,
        publicUrl: origin,
        rateLimit: false,
      });
      return server.fetch;
    });
    mcpUrl = new URL(`${served.origin}/mcp`);
  });
  after(async () => {
    for (const c of clients) await c.close().catch(() => {});
    await served?.close();
    await idp?.close();
  });

  it("an unauthenticated connect: 401 → RFC 9728 → RFC 8414 → DCR → an /authorize URL with PKCE S256 and resource", TEST, async () => {
    const client = new Client({ name: "gatehouse-oidc-provider-e2e", version: "1.0.0" });
    clients.push(client);
    await assert.rejects(client.connect(new StreamableHTTPClientTransport(mcpUrl, { authProvider: provider as any })), (e: any) => {
      assert.ok(e instanceof UnauthorizedError || /unauthori[sz]ed/i.test(String(e?.message)), String(e));
      return true;
    });
    assert.ok(provider.client?.client_id, "registered dynamically");
    const url = provider.authorizationUrls[0];
    assert.equal(`${url.origin}${url.pathname}`, `${served.origin}/authorize`);
    assert.equal(url.searchParams.get("code_challenge_method"), "S256");
    assert.equal(url.searchParams.get("resource"), mcpUrl.href);
  });

  it(
    "the browser leg: Gatehouse consent → oidc-provider login and consent → provider callback → the client's redirect URI with code, state, iss",
    TEST,
    async () => {
      const jar = new CookieJar();
      const authorizeUrl = provider.authorizationUrls[0];
      const consent = await openConsent(authorizeUrl, jar);
      const approved = await submitConsent(served.origin, consent, "approve", jar);
      await approved.body?.cancel();
      assert.equal(approved.status, 302);
      const atIdp = location(approved);
      // Endpoints came from oidc-provider's discovery document; PKCE S256 upstream, our callback, our client.
      assert.equal(`${atIdp.origin}${atIdp.pathname}`, `${idp.issuer}/auth`);
      assert.equal(atIdp.searchParams.get("client_id"), idp.clientId);
      assert.equal(atIdp.searchParams.get("redirect_uri"), `${served.origin}/oauth/provider-callback`);
      assert.equal(atIdp.searchParams.get("code_challenge_method"), "S256");
      assert.equal(atIdp.searchParams.get("scope"), "openid email");
      assert.notEqual(atIdp.searchParams.get("state"), provider.lastState);

      const callback = await loginAtIdp(atIdp, jar);
      assert.equal(`${callback.origin}${callback.pathname}`, `${served.origin}/oauth/provider-callback`);
      assert.equal(callback.searchParams.get("iss"), idp.issuer, "oidc-provider sends RFC 9207 iss too");
      assert.ok(callback.searchParams.get("code"));
      const done = await navigate(callback, jar);
      const body = await done.text();
      assert.equal(done.status, 302, body.slice(0, 300));
      const back = location(done);
      assert.equal(`${back.origin}${back.pathname}`, CALLBACK);
      assert.equal(back.searchParams.get("state"), provider.lastState);
      assert.equal(back.searchParams.get("iss"), served.origin);
      assert.deepEqual(
        idp.grants,
        ["authorization_code"],
        "Gatehouse redeemed oidc-provider's code (with PKCE: oidc-provider requires it)",
      );

      const transport = new StreamableHTTPClientTransport(mcpUrl, { authProvider: provider as any });
      await transport.finishAuth(back.searchParams.get("code")!);
      assert.match(provider.current?.access_token ?? "", /^[A-Za-z0-9_-]{43}$/);
      assert.match(provider.current?.refresh_token ?? "", /^[A-Za-z0-9_-]{43}$/);
    },
  );

  it(
    "tools/call: context.providerToken is oidc-provider's live access token for the fixed account; the MCP client never holds it",
    TEST,
    async () => {
      const client = await connect();
      firstProviderToken = await call(client, "upstream_token");
      const stored = await idp.provider.AccessToken.find(firstProviderToken);
      assert.ok(stored, "oidc-provider knows the token the tool got");
      assert.equal(stored.accountId, "oidc-user-42");
      assert.equal(stored.clientId, idp.clientId);
      assert.notEqual(firstProviderToken, provider.current.access_token);
      const me = await fetch(`${idp.issuer}/me`, { headers: { authorization: `Bearer ${firstProviderToken}` } });
      assert.equal(me.status, 200);
      assert.equal((await me.json()).sub, "oidc-user-42");
      const who = JSON.parse(await call(client, "whoami"));
      assert.equal(who.auth.strategy, "oauth");
      assert.equal(who.auth.subject, "oidc-user-42", "the subject from oidc-provider's userinfo");
      assert.equal(who.auth.claims.email, "carol@example.org");
      assert.deepEqual(who.headers, { Authorization: `Bearer ${firstProviderToken}` });
    },
  );

  it("our refresh: an access token the server no longer accepts makes the SDK refresh (rotation) and retry", TEST, async () => {
    const old = provider.current;
    provider.current = { ...old, access_token: "not-a-live-token-0123456789abcdefghijklmnopq" };
    const client = await connect();
    assert.equal(await call(client, "upstream_token"), firstProviderToken, "the same upstream login");
    assert.notEqual(provider.current.refresh_token, old.refresh_token, "rotated");
    assert.notEqual(provider.current.access_token, old.access_token);
  });

  it(
    "upstream refresh: an expired oidc-provider token is refreshed there once for concurrent calls, and the new one is live",
    TEST,
    async () => {
      const client = await connect();
      // The first token (120 s, refreshed 60 s early) now counts as expired. The refreshed one (also
      // 120 s) is stamped with the same skewed clock, so it does not count as expired again.
      skew = 90_000;
      try {
        const results = await Promise.all([1, 2, 3, 4].map(() => call(client, "upstream_token")));
        const fresh = results[0];
        assert.ok(results.every((r) => r === fresh), `one token for all: ${results.join(", ")}`);
        assert.notEqual(fresh, firstProviderToken);
        assert.deepEqual(idp.grants, ["authorization_code", "refresh_token"], "exactly one refresh at oidc-provider");
        const stored = await idp.provider.AccessToken.find(fresh);
        assert.equal(stored?.accountId, "oidc-user-42");
        assert.equal(await call(client, "upstream_token"), fresh, "no second refresh");
        assert.equal(idp.grants.length, 2);
      } finally {
        skew = 0;
      }
    },
  );

  it(
    "a grant revoked at oidc-provider: the next upstream refresh gets invalid_grant and the client gets 401 invalid_token, not a 500 or a loop",
    TEST,
    async () => {
      const client = await connect();
      const current = await call(client, "upstream_token");
      const stored = await idp.provider.AccessToken.find(current);
      const grant = await idp.provider.Grant.find(stored!.grantId!);
      await grant!.destroy();
      // The upstream token (3600 s, refreshed 60 s early) counts as expired; our own access token
      // (1 h, issued moments ago) is still live, so the 401 can only come from the upstream refusal.
      skew = 3_550_000;
      const tokenRequestsBefore = idp.requests.filter((r) => r.startsWith("POST /token")).length;
      try {
        const r = await fetch(mcpUrl, {
          method: "POST",
          headers: {
            "content-type": "application/json",
            accept: "application/json, text/event-stream",
            authorization: `Bearer ${provider.current.access_token}`,
          },
          body: JSON.stringify({
            jsonrpc: "2.0",
            id: 1,
            method: "initialize",
            params: { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "probe", version: "0" } },
          }),
        });
        await r.body?.cancel();
        assert.equal(r.status, 401);
        assert.match(r.headers.get("www-authenticate") ?? "", /error="invalid_token"/);
        assert.equal(
          idp.requests.filter((x) => x.startsWith("POST /token")).length,
          tokenRequestsBefore + 1,
          "one refresh attempt at oidc-provider, refused",
        );
        assert.equal(idp.grants.length, 2, "no refresh succeeded");
        const refresh = await fetch(`${served.origin}/token`, {
          method: "POST",
          headers: { "content-type": "application/x-www-form-urlencoded" },
          body: new URLSearchParams({
            grant_type: "refresh_token",
            refresh_token: provider.current.refresh_token,
            client_id: provider.client.client_id,
          }).toString(),
        });
        assert.equal((await refresh.json()).error, "invalid_grant", "the whole login is over: our refresh token died with it");
      } finally {
        skew = 0;
      }
    },
  );
});
