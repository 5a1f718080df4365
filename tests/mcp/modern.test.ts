import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { definePrompt, defineResource, defineResourceTemplate, defineTool } from "../../src/mod.ts";
import {
  call,
  envelope,
  initialize,
  jsonOf,
  META_CAPS,
  META_LOG,
  META_SERVER_INFO,
  META_SUBSCRIPTION,
  META_VERSION,
  MODERN,
  modernHeaders,
  post,
  postModern,
  readAll,
  rpc,
  server,
  SseReader,
} from "./helpers.ts";

const nameSchema = { type: "object", properties: { name: { type: "string" } }, required: ["name"] };

const tools = [
  defineTool({ name: "echo", handler: () => "echoed" }),
  defineTool({
    name: "book",
    handler: async (_args, ctx) => {
      const r = await ctx.elicit({ message: "What is your name?", requestedSchema: nameSchema }, { key: "k" });
      return r.action === "accept" ? `Hello, ${String(r.content?.name)}!` : `declined`;
    },
  }),
  defineTool({
    name: "other",
    handler: async (_args, ctx) => {
      const r = await ctx.elicit({ message: "Other?", requestedSchema: nameSchema }, { key: "k" });
      return `other: ${r.action}`;
    },
  }),
  defineTool({
    name: "two",
    handler: async (_args, ctx) => {
      const [who, capital] = await Promise.all([
        ctx.elicit({ message: "Who?", requestedSchema: nameSchema }, { key: "who" }),
        ctx.sample({ messages: [{ role: "user", content: { type: "text", text: "Capital of France?" } }], maxTokens: 10 }, {
          key: "capital",
        }),
      ]);
      return `${String(who.content?.name)} / ${String((capital.content as { text: string }).text)}`;
    },
  }),
  defineTool({
    name: "needs_sampling",
    handler: async (_args, ctx) => {
      const r = await ctx.sample({ messages: [{ role: "user", content: { type: "text", text: "hi" } }], maxTokens: 5 });
      return String((r.content as { text: string }).text);
    },
  }),
  defineTool({
    name: "logger",
    handler: async (_args, ctx) => {
      await ctx.log("debug", "debug line");
      await ctx.log("info", "info line");
      await ctx.log("error", "error line");
      return "logged";
    },
  }),
];

const resources = [defineResource({ uri: "test://static", name: "static", mimeType: "text/plain", read: () => "static text" })];
const resourceTemplates = [defineResourceTemplate({
  uriTemplate: "test://item/{id}",
  name: "item",
  mimeType: "application/json",
  read: (_uri, vars) => JSON.stringify({ id: vars.id }),
})];
const prompts = [definePrompt({ name: "greet", description: "Greets", get: () => "Say hello" })];

const s = server({ tools, resources, resourceTemplates, prompts, instructions: "modern instructions" });

const ALL_CAPS = { elicitation: {}, sampling: {} };

describe("2026-07-28: server/discover and result shapes", () => {
  it("server/discover: supportedVersions, capabilities, resultType, ttlMs, cacheScope, serverInfo in _meta", async () => {
    const r = await postModern(s, "server/discover", {}, { id: "server-discover-probe-1" });
    assert.equal(r.status, 200);
    const body = await jsonOf(r);
    assert.equal(body.id, "server-discover-probe-1");
    const result = body.result;
    assert.deepEqual(result.supportedVersions, [MODERN]);
    assert.equal(result.resultType, "complete");
    assert.ok(Number.isInteger(result.ttlMs) && result.ttlMs >= 0);
    assert.ok(["private", "public"].includes(result.cacheScope));
    assert.deepEqual(result._meta[META_SERVER_INFO], { name: "test-server", version: "1.2.3" });
    assert.ok(result.capabilities.tools);
    assert.ok(result.capabilities.resources);
    assert.ok(result.capabilities.prompts);
    assert.equal(result.instructions, "modern instructions");
    assert.equal(result.protocolVersion, undefined);
  });

  it("clientInfo is optional", async () => {
    const r = await post(s, rpc("server/discover", { _meta: { [META_VERSION]: MODERN, [META_CAPS]: {} } }), {
      headers: modernHeaders("server/discover"),
    });
    assert.equal(r.status, 200);
    assert.equal((await jsonOf(r)).result.resultType, "complete");
  });

  it("every result has resultType; list and read results have ttlMs and cacheScope", async () => {
    const cacheable: Array<[string, Record<string, unknown>]> = [
      ["tools/list", {}],
      ["prompts/list", {}],
      ["resources/list", {}],
      ["resources/templates/list", {}],
      ["resources/read", { uri: "test://static" }],
      ["resources/read", { uri: "test://item/123" }],
    ];
    for (const [method, params] of cacheable) {
      const r = await postModern(s, method, params);
      assert.equal(r.status, 200, method);
      const result = (await jsonOf(r)).result;
      assert.equal(result.resultType, "complete", method);
      assert.ok(Number.isInteger(result.ttlMs) && result.ttlMs >= 0, `${method} ttlMs`);
      assert.ok(["private", "public"].includes(result.cacheScope), `${method} cacheScope`);
    }
    const other: Array<[string, Record<string, unknown>]> = [
      ["tools/call", { name: "echo", arguments: {} }],
      ["tools/call", { name: "echo" }],
      ["prompts/get", { name: "greet" }],
      ["completion/complete", { ref: { type: "ref/prompt", name: "greet" }, argument: { name: "x", value: "y" } }],
    ];
    for (const [method, params] of other) {
      const r = await postModern(s, method, params);
      assert.equal(r.status, 200, method);
      const result = (await jsonOf(r)).result;
      assert.equal(result.resultType, "complete", method);
    }
  });

  it("tools/list order is deterministic across calls", async () => {
    const names = async () => (await jsonOf(await postModern(s, "tools/list"))).result.tools.map((t: { name: string }) => t.name);
    const first = await names();
    assert.deepEqual(first, tools.map((t) => t.name));
    assert.deepEqual(await names(), first);
  });

  it("resources/read of a template fills the variables", async () => {
    const result = (await jsonOf(await postModern(s, "resources/read", { uri: "test://item/123" }))).result;
    assert.deepEqual(JSON.parse(result.contents[0].text), { id: "123" });
    assert.equal(result.contents[0].uri, "test://item/123");
  });

  it("an unknown resource → -32602 with data.uri (never empty contents)", async () => {
    const uri = "test://nonexistent-resource";
    const r = await postModern(s, "resources/read", { uri }, { id: 7 });
    const body = await jsonOf(r);
    assert.equal(body.id, 7);
    assert.equal(body.result, undefined);
    assert.equal(body.error.code, -32602);
    assert.equal(body.error.data.uri, uri);
  });
});

describe("2026-07-28: the validation ladder", () => {
  const cases: Array<[string, Record<string, unknown>]> = [
    ["params {}", {}],
    ["_meta without protocolVersion", { _meta: { [META_CAPS]: {} } }],
    ["_meta without clientCapabilities", { _meta: { [META_VERSION]: MODERN } }],
  ];
  let id = 100;
  for (const [what, params] of cases) {
    it(`missing _meta keys (${what}) → 400 -32602 echoing the id`, async () => {
      const myId = ++id;
      const r = await post(s, rpc("server/discover", params, myId), { headers: modernHeaders("server/discover") });
      assert.equal(r.status, 400);
      const body = await jsonOf(r);
      assert.equal(body.error.code, -32602);
      assert.equal(body.id, myId);
    });
  }

  it("header and body versions differ → 400 -32020", async () => {
    const r = await post(s, rpc("server/discover", { _meta: envelope({}, { [META_VERSION]: "v999.0.0" }) }, 301), {
      headers: modernHeaders("server/discover"),
    });
    assert.equal(r.status, 400);
    const body = await jsonOf(r);
    assert.equal(body.error.code, -32020);
    assert.equal(body.id, 301);
  });

  it("an unsupported version in both → 400 -32022 with data {supported, requested}", async () => {
    const r = await post(s, rpc("server/discover", { _meta: envelope({}, { [META_VERSION]: "v999.0.0" }) }, 302), {
      headers: modernHeaders("server/discover", undefined, { "mcp-protocol-version": "v999.0.0" }),
    });
    assert.equal(r.status, 400);
    const body = await jsonOf(r);
    assert.equal(body.id, 302);
    assert.equal(body.error.code, -32022);
    assert.deepEqual(body.error.data, { supported: [MODERN], requested: "v999.0.0" });
  });

  it("missing Mcp-Method → 400 -32020", async () => {
    const r = await post(s, rpc("tools/list", { _meta: envelope() }, 303), { headers: { "mcp-protocol-version": MODERN } });
    assert.equal(r.status, 400);
    const body = await jsonOf(r);
    assert.equal(body.error.code, -32020);
    assert.equal(body.id, 303);
  });

  for (const method of ["prompts/list", "TOOLS/LIST"]) {
    it(`Mcp-Method ${method} for a tools/list body → 400 -32020`, async () => {
      const r = await post(s, rpc("tools/list", { _meta: envelope() }, 304), { headers: modernHeaders(method) });
      assert.equal(r.status, 400);
      assert.equal((await jsonOf(r)).error.code, -32020);
    });
  }

  it("header names are case-insensitive", async () => {
    const r = await post(s, rpc("tools/list", { _meta: envelope() }), {
      headers: { "MCP-PROTOCOL-VERSION": MODERN, "Mcp-Method": "tools/list" },
    });
    assert.equal(r.status, 200);
    assert.equal((await jsonOf(r)).result.resultType, "complete");
  });

  it("a missing MCP-Protocol-Version header with a modern body → 400 -32020", async () => {
    const r = await post(s, rpc("tools/list", { _meta: envelope() }, 305), { headers: { "mcp-method": "tools/list" } });
    assert.equal(r.status, 400);
    const body = await jsonOf(r);
    assert.equal(body.error.code, -32020);
    assert.equal(body.id, 305);
  });

  it("Mcp-Name mismatch → 400 -32020; missing Mcp-Name → 400 -32020", async () => {
    const wrong = await postModern(s, "tools/call", { name: "echo", arguments: {} }, { name: "book", id: 306 });
    assert.equal(wrong.status, 400);
    const body = await jsonOf(wrong);
    assert.equal(body.error.code, -32020);
    assert.equal(body.id, 306);
    const missing = await post(s, rpc("tools/call", { name: "echo", arguments: {}, _meta: envelope() }), {
      headers: modernHeaders("tools/call"),
    });
    assert.equal(missing.status, 400);
    assert.equal((await jsonOf(missing)).error.code, -32020);
  });

  it("Mcp-Name for resources/read must equal params.uri", async () => {
    const r = await postModern(s, "resources/read", { uri: "test://static" }, { name: "test://other" });
    assert.equal(r.status, 400);
    assert.equal((await jsonOf(r)).error.code, -32020);
  });

  for (const name of ["  echo  ", "\techo", "=?base64?ZWNobw==?="]) {
    it(`Mcp-Name ${JSON.stringify(name)} is accepted for "echo"`, async () => {
      const r = await postModern(s, "tools/call", { name: "echo", arguments: {} }, { name });
      assert.equal(r.status, 200);
      assert.deepEqual((await jsonOf(r)).result.content, [{ type: "text", text: "echoed" }]);
    });
  }

  it("a malformed base64 Mcp-Name is refused 400 -32020", async () => {
    const r = await postModern(s, "tools/call", { name: "echo", arguments: {} }, { name: "=?base64?ZWNobw?=" });
    assert.equal(r.status, 400);
    assert.equal((await jsonOf(r)).error.code, -32020);
  });

  for (const method of ["initialize", "ping", "logging/setLevel", "resources/subscribe", "resources/unsubscribe", "unknown/method"]) {
    it(`${method} → 404 -32601 with the id echoed`, async () => {
      const params: Record<string, unknown> = method === "initialize"
        ? { protocolVersion: MODERN, capabilities: {}, clientInfo: { name: "c", version: "1" } }
        : method === "logging/setLevel"
        ? { level: "info" }
        : method.startsWith("resources/")
        ? { uri: "test://static" }
        : {};
      const r = await postModern(s, method, params, { id: `m-${method}` });
      assert.equal(r.status, 404);
      const body = await jsonOf(r);
      assert.equal(body.error.code, -32601);
      assert.equal(body.id, `m-${method}`);
    });
  }

  it("a method's era is judged per request, whichever era asked for it just before", async () => {
    // The dispatcher remembers the last method it looked up: the era must be part of what it remembers.
    const { session } = await initialize(s);
    for (let round = 0; round < 2; round++) {
      assert.ok("result" in await call(s, session, "ping"), "ping in a 2025 session");
      assert.equal((await jsonOf(await postModern(s, "ping"))).error.code, -32601, "ping in 2026-07-28");
      assert.equal((await call(s, session, "server/discover")).error.code, -32601, "server/discover in a 2025 session");
      assert.ok("result" in await jsonOf(await postModern(s, "server/discover")), "server/discover in 2026-07-28");
    }
  });

  it("no Mcp-Session-Id is issued to a modern client", async () => {
    const r = await postModern(s, "server/discover");
    assert.equal(r.headers.get("mcp-session-id"), null);
    await r.body?.cancel();
  });
});

describe("2026-07-28: logging", () => {
  it("no notifications/message without _meta logLevel (a plain JSON answer)", async () => {
    const r = await postModern(s, "tools/call", { name: "logger", arguments: {} });
    assert.equal(r.status, 200);
    assert.match(r.headers.get("content-type") ?? "", /^application\/json/);
    assert.deepEqual((await jsonOf(r)).result.content, [{ type: "text", text: "logged" }]);
  });

  it("with _meta logLevel the logs at or above it arrive on an SSE response before the result", async () => {
    const r = await postModern(s, "tools/call", { name: "logger", arguments: {} }, { meta: { [META_LOG]: "info" } });
    assert.equal(r.status, 200);
    assert.match(r.headers.get("content-type") ?? "", /^text\/event-stream/);
    const messages = (await readAll(r)).map((e) => e.json).filter(Boolean);
    const logs = messages.filter((m) => m.method === "notifications/message");
    assert.deepEqual(logs.map((m) => m.params.level), ["info", "error"]);
    assert.deepEqual(messages.at(-1).result.content, [{ type: "text", text: "logged" }]);
    assert.equal(messages.at(-1).result.resultType, "complete");
  });

  it("an invalid logLevel → 400 -32602", async () => {
    const r = await postModern(s, "tools/call", { name: "logger", arguments: {} }, { meta: { [META_LOG]: "loud" } });
    assert.equal(r.status, 400);
    assert.equal((await jsonOf(r)).error.code, -32602);
  });
});

describe("2026-07-28: Multi Round-Trip Requests", () => {
  async function round(name: string, extra: Record<string, unknown> = {}, capabilities: Record<string, unknown> = ALL_CAPS) {
    const r = await postModern(s, "tools/call", { name, arguments: {}, ...extra }, { capabilities });
    return { status: r.status, body: await jsonOf(r) };
  }

  it("an elicit() without an answer ends the call with input_required, inputRequests.k and a requestState", async () => {
    const { status, body } = await round("book");
    assert.equal(status, 200);
    const result = body.result;
    assert.equal(result.resultType, "input_required");
    assert.deepEqual(Object.keys(result.inputRequests), ["k"]);
    assert.equal(result.inputRequests.k.method, "elicitation/create");
    assert.equal(result.inputRequests.k.params.message, "What is your name?");
    assert.deepEqual(result.inputRequests.k.params.requestedSchema, nameSchema);
    assert.equal(result.inputRequests.k.jsonrpc, undefined);
    assert.equal(result.inputRequests.k.id, undefined);
    assert.equal(typeof result.requestState, "string");
    assert.ok(result.requestState.length > 0);
  });

  it("the retry with inputResponses.k and the requestState completes", async () => {
    const first = (await round("book")).body.result;
    const { status, body } = await round("book", {
      inputResponses: { k: { action: "accept", content: { name: "Alice" } } },
      requestState: first.requestState,
    });
    assert.equal(status, 200);
    assert.equal(body.result.resultType, "complete");
    assert.deepEqual(body.result.content, [{ type: "text", text: "Hello, Alice!" }]);
  });

  it("an accepted answer that does not match the requested schema is refused (-32602), the handler never sees it", async () => {
    for (
      const [content, message] of [[{ name: 7 }, /name: expected string, got integer/], [{}, /name: required/], [
        undefined,
        /content: expected object/,
      ]] as const
    ) {
      const first = (await round("book")).body.result;
      const { body } = await round("book", { inputResponses: { k: { action: "accept", content } }, requestState: first.requestState });
      assert.equal(body.result, undefined, JSON.stringify(body));
      assert.equal(body.error.code, -32602);
      assert.match(body.error.message, message);
    }
    // Declining needs no content.
    const first = (await round("book")).body.result;
    const { body } = await round("book", { inputResponses: { k: { action: "decline" } }, requestState: first.requestState });
    assert.deepEqual(body.result.content, [{ type: "text", text: "declined" }]);
  });

  it("an elicit() whose requestedSchema cannot be enforced fails the handler before anything is asked", async () => {
    const s5 = server({
      tools: [defineTool({
        name: "loose",
        handler: async (_args, ctx) => {
          await ctx.elicit({ message: "?", requestedSchema: { type: "object", unevaluatedProperties: false } }, { key: "k" });
          return "asked";
        },
      })],
    });
    const r = await postModern(s5, "tools/call", { name: "loose", arguments: {} }, { capabilities: ALL_CAPS });
    const body = await jsonOf(r);
    assert.equal(body.result.isError, true, JSON.stringify(body));
    assert.match(body.result.content[0].text, /unevaluatedProperties/);
    assert.equal(body.result.inputRequests, undefined);
  });

  it("extra inputResponses keys are ignored", async () => {
    const first = (await round("book")).body.result;
    const { body } = await round("book", {
      inputResponses: { k: { action: "accept", content: { name: "Bo" } }, stray: { whatever: true } },
      requestState: first.requestState,
    });
    assert.deepEqual(body.result.content, [{ type: "text", text: "Hello, Bo!" }]);
  });

  it("a response under the wrong key gets a new input_required", async () => {
    const first = (await round("book")).body.result;
    const { body } = await round("book", {
      inputResponses: { wrong: { action: "accept", content: {} } },
      requestState: first.requestState,
    });
    assert.equal(body.result.resultType, "input_required");
    assert.ok(body.result.inputRequests.k);
  });

  it("a non-object inputResponses is rejected; a garbage answer is never a complete result", async () => {
    for (const inputResponses of [null, "x", [1]]) {
      const { body } = await round("book", { inputResponses });
      assert.ok(body.error, `inputResponses ${JSON.stringify(inputResponses)}: ${JSON.stringify(body)}`);
      assert.equal(body.error.code, -32602);
    }
    const { body } = await round("book", { inputResponses: { k: 12345 } });
    assert.notEqual(body.result?.resultType, "complete");
  });

  it("a tampered requestState → a JSON-RPC error", async () => {
    const first = (await round("book")).body.result;
    for (
      const state of [
        `${first.requestState}-TAMPERED`,
        first.requestState.replace(/^./, (c: string) => (c === "A" ? "B" : "A")),
        "garbage",
        42,
      ]
    ) {
      const { body } = await round("book", { inputResponses: { k: { action: "accept", content: { name: "Eve" } } }, requestState: state });
      assert.equal(body.result, undefined, `state ${String(state).slice(0, 20)} was accepted`);
      assert.equal(typeof body.error?.code, "number");
      assert.equal(body.error.code, -32602);
    }
  });

  it("a requestState issued for tool A is rejected for tool B", async () => {
    const first = (await round("book")).body.result;
    const { body } = await round("other", {
      inputResponses: { k: { action: "accept", content: { name: "x" } } },
      requestState: first.requestState,
    });
    assert.equal(body.result, undefined);
    assert.equal(body.error.code, -32602);
    assert.match(body.error.message, /requestState/);
  });

  it("two questions asked together (Promise.all) come in one round, and one retry completes", async () => {
    const first = (await round("two")).body.result;
    assert.equal(first.resultType, "input_required");
    assert.deepEqual(Object.keys(first.inputRequests).sort(), ["capital", "who"]);
    assert.equal(first.inputRequests.who.method, "elicitation/create");
    assert.equal(first.inputRequests.capital.method, "sampling/createMessage");
    assert.equal(first.inputRequests.capital.params.maxTokens, 10);
    const { body } = await round("two", {
      inputResponses: {
        who: { action: "accept", content: { name: "Ann" } },
        capital: { role: "assistant", content: { type: "text", text: "Paris" }, model: "m", stopReason: "endTurn" },
      },
      requestState: first.requestState,
    });
    assert.equal(body.result.resultType, "complete");
    assert.deepEqual(body.result.content, [{ type: "text", text: "Ann / Paris" }]);
  });

  it("answers carried in requestState survive a partial retry, and each round's state differs", async () => {
    const first = (await round("two")).body.result;
    const second = (await round("two", {
      inputResponses: { who: { action: "accept", content: { name: "Ann" } } },
      requestState: first.requestState,
    })).body.result;
    assert.equal(second.resultType, "input_required");
    assert.deepEqual(Object.keys(second.inputRequests), ["capital"]);
    assert.notEqual(second.requestState, first.requestState);
    const { body } = await round("two", {
      inputResponses: { capital: { role: "assistant", content: { type: "text", text: "Paris" }, model: "m" } },
      requestState: second.requestState,
    });
    assert.deepEqual(body.result.content, [{ type: "text", text: "Ann / Paris" }]);
  });

  it("sample() without the sampling capability → 400 -32021 with data.requiredCapabilities {sampling:{}}", async () => {
    const r = await postModern(s, "tools/call", { name: "needs_sampling", arguments: {} }, { capabilities: { elicitation: {} }, id: 401 });
    assert.equal(r.status, 400);
    const body = await jsonOf(r);
    assert.equal(body.id, 401);
    assert.equal(body.error.code, -32021);
    assert.deepEqual(body.error.data.requiredCapabilities, { sampling: {} });
  });

  it("elicit() without the elicitation capability → -32021, never a server-to-client request", async () => {
    const r = await postModern(s, "tools/call", { name: "book", arguments: {} }, { capabilities: { sampling: {} } });
    assert.equal(r.status, 400);
    const body = await jsonOf(r);
    assert.equal(body.error.code, -32021);
    assert.deepEqual(body.error.data.requiredCapabilities, { elicitation: {} });
  });

  it("tools/list never answers input_required", async () => {
    const body = await jsonOf(await postModern(s, "tools/list", {}, { capabilities: ALL_CAPS }));
    assert.equal(body.result.resultType, "complete");
  });
});

describe("2026-07-28: subscriptions/listen", () => {
  it("SSE: first the acknowledgement with the subscriptionId, then list_changed for what the filter asked, nothing else", async () => {
    const toolsListen = await postModern(s, "subscriptions/listen", { notifications: { toolsListChanged: true } }, { id: "listen:1" });
    assert.equal(toolsListen.status, 200);
    assert.match(toolsListen.headers.get("content-type") ?? "", /^text\/event-stream/);
    const promptsListen = await postModern(s, "subscriptions/listen", { notifications: { promptsListChanged: true } }, { id: "listen:2" });
    assert.equal(promptsListen.status, 200);
    const a = new SseReader(toolsListen);
    const b = new SseReader(promptsListen);
    try {
      const ackA = (await a.nextMessage())!.json;
      assert.equal(ackA.method, "notifications/subscriptions/acknowledged");
      assert.equal(ackA.params._meta[META_SUBSCRIPTION], "listen:1");
      assert.deepEqual(ackA.params.notifications, { toolsListChanged: true });
      const ackB = (await b.nextMessage())!.json;
      assert.equal(ackB.method, "notifications/subscriptions/acknowledged");
      assert.equal(ackB.params._meta[META_SUBSCRIPTION], "listen:2");

      s.notifyListChanged("tools");
      const changed = (await a.nextMessage())!.json;
      assert.equal(changed.method, "notifications/tools/list_changed");
      assert.equal(changed.params._meta[META_SUBSCRIPTION], "listen:1");

      // The prompts-only listener must not have received the tools notification: its next event is the prompts one.
      s.notifyListChanged("prompts");
      const next = (await b.nextMessage())!.json;
      assert.equal(next.method, "notifications/prompts/list_changed");
      assert.equal(next.params._meta[META_SUBSCRIPTION], "listen:2");
    } finally {
      await a.cancel();
      await b.cancel();
    }
  });

  it("notifications/cancelled for the listen id ends the stream", async () => {
    const r = await postModern(s, "subscriptions/listen", { notifications: { toolsListChanged: true } }, { id: "listen:end" });
    const reader = new SseReader(r);
    try {
      assert.equal((await reader.nextMessage())!.json.method, "notifications/subscriptions/acknowledged");
      const cancel = await post(s, { jsonrpc: "2.0", method: "notifications/cancelled", params: { requestId: "listen:end" } }, {
        headers: { "mcp-protocol-version": MODERN, "mcp-method": "notifications/cancelled" },
      });
      assert.equal(cancel.status, 202);
      s.notifyListChanged("tools");
      assert.equal(await reader.nextMessage(), undefined, "no more events after the cancellation");
    } finally {
      await reader.cancel();
    }
  });

  it("a filter that is not an object → 400 -32602", async () => {
    const r = await postModern(s, "subscriptions/listen", { notifications: "all" }, { id: "listen:bad" });
    assert.equal(r.status, 400);
    const body = await jsonOf(r);
    assert.equal(body.error.code, -32602);
    assert.equal(body.id, "listen:bad");
  });
});

describe("2026-07-28: MRTR edge cases", () => {
  // BUG (src/mcp/handler-context.ts ask(), `flush ??= setTimeout(...)`): the flush timer is never reset
  // after it fires, so a handler that catches its first unanswered question (e.g. `.catch(() => fallback)`)
  // and then asks another one waits forever: the second question's promise is pushed to `waiting` but no
  // timer will ever reject it. The call hangs until requestTimeoutMs instead of answering input_required.
  it("a handler that swallows one unanswered question and asks another still gets input_required", async () => {
    const s4 = server({
      requestTimeoutMs: 1_000,
      tools: [defineTool({
        name: "fallback",
        handler: async (_args, ctx) => {
          const first = await ctx.elicit({ message: "Optional?", requestedSchema: nameSchema }, { key: "optional" }).catch(() => undefined);
          const second = await ctx.elicit({ message: "Required?", requestedSchema: nameSchema }, { key: "required" });
          return `${first?.action ?? "none"} / ${second.action}`;
        },
      })],
    });
    const r = await postModern(s4, "tools/call", { name: "fallback", arguments: {} }, { capabilities: { elicitation: {} } });
    const body = await jsonOf(r);
    assert.equal(body.error, undefined, JSON.stringify(body.error));
    assert.equal(body.result.resultType, "input_required");
    assert.ok(body.result.inputRequests.required, "the second question is asked");
  });
});
