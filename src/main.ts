/**
 * @module The runnable server: environment → configuration → `createServer` → the default export `deno serve` and `bun run` both serve.
 */
import { type Config, ConfigError, parseEnv, startupWarnings } from "./config/env.ts";
import { entry, exit, processEnv } from "./runtime/entry.ts";
import { serverFromConfig } from "./app.ts";
import type { GatehouseServer } from "./server.ts";
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
  const serving = (server: GatehouseServer) => {
    console.log(
      `gatehouse: serving MCP at ${config.publicUrl}/mcp (auth: ${config.auth.strategy}${config.strategyInferred ? ", inferred" : ""})`,
    );
    return server.fetch;
  };
  // A store to open (or the oauth strategy to load) is waited for while the runtime starts listening,
  // and the first requests wait for it. No top-level await, so `bun build --compile --bytecode` can
  // precompile this module.
  let server;
  try {
    server = serverFromConfig(env, config, demo);
  } catch (error) {
    return fail(error);
  }
  const handler = server instanceof Promise ? server.then(serving, fail) : serving(server);
  return entry(handler, { port: config.port, hostname: config.hostname });
}

export default start();
