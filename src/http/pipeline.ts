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
  /** The request URL, parsed on first use. */
  readonly url: URL;
  /** The URL's path, read without a full URL parse where that is safe (see `pathnameOf`). */
  pathname: string;
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

/**
 * The path of a request URL without constructing a URL object (the request path is measured).
 * Anything a URL parser would normalise (dot segments, percent-escapes, backslashes) returns
 * undefined so the caller parses properly: routing never sees a path the parser would not.
 */
export function pathnameOf(url: string): string | undefined {
  const scheme = url.indexOf("://");
  if (scheme < 0) return undefined;
  const start = url.indexOf("/", scheme + 3);
  if (start < 0) return url.indexOf("?", scheme + 3) < 0 && url.indexOf("#", scheme + 3) < 0 ? "/" : undefined;
  let end = url.length;
  const q = url.indexOf("?", start);
  if (q >= 0) end = q;
  const h = url.indexOf("#", start);
  if (h >= 0 && h < end) end = h;
  const path = url.slice(start, end);
  // Only characters a URL parser keeps as they are (no dots, escapes, backslashes or non-ASCII).
  return SAFE_PATH.test(path) && url.lastIndexOf("@", start) < scheme ? path : undefined;
}

const SAFE_PATH = /^[A-Za-z0-9\-_~!$&'()*+,;=:@/]*$/;

/** A fresh context for a request. */
export function requestContext(request: Request, info: RequestInfo, requestId: string): RequestContext {
  let parsed: URL | undefined;
  const url = () => (parsed ??= new URL(request.url));
  return {
    get url() {
      return url();
    },
    pathname: pathnameOf(request.url) ?? url().pathname,
    requestId,
    info,
    auth: null,
    resolvedHeaders: NO_HEADERS,
  };
}

/** The shared, frozen empty header set of anonymous requests (strategies replace it, never mutate it). */
export const NO_HEADERS: Record<string, string> = Object.freeze({}) as Record<string, string>;

/** Composes stages outermost first: `compose([a, b], h)` is `a(b(h))`. */
export function compose(stages: readonly Stage[], innermost: Handler): Handler {
  return stages.reduceRight((next, stage) => stage(next), innermost);
}
