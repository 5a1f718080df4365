import { after, before, beforeEach, describe, it } from "node:test";
import assert from "node:assert/strict";
import { jwt, type JwtOptions } from "../../src/auth/jwt.ts";
import { maxAgeMs, remoteJwks } from "../../src/auth/jwks.ts";
import { discoverAuthorizationServer, metadataUrls } from "../../src/auth/issuer-discovery.ts";
import { authStage } from "../../src/auth/stage.ts";
import { clock, makeKey, sign, startIssuer, type TestIssuer, type TestKey } from "./jwt-fixtures.ts";
import { req, run } from "./helpers.ts";

const RESOURCE = "https://mcp.example.com/mcp";
let issuer: TestIssuer;
let k1: TestKey, k2: TestKey;

before(async () => {
  issuer = await startIssuer();
  k1 = await makeKey("ES256", "k1");
  k2 = await makeKey("RS256", "k2");
});
after(() => issuer.close());
beforeEach(() => {
  issuer.keys = [k1.jwk];
  issuer.cacheControl = "max-age=600";
  issuer.failWith = undefined;
  issuer.delayMs = 0;
  issuer.padBytes = 0;
  issuer.discovery = { openid: true, oauth: true };
  issuer.hits = {};
});

function setup(extra: Partial<JwtOptions> = {}) {
  const time = clock();
  const strategy = jwt(
    { issuer: issuer.url, resource: RESOURCE, jwksUri: issuer.jwksUri, now: time.now, cache: false, ...extra } as JwtOptions,
  );
  const stage = authStage(strategy, { resourceMetadataUrl: strategy.resourceMetadataUrl });
  const call = async (key: TestKey, over: Record<string, unknown> = {}, header: Record<string, unknown> = {}) => {
    const token = await sign(
      key,
      { iss: issuer.url, aud: RESOURCE, sub: "u", exp: time.seconds + 3600, jti: crypto.randomUUID(), ...over },
      header,
    );
    return run(stage, req("/mcp", { authorization: `Bearer ${token}` }));
  };
  const fetches = () => issuer.hits["/jwks"] ?? 0;
  return { call, time, fetches };
}

describe("JWKS fetching and caching", () => {
  it("fetches the set once and serves later tokens from the cache", async () => {
    const { call, fetches } = setup();
    for (let i = 0; i < 5; i++) assert.equal((await call(k1)).status, 200);
    assert.equal(fetches(), 1);
  });

  it("honours max-age: no refetch before it, one after", async () => {
    issuer.cacheControl = "public, max-age=120";
    const { call, time, fetches } = setup();
    await call(k1);
    time.advance(119_000);
    await call(k1);
    assert.equal(fetches(), 1);
    time.advance(2_000);
    assert.equal((await call(k1)).status, 200);
    assert.equal(fetches(), 2);
  });

  it("parses Cache-Control", () => {
    assert.equal(maxAgeMs("public, max-age=300"), 300_000);
    assert.equal(maxAgeMs("no-store"), 0);
    assert.equal(maxAgeMs("private"), undefined);
    assert.equal(maxAgeMs(null), undefined);
  });

  it("picks up a rotated key without a restart (one refetch on the new kid)", async () => {
    const { call, time, fetches } = setup();
    assert.equal((await call(k1)).status, 200);
    issuer.keys = [k1.jwk, k2.jwk];
    time.advance(31_000);
    assert.equal((await call(k2)).status, 200);
    assert.equal(fetches(), 2);
    // The old key is withdrawn: once the cached set is stale, it stops working.
    issuer.keys = [k2.jwk];
    time.advance(601_000);
    assert.equal((await call(k1)).status, 401);
  });

  it("refuses an unknown kid after one refetch, and refetches at most once per cooldown", async () => {
    const { call, time, fetches } = setup({ jwks: { cooldownMs: 30_000 } });
    await call(k1);
    time.advance(31_000);
    const bogus = await makeKey("ES256", "bogus");
    const first = await call(bogus);
    assert.equal(first.status, 401);
    assert.match(first.body.error_description, /key the issuer does not publish/);
    assert.equal(fetches(), 2, "one refetch for the unknown kid");
    for (let i = 0; i < 20; i++) await call(bogus, {}, { kid: `bogus-${i}` });
    assert.equal(fetches(), 2, "made-up kids within the cooldown cost the issuer nothing");
    time.advance(30_000);
    await call(bogus, {}, { kid: "bogus-again" });
    assert.equal(fetches(), 3);
  });

  it("shares one fetch between concurrent requests", async () => {
    issuer.delayMs = 50;
    const { call, fetches } = setup();
    const results = await Promise.all([call(k1), call(k1), call(k1), call(k1)]);
    assert.deepEqual(results.map((r) => r.status), [200, 200, 200, 200]);
    assert.equal(fetches(), 1);
  });

  it("gives up after the timeout with a clear 401", async () => {
    issuer.delayMs = 500;
    const { call } = setup({ jwks: { timeoutMs: 100 } });
    const started = Date.now();
    const r = await call(k1);
    assert.ok(Date.now() - started < 450, "did not wait for the slow issuer");
    assert.equal(r.status, 401);
    assert.match(r.body.error_description, /could not be fetched/);
  });

  it("refuses a JWKS larger than the size cap", async () => {
    issuer.padBytes = 5_000;
    const { call } = setup({ jwks: { maxBytes: 4_096 } });
    const r = await call(k1);
    assert.equal(r.status, 401);
    assert.match(r.body.error_description, /could not be fetched/);
    const jwks = remoteJwks({ uri: issuer.jwksUri, maxBytes: 4_096 });
    await assert.rejects(jwks.keysFor({ alg: "ES256", kid: "k1" }), /larger than 4096 bytes/);
  });

  it("keeps working on cached keys while the issuer is down; new keys fail with a clear 401", async () => {
    const { call, time, fetches } = setup();
    assert.equal((await call(k1)).status, 200);
    issuer.failWith = 503;
    time.advance(601_000); // the cached set is stale now
    assert.equal((await call(k1)).status, 200, "stale keys still verify");
    assert.equal(fetches(), 2, "one attempt to refresh");
    time.advance(31_000);
    const r = await call(k2);
    assert.equal(r.status, 401);
    assert.equal(r.body.error, "invalid_token");
    assert.match(r.body.error_description, /issuer's keys could not be fetched/);
    assert.match(
      r.challenge ?? "",
      /error_description="The access token's signing key is not known and the issuer's keys could not be fetched; try again later"/,
    );
    // The issuer comes back: the new key is picked up.
    issuer.failWith = undefined;
    issuer.keys = [k1.jwk, k2.jwk];
    time.advance(31_000);
    assert.equal((await call(k2)).status, 200);
  });

  it("ignores symmetric keys published in a JWKS", async () => {
    issuer.keys = [{ kty: "oct", kid: "k1", k: "c2VjcmV0" } as JsonWebKey];
    const jwks = remoteJwks({ uri: issuer.jwksUri });
    await assert.rejects(jwks.keysFor({ alg: "ES256", kid: "k1" }), { code: "JWKSNoMatchingKey" });
  });
});

describe("issuer discovery", () => {
  it("finds jwks_uri through OpenID configuration", async () => {
    const { call } = setup({ jwksUri: undefined });
    assert.equal((await call(k1)).status, 200);
    assert.equal(issuer.hits["/.well-known/openid-configuration"], 1);
    assert.equal(issuer.hits["/.well-known/oauth-authorization-server"], undefined);
  });

  it("falls back to RFC 8414 metadata", async () => {
    issuer.discovery = { openid: false, oauth: true };
    const { call } = setup({ jwksUri: undefined });
    assert.equal((await call(k1)).status, 200);
    assert.equal(issuer.hits["/.well-known/oauth-authorization-server"], 1);
  });

  it("uses path-inserted and appended URLs for issuers with a path", () => {
    assert.deepEqual(metadataUrls("https://id.example/tenant/1"), [
      "https://id.example/tenant/1/.well-known/openid-configuration",
      "https://id.example/.well-known/oauth-authorization-server/tenant/1",
      "https://id.example/.well-known/openid-configuration/tenant/1",
    ]);
  });

  it("refuses metadata naming another issuer", async () => {
    await assert.rejects(discoverAuthorizationServer(`${issuer.url}/`), /expected/);
    const { call } = setup({ jwksUri: undefined, issuer: [`${issuer.url}/`] } as Partial<JwtOptions>);
    const r = await call(k1, { iss: `${issuer.url}/` });
    assert.equal(r.status, 401);
    assert.match(r.body.error_description, /could not be fetched/);
  });
});
