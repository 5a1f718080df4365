/**
 * @module Starts the REAL demo server (`src/main.ts`) as a child process on a free loopback port, under Bun or Deno, and stops it again.
 *
 * Works from both test runners: only `node:child_process`, `node:net` and `fetch` are used.
 * The port is found by binding a throwaway listener to port 0 on 127.0.0.1; if the child still
 * loses the race for it (it exits before /health answers), a new port is tried.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { binary, freePort, within } from "../../helpers/processes.ts";

export type ServerRuntime = "bun" | "deno";
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

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));

/** Variables the server reads: never inherited from the outer environment, so each test states its own. */
const SERVER_VARIABLES = [
  "PORT",
  "HOST",
  "PUBLIC_URL",
  "AUTH_STRATEGY",
  "BEARER_TOKEN",
  "UPSTREAM_BEARER_TOKEN",
  "API_KEY",
  "UPSTREAM_API_KEY",
  "API_KEY_HEADER",
  "CUSTOM_HEADERS",
  "OAUTH_CLIENT_ID",
  "OAUTH_CLIENT_SECRET",
  "OAUTH_SCOPES",
  "OAUTH_REDIRECT_URI",
  "PROVIDER_CLIENT_ID",
  "PROVIDER_CLIENT_SECRET",
  "PROVIDER_ACCOUNTS_URL",
  "RATE_LIMIT_RPS",
  "RATE_LIMIT_BURST",
  "RATE_LIMIT_PREAUTH_RPS",
  "RATE_LIMIT_PREAUTH_BURST",
  "STORE",
  "ALLOWED_ORIGINS",
  "MAX_BODY_BYTES",
  "GATEHOUSE_SECRET",
];

/** Children still running, killed on process exit as a last resort (after() hooks are the normal path). */
const live = new Set<ChildProcess>();
let exitHookInstalled = false;
function installExitHook() {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  const killAll = () => {
    for (const child of live) {
      signal(child, "SIGKILL");
    }
  };
  process.on("exit", killAll);
}


function commandFor(runtime: ServerRuntime, port: number): [string, string[]] {
  return runtime === "bun"
    ? [binary("bun"), ["run", "src/main.ts"]]
    : [binary("deno"), ["serve", "-A", "--host", "127.0.0.1", "--port", String(port), "src/main.ts"]];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Resolves true once the child's "exit" event has fired (or already had), false after `ms`.
 * Only the event counts: Deno's node:child_process sets `signalCode` as soon as kill() is called,
 * before the child has actually exited, so `exitCode`/`signalCode` cannot be trusted here.
 */
function waitForExit(child: ChildProcess, state: { exited: boolean }, ms: number): Promise<boolean> {
  if (state.exited) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(state.exited), ms);
    child.once("exit", () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

/** Sends a signal by pid: Deno's ChildProcess.kill() ignores a second kill (SIGKILL after SIGTERM). */
function signal(child: ChildProcess, sig: "SIGTERM" | "SIGKILL") {
  try {
    if (child.pid !== undefined) process.kill(child.pid, sig);
  } catch { /* already gone */ }
}

async function attempt(runtime: ServerRuntime, env: Record<string, string>, startTimeoutMs: number): Promise<SpawnedServer | "port-taken"> {
  const port = await freePort();
  const base: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !SERVER_VARIABLES.includes(k)) base[k] = v;
  const childEnv = { ...base, NO_COLOR: "1", HOST: "127.0.0.1", PORT: String(port), ...env };
  const [cmd, args] = commandFor(runtime, port);
  const child = spawn(cmd, args, { cwd: ROOT, env: childEnv, stdio: ["ignore", "pipe", "pipe"] });
  installExitHook();
  live.add(child);
  let out = "";
  const collect = (chunk: unknown) => {
    if (out.length < 64_000) out += String(chunk);
  };
  child.stdout?.on("data", collect);
  child.stderr?.on("data", collect);
  let spawnError: Error | undefined;
  child.on("error", (e) => (spawnError = e));
  const state = { exited: false };
  child.on("exit", () => {
    state.exited = true;
    live.delete(child);
  });

  const stop = async () => {
    if (!state.exited) {
      signal(child, "SIGTERM");
      if (!(await waitForExit(child, state, 2000))) {
        signal(child, "SIGKILL");
        await waitForExit(child, state, 3000);
      }
    }
    child.stdout?.destroy();
    child.stderr?.destroy();
  };

  const terminate = (ms: number) => {
    if (state.exited) return Promise.resolve(true);
    signal(child, "SIGTERM");
    return waitForExit(child, state, ms);
  };

  const origin = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + startTimeoutMs;
  while (Date.now() < deadline) {
    if (spawnError) throw new Error(`could not start ${cmd}: ${spawnError.message}`);
    if (state.exited) {
      if (/EADDRINUSE|AddrInUse|address already in use|Failed to start server/i.test(out)) return "port-taken";
      throw new Error(`${runtime} server exited during start-up (code ${child.exitCode}):\n${out}`);
    }
    try {
      const response = await fetch(`${origin}/health`, { signal: AbortSignal.timeout(1000) });
      await response.body?.cancel();
      // Health must come from OUR child: it must still be alive now that the port answered.
      if (response.ok && !state.exited) {
        return { runtime, port, origin, url: new URL(`${origin}/mcp`), output: () => out, stop, terminate };
      }
    } catch { /* not listening yet */ }
    await sleep(50);
  }
  await stop();
  throw new Error(`${runtime} server did not answer GET /health within ${startTimeoutMs} ms:\n${out}`);
}

/**
 * Starts `src/main.ts` under `runtime` with `env` on top of a clean server environment
 * (`HOST=127.0.0.1`, a free `PORT`; outer server variables are not inherited).
 */
export async function spawnServer(
  runtime: ServerRuntime,
  env: Record<string, string> = {},
  options: SpawnOptions = {},
): Promise<SpawnedServer> {
  for (let i = 0; i < 3; i++) {
    const result = await attempt(runtime, env, options.startTimeoutMs ?? 15_000);
    if (result !== "port-taken") return result;
  }
  throw new Error(`${runtime} server could not get a free port after 3 attempts`);
}


export { freePort, within };
