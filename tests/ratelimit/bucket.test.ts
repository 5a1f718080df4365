import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { type BucketState, takeTokens } from "../../src/ratelimit/bucket.ts";

describe("token bucket", () => {
  const limits = { rps: 2, burst: 3 };

  it("starts full and allows a burst, then refuses with the time to the next token", () => {
    let state: BucketState | undefined;
    const remaining: number[] = [];
    for (let i = 0; i < 3; i++) {
      const v = takeTokens(state, 1000, limits);
      assert.equal(v.allowed, true);
      remaining.push(v.remaining);
      state = v.state;
    }
    assert.deepEqual(remaining, [2, 1, 0]);
    const refused = takeTokens(state, 1000, limits);
    assert.equal(refused.allowed, false);
    assert.equal(refused.retryAfterMs, 500);
    assert.equal(refused.remaining, 0);
  });

  it("refills at rps, capped at burst", () => {
    const empty = { tokens: 0, updatedAt: 0 };
    assert.equal(takeTokens(empty, 499, limits).allowed, false);
    assert.equal(takeTokens(empty, 500, limits).allowed, true);
    const later = takeTokens(empty, 60_000, limits);
    assert.equal(later.remaining, 2); // capped at 3, minus 1
    assert.equal(later.fullInMs, 500);
  });

  it("is exact at the promised retry time despite floating point", () => {
    const fast = { rps: 10, burst: 1 };
    let state = takeTokens(undefined, 0, fast).state;
    for (let t = 100; t <= 10_000; t += 100) {
      const v = takeTokens(state, t, fast);
      assert.equal(v.allowed, true, `at ${t}`);
      state = v.state;
    }
  });

  it("weighs costs, and a cost above burst never passes", () => {
    assert.equal(takeTokens(undefined, 0, { ...limits, cost: 3 }).remaining, 0);
    const tooBig = takeTokens(undefined, 0, { ...limits, cost: 4 });
    assert.equal(tooBig.allowed, false);
    assert.equal(tooBig.retryAfterMs, 500);
  });

  it("never lets a negative or non-finite cost add tokens", () => {
    assert.equal(takeTokens(undefined, 0, { ...limits, cost: -5 }).remaining, 3);
    assert.equal(takeTokens(undefined, 0, { ...limits, cost: Number.NaN }).remaining, 2);
  });

  it("treats a clock that went backwards as no elapsed time", () => {
    const v = takeTokens({ tokens: 0, updatedAt: 10_000 }, 5_000, limits);
    assert.equal(v.allowed, false);
    assert.equal(v.retryAfterMs, 500);
  });
});
