/** Request ids, structured logs, trace context in the tool context, and metric hooks. */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { bearer, createServer, defineTool, jsonLogger, parseTraceparent } from "../../src/mod.ts";
import type { RequestMetric, ToolMetric } from "../../src/mod.ts";

const TRACE = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
const call = (name: string, extra: { headers?: Record<string, string>; meta?: Record<string, unknown> } = {}) =>
  new Request("http://localhost:8000/mcp", {
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/json", ...extra.headers },
    body: JSON.stringify({
      jsonrpc: "2.0",
      id: 1,
      method: "tools/call",
      params: { name, arguments: {}, ...(extra.meta && { _meta: extra.meta }) },
    }),
  });

describe("observability", () => {
  const lines: string[] = [];
  const requests: RequestMetric[] = [];
  const toolCalls: ToolMetric[] = [];
  const server = createServer({
    name: "t",
    version: "1",
    tools: [
      defineTool({ name: "trace", handler: (_a, ctx) => JSON.stringify(ctx.trace ?? null) }),
      defineTool({
        name: "boom",
        handler: () => {
          throw new Error("tool failed");
        },
      }),
    ],
    logger: jsonLogger({ level: "warn", write: (l) => lines.push(l) }),
    metrics: { request: (m) => requests.push(m), toolCall: (m) => toolCalls.push(m) },
  });

  it("puts the request id on error responses, and on every response when the caller sent one (kept when well-formed)", async () => {
    const ok = await server.fetch(call("trace"));
    assert.equal(ok.status, 200);
    assert.equal(ok.headers.get("x-request-id"), null, "a successful answer carries only Content-Type by default");
    const b = await server.fetch(call("trace", { headers: { "x-request-id": "req-123.abc" } }));
    assert.equal(b.headers.get("x-request-id"), "req-123.abc");
    const c = await server.fetch(call("trace", { headers: { "x-request-id": "bad id\twith spaces" } }));
    assert.equal(c.headers.get("x-request-id"), null, "a malformed id is neither kept nor echoed");
    const refused = await server.fetch(new Request("http://evil.example/mcp", { method: "POST" }));
    assert.equal(refused.status, 403);
    assert.match(refused.headers.get("x-request-id") ?? "", /^[A-Za-z0-9_-]{8}-[0-9a-z]+$/);
    const missing = await server.fetch(new Request("http://localhost:8000/nowhere"));
    assert.equal(missing.status, 404);
    assert.match(missing.headers.get("x-request-id") ?? "", /^[A-Za-z0-9_-]{8}-[0-9a-z]+$/);
    assert.notEqual(missing.headers.get("x-request-id"), refused.headers.get("x-request-id"));
    const locked = createServer({ name: "t", version: "1", auth: bearer({ token: "observability-token-0123456789abcdef" }) });
    const unauthorized = await locked.fetch(call("trace"));
    assert.equal(unauthorized.status, 401);
    assert.ok(unauthorized.headers.get("x-request-id"));
  });

  it("a JSON-RPC error answer carries the request id even with HTTP 200", async () => {
    const unknown = await server.fetch(call("no-such-tool"));
    assert.ok((await unknown.json()).error);
    assert.ok(unknown.headers.get("x-request-id"));
  });

  it("requestIdHeader: 'always' puts a fresh id on every response", async () => {
    const always = createServer({
      name: "t",
      version: "1",
      requestIdHeader: "always",
      tools: [defineTool({ name: "trace", handler: () => "ok" })],
    });
    const a = await always.fetch(call("trace"));
    assert.equal(a.status, 200);
    assert.match(a.headers.get("x-request-id") ?? "", /^[A-Za-z0-9_-]{8}-[0-9a-z]+$/);
    assert.notEqual((await always.fetch(call("trace"))).headers.get("x-request-id"), a.headers.get("x-request-id"));
  });

  it("hands the caller's trace context to the tool, from _meta or else the header", async () => {
    const fromHeader = JSON.parse(
      (await (await server.fetch(call("trace", { headers: { traceparent: TRACE } }))).json()).result.content[0].text,
    );
    assert.equal(fromHeader.traceId, "4bf92f3577b34da6a3ce929d0e0e4736");
    assert.equal(fromHeader.parentId, "00f067aa0ba902b7");
    const meta = "00-11111111111111111111111111111111-2222222222222222-00";
    const fromMeta = JSON.parse(
      (await (await server.fetch(call("trace", { headers: { traceparent: TRACE }, meta: { traceparent: meta } }))).json()).result.content[0]
        .text,
    );
    assert.equal(fromMeta.traceId, "11111111111111111111111111111111");
    assert.equal(parseTraceparent("00-00000000000000000000000000000000-2222222222222222-00"), undefined);
    assert.equal(parseTraceparent("garbage"), undefined);
  });

  it("reports requests and tool calls to the metric hooks", async () => {
    requests.length = 0;
    toolCalls.length = 0;
    await server.fetch(call("boom"));
    assert.equal(requests.length, 1);
    assert.equal(requests[0].status, 200);
    assert.equal(requests[0].outcome, "ok");
    assert.equal(requests[0].tool, "boom");
    assert.ok(requests[0].durationMs >= 0);
    assert.deepEqual(toolCalls.map((t) => [t.tool, t.isError]), [["boom", true]]);
  });

  it("logs JSON lines at or above the level, without stack traces", async () => {
    lines.length = 0;
    const broken = createServer({
      name: "t",
      version: "1",
      resources: [{
        uri: "x://broken",
        name: "broken",
        read: () => {
          throw new Error("disk on fire");
        },
      }],
      logger: jsonLogger({ level: "warn", write: (l) => lines.push(l) }),
    });
    await broken.fetch(
      new Request("http://localhost:8000/mcp", {
        method: "POST",
        headers: { "content-type": "application/json", accept: "application/json" },
        body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "resources/read", params: { uri: "x://broken" } }),
      }),
    );
    assert.equal(lines.length, 1);
    const record = JSON.parse(lines[0]);
    assert.equal(record.level, "error");
    assert.equal(record.error, "disk on fire");
    assert.doesNotMatch(lines[0], /at .*\.ts:\d+/);
    const quiet: string[] = [];
    jsonLogger({ level: "warn", write: (l) => quiet.push(l) }).log("info", "not shown");
    assert.equal(quiet.length, 0);
  });
});
