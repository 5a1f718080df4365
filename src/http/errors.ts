/**
 * @module Typed error responses: every refusal is JSON with a reason, never a stack trace.
 */
import { failure, type JsonRpcId } from "../mcp/jsonrpc.ts";

export function json(body: unknown, status = 200, headers?: HeadersInit): Response {
  if (headers === undefined) return new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });
  const h = new Headers(headers);
  h.set("content-type", "application/json");
  return new Response(JSON.stringify(body), { status, headers: h });
}

/** A JSON-RPC error carried with an HTTP status (transport-level refusals on the MCP endpoint). */
export function rpcError(
  status: number,
  id: JsonRpcId | null,
  code: number,
  message: string,
  data?: unknown,
  headers?: HeadersInit,
): Response {
  return json(failure(id, code, message, data), status, headers);
}
