/** The plain HTTP tools API: off by default, behind the same auth, per-tool checks and rate limits as /mcp. */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { z } from "zod";
import { bearer, createServer, defineTool, rateLimit } from "../../src/mod.ts";

const TOKEN = "tools-api-token-0123456789abcdefgh";
const tools = [
  defineTool({
    name: "add",
    inputSchema: z.object({ a: z.number(), b: z.number() }),
    outputSchema: z.object({ sum: z.number() }),
    handler: ({ a, b }) => ({ sum: a + b }),
  }),
  defineTool({
    name: "fail",
    handler: () => {
      throw new Error("it broke");
    },
  }),
  defineTool({ name: "admin", scopes: ["admin"], handler: () => "secret" }),
  defineTool({ name: "once", middlewares: [rateLimit({ rps: 0.001, burst: 1 })], handler: () => "ok" }),
];
const make = (toolsApi = true) => createServer({ name: "t", version: "1", tools, auth: bearer({ token: TOKEN }), toolsApi });
const req = (path: string, init: RequestInit & { token?: string | null } = {}) =>
  new Request(`http://localhost:8000${path}`, {
    ...init,
    headers: {
      ...(init.token !== null && { authorization: `Bearer ${init.token ?? TOKEN}` }),
      "content-type": "application/json",
      ...init.headers,
    },
  });

describe("HTTP tools API", () => {
  it("is off by default", async () => {
    assert.equal((await make(false).fetch(req("/tools"))).status, 404);
  });

  it("needs the same credential as /mcp", async () => {
    const r = await make().fetch(req("/tools", { token: null }));
    assert.equal(r.status, 401);
    assert.equal((await make().fetch(req("/tools", { token: "wrong-token-0123456789abcdefghijkl" }))).status, 401);
  });

  it("lists tools with their schemas", async () => {
    const body = await (await make().fetch(req("/tools"))).json();
    assert.deepEqual(body.tools.map((t: { name: string }) => t.name), ["add", "fail", "admin", "once"]);
    assert.equal(body.tools[0].inputSchema.properties.a.type, "number");
  });

  it("calls a tool with a JSON body of arguments and returns its result", async () => {
    const r = await make().fetch(req("/tools/add", { method: "POST", body: JSON.stringify({ a: 2, b: 3 }) }));
    assert.equal(r.status, 200);
    assert.deepEqual((await r.json()).structuredContent, { sum: 5 });
  });

  it("answers bad input and failures with a status and a reason", async () => {
    const server = make();
    assert.equal((await server.fetch(req("/tools/nope", { method: "POST", body: "{}" }))).status, 404);
    const bad = await server.fetch(req("/tools/add", { method: "POST", body: JSON.stringify({ a: "x" }) }));
    assert.equal(bad.status, 400);
    assert.match((await bad.json()).error_description, /a:/);
    assert.equal((await server.fetch(req("/tools/add", { method: "POST", body: "{not json" }))).status, 400);
    const failed = await server.fetch(req("/tools/fail", { method: "POST" }));
    assert.equal(failed.status, 422);
    assert.equal((await failed.json()).error_description, "it broke");
    assert.equal((await server.fetch(req("/tools/add", { method: "GET" }))).status, 405);
  });

  it("applies per-tool scopes and rate limits", async () => {
    const server = make();
    const denied = await server.fetch(req("/tools/admin", { method: "POST" }));
    assert.equal(denied.status, 403);
    assert.match(denied.headers.get("www-authenticate") ?? "", /insufficient_scope/);
    assert.equal((await server.fetch(req("/tools/once", { method: "POST" }))).status, 200);
    const limited = await server.fetch(req("/tools/once", { method: "POST" }));
    assert.equal(limited.status, 429);
    assert.ok(limited.headers.get("retry-after"));
  });
});
