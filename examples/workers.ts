// Run: npx wrangler dev -c examples/wrangler.toml   (set MCP_TOKEN with `wrangler secret put MCP_TOKEN` before deploying)
/**
 * @module A Cloudflare Workers entry: Gatehouse at `/mcp` with a Workers KV store for sessions, next to the Worker's own routes.
 */
import { z } from "zod";
import { bearer, createServer, defineTool, type GatehouseServer } from "../src/mod.ts"; // from "gatehouse" in your Worker
import { type WorkersKVNamespace, workersKvStore } from "../src/mod.ts";

interface Env {
  /** The Workers KV namespace bound in wrangler.toml. */
  GATEHOUSE_KV: WorkersKVNamespace;
  /** The bearer token MCP clients must send (a secret: `wrangler secret put MCP_TOKEN`). */
  MCP_TOKEN: string;
  /** The Worker's public URL, e.g. https://mcp.example.workers.dev. */
  PUBLIC_URL?: string;
  /** Signs requestState alike in every isolate (a secret, 32+ characters). */
  GATEHOUSE_SECRET?: string;
}
interface ExecutionContext {
  waitUntil(promise: Promise<unknown>): void;
}

// Built on the first request: bindings arrive with it, and Workers forbid random numbers and
// timers at module scope.
let mcp: GatehouseServer | undefined;

function server(env: Env): GatehouseServer {
  if (!env.MCP_TOKEN) throw new Error("MCP_TOKEN: set the bearer token MCP clients must send");
  return mcp ??= createServer({
    name: "workers-example",
    version: "1.0.0",
    tools: [
      defineTool({
        name: "echo",
        description: "Returns the message it was given.",
        inputSchema: z.object({ message: z.string() }),
        handler: ({ message }) => message,
      }),
    ],
    auth: bearer({ token: env.MCP_TOKEN }),
    // Sessions only: Workers KV is eventually consistent and not atomic, so no oauth strategy and
    // no rateLimit on this store (see src/store/workers-kv.ts).
    store: workersKvStore(env.GATEHOUSE_KV),
    publicUrl: env.PUBLIC_URL,
    secret: env.GATEHOUSE_SECRET,
  });
}

export default {
  fetch(request: Request, env: Env, ctx: ExecutionContext): Promise<Response> | Response {
    const { pathname } = new URL(request.url);
    if (pathname === "/") return new Response("Hello from a Worker");
    if (pathname === "/mcp") {
      return server(env).fetch(request, {
        remoteAddress: request.headers.get("cf-connecting-ip") ?? undefined, // set by Cloudflare's edge
        waitUntil: (promise) => ctx.waitUntil(promise),
      });
    }
    return new Response("Not found", { status: 404 });
  },
};
