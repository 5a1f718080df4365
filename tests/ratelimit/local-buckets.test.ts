import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { localBuckets } from "../../src/ratelimit/local-buckets.ts";
import { takeTokens } from "../../src/ratelimit/bucket.ts";
import { bucketLimiter } from "../../src/ratelimit/stage.ts";
import { memoryStore } from "../../src/store/memory.ts";
import { guardedStore } from "../../src/store/guarded.ts";

describe("rate limit: buckets beside a process-local store", () => {
  it("gives the same verdicts as the stored token bucket, step by step", () => {
    let t = 1_000_000;
    const local = localBuckets(2, 5, () => t);
    let state: ReturnType<typeof takeTokens>["state"] | undefined;
    const steps = [0, 0, 0, 0, 0, 0, 100, 400, 500, 0, 0, 2500, 3000, 0, 0, 0, 0, 0, 0];
    for (const [i, dt] of steps.entries()) {
      t += dt;
      const cost = i % 7 === 3 ? 2 : 1;
      const expected = takeTokens(state, t, { rps: 2, burst: 5, cost });
      state = expected.state;
      const got = local.take("caller", cost);
      assert.equal(got.allowed, expected.allowed, `step ${i}`);
      assert.equal(got.remaining, expected.remaining, `step ${i}`);
      assert.equal(got.retryAfterMs, expected.retryAfterMs, `step ${i}`);
    }
  });

  it("is idle exactly while every bucket is full", () => {
    let t = 10_000;
    const local = localBuckets(2, 4, () => t);
    assert.equal(local.idle(), true, "nothing taken yet");
    local.take("a", 1);
    assert.equal(local.idle(), false);
    t += 400;
    local.take("b", 3); // b is full again 1.5 s from now, a 0.1 s from now
    t += 200;
    assert.equal(local.idle(), false, "a is full, b is not");
    assert.equal(local.peek("a").remaining, 3, "full: 4 tokens, 3 left after the peeked request");
    t += 1_300;
    assert.equal(local.idle(), true, "both full again");
    assert.equal(local.peek("b").remaining, 3);
  });

  it("keeps every key's bucket apart through many growths of the table, and forgets a key once it is full", () => {
    let t = 5_000;
    const local = localBuckets(1, 3, () => t);
    const keys = Array.from({ length: 20_000 }, (_, i) => `cred:${i}`);
    for (const k of keys) assert.equal(local.take(k, 3).allowed, true);
    assert.equal(local.size, keys.length);
    for (const k of keys) assert.equal(local.peek(k).allowed, false, k);
    assert.equal(local.peek("cred:never-seen").allowed, true);
    t += 3_000; // everyone has refilled
    assert.equal(local.size, 0);
    for (const k of keys.slice(0, 100)) assert.equal(local.take(k, 3).allowed, true, "refilled");
    assert.equal(local.size, 100, "refilled slots were reused, not leaked");
  });

  it("two limiters over one memory store (even through the guarded wrapper) share one bucket per caller", async () => {
    const store = memoryStore();
    const a = bucketLimiter({ store, rps: 1, burst: 2 }, "default");
    const b = bucketLimiter({ store: guardedStore(store), rps: 1, burst: 2 }, "default");
    assert.equal((await a.take("cred:x", 1))?.allowed, true);
    assert.equal((await b.take("cred:x", 1))?.allowed, true);
    assert.equal((await a.take("cred:x", 1))?.allowed, false, "the third take in the same second is refused, whichever limiter");
    const other = bucketLimiter({ store: memoryStore(), rps: 1, burst: 2 }, "default");
    assert.equal((await other.take("cred:x", 1))?.allowed, true, "another store has its own buckets");
  });
});
