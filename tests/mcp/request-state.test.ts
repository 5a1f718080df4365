// The signed requestState of multi round-trip requests: what a client carries between rounds comes
// back intact, and anything changed, foreign, expired or re-bound is refused.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { createRequestStateCodec } from "../../src/mcp/request-state.ts";
import { McpError } from "../../src/mcp/jsonrpc.ts";

const codec = createRequestStateCodec("a-test-secret-of-some-length-0123456789");

describe("requestState codec", () => {
  it("opens what it sealed, answers included", async () => {
    const state = await codec.seal({ bind: "tools/call:book", answers: { k: { action: "accept", content: { name: "Ann" } } }, round: 1 });
    const payload = await codec.open(state, "tools/call:book");
    assert.deepEqual(payload.answers, { k: { action: "accept", content: { name: "Ann" } } });
    assert.equal(payload.round, 1);
    assert.ok(payload.exp > Date.now());
  });

  it("carries large answers (hundreds of kilobytes) without overflowing", async () => {
    const big = "x".repeat(600_000) + "é✓";
    const state = await codec.seal({
      bind: "tools/call:upload",
      answers: { file: { action: "accept", content: { text: big } } },
      round: 2,
    });
    const payload = await codec.open(state, "tools/call:upload");
    assert.equal((payload.answers.file as { content: { text: string } }).content.text, big);
  });

  it("refuses a tampered, foreign, re-bound, expired or malformed state with -32602", async () => {
    const state = await codec.seal({ bind: "tools/call:book", answers: {}, round: 1 });
    const [body, mac] = state.split(".");
    const other = createRequestStateCodec("another-secret-entirely-0123456789abcdef");
    const expired = createRequestStateCodec("a-test-secret-of-some-length-0123456789", -1);
    const cases: [unknown, string, RegExp][] = [
      [`${body.slice(0, -2)}${body.endsWith("A") ? "B" : "A"}${body.slice(-1)}.${mac}`, "tools/call:book", /signature/],
      [`${body}.${mac.slice(1)}`, "tools/call:book", /signature/],
      [await other.seal({ bind: "tools/call:book", answers: {}, round: 1 }), "tools/call:book", /signature/],
      [state, "tools/call:other", /different request/],
      [await expired.seal({ bind: "tools/call:book", answers: {}, round: 1 }), "tools/call:book", /expired/],
      ["garbage", "tools/call:book", /malformed/],
      ["a.b.c", "tools/call:book", /malformed/],
      [42, "tools/call:book", /malformed/],
    ];
    for (const [value, bind, message] of cases) {
      await assert.rejects(codec.open(value, bind), (error: unknown) => {
        assert.ok(error instanceof McpError, String(error));
        assert.equal(error.code, -32602);
        assert.match(error.message, message);
        return true;
      }, String(value).slice(0, 40));
    }
  });
});
