import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { z } from "zod";
import { defineTool } from "../../src/mod.ts";
import { envelope, initialize, jsonOf, modernHeaders, post, postModern, rpc, server } from "../mcp/helpers.ts";

describe("robustness: a handler that never resolves", () => {
  const s = server({
    requestTimeoutMs: 200,
    tools: [
      defineTool({ name: "hang", handler: () => new Promise<string>(() => {}) }),
      defineTool({ name: "fine", handler: () => "still here" }),
    ],
  });

  it("2025: answered with an error after requestTimeoutMs, and the next request is served", async () => {
    const { session } = await initialize(s);
    const req = rpc("tools/call", { name: "hang", arguments: {} });
    const r = await post(s, req, { session });
    assert.equal(r.status, 200);
    const body = await jsonOf(r);
    assert.equal(body.id, req.id);
    assert.equal(body.result, undefined);
    assert.equal(typeof body.error.code, "number");
    const next = await jsonOf(await post(s, rpc("tools/call", { name: "fine", arguments: {} }), { session }));
    assert.deepEqual(next.result.content, [{ type: "text", text: "still here" }]);
  });

  // BUG (src/mcp/transport.ts dispatchWithTimeout): the timer calls controller.abort() before
  // resolving its own failure, so the synchronous abort listener wins the race and a timeout is
  // reported as "Request cancelled"; the "Request timed out after N ms" message is unreachable.
  it("the timeout error says it timed out (not that the client cancelled)", async () => {
    const r = await postModern(s, "tools/call", { name: "hang", arguments: {} }, { id: "t1" });
    const body = await jsonOf(r);
    assert.equal(body.error?.code, -32603);
    assert.match(body.error.message, /timed out after 200 ms/);
  });

  it("2026: answered with an error, and the server keeps serving", async () => {
    const r = await postModern(s, "tools/call", { name: "hang", arguments: {} }, { id: "h1" });
    assert.ok(r.status < 500);
    const body = await jsonOf(r);
    assert.equal(body.id, "h1");
    assert.ok(body.error);
    const next = await jsonOf(await postModern(s, "tools/call", { name: "fine", arguments: {} }));
    assert.deepEqual(next.result.content, [{ type: "text", text: "still here" }]);
  });
});

describe("robustness: garbage never gets a 5xx", () => {
  const s = server({
    tools: [
      defineTool({ name: "typed", inputSchema: z.object({ n: z.number() }), handler: ({ n }) => String(n) }),
      defineTool({ name: "plain", handler: () => "plain" }),
    ],
    prompts: [{ name: "p", arguments: [{ name: "a", required: true }], get: (args) => `a=${args.a}` }],
    resources: [{ uri: "test://r", name: "r", read: () => "r" }],
  });

  const deep = (n: number, open: string, close: string) => open.repeat(n) + close.repeat(n);
  const bodies: Array<[string, string]> = [
    ["deeply nested arrays", deep(100_000, "[", "]")],
    ["deeply nested objects", '{"a":'.repeat(50_000) + "1" + "}".repeat(50_000)],
    [
      "deep params",
      `{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"plain","arguments":${'{"a":'.repeat(20_000)}1${
        "}".repeat(20_000)
      }}}`,
    ],
    ["nested arrays in a batch", JSON.stringify([[[[[1]]]], [[[]]]])],
    ["a huge number id", '{"jsonrpc":"2.0","id":1e400,"method":"ping"}'],
    ["a long-digit id", `{"jsonrpc":"2.0","id":${"9".repeat(400)},"method":"tools/list"}`],
    ["a huge number argument", '{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"typed","arguments":{"n":1e999}}}'],
    ["unicode method", JSON.stringify(rpc("☃/\u0000\uFFFF", {}))],
    ["lone surrogate", '{"jsonrpc":"2.0","id":"\\ud800","method":"tools/call","params":{"name":"\\udfff"}}'],
    ["emoji tool name", JSON.stringify(rpc("tools/call", { name: "🔥".repeat(50), arguments: {} }))],
    ["name is an object", '{"jsonrpc":"2.0","method":"tools/call","params":{"name":{"x":1}}}'],
    ["name is an object, with id", '{"jsonrpc":"2.0","id":4,"method":"tools/call","params":{"name":{"x":1}}}'],
    ["name is null", '{"jsonrpc":"2.0","id":5,"method":"tools/call","params":{"name":null}}'],
    ["arguments is an array", '{"jsonrpc":"2.0","id":6,"method":"tools/call","params":{"name":"plain","arguments":[1,2]}}'],
    ["arguments is a string", '{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"typed","arguments":"n=1"}}'],
    ["__proto__ method", '{"jsonrpc":"2.0","id":8,"method":"__proto__","params":{}}'],
    ["constructor method", '{"jsonrpc":"2.0","id":9,"method":"constructor"}'],
    ["toString method", '{"jsonrpc":"2.0","id":10,"method":"toString"}'],
    ["__proto__ in params", '{"jsonrpc":"2.0","id":11,"method":"tools/call","params":{"__proto__":{"name":"plain"},"name":"plain"}}'],
    ["prompt args not strings", '{"jsonrpc":"2.0","id":12,"method":"prompts/get","params":{"name":"p","arguments":{"a":{"b":1}}}}'],
    ["prompt args array", '{"jsonrpc":"2.0","id":13,"method":"prompts/get","params":{"name":"p","arguments":["a"]}}'],
    ["completion garbage", '{"jsonrpc":"2.0","id":14,"method":"completion/complete","params":{"ref":"x","argument":5}}'],
    ["resources/read uri object", '{"jsonrpc":"2.0","id":15,"method":"resources/read","params":{"uri":{"a":1}}}'],
    ["logging/setLevel object", '{"jsonrpc":"2.0","id":16,"method":"logging/setLevel","params":{"level":{"a":1}}}'],
    ["cancelled with object requestId", '{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":{"a":1}}}'],
    ["response with object id", '{"jsonrpc":"2.0","id":{"a":1},"result":{}}'],
    ["error response without code", '{"jsonrpc":"2.0","id":"x","error":{"message":"m"}}'],
    ["cursor object", '{"jsonrpc":"2.0","id":17,"method":"tools/list","params":{"cursor":{"a":1}}}'],
    ["_meta is null", '{"jsonrpc":"2.0","id":18,"method":"tools/list","params":{"_meta":null}}'],
    ["_meta is an array", '{"jsonrpc":"2.0","id":19,"method":"tools/list","params":{"_meta":[1]}}'],
    [
      "_meta protocolVersion object",
      '{"jsonrpc":"2.0","id":20,"method":"tools/list","params":{"_meta":{"io.modelcontextprotocol/protocolVersion":{"a":1}}}}',
    ],
    [
      "_meta protocolVersion null",
      '{"jsonrpc":"2.0","id":21,"method":"tools/list","params":{"_meta":{"io.modelcontextprotocol/protocolVersion":null,"io.modelcontextprotocol/clientCapabilities":{}}}}',
    ],
    ["BOM-prefixed body", "\uFEFF" + JSON.stringify(rpc("ping"))],
    ["empty body", ""],
    ["whitespace body", "   \n  "],
    ["just true", "true"],
    ["a 10k-element batch of numbers", JSON.stringify(Array.from({ length: 10_000 }, (_, i) => i))],
  ];

  for (const [what, body] of bodies) {
    it(`${what}: no 5xx (2025, no session)`, async () => {
      const r = await post(s, body);
      const text = await r.text();
      assert.ok(r.status < 500, `${r.status}: ${text.slice(0, 200)}`);
      assert.doesNotMatch(text, /\bat .+:\d+:\d+/, "no stack trace");
    });
  }

  it("garbage through a session and with modern headers: no 5xx, and the server still answers", async () => {
    const { session } = await initialize(s);
    for (const [what, body] of bodies) {
      for (
        const headers of [{ "mcp-session-id": session }, modernHeaders("tools/call", "plain"), { "mcp-protocol-version": "\u00ff\u00fe" }]
      ) {
        const r = await post(s, body, { headers });
        const text = await r.text();
        assert.ok(r.status < 500, `${what} with ${JSON.stringify(headers)} → ${r.status}: ${text.slice(0, 200)}`);
      }
    }
    const ok = await jsonOf(await post(s, rpc("tools/call", { name: "plain", arguments: {} }), { session }));
    assert.deepEqual(ok.result.content, [{ type: "text", text: "plain" }]);
  });

  it("modern envelopes with garbage in every slot: no 5xx", async () => {
    const garbage = [null, 0, -1, 1e308, "", "☃", [], {}, { a: { b: [1, { c: null }] } }, true];
    for (const g of garbage) {
      const variants: Record<string, unknown>[] = [
        { name: g, arguments: {}, _meta: envelope() },
        { name: "plain", arguments: g, _meta: envelope() },
        { name: "plain", arguments: {}, _meta: envelope(g as never) },
        { name: "plain", arguments: {}, inputResponses: g, requestState: g, _meta: envelope({ elicitation: {} }) },
        { name: "plain", arguments: {}, _meta: { ...envelope(), progressToken: g, "io.modelcontextprotocol/logLevel": g } },
        { notifications: g, _meta: envelope() },
      ];
      for (const params of variants) {
        for (const method of ["tools/call", "subscriptions/listen"]) {
          const name = typeof params.name === "string" && /^[\x20-\x7e]*$/.test(params.name) ? params.name : undefined;
          const r = await post(s, rpc(method, params), { headers: modernHeaders(method, name) });
          assert.ok(r.status < 500, `${method} ${JSON.stringify(params).slice(0, 120)} → ${r.status}`);
          await r.body?.cancel();
        }
      }
    }
  });
});

describe("robustness: stages that fail", () => {
  const logged: string[] = [];
  const logger = { log: (_level: string, message: string) => void logged.push(message) };
  const throwing = server({
    logger,
    // Not async: it throws synchronously instead of returning a rejected promise.
    stages: [(next) => (request, ctx) => {
      if (ctx.pathname === "/boom") throw new Error("secret internals");
      return next(request, ctx);
    }],
  });

  it("a stage that throws synchronously is a 500 without details, logged, and the next request is served", async () => {
    const r = await throwing.fetch(new Request("http://localhost:8000/boom", { headers: { host: "localhost:8000" } }));
    assert.equal(r.status, 500);
    const text = await r.text();
    assert.ok(!text.includes("secret internals"), text);
    assert.ok(logged.includes("unhandled error"));
    const health = await throwing.fetch(new Request("http://localhost:8000/health", { headers: { host: "localhost:8000" } }));
    assert.equal(health.status, 200);
  });

  const rejecting = server({
    logger,
    stages: [(next) => (request, ctx) => ctx.pathname === "/reject" ? Promise.reject(new Error("secret internals")) : next(request, ctx)],
  });
  for (const [name, s, path] of [["throws", throwing, "/boom"], ["rejects", rejecting, "/reject"]] as const) {
    it(`a stage that ${name}: the 500 carries CORS headers and the request id, so a browser client can read it`, async () => {
      const headers = { host: "localhost:8000", origin: "http://localhost:8000", "x-request-id": `req-${name}` };
      const r = await s.fetch(new Request(`http://localhost:8000${path}`, { headers }));
      assert.equal(r.status, 500);
      assert.equal(r.headers.get("access-control-allow-origin"), "http://localhost:8000");
      assert.equal(r.headers.get("x-request-id"), `req-${name}`);
      assert.deepEqual(await r.json(), { error: "server_error", error_description: "Internal error" });
      const plain = await s.fetch(new Request(`http://localhost:8000${path}`, { headers: { host: "localhost:8000" } }));
      assert.equal(plain.status, 500);
      assert.ok(plain.headers.get("x-request-id"));
      assert.equal(plain.headers.get("access-control-allow-origin"), null);
      await plain.body?.cancel();
    });
  }
});
