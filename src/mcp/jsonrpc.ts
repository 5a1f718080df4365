/**
 * @module JSON-RPC 2.0 message shapes, the error codes MCP uses, and a validating parser that never throws.
 */

export type JsonRpcId = string | number;

export interface JsonRpcRequest {
  jsonrpc: "2.0";
  id: JsonRpcId;
  method: string;
  params?: Record<string, unknown>;
}
export interface JsonRpcNotification {
  jsonrpc: "2.0";
  method: string;
  params?: Record<string, unknown>;
}
export interface JsonRpcSuccess {
  jsonrpc: "2.0";
  id: JsonRpcId;
  result: Record<string, unknown>;
}
export interface JsonRpcErrorObject {
  code: number;
  message: string;
  data?: unknown;
}
export interface JsonRpcFailure {
  jsonrpc: "2.0";
  id: JsonRpcId | null;
  error: JsonRpcErrorObject;
}
export type JsonRpcResponse = JsonRpcSuccess | JsonRpcFailure;
export type JsonRpcMessage = JsonRpcRequest | JsonRpcNotification | JsonRpcResponse;

/**
 * JSON-RPC 2.0 error codes (§5.1) and the MCP-specific ones Gatehouse sends, by name. Use them with
 * {@link McpError}. Codes not listed here that Gatehouse also sends: -32021 (a required client
 * capability is missing).
 *
 * @example
 * ```ts
 * import { defineResource, ErrorCode, McpError } from "gatehouse";
 *
 * const secret = defineResource({
 *   uri: "vault://current",
 *   name: "current",
 *   read: (uri, context) => {
 *     if (!context.auth) throw new McpError(ErrorCode.InvalidParams, "Sign in first", { uri });
 *     return "…";
 *   },
 * });
 * ```
 */
export const ErrorCode = {
  ParseError: -32700,
  InvalidRequest: -32600,
  MethodNotFound: -32601,
  InvalidParams: -32602,
  InternalError: -32603,
  /** MCP 2026-07-28: `Mcp-Method`/`Mcp-Name` headers disagree with the body. */
  HeaderMismatch: -32020,
  /** MCP 2026-07-28: the requested protocol version is not supported. */
  UnsupportedProtocolVersion: -32022,
  /** MCP: resource not found (2025 revisions); 2026-07-28 uses InvalidParams. */
  ResourceNotFound: -32002,
  /** MCP 2025: a URL-mode elicitation is required. */
  UrlElicitationRequired: -32042,
} as const;

/**
 * Thrown from a tool, resource or prompt handler to answer with this exact JSON-RPC error
 * (`code`, `message`, and `data` when given) instead of the default: a tool error result for tools,
 * -32603 "Internal error" for resources and prompts. `message` and `data` are sent to the client as
 * given, so keep secrets out of them.
 *
 * @example
 * ```ts
 * import { defineTool, ErrorCode, McpError } from "gatehouse";
 * import { z } from "zod";
 *
 * const lookup = defineTool({
 *   name: "lookup",
 *   inputSchema: z.object({ id: z.string() }),
 *   handler: ({ id }) => {
 *     if (!/^[0-9]+$/.test(id)) throw new McpError(ErrorCode.InvalidParams, "id must be numeric", { field: "id" });
 *     return `record ${id}`;
 *   },
 * });
 * ```
 */
export class McpError extends Error {
  readonly code: number;
  readonly data?: unknown;
  constructor(code: number, message: string, data?: unknown) {
    super(message);
    this.code = code;
    this.data = data;
    this.name = "McpError";
  }
}

export function failure(id: JsonRpcId | null, code: number, message: string, data?: unknown): JsonRpcFailure {
  return { jsonrpc: "2.0", id, error: data === undefined ? { code, message } : { code, message, data } };
}

export function success(id: JsonRpcId, result: Record<string, unknown>): JsonRpcSuccess {
  return { jsonrpc: "2.0", id, result };
}

export function isRequest(m: JsonRpcMessage): m is JsonRpcRequest {
  return "method" in m && "id" in m && m.id !== undefined;
}
export function isNotification(m: JsonRpcMessage): m is JsonRpcNotification {
  return "method" in m && !("id" in m && m.id !== undefined);
}
export function isResponse(m: JsonRpcMessage): m is JsonRpcResponse {
  return !("method" in m) && ("result" in m || "error" in m);
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const isId = (v: unknown): v is JsonRpcId => (typeof v === "string") || (typeof v === "number" && Number.isFinite(v));

/**
 * Validates one decoded value as a JSON-RPC message. Returns the message, or a failure to send
 * back (JSON-RPC 2.0 §4: a request we cannot identify is answered with id null).
 */
export function validateMessage(value: unknown): JsonRpcMessage | JsonRpcFailure & { invalid: true } {
  const bad = (message: string, id: JsonRpcId | null = null) =>
    Object.assign(failure(id, ErrorCode.InvalidRequest, message), { invalid: true as const });
  if (!isObject(value)) return bad("Invalid Request: a JSON-RPC message must be an object");
  const id = isId(value.id) ? value.id : null;
  if (value.jsonrpc !== "2.0") return bad('Invalid Request: "jsonrpc" must be "2.0"', id);
  if ("method" in value) {
    if (typeof value.method !== "string" || value.method === "") {
      return bad('Invalid Request: "method" must be a non-empty string', id);
    }
    if ("id" in value && !isId(value.id)) {
      return bad('Invalid Request: "id" must be a string or a number', null);
    }
    if ("params" in value && value.params !== undefined && !isObject(value.params)) {
      return bad('Invalid Request: "params" must be an object', id);
    }
    return value as unknown as JsonRpcMessage;
  }
  if ("result" in value || "error" in value) {
    if (!("id" in value) || (value.id !== null && !isId(value.id))) {
      return bad('Invalid Request: a response needs an "id"', null);
    }
    if ("error" in value && (!isObject(value.error) || typeof value.error.code !== "number")) {
      return bad('Invalid Request: "error" must be an object with a numeric "code"', id);
    }
    return value as unknown as JsonRpcMessage;
  }
  return bad('Invalid Request: a message needs "method", "result" or "error"', id);
}
