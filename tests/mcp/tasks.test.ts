/** @module The tasks extension: task handles, input through tasks/update, cancellation, identity binding, a second instance, a restart with a persistent store. */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { custom, defineTool, type GatehouseServer, type KV, memoryStore, openStore } from "../../src/mod.ts";
import { runAsTask } from "../../src/mcp/tasks.ts";
import { jsonOf, postModern, server, SseReader } from "./helpers.ts";

const TASKS = "io.modelcontextprotocol/tasks";
const WITH_TASKS = { elicitation: {}, extensions: { [TASKS]: {} } };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const isBun = Boolean((globalThis as { Bun?: unknown }).Bun);

/** Observed from inside handlers, to prove cancellation reaches the running code. */
const aborted = new Set<string>();

const tools = [
  defineTool({ name: "echo", description: "sync", handler: () => "echoed" }),
  defineTool({
    name: "slow",
    description: "sleeps ms",
    inputSchema: { type: "object", properties: { ms: { type: "number" }, tag: { type: "string" } } },
    task: "optional",
    handler: async (args, ctx) => {
      const { ms = 0, tag = "" } = args as { ms?: number; tag?: string };
      await new Promise<void>((resolve, reject) => {
        const t = setTimeout(resolve, ms);
        ctx.signal.addEventListener("abort", () => {
          clearTimeout(t);
          aborted.add(tag);
          reject(new Error("aborted"));
        }, { once: true });
      });
      return `slept ${ms} for ${ctx.auth?.subject ?? "anonymous"}`;
    },
  }),
  defineTool({
    name: "confirm",
    description: "asks, then answers",
    task: "required",
    handler: async (_a, ctx) => {
      const r = await ctx.elicit({ message: "Sure?", requestedSchema: { type: "object", properties: { ok: { type: "boolean" } } } }, {
        key: "ok",
      });
      return `confirmed=${String(r.content?.ok)}`;
    },
  }),
  defineTool({
    name: "later",
    description: "asks synchronously, then becomes a task",
    task: { support: "optional", start: "handler" },
    handler: async (_a, ctx) => {
      const r = await ctx.elicit({ message: "Name?", requestedSchema: { type: "object", properties: { name: { type: "string" } } } }, {
        key: "name",
      });
      return runAsTask(() => `hello ${String(r.content?.name)}`);
    },
  }),
];

/** Two callers told apart by an `x-user` header (`custom({ verify })`). */
const twoUsers = custom({
  verify: (req) => {
    const user = req.headers.get("x-user");
    return user ? { subject: user } : null;
  },
});

function make(store: KV = memoryStore(), extra: Record<string, unknown> = {}): GatehouseServer {
  return server({ tools, tasks: { heartbeatMs: 20, pollIntervalMs: 50 }, store, auth: twoUsers, ...extra });
}

async function rpcModern(
  s: GatehouseServer,
  method: string,
  params: Record<string, unknown>,
  user = "alice",
  capabilities: Record<string, unknown> = WITH_TASKS,
) {
  const name = typeof params.taskId === "string" ? params.taskId : undefined;
  const r = await postModern(s, method, params, { capabilities, headers: { "x-user": user }, ...(name && { name }) });
  return { status: r.status, body: await jsonOf(r) };
}

async function until(s: GatehouseServer, taskId: string, done: (t: any) => boolean, user = "alice", ms = 5000) {
  const end = Date.now() + ms;
  for (;;) {
    const { body } = await rpcModern(s, "tasks/get", { taskId }, user);
    if (body.result && done(body.result)) return body.result;
    if (Date.now() > end) throw new Error(`task ${taskId} never got there: ${JSON.stringify(body)}`);
    await sleep(20);
  }
}
const terminal = (t: any) => ["completed", "failed", "cancelled"].includes(t.status);

describe("tasks: handles and lifecycle", () => {
  it("returns a flat CreateTaskResult, then the result inlined on tasks/get", async () => {
    const s = make();
    const { body } = await rpcModern(s, "tools/call", { name: "slow", arguments: { ms: 30 } });
    const created = body.result;
    assert.equal(created.resultType, "task");
    assert.equal(created.status, "working");
    assert.equal(typeof created.taskId, "string");
    assert.ok(Number.isInteger(created.ttlMs) && created.ttlMs > 0);
    assert.ok(Number.isInteger(created.pollIntervalMs));
    assert.ok(!("result" in created) && !("task" in created) && !("requestState" in created));
    const done = await until(s, created.taskId, terminal);
    assert.equal(done.status, "completed");
    assert.equal(done.resultType, "complete");
    assert.equal(done.result.content[0].text, "slept 30 for alice");
  });

  it("runs synchronously for a client that did not declare the extension, and refuses a task-required tool with -32021", async () => {
    const s = make();
    const sync = await rpcModern(s, "tools/call", { name: "slow", arguments: { ms: 0 } }, "alice", {});
    assert.equal(sync.body.result.resultType, "complete");
    assert.equal(sync.body.result.content[0].text, "slept 0 for alice");
    const refused = await rpcModern(s, "tools/call", { name: "confirm" }, "alice", { elicitation: {} });
    assert.equal(refused.status, 400);
    assert.equal(refused.body.error.code, -32021);
    assert.deepEqual(refused.body.error.data, { requiredCapabilities: { extensions: { [TASKS]: {} } } });
    const gated = await rpcModern(s, "tasks/get", { taskId: "x" }, "alice", {});
    assert.equal(gated.body.error.code, -32021);
  });

  it("advertises the extension only when enabled", async () => {
    const on = await rpcModern(make(), "server/discover", {});
    assert.deepEqual(on.body.result.capabilities.extensions, { [TASKS]: {} });
    const off = server({ tools: tools.filter((t) => t.name === "echo") });
    const discovered = await jsonOf(await postModern(off, "server/discover"));
    assert.equal(discovered.result.capabilities.extensions, undefined);
    const missing = await jsonOf(await postModern(off, "tasks/get", { taskId: "x" }, { capabilities: WITH_TASKS, name: "x" }));
    assert.equal(missing.error.code, -32601);
    assert.throws(() => server({ tools }), /requires tasks/);
  });

  it("parks in input_required, resumes on tasks/update, and acks with an empty result", async () => {
    const s = make();
    const { body } = await rpcModern(s, "tools/call", { name: "confirm" });
    const parked = await until(s, body.result.taskId, (t) => t.status === "input_required");
    assert.equal(parked.inputRequests.ok.method, "elicitation/create");
    const ack = await rpcModern(s, "tasks/update", {
      taskId: parked.taskId,
      inputResponses: { ok: { action: "accept", content: { ok: true } } },
    });
    assert.deepEqual(Object.keys(ack.body.result).sort(), ["_meta", "resultType"]);
    const done = await until(s, parked.taskId, terminal);
    assert.equal(done.result.content[0].text, "confirmed=true");
  });

  it("lets the handler choose: MRTR round first, then a task carrying the answer", async () => {
    const s = make();
    const round1 = (await rpcModern(s, "tools/call", { name: "later" })).body.result;
    assert.equal(round1.resultType, "input_required");
    const round2 = (await rpcModern(s, "tools/call", {
      name: "later",
      inputResponses: { name: { action: "accept", content: { name: "Ada" } } },
      requestState: round1.requestState,
    })).body.result;
    assert.equal(round2.resultType, "task");
    assert.ok(!("requestState" in round2));
    const done = await until(s, round2.taskId, terminal);
    assert.equal(done.result.content[0].text, "hello Ada");
  });

  it("cancels: an empty ack, status cancelled, the handler's signal aborted; cancelling again is the same ack", async () => {
    const s = make();
    const { body } = await rpcModern(s, "tools/call", { name: "slow", arguments: { ms: 60_000, tag: "cancel-1" } });
    const ack = await rpcModern(s, "tasks/cancel", { taskId: body.result.taskId });
    assert.equal(ack.body.result.resultType, "complete");
    assert.ok(!("status" in ack.body.result));
    assert.equal((await until(s, body.result.taskId, terminal)).status, "cancelled");
    assert.ok(aborted.has("cancel-1"));
    const again = await rpcModern(s, "tasks/cancel", { taskId: body.result.taskId });
    assert.equal(again.body.result.resultType, "complete");
  });

  it("sends notifications/tasks for the caller's own tasks on a subscriptions/listen stream", async () => {
    const s = make();
    const { body } = await rpcModern(s, "tools/call", { name: "slow", arguments: { ms: 100 } });
    const taskId = body.result.taskId;
    const listen = await postModern(s, "subscriptions/listen", { notifications: { taskIds: [taskId] } }, {
      capabilities: WITH_TASKS,
      headers: { "x-user": "alice" },
      id: "listen:1",
    });
    const reader = new SseReader(listen);
    const ack = await reader.nextMessage();
    assert.deepEqual(ack?.json.params.notifications.taskIds, [taskId]);
    const status = await reader.nextMessage();
    assert.equal(status?.json.method, "notifications/tasks");
    assert.equal(status?.json.params.taskId, taskId);
    assert.equal(status?.json.params.status, "completed");
    await reader.cancel();
  });
});

describe("tasks: bound to the identity that created them", () => {
  it("another caller gets exactly the unknown-task error, for get, update and cancel", async () => {
    const s = make();
    const { body } = await rpcModern(s, "tools/call", { name: "slow", arguments: { ms: 60_000, tag: "iso" } }, "alice");
    const taskId = body.result.taskId;
    const unknown = await rpcModern(s, "tasks/get", { taskId: "no-such-task" }, "bob");
    for (
      const [method, params] of [
        ["tasks/get", { taskId }],
        ["tasks/update", { taskId, inputResponses: {} }],
        ["tasks/cancel", { taskId }],
      ] as const
    ) {
      const r = await rpcModern(s, method, params, "bob");
      assert.equal(r.body.error.code, -32602, method);
      assert.equal(r.body.error.message, unknown.body.error.message, method);
      assert.deepEqual(r.body.error.data, unknown.body.error.data, method);
    }
    // Bob's cancel did nothing: Alice's task still runs, and only she can see it.
    assert.equal((await rpcModern(s, "tasks/get", { taskId }, "alice")).body.result.status, "working");
    assert.ok(!aborted.has("iso"));
    await rpcModern(s, "tasks/cancel", { taskId }, "alice");
  });
});

describe("tasks: shared store", () => {
  it("a second instance answers tasks/get, resumes the task on tasks/update, and cancels work running on the first", async () => {
    const store = memoryStore();
    const a = make(store);
    const b = make(store);
    const created = (await rpcModern(a, "tools/call", { name: "confirm" })).body.result;
    const parked = await until(b, created.taskId, (t) => t.status === "input_required");
    await rpcModern(b, "tasks/update", { taskId: parked.taskId, inputResponses: { ok: { action: "accept", content: { ok: false } } } });
    assert.equal((await until(a, created.taskId, terminal)).result.content[0].text, "confirmed=false");

    const running = (await rpcModern(a, "tools/call", { name: "slow", arguments: { ms: 60_000, tag: "cross" } })).body.result;
    await rpcModern(b, "tasks/cancel", { taskId: running.taskId });
    // A notices on its next heartbeat (20 ms here) and aborts the handler.
    const end = Date.now() + 2000;
    while (!aborted.has("cross") && Date.now() < end) await sleep(10);
    assert.ok(aborted.has("cross"));
    assert.equal((await until(a, running.taskId, terminal)).status, "cancelled");
  });
});

describe("tasks: restart with a persistent store", () => {
  const spec = (dir: string) => isBun ? `sqlite:${join(dir, "tasks.db")}` : `denokv:${join(dir, "tasks.kv")}`;
  const hasDenoKv = isBun || typeof (globalThis as { Deno?: { openKv?: unknown } }).Deno?.openKv === "function";

  it(`keeps finished and parked tasks (${isBun ? "Bun SQLite" : "Deno KV"}), and the new server resumes the parked one`, {
    skip: hasDenoKv ? false : "Deno KV is not enabled",
  }, async () => {
    const dir = await mkdtemp(join(tmpdir(), "gatehouse-tasks-"));
    try {
      let store = await openStore(spec(dir));
      let s = make(store);
      const finished = (await rpcModern(s, "tools/call", { name: "slow", arguments: { ms: 0 } })).body.result.taskId;
      await until(s, finished, terminal);
      const parked = (await rpcModern(s, "tools/call", { name: "confirm" })).body.result.taskId;
      await until(s, parked, (t) => t.status === "input_required");
      await store.close();

      store = await openStore(spec(dir));
      s = make(store);
      const again = (await rpcModern(s, "tasks/get", { taskId: finished })).body.result;
      assert.equal(again.status, "completed");
      assert.equal(again.result.content[0].text, "slept 0 for alice");
      assert.equal((await rpcModern(s, "tasks/get", { taskId: finished }, "bob")).body.error.code, -32602);
      await rpcModern(s, "tasks/update", { taskId: parked, inputResponses: { ok: { action: "accept", content: { ok: true } } } });
      assert.equal((await until(s, parked, terminal)).result.content[0].text, "confirmed=true");
      await store.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("reports a task whose instance stopped (its lease ran out) as failed", async () => {
    const store = memoryStore();
    const s = make(store);
    const taskId = (await rpcModern(s, "tools/call", { name: "slow", arguments: { ms: 60_000, tag: "lease" } })).body.result.taskId;
    // Simulate the instance dying: the lease is in the past and nobody renews it.
    await store.update<Record<string, unknown>>(["task", taskId], (r) => r && { ...r, runId: "gone", leaseUntil: Date.now() - 1 });
    const t = (await rpcModern(s, "tasks/get", { taskId })).body.result;
    assert.equal(t.status, "failed");
    assert.equal(t.error.code, -32603);
    await rpcModern(s, "tasks/cancel", { taskId });
  });
});
