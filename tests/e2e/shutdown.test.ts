/**
 * @module End to end: the real server stops promptly on SIGTERM (what `docker stop`, systemd and every PaaS send), on Bun and on Deno, including after a 2025 session's response was streamed as SSE.
 *
 * `deno serve` handles SIGTERM by closing the listener and letting the event loop drain, so any
 * timer left pending by the server keeps the process alive after SIGTERM.
 */
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { SERVER_RUNTIMES, type SpawnedServer, spawnServer, within } from "./helpers/spawn-server.ts";

const STEP = 20_000;
const GRACE_MS = 3000;

for (const runtime of SERVER_RUNTIMES) {
  describe(`${runtime} server: SIGTERM`, () => {
    const started: SpawnedServer[] = [];
    after(async () => {
      await Promise.all(started.map((s) => s.stop()));
    });

    async function withClient(body: (client: Client) => Promise<void>) {
      const server = await spawnServer(runtime, { AUTH_STRATEGY: "none", RATE_LIMIT_RPS: "off" });
      started.push(server);
      const client = new Client({ name: "gatehouse-e2e-shutdown", version: "1.0.0" });
      await within(STEP, client.connect(new StreamableHTTPClientTransport(server.url)));
      await within(STEP, body(client));
      await client.close();
      return server;
    }

    it("exits promptly after plain JSON responses", async () => {
      const server = await withClient(async (client) => {
        await client.callTool({ name: "echo", arguments: { message: "x" } });
      });
      assert.equal(await server.terminate(GRACE_MS), true, `still running ${GRACE_MS} ms after SIGTERM`);
    });

    it("exits promptly after a 2025 session's response was streamed (progress over SSE)", async () => {
      const server = await withClient(async (client) => {
        await client.callTool({ name: "countdown", arguments: { n: 1, delayMs: 0 } }, undefined, { onprogress: () => {} });
      });
      assert.equal(await server.terminate(GRACE_MS), true, `still running ${GRACE_MS} ms after SIGTERM`);
    });
  });
}
