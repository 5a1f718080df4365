import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { bearer, bearerCredential } from "../../src/auth/bearer.ts";
import { authStage } from "../../src/auth/stage.ts";
import { sha256Hex } from "../../src/crypto/hash.ts";
import { req, run } from "./helpers.ts";

const TOKEN = "s3cr3t-Token_value.0123456789abcdefXYZ";
const OTHER = "n3xt-rotation-token-9876543210zyxwvuTSR";
const METADATA = "https://mcp.example.com/.well-known/oauth-protected-resource/mcp";
const stage = authStage(bearer({ token: TOKEN }), { resourceMetadataUrl: METADATA });
const auth = (value: string) => req("/mcp", { authorization: value });

describe("bearer strategy", () => {
  it("accepts the configured token and fills the context", async () => {
    const { status, body } = await run(stage, auth(`Bearer ${TOKEN}`));
    assert.equal(status, 200);
    const fingerprint = `bearer:${(await sha256Hex(TOKEN)).slice(0, 16)}`;
    assert.deepEqual(body.auth, { strategy: "bearer", subject: fingerprint, scopes: [], credentialId: fingerprint });
    assert.equal(body.providerToken, TOKEN);
    assert.deepEqual(body.resolvedHeaders, { Authorization: `Bearer ${TOKEN}` });
  });

  it("never uses the raw secret as the credential fingerprint", async () => {
    const { body } = await run(stage, auth(`Bearer ${TOKEN}`));
    assert.ok(!body.auth.credentialId.includes(TOKEN));
    assert.match(body.auth.credentialId, /^bearer:[0-9a-f]{16}$/);
  });

  it("treats the scheme case-insensitively", async () => {
    for (const scheme of ["bearer", "BEARER", "BeArEr"]) {
      assert.equal((await run(stage, auth(`${scheme} ${TOKEN}`))).status, 200, scheme);
    }
  });

  it("accepts the token after several spaces or a tab as well as after one", async () => {
    for (const value of [`Bearer ${TOKEN}`, `Bearer   ${TOKEN}`, `Bearer\t${TOKEN}`, `Bearer \t ${TOKEN}`]) {
      assert.equal((await run(stage, auth(value))).status, 200, JSON.stringify(value));
    }
  });

  it("ignores the header name's case", async () => {
    assert.equal((await run(stage, req("/mcp", [["AUTHORIZATION", `Bearer ${TOKEN}`]]))).status, 200);
    assert.equal((await run(stage, req("/mcp", [["Authorization", `Bearer ${TOKEN}`]]))).status, 200);
  });

  const wrong: Record<string, string> = {
    wrong: "Bearer completely-different-token-0000000000000",
    truncated: `Bearer ${TOKEN.slice(0, -1)}`,
    extended: `Bearer ${TOKEN}x`,
    "case-changed": `Bearer ${TOKEN.toUpperCase()}`,
    "one char flipped": `Bearer ${TOKEN.slice(0, 5)}X${TOKEN.slice(6)}`,
    prefix: `Bearer ${TOKEN.slice(0, 1)}`,
  };
  for (const [name, value] of Object.entries(wrong)) {
    it(`refuses a ${name} token with 401 invalid_token`, async () => {
      const { status, body, challenge, text } = await run(stage, auth(value));
      assert.equal(status, 401);
      assert.equal(body.error, "invalid_token");
      assert.equal(
        challenge,
        `Bearer error="invalid_token", error_description="The bearer token is not valid", resource_metadata="${METADATA}"`,
      );
      if (value.length > 16) assert.ok(!text.includes(value.slice(7)), "the presented token is not echoed");
    });
  }

  it("answers a missing credential with 401 and no error code (RFC 6750 §3.1)", async () => {
    const { status, body, challenge } = await run(stage, req("/mcp"));
    assert.equal(status, 401);
    assert.equal(challenge, `Bearer resource_metadata="${METADATA}"`);
    assert.equal(body.error, "unauthorized");
    assert.match(body.error_description, /Authorization: Bearer/);
  });

  it("treats another scheme as no credential", async () => {
    const { status, challenge } = await run(stage, auth(`Basic ${btoa(`user:${TOKEN}`)}`));
    assert.equal(status, 401);
    assert.equal(challenge, `Bearer resource_metadata="${METADATA}"`);
  });

  it("answers an empty or multi-part Bearer credential with 400 invalid_request", async () => {
    for (const value of ["Bearer", "Bearer ", `Bearer ${TOKEN} extra`, `Bearer ${TOKEN},${TOKEN}`.replace(",", ", ")]) {
      const { status, body, challenge } = await run(stage, auth(value));
      assert.equal(status, 400, JSON.stringify(value));
      assert.equal(body.error, "invalid_request");
      assert.match(challenge!, /^Bearer error="invalid_request", error_description="[^"]+", resource_metadata=/);
    }
  });

  it("refuses two Authorization headers", async () => {
    const request = new Request("https://mcp.example.com/mcp", { method: "POST" });
    request.headers.append("authorization", `Bearer ${TOKEN}`);
    request.headers.append("authorization", `Bearer ${TOKEN}`);
    assert.notEqual((await run(stage, request)).status, 200);
  });

  it("never reads a token from the query string", async () => {
    const { status } = await run(stage, req(`/mcp?access_token=${TOKEN}`));
    assert.equal(status, 401);
  });

  it("omits resource_metadata when none is known, and lists scopes when known", async () => {
    const bare = authStage(bearer({ token: TOKEN }));
    assert.equal((await run(bare, req("/mcp"))).challenge, "Bearer");
    const scoped = authStage(bearer({ token: TOKEN }), { scopes: ["mcp:tools", "files:read"], resourceMetadataUrl: METADATA });
    assert.equal((await run(scoped, req("/mcp"))).challenge, `Bearer scope="mcp:tools files:read", resource_metadata="${METADATA}"`);
  });

  it("accepts several tokens for rotation, each with its own fingerprint", async () => {
    const rotating = authStage(bearer({ tokens: [TOKEN, OTHER] }));
    const a = await run(rotating, auth(`Bearer ${TOKEN}`));
    const b = await run(rotating, auth(`Bearer ${OTHER}`));
    assert.equal(a.status, 200);
    assert.equal(b.status, 200);
    assert.notEqual(a.body.auth.credentialId, b.body.auth.credentialId);
    assert.equal(b.body.providerToken, OTHER);
    assert.equal((await run(rotating, auth(`Bearer ${TOKEN}${OTHER}`))).status, 401);
  });

  it("forwards the separate upstream token instead of the presented one", async () => {
    const upstream = authStage(bearer({ tokens: [TOKEN, OTHER], upstreamToken: "upstream-only-token" }));
    const { body } = await run(upstream, auth(`Bearer ${OTHER}`));
    assert.equal(body.providerToken, "upstream-only-token");
    assert.deepEqual(body.resolvedHeaders, { Authorization: "Bearer upstream-only-token" });
  });

  it("rejects unusable configuration without echoing it", () => {
    assert.throws(() => bearer({ tokens: [] }), /at least one/);
    assert.throws(() => bearer({ token: "" }), /secret 1/);
    assert.throws(
      () => bearer({ tokens: [TOKEN, "has space"] }),
      (e: Error) => /secret 2/.test(e.message) && !e.message.includes("has space"),
    );
  });

  it("parses credentials precisely", () => {
    const parse = (value?: string) => bearerCredential(new Request("https://x/", value ? { headers: { authorization: value } } : {}));
    assert.deepEqual(parse(), { kind: "missing" });
    assert.deepEqual(parse("Bearer abc"), { kind: "token", token: "abc" });
    assert.deepEqual(parse("Bearer   abc"), { kind: "token", token: "abc" });
    assert.deepEqual(parse("Bearer\tabc"), { kind: "token", token: "abc" });
    assert.deepEqual(parse("Bearerabc"), { kind: "other_scheme" });
    assert.deepEqual(parse("Token abc"), { kind: "other_scheme" });
    assert.deepEqual(parse("Bearer a b"), { kind: "malformed" });
    assert.deepEqual(parse("Bearer é"), { kind: "malformed" });
  });
});
