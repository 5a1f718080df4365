/**
 * @module What the Redis backend adds beyond the shared KV contract: surviving a Redis restart and reconnecting by itself, bounded failure when Redis is down or hangs, a bounded index, AUTH and database selection from the URL, and errors that never echo a password.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { openStore } from "../../src/runtime/store.ts";
import { parseRedisUrl, redisConnection } from "../../src/runtime/redis-connection.ts";
import { redisStore } from "../../src/store/redis.ts";
import type { KV } from "../../src/store/kv.ts";
import { type RedisServer, redisSkipReason, startRedis } from "./fixtures/redis-server.ts";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const skip = redisSkipReason;
const prefix = () => `t-${randomUUID()}:`;

/** Retries `op` until it succeeds or `ms` pass (a reconnect after a restart). */
async function eventually<T>(op: () => Promise<T>, ms = 5000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      return await op();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await sleep(50);
    }
  }
}

describe("Redis store: restarts and outages", { skip }, () => {
  let redis: RedisServer;
  before(async () => void (redis = await startRedis({ persistent: true })));
  after(async () => await redis?.stop());

  it("a Redis killed with SIGKILL and restarted keeps every acknowledged write; the store reconnects by itself", async () => {
    const kv = await openStore(`${redis.url}?prefix=${prefix()}`);
    try {
      for (let i = 0; i < 100; i++) await kv.set(["token", i], { i }, { ttlMs: 60_000 });
      await kv.set(["client", "c1"], { name: "CLI" });
      assert.deepEqual(await kv.take(["token", 0]), { i: 0 });
      await redis.kill();
      await assert.rejects(kv.get(["client", "c1"])); // Redis is gone: a prompt rejection, not a hang
      await redis.restart();
      assert.deepEqual(await eventually(() => kv.get(["client", "c1"])), { name: "CLI" });
      assert.equal(await kv.get(["token", 0]), undefined, "a taken code stays taken");
      assert.equal((await kv.list(["token"])).length, 99);
      assert.equal(await kv.update<number>(["n"], (n) => (n ?? 0) + 1), 1);
    } finally {
      await kv.close();
    }
  });

  it("a Redis that stops answering fails each call within the timeout, and service resumes when it answers again", async () => {
    const connection = redisConnection({ ...parseRedisUrl(redis.url), timeoutMs: 300 });
    const kv = redisStore(connection, { prefix: prefix() });
    try {
      await kv.set(["k"], 1);
      redis.signal("SIGSTOP");
      const started = Date.now();
      await assert.rejects(kv.get(["k"]), /did not answer within 300 ms/);
      assert.ok(Date.now() - started < 2000);
      redis.signal("SIGCONT");
      assert.equal(await eventually(() => kv.get(["k"])), 1);
    } finally {
      redis.signal("SIGCONT");
      await kv.close();
    }
  });
});

describe("Redis store: housekeeping and configuration", { skip }, () => {
  let redis: RedisServer;
  const password = "s3cret-redis-password";
  before(async () => void (redis = await startRedis({ password })));
  after(async () => await redis?.stop());
  const url = (path = "", p = prefix()) => `redis://:${password}@127.0.0.1:${redis.port}${path}?prefix=${p}`;

  it("expired keys leave the list index as later writes sweep it, so it does not grow without bound", async () => {
    const p = prefix();
    const kv = await openStore(url("", p));
    const raw = redisConnection(parseRedisUrl(url("", p)));
    try {
      for (let i = 0; i < 300; i++) await kv.set(["code", i], i, { ttlMs: 30 });
      await sleep(100);
      for (let i = 0; i < 60; i++) await kv.set(["client", i], i);
      assert.equal(await raw.send(["ZCARD", `${p}{kv}:index`]), 60);
      assert.equal(await raw.send(["ZCARD", `${p}{kv}:expiry`]), 0);
    } finally {
      await raw.close();
      await kv.close();
    }
  });

  it("AUTH and the database number come from the URL; databases do not see each other", async () => {
    const p = prefix();
    const one = await openStore(url("/1", p));
    const two = await openStore(url("/2", p));
    try {
      await one.set(["k"], "one");
      assert.equal(await two.get(["k"]), undefined);
      assert.equal(await one.get(["k"]), "one");
    } finally {
      await one.close();
      await two.close();
    }
  });

  it("a wrong password stops openStore with one line naming STORE, without the password", async () => {
    const error = await openStore(`redis://:wrong-${password}@127.0.0.1:${redis.port}`).then(() => undefined, (e: Error) => e);
    assert.ok(error);
    assert.match(error.message, /^STORE: /);
    assert.doesNotMatch(error.message, /wrong-/);
    assert.match(error.message, /WRONGPASS|AUTH/);
  });

  it("nothing listening, or a malformed URL: a clear STORE error, never the password", async () => {
    const down = await openStore("redis://:topsecret@127.0.0.1:1/0").then(() => undefined, (e: Error) => e);
    assert.match(down?.message ?? "", /^STORE: cannot reach Redis at 127\.0\.0\.1:1/);
    assert.doesNotMatch(down!.message, /topsecret/);
    const bad = await openStore("redis://:topsecret@127.0.0.1:6379/not-a-db").then(() => undefined, (e: Error) => e);
    assert.match(bad?.message ?? "", /^STORE: .*database number/);
    assert.doesNotMatch(bad!.message, /topsecret/);
  });

  it("values too big for one TCP read, and many pipelined commands, come back intact", async () => {
    const kv: KV = await openStore(url());
    try {
      const big = { blob: "x".repeat(300_000) + "ü" };
      await kv.set(["big"], big);
      const values = await Promise.all(Array.from({ length: 500 }, (_, i) => kv.set(["p", i], i).then(() => kv.get(["p", i]))));
      assert.deepEqual(values, Array.from({ length: 500 }, (_, i) => i));
      assert.deepEqual(await kv.get(["big"]), big);
    } finally {
      await kv.close();
    }
  });
});
