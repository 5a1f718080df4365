/**
 * @module Environment → a configured server: what `src/main.ts` and `gatehouse serve` share. Throws `ConfigError` (one line naming the variable) on bad configuration.
 */
import { type Config, ConfigError, parseEnv, type StoreConfig, strategyFromConfig } from "./config/env.ts";
import { openStore } from "./runtime/store.ts";
import { createServer, type GatehouseServer, type ServerOptions } from "./server.ts";
import { jsonLinesSink } from "./audit/log.ts";
import { jsonLogger } from "./observe/log.ts";
import type { Definitions } from "./mcp/registry.ts";
import type { ServerIdentity } from "./mcp/dispatcher.ts";

/** The `STORE` value `openStore` understands for a parsed store setting. */
export const storeSpec = (s: StoreConfig) =>
  s.kind === "memory" ? "memory" : s.kind === "sqlite" ? `sqlite:${s.path}` : s.kind === "redis" ? s.url : `denokv:${s.path ?? ""}`;

export function serverFromEnv(
  env: Record<string, string | undefined>,
  definitions: ServerIdentity & Definitions,
  extra: Partial<ServerOptions> = {},
): Promise<{ server: GatehouseServer; config: Config }> {
  return serverFromConfig(env, parseEnv(env), definitions, extra);
}

/** `serverFromEnv` for an environment already parsed (`src/main.ts` checks it before it starts listening). */
export async function serverFromConfig(
  env: Record<string, string | undefined>,
  config: Config,
  definitions: ServerIdentity & Definitions,
  extra: Partial<ServerOptions> = {},
): Promise<{ server: GatehouseServer; config: Config }> {
  // openStore's errors are one line, `STORE: …`, without the path or URL: a configuration problem.
  const store = await openStore(storeSpec(config.store)).catch((error: Error) => {
    throw new ConfigError("STORE", error.message.replace(/^STORE: /, ""));
  });
  // The authorization server's modules load only when it is used (start-up time is measured).
  const auth = config.auth.strategy === "oauth" ? await oauthFromEnv(env, config.publicUrl, store) : strategyFromConfig(config);
  const server = createServer({
    ...definitions,
    auth,
    store,
    publicUrl: config.publicUrl,
    allowedOrigins: config.allowedOrigins.includes("*") ? "*" : config.allowedOrigins,
    maxBodyBytes: config.maxBodyBytes,
    rateLimit: config.rateLimit ?? false,
    secret: config.secret,
    toolsApi: config.toolsApi,
    logger: jsonLogger({ level: config.logLevel }),
    requestIdHeader: config.requestIdHeader,
    audit: config.audit.enabled ? { sink: jsonLinesSink(), successSampleRate: config.audit.successSampleRate } : undefined,
    ...extra,
  });
  return { server, config };
}

async function oauthFromEnv(env: Record<string, string | undefined>, publicUrl: string, store: Awaited<ReturnType<typeof openStore>>) {
  const [{ oauth }, { oauthOptionsFromEnv }, { resolveAll }] = await Promise.all([
    import("./oauth/strategy.ts"),
    import("./config/oauth-env.ts"),
    import("./runtime/dns.ts"),
  ]);
  return oauth({ ...oauthOptionsFromEnv(env, { publicUrl, store }), clientMetadata: { resolve: resolveAll } });
}
