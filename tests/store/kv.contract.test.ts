/**
 * @module One contract suite, run against every KV backend this runtime has: memory and SQLite
 * always (bun:sqlite on Bun, node:sqlite on Deno), Deno KV on Deno (when KV is enabled), and Redis on both (a real redis-server on a
 * loopback port, started here; skipped with a reason when redis-server is not installed).
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import type { KV, KvKey } from "../../src/store/kv.ts";
import { type BackendName, openBackend } from "./fixtures/open-backend.ts";
import { type RedisServer, redisSkipReason, startRedis } from "./fixtures/redis-server.ts";
import { binary } from "../helpers/processes.ts";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const isBun = Boolean((globalThis as { Bun?: unknown }).Bun);
const deno = isBun ? undefined : (globalThis as { Deno?: { openKv?: unknown } }).Deno;

interface Backend {
  name: BackendName;
  persistent: boolean;
  /** Why this backend cannot run here, if it cannot. */
  skip?: string;
  /** Set up and tear down what the backend needs (a server), once per describe. */
  before?: () => Promise<void>;
  after?: () => Promise<void>;
}

const backends: Backend[] = [{ name: "memory", persistent: false }];
backends.push({ name: "sqlite", persistent: true });
if (deno) {
  backends.push({
    name: "denokv",
    persistent: true,
    skip: typeof deno.openKv === "function" ? undefined : 'Deno KV needs --unstable-kv or "unstable": ["kv"] in deno.json',
  });
}

/** Runs `body` with a fresh store (and a fresh file for persistent backends), then cleans up. */
async function withStore(
  backend: Backend,
  body: (kv: KV, open: () => Promise<KV>, path: string) => Promise<void>,
): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), "gatehouse-kv-"));
  const path = location(backend, dir);
  const opened: KV[] = [];
  const open = async () => {
    const kv = await openBackend(backend.name, path);
    opened.push(kv);
    return kv;
  };
  try {
    await body(await open(), open, path);
  } finally {
    for (const kv of opened) await kv.close().catch(() => {});
    await rm(dir, { recursive: true, force: true });
  }
}

let redis: RedisServer | undefined;
backends.push({
  name: "redis",
  persistent: true,
  skip: redisSkipReason,
  before: async () => void (redis = await startRedis()),
  after: async () => await redis?.stop(),
});

/** Where a fresh store lives: a file in `dir`, or for Redis its own key prefix on the shared server. */
function location(backend: Backend, dir: string): string {
  if (backend.name !== "redis") return join(dir, "store.db");
  return `${redis!.url}/0?prefix=${encodeURIComponent(`contract-${dir.split(/[\\/]/).pop()}:`)}`;
}

for (const backend of backends) contract(backend);

function contract(backend: Backend) {
  const test = (name: string, body: (kv: KV, open: () => Promise<KV>, path: string) => Promise<void>) =>
    it(name, { skip: backend.skip }, () => withStore(backend, body));

  describe(`KV contract: ${backend.name}`, () => {
    if (backend.before && !backend.skip) before(backend.before);
    if (backend.after && !backend.skip) after(backend.after);
    test("get, set and delete round-trip JSON values", async (kv) => {
      const values: unknown[] = [
        "text",
        "",
        "ünïcödé ✓ 🔐",
        0,
        -12.5,
        Number.MAX_SAFE_INTEGER,
        true,
        false,
        null,
        [],
        [1, "two", { three: [3] }],
        { nested: { deep: { list: [null, true] } }, empty: {} },
      ];
      for (const [i, value] of values.entries()) await kv.set(["value", i], value);
      for (const [i, value] of values.entries()) assert.deepEqual(await kv.get(["value", i]), value);
      assert.equal(await kv.get(["value", "missing"]), undefined);
      await kv.set(["value", 0], "replaced");
      assert.equal(await kv.get(["value", 0]), "replaced");
      await kv.delete(["value", 0]);
      assert.equal(await kv.get(["value", 0]), undefined);
      await kv.delete(["value", "never-set"]); // deleting what is not there is fine
    });

    test("stored values are copies: mutating what went in or came out changes nothing", async (kv) => {
      const original = { list: [1] };
      await kv.set(["copy"], original);
      original.list.push(2);
      const read = await kv.get<{ list: number[] }>(["copy"]);
      assert.deepEqual(read, { list: [1] });
      read!.list.push(3);
      assert.deepEqual(await kv.get(["copy"]), { list: [1] });
    });

    test("undefined is not a storable value", async (kv) => {
      await assert.rejects(kv.set(["u"], undefined), TypeError);
      assert.equal(await kv.get(["u"]), undefined);
    });

    test("tuple keys with unusual parts never collide", async (kv) => {
      const keys: KvKey[] = [
        ["a", "b"],
        ["a:b"],
        ["a,b"],
        ['["a","b"]'],
        ["a", "b", ""],
        ["a", ""],
        ["a"],
        ["a\u0001b"],
        ["a\u0002b"],
        ["a\u0000b"],
        ["a", 1],
        ["a", "1"],
        ["a", -1],
        ["a", 1.5],
        ["", ""],
        [""],
        ["💥", "\uFFFF"],
      ];
      for (const [i, key] of keys.entries()) await kv.set(key, i);
      for (const [i, key] of keys.entries()) assert.equal(await kv.get(key), i, `key ${JSON.stringify(key)}`);
      assert.equal(await kv.get(["a", "b", "", ""]), undefined);
    });

    test("an entry with a ttl is there until it expires, then gone", async (kv) => {
      await kv.set(["ttl", "short"], "soon gone", { ttlMs: 150 });
      await kv.set(["ttl", "long"], "stays", { ttlMs: 60_000 });
      await kv.set(["ttl", "none"], "forever");
      assert.equal(await kv.get(["ttl", "short"]), "soon gone");
      await sleep(300);
      assert.equal(await kv.get(["ttl", "short"]), undefined);
      assert.equal(await kv.take(["ttl", "short"]), undefined);
      assert.equal(await kv.update<string>(["ttl", "short"], (v) => v), undefined);
      assert.equal(await kv.get(["ttl", "long"]), "stays");
      assert.equal(await kv.get(["ttl", "none"]), "forever");
    });

    test("set without a ttl clears an earlier ttl; a ttl of zero is already expired", async (kv) => {
      await kv.set(["ttl", "reset"], 1, { ttlMs: 150 });
      await kv.set(["ttl", "reset"], 2);
      await kv.set(["ttl", "zero"], 3, { ttlMs: 0 });
      await sleep(300);
      assert.equal(await kv.get(["ttl", "reset"]), 2);
      assert.equal(await kv.get(["ttl", "zero"]), undefined);
    });

    test("take returns the value once, then it is gone", async (kv) => {
      await kv.set(["code", "abc"], { grant: "g1" });
      assert.deepEqual(await kv.take(["code", "abc"]), { grant: "g1" });
      assert.equal(await kv.take(["code", "abc"]), undefined);
      assert.equal(await kv.get(["code", "abc"]), undefined);
      assert.equal(await kv.take(["code", "never"]), undefined);
    });

    test("50 concurrent takes of one key: exactly one winner", async (kv) => {
      await kv.set(["code", "race"], "the-code");
      const results = await Promise.all(Array.from({ length: 50 }, () => kv.take<string>(["code", "race"])));
      assert.deepEqual(results.filter((r) => r !== undefined), ["the-code"]);
    });

    test("update sees the current value and resolves to what it stored", async (kv) => {
      const seen: unknown[] = [];
      assert.equal(await kv.update<number>(["n"], (n) => (seen.push(n), (n ?? 10) + 1)), 11);
      assert.equal(await kv.update<number>(["n"], (n) => (seen.push(n), n! * 2)), 22);
      assert.equal(seen.at(-1), 11);
      assert.equal(seen[0], undefined);
      assert.equal(await kv.get(["n"]), 22);
    });

    test("50 concurrent update increments: final count 50", async (kv) => {
      await Promise.all(Array.from({ length: 50 }, () => kv.update<number>(["count"], (n) => (n ?? 0) + 1)));
      assert.equal(await kv.get(["count"]), 50);
    });

    test("update returning undefined deletes", async (kv) => {
      await kv.set(["doomed"], "x");
      assert.equal(await kv.update(["doomed"], () => undefined), undefined);
      assert.equal(await kv.get(["doomed"]), undefined);
      assert.deepEqual(await kv.list(["doomed"]), []);
    });

    test("update applies its ttl to the written value", async (kv) => {
      await kv.update<string>(["bucket"], () => "full", { ttlMs: 150 });
      assert.equal(await kv.get(["bucket"]), "full");
      await sleep(300);
      assert.equal(await kv.get(["bucket"]), undefined);
    });

    test("an update whose function throws rejects and changes nothing", async (kv) => {
      await kv.set(["safe"], 1);
      await assert.rejects(
        kv.update(["safe"], () => {
          throw new Error("boom");
        }),
        /boom/,
      );
      assert.equal(await kv.get(["safe"]), 1);
      assert.equal(await kv.update<number>(["safe"], (n) => n! + 1), 2); // and the key still works
    });

    test("list by prefix: in key order, with limit, without expired entries or neighbours", async (kv) => {
      const entries: Array<[KvKey, string]> = [
        [["p", 10], "n10"],
        [["p", "b"], "b"],
        [["q", "a"], "other prefix"],
        [["p", -1], "n-1"],
        [["p", "a", "z"], "az"],
        [["pa"], "neighbour string"],
        [["p", "a"], "a"],
        [["p", 2], "n2"],
        [["p"], "self"],
        [["p", "ab"], "ab"],
      ];
      for (const [key, value] of entries) await kv.set(key, value);
      await kv.set(["p", "aa"], "expiring", { ttlMs: 100 });
      await sleep(250);
      const listed = await kv.list<string>(["p"]);
      assert.deepEqual(listed, [
        { key: ["p"], value: "self" },
        { key: ["p", "a"], value: "a" },
        { key: ["p", "a", "z"], value: "az" },
        { key: ["p", "ab"], value: "ab" },
        { key: ["p", "b"], value: "b" },
        { key: ["p", -1], value: "n-1" },
        { key: ["p", 2], value: "n2" },
        { key: ["p", 10], value: "n10" },
      ]);
      assert.deepEqual((await kv.list(["p"], { limit: 3 })).map((e) => e.key), [["p"], ["p", "a"], ["p", "a", "z"]]);
      assert.deepEqual(await kv.list(["p"], { limit: 0 }), []);
      assert.deepEqual((await kv.list(["p", "a"])).map((e) => e.key), [["p", "a"], ["p", "a", "z"]]);
      assert.deepEqual(await kv.list(["nothing"]), []);
      assert.equal((await kv.list([])).length, 10);
    });

    test("list keeps key order for non-ASCII and numeric parts", async (kv) => {
      const keys: KvKey[] = [["o", "é"], ["o", "z"], ["o", "💥"], ["o", "\uFFFF"], ["o", -2.5], ["o", 0], ["o", 1e9], ["o", "a", 1]];
      for (const key of [...keys].reverse()) await kv.set(key, 1);
      assert.deepEqual((await kv.list(["o"])).map((e) => e.key), [
        ["o", "a", 1],
        ["o", "z"],
        ["o", "é"],
        ["o", "\uFFFF"],
        ["o", "💥"],
        ["o", -2.5],
        ["o", 0],
        ["o", 1e9],
      ]);
    });

    if (!backend.persistent) return;

    test("data survives close and reopen", async (kv, open) => {
      await kv.set(["client", "c1"], { name: "CLI" });
      await kv.set(["token", "t1"], "hash", { ttlMs: 60_000 });
      await kv.close();
      const again = await open();
      assert.deepEqual(await again.get(["client", "c1"]), { name: "CLI" });
      assert.equal(await again.get(["token", "t1"]), "hash");
      assert.deepEqual((await again.list(["client"])).map((e) => e.key), [["client", "c1"]]);
    });

    test("two instances on one file: concurrent takes have exactly one winner, updates all count", async (a, open) => {
      const b = await open();
      await a.set(["code", "shared"], "once");
      assert.equal(await b.get(["code", "shared"]), "once");
      const takes = Array.from({ length: 50 }, (_, i) => (i % 2 ? a : b).take<string>(["code", "shared"]));
      assert.deepEqual((await Promise.all(takes)).filter((r) => r !== undefined), ["once"]);
      const updates = Array.from({ length: 50 }, (_, i) => (i % 2 ? a : b).update<number>(["hits"], (n) => (n ?? 0) + 1));
      await Promise.all(updates);
      assert.equal(await a.get(["hits"]), 50);
      assert.equal(await b.get(["hits"]), 50);
    });

    test("two processes on one file: each key taken by exactly one, every increment counted", async (kv, open, path) => {
      const keys = 200, increments = 200;
      for (let i = 0; i < keys; i++) await kv.set(["race", i], i);
      await kv.close();
      const startAt = Date.now() + 1500; // both children are up by then, so they really overlap
      const [one, two] = await Promise.all([1, 2].map(() => runChild(backend.name, path, startAt, keys, increments)));
      const all = [...one.won, ...two.won].sort((x, y) => x - y);
      assert.deepEqual(all, Array.from({ length: keys }, (_, i) => i), "every key won exactly once");
      const after = await open();
      assert.equal(await after.get(["counter"]), 2 * increments);
    });

    if (backend.name !== "sqlite") return;

    test(
      "a Bun process and a Deno process on one SQLite file: each key taken by exactly one, every increment counted",
      async (kv, open, path) => {
        const keys = 200, increments = 200;
        for (let i = 0; i < keys; i++) await kv.set(["race", i], i);
        await kv.close();
        const startAt = Date.now() + 2500; // both children (one per runtime) are up by then
        const [bun, deno] = await Promise.all(
          (["bun", "deno"] as const).map((rt) => runChild(backend.name, path, startAt, keys, increments, rt)),
        );
        const all = [...bun.won, ...deno.won].sort((x, y) => x - y);
        assert.deepEqual(all, Array.from({ length: keys }, (_, i) => i), "every key won exactly once");
        const after = await open();
        assert.equal(await after.get(["counter"]), 2 * increments);
      },
    );
  });
}

/** Runs fixtures/contend.ts in a child process (of the current runtime unless `runtime` says) and parses what it won. */
function runChild(
  name: BackendName,
  path: string,
  startAt: number,
  keys: number,
  increments: number,
  runtime: "bun" | "deno" = isBun ? "bun" : "deno",
): Promise<{ won: number[] }> {
  const script = join(import.meta.dirname!, "fixtures", "contend.ts");
  const args = [name, path, String(startAt), String(keys), String(increments)];
  const argv = runtime === "bun" ? [script, ...args] : ["run", "-A", "--unstable-kv", script, ...args];
  const command = runtime === (isBun ? "bun" : "deno") ? process.execPath : binary(runtime);
  return new Promise((resolve, reject) => {
    const child = spawn(command, argv, { stdio: ["ignore", "pipe", "pipe"] });
    let out = "", err = "";
    child.stdout.on("data", (chunk) => (out += chunk));
    child.stderr.on("data", (chunk) => (err += chunk));
    child.on("error", reject);
    child.on("close", (code) => {
      if (code !== 0) return reject(new Error(`child exited ${code}: ${err}`));
      try {
        resolve(JSON.parse(out.trim().split("\n").at(-1)!));
      } catch {
        reject(new Error(`child printed no result: ${out} ${err}`));
      }
    });
  });
}
