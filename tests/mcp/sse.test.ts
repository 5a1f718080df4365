import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { z } from "zod";
import { defineTool } from "../../src/mod.ts";
import { deferred, initialize, jsonOf, mcpRequest, post, readAll, rpc, server, SseReader } from "./helpers.ts";

/** Gates the "resumable" tool: the test opens the second half when it has dropped its reader. */
let gate = deferred();

const tools = [
  defineTool({
    name: "progressive",
    handler: async (_args, ctx) => {
      await ctx.progress(0, 100, "starting");
      await ctx.progress(50, 100);
      await ctx.progress(100, 100, "done");
      return "finished";
    },
  }),
  defineTool({ name: "quiet", handler: () => "just json" }),
  defineTool({
    name: "ask_name",
    handler: async (_args, ctx) => {
      const answer = await ctx.elicit({
        message: "What is your name?",
        requestedSchema: { type: "object", properties: { name: { type: "string" } }, required: ["name"] },
      });
      return answer.action === "accept" ? `Hello, ${String(answer.content?.name)}!` : `No name (${answer.action})`;
    },
  }),
  defineTool({
    name: "resumable",
    handler: async (_args, ctx) => {
      await ctx.progress(1, 3);
      await gate.promise;
      await ctx.progress(2, 3);
      await ctx.progress(3, 3);
      return "resumed fine";
    },
  }),
];

const s = server({ tools });

describe("SSE responses", () => {
  it("a tool reporting progress (with a progressToken) answers text/event-stream: progress events, then the result", async () => {
    const { session } = await initialize(s);
    const req = rpc("tools/call", { name: "progressive", arguments: {}, _meta: { progressToken: "tok-1" } });
    const r = await post(s, req, { session });
    assert.equal(r.status, 200);
    assert.match(r.headers.get("content-type") ?? "", /^text\/event-stream/);
    const messages = (await readAll(r)).map((e) => e.json).filter(Boolean);
    const progress = messages.filter((m) => m.method === "notifications/progress");
    assert.deepEqual(progress.map((m) => m.params.progress), [0, 50, 100]);
    for (const p of progress) {
      assert.equal(p.params.progressToken, "tok-1");
      assert.equal(p.params.total, 100);
    }
    assert.equal(progress[0].params.message, "starting");
    const last = messages.at(-1);
    assert.equal(last.id, req.id);
    assert.deepEqual(last.result.content, [{ type: "text", text: "finished" }]);
    assert.ok(messages.indexOf(last) > messages.indexOf(progress[2]), "the result comes after the progress");
  });

  it("the same tool without a progressToken answers application/json", async () => {
    const { session } = await initialize(s);
    const r = await post(s, rpc("tools/call", { name: "progressive", arguments: {} }), { session });
    assert.match(r.headers.get("content-type") ?? "", /^application\/json/);
    assert.deepEqual((await jsonOf(r)).result.content, [{ type: "text", text: "finished" }]);
  });

  it("a tool that sends no notification answers application/json", async () => {
    const { session } = await initialize(s);
    const r = await post(s, rpc("tools/call", { name: "quiet", arguments: {}, _meta: { progressToken: 9 } }), { session });
    assert.equal(r.status, 200);
    assert.match(r.headers.get("content-type") ?? "", /^application\/json/);
    assert.deepEqual((await jsonOf(r)).result.content, [{ type: "text", text: "just json" }]);
  });

  it("a client accepting only SSE gets SSE even for a quiet tool", async () => {
    const { session } = await initialize(s);
    const req = rpc("tools/call", { name: "quiet", arguments: {} });
    const r = await post(s, req, { session, accept: "text/event-stream" });
    assert.match(r.headers.get("content-type") ?? "", /^text\/event-stream/);
    const messages = (await readAll(r)).map((e) => e.json).filter(Boolean);
    assert.equal(messages.at(-1).id, req.id);
  });

  it("a client accepting only JSON gets JSON, and progress is dropped", async () => {
    const { session } = await initialize(s);
    const r = await post(s, rpc("tools/call", { name: "progressive", arguments: {}, _meta: { progressToken: "t" } }), {
      session,
      accept: "application/json",
    });
    assert.match(r.headers.get("content-type") ?? "", /^application\/json/);
    assert.deepEqual((await jsonOf(r)).result.content, [{ type: "text", text: "finished" }]);
  });
});

describe("2025 elicitation over the response stream", () => {
  it("tools/call → SSE carries elicitation/create with an id; POSTing the answer → 202; then the result", async () => {
    const { session } = await initialize(s, { capabilities: { elicitation: {} } });
    const req = rpc("tools/call", { name: "ask_name", arguments: {} });
    const r = await post(s, req, { session });
    assert.equal(r.status, 200);
    assert.match(r.headers.get("content-type") ?? "", /^text\/event-stream/);
    const reader = new SseReader(r);
    const question = (await reader.nextMessage())!.json;
    assert.equal(question.method, "elicitation/create");
    assert.ok(typeof question.id === "string" || typeof question.id === "number");
    assert.notEqual(question.id, req.id);
    assert.equal(question.params.message, "What is your name?");
    assert.equal(question.params.requestedSchema.properties.name.type, "string");

    const answer = await post(s, { jsonrpc: "2.0", id: question.id, result: { action: "accept", content: { name: "Alice" } } }, {
      session,
    });
    assert.equal(answer.status, 202);
    assert.equal(await answer.text(), "");

    const final = (await reader.nextMessage())!.json;
    assert.equal(final.id, req.id);
    assert.deepEqual(final.result.content, [{ type: "text", text: "Hello, Alice!" }]);
    assert.equal(await reader.next(), undefined, "the stream ends after the result");
  });

  it("an accepted answer that does not match the requested schema never reaches the tool: -32602 naming the field", async () => {
    const { session } = await initialize(s, { capabilities: { elicitation: {} } });
    const req = rpc("tools/call", { name: "ask_name", arguments: {} });
    const reader = new SseReader(await post(s, req, { session }));
    const question = (await reader.nextMessage())!.json;
    const answer = await post(s, { jsonrpc: "2.0", id: question.id, result: { action: "accept", content: { name: 42 } } }, { session });
    assert.equal(answer.status, 202);
    const final = (await reader.nextMessage())!.json;
    assert.equal(final.id, req.id);
    assert.equal(final.result, undefined);
    assert.equal(final.error.code, -32602);
    assert.match(final.error.message, /does not match the requested schema: name: expected string, got integer/);
  });

  it("an answer from another session does not reach the tool", async () => {
    const { session } = await initialize(s, { capabilities: { elicitation: {} } });
    const other = await initialize(s, { capabilities: { elicitation: {} } });
    const req = rpc("tools/call", { name: "ask_name", arguments: {} });
    const reader = new SseReader(await post(s, req, { session }));
    const question = (await reader.nextMessage())!.json;
    const forged = await post(s, { jsonrpc: "2.0", id: question.id, result: { action: "accept", content: { name: "Mallory" } } }, {
      session: other.session,
    });
    assert.equal(forged.status, 202);
    await forged.body?.cancel();
    const real = await post(s, { jsonrpc: "2.0", id: question.id, result: { action: "decline" } }, { session });
    assert.equal(real.status, 202);
    await real.body?.cancel();
    const final = (await reader.nextMessage())!.json;
    assert.deepEqual(final.result.content, [{ type: "text", text: "No name (decline)" }]);
  });

  it("a session without the elicitation capability gets an error instead of a question", async () => {
    const { session } = await initialize(s, { capabilities: {} });
    const r = await post(s, rpc("tools/call", { name: "ask_name", arguments: {} }), { session });
    const ct = r.headers.get("content-type") ?? "";
    const body = ct.startsWith("text/event-stream") ? (await readAll(r)).map((e) => e.json).filter(Boolean).at(-1) : await jsonOf(r);
    assert.ok(body.error, JSON.stringify(body));
    assert.equal(body.error.code, -32021);
  });
});

describe("SSE resumability (Last-Event-ID)", () => {
  it("after dropping the reader, GET with Last-Event-ID replays the later events; another session gets 404", async () => {
    gate = deferred();
    const { session } = await initialize(s);
    const other = await initialize(s);
    const req = rpc("tools/call", { name: "resumable", arguments: {}, _meta: { progressToken: "r" } });
    const r = await post(s, req, { session });
    assert.match(r.headers.get("content-type") ?? "", /^text\/event-stream/);
    const reader = new SseReader(r);
    const first = (await reader.nextMessage())!;
    assert.equal(first.json.method, "notifications/progress");
    assert.equal(first.json.params.progress, 1);
    assert.ok(first.id, "events carry ids");
    await reader.cancel();

    gate.resolve();
    // Let the tool finish while no connection is attached.
    await new Promise((resolve) => setTimeout(resolve, 20));

    const foreign = await s.fetch(mcpRequest("GET", {
      headers: { accept: "text/event-stream", "mcp-session-id": other.session, "last-event-id": first.id! },
    }));
    assert.equal(foreign.status, 404);
    await foreign.body?.cancel();

    const resumed = await s.fetch(mcpRequest("GET", {
      headers: { accept: "text/event-stream", "mcp-session-id": session, "last-event-id": first.id! },
    }));
    assert.equal(resumed.status, 200);
    assert.match(resumed.headers.get("content-type") ?? "", /^text\/event-stream/);
    const replayed = (await readAll(resumed)).filter((e) => e.json);
    const progress = replayed.filter((e) => e.json.method === "notifications/progress").map((e) => e.json.params.progress);
    assert.deepEqual(progress, [2, 3], "only events after Last-Event-ID");
    const result = replayed.at(-1)!.json;
    assert.equal(result.id, req.id);
    assert.deepEqual(result.result.content, [{ type: "text", text: "resumed fine" }]);
  });

  it("an unknown Last-Event-ID is 404", async () => {
    const { session } = await initialize(s);
    const r = await s.fetch(mcpRequest("GET", {
      headers: { accept: "text/event-stream", "mcp-session-id": session, "last-event-id": "nosuchstream_3" },
    }));
    assert.equal(r.status, 404);
    await r.body?.cancel();
  });
});

describe("cancellation (2025 session)", () => {
  it("notifications/cancelled with the requestId aborts context.signal of a long tool", async () => {
    const started = deferred();
    const aborted = deferred<string>();
    const slow = server({
      tools: [defineTool({
        name: "slow",
        inputSchema: z.object({}),
        handler: (_args, ctx) =>
          new Promise<string>((resolve) => {
            ctx.signal.addEventListener("abort", () => {
              aborted.resolve("aborted");
              resolve("stopped");
            });
            started.resolve();
          }),
      })],
      requestTimeoutMs: 60_000,
    });
    const { session } = await initialize(slow);
    const req = rpc("tools/call", { name: "slow", arguments: {} });
    const pending = post(slow, req, { session });
    await started.promise;
    const cancel = await post(slow, {
      jsonrpc: "2.0",
      method: "notifications/cancelled",
      params: { requestId: req.id, reason: "user pressed stop" },
    }, { session });
    assert.equal(cancel.status, 202);
    assert.equal(await aborted.promise, "aborted");
    const r = await pending;
    assert.equal(r.status, 200);
    await r.body?.cancel();
  });

  it("a handler that first reads context.signal after the cancellation finds it already aborted", async () => {
    const started = deferred();
    const resume = deferred();
    const seen = deferred<boolean>();
    const slow = server({
      tools: [defineTool({
        name: "slow",
        handler: async (_args, ctx) => {
          started.resolve();
          await resume.promise;
          seen.resolve(ctx.signal.aborted);
          return "late";
        },
      })],
    });
    const { session } = await initialize(slow);
    const req = rpc("tools/call", { name: "slow", arguments: {} });
    const pending = post(slow, req, { session });
    await started.promise;
    const cancel = await post(slow, { jsonrpc: "2.0", method: "notifications/cancelled", params: { requestId: req.id } }, { session });
    assert.equal(cancel.status, 202);
    const body = await jsonOf(await pending);
    assert.equal(body.error?.message, "Request cancelled");
    resume.resolve();
    assert.equal(await seen.promise, true);
  });

  it("another session's notifications/cancelled does not abort the call", async () => {
    const started = deferred();
    let abortedBy = "";
    const finish = deferred();
    const slow = server({
      tools: [defineTool({
        name: "slow",
        handler: async (_args, ctx) => {
          ctx.signal.addEventListener("abort", () => (abortedBy = "someone"));
          started.resolve();
          await finish.promise;
          return "completed";
        },
      })],
    });
    const mine = await initialize(slow);
    const theirs = await initialize(slow);
    const req = rpc("tools/call", { name: "slow", arguments: {} });
    const pending = post(slow, req, { session: mine.session });
    await started.promise;
    const cancel = await post(slow, { jsonrpc: "2.0", method: "notifications/cancelled", params: { requestId: req.id } }, {
      session: theirs.session,
    });
    assert.equal(cancel.status, 202);
    finish.resolve();
    const body = await jsonOf(await pending);
    assert.equal(abortedBy, "");
    assert.deepEqual(body.result.content, [{ type: "text", text: "completed" }]);
  });
});

describe("cancellation (2026-07-28)", () => {
  function slowServer() {
    const started = deferred();
    const aborted = deferred<string>();
    const s2 = server({
      tools: [defineTool({
        name: "slow",
        handler: (_args, ctx) =>
          new Promise<string>((resolve) => {
            ctx.signal.addEventListener("abort", () => {
              aborted.resolve("aborted");
              resolve("stopped");
            });
            started.resolve();
          }),
      })],
    });
    return { s2, started, aborted };
  }
  const body = (id: string) =>
    rpc("tools/call", {
      name: "slow",
      arguments: {},
      _meta: { "io.modelcontextprotocol/protocolVersion": "2026-07-28", "io.modelcontextprotocol/clientCapabilities": {} },
    }, id);
  const headers = { "mcp-protocol-version": "2026-07-28", "mcp-method": "tools/call", "mcp-name": "slow" };

  it("closing the connection (the request's signal) aborts context.signal", async () => {
    const { s2, started, aborted } = slowServer();
    const disconnect = new AbortController();
    const request = new Request("http://localhost:8000/mcp", {
      method: "POST",
      headers: { host: "localhost:8000", "content-type": "application/json", accept: "application/json, text/event-stream", ...headers },
      body: JSON.stringify(body("c1")),
      signal: disconnect.signal,
    });
    const pending = s2.fetch(request);
    await started.promise;
    disconnect.abort();
    assert.equal(await aborted.promise, "aborted");
    const r = await pending;
    await r.body?.cancel();
  });

  it("notifications/cancelled with the requestId aborts context.signal", async () => {
    const { s2, started, aborted } = slowServer();
    const pending = post(s2, body("c2"), { headers });
    await started.promise;
    const cancel = await post(s2, { jsonrpc: "2.0", method: "notifications/cancelled", params: { requestId: "c2" } }, {
      headers: { "mcp-protocol-version": "2026-07-28", "mcp-method": "notifications/cancelled" },
    });
    assert.equal(cancel.status, 202);
    assert.equal(await aborted.promise, "aborted");
    const r = await pending;
    await r.body?.cancel();
  });
});

describe("2025 session GET stream", () => {
  it("carries list_changed and, after resources/subscribe, resources/updated; DELETE ends it", async () => {
    const s3 = server({
      tools: [defineTool({ name: "t", handler: () => "t" })],
      resources: [{ uri: "test://watched", name: "watched", read: () => "w" }],
    });
    const { session } = await initialize(s3);
    const get = await s3.fetch(mcpRequest("GET", { headers: { accept: "text/event-stream", "mcp-session-id": session } }));
    assert.equal(get.status, 200);
    const reader = new SseReader(get);
    try {
      const sub = await post(s3, rpc("resources/subscribe", { uri: "test://watched" }), { session });
      assert.deepEqual((await jsonOf(sub)).result, {});
      s3.notifyListChanged("tools");
      s3.notifyResourceUpdated("test://other");
      s3.notifyResourceUpdated("test://watched");
      const first = (await reader.nextMessage())!.json;
      assert.equal(first.method, "notifications/tools/list_changed");
      const second = (await reader.nextMessage())!.json;
      assert.equal(second.method, "notifications/resources/updated");
      assert.equal(second.params.uri, "test://watched");
      const del = await s3.fetch(mcpRequest("DELETE", { headers: { "mcp-session-id": session } }));
      assert.equal(del.status, 204);
      assert.equal(await reader.nextMessage(), undefined, "the stream ends with the session");
    } finally {
      await reader.cancel();
    }
  });
});
