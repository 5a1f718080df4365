/**
 * @module openStore: which STORE values open which backend, and the one-line errors for the rest.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openStore } from "../../src/runtime/store.ts";
import type { KV } from "../../src/store/kv.ts";

const isBun = Boolean((globalThis as { Bun?: unknown }).Bun);
const deno = isBun ? undefined : (globalThis as { Deno?: { openKv?: unknown } }).Deno;
const denoKvEnabled = typeof deno?.openKv === "function";

/** Proves the store works, rather than only that something was returned. */
async function roundTrip(kv: KV) {
  await kv.set(["probe"], { ok: true });
  assert.deepEqual(await kv.get(["probe"]), { ok: true });
  assert.deepEqual(await kv.take(["probe"]), { ok: true });
  assert.equal(await kv.get(["probe"]), undefined);
}

async function withTempDir(body: (dir: string) => Promise<void>) {
  const dir = await mkdtemp(join(tmpdir(), "gatehouse-store-"));
  try {
    await body(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

describe("openStore", () => {
  it("opens an in-memory store for `memory`, ignoring surrounding spaces", async () => {
    for (const spec of ["memory", "  memory\n"]) {
      const kv = await openStore(spec);
      await roundTrip(kv);
      await kv.close();
    }
  });

  it("gives each `memory` store its own data", async () => {
    const a = await openStore("memory");
    const b = await openStore("memory");
    await a.set(["k"], 1);
    assert.equal(await b.get(["k"]), undefined);
    await a.close();
    await b.close();
  });

  it("rejects an empty value, naming STORE and the accepted forms", async () => {
    await assert.rejects(
      openStore(""),
      /^Error: STORE: is empty; expected memory, sqlite:<path>, denokv:<path> or redis:\/\/host\[:port\]\[\/db\]$/,
    );
    await assert.rejects(openStore("   "), /^Error: STORE: is empty/);
  });

  it("rejects an unknown scheme, naming STORE and the accepted forms", async () => {
    await assert.rejects(openStore("mongodb://x"), (error: Error) => {
      assert.equal(
        error.message,
        'STORE: unknown store "mongodb"; expected memory, sqlite:<path>, denokv:<path> or redis://host[:port][/db]',
      );
      return true;
    });
    await assert.rejects(openStore("Memory"), /STORE: unknown store "Memory"/);
    await assert.rejects(openStore("mem"), /STORE: unknown store "mem"/);
  });

  it("rejects sqlite without a path", async () => {
    await assert.rejects(openStore("sqlite:"), /^Error: STORE: sqlite needs a file path/);
    await assert.rejects(openStore("sqlite"), /^Error: STORE: sqlite needs a file path/);
  });

  it("does not echo the configured path in its errors", async () => {
    const spec = isBun ? "denokv:/run/secrets/very-private" : "sqlite:/run/secrets/very-private/x.db";
    await assert.rejects(openStore(spec), (error: Error) => {
      assert.match(error.message, /^STORE: /);
      assert.doesNotMatch(error.message, /very-private/);
      return true;
    });
  });

  it(`on ${isBun ? "Bun (bun:sqlite)" : "Deno (node:sqlite)"}, opens sqlite:<path> and keeps data across reopen`, async () => {
    await withTempDir((dir) => keepsDataAcrossReopen(`sqlite:${join(dir, "gatehouse.db")}`));
  });

  it("a sqlite file that cannot be opened is an error that does not echo the path", async () => {
    await assert.rejects(openStore("sqlite:/nonexistent-dir-0b7d/very-private/x.db"), (error: Error) => {
      assert.match(error.message, /^STORE: sqlite: cannot open the database file \(/);
      assert.doesNotMatch(error.message, /very-private/);
      return true;
    });
  });

  if (isBun) {
    it("on Bun, rejects denokv, pointing at what works here", async () => {
      await assert.rejects(openStore("denokv:./x"), /^Error: STORE: denokv needs Deno; on bun use sqlite:<path> or memory$/);
      await assert.rejects(openStore("denokv:"), /^Error: STORE: denokv needs Deno/);
    });
  }

  if (deno) {
    if (denoKvEnabled) {
      it("on Deno, opens denokv:<path> and keeps data across reopen", async () => {
        await withTempDir((dir) => keepsDataAcrossReopen(`denokv:${join(dir, "kv.sqlite")}`));
      });
    } else {
      it("on Deno without --unstable-kv, rejects denokv saying how to enable it", async () => {
        await assert.rejects(openStore("denokv:./x"), /^Error: STORE: denokv needs Deno KV.*--unstable-kv/);
      });
    }
  }
});

/** Opens `spec`, checks the basics, closes it, and finds a value again after reopening. */
async function keepsDataAcrossReopen(spec: string): Promise<void> {
  const kv = await openStore(spec);
  await roundTrip(kv);
  await kv.set(["kept"], "yes");
  await kv.close();
  const again = await openStore(spec);
  assert.equal(await again.get(["kept"]), "yes");
  await again.close();
}
