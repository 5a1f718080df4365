/**
 * @module Per-tool middleware (`requireAuth`, `rateLimit`) and the one place that decides, before any handler runs, whether a tools/call may proceed.
 */
import type { RequestContext } from "../http/pipeline.ts";
import type { KV } from "../store/kv.ts";
import { evaluateRequireAuth, type RequireAuth } from "../auth/scopes.ts";
import { insufficientScopeResponse, jsonError, unauthorizedResponse } from "../auth/challenge.ts";
import { bucketLimiter, type Limiter, rateLimitKey } from "../ratelimit/stage.ts";
import type { ScopeHierarchy } from "../auth/scopes.ts";
import { authorizeTool } from "./authorize.ts";
import type { ToolDefinition } from "./tools.ts";

/** A per-tool rate limit, on top of the server-wide one: `rateLimit({ rps: 1, burst: 5 })`. */
export interface ToolRateLimit {
  readonly kind: "rateLimit";
  readonly rps: number;
  readonly burst: number;
}

/**
 * A per-tool middleware for `defineTool({ middlewares })`: {@link requireAuth} or {@link rateLimit}.
 * They are descriptors, not functions: Gatehouse runs them in order before the handler.
 *
 * @example
 * ```ts
 * import { defineTool, rateLimit, requireAuth, type ToolMiddleware } from "gatehouse";
 *
 * const guarded: ToolMiddleware[] = [requireAuth(), rateLimit({ rps: 0.5, burst: 3 })];
 * const send = defineTool({ name: "send_email", middlewares: guarded, handler: () => "sent" });
 * ```
 */
export type ToolMiddleware = RequireAuth | ToolRateLimit;

/**
 * A per-tool, per-caller token bucket for `defineTool({ middlewares })`, on top of the server-wide
 * `rateLimit` (which it does not need). `rps` tokens are added per second up to `burst`; one call takes
 * one. The caller is keyed as for the server-wide limit (credential fingerprint, else subject, else
 * client address), the bucket lives in the store, and a refusal is 429 with `Retry-After`. It applies
 * over HTTP only (not over stdio). An `rps` that is not positive or a `burst` below 1 throws
 * `RangeError` on the tool's first call.
 *
 * @example
 * ```ts
 * import { defineTool, rateLimit } from "gatehouse";
 *
 * const generate = defineTool({
 *   name: "generate_image",
 *   middlewares: [rateLimit({ rps: 1 / 60, burst: 5 })], // five at once, then one a minute
 *   handler: () => "queued",
 * });
 * ```
 */
export function rateLimit(options: { rps: number; burst: number }): ToolRateLimit {
  return { kind: "rateLimit", rps: options.rps, burst: options.burst };
}

export interface Preflight {
  /** Returns a refusal (401, 403 or 429) for a call that must not run, else undefined (synchronously when there is nothing to wait for). */
  (tool: ToolDefinition, request: Request, ctx: RequestContext): Promise<Response | undefined> | Response | undefined;
}

/**
 * Builds the pre-handler check: identity and scopes (401 / 403 `insufficient_scope` naming every
 * scope the tool needs), then the tool's middlewares in order, then its cost weight.
 */
export function createPreflight(options: { store: KV; resourceMetadataUrl?: string; scopeHierarchy?: ScopeHierarchy }): Preflight {
  const limiters = new Map<ToolRateLimit, Limiter>();
  const limiterFor = (tool: string, rule: ToolRateLimit) => {
    let l = limiters.get(rule);
    if (!l) {
      l = bucketLimiter(
        { store: options.store, rps: rule.rps, burst: rule.burst, protectedPaths: () => true },
        `tool-${tool.replace(/[^a-z0-9_-]/gi, "_")}`,
      );
      limiters.set(rule, l);
    }
    return l;
  };
  const resourceMetadataUrl = options.resourceMetadataUrl;

  return (tool, request, ctx) => {
    const decision = authorizeTool(tool, ctx.auth, options.scopeHierarchy);
    if (!decision.ok) {
      if (decision.status === 401) return unauthorizedResponse({ ok: false, description: decision.message }, { resourceMetadataUrl });
      return insufficientScopeResponse({
        scopes: decision.scopes ?? [],
        missing: decision.missing,
        resourceMetadataUrl,
        description: decision.message,
      });
    }
    // Most tools have no middleware and no cost: nothing to await.
    if (!tool.middlewares?.length && !(tool.cost !== undefined && tool.cost > 1 && ctx.charge)) return undefined;
    return rest(tool, request, ctx);
  };

  async function rest(tool: ToolDefinition, request: Request, ctx: RequestContext): Promise<Response | undefined> {
    for (const m of tool.middlewares ?? []) {
      if (m.kind === "requireAuth") {
        const verdict = await evaluateRequireAuth(m, ctx.auth, tool.name);
        if (verdict.ok) continue;
        if (verdict.status === 401) return unauthorizedResponse({ ok: false, description: verdict.message }, { resourceMetadataUrl });
        return jsonError(403, { error: "forbidden", error_description: verdict.message });
      }
      const limiter = limiterFor(tool.name, m);
      const verdict = await limiter.take(rateLimitKey(request, ctx), 1);
      if (verdict && !verdict.allowed) return limiter.refuse(verdict);
    }
    if (tool.cost !== undefined && tool.cost > 1 && ctx.charge) return await ctx.charge(tool.cost - 1);
    return undefined;
  }
}
