/**
 * @module The REAL server (`src/main.ts`) as a child process under Bun or Deno on a loopback port, configured only through its environment: the one spawn, output, health-wait and shutdown path behind the e2e, OAuth e2e and reliability helpers.
 *
 * Only `node:child_process` and `fetch` are used, so it runs under `deno test` and `bun test`.
 */
import { type ChildProcess, spawn } from "node:child_process";
import process from "node:process";
import { binary, ROOT } from "./processes.ts";

export type ServerRuntime = "bun" | "deno";

/** Server variables never inherited from the outer environment: each test states its own. */
const SERVER_VARIABLES =
  /^(PORT|HOST|PUBLIC_URL|AUTH_STRATEGY|BEARER_TOKEN|UPSTREAM_.*|API_KEY.*|CUSTOM_HEADERS|OAUTH_.*|PROVIDER.*|JWT_.*|RATE_LIMIT_.*|STORE|ALLOWED_ORIGINS|MAX_BODY_BYTES|GATEHOUSE_.*|TRUST_PROXY.*|AUDIT.*|TOOLS_API.*|LOG_LEVEL|REQUEST_ID_HEADER)$/;

export interface MainServer {
  runtime: ServerRuntime;
  port: number;
  pid: number;
  /** Everything the child wrote to stdout and stderr so far (bounded). */
  output(): string;
  /** SIGTERM only; resolves true if the child exited within `ms` (nothing is force-killed: call stop() after). */
  terminate(ms: number): Promise<boolean>;
  /** SIGKILL, no goodbye; resolves when the process is gone (or after 5 s). */
  kill(): Promise<void>;
  /** SIGTERM, then SIGKILL after 2 s; resolves once it is gone. Safe to call twice. */
  stop(): Promise<void>;
}

export interface MainServerOptions {
  /** Variables on top of the clean environment (`NO_COLOR=1`, `HOST=127.0.0.1`, `PORT`). */
  env?: Record<string, string>;
  /** Where to ask for `/health` (default `http://127.0.0.1:<port>`). */
  origin?: string;
  /** How long to wait for `/health` (default 15 s). */
  startTimeoutMs?: number;
}

/** Children still running, killed on process exit as a last resort (after() hooks are the normal path). */
const live = new Set<ChildProcess>();
let hooked = false;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Sends a signal by pid: Deno's ChildProcess.kill() ignores a second kill (SIGKILL after SIGTERM). */
function signal(child: ChildProcess, sig: "SIGTERM" | "SIGKILL") {
  try {
    if (child.pid !== undefined) process.kill(child.pid, sig);
  } catch { /* already gone */ }
}

/**
 * Starts `src/main.ts` on `port` and resolves once GET /health answers from this child, or
 * `"port-taken"` when it lost the port to another process (the caller picks another).
 */
export async function startMainServer(
  runtime: ServerRuntime,
  port: number,
  options: MainServerOptions = {},
): Promise<MainServer | "port-taken"> {
  const base: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !SERVER_VARIABLES.test(k)) base[k] = v;
  const [cmd, args] = runtime === "bun"
    ? [binary("bun"), ["run", "src/main.ts"]]
    : [binary("deno"), ["serve", "-A", "--host", "127.0.0.1", "--port", String(port), "src/main.ts"]];
  const child = spawn(cmd, args, {
    cwd: ROOT,
    env: { ...base, NO_COLOR: "1", HOST: "127.0.0.1", PORT: String(port), ...options.env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  if (!hooked) {
    hooked = true;
    process.on("exit", () => {
      for (const c of live) signal(c, "SIGKILL");
    });
  }
  live.add(child);
  let out = "";
  const collect = (chunk: unknown) => {
    if (out.length < 64_000) out += String(chunk);
  };
  child.stdout?.on("data", collect);
  child.stderr?.on("data", collect);
  let spawnError: Error | undefined;
  child.on("error", (e) => (spawnError = e));
  // Only the "exit" event counts: Deno's node:child_process sets `signalCode` as soon as kill() is
  // called, before the child has actually exited, so `exitCode`/`signalCode` cannot be trusted here.
  let exited = false;
  const gone = new Promise<void>((resolve) =>
    child.on("exit", () => {
      exited = true;
      live.delete(child);
      resolve();
    })
  );
  const waitForExit = (ms: number) => exited ? Promise.resolve(true) : Promise.race([gone.then(() => true), sleep(ms).then(() => exited)]);
  const release = () => {
    child.stdout?.destroy();
    child.stderr?.destroy();
  };
  const kill = async () => {
    if (!exited) {
      signal(child, "SIGKILL");
      await waitForExit(5000);
    }
    release();
  };
  const stop = async () => {
    if (!exited) {
      signal(child, "SIGTERM");
      if (!(await waitForExit(2000))) signal(child, "SIGKILL");
      await waitForExit(3000);
    }
    release();
  };
  const terminate = (ms: number) => {
    if (exited) return Promise.resolve(true);
    signal(child, "SIGTERM");
    return waitForExit(ms);
  };

  const origin = options.origin ?? `http://127.0.0.1:${port}`;
  const timeoutMs = options.startTimeoutMs ?? 15_000;
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (spawnError) throw new Error(`could not start ${cmd}: ${spawnError.message}`);
    if (exited) {
      if (/EADDRINUSE|AddrInUse|address already in use|Failed to start server/i.test(out)) return "port-taken";
      throw new Error(`${runtime} server exited during start-up (code ${child.exitCode}):\n${out}`);
    }
    try {
      const response = await fetch(`${origin}/health`, { signal: AbortSignal.timeout(1000) });
      await response.body?.cancel();
      // Health must come from OUR child: it must still be alive now that the port answered.
      if (response.ok && !exited) return { runtime, port, pid: child.pid!, output: () => out, terminate, kill, stop };
    } catch { /* not listening yet */ }
    await sleep(50);
  }
  await stop();
  throw new Error(`${runtime} server did not answer GET ${origin}/health within ${timeoutMs} ms:\n${out}`);
}
