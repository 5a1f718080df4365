/**
 * @module The runnable server: environment → configuration → `createServer` → the default export `deno serve` and `bun run` both serve.
 */
import { ConfigError, parseEnv, startupWarnings, strategyFromConfig } from "./config/env.ts";
import { openStore } from "./runtime/store.ts";
import { entry, exit, processEnv } from "./runtime/entry.ts";
import { createServer } from "./server.ts";
import { demo } from "./demo.ts";
import { jsonLinesSink } from "./audit/log.ts";
import { oauth } from "./oauth/strategy.ts";
import { oauthOptionsFromEnv } from "./config/oauth-env.ts";
import { resolveAll } from "./runtime/dns.ts";

async function start() {
  try {
    const config = parseEnv(processEnv());
    const store = await openStore(config.store.kind === "memory" ? "memory" : config.store.kind === "sqlite" ? `sqlite:${config.store.path}` : `denokv:${config.store.path ?? ""}`);
    const env = processEnv();
    const auth = config.auth.strategy === "oauth"
      ? oauth({ ...oauthOptionsFromEnv(env, { publicUrl: config.publicUrl, store }), clientMetadata: { resolve: resolveAll } })
      : strategyFromConfig(config);
    const server = createServer({
      ...demo,
      auth,
      store,
      publicUrl: config.publicUrl,
      allowedOrigins: config.allowedOrigins.includes("*") ? "*" : config.allowedOrigins,
      maxBodyBytes: config.maxBodyBytes,
      rateLimit: config.rateLimit ?? false,
      secret: config.secret,
      toolsApi: config.toolsApi,
      audit: config.audit.enabled ? { sink: jsonLinesSink(), successSampleRate: config.audit.successSampleRate } : undefined,
    });
    for (const warning of startupWarnings(config)) console.warn(`gatehouse: WARNING: ${warning}`);
    console.log(`gatehouse: serving MCP at ${config.publicUrl}/mcp (auth: ${config.auth.strategy}${config.strategyInferred ? ", inferred" : ""})`);
    return entry(server.fetch, { port: config.port, hostname: config.hostname });
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`gatehouse: ${error.message}`);
      exit(1);
    }
    throw error;
  }
}

export default await start();
