import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { exchangeCode, refreshProviderTokens, resolveProvider, upstreamAuthorizeUrl } from "../../src/oauth/upstream.ts";
import {
  authorizeQuery,
  callTool,
  decide,
  fullLogin,
  login,
  openConsent,
  providerCallback,
  register,
  type Setup,
  setup,
  toolText,
  visitIdp,
} from "./helpers.ts";

const noFetch = () => Promise.reject(new Error("no network in this test"));

describe("upstream provider presets", () => {
  it("Google asks for offline access and consent so a refresh token is issued", async () => {
    const google = await resolveProvider({ preset: "google", clientId: "g", clientSecret: "s" }, noFetch);
    const url = new URL(
      upstreamAuthorizeUrl(google, {
        redirectUri: "https://mcp.example.com/oauth/provider-callback",
        state: "st",
        challenge: "c".repeat(43),
      }),
    );
    assert.equal(url.origin + url.pathname, "https://accounts.google.com/o/oauth2/v2/auth");
    assert.equal(url.searchParams.get("access_type"), "offline");
    assert.equal(url.searchParams.get("prompt"), "consent");
    assert.equal(url.searchParams.get("scope"), "openid email profile");
    assert.equal(url.searchParams.get("code_challenge_method"), "S256");
  });

  it("GitHub uses its endpoints and the numeric id as subject", async () => {
    const gh = await resolveProvider({ preset: "github", clientId: "g", clientSecret: "s" }, noFetch);
    assert.equal(gh.tokenUrl, "https://github.com/login/oauth/access_token");
    assert.equal(gh.subjectField, "id");
  });

  it("explicit URLs win, and accountsUrl then names the userinfo endpoint", async () => {
    const p = await resolveProvider({
      clientId: "c",
      clientSecret: "s",
      authorizeUrl: "https://idp.example/auth",
      tokenUrl: "https://idp.example/token",
      accountsUrl: "https://idp.example/me",
    }, noFetch);
    assert.equal(p.userinfoUrl, "https://idp.example/me");
  });

  it("refuses plain-http provider URLs off loopback", async () => {
    await assert.rejects(
      resolveProvider(
        { clientId: "c", clientSecret: "s", authorizeUrl: "http://idp.example/a", tokenUrl: "https://idp.example/t" },
        noFetch,
      ),
      /https/,
    );
  });
});

async function withSetup(o: Parameters<typeof setup>[0], fn: (s: Setup) => Promise<void>) {
  const s = await setup(o);
  try {
    await fn(s);
  } finally {
    await s.close();
  }
}

describe("upstream errors become clear OAuth errors, never a 500", () => {
  it("GitHub's 200-with-error at the code exchange → access_denied to the client", () =>
    withSetup({ idp: { mode: "github" } }, async (s) => {
      const clientId = (await register(s.server)).client_id;
      s.idp.failNextToken = "bad_verification_code";
      const { params } = await login(s, { clientId });
      assert.equal(params.get("error"), "access_denied");
      assert.match(params.get("error_description")!, /bad_verification_code/);
      assert.equal(params.get("code"), null);
    }));

  it("GitHub: a 200 success works and the subject is the numeric id", () =>
    withSetup({ idp: { mode: "github" } }, async (s) => {
      const clientId = (await register(s.server)).client_id;
      const t = await fullLogin(s, clientId);
      const who = JSON.parse(await toolText(s.server, t.access_token, "whoami"));
      assert.equal(who.auth.claims.login, "alice-gh");
    }));

  it("an unreachable IdP at the exchange → temporarily_unavailable", () =>
    withSetup({}, async (s) => {
      const clientId = (await register(s.server)).client_id;
      const { query } = await authorizeQuery({ clientId });
      const page = await openConsent(s.server, query);
      const r = await decide(s.server, page, "approve");
      const callback = await visitIdp(r.headers.get("location")!);
      await s.idp.close();
      const done = await providerCallback(s.server, callback, page.cookie);
      assert.equal(done.status, 302);
      assert.equal(new URL(done.headers.get("location")!).searchParams.get("error"), "temporarily_unavailable");
    }));
});

describe("provider tokens are refreshed upstream transparently", () => {
  it("an expired provider token is refreshed once, even for concurrent requests", () =>
    withSetup({ idp: { accessTokenTtl: 30 } }, async (s) => {
      // 30 s is inside the 60 s refresh skew: every provider token counts as expiring.
      const clientId = (await register(s.server)).client_id;
      const t = await fullLogin(s, clientId);
      const before = s.idp.tokenRequests.filter((b) => b.get("grant_type") === "refresh_token").length;
      const results = await Promise.all([1, 2, 3, 4, 5].map(() => toolText(s.server, t.access_token, "upstream_token")));
      const refreshes = s.idp.tokenRequests.filter((b) => b.get("grant_type") === "refresh_token").length - before;
      assert.equal(refreshes, 1, "single flight");
      assert.equal(new Set(results).size, 1);
      assert.ok(s.idp.accessTokens.has(results[0]));
    }));

  it("an upstream invalid_grant on refresh is our 401 invalid_token (log in again), not a 500 or a loop", () =>
    withSetup({ idp: { accessTokenTtl: 30 } }, async (s) => {
      const clientId = (await register(s.server)).client_id;
      const t = await fullLogin(s, clientId);
      s.idp.failRefresh = "invalid_grant";
      const r = await callTool(s.server, t.access_token, "upstream_token");
      assert.equal(r.status, 401);
      assert.match(r.headers.get("www-authenticate")!, /error="invalid_token"/);
      s.idp.failRefresh = undefined;
      assert.equal((await callTool(s.server, t.access_token, "upstream_token")).status, 401, "the grant is gone");
    }));

  it("a provider without refresh tokens: expiry ends the login with 401", () =>
    withSetup({ idp: { accessTokenTtl: 30, refreshTokens: false } }, async (s) => {
      const clientId = (await register(s.server)).client_id;
      const t = await fullLogin(s, clientId);
      assert.equal((await callTool(s.server, t.access_token, "upstream_token")).status, 401);
    }));
});

describe("provider token expiry uses the server's clock", () => {
  it("stamps expiresAt with the clock the expiry is later compared against", async () => {
    const provider = await resolveProvider(
      { authorizeUrl: "https://idp.example/authorize", tokenUrl: "https://idp.example/token", clientId: "c", clientSecret: "s" },
      () => Promise.reject(new Error("no discovery expected")),
    );
    const answer = () =>
      Promise.resolve(
        new Response(JSON.stringify({ access_token: "at", refresh_token: "rt", token_type: "Bearer", expires_in: 3600 }), {
          headers: { "content-type": "application/json" },
        }),
      );
    const clock = () => 1_000;
    const exchanged = await exchangeCode(
      provider,
      answer,
      { code: "x", redirectUri: "https://mcp.example/oauth/provider-callback" },
      clock,
    );
    assert.equal(exchanged.expiresAt, 1_000 + 3_600_000);
    const refreshed = await refreshProviderTokens(provider, answer, "rt", clock);
    assert.equal(refreshed.expiresAt, 1_000 + 3_600_000);
  });
});
