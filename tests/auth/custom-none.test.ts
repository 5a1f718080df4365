import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { custom } from "../../src/auth/custom.ts";
import { none } from "../../src/auth/none.ts";
import { authStage } from "../../src/auth/stage.ts";
import { req, run } from "./helpers.ts";

describe("none strategy", () => {
  it("admits everyone with empty resolved headers", async () => {
    const { status, body } = await run(authStage(none()), req("/mcp"));
    assert.equal(status, 200);
    assert.deepEqual(body, { auth: { strategy: "none", scopes: [] }, providerToken: null, resolvedHeaders: {} });
  });
});

describe("custom strategy", () => {
  it("with headers only: admits and resolves the configured headers", async () => {
    const stage = authStage(custom({ headers: { "X-Tenant": "acme", Authorization: "Basic a:b" } }));
    const { status, body } = await run(stage, req("/mcp"));
    assert.equal(status, 200);
    assert.deepEqual(body.resolvedHeaders, { "X-Tenant": "acme", Authorization: "Basic a:b" });
    assert.equal(body.auth.strategy, "custom");
  });

  it("with verify: admits whom the hook returns, filling defaults", async () => {
    const stage = authStage(custom({
      verify: (request) => request.headers.get("x-user") === "alice" ? { subject: "alice", claims: { role: "admin" } } : null,
      headers: { "x-upstream": "1" },
    }));
    const { status, body } = await run(stage, req("/mcp", { "X-User": "alice" }));
    assert.equal(status, 200);
    assert.deepEqual(body.auth, { subject: "alice", claims: { role: "admin" }, strategy: "custom", scopes: [] });
    assert.deepEqual(body.resolvedHeaders, { "x-upstream": "1" });
  });

  it("with verify: a null verdict is a 401, with invalid_token only when a credential was sent", async () => {
    const stage = authStage(custom({ verify: () => Promise.resolve(null) }));
    const anonymous = await run(stage, req("/mcp"));
    assert.equal(anonymous.status, 401);
    assert.equal(anonymous.challenge, "Bearer");
    const withToken = await run(stage, req("/mcp", { authorization: "Bearer nope" }));
    assert.equal(withToken.status, 401);
    assert.match(withToken.challenge!, /^Bearer error="invalid_token"/);
  });

  it("a throwing verify hook is a 503 that leaks nothing", async () => {
    const stage = authStage(custom({
      verify: () => {
        throw new Error("db password is hunter2");
      },
    }));
    const { status, text } = await run(stage, req("/mcp"));
    assert.equal(status, 503);
    assert.ok(!text.includes("hunter2"));
  });

  it("rejects header values that would split a header", () => {
    assert.throws(() => custom({ headers: { "x-a": "1\r\nx-b: 2" } }), /invalid name or value/);
  });
});
