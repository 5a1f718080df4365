/**
 * @module Environment → a configured server: what `src/main.ts` and `gatehouse serve` share. Throws `ConfigError` (one line naming the variable) on bad configuration.
 */
import { type Config, ConfigError, parseEnv, type StoreConfig, strategyFromConfig } from "./config/env.ts";
import { openStore } from "./runtime/store.ts";
import { memoryStore } from "./store/memory.ts";
import type { KV } from "./store/kv.ts";
import type { AuthStrategy } from "./auth/strategy.ts";
import { createServer, type GatehouseServer, type ServerOptions } from "./server.ts";
import { jsonLinesSink } from "./audit/log.ts";
import { jsonLogger } from "./observe/log.ts";
import type { Definitions } from "./mcp/registry.ts";
import type { ServerIdentity } from "./mcp/dispatcher.ts";

/** The `STORE` value `openStore` understands for a parsed store setting. */
export const storeSpec = (s: StoreConfig) =>
  s.kind === "memory" ? "memory" : s.kind === "sqlite" ? `sqlite:${s.path}` : s.kind === "redis" ? s.url : `denokv:${s.path ?? ""}`;

export async function serverFromEnv(
  env: Record<string, string | undefined>,
  definitions: ServerIdentity & Definitions,
  extra: Partial<ServerOptions> = {},
): Promise<{ server: GatehouseServer; config: Config }> {
  const config = parseEnv(env);
  return { server: await serverFromConfig(env, config, definitions, extra), config };
}

/**
 * The server for an environment already parsed (`src/main.ts` checks it before anything listens):
 * made at once when nothing needs waiting for (the memory store, any strategy but `oauth`), else a
 * promise of it (a store to open, the authorization server's modules to load).
 */
export function serverFromConfig(
  env: Record<string, string | undefined>,
  config: Config,
  definitions: ServerIdentity & Definitions,
  extra: Partial<ServerOptions> = {},
): GatehouseServer | Promise<GatehouseServer> {
  const options = (auth: AuthStrategy, store: KV): ServerOptions => ({
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
  if (config.store.kind === "memory" && config.auth.strategy !== "oauth") {
    return createServer(options(strategyFromConfig(config), memoryStore()));
  }
  // openStore's errors are one line, `STORE: …`, without the path or URL: a configuration problem.
  return openStore(storeSpec(config.store)).then(async (store) => {
    // The authorization server's modules load only when it is used (start-up time is measured).
    const auth = config.auth.strategy === "oauth" ? await oauthFromEnv(env, config.publicUrl, store) : strategyFromConfig(config);
    return createServer(options(auth, store));
  }, (error: Error) => {
    throw new ConfigError("STORE", error.message.replace(/^STORE: /, ""));
  });
}

async function oauthFromEnv(env: Record<string, string | undefined>, publicUrl: string, store: KV) {
  const [{ oauth }, { oauthOptionsFromEnv }, { resolveAll }] = await Promise.all([
    import("./oauth/strategy.ts"),
    import("./config/oauth-env.ts"),
    import("./runtime/dns.ts"),
  ]);
  return oauth({ ...oauthOptionsFromEnv(env, { publicUrl, store }), clientMetadata: { resolve: resolveAll } });
}
