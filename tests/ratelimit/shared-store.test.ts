/** Two server instances with their own connections to one persistent store share one rate limit. */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { bearer, createServer, defineTool, openStore } from "../../src/mod.ts";

const TOKEN = "shared-limit-token-0123456789abcdef";
const spec = (globalThis as { Bun?: unknown }).Bun ? "sqlite" : "denokv";

function call(server: ReturnType<typeof createServer>) {
  return server.fetch(
    new Request("http://localhost:8000/mcp", {
      method: "POST",
      headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json", accept: "application/json, text/event-stream" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: "echo", arguments: { message: "hi" } } }),
    }),
  );
}

describe(`rate limits shared through one ${spec} store`, () => {
  it("counts requests to either instance against the same bucket", async () => {
    const path = join(mkdtempSync(join(tmpdir(), "gatehouse-shared-")), "store.db");
    const [storeA, storeB] = [await openStore(`${spec}:${path}`), await openStore(`${spec}:${path}`)];
    const echo = defineTool({ name: "echo", handler: (args) => String(args.message) });
    const options = { name: "t", version: "1", tools: [echo], auth: bearer({ token: TOKEN }), rateLimit: { rps: 0.01, burst: 3 } };
    const a = createServer({ ...options, store: storeA });
    const b = createServer({ ...options, store: storeB });
    try {
      assert.equal((await call(a)).status, 200);
      assert.equal((await call(b)).status, 200);
      assert.equal((await call(a)).status, 200);
      const refused = await call(b);
      assert.equal(refused.status, 429);
      assert.ok(Number(refused.headers.get("retry-after")) >= 1);
      assert.match(refused.headers.get("ratelimit") ?? "", /r=0/);
    } finally {
      await storeA.close();
      await storeB.close();
    }
  });
});
