/**
 * @module Bench: RSS after one million distinct rate-limit keys, driven through the real limiter
 * (`bucketLimiter().take`, the code the rate-limit stage runs) over the memory store. The bucket's
 * TTL is made long (burst/rps = 1000 s) so every key is still live when RSS is read.
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

const store = memoryStore();
const limiter = bucketLimiter({ store, rps: 1, burst: 1000 }, "default");
await limiter.take("cred:warm-up", 1);
collect();
const before = rssMB();
const t0 = performance.now();
for (let i = 0; i < keys; i++) {
  const verdict = await limiter.take(`cred:${i.toString(16).padStart(16, "0")}`, 1);
  if (!verdict?.allowed) throw new Error(`take ${i} refused`);
}
const ms = performance.now() - t0;
collect();
const after = rssMB();
const live = (await store.list(["ratelimit", "default"], { limit: 2 })).length;
console.log(JSON.stringify({ keys, beforeMB: before, afterMB: after, deltaMB: after - before, takesPerSecond: keys / (ms / 1000), sampleLive: live }));
