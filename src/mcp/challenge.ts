/**
 * @module The HTTP-level answer to a tools/call the caller may not make: 401 or 403 `insufficient_scope` before any handler runs (MCP authorization, step-up).
 */
import type { RequestContext } from "../http/pipeline.ts";
import { insufficientScopeResponse, unauthorizedResponse } from "../auth/challenge.ts";
import type { JsonRpcRequest } from "./jsonrpc.ts";
import type { Dispatcher } from "./dispatcher.ts";

/**
 * For 2026-07-28 clients the tool comes from the `Mcp-Name` header (validated equal to the body by
 * then); for older clients from the body. Returns undefined when the call may proceed.
 */
export function authorizeToolChallenge(
  dispatcher: Dispatcher,
  request: JsonRpcRequest,
  ctx: RequestContext,
  resourceMetadataUrl?: string,
): Response | undefined {
  if (request.method !== "tools/call" || typeof request.params?.name !== "string") return undefined;
  const decision = dispatcher.authorizeTool(request.params.name, ctx.auth);
  if (decision.ok) return undefined;
  if (decision.status === 401) {
    return unauthorizedResponse({ ok: false, description: decision.message }, { resourceMetadataUrl });
  }
  return insufficientScopeResponse({
    scopes: decision.scopes ?? [],
    missing: decision.missing,
    resourceMetadataUrl,
    description: decision.message,
  });
}
