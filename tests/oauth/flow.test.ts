import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  callTool,
  CLIENT_REDIRECT,
  form,
  fullLogin,
  login,
  PUBLIC,
  register,
  RESOURCE,
  type Setup,
  setup,
  token,
  toolText,
} from "./helpers.ts";

describe("oauth: the complete flow against a real upstream IdP on loopback", () => {
  let s: Setup;
  before(async () => (s = await setup()));
  after(() => s.close());

  it("register → consent → IdP → callback (code + state + iss) → token → tools/call with the provider token → refresh → replay → revoke", async () => {
    const client = await register(s.server);
    assert.match(client.client_id, /^[A-Za-z0-9_-]{22}$/);

    const { params, verifier } = await login(s, { clientId: client.client_id, state: "st-1" });
    assert.equal(params.get("state"), "st-1");
    assert.equal(params.get("iss"), PUBLIC, "RFC 9207 iss in the authorization response");
    const code = params.get("code")!;
    assert.match(code, /^[A-Za-z0-9_-]{43}$/);

    // The IdP saw PKCE S256 from us, and our callback as redirect_uri.
    const upstream = s.idp.authorizeRequests.at(-1)!;
    assert.equal(upstream.get("code_challenge_method"), "S256");
    assert.equal(upstream.get("redirect_uri"), `${PUBLIC}/oauth/provider-callback`);

    const t = await token(s.server, {
      grant_type: "authorization_code",
      code,
      redirect_uri: CLIENT_REDIRECT,
      code_verifier: verifier,
      client_id: client.client_id,
      resource: RESOURCE,
    });
    assert.equal(t.status, 200, JSON.stringify(t.body));
    assert.equal(t.response.headers.get("cache-control"), "no-store");
    assert.equal(t.body.token_type, "Bearer");
    assert.equal(t.body.scope, "mcp:tools");
    assert.equal(t.body.expires_in, 3600);
    assert.match(t.body.access_token, /^[A-Za-z0-9_-]{43}$/);
    // No passthrough: nothing the IdP issued reaches the client.
    for (const v of Object.values(t.body)) assert.ok(!String(v).startsWith("idp-"), "provider token leaked to the client");

    // The tool sees the upstream token, never ours.
    const providerToken = await toolText(s.server, t.body.access_token, "upstream_token");
    assert.match(providerToken, /^idp-at-/);
    assert.ok(s.idp.accessTokens.has(providerToken));
    const who = JSON.parse(await toolText(s.server, t.body.access_token, "whoami"));
    assert.equal(who.auth.strategy, "oauth");
    assert.equal(who.auth.subject, "user-1234");
    assert.equal(who.auth.clientId, client.client_id);
    assert.deepEqual(who.auth.scopes, ["mcp:tools"]);
    assert.equal(who.auth.claims.email, "alice@example.com");
    assert.deepEqual(who.headers, { Authorization: `Bearer ${providerToken}` });

    // Refresh rotates.
    const r1 = await token(s.server, { grant_type: "refresh_token", refresh_token: t.body.refresh_token, client_id: client.client_id });
    assert.equal(r1.status, 200, JSON.stringify(r1.body));
    assert.notEqual(r1.body.refresh_token, t.body.refresh_token);
    assert.notEqual(r1.body.access_token, t.body.access_token);
    assert.equal((await callTool(s.server, r1.body.access_token, "whoami")).status, 200);

    // The successor is used, then the old token comes back: a replay. The family dies.
    const r2 = await token(s.server, { grant_type: "refresh_token", refresh_token: r1.body.refresh_token, client_id: client.client_id });
    assert.equal(r2.status, 200);
    const replay = await token(s.server, { grant_type: "refresh_token", refresh_token: t.body.refresh_token, client_id: client.client_id });
    assert.equal(replay.status, 400);
    assert.equal(replay.body.error, "invalid_grant");
    assert.equal((await callTool(s.server, r2.body.access_token, "whoami")).status, 401, "the family's live access token is revoked");
    const after = await token(s.server, { grant_type: "refresh_token", refresh_token: r2.body.refresh_token, client_id: client.client_id });
    assert.equal(after.body.error, "invalid_grant", "the family's live refresh token is revoked");

    // A fresh login, then RFC 7009 revocation of the refresh token ends the family.
    const fresh = await fullLogin(s, client.client_id);
    assert.equal((await callTool(s.server, fresh.access_token, "whoami")).status, 200);
    const revoked = await s.server.fetch(
      form("/revoke", { token: fresh.refresh_token, token_type_hint: "refresh_token", client_id: client.client_id }),
    );
    assert.equal(revoked.status, 200);
    const denied = await callTool(s.server, fresh.access_token, "whoami");
    assert.equal(denied.status, 401);
    assert.match(denied.headers.get("www-authenticate")!, /error="invalid_token"/);
  });

  it("an unauthenticated /mcp call is a 401 Bearer challenge", async () => {
    const r = await callTool(s.server, undefined, "whoami");
    assert.equal(r.status, 401);
    assert.match(r.headers.get("www-authenticate")!, /^Bearer/);
  });
});
