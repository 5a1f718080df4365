/**
 * @module The runnable server: environment → configuration → `createServer` → the default export `deno serve` and `bun run` both serve.
 */
import { ConfigError, startupWarnings } from "./config/env.ts";
import { entry, exit, processEnv } from "./runtime/entry.ts";
import { serverFromEnv } from "./app.ts";
import { demo } from "./demo.ts";

async function start() {
  try {
    const { server, config } = await serverFromEnv(processEnv(), demo);
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
