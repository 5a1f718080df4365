import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { bearer, defineTool } from "../../src/mod.ts";
import { jsonOf, post, rpc, server } from "../mcp/helpers.ts";

const TOKEN = "server-headers-token-0123456789abcdefghij";

describe('rate limit through createServer with headers: "always": every answer carries the headers', () => {
  const s = server({
    auth: bearer({ token: TOKEN }),
    rateLimit: { rps: 1, burst: 3, headers: "always" },
    tools: [
      defineTool({ name: "plain", handler: () => "ok" }),
      defineTool({
        name: "chatty",
        handler: async (_a, ctx) => {
          await ctx.log("info", "streaming first");
          return "done";
        },
      }),
    ],
  });
  const auth = { authorization: `Bearer ${TOKEN}` };

  it("a JSON answer, an SSE answer and a 202 all carry RateLimit-Policy and RateLimit (and X-Request-Id when asked for); the fourth call is a 429", async () => {
    const json = await post(s, rpc("tools/call", { name: "plain", arguments: {} }), {
      headers: { ...auth, "x-request-id": "rl-json-1" },
      version: "2025-11-25",
    });
    assert.equal(json.status, 200);
    assert.equal(json.headers.get("ratelimit-policy"), '"default";q=3;w=3');
    assert.match(json.headers.get("ratelimit") ?? "", /^"default";r=2;t=\d+$/);
    assert.equal(json.headers.get("x-request-id"), "rl-json-1");
    assert.equal((await jsonOf(json)).result.content[0].text, "ok");

    const sse = await post(s, rpc("tools/call", { name: "chatty", arguments: {} }), {
      headers: { ...auth, "x-request-id": "rl-sse-2" },
      version: "2025-11-25",
    });
    assert.equal(sse.headers.get("content-type"), "text/event-stream");
    assert.match(sse.headers.get("ratelimit") ?? "", /^"default";r=1;t=\d+$/);
    assert.equal(sse.headers.get("x-request-id"), "rl-sse-2");
    await sse.text();

    const note = await post(s, { jsonrpc: "2.0", method: "notifications/initialized" }, { headers: auth, version: "2025-11-25" });
    assert.equal(note.status, 202);
    assert.match(note.headers.get("ratelimit") ?? "", /^"default";r=0;t=\d+$/);

    const refused = await post(s, rpc("tools/call", { name: "plain", arguments: {} }), { headers: auth, version: "2025-11-25" });
    assert.equal(refused.status, 429);
    assert.ok(Number(refused.headers.get("retry-after")) >= 1);
    assert.ok(refused.headers.get("x-request-id"), "an error response always carries the request id");
  });
});

describe("rate limit through createServer by default: the headers appear once the caller nears the limit", () => {
  const s = server({
    auth: bearer({ token: TOKEN }),
    rateLimit: { rps: 0.01, burst: 6 },
    tools: [defineTool({ name: "plain", handler: () => "ok" })],
  });
  const call = () =>
    post(s, rpc("tools/call", { name: "plain", arguments: {} }), { headers: { authorization: `Bearer ${TOKEN}` }, version: "2025-11-25" });

  it("no RateLimit headers while more than half the burst is left, then on every answer, and on the 429", async () => {
    const seen: (string | null)[] = [];
    for (let i = 0; i < 6; i++) {
      const res = await call();
      assert.equal(res.status, 200);
      await res.text();
      assert.equal(res.headers.get("ratelimit-policy") === null, res.headers.get("ratelimit") === null, "both headers or neither");
      seen.push(res.headers.get("ratelimit"));
    }
    // Remaining after each call: 5, 4 (more than half of 6: quiet), then 3, 2, 1, 0.
    assert.deepEqual(seen.map((h) => h?.replace(/;t=\d+$/, "") ?? null), [
      null,
      null,
      '"default";r=3',
      '"default";r=2',
      '"default";r=1',
      '"default";r=0',
    ]);
    const refused = await call();
    assert.equal(refused.status, 429);
    assert.equal(refused.headers.get("ratelimit-policy"), '"default";q=6;w=600');
    assert.match(refused.headers.get("ratelimit") ?? "", /^"default";r=0;t=\d+$/);
  });
});

describe("a tool's cost weighs its calls in the caller's bucket (ctx.charge)", () => {
  const s = server({
    auth: bearer({ token: TOKEN }),
    // Refills one token per 100 s: nothing comes back while the test runs.
    rateLimit: { rps: 0.01, burst: 5 },
    tools: [
      defineTool({ name: "heavy", cost: 3, handler: () => "heavy done" }),
      defineTool({ name: "plain", handler: () => "ok" }),
    ],
  });
  const call = (name: string) =>
    post(s, rpc("tools/call", { name, arguments: {} }), { headers: { authorization: `Bearer ${TOKEN}` }, version: "2025-11-25" });

  it("cost 3 takes 3 of 5 tokens; a second costly call is refused with 429 while 1 token is left, which a plain call still gets", async () => {
    const first = await call("heavy");
    assert.equal(first.status, 200);
    assert.equal((await jsonOf(first)).result.content[0].text, "heavy done");
    const second = await call("heavy");
    assert.equal(second.status, 429);
    assert.ok(Number(second.headers.get("retry-after")) >= 1);
    await second.body?.cancel();
    const plain = await call("plain");
    assert.equal(plain.status, 200, "the refused costly call took only the stage's 1 token");
    await plain.body?.cancel();
    const last = await call("plain");
    assert.equal(last.status, 429);
    await last.body?.cancel();
  });
});
