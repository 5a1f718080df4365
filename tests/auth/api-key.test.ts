import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { apiKey } from "../../src/auth/api-key.ts";
import { authStage } from "../../src/auth/stage.ts";
import { req, run } from "./helpers.ts";

const KEY = "ak_live_0123456789abcdefghijklmnopqrstuv";
const NEXT = "ak_live_zyxwvutsrqponmlkjihgfedcba987654";
const stage = authStage(apiKey({ key: KEY }));

describe("api_key strategy", () => {
  it("accepts the key in x-api-key and resolves the same header", async () => {
    const { status, body } = await run(stage, req("/mcp", { "x-api-key": KEY }));
    assert.equal(status, 200);
    assert.equal(body.auth.strategy, "api_key");
    assert.match(body.auth.credentialId, /^api_key:[0-9a-f]{16}$/);
    assert.deepEqual(body.resolvedHeaders, { "x-api-key": KEY });
    assert.equal(body.providerToken, KEY);
  });

  it("answers a valid key synchronously once the fingerprints exist, with one frozen result per key (nothing allocated per request)", async () => {
    const strategy = apiKey({ keys: [KEY, NEXT] });
    const request = (key: string) => new Request("https://mcp.example.com/mcp", { headers: { "x-api-key": key } });
    const first = await strategy.authenticate(request(KEY), {} as never); // may wait for the fingerprints
    const again = strategy.authenticate(request(KEY), {} as never);
    assert.ok(!(again instanceof Promise), "answered synchronously");
    assert.equal(again, first, "the same result object");
    assert.ok(Object.isFrozen(again) && again.ok && Object.isFrozen(again.identity) && Object.isFrozen(again.resolvedHeaders));
    const next = strategy.authenticate(request(NEXT), {} as never);
    assert.ok(!(next instanceof Promise) && next.ok && again.ok);
    assert.notEqual(next.identity.credentialId, again.identity.credentialId, "each key has its own fingerprint");
  });

  it("matches the header name case-insensitively", async () => {
    for (const name of ["X-API-KEY", "X-Api-Key", "x-api-key"]) {
      assert.equal((await run(stage, req("/mcp", [[name, KEY]]))).status, 200, name);
    }
    const custom = authStage(apiKey({ key: KEY, header: "X-Goog-Api-Key" }));
    const { status, body } = await run(custom, req("/mcp", [["x-goog-api-key", KEY]]));
    assert.equal(status, 200);
    assert.deepEqual(body.resolvedHeaders, { "x-goog-api-key": KEY });
  });

  const wrong: Record<string, string> = {
    wrong: "ak_live_not-the-right-key-000000000000000",
    empty: "",
    truncated: KEY.slice(0, -1),
    extended: KEY + "0",
    "case-changed": KEY.toUpperCase(),
  };
  for (const [name, value] of Object.entries(wrong)) {
    it(`refuses a ${name} key`, async () => {
      const { status, body, challenge, text } = await run(stage, req("/mcp", { "x-api-key": value }));
      assert.equal(status, 401);
      assert.match(body.error_description, /'x-api-key' header/);
      assert.equal(challenge, 'ApiKey header="x-api-key"');
      if (value) assert.ok(!text.includes(value));
    });
  }

  it("explains a missing key, naming the header expected", async () => {
    const custom = authStage(apiKey({ key: KEY, header: "x-service-key" }));
    const { status, body, challenge } = await run(custom, req("/mcp", { "x-api-key": KEY }));
    assert.equal(status, 401);
    assert.deepEqual(body, { error: "unauthorized", error_description: "Missing API key: send it in the 'x-service-key' header" });
    assert.equal(challenge, 'ApiKey header="x-service-key"');
  });

  it("does not accept the key as a bearer token", async () => {
    assert.equal((await run(stage, req("/mcp", { authorization: `Bearer ${KEY}` }))).status, 401);
  });

  it("accepts several keys for rotation", async () => {
    const rotating = authStage(apiKey({ keys: [KEY, NEXT] }));
    assert.equal((await run(rotating, req("/mcp", { "x-api-key": KEY }))).status, 200);
    assert.equal((await run(rotating, req("/mcp", { "x-api-key": NEXT }))).status, 200);
    assert.equal((await run(rotating, req("/mcp", { "x-api-key": `${KEY}, ${NEXT}` }))).status, 401);
  });

  it("refuses two copies of the header", async () => {
    const request = req("/mcp");
    request.headers.append("x-api-key", KEY);
    request.headers.append("x-api-key", KEY);
    assert.equal((await run(stage, request)).status, 401);
  });

  it("forwards the separate upstream key", async () => {
    const upstream = authStage(apiKey({ keys: [KEY], upstreamKey: "upstream-key", header: "x-key" }));
    const { body } = await run(upstream, req("/mcp", { "x-key": KEY }));
    assert.deepEqual(body.resolvedHeaders, { "x-key": "upstream-key" });
    assert.equal(body.providerToken, "upstream-key");
  });

  it("rejects an invalid header name", () => {
    assert.throws(() => apiKey({ key: KEY, header: "x api key" }), /header name/);
  });
});
