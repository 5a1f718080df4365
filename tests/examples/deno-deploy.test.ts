/**
 * @module examples/deno-deploy.ts (Deno only) under `deno serve` with a Deno KV file: MCP works, and a session outlives a restart because it lives in Deno KV.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  assertRefusesAnonymous,
  bin,
  initializeAndCall,
  isDeno,
  post,
  type RunningExample,
  startExample,
  textOf,
  TOKEN,
} from "./helpers.ts";

const skip = isDeno ? undefined : "Deno Deploy entry (Deno KV): runs under Deno only";

// Under the other runtime the file reports one skipped test saying why.
if (skip) it(`examples/deno-deploy.ts: skipped (${skip})`, { skip }, () => {});

if (!skip) {
  describe("examples/deno-deploy.ts", () => {
    let dir = "";
    let app: RunningExample | undefined;
    const start = () =>
      startExample(
        (port) => [bin("deno"), ["serve", "-A", "--unstable-kv", "--host", "127.0.0.1", "--port", String(port), "examples/deno-deploy.ts"]],
        { MCP_TOKEN: TOKEN, KV_PATH: join(dir, "kv.sqlite3"), GATEHOUSE_SECRET: "a-shared-secret-of-at-least-32-chars!" },
        "/health",
      );
    before(async () => {
      dir = await mkdtemp(join(tmpdir(), "gatehouse-deploy-"));
      app = await start();
    });
    after(async () => {
      await app?.stop();
      if (dir) await rm(dir, { recursive: true, force: true });
    });

    it("serves /health and refuses /mcp without the token", async () => {
      assert.deepEqual(await (await fetch(`${app!.origin}/health`)).json(), { status: "ok" });
      await assertRefusesAnonymous(`${app!.origin}/mcp`);
    });

    it("answers initialize and tools/call; the session survives a restart (it is in Deno KV)", async () => {
      const { sessionId, result } = await initializeAndCall(`${app!.origin}/mcp`, "region", {});
      assert.equal(textOf(result), "served by a local Deno");
      await app!.stop();
      app = await start(); // a new process (and port) on the same KV file
      const again = await post(
        `${app.origin}/mcp`,
        { jsonrpc: "2.0", id: 3, method: "tools/call", params: { name: "region", arguments: {} } },
        { "mcp-session-id": sessionId, "mcp-protocol-version": "2025-06-18" },
      );
      assert.equal(again.response.status, 200, JSON.stringify(again.messages));
      assert.equal(textOf(again.messages[0].result), "served by a local Deno");
      const unknown = await post(`${app.origin}/mcp`, { jsonrpc: "2.0", id: 4, method: "ping" }, {
        "mcp-session-id": "not-a-session",
        "mcp-protocol-version": "2025-06-18",
      });
      assert.equal(unknown.response.status, 404);
    });
  });
}
