import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  authorizeQuery,
  CLIENT_REDIRECT,
  decide,
  openConsent,
  providerCallback,
  PUBLIC,
  register,
  req,
  type Setup,
  setup,
  visitIdp,
} from "./helpers.ts";
import { sha256Base64Url } from "../../src/crypto/hash.ts";

describe("oauth /authorize: request validation", () => {
  let s: Setup;
  let clientId: string;
  before(async () => {
    s = await setup();
    clientId = (await register(s.server)).client_id;
  });
  after(() => s.close());

  const get = (query: string) => s.server.fetch(req(`/authorize?${query}`));
  const redirected = (r: Response) => new URL(r.headers.get("location")!).searchParams;

  it("refuses PKCE plain and a missing code_challenge, redirecting invalid_request with iss and state", async () => {
    const { query } = await authorizeQuery({ clientId, extra: { code_challenge: "a".repeat(43), code_challenge_method: "plain" } });
    const r = await get(query);
    assert.equal(r.status, 302);
    const p = redirected(r);
    assert.equal(p.get("error"), "invalid_request");
    assert.match(p.get("error_description")!, /S256/);
    assert.equal(p.get("iss"), PUBLIC);
    assert.equal(p.get("state"), "client-state-xyz");
    const q = new URLSearchParams((await authorizeQuery({ clientId })).query);
    q.delete("code_challenge");
    assert.equal(redirected(await get(q.toString())).get("error"), "invalid_request");
    const noMethod = new URLSearchParams((await authorizeQuery({ clientId })).query);
    noMethod.delete("code_challenge_method"); // RFC 7636 would default to plain
    assert.equal(redirected(await get(noMethod.toString())).get("error"), "invalid_request");
  });

  it("requires an exact redirect-URI match: anything else is an error page that never redirects", async () => {
    for (
      const uri of [
        `${CLIENT_REDIRECT}/extra`,
        `${CLIENT_REDIRECT}?x=1`,
        "http://127.0.0.1:33418/Callback",
        "https://evil.example/callback",
        "http://127.0.0.2:33418/callback",
      ]
    ) {
      const { query } = await authorizeQuery({ clientId, redirectUri: uri });
      const r = await get(query);
      assert.equal(r.status, 400, uri);
      assert.equal(r.headers.get("location"), null, uri);
      assert.match(r.headers.get("content-type")!, /text\/html/);
      assert.equal(r.headers.get("x-frame-options"), "DENY");
    }
  });

  it("lets a client with exactly one registered redirect URI omit redirect_uri, and no other client (OAuth 2.1 §4.1.1)", async () => {
    const omit = async (id: string) => {
      const q = new URLSearchParams((await authorizeQuery({ clientId: id })).query);
      q.delete("redirect_uri");
      return await get(q.toString());
    };
    assert.equal((await omit(clientId)).status, 200, "the one registered URI is used");
    const two = (await register(s.server, { redirect_uris: [CLIENT_REDIRECT, "http://127.0.0.1:33418/other"] })).client_id;
    const r = await omit(two);
    assert.equal(r.status, 400);
    assert.equal(r.headers.get("location"), null, "never guesses where to redirect");
  });

  it("lets the loopback port vary (RFC 8252 §7.3)", async () => {
    const { query } = await authorizeQuery({ clientId, redirectUri: "http://127.0.0.1:50123/callback" });
    assert.equal((await get(query)).status, 200);
  });

  it("shows an error page for an unknown client", async () => {
    const { query } = await authorizeQuery({ clientId: "no-such-client" });
    const r = await get(query);
    assert.equal(r.status, 400);
    assert.equal(r.headers.get("location"), null);
  });

  it("refuses response_type other than code, scopes not offered, and a foreign resource", async () => {
    const token = await authorizeQuery({ clientId, extra: { response_type: "token" } });
    assert.equal(redirected(await get(token.query)).get("error"), "unsupported_response_type");
    const scope = await authorizeQuery({ clientId, scope: "mcp:tools admin" });
    assert.equal(redirected(await get(scope.query)).get("error"), "invalid_scope");
    const foreign = await authorizeQuery({ clientId, resource: "https://other.example/mcp" });
    const p = redirected(await get(foreign.query));
    assert.equal(p.get("error"), "invalid_target");
    assert.equal(p.get("iss"), PUBLIC);
  });

  it("accepts the resource as the MCP URL, the origin, or with an uppercase host and trailing slash", async () => {
    for (const resource of [`${PUBLIC}/mcp`, PUBLIC, "http://LOCALHOST:8000/mcp/"]) {
      assert.equal((await get((await authorizeQuery({ clientId, resource })).query)).status, 200, resource);
    }
  });

  it("refuses repeated parameters", async () => {
    const { query } = await authorizeQuery({ clientId });
    const r = await get(`${query}&redirect_uri=${encodeURIComponent("https://evil.example/cb")}`);
    assert.equal(r.status, 400);
    assert.equal(r.headers.get("location"), null);
  });
});

describe("oauth consent page", () => {
  let s: Setup;
  let clientId: string;
  before(async () => {
    s = await setup();
    clientId =
      (await register(s.server, { client_name: 'Evil <script>alert("x")</script>', redirect_uris: ["https://app.example.com/oauth/cb"] }))
        .client_id;
  });
  after(() => s.close());

  it("names the client (escaped), the redirect host and the upstream scopes, and cannot be framed", async () => {
    const { query } = await authorizeQuery({ clientId, redirectUri: "https://app.example.com/oauth/cb" });
    const page = await openConsent(s.server, query);
    assert.ok(page.html.includes("Evil &#60;script&#62;alert(&#34;x&#34;)&#60;/script&#62;"));
    assert.ok(!page.html.includes("<script>"));
    assert.match(page.html, /class="host">app\.example\.com</);
    assert.match(page.html, /<code>openid<\/code>/);
    assert.match(page.html, /<code>email<\/code>/);
    assert.match(page.html, /not been verified/);
    const h = page.response.headers;
    assert.equal(h.get("x-frame-options"), "DENY");
    assert.match(h.get("content-security-policy")!, /frame-ancestors 'none'/);
    assert.equal(h.get("cache-control"), "no-store");
  });

  it("sets a __Host- cookie: Secure, HttpOnly, SameSite=Lax, Path=/, no Domain", async () => {
    const { query } = await authorizeQuery({ clientId, redirectUri: "https://app.example.com/oauth/cb" });
    const page = await openConsent(s.server, query);
    const cookie = page.response.headers.get("set-cookie")!;
    assert.match(cookie, /^__Host-gatehouse-consent=[A-Za-z0-9_-]{43};/);
    for (const attr of ["Secure", "HttpOnly", "SameSite=Lax", "Path=/"]) assert.ok(cookie.split("; ").includes(attr), attr);
    assert.doesNotMatch(cookie, /Domain=/i);
  });

  it("creates no upstream state before consent; approval creates exactly one", async () => {
    const { query } = await authorizeQuery({ clientId, redirectUri: "https://app.example.com/oauth/cb" });
    const before = (await s.store.list(["oauth", "upstream-state"])).length;
    const page = await openConsent(s.server, query);
    assert.equal((await s.store.list(["oauth", "upstream-state"])).length, before);
    const r = await decide(s.server, page, "approve");
    assert.equal(r.status, 302);
    const location = new URL(r.headers.get("location")!);
    assert.equal(location.origin, s.idp.issuer);
    assert.match(location.searchParams.get("state")!, /^[A-Za-z0-9_-]{43}$/);
    assert.equal((await s.store.list(["oauth", "upstream-state"])).length, before + 1);
  });

  it("refuses a wrong CSRF token, a missing or foreign cookie, and a cross-site post", async () => {
    const open = async () =>
      openConsent(s.server, (await authorizeQuery({ clientId, redirectUri: "https://app.example.com/oauth/cb" })).query);
    const count = async () => (await s.store.list(["oauth", "upstream-state"])).length;
    const start = await count();

    const a = await open();
    assert.equal((await decide(s.server, a, "approve", { csrf_token: "x".repeat(43) })).status, 403);

    const b = await open();
    assert.equal((await decide(s.server, { ...b, cookie: "" }, "approve")).status, 403);

    const c = await open();
    assert.equal((await decide(s.server, { ...c, cookie: "__Host-gatehouse-consent=" + "A".repeat(43) }, "approve")).status, 403);

    const d = await open();
    const cross = await s.server.fetch(req("/authorize", {
      method: "POST",
      body: new URLSearchParams({ consent_id: d.consentId, csrf_token: d.csrf, decision: "approve" }).toString(),
      headers: { "content-type": "application/x-www-form-urlencoded", cookie: d.cookie, "sec-fetch-site": "cross-site" },
    }));
    assert.equal(cross.status, 403);
    assert.equal(await count(), start, "no upstream state was created");
  });

  it("binds the consent to the client: the browser cookie of one client's consent is checked with that client_id", async () => {
    const { browserBinding } = await import("../../src/oauth/consent.ts");
    assert.notEqual(await browserBinding("A".repeat(43), "client-1"), await browserBinding("A".repeat(43), "client-2"));
  });

  it("is single-use", async () => {
    const page = await openConsent(s.server, (await authorizeQuery({ clientId, redirectUri: "https://app.example.com/oauth/cb" })).query);
    assert.equal((await decide(s.server, page, "approve")).status, 302);
    assert.equal((await decide(s.server, page, "approve")).status, 400);
  });

  it("deny redirects access_denied with state and iss", async () => {
    const page = await openConsent(
      s.server,
      (await authorizeQuery({ clientId, redirectUri: "https://app.example.com/oauth/cb", state: "s-deny" })).query,
    );
    const r = await decide(s.server, page, "deny");
    const p = new URL(r.headers.get("location")!).searchParams;
    assert.equal(p.get("error"), "access_denied");
    assert.equal(p.get("state"), "s-deny");
    assert.equal(p.get("iss"), PUBLIC);
    assert.equal(s.idp.authorizeRequests.filter((q) => q.get("state") === "s-deny").length, 0);
  });
});

describe("oauth provider callback", () => {
  let s: Setup;
  let clientId: string;
  before(async () => {
    s = await setup();
    clientId = (await register(s.server)).client_id;
  });
  after(() => s.close());

  async function approved(cookie?: string) {
    const { query, verifier } = await authorizeQuery({ clientId });
    const page = await openConsent(s.server, query, cookie);
    const r = await decide(s.server, page, "approve");
    return { page, upstream: r.headers.get("location")!, verifier };
  }

  it("is single-use: replaying the provider's redirect fails", async () => {
    const { page, upstream } = await approved();
    const callback = await visitIdp(upstream);
    assert.equal((await providerCallback(s.server, callback, page.cookie)).status, 302);
    const again = await providerCallback(s.server, callback, page.cookie);
    assert.equal(again.status, 400);
    assert.equal(again.headers.get("location"), null);
  });

  it("requires the exact state", async () => {
    const { page, upstream } = await approved();
    const callback = await visitIdp(upstream);
    const state = callback.searchParams.get("state")!;
    callback.searchParams.set("state", state.slice(0, -1) + (state.endsWith("A") ? "B" : "A"));
    assert.equal((await providerCallback(s.server, callback, page.cookie)).status, 400);
    callback.searchParams.set("state", state);
    assert.equal((await providerCallback(s.server, callback, page.cookie)).status, 302);
  });

  it("must be completed in the browser that consented (GHSA-rww4-4w9c-7733)", async () => {
    const { upstream } = await approved();
    const callback = await visitIdp(upstream);
    const victim = "__Host-gatehouse-consent=" + "V".repeat(43);
    const r = await providerCallback(s.server, callback, victim);
    assert.equal(r.status, 403);
    assert.equal(r.headers.get("location"), null);
    assert.equal((await providerCallback(s.server, callback, "")).status, 400, "and the state is spent");
  });

  it("expires after the login lifetime", async () => {
    let offset = 0;
    const t = await setup({ oauth: { now: () => Date.now() + offset, lifetimes: { loginMs: 50 } } });
    try {
      const id = (await register(t.server)).client_id;
      const { query } = await authorizeQuery({ clientId: id });
      const page = await openConsent(t.server, query);
      const r = await decide(t.server, page, "approve");
      const callback = await visitIdp(r.headers.get("location")!);
      await new Promise((res) => setTimeout(res, 80));
      offset = 0;
      assert.equal((await providerCallback(t.server, callback, page.cookie)).status, 400);
    } finally {
      await t.close();
    }
  });

  it("maps an upstream access_denied to the client with iss and the client's state", async () => {
    s.idp.denyNext = true;
    const { page, upstream } = await approved();
    const callback = await visitIdp(upstream);
    const r = await providerCallback(s.server, callback, page.cookie);
    const p = new URL(r.headers.get("location")!).searchParams;
    assert.equal(p.get("error"), "access_denied");
    assert.equal(p.get("iss"), PUBLIC);
    assert.equal(p.get("state"), "client-state-xyz");
    assert.equal(p.get("code"), null);
  });

  it("sends PKCE upstream and the verifier at the exchange", async () => {
    const { page, upstream } = await approved();
    const challenge = new URL(upstream).searchParams.get("code_challenge")!;
    const callback = await visitIdp(upstream);
    await providerCallback(s.server, callback, page.cookie);
    const exchange = s.idp.tokenRequests.at(-1)!;
    assert.equal(await sha256Base64Url(exchange.get("code_verifier")!), challenge);
  });
});
