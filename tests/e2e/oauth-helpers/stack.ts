/**
 * @module The e2e OAuth stack: the stand-in OpenID provider (tests/oauth/fake-idp.ts) on loopback and the REAL server (`src/main.ts`, AUTH_STRATEGY=oauth) as a child process under Bun or Deno, configured only through its environment, as a deployer would.
 *
 * Everything listens on 127.0.0.1. PUBLIC_URL is `http://localhost:<port>` (the issuer; Chromium treats
 * localhost as a secure context, so the `__Host-` consent cookie works there over plain http).
 * Only node:child_process, node:net and fetch are used, so it runs under `deno test` and `bun test`.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { type FakeIdp, type FakeIdpOptions, startFakeIdp } from "../../oauth/fake-idp.ts";
import { binary, freePort, within } from "../../helpers/processes.ts";

export type ServerRuntime = "bun" | "deno";
export const SERVER_RUNTIMES: readonly ServerRuntime[] = ["bun", "deno"];

export interface OAuthStack {
  runtime: ServerRuntime;
  idp: FakeIdp;
  port: number;
  /** `http://localhost:<port>`: PUBLIC_URL, the issuer. */
  origin: string;
  /** `<origin>/mcp`: the protected resource. */
  mcpUrl: URL;
  /** What the server printed so far (bounded), for failure messages. */
  output(): string;
  /** Stops the server (SIGTERM, SIGKILL after 2 s) and the IdP. Safe to call twice. */
  stop(): Promise<void>;
}

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));

/** Server variables never inherited from the outer environment: each stack states its own. */
const SERVER_VARIABLES = /^(PORT|HOST|PUBLIC_URL|AUTH_STRATEGY|BEARER_TOKEN|UPSTREAM_.*|API_KEY.*|CUSTOM_HEADERS|OAUTH_.*|PROVIDER.*|RATE_LIMIT_.*|STORE|ALLOWED_ORIGINS|MAX_BODY_BYTES|GATEHOUSE_.*|TRUST_PROXY.*|AUDIT.*|TOOLS_API.*)$/;

/** Every child still running; killed on exit as a last resort (after() hooks are the normal path). */
const live = new Set<ChildProcess>();
let hooked = false;
function hookExit() {
  if (hooked) return;
  hooked = true;
  process.on("exit", () => {
    for (const child of live) {
      try {
        child.kill("SIGKILL");
      } catch { /* gone */ }
    }
  });
}


const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function waitForExit(child: ChildProcess, ms: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const t = setTimeout(() => resolve(false), ms);
    child.once("exit", () => {
      clearTimeout(t);
      resolve(true);
    });
  });
}

export interface StackOptions {
  idp?: FakeIdpOptions;
  /** Extra server environment (on top of the oauth configuration). */
  env?: Record<string, string>;
  startTimeoutMs?: number;
}

async function attempt(runtime: ServerRuntime, idp: FakeIdp, options: StackOptions): Promise<OAuthStack | "port-taken"> {
  const port = await freePort();
  const origin = `http://localhost:${port}`;
  idp.redirectUri = `${origin}/oauth/provider-callback`;
  const base: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !SERVER_VARIABLES.test(k)) base[k] = v;
  const env = {
    ...base,
    NO_COLOR: "1",
    HOST: "127.0.0.1",
    PORT: String(port),
    AUTH_STRATEGY: "oauth",
    PUBLIC_URL: origin,
    PROVIDER_ACCOUNTS_URL: idp.issuer,
    PROVIDER_CLIENT_ID: idp.clientId,
    PROVIDER_CLIENT_SECRET: idp.clientSecret,
    OAUTH_SCOPES: "openid email",
    RATE_LIMIT_RPS: "off",
    ...options.env,
  };
  const [cmd, args] = runtime === "bun"
    ? [binary("bun"), ["run", "src/main.ts"]]
    : [binary("deno"), ["serve", "-A", "--host", "127.0.0.1", "--port", String(port), "src/main.ts"]];
  const child = spawn(cmd, args, { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
  hookExit();
  live.add(child);
  let out = "";
  const collect = (chunk: unknown) => {
    if (out.length < 64_000) out += String(chunk);
  };
  child.stdout?.on("data", collect);
  child.stderr?.on("data", collect);
  let spawnError: Error | undefined;
  child.on("error", (e) => (spawnError = e));
  let exited = false;
  child.on("exit", () => {
    exited = true;
    live.delete(child);
  });
  const stopServer = async () => {
    if (!exited && child.exitCode === null && child.signalCode === null) {
      child.kill("SIGTERM");
      if (!(await waitForExit(child, 2000))) {
        child.kill("SIGKILL");
        await waitForExit(child, 3000);
      }
    }
    child.stdout?.destroy();
    child.stderr?.destroy();
  };
  const deadline = Date.now() + (options.startTimeoutMs ?? 15_000);
  while (Date.now() < deadline) {
    if (spawnError) throw new Error(`could not start ${cmd}: ${spawnError.message}`);
    if (exited) {
      if (/EADDRINUSE|AddrInUse|address already in use|Failed to start server/i.test(out)) return "port-taken";
      throw new Error(`${runtime} server exited during start-up (code ${child.exitCode}):\n${out}`);
    }
    try {
      const r = await fetch(`${origin}/health`, { signal: AbortSignal.timeout(1000) });
      await r.body?.cancel();
      if (r.ok && !exited) {
        let stopped = false;
        return {
          runtime,
          idp,
          port,
          origin,
          mcpUrl: new URL(`${origin}/mcp`),
          output: () => out,
          stop: async () => {
            if (stopped) return;
            stopped = true;
            await stopServer();
            await idp.close();
          },
        };
      }
    } catch { /* not yet */ }
    await sleep(50);
  }
  await stopServer();
  throw new Error(`${runtime} server did not answer GET ${origin}/health within ${options.startTimeoutMs ?? 15_000} ms:\n${out}`);
}

/** Starts the fake IdP, then `src/main.ts` under `runtime` configured for it with AUTH_STRATEGY=oauth. */
export async function startStack(runtime: ServerRuntime, options: StackOptions = {}): Promise<OAuthStack> {
  const idp = await startFakeIdp(options.idp);
  try {
    for (let i = 0; i < 3; i++) {
      const r = await attempt(runtime, idp, options);
      if (r !== "port-taken") return r;
    }
    throw new Error(`${runtime} server could not get a free port after 3 attempts`);
  } catch (error) {
    await idp.close();
    throw error;
  }
}


export { freePort, within };
