// Run: MCP_TOKEN=change-me bun run examples/hono.ts   (or: MCP_TOKEN=change-me deno serve -A --port 8000 examples/hono.ts)
/**
 * @module A Hono app with routes of its own that mounts Gatehouse at `/mcp`.
 */
import process from "node:process";
import { Hono } from "hono";
import { z } from "zod";
import { bearer, createServer, defineTool } from "../src/mod.ts"; // from "gatehouse" in your app

const token = process.env.MCP_TOKEN;
if (!token) throw new Error("MCP_TOKEN: set the bearer token MCP clients must send");

const mcp = createServer({
  name: "hono-example",
  version: "1.0.0",
  tools: [
    defineTool({
      name: "shout",
      description: "Returns the message in capitals.",
      inputSchema: z.object({ message: z.string() }),
      handler: ({ message }) => message.toUpperCase(),
    }),
  ],
  auth: bearer({ token }),
  publicUrl: process.env.PUBLIC_URL, // e.g. https://app.example.com; localhost by default
});

const app = new Hono();
app.get("/", (c) => c.text("Hello from Hono"));
app.get("/api/time", (c) => c.json({ now: new Date().toISOString() }));
app.all("/mcp", (c) => mcp.fetch(c.req.raw));
// With the jwt or oauth strategies, also hand Gatehouse its discovery documents (and, for oauth,
// its endpoints: /authorize, /token, /register, /revoke, /oauth/*):
// app.all("/.well-known/oauth-protected-resource/*", (c) => mcp.fetch(c.req.raw));

// `bun run` and `deno serve` both serve a default export with `fetch` (`port` is read by Bun).
export default { port: Number(process.env.PORT ?? 8000), fetch: app.fetch };
