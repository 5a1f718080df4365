/**
 * @module Bench reference: the least an authenticated MCP server does for a tools/call, hand-written
 * (bearer compare in constant time, the headers it must check, parse, zod validation of the
 * arguments, the JSON-RPC envelope). Not a framework: it shows how close to the ceiling any
 * framework doing that work can get on this machine, in the same run.
 */
import { z } from "zod";

const g = globalThis as unknown as {
  Deno?: { env: { get(k: string): string | undefined } };
  Bun?: { env: Record<string, string | undefined> };
};
const TOKEN = (g.Deno ? g.Deno.env.get("BEARER_TOKEN") : g.Bun!.env.BEARER_TOKEN) ?? "";
const tools = new Map([["echo", { schema: z.object({ message: z.string() }), handler: ({ message }: { message: string }) => message }]]);

function sameSecret(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let d = 0;
  for (let i = 0; i < a.length; i++) d |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return d === 0;
}

export async function fetch(request: Request): Promise<Response> {
  const h = request.headers;
  const auth = h.get("authorization");
  if (!auth || !auth.startsWith("Bearer ") || !sameSecret(auth.slice(7), TOKEN)) return new Response(null, { status: 401 });
  if (h.get("content-type") !== "application/json" || !h.get("accept") || h.get("origin")) return new Response(null, { status: 400 });
  const version = h.get("mcp-protocol-version");
  const m = await request.json();
  if (m.jsonrpc !== "2.0" || m.method !== "tools/call" || (version !== "2025-11-25" && version !== "2026-07-28")) {
    return new Response(null, { status: 400 });
  }
  const tool = tools.get(m.params.name);
  const args = tool?.schema.safeParse(m.params.arguments);
  if (!tool || !args?.success) return new Response(null, { status: 400 });
  const text = await tool.handler(args.data);
  return new Response(JSON.stringify({ jsonrpc: "2.0", id: m.id, result: { content: [{ type: "text", text }] } }), {
    headers: { "content-type": "application/json" },
  });
}
