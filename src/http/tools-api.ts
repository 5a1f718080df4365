/**
 * @module A plain HTTP facade for tools (`GET /tools`, `POST /tools/{name}`) for curl, scripts and non-MCP clients, behind the same auth, per-tool checks and rate limits as `/mcp`.
 */
import type { Handler, RequestContext } from "./pipeline.ts";
import { json } from "./errors.ts";
import { readBody } from "./body.ts";
import type { CallScope, Dispatcher } from "../mcp/dispatcher.ts";
import type { Preflight } from "../mcp/middleware.ts";
import { validate } from "../mcp/schema.ts";
import { ErrorCode } from "../mcp/jsonrpc.ts";
import { authorizeTool } from "../mcp/authorize.ts";
import type { ScopeHierarchy } from "../auth/scopes.ts";

export interface ToolsApiOptions {
  dispatcher: Dispatcher;
  preflight: Preflight;
  maxBodyBytes: number;
  scopeHierarchy?: ScopeHierarchy;
}

/** `/tools` and below. */
export const isToolsApiPath = (pathname: string) => pathname === "/tools" || pathname.startsWith("/tools/");

const STATUS_OF_CODE: Record<number, number> = {
  [ErrorCode.InvalidParams]: 400,
  [ErrorCode.InvalidRequest]: 400,
  [ErrorCode.MethodNotFound]: 404,
  [-32021]: 400,
};

export function createToolsApi(o: ToolsApiOptions): Handler {
  const { dispatcher } = o;
  return async (request, ctx) => {
    const path = ctx.pathname;
    if (path === "/tools") {
      if (request.method !== "GET") {
        return json({ error: "method_not_allowed", error_description: "Use GET /tools" }, 405, { allow: "GET" });
      }
      const tools = [...dispatcher.registry.tools.values()]
        .filter((t) => !t.definition.hideWhenUnauthorized || authorizeTool(t.definition, ctx.auth, o.scopeHierarchy).ok)
        .map((t) => t.listEntry);
      return json({ tools });
    }
    const name = decodeURIComponent(path.slice("/tools/".length));
    if (request.method !== "POST") {
      return json({ error: "method_not_allowed", error_description: `Use POST /tools/${name}` }, 405, { allow: "POST" });
    }
    const tool = dispatcher.registry.tools.get(name);
    if (!tool) return json({ error: "not_found", error_description: `No tool named ${JSON.stringify(name)}` }, 404);
    ctx.tool = name;
    const refusal = await o.preflight(tool.definition, request, ctx);
    if (refusal) return refusal;
    const body = await readBody(request, o.maxBodyBytes);
    if (!body.ok) return json({ error: "invalid_request", error_description: body.message }, body.status);
    let args: unknown = {};
    if (body.text.trim() !== "") {
      try {
        args = JSON.parse(body.text);
      } catch {
        return json({ error: "invalid_request", error_description: "The body must be a JSON object of arguments" }, 400);
      }
    }
    const checked = validate(tool.definition.inputSchema, args);
    if (!checked.ok) return json({ error: "invalid_arguments", error_description: checked.message }, 400);
    const response = await dispatcher.dispatch(
      { jsonrpc: "2.0", id: ctx.requestId, method: "tools/call", params: { name, arguments: args as Record<string, unknown> } },
      facadeScope(ctx, request.signal),
    );
    if ("error" in response) {
      const status = STATUS_OF_CODE[response.error.code] ?? 500;
      return json({ error: status === 500 ? "server_error" : "invalid_request", error_description: response.error.message }, status);
    }
    const result = response.result as { isError?: boolean; content?: Array<{ type: string; text?: string }> };
    if (result.isError) {
      const text = result.content?.filter((c) => c.type === "text").map((c) => c.text).join("\n") || "The tool reported an error";
      return json({ error: "tool_error", error_description: text, result }, 422);
    }
    return json(result);
  };
}

/** A call over the facade is a one-shot 2025-style request: no session, no streaming, no questions to the client. */
function facadeScope(ctx: RequestContext, signal: AbortSignal): CallScope {
  return {
    protocolVersion: "2025-11-25",
    clientCapabilities: {},
    http: ctx,
    signal,
    notify: () => Promise.resolve(),
    request: () => Promise.reject(new Error("The HTTP tools API cannot ask the client for input; use /mcp")),
  };
}
