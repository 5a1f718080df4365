import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { bearer } from "../../src/auth/bearer.ts";
import { authStage, isMcpPath } from "../../src/auth/stage.ts";
import type { AuthStrategy } from "../../src/auth/strategy.ts";
import { req, run } from "./helpers.ts";

const TOKEN = "stage-test-token-0123456789abcdefghijkl";
const stage = authStage(bearer({ token: TOKEN }));

describe("auth stage", () => {
  it("protects /mcp and everything under /mcp/ by default", async () => {
    assert.equal((await run(stage, req("/mcp"))).status, 401);
    assert.equal((await run(stage, req("/mcp/abc"))).status, 401);
    assert.equal(isMcpPath("/mcpx"), false);
    assert.equal(isMcpPath("/"), false);
  });

  it("lets /health and /.well-known/* through without credentials", async () => {
    for (const path of ["/health", "/.well-known/oauth-protected-resource/mcp", "/.well-known/oauth-authorization-server"]) {
      const { status, body } = await run(stage, req(path, {}, "GET"));
      assert.equal(status, 200, path);
      assert.equal(body.auth, null);
    }
  });

  it("lets CORS preflight through untouched", async () => {
    const { status, body } = await run(
      stage,
      req("/mcp", { origin: "https://app.example", "access-control-request-method": "POST" }, "OPTIONS"),
    );
    assert.equal(status, 200);
    assert.equal(body.auth, null);
  });

  it("does not authenticate unprotected paths, even with valid credentials", async () => {
    const { status, body } = await run(stage, req("/other", { authorization: `Bearer ${TOKEN}` }, "GET"));
    assert.equal(status, 200);
    assert.equal(body.auth, null);
  });

  it("honours custom protected paths", async () => {
    const custom = authStage(bearer({ token: TOKEN }), { protectedPaths: (p) => p.startsWith("/api/") });
    assert.equal((await run(custom, req("/api/x"))).status, 401);
    assert.equal((await run(custom, req("/mcp"))).status, 200);
    // /health stays public whatever the predicate says
    const all = authStage(bearer({ token: TOKEN }), { protectedPaths: () => true });
    assert.equal((await run(all, req("/health", {}, "GET"))).status, 200);
    assert.equal((await run(all, req("/anything", {}, "GET"))).status, 401);
  });

  it("runs strategy routes first, and falls through when they pass", async () => {
    const strategy: AuthStrategy = {
      name: "oauth",
      authenticate: () => ({ ok: false, description: "no" }),
      routes: (_request, ctx) => Promise.resolve(ctx.url.pathname === "/token" ? new Response("token endpoint") : undefined),
    };
    const routed = authStage(strategy);
    assert.equal((await run(routed, req("/token"))).text, "token endpoint");
    assert.equal((await run(routed, req("/mcp"))).status, 401);
    assert.equal((await run(routed, req("/health", {}, "GET"))).status, 200);
  });

  it("sends 401s that are not cached", async () => {
    const { response } = await run(stage, req("/mcp"));
    assert.equal(response.headers.get("cache-control"), "no-store");
    assert.equal(response.headers.get("content-type"), "application/json");
  });
});
