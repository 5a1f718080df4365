/**
 * @module The request pipeline: a stage wraps the next handler, and `compose` stacks stages.
 */
import type { Identity } from "../auth/identity.ts";

/** What the host runtime knows about a request that the Request itself does not carry. */
export interface RequestInfo {
  /** The client's address as the socket saw it (not taken from forwarded headers). */
  remoteAddress?: string;
  /** Keeps work alive after the response is sent, where the platform has it (Workers, Deno Deploy). */
  waitUntil?: (promise: Promise<unknown>) => void;
}

/** Per-request state passed down the pipeline; stages fill it in as they learn things. */
export interface RequestContext {
  /** The parsed request URL (parsed once by the outermost stage). */
  url: URL;
  /** A CSPRNG id for logs and correlation. */
  requestId: string;
  info: RequestInfo;
  /** Who is calling, as resolved by the auth stage; `null` when nobody authenticated. */
  auth: Identity | null;
  /** The credential to use upstream, as resolved by the auth strategy (never the inbound secret unless configured so). */
  providerToken?: string;
  /** Outbound header shape for the active strategy. */
  resolvedHeaders: Record<string, string>;
  /**
   * Set by the rate limiter: takes `extra` more tokens from the caller's bucket (per-tool cost
   * weights), resolving to a 429 Response when that is more than is left.
   */
  charge?: (extra: number) => Promise<Response | undefined>;
  /** The tool a tools/call names, once the MCP transport has read it (for the audit log). */
  tool?: string;
  /** The W3C `traceparent`/`tracestate` request headers, when sent. */
  traceparent?: string;
  tracestate?: string;
}

export type Handler = (request: Request, ctx: RequestContext) => Promise<Response>;
export type Stage = (next: Handler) => Handler;

/** Composes stages outermost first: `compose([a, b], h)` is `a(b(h))`. */
export function compose(stages: readonly Stage[], innermost: Handler): Handler {
  return stages.reduceRight((next, stage) => stage(next), innermost);
}
