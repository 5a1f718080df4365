import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { PUBLIC, req, RESOURCE, type Setup, setup } from "./helpers.ts";

describe("oauth discovery documents", () => {
  let s: Setup;
  before(async () => (s = await setup()));
  after(() => s.close());

  it("RFC 8414 metadata: S256 only, iss parameter supported, every endpoint, CORS", async () => {
    const r = await s.server.fetch(req("/.well-known/oauth-authorization-server", { headers: { origin: PUBLIC } }));
    assert.equal(r.status, 200);
    assert.ok(r.headers.get("access-control-allow-origin"));
    const m = await r.json();
    assert.equal(m.issuer, PUBLIC);
    assert.deepEqual(m.code_challenge_methods_supported, ["S256"]);
    assert.equal(m.authorization_response_iss_parameter_supported, true);
    assert.deepEqual(m.response_types_supported, ["code"]);
    for (
      const [k, path] of [["authorization_endpoint", "/authorize"], ["token_endpoint", "/token"], ["registration_endpoint", "/register"], [
        "revocation_endpoint",
        "/revoke",
      ]]
    ) {
      assert.equal(m[k], `${PUBLIC}${path}`);
    }
  });

  it("RFC 9728 metadata at the root and path-inserted for /mcp; nothing at other paths", async () => {
    const inserted = await (await s.server.fetch(req("/.well-known/oauth-protected-resource/mcp"))).json();
    assert.equal(inserted.resource, RESOURCE);
    assert.deepEqual(inserted.authorization_servers, [PUBLIC]);
    assert.deepEqual(inserted.scopes_supported, ["mcp:tools"]);
    const root = await (await s.server.fetch(req("/.well-known/oauth-protected-resource"))).json();
    assert.equal(root.resource, RESOURCE, "one resource: the root document describes the MCP endpoint too");
    assert.notEqual((await s.server.fetch(req("/.well-known/oauth-protected-resource/anything"))).status, 200);
  });

  it("the 401 challenge's resource_metadata URL points at the path-inserted document", async () => {
    assert.equal(s.strategy.resourceMetadataUrl, `${PUBLIC}/.well-known/oauth-protected-resource/mcp`);
    const r = await s.server.fetch(req("/mcp", { method: "POST", body: "{}", headers: { "content-type": "application/json" } }));
    assert.equal(r.status, 401);
    assert.match(
      r.headers.get("www-authenticate")!,
      /resource_metadata="http:\/\/localhost:8000\/\.well-known\/oauth-protected-resource\/mcp"/,
    );
    assert.match(r.headers.get("www-authenticate")!, /scope="mcp:tools"/);
  });

  it("token, register and revoke are open to any origin (browser clients), without credentials", async () => {
    const r = await s.server.fetch(req("/token", {
      method: "POST",
      body: "grant_type=x",
      headers: { origin: "https://inspector.example", "content-type": "application/x-www-form-urlencoded" },
    }));
    assert.equal(r.status, 401, "reached the endpoint (invalid_client), not refused by the Origin check");
    assert.equal(r.headers.get("access-control-allow-origin"), "*");
  });

  it("answers CORS preflights on token, register, revoke and metadata", async () => {
    for (const path of ["/token", "/register", "/revoke", "/.well-known/oauth-authorization-server"]) {
      const r = await s.server.fetch(
        req(path, { method: "OPTIONS", headers: { origin: PUBLIC, "access-control-request-method": "POST" } }),
      );
      assert.equal(r.status, 204, path);
      assert.ok(r.headers.get("access-control-allow-origin"), path);
    }
  });
});
