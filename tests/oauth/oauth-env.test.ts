import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { oauthOptionsFromEnv } from "../../src/config/oauth-env.ts";
import { ConfigError } from "../../src/config/env.ts";
import { memoryStore } from "../../src/store/memory.ts";

const ctx = { publicUrl: "https://mcp.example.com", store: memoryStore() };
const base = { PROVIDER: "google", PROVIDER_CLIENT_ID: "gid", PROVIDER_CLIENT_SECRET: "gsecret" };
const fails = (env: Record<string, string>, variable: string) =>
  assert.throws(() => oauthOptionsFromEnv(env, ctx), (e: unknown) => e instanceof ConfigError && e.variable === variable, variable);

describe("oauth env", () => {
  it("parses a Google setup with a static client", () => {
    const o = oauthOptionsFromEnv({
      ...base,
      OAUTH_SCOPES: "openid email",
      OAUTH_REDIRECT_URI: "https://mcp.example.com/oauth/callback",
      OAUTH_CLIENT_ID: "claude-desktop",
      OAUTH_CLIENT_SECRET: "s".repeat(40),
    }, ctx);
    assert.equal(o.provider.preset, "google");
    assert.deepEqual(o.scopes, ["openid", "email"]);
    assert.equal(o.redirectUri, "https://mcp.example.com/oauth/callback");
    assert.deepEqual(o.staticClient, { clientId: "claude-desktop", clientSecret: "s".repeat(40) });
  });

  it("OAUTH_TOKEN_CACHE_MS: the access-token cache's lifetime, 0 turns it off, anything else is refused", () => {
    assert.equal(oauthOptionsFromEnv(base, ctx).accessTokenCache, undefined, "default: the strategy's own");
    assert.deepEqual(oauthOptionsFromEnv({ ...base, OAUTH_TOKEN_CACHE_MS: "5000" }, ctx).accessTokenCache, { ttlMs: 5000 });
    assert.equal(oauthOptionsFromEnv({ ...base, OAUTH_TOKEN_CACHE_MS: "0" }, ctx).accessTokenCache, false);
    for (const bad of ["-1", "1e3", "soon", "3600001"]) fails({ ...base, OAUTH_TOKEN_CACHE_MS: bad }, "OAUTH_TOKEN_CACHE_MS");
  });

  it("names the variable that is wrong, never echoing a secret", () => {
    fails({ ...base, PROVIDER: "okta" }, "PROVIDER");
    fails({ PROVIDER_CLIENT_ID: "a", PROVIDER_CLIENT_SECRET: "b" }, "PROVIDER_ACCOUNTS_URL");
    fails({ PROVIDER_CLIENT_ID: "a", PROVIDER_CLIENT_SECRET: "b", PROVIDER_AUTHORIZE_URL: "https://idp.example/a" }, "PROVIDER_TOKEN_URL");
    fails({ ...base, PROVIDER_CLIENT_ID: "" }, "PROVIDER_CLIENT_ID");
    fails({ ...base, PROVIDER_CLIENT_SECRET: "" }, "PROVIDER_CLIENT_SECRET");
    fails({ ...base, PROVIDER_TOKEN_URL: "http://idp.example/token" }, "PROVIDER_TOKEN_URL");
    fails({ ...base, OAUTH_REDIRECT_URI: "https://elsewhere.example/cb" }, "OAUTH_REDIRECT_URI");
    fails({ ...base, OAUTH_CLIENT_ID: "x" }, "OAUTH_CLIENT_SECRET");
    fails({ ...base, OAUTH_CLIENT_SECRET: "s".repeat(40) }, "OAUTH_CLIENT_ID");
    fails({ ...base, OAUTH_CLIENT_ID: "x", OAUTH_CLIENT_SECRET: "short-secret" }, "OAUTH_CLIENT_SECRET");
    fails({ ...base, OAUTH_SCOPES: 'bad"scope' }, "OAUTH_SCOPES");
    try {
      oauthOptionsFromEnv({ ...base, OAUTH_CLIENT_ID: "x", OAUTH_CLIENT_SECRET: "short-secret" }, ctx);
    } catch (e) {
      assert.ok(!(e as Error).message.includes("short-secret"));
    }
  });

  it("accepts discovery from PROVIDER_ACCOUNTS_URL, or explicit endpoints", () => {
    const d = oauthOptionsFromEnv({
      PROVIDER_CLIENT_ID: "a",
      PROVIDER_CLIENT_SECRET: "b",
      PROVIDER_ACCOUNTS_URL: "https://login.example.com",
    }, ctx);
    assert.equal(d.provider.accountsUrl, "https://login.example.com/");
    const e = oauthOptionsFromEnv({
      PROVIDER_CLIENT_ID: "a",
      PROVIDER_CLIENT_SECRET: "b",
      PROVIDER_AUTHORIZE_URL: "https://idp.example/a",
      PROVIDER_TOKEN_URL: "https://idp.example/t",
      PROVIDER_USERINFO_URL: "https://idp.example/u",
    }, ctx);
    assert.equal(e.provider.userinfoUrl, "https://idp.example/u");
  });
});
