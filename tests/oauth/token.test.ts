import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "../../src/mod.ts";
import { oauth } from "../../src/oauth/strategy.ts";
import { callTool, CLIENT_REDIRECT, form, fullLogin, login, register, RESOURCE, type Setup, setup, token, tools } from "./helpers.ts";

describe("oauth /token: authorization codes", () => {
  let s: Setup;
  let clientId: string;
  let offset = 0;
  before(async () => {
    s = await setup({ oauth: { now: () => Date.now() + offset } });
    clientId = (await register(s.server)).client_id;
  });
  after(() => s.close());

  const redeem = (code: string, verifier: string, extra: Record<string, string> = {}) =>
    token(s.server, {
      grant_type: "authorization_code",
      code,
      redirect_uri: CLIENT_REDIRECT,
      code_verifier: verifier,
      client_id: clientId,
      ...extra,
    });

  it("a code is single-use, and redeeming it twice revokes what it issued (RFC 6749 §10.5)", async () => {
    const { params, verifier } = await login(s, { clientId });
    const first = await redeem(params.get("code")!, verifier);
    assert.equal(first.status, 200);
    assert.equal((await callTool(s.server, first.body.access_token, "whoami")).status, 200);
    const second = await redeem(params.get("code")!, verifier);
    assert.equal(second.status, 400);
    assert.equal(second.body.error, "invalid_grant");
    assert.equal((await callTool(s.server, first.body.access_token, "whoami")).status, 401, "access token revoked");
    const refreshed = await token(s.server, { grant_type: "refresh_token", refresh_token: first.body.refresh_token, client_id: clientId });
    assert.equal(refreshed.body.error, "invalid_grant", "refresh token revoked");
  });

  it("concurrent redemptions: exactly one wins", async () => {
    const { params, verifier } = await login(s, { clientId });
    const results = await Promise.all([1, 2, 3, 4].map(() => redeem(params.get("code")!, verifier)));
    assert.equal(results.filter((r) => r.status === 200).length, 1);
  });

  it("a code lives 60 seconds", async () => {
    const { params, verifier } = await login(s, { clientId });
    offset = 61_000;
    try {
      const r = await redeem(params.get("code")!, verifier);
      assert.equal(r.body.error, "invalid_grant");
      assert.match(r.body.error_description, /expired/);
    } finally {
      offset = 0;
    }
  });

  it("checks the PKCE verifier, redirect URI, client and resource without burning the code", async () => {
    const { params, verifier } = await login(s, { clientId });
    const code = params.get("code")!;
    const other = (await register(s.server, { client_name: "Other" })).client_id;
    assert.equal((await redeem(code, "w".repeat(43))).body.error, "invalid_grant");
    assert.equal((await redeem(code, verifier, { redirect_uri: "http://127.0.0.1:33418/other" })).body.error, "invalid_grant");
    assert.equal((await redeem(code, verifier, { client_id: other })).body.error, "invalid_grant");
    assert.equal((await redeem(code, verifier, { resource: "https://other.example/mcp" })).body.error, "invalid_target");
    const ok = await redeem(code, verifier, { resource: RESOURCE });
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
  });

  it("answers RFC 6749 §5.2 errors with no-store", async () => {
    const cases: Array<[Record<string, string>, string]> = [
      [{ client_id: clientId }, "invalid_request"],
      [{ client_id: clientId, grant_type: "password" }, "unsupported_grant_type"],
      [{ client_id: clientId, grant_type: "authorization_code" }, "invalid_request"],
      [{ grant_type: "authorization_code", code: "x" }, "invalid_client"],
      [{ client_id: "nobody", grant_type: "authorization_code", code: "x" }, "invalid_client"],
    ];
    for (const [fields, error] of cases) {
      const r = await token(s.server, fields);
      assert.equal(r.body.error, error, JSON.stringify(fields));
      assert.equal(r.status, error === "invalid_client" ? 401 : 400);
      assert.equal(r.response.headers.get("cache-control"), "no-store");
      assert.equal(r.response.headers.get("content-type"), "application/json");
    }
    const json = await s.server.fetch(
      new Request("http://localhost:8000/token", {
        method: "POST",
        headers: { host: "localhost:8000", "content-type": "application/json" },
        body: "{}",
      }),
    );
    assert.equal(json.status, 415);
    const repeated = await s.server.fetch(
      new Request("http://localhost:8000/token", {
        method: "POST",
        headers: { host: "localhost:8000", "content-type": "application/x-www-form-urlencoded" },
        body: `grant_type=authorization_code&code=a&code=b&client_id=${clientId}`,
      }),
    );
    assert.equal((await repeated.json()).error, "invalid_request");
  });
});

describe("oauth /token: refresh-token rotation", () => {
  let s: Setup;
  let clientId: string;
  let offset = 0;
  before(async () => {
    s = await setup({ oauth: { now: () => Date.now() + offset } });
    clientId = (await register(s.server)).client_id;
  });
  after(() => s.close());
  const refresh = (rt: string, extra: Record<string, string> = {}) =>
    token(s.server, { grant_type: "refresh_token", refresh_token: rt, client_id: clientId, ...extra });

  it("an immediate retry of the old token gets the same successor (grace window)", async () => {
    const t = await fullLogin(s, clientId);
    const a = await refresh(t.refresh_token);
    const b = await refresh(t.refresh_token);
    assert.equal(b.status, 200);
    assert.equal(b.body.refresh_token, a.body.refresh_token);
    assert.equal(b.body.access_token, a.body.access_token);
    assert.equal((await refresh(a.body.refresh_token)).status, 200, "the family is intact");
  });

  it("concurrent refreshes with one token all get the same successor", async () => {
    const t = await fullLogin(s, clientId);
    const results = await Promise.all([1, 2, 3, 4, 5].map(() => refresh(t.refresh_token)));
    assert.ok(results.every((r) => r.status === 200), JSON.stringify(results.map((r) => r.body)));
    assert.equal(new Set(results.map((r) => r.body.refresh_token)).size, 1);
  });

  it("a retry after the grace window is a replay: the family is revoked", async () => {
    const t = await fullLogin(s, clientId);
    const a = await refresh(t.refresh_token);
    offset = 11_000;
    try {
      const late = await refresh(t.refresh_token);
      assert.equal(late.body.error, "invalid_grant");
      assert.equal((await refresh(a.body.refresh_token)).body.error, "invalid_grant");
    } finally {
      offset = 0;
    }
  });

  it("a retry after the successor was used is a replay, even within the grace window", async () => {
    const t = await fullLogin(s, clientId);
    const a = await refresh(t.refresh_token);
    await refresh(a.body.refresh_token);
    assert.equal((await refresh(t.refresh_token)).body.error, "invalid_grant");
  });

  it("binds refresh tokens to the client and the resource; scope may narrow, not widen", async () => {
    const t = await fullLogin(s, clientId);
    const other = (await register(s.server, { client_name: "Other" })).client_id;
    assert.equal(
      (await token(s.server, { grant_type: "refresh_token", refresh_token: t.refresh_token, client_id: other })).body.error,
      "invalid_grant",
    );
    assert.equal((await refresh(t.refresh_token, { resource: "https://other.example/mcp" })).body.error, "invalid_target");
    assert.equal((await refresh(t.refresh_token, { scope: "mcp:tools admin" })).body.error, "invalid_scope");
    assert.equal((await refresh(t.refresh_token, { resource: RESOURCE })).status, 200);
  });
});

describe("oauth access tokens", () => {
  let s: Setup;
  let clientId: string;
  let offset = 0;
  before(async () => {
    s = await setup({ oauth: { now: () => Date.now() + offset } });
    clientId = (await register(s.server)).client_id;
  });
  after(() => s.close());

  it("expire", async () => {
    const t = await fullLogin(s, clientId);
    offset = 3_601_000;
    try {
      const r = await callTool(s.server, t.access_token, "whoami");
      assert.equal(r.status, 401);
      assert.match(r.headers.get("www-authenticate")!, /invalid_token/);
    } finally {
      offset = 0;
    }
  });

  it("are bound to the resource: another server sharing the store refuses them", async () => {
    const t = await fullLogin(s, clientId);
    const otherUrl = "http://127.0.0.1:9000";
    const other = createServer({
      name: "other",
      version: "1",
      tools,
      store: s.store,
      publicUrl: otherUrl,
      auth: oauth({ issuer: otherUrl, store: s.store, provider: { accountsUrl: s.idp.issuer, clientId: "x", clientSecret: "y" } }),
    });
    const r = await other.fetch(
      new Request(`${otherUrl}/mcp`, {
        method: "POST",
        headers: {
          host: "127.0.0.1:9000",
          authorization: `Bearer ${t.access_token}`,
          "content-type": "application/json",
          accept: "application/json, text/event-stream",
        },
        body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "ping" }),
      }),
    );
    assert.equal(r.status, 401);
    assert.match(await r.text(), /not issued for this resource/);
  });

  it("are stored only as hashes, and nothing in the store reveals a token", async () => {
    const t = await fullLogin(s, clientId);
    const provider = s.idp.accessTokens.values().next().value as string;
    const dump = JSON.stringify(await s.store.list(["oauth"]));
    for (const secret of [t.access_token, t.refresh_token, t.code, provider]) assert.ok(!dump.includes(secret), "a secret is in the store");
    assert.ok(!dump.includes("idp-"), "no provider token in the clear");
  });

  it("a revoked access token stops working; revoking another client's token does nothing", async () => {
    const t = await fullLogin(s, clientId);
    const other = (await register(s.server, { client_name: "Other" })).client_id;
    assert.equal((await s.server.fetch(form("/revoke", { token: t.access_token, client_id: other }))).status, 200);
    assert.equal((await callTool(s.server, t.access_token, "whoami")).status, 200);
    const r = await s.server.fetch(form("/revoke", { token: t.access_token, token_type_hint: "access_token", client_id: clientId }));
    assert.equal(r.status, 200);
    assert.equal((await callTool(s.server, t.access_token, "whoami")).status, 401);
    assert.equal((await s.server.fetch(form("/revoke", { token: "unknown", client_id: clientId }))).status, 200);
  });
});

describe("oauth static confidential client", () => {
  const SECRET = "static-client-secret-0123456789abcdef";
  let s: Setup;
  before(async () => (s = await setup({ oauth: { staticClient: { clientId: "static-app", clientSecret: SECRET } } })));
  after(() => s.close());

  async function code() {
    const { params, verifier } = await login(s, { clientId: "static-app", redirectUri: "https://app.example.com/cb" });
    return { code: params.get("code")!, verifier };
  }
  const base = (c: { code: string; verifier: string }) => ({
    grant_type: "authorization_code",
    code: c.code,
    code_verifier: c.verifier,
    redirect_uri: "https://app.example.com/cb",
  });

  it("authenticates with client_secret_basic and client_secret_post", async () => {
    const basic = await token(s.server, base(await code()), { authorization: `Basic ${btoa(`static-app:${SECRET}`)}` });
    assert.equal(basic.status, 200, JSON.stringify(basic.body));
    const post = await token(s.server, { ...base(await code()), client_id: "static-app", client_secret: SECRET });
    assert.equal(post.status, 200);
  });

  it("refuses a wrong or missing secret with 401 invalid_client, and two methods at once", async () => {
    const c = await code();
    const wrong = await token(s.server, base(c), { authorization: `Basic ${btoa("static-app:wrong")}` });
    assert.equal(wrong.status, 401);
    assert.equal(wrong.body.error, "invalid_client");
    assert.match(wrong.response.headers.get("www-authenticate")!, /^Basic/);
    assert.equal((await token(s.server, { ...base(c), client_id: "static-app" })).status, 401);
    const both = await token(s.server, { ...base(c), client_secret: SECRET }, { authorization: `Basic ${btoa(`static-app:${SECRET}`)}` });
    assert.equal(both.body.error, "invalid_request");
    assert.equal((await token(s.server, { ...base(c), client_id: "static-app", client_secret: SECRET })).status, 200, "the code survived");
  });

  it("still refuses unsafe redirect URIs", async () => {
    for (const uri of ["http://evil.example/cb", "javascript:alert(1)", "https://app.example.com/cb#frag"]) {
      const q = new URLSearchParams({
        response_type: "code",
        client_id: "static-app",
        redirect_uri: uri,
        code_challenge: "a".repeat(43),
        code_challenge_method: "S256",
      });
      const r = await s.server.fetch(new Request(`http://localhost:8000/authorize?${q}`, { headers: { host: "localhost:8000" } }));
      assert.equal(r.status, 400, uri);
      assert.equal(r.headers.get("location"), null);
    }
  });
});
