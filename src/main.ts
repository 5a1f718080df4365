/**
 * @module The runnable server: environment → configuration → `createServer` → the default export `deno serve` and `bun run` both serve.
 */
import { type Config, ConfigError, parseEnv, startupWarnings } from "./config/env.ts";
import { entry, exit, processEnv } from "./runtime/entry.ts";
import { serverFromConfig } from "./app.ts";
import { demo } from "./demo.ts";

const fail = (error: unknown): never => {
  if (error instanceof ConfigError) console.error(`gatehouse: ${error.message}`);
  else console.error("gatehouse: start-up failed:", error);
  return exit(1);
};

function start() {
  const env = processEnv();
  let config: Config;
  try {
    config = parseEnv(env); // bad configuration stops start-up here, before anything listens
  } catch (error) {
    return fail(error);
  }
  for (const warning of startupWarnings(config)) console.warn(`gatehouse: WARNING: ${warning}`);
  // The store opens (and the oauth strategy loads) while the runtime starts listening; the first
  // requests wait for it. No top-level await, so `bun build --compile --bytecode` can precompile this.
  const ready = serverFromConfig(env, config, demo).then(({ server }) => {
    console.log(`gatehouse: serving MCP at ${config.publicUrl}/mcp (auth: ${config.auth.strategy}${config.strategyInferred ? ", inferred" : ""})`);
    return server.fetch;
  }, fail);
  return entry(ready, { port: config.port, hostname: config.hostname });
}

export default start();
