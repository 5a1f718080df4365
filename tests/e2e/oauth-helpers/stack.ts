/**
 * @module The e2e OAuth stack: the stand-in OpenID provider (tests/oauth/fake-idp.ts) on loopback and the REAL server (`src/main.ts`, AUTH_STRATEGY=oauth) as a child process under Bun or Deno, configured only through its environment, as a deployer would.
 *
 * Everything listens on 127.0.0.1. PUBLIC_URL is `http://localhost:<port>` (the issuer; Chromium treats
 * localhost as a secure context, so the `__Host-` consent cookie works there over plain http).
 * Only node:child_process, node:net and fetch are used, so it runs under `deno test` and `bun test`.
 */
import { type FakeIdp, type FakeIdpOptions, startFakeIdp } from "../../oauth/fake-idp.ts";
import { freePort, within } from "../../helpers/processes.ts";
import { type ServerRuntime, startMainServer } from "../../helpers/main-server.ts";

export type { ServerRuntime };
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
  const server = await startMainServer(runtime, port, {
    origin,
    startTimeoutMs: options.startTimeoutMs,
    env: {
      AUTH_STRATEGY: "oauth",
      PUBLIC_URL: origin,
      PROVIDER_ACCOUNTS_URL: idp.issuer,
      PROVIDER_CLIENT_ID: idp.clientId,
      PROVIDER_CLIENT_SECRET: idp.clientSecret,
      OAUTH_SCOPES: "openid email",
      RATE_LIMIT_RPS: "off",
      ...options.env,
    },
  });
  if (server === "port-taken") return server;
  let stopped = false;
  return {
    runtime,
    idp,
    port,
    origin,
    mcpUrl: new URL(`${origin}/mcp`),
    output: server.output,
    stop: async () => {
      if (stopped) return;
      stopped = true;
      await server.stop();
      await idp.close();
    },
  };
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
