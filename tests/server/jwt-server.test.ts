/** The jwt strategy through createServer: metadata served, challenges pointing at it, scopes enforced per tool. */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { createServer, defineTool, jwt } from "../../src/mod.ts";
import { makeKey, sign, startIssuer, type TestIssuer, type TestKey } from "../auth/jwt-fixtures.ts";

const PUBLIC = "http://localhost:8000";
const RESOURCE = `${PUBLIC}/mcp`;

describe("jwt strategy wired into createServer", () => {
  let issuer: TestIssuer;
  let key: TestKey;
  let server: ReturnType<typeof createServer>;
  const token = (claims: Record<string, unknown> = {}) =>
    sign(key, { iss: issuer.url, aud: RESOURCE, sub: "user-1", exp: Math.floor(Date.now() / 1000) + 300, scope: "notes:read", ...claims });
  const call = (auth: string | undefined, name = "read_notes", extra: HeadersInit = {}) =>
    server.fetch(
      new Request(`${PUBLIC}/mcp`, {
        method: "POST",
        headers: { "content-type": "application/json", accept: "application/json", ...(auth && { authorization: auth }), ...extra },
        body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/call", params: { name, arguments: {} } }),
      }),
    );

  before(async () => {
    issuer = await startIssuer();
    key = await makeKey("ES256", "k1");
    issuer.keys = [key.jwk];
    server = createServer({
      name: "t",
      version: "1",
      publicUrl: PUBLIC,
      auth: jwt({ issuer: issuer.url, jwksUri: issuer.jwksUri, resource: RESOURCE, scopes: ["notes:read", "notes:write"] }),
      tools: [
        defineTool({ name: "read_notes", scopes: ["notes:read"], handler: (_a, ctx) => `hello ${ctx.auth?.subject}` }),
        defineTool({ name: "write_notes", scopes: ["notes:write"], handler: () => "written" }),
      ],
    });
  });
  after(() => issuer.close());

  it("serves protected-resource metadata at the path-inserted and root URLs, to any origin", async () => {
    for (const path of ["/.well-known/oauth-protected-resource/mcp", "/.well-known/oauth-protected-resource"]) {
      const r = await server.fetch(new Request(`${PUBLIC}${path}`, { headers: { origin: "https://claude.ai" } }));
      assert.equal(r.status, 200, path);
      assert.equal(r.headers.get("access-control-allow-origin"), "*");
      const doc = await r.json();
      assert.equal(doc.resource, RESOURCE);
      assert.deepEqual(doc.authorization_servers, [issuer.url]);
    }
  });

  it("answers a missing token with 401 pointing at the metadata and naming the scopes", async () => {
    const r = await call(undefined);
    assert.equal(r.status, 401);
    const challenge = r.headers.get("www-authenticate") ?? "";
    assert.match(challenge, /^Bearer /);
    assert.match(challenge, /resource_metadata="http:\/\/localhost:8000\/\.well-known\/oauth-protected-resource\/mcp"/);
    assert.match(challenge, /scope="notes:read notes:write"/);
    assert.doesNotMatch(challenge, /error=/);
  });

  it("accepts a valid token and refuses one for another audience", async () => {
    const ok = await call(`Bearer ${await token()}`);
    assert.equal(ok.status, 200);
    assert.match(JSON.stringify(await ok.json()), /hello user-1/);
    const foreign = await call(`Bearer ${await token({ aud: "https://other.example/mcp" })}`);
    assert.equal(foreign.status, 401);
    assert.match(foreign.headers.get("www-authenticate") ?? "", /error="invalid_token"/);
  });

  it("steps up with 403 insufficient_scope and the metadata URL for a tool needing more scope", async () => {
    const r = await call(`Bearer ${await token()}`, "write_notes");
    assert.equal(r.status, 403);
    const challenge = r.headers.get("www-authenticate") ?? "";
    assert.match(challenge, /error="insufficient_scope"/);
    assert.match(challenge, /scope="notes:write"/);
    assert.match(challenge, /resource_metadata="/);
  });

  it("still refuses a foreign Origin on the MCP endpoint itself", async () => {
    const r = await call(`Bearer ${await token()}`, "read_notes", { origin: "https://evil.example" });
    assert.equal(r.status, 403);
  });
});
