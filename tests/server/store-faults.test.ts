/** A store that throws or hangs: 503 with Retry-After (never a 500 or a hang), and service resumes when the store does. */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { createServer, defineTool, memoryStore } from "../../src/mod.ts";
import type { KV } from "../../src/mod.ts";

type Mode = "ok" | "throw" | "hang";

/** A memory store whose every call can be made to throw or never answer. */
function faultyStore(): { store: KV; mode: (m: Mode) => void } {
  const inner = memoryStore();
  let mode: Mode = "ok";
  const wrap = <A extends unknown[], R>(f: (...a: A) => Promise<R>) => (...a: A): Promise<R> =>
    mode === "ok" ? f(...a) : mode === "throw" ? Promise.reject(new Error("connection refused")) : new Promise<R>(() => {});
  const store: KV = {
    get: wrap((k) => inner.get(k)),
    set: wrap((k, v, o) => inner.set(k, v, o)),
    delete: wrap((k) => inner.delete(k)),
    take: wrap((k) => inner.take(k)),
    update: wrap((k, f, o) => inner.update(k, f as never, o)),
    list: wrap((p, o) => inner.list(p, o)),
    close: () => inner.close(),
  };
  return { store, mode: (m) => (mode = m) };
}

const initialize = () =>
  new Request("http://localhost:8000/mcp", {
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/json, text/event-stream" },
    body: JSON.stringify({
      jsonrpc: "2.0",
      id: 1,
      method: "initialize",
      params: { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "t", version: "1" } },
    }),
  });

describe("store faults", () => {
  const echo = defineTool({ name: "echo", handler: () => "ok" });

  it("a browser client can read the 503: CORS headers and Retry-After exposed, as on any answer", async () => {
    const faulty = faultyStore();
    const server = createServer({ name: "t", version: "1", tools: [echo], store: faulty.store, storeTimeoutMs: 50 });
    faulty.mode("throw");
    const request = initialize();
    request.headers.set("origin", "http://localhost:8000");
    const refused = await server.fetch(request);
    assert.equal(refused.status, 503);
    assert.equal(refused.headers.get("access-control-allow-origin"), "http://localhost:8000");
    assert.match(refused.headers.get("access-control-expose-headers") ?? "", /retry-after/);
    assert.equal(refused.headers.get("retry-after"), "1");
    assert.ok(refused.headers.get("x-request-id"));
    await refused.body?.cancel();
  });

  for (const m of ["throw", "hang"] as const) {
    it(`answers 503 with Retry-After and a JSON-RPC error when the store ${m}s, then recovers`, async () => {
      const faulty = faultyStore();
      const server = createServer({ name: "t", version: "1", tools: [echo], store: faulty.store, storeTimeoutMs: 50 });
      faulty.mode(m);
      const refused = await server.fetch(initialize());
      assert.equal(refused.status, 503);
      assert.equal(refused.headers.get("retry-after"), "1");
      const body = await refused.json();
      assert.equal(body.jsonrpc, "2.0");
      assert.equal(body.error.code, -32603);
      assert.doesNotMatch(JSON.stringify(body), /connection refused|at .*\.ts/);
      faulty.mode("ok");
      const ok = await server.fetch(initialize());
      assert.equal(ok.status, 200);
      assert.ok(ok.headers.get("mcp-session-id"));
    });
  }

  it("a session request during an outage gets 503, not 404 or 500", async () => {
    const faulty = faultyStore();
    const server = createServer({ name: "t", version: "1", tools: [echo], store: faulty.store, storeTimeoutMs: 50 });
    const session = (await server.fetch(initialize())).headers.get("mcp-session-id")!;
    faulty.mode("throw");
    // A session this instance has cached is served without the store; an unknown one needs the store.
    const unknown = await server.fetch(
      new Request("http://localhost:8000/mcp", {
        method: "POST",
        headers: {
          "content-type": "application/json",
          accept: "application/json",
          "mcp-session-id": `${session}x`,
          "mcp-protocol-version": "2025-11-25",
        },
        body: JSON.stringify({ jsonrpc: "2.0", id: 2, method: "tools/list" }),
      }),
    );
    assert.equal(unknown.status, 503);
  });
});
