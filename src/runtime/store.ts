/**
 * @module Chooses the KV backend named by the STORE setting, and says clearly when this runtime cannot provide it.
 */
import type { KV } from "../store/kv.ts";
import { memoryStore } from "../store/memory.ts";
import { bunSqliteStore } from "../store/bun-sqlite.ts";
import { denoKvStore } from "../store/deno-kv.ts";

const EXPECTED = "expected memory, sqlite:<path> or denokv:<path>";

/**
 * Opens the store described by `spec`: `memory`, `sqlite:<path>` (Bun), `denokv:<path>` (Deno),
 * or `denokv:` for Deno's default database. Errors name STORE, as the env contract requires, and
 * never echo the path back (it may sit in a secret mount).
 */
export function openStore(spec: string): Promise<KV> {
  const value = spec.trim();
  if (value === "memory") return Promise.resolve(memoryStore());
  const colon = value.indexOf(":");
  const scheme = colon < 0 ? value : value.slice(0, colon);
  const path = colon < 0 ? "" : value.slice(colon + 1);
  const runtime = currentRuntime();

  if (scheme === "sqlite") {
    if (!path) return fail(`STORE: sqlite needs a file path, as in sqlite:./gatehouse.db`);
    if (runtime !== "bun") return fail(`STORE: sqlite:<path> needs Bun (bun:sqlite); on ${runtime} use ${alternative(runtime)}`);
    return bunSqliteStore(path);
  }
  if (scheme === "denokv") {
    if (runtime !== "deno") return fail(`STORE: denokv needs Deno; on ${runtime} use ${alternative(runtime)}`);
    if (typeof (globalThis as { Deno?: { openKv?: unknown } }).Deno?.openKv !== "function") {
      return fail('STORE: denokv needs Deno KV, which this Deno keeps unstable: run with --unstable-kv or add "unstable": ["kv"] to deno.json');
    }
    return denoKvStore(path || undefined);
  }
  if (value === "") return fail(`STORE: is empty; ${EXPECTED}`);
  return fail(`STORE: unknown store "${scheme.slice(0, 32)}"; ${EXPECTED}`);
}

type Runtime = "deno" | "bun" | "this runtime";

function currentRuntime(): Runtime {
  // Bun first: a Bun process may carry a Deno shim, never the reverse.
  if ((globalThis as { Bun?: unknown }).Bun) return "bun";
  if ((globalThis as { Deno?: unknown }).Deno) return "deno";
  return "this runtime";
}

function alternative(runtime: Runtime): string {
  if (runtime === "bun") return "sqlite:<path> or memory";
  if (runtime === "deno") return "denokv:<path> or memory";
  return "memory";
}

function fail(message: string): Promise<never> {
  return Promise.reject(new Error(message));
}
