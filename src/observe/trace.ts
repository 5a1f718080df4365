/**
 * @module W3C Trace Context (`traceparent`/`tracestate`) read from the HTTP header or the request's `_meta`, so a tool can continue the caller's trace without any telemetry package.
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

/** Parses a `traceparent` value (W3C Trace Context §3.2); invalid or all-zero ids give undefined. */
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
