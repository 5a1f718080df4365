/** Mounting next to an app's own routes: handles() names Gatehouse's paths; a strategy's resource must be this endpoint. */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { createServer, jwt, memoryStore, oauth } from "../../src/mod.ts";

const issuer = "https://id.example.com";

describe("mounting", () => {
  it("handles() covers the MCP endpoint, the tools API and metadata, not the app's paths", () => {
    const server = createServer({
      name: "t",
      version: "1",
      mcpPath: "/ai/mcp",
      publicUrl: "http://localhost:8000",
      toolsApi: true,
      auth: jwt({ issuer, resource: "http://localhost:8000/ai/mcp" }),
    });
    for (const p of ["/ai/mcp", "/tools", "/tools/echo", "/.well-known/oauth-protected-resource/ai/mcp"]) {
      assert.equal(server.handles(p), true, p);
    }
    for (const p of ["/", "/health", "/mcp", "/api/things"]) assert.equal(server.handles(p), false, p);
  });

  it("handles() covers the OAuth endpoints under the oauth strategy", () => {
    const store = memoryStore();
    const server = createServer({
      name: "t",
      version: "1",
      store,
      publicUrl: "http://localhost:8000",
      auth: oauth({
        issuer: "http://localhost:8000",
        store,
        provider: { clientId: "a", clientSecret: "b", authorizeUrl: "https://p.example/auth", tokenUrl: "https://p.example/token" },
      }),
    });
    for (
      const p of ["/authorize", "/token", "/register", "/revoke", "/oauth/provider-callback", "/.well-known/oauth-authorization-server"]
    ) {
      assert.equal(server.handles(p), true, p);
    }
  });

  it("refuses at start-up a jwt resource that is not publicUrl + mcpPath", () => {
    assert.throws(
      () =>
        createServer({
          name: "t",
          version: "1",
          mcpPath: "/ai/mcp",
          publicUrl: "http://localhost:8000",
          auth: jwt({ issuer, resource: "http://localhost:8000/mcp" }),
        }),
      /resource is http:\/\/localhost:8000\/mcp, but the MCP endpoint is http:\/\/localhost:8000\/ai\/mcp/,
    );
  });
});
