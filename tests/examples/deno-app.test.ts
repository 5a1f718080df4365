/**
 * @module examples/deno-app.ts (Deno only): a Deno.serve app with its own /health and 404, Gatehouse mounted at /ai/mcp.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { assertRefusesAnonymous, bin, initializeAndCall, isDeno, type RunningExample, startExample, textOf, TOKEN } from "./helpers.ts";

const skip = isDeno ? undefined : "Deno.serve example: runs under Deno only";

// Under the other runtime the file reports one skipped test saying why.
if (skip) it(`examples/deno-app.ts: skipped (${skip})`, { skip }, () => {});

if (!skip) {
  describe("examples/deno-app.ts", () => {
    let app: RunningExample;
    before(async () => {
      app = await startExample(() => [bin("deno"), ["run", "-A", "examples/deno-app.ts"]], { MCP_TOKEN: TOKEN }, "/health");
    });
    after(() => app?.stop());

    it("keeps /health and unknown paths the app's own", async () => {
      const health = await fetch(`${app.origin}/health`);
      assert.deepEqual(await health.json(), { app: "deno-app", ok: true });
      for (const path of ["/mcp", "/nope", "/ai"]) {
        const response = await fetch(app.origin + path, { method: "POST" });
        assert.equal(response.status, 404, path);
        assert.equal(await response.text(), "Not found", path);
      }
    });

    it("refuses /ai/mcp without the bearer token", () => assertRefusesAnonymous(`${app.origin}/ai/mcp`));

    it("answers initialize and tools/call at /ai/mcp", async () => {
      const { result } = await initializeAndCall(`${app.origin}/ai/mcp`, "runtime", {});
      assert.match(textOf(result), /^Deno \d/);
    });
  });
}
