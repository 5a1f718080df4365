/**
 * @module Metric hooks (requests, latency, auth outcomes, rate-limit hits, tool calls) as plain callbacks, so any telemetry library can be attached without Gatehouse depending on one.
 */
import type { Stage } from "../http/pipeline.ts";

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

export interface ToolMetric {
  tool: string;
  durationMs: number;
  isError: boolean;
  protocolVersion: string;
}

/** Called synchronously after each event; keep them cheap (increment a counter, record a histogram). */
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
