import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { checkRedirectUri, redirectUriMatches } from "../../src/oauth/redirect-uri.ts";
import { req, type Setup, setup } from "./helpers.ts";

const post = (s: Setup, body: unknown, raw?: string) =>
  s.server.fetch(req("/register", { method: "POST", headers: { "content-type": "application/json" }, body: raw ?? JSON.stringify(body) }));

describe("oauth /register (RFC 7591)", () => {
  let s: Setup;
  before(async () => (s = await setup({ oauth: { lifetimes: { unusedClientMs: 150 } } })));
  after(() => s.close());

  it("registers native and web clients, echoing the metadata", async () => {
    for (const [type, uri] of [["native", "http://127.0.0.1/cb"], ["web", "https://claude.ai/api/mcp/auth_callback"]]) {
      const r = await post(s, {
        client_name: `App ${type}`,
        redirect_uris: [uri],
        token_endpoint_auth_method: "none",
        application_type: type,
      });
      assert.equal(r.status, 201);
      const body = await r.json();
      assert.equal(body.application_type, type);
      assert.deepEqual(body.redirect_uris, [uri]);
      assert.equal(body.client_secret, undefined);
      assert.equal(r.headers.get("cache-control"), "no-store");
      assert.equal(r.headers.get("access-control-allow-origin"), "*");
    }
  });

  it("accepts private-use schemes (cursor://…)", async () => {
    assert.equal(
      (await post(s, { redirect_uris: ["cursor://anysphere.cursor-mcp/oauth/callback"], token_endpoint_auth_method: "none" })).status,
      201,
    );
  });

  it("refuses unsafe redirect URIs with invalid_redirect_uri", async () => {
    for (
      const uri of [
        "https://app.example.com/cb#frag",
        "https://*.example.com/cb",
        "javascript:alert(1)",
        "data:text/html,hi",
        "http://app.example.com/cb",
        "/relative",
        "https://user:pw@app.example.com/cb",
        "file:///etc/passwd",
        "",
        "https://app.example.com/cb\n",
      ]
    ) {
      const r = await post(s, { redirect_uris: [uri], token_endpoint_auth_method: "none" });
      assert.equal(r.status, 400, uri);
      assert.equal((await r.json()).error, "invalid_redirect_uri", uri);
    }
  });

  it("refuses bad metadata with invalid_client_metadata", async () => {
    const cases = [
      { token_endpoint_auth_method: "private_key_jwt" },
      { grant_types: ["implicit"] },
      { grant_types: ["refresh_token"] },
      { response_types: ["token"] },
      { application_type: "desktop" },
      { client_name: "x".repeat(201) },
      { client_uri: "http://app.example.com" },
      { scope: "admin" },
    ];
    for (const extra of cases) {
      const r = await post(s, { redirect_uris: ["https://app.example.com/cb"], ...extra });
      assert.equal(r.status, 400, JSON.stringify(extra));
      assert.equal((await r.json()).error, "invalid_client_metadata", JSON.stringify(extra));
    }
    assert.equal((await post(s, null, "{not json")).status, 400);
    assert.equal((await post(s, null, "[]")).status, 400);
  });

  it("caps the body size", async () => {
    const r = await post(s, { redirect_uris: ["https://app.example.com/cb"], client_name: "n", padding: "x".repeat(20_000) });
    assert.equal(r.status, 413);
  });

  it("de-duplicates identical public registrations and keeps different ones apart", async () => {
    const body = { client_name: "Claude", redirect_uris: ["https://claude.ai/api/mcp/auth_callback"], token_endpoint_auth_method: "none" };
    const a = await (await post(s, body)).json();
    const b = await (await post(s, { ...body })).json();
    const c = await (await post(s, { ...body, client_name: "Claude 2" })).json();
    assert.equal(a.client_id, b.client_id);
    assert.notEqual(a.client_id, c.client_id);
  });

  it("issues a secret to confidential clients (and never de-duplicates them)", async () => {
    const body = { redirect_uris: ["https://app.example.com/cb"], token_endpoint_auth_method: "client_secret_post" };
    const a = await (await post(s, body)).json();
    const b = await (await post(s, body)).json();
    assert.match(a.client_secret, /^[A-Za-z0-9_-]{43}$/);
    assert.notEqual(a.client_id, b.client_id);
    const stored = JSON.stringify(await s.store.list(["oauth", "client"]));
    assert.ok(!stored.includes(a.client_secret), "secrets are stored hashed");
  });

  it("forgets clients that never completed a login", async () => {
    const a = await (await post(s, { redirect_uris: ["https://forgotten.example/cb"], token_endpoint_auth_method: "none" })).json();
    assert.ok(await s.store.get(["oauth", "client", a.client_id]));
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(await s.store.get(["oauth", "client", a.client_id]), undefined);
  });
});

describe("redirect URI rules", () => {
  it("classifies", () => {
    assert.deepEqual(checkRedirectUri("https://a.example/cb"), { ok: true, kind: "https" });
    assert.deepEqual(checkRedirectUri("http://[::1]:8080/cb"), { ok: true, kind: "loopback" });
    assert.deepEqual(checkRedirectUri("http://localhost/cb"), { ok: true, kind: "loopback" });
    assert.deepEqual(checkRedirectUri("com.example.app:/oauth"), { ok: true, kind: "private-use" });
    assert.equal(checkRedirectUri("JavaScript:alert(1)").ok, false);
    assert.equal(checkRedirectUri("vbscript:x").ok, false);
    assert.equal(checkRedirectUri("c:/windows").ok, false);
  });

  it("matches exactly; loopback ports may differ, nothing else may", () => {
    assert.ok(redirectUriMatches("http://127.0.0.1:5555/cb", "http://127.0.0.1/cb"));
    assert.ok(redirectUriMatches("http://127.0.0.1:5555/cb", "http://127.0.0.1:4444/cb"));
    assert.ok(!redirectUriMatches("http://127.0.0.1:5555/cb2", "http://127.0.0.1/cb"));
    assert.ok(!redirectUriMatches("http://localhost:5555/cb", "http://127.0.0.1/cb"));
    assert.ok(!redirectUriMatches("https://a.example:8443/cb", "https://a.example/cb"));
    assert.ok(!redirectUriMatches("https://a.example/cb/", "https://a.example/cb"));
    assert.ok(!redirectUriMatches("https://A.example/cb", "https://a.example/cb"));
  });
});
