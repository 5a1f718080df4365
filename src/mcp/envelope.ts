/**
 * @module Reads which protocol revision a POSTed message speaks, and validates the 2026-07-28 envelope: `_meta` keys and the `Mcp-Method`/`Mcp-Name` headers.
 */
import { ErrorCode, type JsonRpcId, type JsonRpcRequest } from "./jsonrpc.ts";
import { isStatelessEra, isSupported, MODERN_VERSIONS } from "./protocol.ts";
import { LOG_LEVELS, type LogLevel } from "./context.ts";

export const META = {
  protocolVersion: "io.modelcontextprotocol/protocolVersion",
  clientCapabilities: "io.modelcontextprotocol/clientCapabilities",
  clientInfo: "io.modelcontextprotocol/clientInfo",
  logLevel: "io.modelcontextprotocol/logLevel",
  serverInfo: "io.modelcontextprotocol/serverInfo",
  subscriptionId: "io.modelcontextprotocol/subscriptionId",
} as const;

export interface ModernEnvelope {
  version: string;
  clientCapabilities: Record<string, unknown>;
  logLevel?: LogLevel;
}

export type EnvelopeProblem = { status: 400; code: number; message: string; data?: unknown; id: JsonRpcId | null };

const metaOf = (m: { params?: Record<string, unknown> }) => {
  const meta = m.params?._meta;
  return typeof meta === "object" && meta !== null && !Array.isArray(meta) ? meta as Record<string, unknown> : undefined;
};

/**
 * A message is modern when its body says so (a `_meta` protocol version that is not a known 2025
 * revision; unknown ones get the modern -32022 answer) or the header names a stateless revision.
 */
export function isModernMessage(message: { params?: Record<string, unknown> }, headerVersion: string | undefined): boolean {
  const bodyVersion = metaOf(message)?.[META.protocolVersion];
  if (bodyVersion !== undefined) return !(isSupported(bodyVersion) && !isStatelessEra(bodyVersion));
  return headerVersion !== undefined && isSupported(headerVersion) && isStatelessEra(headerVersion);
}

/** Which requests name their target in `Mcp-Name`, and where in the params it is. */
const NAME_SOURCE: Record<string, string> = {
  "tools/call": "name",
  "prompts/get": "name",
  "resources/read": "uri",
  // SEP-2663 §Routing Headers: the tasks extension's methods name their task.
  "tasks/get": "taskId",
  "tasks/update": "taskId",
  "tasks/cancel": "taskId",
};

/** Decodes an `Mcp-Name`/`Mcp-Param-*` value: OWS trimmed, `=?base64?…?=` unwrapped. */
export function decodeHeaderValue(raw: string): string | undefined {
  const value = raw.trim();
  const m = /^=\?base64\?(.*)\?=$/.exec(value);
  if (!m) return value;
  try {
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(m[1]) || m[1].length % 4 !== 0) return undefined;
    return new TextDecoder("utf-8", { fatal: true }).decode(Uint8Array.from(atob(m[1]), (c) => c.charCodeAt(0)));
  } catch {
    return undefined;
  }
}

/**
 * The 2026-07-28 validation ladder, in the order clients and the conformance suite expect:
 * version header present (-32020), `_meta` keys present (-32602), header equals body (-32020),
 * version supported (-32022), then `Mcp-Method` and `Mcp-Name` match the body (-32020).
 */
export function readModernEnvelope(request: JsonRpcRequest, headers: Headers): ModernEnvelope | EnvelopeProblem {
  const id = request.id;
  const problem = (code: number, message: string, data?: unknown): EnvelopeProblem => ({ status: 400, code, message, data, id });
  const header = headers.get("mcp-protocol-version")?.trim();
  if (!header) return problem(ErrorCode.HeaderMismatch, "Missing MCP-Protocol-Version header");
  const meta = metaOf(request);
  const missing = [META.protocolVersion, META.clientCapabilities].filter((k) => meta?.[k] === undefined);
  if (missing.length) return problem(ErrorCode.InvalidParams, `Invalid params: missing _meta keys: ${missing.join(", ")}`);
  const version = meta![META.protocolVersion];
  if (version !== header) return problem(ErrorCode.HeaderMismatch, "MCP-Protocol-Version header does not match _meta protocol version");
  if (typeof version !== "string" || !isSupported(version) || !isStatelessEra(version)) {
    return problem(ErrorCode.UnsupportedProtocolVersion, "Unsupported protocol version", {
      supported: MODERN_VERSIONS,
      requested: String(version),
    });
  }
  const caps = meta![META.clientCapabilities];
  if (typeof caps !== "object" || caps === null || Array.isArray(caps)) {
    return problem(ErrorCode.InvalidParams, `Invalid params: _meta["${META.clientCapabilities}"] must be an object`);
  }
  const method = headers.get("mcp-method");
  if (method === null) return problem(ErrorCode.HeaderMismatch, "Missing Mcp-Method header");
  if (method.trim() !== request.method) {
    return problem(ErrorCode.HeaderMismatch, `Mcp-Method header does not match the body method ${JSON.stringify(request.method)}`);
  }
  const source = NAME_SOURCE[request.method];
  const bodyName = source ? request.params?.[source] : undefined;
  if (typeof bodyName === "string") {
    const raw = headers.get("mcp-name");
    if (raw === null) return problem(ErrorCode.HeaderMismatch, "Missing Mcp-Name header");
    if (decodeHeaderValue(raw) !== bodyName) return problem(ErrorCode.HeaderMismatch, `Mcp-Name header does not match params.${source}`);
  }
  const level = meta![META.logLevel];
  if (level !== undefined && !LOG_LEVELS.includes(level as LogLevel)) {
    return problem(ErrorCode.InvalidParams, `Invalid params: _meta["${META.logLevel}"] must be one of ${LOG_LEVELS.join(", ")}`);
  }
  return { version, clientCapabilities: caps as Record<string, unknown>, logLevel: level as LogLevel | undefined };
}

/** Arguments a tool mirrors into `Mcp-Param-<Name>` headers (`x-mcp-header` on a property schema, SEP-2243). */
export function headerParamsOf(inputSchema: Record<string, unknown>): Array<[argument: string, header: string]> {
  const properties = inputSchema.properties;
  if (typeof properties !== "object" || properties === null) return [];
  const out: Array<[string, string]> = [];
  for (const [name, schema] of Object.entries(properties as Record<string, Record<string, unknown>>)) {
    const header = schema?.["x-mcp-header"];
    if (typeof header === "string" && header !== "") out.push([name, header]);
  }
  return out;
}

/**
 * SEP-2243: every argument a tool mirrors into a header must arrive in that header too, with the
 * same value (base64-wrapped values decoded), so intermediaries can route on headers safely.
 */
export function checkParamHeaders(
  params: Array<[string, string]>,
  args: unknown,
  headers: Headers,
  id: JsonRpcId,
): EnvelopeProblem | undefined {
  const values = (typeof args === "object" && args !== null ? args : {}) as Record<string, unknown>;
  for (const [argument, header] of params) {
    const raw = headers.get(`mcp-param-${header}`);
    const value = values[argument];
    if (value === undefined || value === null) {
      if (raw === null) continue;
      return {
        status: 400,
        code: ErrorCode.HeaderMismatch,
        message: `Mcp-Param-${header} header sent but arguments.${argument} is absent`,
        id,
      };
    }
    if (raw === null) {
      return { status: 400, code: ErrorCode.HeaderMismatch, message: `Missing Mcp-Param-${header} header for arguments.${argument}`, id };
    }
    const decoded = decodeHeaderValue(raw);
    if (decoded === undefined) {
      return { status: 400, code: ErrorCode.HeaderMismatch, message: `Mcp-Param-${header} is not valid base64`, id };
    }
    if (decoded !== String(value)) {
      return {
        status: 400,
        code: ErrorCode.HeaderMismatch,
        message: `Mcp-Param-${header} header does not match arguments.${argument}`,
        id,
      };
    }
  }
  return undefined;
}
