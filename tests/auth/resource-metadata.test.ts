import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  protectedResourceMetadata,
  resourceMetadataPaths,
  resourceMetadataRoute,
  resourceMetadataUrl,
} from "../../src/auth/resource-metadata.ts";
import { jwt } from "../../src/auth/jwt.ts";
import { authStage } from "../../src/auth/stage.ts";
import { contextFor, run } from "./helpers.ts";

const RESOURCE = "https://mcp.example.com/mcp";
const ISSUER = "https://id.example.com";

describe("protected resource metadata (RFC 9728)", () => {
  it("the document lists the issuer, the resource, scopes and header-only bearer use", () => {
    assert.deepEqual(
      protectedResourceMetadata({ resource: RESOURCE, authorizationServers: [ISSUER], scopesSupported: ["a", "offline_access", "b"] }),
      {
        resource: RESOURCE,
        authorization_servers: [ISSUER],
        bearer_methods_supported: ["header"],
        scopes_supported: ["a", "b"],
      },
    );
    assert.throws(() => protectedResourceMetadata({ resource: RESOURCE, authorizationServers: [] }), /at least one/);
  });

  it("the metadata URL inserts the well-known suffix before the resource path", () => {
    assert.equal(resourceMetadataUrl(RESOURCE), "https://mcp.example.com/.well-known/oauth-protected-resource/mcp");
    assert.equal(resourceMetadataUrl("https://h.example/tools/mcp"), "https://h.example/.well-known/oauth-protected-resource/tools/mcp");
    assert.equal(resourceMetadataUrl("https://h.example"), "https://h.example/.well-known/oauth-protected-resource");
    assert.deepEqual(resourceMetadataPaths(RESOURCE), [
      "/.well-known/oauth-protected-resource/mcp",
      "/.well-known/oauth-protected-resource",
    ]);
  });

  it("is served at the path-inserted and the root well-known URLs through the auth stage, without credentials", async () => {
    const strategy = jwt({ issuer: ISSUER, resource: RESOURCE, scopes: ["files:read"] });
    const stage = authStage(strategy, { resourceMetadataUrl: strategy.resourceMetadataUrl });
    for (const path of ["/.well-known/oauth-protected-resource/mcp", "/.well-known/oauth-protected-resource"]) {
      const r = await run(stage, new Request(`https://mcp.example.com${path}`, { headers: { origin: "https://inspector.example" } }));
      assert.equal(r.status, 200, path);
      assert.deepEqual(r.body, {
        resource: RESOURCE,
        authorization_servers: [ISSUER],
        bearer_methods_supported: ["header"],
        scopes_supported: ["files:read"],
      });
      assert.equal(r.response.headers.get("access-control-allow-origin"), "*");
      assert.match(r.response.headers.get("cache-control") ?? "", /max-age=\d+/);
      assert.equal(r.response.headers.get("content-type"), "application/json");
    }
    assert.equal(strategy.resourceMetadataUrl, "https://mcp.example.com/.well-known/oauth-protected-resource/mcp");
  });

  it("answers HEAD, a preflight, 405 for other methods, and passes other paths on", async () => {
    const route = resourceMetadataRoute(protectedResourceMetadata({ resource: RESOURCE, authorizationServers: [ISSUER] }));
    const at = (method: string, path = "/.well-known/oauth-protected-resource/mcp") => {
      const request = new Request(`https://mcp.example.com${path}`, { method });
      return route(request, contextFor(request));
    };
    assert.equal((await at("HEAD"))?.status, 200);
    const preflight = await at("OPTIONS");
    assert.equal(preflight?.status, 204);
    assert.match(preflight?.headers.get("access-control-allow-methods") ?? "", /GET/);
    assert.equal((await at("POST"))?.status, 405);
    assert.equal(await at("GET", "/.well-known/oauth-protected-resource/other"), undefined);
    assert.equal(await at("GET", "/mcp"), undefined);
  });

  it("serializes the document once", async () => {
    const doc = protectedResourceMetadata({ resource: RESOURCE, authorizationServers: [ISSUER] });
    const route = resourceMetadataRoute(doc);
    doc.authorization_servers.push("https://changed.example");
    const request = new Request("https://mcp.example.com/.well-known/oauth-protected-resource");
    assert.deepEqual((await (await route(request, contextFor(request)))!.json()).authorization_servers, [ISSUER]);
  });
});
