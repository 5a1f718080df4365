// Run: MCP_TOKEN=change-me deno run -A examples/deno-app.ts   (MCP at http://localhost:8000/ai/mcp)
/**
 * @module A plain `Deno.serve` app with routes of its own that mounts Gatehouse under `/ai/mcp`.
 */
import { bearer, createServer, defineTool } from "../src/mod.ts"; // from "gatehouse" in your app

const token = Deno.env.get("MCP_TOKEN");
if (!token) throw new Error("MCP_TOKEN: set the bearer token MCP clients must send");

const mcpPath = "/ai/mcp";
const mcp = createServer({
  name: "deno-app",
  version: "1.0.0",
  mcpPath,
  tools: [
    defineTool({
      name: "runtime",
      description: "Says which runtime serves this app.",
      handler: () => `Deno ${Deno.version.deno}`,
    }),
  ],
  auth: bearer({ token }),
  publicUrl: Deno.env.get("PUBLIC_URL"),
});

Deno.serve({ hostname: Deno.env.get("HOST") ?? "127.0.0.1", port: Number(Deno.env.get("PORT") ?? 8000) }, (request, info) => {
  const { pathname } = new URL(request.url);
  // Gatehouse sees only its own path; everything else stays the app's (its 404 included).
  if (pathname === mcpPath) return mcp.fetch(request, { remoteAddress: info.remoteAddr.hostname });
  if (pathname === "/health") return Response.json({ app: "deno-app", ok: true });
  return new Response("Not found", { status: 404 });
});
