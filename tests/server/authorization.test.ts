import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { custom, defineTool } from "../../src/mod.ts";
import { call, initialize, jsonOf, post, postModern, rpc, server } from "../mcp/helpers.ts";

let ran = 0;
const tools = [
  defineTool({ name: "read_file", scopes: ["files:read"], handler: () => "read" }),
  defineTool({
    name: "write_file",
    scopes: ["files:write"],
    handler: () => {
      ran++;
      return "written";
    },
  }),
  defineTool({ name: "whoami", requiresAuth: true, handler: (_a, ctx) => ctx.auth?.subject ?? "anonymous" }),
  defineTool({ name: "secret", requiresAuth: true, hideWhenUnauthorized: true, handler: () => "s" }),
  defineTool({ name: "admin_only", scopes: ["admin"], hideWhenUnauthorized: true, handler: () => "a" }),
  defineTool({ name: "public", handler: () => "p" }),
];

const readOnly = server({
  tools,
  auth: custom({ verify: () => ({ subject: "reader", scopes: ["files:read"] }) }),
});

function expectInsufficientScope(r: Response) {
  assert.equal(r.status, 403);
  const challenge = r.headers.get("www-authenticate") ?? "";
  assert.match(challenge, /^Bearer error="insufficient_scope"/);
  assert.match(challenge, /(^|[ ,])scope="files:write"/);
}

describe("per-tool authorization: scopes", () => {
  it("2025 body: a tool needing files:write called with files:read → 403 insufficient_scope naming files:write", async () => {
    ran = 0;
    const { session } = await initialize(readOnly);
    const r = await post(readOnly, rpc("tools/call", { name: "write_file", arguments: {} }), { session });
    expectInsufficientScope(r);
    const body = await jsonOf(r);
    assert.equal(body.error, "insufficient_scope");
    assert.equal(ran, 0, "the handler never ran");
  });

  it("2026 (Mcp-Name path): the same 403 challenge", async () => {
    ran = 0;
    const r = await postModern(readOnly, "tools/call", { name: "write_file", arguments: {} });
    expectInsufficientScope(r);
    await r.body?.cancel();
    assert.equal(ran, 0);
  });

  it("a tool whose scope the caller holds runs", async () => {
    const { session } = await initialize(readOnly);
    const r = await call(readOnly, session, "tools/call", { name: "read_file", arguments: {} });
    assert.deepEqual(r.result.content, [{ type: "text", text: "read" }]);
    const m = await jsonOf(await postModern(readOnly, "tools/call", { name: "read_file", arguments: {} }));
    assert.deepEqual(m.result.content, [{ type: "text", text: "read" }]);
  });

  it("a caller holding files:write gets through", async () => {
    const writer = server({ tools, auth: custom({ verify: () => ({ subject: "w", scopes: ["files:write"] }) }) });
    const r = await jsonOf(await postModern(writer, "tools/call", { name: "write_file", arguments: {} }));
    assert.deepEqual(r.result.content, [{ type: "text", text: "written" }]);
  });

  it("hideWhenUnauthorized hides a tool whose scope is missing; others stay listed", async () => {
    const { session } = await initialize(readOnly);
    const names = (await call(readOnly, session, "tools/list")).result.tools.map((t: { name: string }) => t.name);
    assert.ok(!names.includes("admin_only"));
    assert.ok(names.includes("write_file"), "a tool without hideWhenUnauthorized stays listed");
    assert.ok(names.includes("secret"), "an authenticated caller sees a requiresAuth tool");
  });
});

describe("per-tool authorization: requiresAuth with the none strategy", () => {
  const open = server({ tools });

  it("requiresAuth: true → 401 with a Bearer challenge (2025 body)", async () => {
    const { session } = await initialize(open);
    const r = await post(open, rpc("tools/call", { name: "whoami", arguments: {} }), { session });
    assert.equal(r.status, 401);
    assert.match(r.headers.get("www-authenticate") ?? "", /^Bearer/);
    await r.body?.cancel();
  });

  it("requiresAuth: true → 401 (2026)", async () => {
    const r = await postModern(open, "tools/call", { name: "whoami", arguments: {} });
    assert.equal(r.status, 401);
    await r.body?.cancel();
  });

  it("hideWhenUnauthorized hides it from tools/list; tools without it stay listed", async () => {
    const { session } = await initialize(open);
    const names = (await call(open, session, "tools/list")).result.tools.map((t: { name: string }) => t.name);
    assert.ok(!names.includes("secret"));
    assert.ok(!names.includes("admin_only"));
    assert.ok(names.includes("whoami"));
    assert.ok(names.includes("public"));
    const modern = (await jsonOf(await postModern(open, "tools/list"))).result.tools.map((t: { name: string }) => t.name);
    assert.deepEqual(modern, names);
  });

  it("a public tool still runs", async () => {
    const r = await jsonOf(await postModern(open, "tools/call", { name: "public", arguments: {} }));
    assert.deepEqual(r.result.content, [{ type: "text", text: "p" }]);
  });
});
