import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { jwt } from "../../src/auth/jwt.ts";
import { verifiedTokenCache } from "../../src/auth/verified-tokens.ts";
import { clock, makeKey, sign, startIssuer, type TestIssuer, type TestKey } from "./jwt-fixtures.ts";
import { contextFor, req } from "./helpers.ts";

const RESOURCE = "https://mcp.example.com/mcp";
let issuer: TestIssuer;
let key: TestKey;
before(async () => {
  issuer = await startIssuer();
  key = await makeKey("ES256", "k1");
  issuer.keys = [key.jwk];
});
after(() => issuer.close());

/** Counts every SubtleCrypto call made while `fn` runs. */
async function subtleCalls(fn: () => Promise<unknown>): Promise<number> {
  const subtle = crypto.subtle as unknown as Record<string, (...args: unknown[]) => unknown>;
  const names = ["verify", "importKey", "digest", "sign"];
  const originals = names.map((n) => subtle[n]);
  let calls = 0;
  names.forEach((n, i) => {
    subtle[n] = function (this: unknown, ...args: unknown[]) {
      calls++;
      return originals[i].apply(this, args);
    };
  });
  try {
    await fn();
  } finally {
    names.forEach((n, i) => (subtle[n] = originals[i]));
  }
  return calls;
}

describe("verified-token cache", () => {
  it("a repeated token is served without any SubtleCrypto call", async () => {
    const time = clock();
    const strategy = jwt({ issuer: issuer.url, resource: RESOURCE, jwksUri: issuer.jwksUri, now: time.now });
    const token = await sign(key, { iss: issuer.url, aud: RESOURCE, sub: "u", exp: time.seconds + 600 });
    const auth = () => strategy.authenticate(req("/mcp", { authorization: `Bearer ${token}` }), contextFor(req("/mcp")));
    const first = await subtleCalls(auth);
    assert.ok(first >= 2, `the miss verifies (and hashes): ${first} calls`);
    let result;
    const second = await subtleCalls(async () => (result = await auth()));
    assert.equal(second, 0);
    assert.equal((result as unknown as { ok: boolean }).ok, true);
  });

  it("a cached token written with the scheme in lower case is still a hit; a malformed header around it is still refused", async () => {
    const time = clock();
    const strategy = jwt({ issuer: issuer.url, resource: RESOURCE, jwksUri: issuer.jwksUri, now: time.now });
    const token = await sign(key, { iss: issuer.url, aud: RESOURCE, sub: "u", exp: time.seconds + 600 });
    const auth = (authorization: string) => strategy.authenticate(req("/mcp", { authorization }), contextFor(req("/mcp")));
    assert.equal((await auth(`Bearer ${token}`)).ok, true);
    let lower;
    assert.equal(await subtleCalls(async () => (lower = await auth(`bearer ${token}`))), 0, "no verification again");
    assert.equal((lower as unknown as { ok: boolean }).ok, true);
    const malformed = await auth(`Bearer ${token} ${token}`);
    assert.equal(malformed.ok, false);
    assert.equal(!malformed.ok && malformed.error, "invalid_request");
  });

  it("a cached token is answered synchronously (no promise), and other paths pass the routes without one", async () => {
    const time = clock();
    const strategy = jwt({ issuer: issuer.url, resource: RESOURCE, jwksUri: issuer.jwksUri, now: time.now });
    const token = await sign(key, { iss: issuer.url, aud: RESOURCE, sub: "u", exp: time.seconds + 600 });
    const request = () => req("/mcp", { authorization: `Bearer ${token}` });
    const miss = strategy.authenticate(request(), contextFor(req("/mcp")));
    assert.ok(miss instanceof Promise, "a miss verifies asynchronously");
    assert.equal((await miss).ok, true);
    const hit = strategy.authenticate(request(), contextFor(req("/mcp")));
    assert.ok(!(hit instanceof Promise), "a hit is the cached result itself");
    assert.equal(hit.ok, true);
    assert.equal(strategy.authenticate(request(), contextFor(req("/mcp"))), hit, "the same frozen result every time");
    assert.equal(strategy.routes(req("/mcp"), contextFor(req("/mcp")), () => Promise.resolve(new Response())), undefined);
    const metadata = await strategy.routes(
      req("/.well-known/oauth-protected-resource/mcp", {}, "GET"),
      contextFor(req("/.well-known/oauth-protected-resource/mcp")),
      () => Promise.resolve(new Response()),
    );
    assert.equal(metadata?.status, 200);
  });

  it("without the cache every request verifies again", async () => {
    const time = clock();
    const strategy = jwt({ issuer: issuer.url, resource: RESOURCE, jwksUri: issuer.jwksUri, now: time.now, cache: false });
    const token = await sign(key, { iss: issuer.url, aud: RESOURCE, sub: "u", exp: time.seconds + 600 });
    const auth = () => strategy.authenticate(req("/mcp", { authorization: `Bearer ${token}` }), contextFor(req("/mcp")));
    await auth();
    assert.ok(await subtleCalls(auth) > 0);
  });

  it("a cached token stops working at its exp", async () => {
    const time = clock();
    const strategy = jwt({ issuer: issuer.url, resource: RESOURCE, jwksUri: issuer.jwksUri, now: time.now, clockSkewSeconds: 0 });
    const token = await sign(key, { iss: issuer.url, aud: RESOURCE, sub: "u", exp: time.seconds + 60 });
    const auth = () => strategy.authenticate(req("/mcp", { authorization: `Bearer ${token}` }), contextFor(req("/mcp")));
    assert.equal((await auth()).ok, true);
    time.advance(59_000);
    assert.equal((await auth()).ok, true);
    time.advance(1_000);
    const r = await auth();
    assert.equal(r.ok, false);
    assert.match((r as { description: string }).description, /expired/);
  });

  it("a forged variant of a cached token is not a hit", async () => {
    const time = clock();
    const strategy = jwt({ issuer: issuer.url, resource: RESOURCE, jwksUri: issuer.jwksUri, now: time.now });
    const token = await sign(key, { iss: issuer.url, aud: RESOURCE, sub: "u", exp: time.seconds + 600 });
    const auth = (t: string) => strategy.authenticate(req("/mcp", { authorization: `Bearer ${t}` }), contextFor(req("/mcp")));
    assert.equal((await auth(token)).ok, true);
    const [h, p, s] = token.split(".");
    assert.equal((await auth(`${h}.${p}.${s.slice(0, -2)}${s.endsWith("AA") ? "BB" : "AA"}`)).ok, false);
  });

  it("is bounded, evicting the least recently used, and caps the lifetime", () => {
    const time = clock();
    const cache = verifiedTokenCache<number>({ maxEntries: 2, maxTtlMs: 10_000, now: time.now });
    cache.set("a", 1, time.now() + 60_000);
    cache.set("b", 2, time.now() + 60_000);
    assert.equal(cache.get("a"), 1); // a is now the most recent
    cache.set("c", 3, time.now() + 60_000);
    assert.equal(cache.size, 2);
    assert.equal(cache.get("b"), undefined);
    assert.equal(cache.get("a"), 1);
    time.advance(10_000);
    assert.equal(cache.get("a"), undefined, "maxTtlMs bounds trust in a withdrawn key");
    assert.equal(cache.size, 1, "an expired entry found on a lookup is dropped");
    cache.set("d", 4, time.now() - 1);
    assert.equal(cache.get("d"), undefined, "already expired tokens are not kept");
  });

  it("a token used between insertions survives eviction; when every entry was used, the newest one still stays", () => {
    const time = clock();
    const cache = verifiedTokenCache<number>({ maxEntries: 3, now: time.now });
    cache.set("hot", 0, time.now() + 60_000);
    for (let i = 1; i <= 50; i++) {
      assert.equal(cache.get("hot"), 0);
      cache.set(`cold-${i}`, i, time.now() + 60_000);
      assert.ok(cache.size <= 3);
    }
    assert.equal(cache.get("hot"), 0, "hit before every insertion: never evicted");
    assert.equal(cache.get("cold-1"), undefined, "an old entry nobody asked for went");
    assert.equal(cache.get("cold-50"), 50);
    const all = verifiedTokenCache<number>({ maxEntries: 2, now: time.now });
    all.set("a", 1, time.now() + 60_000);
    all.set("b", 2, time.now() + 60_000);
    all.get("a");
    all.get("b");
    all.set("c", 3, time.now() + 60_000);
    assert.equal(all.size, 2);
    assert.equal(all.get("c"), 3, "the entry just set is kept");
    assert.equal([all.get("a"), all.get("b")].filter((v) => v !== undefined).length, 1, "one of the older two went");
  });
});
