import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { z } from "zod";
import { custom, defineTool } from "../../src/mod.ts";
import { call, initialize, jsonOf, mcpRequest, post, readAll, rpc, server } from "./helpers.ts";

const names = ["alpha", "bravo", "charlie", "delta", "echo"];
const tools = [
  ...names.map((name) => defineTool({ name, description: `tool ${name}`, handler: () => name })),
  defineTool({
    name: "add",
    inputSchema: z.object({ a: z.number(), b: z.number() }),
    handler: ({ a, b }) => String(a + b),
  }),
  defineTool({
    name: "boom",
    handler: () => {
      throw new Error("kaboom: disk on fire");
    },
  }),
  defineTool({
    name: "weather",
    inputSchema: z.object({ city: z.string() }),
    outputSchema: z.object({ city: z.string(), celsius: z.number() }),
    handler: ({ city }) => ({ city, celsius: 21 }),
  }),
  defineTool({
    name: "chatty",
    handler: async (_args, ctx) => {
      for (const level of ["debug", "info", "warning", "error"] as const) await ctx.log(level, `at ${level}`);
      return "done";
    },
  }),
];

const s = server({ tools, pageSize: 2, instructions: "Use the tools wisely." });

describe("2025-11-25: initialize and lifecycle", () => {
  it("negotiates: echoes a supported version, returns a visible-ASCII session id, capabilities, serverInfo, instructions", async () => {
    const { session, result, response } = await initialize(s, { version: "2025-11-25" });
    assert.match(session, /^[\x21-\x7E]+$/);
    assert.ok(session.length >= 16, "session ids must be hard to guess");
    assert.equal(result.protocolVersion, "2025-11-25");
    assert.deepEqual(result.serverInfo, { name: "test-server", version: "1.2.3" });
    assert.equal(result.instructions, "Use the tools wisely.");
    assert.deepEqual(result.capabilities.tools, { listChanged: true });
    assert.ok(result.capabilities.logging);
    assert.equal(result.resultType, undefined, "no 2026 fields on legacy results");
    assert.match(response.headers.get("content-type") ?? "", /^application\/json/);
  });

  it("echoes 2025-06-18 and 2025-03-26", async () => {
    for (const version of ["2025-06-18", "2025-03-26"]) {
      const { result } = await initialize(s, { version });
      assert.equal(result.protocolVersion, version);
    }
  });

  it("offers 2025-11-25 for an unknown version", async () => {
    const { result } = await initialize(s, { version: "1999-01-01" });
    assert.equal(result.protocolVersion, "2025-11-25");
  });

  it("offers 2025-11-25 (not the stateless 2026-07-28) when initialize asks for 2026-07-28 without an envelope", async () => {
    const r = await post(
      s,
      rpc("initialize", { protocolVersion: "2026-07-28", capabilities: {}, clientInfo: { name: "c", version: "1" } }),
    );
    assert.equal(r.status, 200);
    assert.equal((await jsonOf(r)).result.protocolVersion, "2025-11-25");
  });

  it("each initialize gets a distinct session id", async () => {
    const a = await initialize(s);
    const b = await initialize(s);
    assert.notEqual(a.session, b.session);
  });

  it("ping answers {}", async () => {
    const { session } = await initialize(s);
    const r = await call(s, session, "ping");
    assert.deepEqual(r.result, {});
  });

  it("an unsupported MCP-Protocol-Version header is 400", async () => {
    const { session } = await initialize(s);
    const r = await post(s, rpc("tools/list"), { session, version: "2024-01-01" });
    assert.equal(r.status, 400);
    const body = await jsonOf(r);
    assert.ok(body.error, "a JSON-RPC error body");
  });

  it("unknown method → -32601", async () => {
    const { session } = await initialize(s);
    const r = await call(s, session, "no/such/method");
    assert.equal(r.error.code, -32601);
  });

  it("server/discover is a 2026-only method: -32601 on a 2025 session", async () => {
    const { session } = await initialize(s);
    const r = await call(s, session, "server/discover");
    assert.equal(r.error.code, -32601);
  });
});

describe("2025-11-25: tools", () => {
  it("tools/list pages deterministically with pageSize 2", async () => {
    const { session } = await initialize(s);
    const all: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const r = await call(s, session, "tools/list", cursor ? { cursor } : {});
      assert.ok(r.result.tools.length <= 2);
      all.push(...r.result.tools.map((t: any) => t.name));
      cursor = r.result.nextCursor;
      pages++;
    } while (cursor && pages < 20);
    assert.deepEqual(all, tools.map((t) => t.name));
    assert.equal(pages, Math.ceil(tools.length / 2));
    const again = await call(s, session, "tools/list");
    assert.deepEqual(again.result.tools.map((t: any) => t.name), all.slice(0, 2));
    assert.equal(typeof again.result.nextCursor, "string");
  });

  it("tools/list entries carry name, description and an object inputSchema", async () => {
    const { session } = await initialize(s);
    const r = await call(s, session, "tools/list");
    for (const t of r.result.tools) {
      assert.equal(typeof t.name, "string");
      assert.equal(t.inputSchema.type, "object");
    }
    assert.equal(r.result.tools[0].description, "tool alpha");
  });

  for (const cursor of ["!!!not-base64!!!", "OTk5", 42, "LTE", "MS41"]) {
    it(`an invalid cursor (${JSON.stringify(cursor)}) → -32602`, async () => {
      const { session } = await initialize(s);
      const r = await call(s, session, "tools/list", { cursor });
      assert.equal(r.error?.code, -32602, JSON.stringify(r));
    });
  }

  it("unknown tool → -32602", async () => {
    const { session } = await initialize(s);
    const r = await call(s, session, "tools/call", { name: "nope", arguments: {} });
    assert.equal(r.error.code, -32602);
    assert.match(r.error.message, /nope/);
  });

  it("invalid arguments → a result with isError naming the field", async () => {
    const { session } = await initialize(s);
    const r = await call(s, session, "tools/call", { name: "add", arguments: { a: 1, b: "two" } });
    assert.equal(r.error, undefined);
    assert.equal(r.result.isError, true);
    assert.match(r.result.content[0].text, /\bb\b/);
    assert.doesNotMatch(r.result.content[0].text, /\ba:/);
  });

  it("missing arguments → isError naming each missing field", async () => {
    const { session } = await initialize(s);
    const r = await call(s, session, "tools/call", { name: "add" });
    assert.equal(r.result.isError, true);
    assert.match(r.result.content[0].text, /\ba\b/);
    assert.match(r.result.content[0].text, /\bb\b/);
  });

  it("valid arguments run the handler", async () => {
    const { session } = await initialize(s);
    const r = await call(s, session, "tools/call", { name: "add", arguments: { a: 2, b: 40 } });
    assert.deepEqual(r.result.content, [{ type: "text", text: "42" }]);
    assert.notEqual(r.result.isError, true);
  });

  it("a handler that throws → isError result with its message (not a JSON-RPC error)", async () => {
    const { session } = await initialize(s);
    const r = await call(s, session, "tools/call", { name: "boom", arguments: {} });
    assert.equal(r.error, undefined);
    assert.equal(r.result.isError, true);
    assert.match(r.result.content[0].text, /kaboom/);
    assert.doesNotMatch(JSON.stringify(r), /at .*\.ts:\d+/, "no stack trace");
  });

  it("outputSchema: structuredContent plus a text rendering; the schema is listed", async () => {
    const { session } = await initialize(s);
    const r = await call(s, session, "tools/call", { name: "weather", arguments: { city: "Oslo" } });
    assert.deepEqual(r.result.structuredContent, { city: "Oslo", celsius: 21 });
    assert.deepEqual(JSON.parse(r.result.content[0].text), { city: "Oslo", celsius: 21 });
    const list = await call(s, session, "tools/list", {
      cursor: btoa(String(tools.findIndex((t) => t.name === "weather"))).replace(/=+$/, ""),
    });
    const weather = list.result.tools.find((t: any) => t.name === "weather");
    assert.equal(weather.outputSchema.type, "object");
    assert.ok(weather.outputSchema.properties.celsius);
  });
});

describe("2025-11-25: logging/setLevel", () => {
  async function logsOf(session: string) {
    const r = await post(s, rpc("tools/call", { name: "chatty", arguments: {} }), { session });
    assert.equal(r.status, 200);
    assert.match(r.headers.get("content-type") ?? "", /^text\/event-stream/);
    const messages = (await readAll(r)).map((e) => e.json).filter(Boolean);
    const result = messages.find((m) => "result" in m);
    assert.deepEqual(result.result.content, [{ type: "text", text: "done" }]);
    return messages.filter((m) => m.method === "notifications/message").map((m) => m.params.level);
  }

  it("persists per session: logs below the level are not sent; another session is unaffected", async () => {
    const a = await initialize(s);
    const b = await initialize(s);
    const set = await call(s, a.session, "logging/setLevel", { level: "warning" });
    assert.deepEqual(set.result, {});
    assert.deepEqual(await logsOf(a.session), ["warning", "error"]);
    assert.deepEqual(await logsOf(a.session), ["warning", "error"], "still applies on a later request");
    assert.deepEqual(await logsOf(b.session), ["debug", "info", "warning", "error"]);
  });

  it("an unknown level → -32602", async () => {
    const { session } = await initialize(s);
    const r = await call(s, session, "logging/setLevel", { level: "loud" });
    assert.equal(r.error.code, -32602);
  });
});

describe("2025-11-25: sessions belong to their caller", () => {
  const users: Record<string, string> = { "token-a": "alice", "token-b": "bob" };
  const guarded = server({
    tools,
    auth: custom({
      verify: (req) => {
        const token = req.headers.get("authorization")?.replace(/^Bearer /, "") ?? "";
        return users[token] ? { subject: users[token] } : null;
      },
    }),
  });
  const A = { authorization: "Bearer token-a" };
  const B = { authorization: "Bearer token-b" };

  it("subject B using A's session id gets 404; A still gets through", async () => {
    const { session } = await initialize(guarded, { headers: A });
    const stolen = await post(guarded, rpc("tools/list"), { session, headers: B });
    assert.equal(stolen.status, 404);
    await stolen.body?.cancel();
    const own = await call(guarded, session, "tools/list", undefined, A);
    assert.ok(Array.isArray(own.result.tools));
  });

  it("subject B cannot DELETE A's session", async () => {
    const { session } = await initialize(guarded, { headers: A });
    const del = await guarded.fetch(mcpRequest("DELETE", { headers: { ...B, "mcp-session-id": session } }));
    assert.equal(del.status, 404);
    await del.body?.cancel();
    const own = await call(guarded, session, "ping", undefined, A);
    assert.deepEqual(own.result, {});
  });

  it("without credentials the endpoint is 401", async () => {
    const r = await post(guarded, rpc("tools/list"));
    assert.equal(r.status, 401);
    await r.body?.cancel();
  });
});
