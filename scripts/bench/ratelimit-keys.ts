/**
 * @module Bench: RSS after one million distinct rate-limit keys, driven through the real limiter
 * (`bucketLimiter().take`, the code the rate-limit stage runs) over the memory store. Each take empties
 * its key's bucket (cost = burst = 1000 at 1 rps), so every key stays remembered for 1000 s, well past
 * the moment RSS is read; the first, a middle and the last key are checked to be remembered at the end.
 * Prints one JSON line. `KEYS` sets the count (default 1,000,000).
 */
import { readFileSync } from "node:fs";
import process from "node:process";
import { memoryStore } from "../../src/store/memory.ts";
import { bucketLimiter } from "../../src/ratelimit/stage.ts";

const keys = Number(process.env.KEYS ?? 1_000_000);
const g = globalThis as { gc?: () => void; Bun?: { gc(force: boolean): void } };
const collect = () => (g.Bun ? g.Bun.gc(true) : g.gc?.());
const rssMB = () => Number(/^VmRSS:\s+(\d+) kB/m.exec(readFileSync("/proc/self/status", "utf8"))![1]) / 1024;

const keyOf = (i: number) => `cred:${i.toString(16).padStart(16, "0")}`;
const store = memoryStore();
const limiter = bucketLimiter({ store, rps: 1, burst: 1000 }, "default");
await limiter.take("cred:warm-up", 1);
collect();
const before = rssMB();
const t0 = performance.now();
for (let i = 0; i < keys; i++) {
  const verdict = await limiter.take(keyOf(i), 1000);
  if (!verdict?.allowed) throw new Error(`take ${i} refused`);
}
const ms = performance.now() - t0;
collect();
const after = rssMB();
// Still remembered (refilling at 1 token/s from empty, far from the full 1000 a forgotten key would
// show): a forgetful limiter must not post a small number.
for (const i of [0, Math.floor(keys / 2), keys - 1]) {
  const remaining = (await limiter.peek(keyOf(i)))?.remaining ?? 1000;
  if (remaining > 900) throw new Error(`key ${i} was forgotten (${remaining} tokens left)`);
}
console.log(
  JSON.stringify({ keys, beforeMB: before, afterMB: after, deltaMB: after - before, takesPerSecond: keys / (ms / 1000), sampleLive: 3 }),
);
