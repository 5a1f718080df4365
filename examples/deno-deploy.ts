// Run: MCP_TOKEN=change-me deno serve -A --unstable-kv examples/deno-deploy.ts   (deploy: see "Deno Deploy" in README.md)
/**
 * @module The Deno Deploy entry: a default export with `fetch`, and Deno KV as the store, so sessions survive restarts and are shared by every isolate.
 */
import { bearer, createServer, defineTool } from "../src/mod.ts"; // from "gatehouse" in your app
import { denoKvStore } from "../src/mod.ts";

const token = Deno.env.get("MCP_TOKEN");
if (!token) throw new Error("MCP_TOKEN: set the bearer token MCP clients must send");

// On Deno Deploy `Deno.openKv()` opens the project's hosted database; KV_PATH (a local file) is
// for running it elsewhere.
const store = await denoKvStore(Deno.env.get("KV_PATH"));

export default createServer({
  name: "deno-deploy-example",
  version: "1.0.0",
  tools: [
    defineTool({
      name: "region",
      description: "Says where this request was served.",
      handler: () => `served by ${Deno.env.get("DENO_REGION") ?? "a local Deno"}`,
    }),
  ],
  auth: bearer({ token }),
  store,
  // The deployment's URL, e.g. https://my-mcp.deno.dev: the resource identifier and the allowed Host.
  publicUrl: Deno.env.get("PUBLIC_URL"),
  // Requests of one client can land on different isolates: all of them must sign alike.
  secret: Deno.env.get("GATEHOUSE_SECRET"),
});
