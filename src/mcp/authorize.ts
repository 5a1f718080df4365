/**
 * @module Per-tool authorization, decided in one place before any handler runs: requiresAuth, scopes, guards.
 */
import type { Identity } from "../auth/identity.ts";
import { missingScopes, type ScopeHierarchy } from "../auth/scopes.ts";
import type { ToolDefinition } from "./tools.ts";

export type ToolDecision =
  | { ok: true }
  /** 401: the tool needs an identity and there is none. */
  | { ok: false; status: 401; message: string }
  /** 403: authenticated, but missing scopes (all of the tool's required scopes are named) or failing a guard. */
  | { ok: false; status: 403; message: string; scopes?: readonly string[]; missing?: readonly string[] };

/** The static part (identity and scopes), decidable from the `Mcp-Name` header before the body handler runs. */
export function authorizeTool(tool: ToolDefinition, auth: Identity | null, hierarchy?: ScopeHierarchy): ToolDecision {
  const needsIdentity = tool.requiresAuth || (tool.scopes?.length ?? 0) > 0;
  if (needsIdentity && (!auth || auth.strategy === "none")) {
    return { ok: false, status: 401, message: `Tool "${tool.name}" requires authentication` };
  }
  if (tool.scopes?.length) {
    const missing = missingScopes(auth?.scopes ?? [], tool.scopes, hierarchy);
    if (missing.length) {
      return {
        ok: false,
        status: 403,
        message: `Tool "${tool.name}" requires scope${tool.scopes.length > 1 ? "s" : ""} ${tool.scopes.join(" ")}; missing ${
          missing.join(" ")
        }`,
        scopes: tool.scopes,
        missing,
      };
    }
  }
  return ALLOWED;
}

const ALLOWED: ToolDecision = Object.freeze({ ok: true as const });
