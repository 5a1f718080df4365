/**
 * @module examples/node.ts: Gatehouse through src/runtime/node.ts, run under this runtime's node:http and, bundled to plain JavaScript, under the real `node` on PATH; progress streams over SSE as it happens.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  assertRefusesAnonymous,
  bin,
  initializeAndCall,
  isBun,
  nodeVersion,
  post,
  ROOT,
  type RunningExample,
  startExample,
  textOf,
  TOKEN,
} from "./helpers.ts";

/** Calls `countdown` and records when each SSE event arrived, to show events are not held back until the end. */
async function timedCountdown(mcpUrl: string): Promise<{ events: Array<{ at: number; message: any }>; total: number }> {
  const init = await post(mcpUrl, {
    jsonrpc: "2.0",
    id: 1,
    method: "initialize",
    params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "t", version: "1" } },
  });
  const session = { "mcp-session-id": init.response.headers.get("mcp-session-id")!, "mcp-protocol-version": "2025-06-18" };
  const started = Date.now();
  const response = await fetch(mcpUrl, {
    method: "POST",
    headers: {
      authorization: `Bearer ${TOKEN}`,
      "content-type": "application/json",
      accept: "application/json, text/event-stream",
      ...session,
    },
    body: JSON.stringify({
      jsonrpc: "2.0",
      id: 2,
      method: "tools/call",
      params: { name: "countdown", arguments: { n: 3, delayMs: 300 }, _meta: { progressToken: "p" } },
    }),
  });
  assert.equal(response.headers.get("content-type")?.split(";")[0], "text/event-stream");
  const events: Array<{ at: number; message: any }> = [];
  const decoder = new TextDecoder();
  let buffered = "";
  for await (const chunk of response.body!) {
    buffered += decoder.decode(chunk, { stream: true });
    let end;
    while ((end = buffered.search(/\r?\n\r?\n/)) >= 0) {
      const event = buffered.slice(0, end);
      buffered = buffered.slice(end).replace(/^\r?\n\r?\n/, "");
      const data = event.split(/\r?\n/).filter((l) => l.startsWith("data:")).map((l) => l.slice(5).trim()).join("\n");
      if (data) events.push({ at: Date.now() - started, message: JSON.parse(data) });
    }
  }
  return { events, total: Date.now() - started };
}

function assertStreamed({ events, total }: Awaited<ReturnType<typeof timedCountdown>>) {
  const progress = events.filter((e) => e.message.method === "notifications/progress");
  assert.equal(progress.length, 3, JSON.stringify(events));
  assert.equal(events.at(-1)!.message.result.content[0].text, "liftoff");
  assert.ok(total >= 850, `the call took its 3 × 300 ms (${total} ms)`);
  // The first progress event left before the tool finished: the body is written as it is produced.
  assert.ok(progress[0].at < total - 500, `first event at ${progress[0].at} ms of ${total} ms`);
}

describe(`examples/node.ts under ${isBun ? "Bun" : "Deno"}'s node:http`, () => {
  let app: RunningExample;
  before(async () => {
    app = await startExample(
      () => isBun ? [bin("bun"), ["run", "examples/node.ts"]] : [bin("deno"), ["run", "-A", "examples/node.ts"]],
      { MCP_TOKEN: TOKEN },
      "/health",
    );
  });
  after(() => app?.stop());

  it("serves the app's own /health", async () => {
    assert.deepEqual(await (await fetch(`${app.origin}/health`)).json(), { app: "node-example", ok: true });
  });

  it("refuses /mcp without the bearer token", () => assertRefusesAnonymous(`${app.origin}/mcp`));

  it("answers initialize and tools/call", async () => {
    const { result } = await initializeAndCall(`${app.origin}/mcp`, "countdown", { n: 1, delayMs: 0 });
    assert.equal(textOf(result), "liftoff");
  });

  it("streams progress over SSE as it happens", async () => assertStreamed(await timedCountdown(`${app.origin}/mcp`)));
});

// Node cannot load the TypeScript sources here (Node 20 has no type stripping), so the example is
// bundled to one JavaScript file first; what runs is the same adapter code on Node's own node:http.
const node = nodeVersion();
const nodeSkip = node === undefined ? "no `node` on PATH" : undefined;
describe(`examples/node.ts bundled, under node ${node ?? "(missing)"}`, { skip: nodeSkip }, () => {
  let dir = "";
  let app: RunningExample | undefined;
  before(async () => {
    if (nodeSkip) return;
    dir = await mkdtemp(join(tmpdir(), "gatehouse-node-"));
    const out = join(dir, "node-example.mjs");
    const built = spawnSync(bin("bun"), ["build", "examples/node.ts", "--target=node", "--format=esm", `--outfile=${out}`], {
      cwd: ROOT,
      encoding: "utf8",
    });
    assert.equal(built.status, 0, `bun build failed:\n${built.stdout}\n${built.stderr}`);
    app = await startExample(() => ["node", [out]], { MCP_TOKEN: TOKEN }, "/health");
  });
  after(async () => {
    await app?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("answers /health, refuses anonymous calls, answers initialize and tools/call", { skip: nodeSkip }, async () => {
    assert.deepEqual(await (await fetch(`${app!.origin}/health`)).json(), { app: "node-example", ok: true });
    await assertRefusesAnonymous(`${app!.origin}/mcp`);
    const { result } = await initializeAndCall(`${app!.origin}/mcp`, "countdown", { n: 1, delayMs: 0 });
    assert.equal(textOf(result), "liftoff");
  });

  it("streams progress over SSE as it happens", { skip: nodeSkip }, async () => assertStreamed(await timedCountdown(`${app!.origin}/mcp`)));
});
