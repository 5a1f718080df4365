/**
 * @module Bench reference: `minimal` plus the request checks the MCP spec and Gatehouse's documented
 * defaults require of a server on the internet, hand-written: the request routed by path and method,
 * the Host allow-list (DNS rebinding), a foreign Origin refused, a caller's X-Request-Id echoed, an
 * Mcp-Session-Id looked up, the body bounded by its Content-Length before it is read, and for
 * 2026-07-28 Mcp-Method/Mcp-Name matched. It shows the floor for a server that makes those checks
 * (on Deno every header read is a call into the runtime), beside `minimal`, which skips them.
 */
import { z } from "zod";

const g = globalThis as unknown as {
  Deno?: { env: { get(k: string): string | undefined } };
  Bun?: { env: Record<string, string | undefined> };
};
const env = (k: string) => (g.Deno ? g.Deno.env.get(k) : g.Bun!.env[k]);
const TOKEN = env("BEARER_TOKEN") ?? "";
// Gatehouse's defaults for a loopback server: these host names on any port, and its own origin.
const HOSTS = new Set(["localhost", "127.0.0.1", "[::1]"]);
const ORIGINS = new Set(["http://localhost:8000"]);
const hostnameOf = (host: string) => host.startsWith("[") ? host.slice(0, host.indexOf("]") + 1) : host.split(":")[0];
const MAX_BODY = 1_048_576;
const sessions = new Map<string, { version: string }>();
const tools = new Map([["echo", { schema: z.object({ message: z.string() }), handler: ({ message }: { message: string }) => message }]]);

function sameSecret(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let d = 0;
  for (let i = 0; i < a.length; i++) d |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return d === 0;
}

const refuse = (status: number, requestId: string | null) =>
  new Response(null, { status, headers: requestId === null ? undefined : { "x-request-id": requestId } });

export async function fetch(request: Request): Promise<Response> {
  const h = request.headers;
  const requestId = h.get("x-request-id");
  // Routed: the MCP endpoint only, by POST (a real server serves other paths and methods too).
  const url = request.url;
  const path = url.slice(url.indexOf("/", url.indexOf("://") + 3));
  if (path !== "/mcp") return refuse(404, requestId);
  if (request.method !== "POST") return refuse(405, requestId);
  const host = h.get("host");
  if (host === null || !HOSTS.has(hostnameOf(host))) return refuse(403, requestId);
  const origin = h.get("origin");
  if (origin !== null && !ORIGINS.has(origin)) return refuse(403, requestId);
  const auth = h.get("authorization");
  if (!auth || !auth.startsWith("Bearer ") || !sameSecret(auth.slice(7), TOKEN)) return refuse(401, requestId);
  if (h.get("content-type") !== "application/json" || !h.get("accept")) return refuse(400, requestId);
  const length = Number(h.get("content-length"));
  if (!(length <= MAX_BODY)) return refuse(413, requestId);
  const sessionId = h.get("mcp-session-id");
  const session = sessionId === null ? undefined : sessions.get(sessionId);
  if (sessionId !== null && !session) return refuse(404, requestId);
  const version = h.get("mcp-protocol-version") ?? session?.version;
  const m = await request.json();
  if (m.jsonrpc !== "2.0" || m.method !== "tools/call" || (version !== "2025-11-25" && version !== "2026-07-28")) {
    return refuse(400, requestId);
  }
  // 2026-07-28: the routing headers must match the body.
  if (version === "2026-07-28" && (h.get("mcp-method") !== m.method || h.get("mcp-name") !== m.params.name)) return refuse(400, requestId);
  const tool = tools.get(m.params.name);
  const args = tool?.schema.safeParse(m.params.arguments);
  if (!tool || !args?.success) return refuse(400, requestId);
  const text = await tool.handler(args.data);
  return new Response(JSON.stringify({ jsonrpc: "2.0", id: m.id, result: { content: [{ type: "text", text }] } }), {
    headers: requestId === null
      ? { "content-type": "application/json" }
      : { "content-type": "application/json", "x-request-id": requestId },
  });
}
