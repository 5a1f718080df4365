/**
 * @module Shared by the bench entries that need set-up (jwt, oauth): the runtime's environment, and the
 * state file through which an entry hands the runner what a client needs (the access token, codes to
 * redeem). The file is written before the entry's module finishes loading, hence before serve.ts
 * listens: the runner reads it once the file appears, then checks the entry like any other.
 * Nothing here runs per request.
 */
const g = globalThis as unknown as {
  Deno?: { env: { toObject(): Record<string, string> }; writeTextFileSync(path: string, text: string): void };
  Bun?: { env: Record<string, string | undefined>; write(path: string, text: string): Promise<number> };
};

/** The process environment as a plain object (Deno and Bun). */
export function benchEnv(): Record<string, string | undefined> {
  return g.Deno ? g.Deno.env.toObject() : { ...g.Bun!.env };
}

/** `http://127.0.0.1:$PORT`: the base URL serve.ts listens on, and the server's `PUBLIC_URL`. */
export function benchPublicUrl(env = benchEnv()): string {
  return `http://127.0.0.1:${Number(env.PORT ?? "8000")}`;
}

/** Writes `state` as JSON to `$BENCH_STATE_FILE` (written to a temporary name and renamed, so the runner never reads half a file). */
export async function writeBenchState(state: Record<string, unknown>, env = benchEnv()): Promise<void> {
  const path = env.BENCH_STATE_FILE;
  if (!path) {
    console.log(`bench: state ${JSON.stringify(state).slice(0, 300)}`);
    return;
  }
  const text = JSON.stringify(state);
  const { renameSync } = await import("node:fs");
  if (g.Deno) g.Deno.writeTextFileSync(`${path}.tmp`, text);
  else await g.Bun!.write(`${path}.tmp`, text);
  renameSync(`${path}.tmp`, path);
}
