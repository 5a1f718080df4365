/**
 * @module examples/hono.ts as a real server (bun run / deno serve): the app's own routes, Gatehouse at /mcp behind bearer auth.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { assertRefusesAnonymous, bin, initializeAndCall, isBun, type RunningExample, startExample, textOf, TOKEN } from "./helpers.ts";

describe("examples/hono.ts", () => {
  let app: RunningExample;
  before(async () => {
    app = await startExample(
      (port) =>
        isBun
          ? [bin("bun"), ["run", "examples/hono.ts"]]
          : [bin("deno"), ["serve", "-A", "--host", "127.0.0.1", "--port", String(port), "examples/hono.ts"]],
      { MCP_TOKEN: TOKEN },
      "/api/time",
    );
  });
  after(() => app?.stop());

  it("serves its own routes next to Gatehouse", async () => {
    const time = await fetch(`${app.origin}/api/time`);
    assert.equal(time.status, 200);
    assert.ok(!Number.isNaN(Date.parse((await time.json()).now)));
    const home = await fetch(`${app.origin}/`);
    assert.equal(await home.text(), "Hello from Hono");
    const missing = await fetch(`${app.origin}/nope`);
    assert.equal(missing.status, 404);
    assert.equal(await missing.text(), "404 Not Found"); // Hono's 404, not Gatehouse's
  });

  it("refuses /mcp without the bearer token", () => assertRefusesAnonymous(`${app.origin}/mcp`));

  it("answers initialize and tools/call at /mcp", async () => {
    const { result } = await initializeAndCall(`${app.origin}/mcp`, "shout", { message: "hello" });
    assert.equal(textOf(result), "HELLO");
  });
});
