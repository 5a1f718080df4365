// Run: MCP_TOKEN=change-me bun run examples/bun-app.ts   (MCP at http://localhost:8000/ai/mcp)
/**
 * @module A plain `Bun.serve` app with routes of its own that mounts Gatehouse under `/ai/mcp`.
 */
import { bearer, createServer, defineTool } from "../src/mod.ts"; // from "gatehouse" in your app

const token = Bun.env.MCP_TOKEN;
if (!token) throw new Error("MCP_TOKEN: set the bearer token MCP clients must send");

const mcp = createServer({
  name: "bun-app",
  version: "1.0.0",
  mcpPath: "/ai/mcp",
  tools: [
    defineTool({
      name: "runtime",
      description: "Says which runtime serves this app.",
      handler: () => `Bun ${Bun.version}`,
    }),
  ],
  auth: bearer({ token }),
  publicUrl: Bun.env.PUBLIC_URL,
});

const server = Bun.serve({
  hostname: Bun.env.HOST ?? "127.0.0.1",
  port: Number(Bun.env.PORT ?? 8000),
  // Gatehouse sees only its own path; everything else stays the app's (its 404 included).
  routes: {
    "/health": () => Response.json({ app: "bun-app", ok: true }),
    "/ai/mcp": (request, server) => mcp.fetch(request, { remoteAddress: server.requestIP(request)?.address }),
  },
  fetch: () => new Response("Not found", { status: 404 }),
});
console.log(`bun-app listening on ${server.url} (MCP at ${new URL("/ai/mcp", server.url)})`);
