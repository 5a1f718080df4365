import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { defineTool } from "../../src/mod.ts";
import { initialize, jsonOf, mcpRequest, post, rpc, server } from "./helpers.ts";

const echo = defineTool({ name: "echo", handler: () => "ok" });
const s = server({ tools: [echo], maxBodyBytes: 512 });

describe("Streamable HTTP transport: refusals", () => {
  it("415 when Content-Type is not application/json", async () => {
    const r = await post(s, rpc("tools/list"), { contentType: "text/plain" });
    assert.equal(r.status, 415);
    const body = await jsonOf(r);
    assert.equal(body.error.code, -32600);
    assert.equal(body.id, null);
  });

  it("accepts application/json with a charset parameter", async () => {
    const r = await post(s, rpc("tools/list"), { contentType: "application/json; charset=utf-8" });
    assert.equal(r.status, 200);
  });

  it("406 when Accept allows neither JSON nor SSE", async () => {
    const r = await post(s, rpc("tools/list"), { accept: "text/html, image/png" });
    assert.equal(r.status, 406);
    assert.equal((await jsonOf(r)).error.code, -32600);
  });

  it("judges each request's own Accept header, whatever the one before it said", async () => {
    // The transport remembers the last Accept value it parsed: a different one must be parsed anew.
    for (
      const [accept, status, type] of [
        ["application/json", 200, "application/json"],
        ["text/html", 406, "application/json"],
        ["text/event-stream", 200, "text/event-stream"],
        ["text/event-stream", 200, "text/event-stream"],
        ["application/json", 200, "application/json"],
        ["text/html", 406, "application/json"],
      ] as const
    ) {
      const r = await post(s, rpc("tools/list"), { accept });
      assert.equal(r.status, status, accept);
      assert.match(r.headers.get("content-type") ?? "", new RegExp(`^${type}`), accept);
      await r.body?.cancel();
    }
  });

  it("400 -32700 with id null on a parse error", async () => {
    const r = await post(s, '{"jsonrpc":"2.0","id":1,"method":');
    assert.equal(r.status, 400);
    const body = await jsonOf(r);
    assert.equal(body.jsonrpc, "2.0");
    assert.equal(body.error.code, -32700);
    assert.equal(body.id, null);
  });

  const invalid: Array<[string, unknown, unknown]> = [
    ['jsonrpc "1.0"', { jsonrpc: "1.0", id: 5, method: "ping" }, 5],
    ["missing jsonrpc", { id: 6, method: "ping" }, 6],
    ["a string", "hello", null],
    ["a number", 42, null],
    ["null", null, null],
    ["an object id", { jsonrpc: "2.0", id: { a: 1 }, method: "ping" }, null],
    ["a boolean id", { jsonrpc: "2.0", id: true, method: "ping" }, null],
    ["params as an array", { jsonrpc: "2.0", id: 7, method: "tools/list", params: [1, 2] }, 7],
    ["an empty method", { jsonrpc: "2.0", id: 8, method: "" }, 8],
    ["an empty batch", [], null],
  ];
  for (const [what, value, id] of invalid) {
    it(`400 -32600 for an invalid request: ${what}`, async () => {
      const r = await post(s, JSON.stringify(value));
      assert.equal(r.status, 400);
      const body = await jsonOf(r);
      assert.equal(body.error.code, -32600);
      assert.equal(body.id, id);
    });
  }

  it("405 for PUT, with an Allow header", async () => {
    const r = await s.fetch(mcpRequest("PUT", { body: "{}", headers: { "content-type": "application/json" } }));
    assert.equal(r.status, 405);
    const allow = r.headers.get("allow") ?? "";
    for (const m of ["GET", "POST", "DELETE"]) assert.match(allow, new RegExp(m));
    await r.body?.cancel();
  });

  it("404 for an unknown session id", async () => {
    const r = await post(s, rpc("tools/list"), { session: "no-such-session-123" });
    assert.equal(r.status, 404);
    assert.equal((await jsonOf(r)).error.code, -32600);
  });

  it("404 for a session id that is not visible ASCII", async () => {
    const r = await post(s, rpc("tools/list"), { session: "has space" });
    assert.equal(r.status, 404);
    await r.body?.cancel();
  });

  it("DELETE ends a session (204); the id then answers 404 on POST, GET and DELETE", async () => {
    const { session } = await initialize(s);
    const before = await post(s, rpc("tools/list"), { session });
    assert.equal(before.status, 200);
    await before.body?.cancel();
    const del = await s.fetch(mcpRequest("DELETE", { headers: { "mcp-session-id": session } }));
    assert.equal(del.status, 204);
    const after = await post(s, rpc("tools/list"), { session });
    assert.equal(after.status, 404);
    await after.body?.cancel();
    const get = await s.fetch(mcpRequest("GET", { headers: { "mcp-session-id": session, accept: "text/event-stream" } }));
    assert.equal(get.status, 404);
    await get.body?.cancel();
    const again = await s.fetch(mcpRequest("DELETE", { headers: { "mcp-session-id": session } }));
    assert.equal(again.status, 404);
    await again.body?.cancel();
  });

  it("DELETE without a session id is 400", async () => {
    const r = await s.fetch(mcpRequest("DELETE"));
    assert.equal(r.status, 400);
    assert.equal((await jsonOf(r)).error.code, -32600);
  });

  it("GET without Accept: text/event-stream is 406", async () => {
    const { session } = await initialize(s);
    const r = await s.fetch(mcpRequest("GET", { headers: { "mcp-session-id": session, accept: "application/json" } }));
    assert.equal(r.status, 406);
    await r.body?.cancel();
    const none = await s.fetch(mcpRequest("GET", { headers: { "mcp-session-id": session } }));
    assert.equal(none.status, 406);
    await none.body?.cancel();
  });

  it("GET without a session is 405", async () => {
    const r = await s.fetch(mcpRequest("GET", { headers: { accept: "text/event-stream" } }));
    assert.equal(r.status, 405);
    assert.ok(r.headers.get("allow"));
    await r.body?.cancel();
  });

  it("GET with a session opens an SSE stream", async () => {
    const { session } = await initialize(s);
    const r = await s.fetch(mcpRequest("GET", { headers: { "mcp-session-id": session, accept: "text/event-stream" } }));
    assert.equal(r.status, 200);
    assert.match(r.headers.get("content-type") ?? "", /^text\/event-stream/);
    await r.body?.cancel();
    const del = await s.fetch(mcpRequest("DELETE", { headers: { "mcp-session-id": session } }));
    assert.equal(del.status, 204);
  });
});

describe("Streamable HTTP transport: batches and notifications", () => {
  for (const version of ["2025-06-18", "2025-11-25"]) {
    it(`rejects a JSON-RPC batch with 400 for ${version}`, async () => {
      const { session } = await initialize(s, { version });
      const r = await post(s, [rpc("tools/list"), rpc("tools/list")], { session, version });
      assert.equal(r.status, 400);
      assert.equal((await jsonOf(r)).error.code, -32600);
    });
  }

  it("answers a batch for 2025-03-26 with a JSON array, one response per request", async () => {
    const { session, result } = await initialize(s, { version: "2025-03-26" });
    assert.equal(result.protocolVersion, "2025-03-26");
    const a = rpc("tools/list");
    const b = rpc("ping");
    const r = await post(s, [a, { jsonrpc: "2.0", method: "notifications/whatever" }, b], { session, version: "2025-03-26" });
    assert.equal(r.status, 200);
    assert.match(r.headers.get("content-type") ?? "", /^application\/json/);
    const body = await jsonOf(r);
    assert.ok(Array.isArray(body));
    assert.equal(body.length, 2);
    const byId = new Map(body.map((m: any) => [m.id, m]));
    assert.deepEqual((byId.get(a.id) as any).result.tools.map((t: any) => t.name), ["echo"]);
    assert.deepEqual((byId.get(b.id) as any).result, {});
  });

  it("a 2025-03-26 batch with an invalid element answers the valid ones and an error for the bad one", async () => {
    const a = rpc("ping");
    const r = await post(s, [a, { jsonrpc: "1.0", id: 99, method: "ping" }], { version: "2025-03-26" });
    assert.equal(r.status, 200);
    const body = await jsonOf(r);
    assert.equal(body.length, 2);
    assert.ok(body.some((m: any) => m.id === a.id && "result" in m));
    assert.ok(body.some((m: any) => m.error?.code === -32600));
  });

  it("a POST of notifications only is answered 202 with an empty body", async () => {
    const { session } = await initialize(s);
    const r = await post(s, { jsonrpc: "2.0", method: "notifications/initialized" }, { session });
    assert.equal(r.status, 202);
    assert.equal(await r.text(), "");
  });

  it("a POST of a response nobody waits for is answered 202 with an empty body", async () => {
    const { session } = await initialize(s);
    const r = await post(s, { jsonrpc: "2.0", id: "gh-unknown", result: {} }, { session });
    assert.equal(r.status, 202);
    assert.equal(await r.text(), "");
  });
});
