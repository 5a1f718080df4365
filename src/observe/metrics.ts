/**
 * @module Metric hooks (requests, latency, auth outcomes, rate-limit hits, tool calls) as plain callbacks, so any telemetry library can be attached without Gatehouse depending on one.
 */
import type { Stage } from "../http/pipeline.ts";

/**
 * What the `request` metric hook gets for every HTTP request: `method`, `path` (the request's path as
 * sent, so unbounded in cardinality: label by `outcome` or a known route rather than raw paths),
 * `status`, `durationMs` up to the response headers (a streamed SSE body is not waited for),
 * `outcome` from the status, and, once known, the caller's `strategy` and the `tool` of a `tools/call`.
 *
 * @example
 * ```ts
 * import type { RequestMetric } from "gatehouse";
 *
 * const counts = new Map<RequestMetric["outcome"], number>();
 * const onRequest = (m: RequestMetric) => counts.set(m.outcome, (counts.get(m.outcome) ?? 0) + 1);
 * ```
 */
export interface RequestMetric {
  method: string;
  path: string;
  status: number;
  durationMs: number;
  /** `ok`, `unauthorized` (401), `forbidden` (403), `rate_limited` (429), `client_error`, `server_error`. */
  outcome: "ok" | "unauthorized" | "forbidden" | "rate_limited" | "client_error" | "server_error";
  strategy?: string;
  tool?: string;
}

/**
 * What the `toolCall` metric hook gets after every tool call: the tool, how long the call took,
 * whether the result was an error (a thrown error or `isError: true`), and the protocol revision.
 *
 * @example
 * ```ts
 * import type { ToolMetric } from "gatehouse";
 *
 * const slowCalls: ToolMetric[] = [];
 * const onToolCall = (m: ToolMetric) => {
 *   if (m.durationMs > 1000) slowCalls.push(m);
 * };
 * ```
 */
export interface ToolMetric {
  tool: string;
  durationMs: number;
  isError: boolean;
  protocolVersion: string;
}

/**
 * `createServer({ metrics })`: plain callbacks, so any telemetry library (Prometheus, OpenTelemetry)
 * can be attached without Gatehouse depending on one. Called synchronously after each request or
 * tool call; keep them cheap. A hook that throws is ignored.
 *
 * @example
 * ```ts
 * import { createServer, type MetricsHooks } from "gatehouse";
 *
 * const totals = { requests: 0, refused: 0, toolErrors: 0 };
 * const metrics: MetricsHooks = {
 *   request: (m) => {
 *     totals.requests++;
 *     if (m.outcome === "unauthorized" || m.outcome === "forbidden") totals.refused++;
 *   },
 *   toolCall: (m) => {
 *     if (m.isError) totals.toolErrors++;
 *   },
 * };
 * createServer({ name: "observed", version: "1.0.0", metrics });
 * ```
 */
export interface MetricsHooks {
  request?(metric: RequestMetric): void;
  toolCall?(metric: ToolMetric): void;
}

function outcomeOf(status: number): RequestMetric["outcome"] {
  if (status < 400) return "ok";
  if (status === 401) return "unauthorized";
  if (status === 403) return "forbidden";
  if (status === 429) return "rate_limited";
  return status < 500 ? "client_error" : "server_error";
}

/** Times every request (up to the response headers; streams are not waited for). */
export function metricsStage(hooks: MetricsHooks): Stage {
  return (next) => async (request, ctx) => {
    const start = performance.now();
    const response = await next(request, ctx);
    try {
      hooks.request?.({
        method: request.method,
        path: ctx.pathname,
        status: response.status,
        durationMs: performance.now() - start,
        outcome: outcomeOf(response.status),
        ...(ctx.auth && { strategy: ctx.auth.strategy }),
        ...(ctx.tool && { tool: ctx.tool }),
      });
    } catch { /* a hook never breaks a response */ }
    return response;
  };
}
