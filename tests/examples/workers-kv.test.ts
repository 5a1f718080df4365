/**
 * @module src/store/workers-kv.ts against miniflare's Workers KV (the workerd implementation, reached through miniflare's binding proxy): the parts of the KV contract it keeps, and the ones it documents it cannot.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { Miniflare } from "miniflare";
import type { KV, KvKey } from "../../src/store/kv.ts";
import { type WorkersKVNamespace, workersKvStore } from "../../src/store/workers-kv.ts";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("workersKvStore on miniflare's Workers KV", () => {
  let mf: Miniflare;
  let namespace: WorkersKVNamespace;
  let kv: KV;
  let n = 0;
  /** A fresh key space per test (one namespace for the file keeps it fast). */
  const k = (...parts: (string | number)[]): KvKey => [`t${n}`, ...parts];

  before(async () => {
    mf = new Miniflare({
      modules: true,
      script: "export default { fetch() { return new Response(null) } }",
      kvNamespaces: ["KV"],
      compatibilityDate: "2025-09-01",
    });
    namespace = await mf.getKVNamespace("KV") as unknown as WorkersKVNamespace;
    kv = workersKvStore(namespace);
  });
  after(() => mf?.dispose());
  const test = (name: string, body: () => Promise<void>) => it(name, () => (n++, body()));

  test("get, set and delete round-trip JSON values; stored values are copies", async () => {
    const values: unknown[] = ["text", "", "ünïcödé ✓ 🔐", 0, -12.5, true, null, [], [1, "two", { three: [3] }], { nested: { a: [null] } }];
    for (const [i, value] of values.entries()) await kv.set(k(i), value);
    for (const [i, value] of values.entries()) assert.deepEqual(await kv.get(k(i)), value);
    assert.equal(await kv.get(k("missing")), undefined);
    await kv.delete(k(0));
    assert.equal(await kv.get(k(0)), undefined);
    const original = { list: [1] };
    await kv.set(k("copy"), original);
    original.list.push(2);
    assert.deepEqual(await kv.get(k("copy")), { list: [1] });
    await assert.rejects(kv.set(k("u"), undefined), TypeError);
  });

  test("tuple keys with unusual parts never collide", async () => {
    const keys: KvKey[] = [
      k("a", "b"),
      k("a:b"),
      k("a", "b", ""),
      k("a\u0001b"),
      k("a\u0000b"),
      k("a", 1),
      k("a", "1"),
      k("a", -1.5),
      k("💥", "\uFFFF"),
    ];
    for (const [i, key] of keys.entries()) await kv.set(key, i);
    for (const [i, key] of keys.entries()) assert.equal(await kv.get(key), i, JSON.stringify(key));
  });

  test("keys over Workers KV's 512-byte limit are refused with a TypeError", async () => {
    await assert.rejects(kv.set(k("x".repeat(600)), 1), /512 bytes/);
    await assert.rejects(kv.get(k("é".repeat(300))), /512 bytes/);
  });

  test("ttl below Workers KV's 60 s minimum still expires on time; Workers KV gets a valid expiry", async () => {
    await kv.set(k("short"), "soon gone", { ttlMs: 150 });
    await kv.set(k("none"), "forever");
    await kv.set(k("zero"), "never there", { ttlMs: 0 });
    const listed = await namespace.list({});
    const short = listed.keys.find((key) => key.name.includes(`t${n}`) && key.name.includes("short"));
    assert.ok(short?.expiration && short.expiration >= Date.now() / 1000 + 59, "the entry carries a Workers KV expiry ≥ 60 s ahead");
    assert.equal(await kv.get(k("short")), "soon gone");
    assert.equal(await kv.get(k("zero")), undefined);
    await sleep(300);
    assert.equal(await kv.get(k("short")), undefined);
    assert.equal(await kv.take(k("short")), undefined);
    assert.equal(await kv.update<string>(k("short"), (v) => v), undefined);
    assert.deepEqual(await kv.list(k()), [{ key: k("none"), value: "forever" }]);
  });

  test("take returns the value once (sequentially), then it is gone", async () => {
    await kv.set(k("code"), { grant: "g1" });
    assert.deepEqual(await kv.take(k("code")), { grant: "g1" });
    assert.equal(await kv.take(k("code")), undefined);
    assert.equal(await kv.get(k("code")), undefined);
  });

  test("concurrent takes: at least one winner, and possibly more (take is best-effort, as documented)", async () => {
    await kv.set(k("race"), "the-code");
    const results = await Promise.all(Array.from({ length: 20 }, () => kv.take<string>(k("race"))));
    const winners = results.filter((r) => r !== undefined);
    assert.ok(winners.length >= 1);
    assert.ok(winners.every((w) => w === "the-code"));
    assert.equal(await kv.get(k("race")), undefined);
  });

  test("update sees the current value, stores what fn returns, deletes on undefined, keeps ttl, and a throwing fn changes nothing", async () => {
    assert.equal(await kv.update<number>(k("n"), (v) => (v ?? 10) + 1), 11);
    assert.equal(await kv.update<number>(k("n"), (v) => v! * 2), 22);
    assert.equal(await kv.get(k("n")), 22);
    await assert.rejects(
      kv.update(k("n"), () => {
        throw new Error("boom");
      }),
      /boom/,
    );
    assert.equal(await kv.get(k("n")), 22);
    assert.equal(await kv.update(k("n"), () => undefined), undefined);
    assert.equal(await kv.get(k("n")), undefined);
    await kv.update<string>(k("bucket"), () => "full", { ttlMs: 150 });
    assert.equal(await kv.get(k("bucket")), "full");
    await sleep(300);
    assert.equal(await kv.get(k("bucket")), undefined);
  });

  test("list by prefix: in key order, with limit, without expired entries or neighbours", async () => {
    const entries: Array<[KvKey, string]> = [
      [k("p", 10), "n10"],
      [k("p", "b"), "b"],
      [k("q", "a"), "other"],
      [k("p", -1), "n-1"],
      [k("p", "a", "z"), "az"],
      [k("pa"), "neighbour"],
      [k("p", "a"), "a"],
      [k("p", 2), "n2"],
      [k("p"), "self"],
      [k("p", "ab"), "ab"],
    ];
    for (const [key, value] of entries) await kv.set(key, value);
    await kv.set(k("p", "aa"), "expiring", { ttlMs: 100 });
    await sleep(250);
    assert.deepEqual(await kv.list<string>(k("p")), [
      { key: k("p"), value: "self" },
      { key: k("p", "a"), value: "a" },
      { key: k("p", "a", "z"), value: "az" },
      { key: k("p", "ab"), value: "ab" },
      { key: k("p", "b"), value: "b" },
      { key: k("p", -1), value: "n-1" },
      { key: k("p", 2), value: "n2" },
      { key: k("p", 10), value: "n10" },
    ]);
    assert.deepEqual((await kv.list(k("p"), { limit: 3 })).map((e) => e.key), [k("p"), k("p", "a"), k("p", "a", "z")]);
    assert.deepEqual(await kv.list(k("p"), { limit: 0 }), []);
    assert.deepEqual(await kv.list(k("nothing")), []);
  });

  test("list follows Workers KV's cursors across listing pages", async () => {
    // Pages of 7 keys (Workers KV's are 1,000): the same cursor logic, without writing 1,000 keys.
    const paged: WorkersKVNamespace = {
      get: (key, options) => namespace.get(key, options),
      put: (key, value, options) => namespace.put(key, value, options),
      delete: (key) => namespace.delete(key),
      list: (options) => namespace.list({ ...options, limit: 7 }),
    };
    const store = workersKvStore(paged);
    await Promise.all(Array.from({ length: 30 }, (_, i) => store.set(k("many", i), i)));
    await store.set(k("many", 3), 3, { ttlMs: 0 }); // deleted: an expired write removes the key
    const listed = await store.list<number>(k("many"));
    assert.deepEqual(listed.map((e) => e.value), Array.from({ length: 30 }, (_, i) => i).filter((i) => i !== 3));
    assert.deepEqual((await store.list<number>(k("many"), { limit: 10 })).map((e) => e.value), [0, 1, 2, 4, 5, 6, 7, 8, 9, 10]);
  });
});
