/**
 * @module Typed error responses: every refusal is JSON with a reason, never a stack trace.
 */
import { failure, type JsonRpcId } from "../mcp/jsonrpc.ts";

export const JSON_HEADERS = { "content-type": "application/json" } as const;

export function json(body: unknown, status = 200, headers?: HeadersInit): Response {
  if (headers === undefined) return new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });
  const h = new Headers(headers);
  h.set("content-type", "application/json");
  return new Response(JSON.stringify(body), { status, headers: h });
}

/** A plain HTTP error with an OAuth-style body (`error`, `error_description`). */
export function httpError(status: number, error: string, description: string, headers?: HeadersInit): Response {
  return json({ error, error_description: description }, status, headers);
}

/** A JSON-RPC error carried with an HTTP status (transport-level refusals on the MCP endpoint). */
export function rpcError(status: number, id: JsonRpcId | null, code: number, message: string, data?: unknown, headers?: HeadersInit): Response {
  return json(failure(id, code, message, data), status, headers);
}
