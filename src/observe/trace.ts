/**
 * @module W3C Trace Context (`traceparent`/`tracestate`) read from the HTTP header or the request's `_meta`, so a tool can continue the caller's trace without any telemetry package.
 */

/**
 * A caller's W3C Trace Context, as a tool sees it in `context.trace`: taken from the request's
 * `_meta.traceparent` (preferred: the caller's own span) or the `traceparent` HTTP header. Forward
 * `traceparent` (and `tracestate`) upstream to continue the trace; `parentId` is the caller's span.
 *
 * @example
 * ```ts
 * import { defineTool } from "gatehouse";
 *
 * const upstream = defineTool({
 *   name: "upstream",
 *   handler: async (_args, context) => {
 *     const headers: Record<string, string> = { ...context.resolvedHeaders };
 *     if (context.trace) headers.traceparent = context.trace.traceparent;
 *     return await (await fetch("https://api.example.com/status", { headers })).text();
 *   },
 * });
 * ```
 */
export interface TraceContext {
  /** 32 lowercase hex digits. */
  traceId: string;
  /** The caller's span id (16 hex digits): the parent of whatever the tool starts. */
  parentId: string;
  /** Trace flags (`01` = sampled). */
  flags: string;
  /** The header value as received, to forward upstream unchanged. */
  traceparent: string;
  tracestate?: string;
}

const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(?:-.*)?$/;

/**
 * Parses a `traceparent` value (W3C Trace Context §3.2), lower-casing it. Returns `undefined` (never
 * throws) for anything invalid: not a string, wrong shape, version `ff`, an all-zero trace or parent
 * id, or a version-00 value with trailing data. A `tracestate` string of at most 512 characters is
 * kept as given; it is not parsed.
 *
 * @example
 * ```ts
 * import { parseTraceparent } from "gatehouse";
 *
 * const trace = parseTraceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
 * console.log(trace?.traceId, trace?.flags); // 4bf92f3577b34da6a3ce929d0e0e4736 01
 * ```
 */
export function parseTraceparent(value: unknown, tracestate?: unknown): TraceContext | undefined {
  if (typeof value !== "string") return undefined;
  const m = TRACEPARENT.exec(value.trim().toLowerCase());
  if (!m || m[1] === "ff" || /^0+$/.test(m[2]) || /^0+$/.test(m[3])) return undefined;
  if (m[1] === "00" && value.trim().length !== 55) return undefined;
  return {
    traceId: m[2],
    parentId: m[3],
    flags: m[4],
    traceparent: value.trim().toLowerCase(),
    ...(typeof tracestate === "string" && tracestate.length <= 512 && { tracestate }),
  };
}

/** `_meta.traceparent` (MCP convention) wins over the HTTP header: it is the caller's own span. */
export function traceOf(meta: Record<string, unknown> | undefined, headers?: Headers): TraceContext | undefined {
  return parseTraceparent(meta?.traceparent, meta?.tracestate) ??
    (headers ? parseTraceparent(headers.get("traceparent"), headers.get("tracestate") ?? undefined) : undefined);
}
