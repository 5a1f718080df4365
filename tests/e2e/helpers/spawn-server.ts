/**
 * @module Starts the REAL demo server (`src/main.ts`) as a child process on a free loopback port, under Bun or Deno, and stops it again.
 *
 * Works from both test runners: only `node:child_process`, `node:net` and `fetch` are used.
 * The port is found by binding a throwaway listener to port 0 on 127.0.0.1; if the child still
 * loses the race for it (it exits before /health answers), a new port is tried.
 */
import { freePort, within } from "../../helpers/processes.ts";
import { type ServerRuntime, startMainServer } from "../../helpers/main-server.ts";

export type { ServerRuntime };
export const SERVER_RUNTIMES: readonly ServerRuntime[] = ["bun", "deno"];

export interface SpawnedServer {
  runtime: ServerRuntime;
  port: number;
  /** `http://127.0.0.1:<port>` */
  origin: string;
  /** The MCP endpoint, `http://127.0.0.1:<port>/mcp`. */
  url: URL;
  /** Everything the child wrote to stdout and stderr so far (bounded). */
  output(): string;
  /** Kills the child (SIGTERM, then SIGKILL after 2 s) and waits for it to exit. Safe to call twice. */
  stop(): Promise<void>;
  /** Sends SIGTERM only; resolves true if the child exited within `ms` (nothing is force-killed: call stop() after). */
  terminate(ms: number): Promise<boolean>;
}

export interface SpawnOptions {
  /** How long to wait for GET /health. Default 15 s. */
  startTimeoutMs?: number;
}

/**
 * Starts `src/main.ts` under `runtime` with `env` on top of a clean server environment
 * (`HOST=127.0.0.1`, a free `PORT`; outer server variables are not inherited), trying another port
 * if the child loses the race for the first.
 */
export async function spawnServer(
  runtime: ServerRuntime,
  env: Record<string, string> = {},
  options: SpawnOptions = {},
): Promise<SpawnedServer> {
  for (let i = 0; i < 3; i++) {
    const port = await freePort();
    const server = await startMainServer(runtime, port, { env, startTimeoutMs: options.startTimeoutMs });
    if (server === "port-taken") continue;
    const origin = `http://127.0.0.1:${port}`;
    return { runtime, port, origin, url: new URL(`${origin}/mcp`), output: server.output, stop: server.stop, terminate: server.terminate };
  }
  throw new Error(`${runtime} server could not get a free port after 3 attempts`);
}

export { freePort, within };
