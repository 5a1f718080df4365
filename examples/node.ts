// Run: MCP_TOKEN=change-me node --experimental-strip-types examples/node.ts   (Node 22.6+; no flag from Node 23.6)
/**
 * @module Gatehouse on Node through the node:http adapter, next to a route of the app's own; the `countdown` tool streams progress over SSE.
 */
import process from "node:process";
import { z } from "zod";
import { bearer, createServer, defineTool } from "../src/mod.ts"; // from "gatehouse" in your app
import { serveNode } from "../src/runtime/node.ts";

const token = process.env.MCP_TOKEN;
if (!token) throw new Error("MCP_TOKEN: set the bearer token MCP clients must send");

const mcp = createServer({
  name: "node-example",
  version: "1.0.0",
  tools: [
    defineTool({
      name: "countdown",
      description: "Counts down from n, reporting progress at each step.",
      inputSchema: z.object({ n: z.number().int().min(1).max(20), delayMs: z.number().int().min(0).max(2000).default(100) }),
      handler: async ({ n, delayMs }, context) => {
        for (let i = 0; i < n; i++) {
          await context.progress(i, n, `${n - i}`);
          await new Promise((resolve) => setTimeout(resolve, delayMs));
        }
        return "liftoff";
      },
    }),
  ],
  auth: bearer({ token }),
  publicUrl: process.env.PUBLIC_URL,
});

const server = await serveNode(
  (request, info) => {
    if (new URL(request.url).pathname === "/health") return Promise.resolve(Response.json({ app: "node-example", ok: true }));
    return mcp.fetch(request, info);
  },
  { port: Number(process.env.PORT ?? 8000), hostname: process.env.HOST ?? "127.0.0.1" },
);
console.log(`node-example: MCP at http://${server.hostname}:${server.port}/mcp`);

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => void server.close().then(() => process.exit(0)));
}
