/**
 * @module examples/workers.ts under the real workerd runtime (miniflare from npm): bundled with `bun build`, its own routes, Gatehouse at /mcp, sessions in Workers KV that outlive a restart.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Miniflare } from "miniflare";
import type { WorkersKVNamespace } from "../../src/store/workers-kv.ts";
import { assertRefusesAnonymous, bin, initializeAndCall, post, ROOT, textOf, TOKEN } from "./helpers.ts";

describe("examples/workers.ts on workerd", () => {
  let dir = "";
  let mf: Miniflare | undefined;
  const start = () => {
    const worker = new Miniflare({
      modules: true,
      scriptPath: join(dir, "worker.js"),
      modulesRoot: dir, // workerd refuses module paths that climb out of its root with ".."
      kvNamespaces: ["GATEHOUSE_KV"],
      kvPersist: join(dir, "kv"), // on disk, so a restarted Worker sees what the last one stored
      bindings: { MCP_TOKEN: TOKEN, GATEHOUSE_SECRET: "a-shared-secret-of-at-least-32-chars!" },
      compatibilityDate: "2025-09-01",
      compatibilityFlags: ["nodejs_compat"],
    });
    return worker.ready.then(() => worker);
  };
  const fetcher = (url: string, init: RequestInit) => mf!.dispatchFetch(url, init as never) as unknown as Promise<Response>;
  const origin = "http://localhost:8000";

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "gatehouse-workers-"));
    // workerd runs JavaScript modules: bundle the TypeScript entry and its imports into one file.
    const built = spawnSync(bin("bun"), [
      "build",
      "examples/workers.ts",
      "--target=browser",
      "--format=esm",
      `--outfile=${join(dir, "worker.js")}`,
    ], {
      cwd: ROOT,
      encoding: "utf8",
    });
    assert.equal(built.status, 0, `bun build failed:\n${built.stdout}\n${built.stderr}`);
    mf = await start();
  });
  after(async () => {
    await mf?.dispose();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("serves the Worker's own routes", async () => {
    const home = await fetcher(`${origin}/`, {});
    assert.equal(await home.text(), "Hello from a Worker");
    const missing = await fetcher(`${origin}/nope`, {});
    assert.equal(missing.status, 404);
    assert.equal(await missing.text(), "Not found");
  });

  it("refuses /mcp without the bearer token", () => assertRefusesAnonymous(`${origin}/mcp`, fetcher));

  it("answers initialize and tools/call; the session is in Workers KV and outlives a restart", async () => {
    const { sessionId, result } = await initializeAndCall(`${origin}/mcp`, "echo", { message: "from workerd" }, { fetcher });
    assert.equal(textOf(result), "from workerd");
    const kv = await mf!.getKVNamespace("GATEHOUSE_KV") as unknown as WorkersKVNamespace;
    const { keys } = await kv.list({});
    assert.ok(keys.some((k) => k.name.includes(sessionId)), `a KV key names the session: ${JSON.stringify(keys)}`);

    await mf!.dispose();
    mf = await start(); // a fresh isolate: nothing in memory, the same KV data
    const again = await post(
      `${origin}/mcp`,
      { jsonrpc: "2.0", id: 3, method: "tools/call", params: { name: "echo", arguments: { message: "again" } } },
      { "mcp-session-id": sessionId, "mcp-protocol-version": "2025-06-18" },
      fetcher,
    );
    assert.equal(again.response.status, 200, JSON.stringify(again.messages));
    assert.equal(textOf(again.messages[0].result), "again");
  });
});
