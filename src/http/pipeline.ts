/**
 * @module The request pipeline: a stage wraps the next handler, and `compose` stacks stages.
 */
import type { Identity } from "../auth/identity.ts";

/**
 * What the host knows about a request that the `Request` itself does not carry; the optional second
 * argument of `server.fetch(request, info)`. `remoteAddress` should be the socket's address (Gatehouse
 * never reads `X-Forwarded-For`): rate limits fall back to it for anonymous callers, and the audit log
 * records it. When the server is the default export of `deno serve` / `bun run`, the runtime's own
 * second argument is translated into this.
 *
 * @example
 * ```ts
 * import { createServer, type RequestInfo } from "gatehouse";
 *
 * const mcp = createServer({ name: "demo", version: "1.0.0" });
 *
 * Deno.serve((request, handler) => {
 *   const info: RequestInfo = { remoteAddress: handler.remoteAddr.hostname };
 *   return mcp.fetch(request, info);
 * });
 * ```
 */
export interface RequestInfo {
  /** The client's address as the socket saw it (not taken from forwarded headers). */
  remoteAddress?: string;
  /** Keeps work alive after the response is sent, where the platform has it (Workers, Deno Deploy). */
  waitUntil?: (promise: Promise<unknown>) => void;
}

/**
 * Per-request state handed down the pipeline, filled in as stages learn things: after the auth
 * stage, `auth`, `providerToken` and `resolvedHeaders` describe the caller (`auth` stays `null` on
 * paths that are not authenticated, such as `/health` or your own routes in `stages`). `requestId`
 * is also sent as `X-Request-Id` and appears in every log and audit line of the request.
 *
 * @example
 * ```ts
 * import { createServer, type RequestContext, type Stage } from "gatehouse";
 *
 * const whoami: Stage = (next) => (request, ctx: RequestContext) =>
 *   ctx.pathname === "/whoami"
 *     ? Promise.resolve(Response.json({ requestId: ctx.requestId, subject: ctx.auth?.subject ?? null }))
 *     : next(request, ctx);
 *
 * createServer({ name: "demo", version: "1.0.0", stages: [whoami] });
 * ```
 */
export interface RequestContext {
  /** The request URL, parsed on first use. */
  readonly url: URL;
  /** The URL's path, read without a full URL parse where that is safe (see `pathnameOf`). */
  pathname: string;
  /**
   * The id for logs and correlation: the caller's own well-formed `X-Request-Id`, else one made
   * per instance (a random prefix and a counter: unique, not secret). Sent back as `X-Request-Id`
   * on error responses, and on every response when the caller sent its own id or the server says
   * `requestIdHeader: "always"`.
   */
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

/**
 * The innermost shape of the pipeline: a request and its {@link RequestContext} in, a `Response` out.
 * A {@link Stage} wraps one.
 *
 * @example
 * ```ts
 * import type { Handler } from "gatehouse";
 *
 * const notFound: Handler = (request, ctx) =>
 *   Promise.resolve(Response.json({ error: "not_found", path: ctx.pathname, method: request.method }, { status: 404 }));
 * ```
 */
export type Handler = (request: Request, ctx: RequestContext) => Promise<Response>;
/**
 * A pipeline stage: wraps the next {@link Handler}, and may answer itself, pass the request on, or
 * change the response. `createServer({ stages })` places yours after authentication and rate
 * limiting and before the routes, so they see every request that got that far; for paths other than
 * the MCP endpoint and the tools API, nothing was authenticated (`ctx.auth` is `null`).
 *
 * @example
 * ```ts
 * import { createServer, type Stage } from "gatehouse";
 *
 * const version: Stage = (next) => (request, ctx) =>
 *   ctx.pathname === "/version" && request.method === "GET"
 *     ? Promise.resolve(Response.json({ version: "1.0.0" }))
 *     : next(request, ctx);
 *
 * export default createServer({ name: "demo", version: "1.0.0", stages: [version] });
 * ```
 */
export type Stage = (next: Handler) => Handler;

/**
 * The path of a request URL without constructing a URL object (the request path is measured).
 * Anything a URL parser would normalise (dot segments, percent-escapes, backslashes) returns
 * undefined so the caller parses properly: routing never sees a path the parser would not.
 */
export function pathnameOf(url: string): string | undefined {
  if (url === lastUrl) return lastPath;
  const path = parsePath(url);
  if (path !== undefined) {
    lastUrl = url;
    lastPath = path;
  }
  return path;
}
let lastUrl = "";
let lastPath: string | undefined;

function parsePath(url: string): string | undefined {
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

/**
 * The context's concrete shape: a class, so creating one per request is a plain allocation (an
 * object literal with a getter is rebuilt property by property on every call; measured on Deno).
 */
class Context implements RequestContext {
  // Fields are declared and assigned in the constructor (one shape, no per-field initialiser calls).
  #href: string;
  #url: URL | undefined;
  declare pathname: string;
  declare requestId: string;
  declare info: RequestInfo;
  declare auth: Identity | null;
  declare providerToken?: string;
  declare resolvedHeaders: Record<string, string>;
  declare charge?: (extra: number) => Promise<Response | undefined>;
  declare tool?: string;
  // Read from the request on first use: most requests carry no trace context, and on Deno every
  // header read is a call into the runtime (~1,500 instructions; scripts/bench/instructions.mjs).
  #request: Request;
  #trace: { traceparent?: string; tracestate?: string } | undefined;
  /** The response already carrying `X-Request-Id` (see `jsonFor`), which the guard then leaves alone. */
  declare stamped: Response | undefined;
  /** Headers outer stages want on the response (rate-limit headers), given to `jsonFor` up front. */
  declare responseHeaders: Record<string, string> | undefined;
  /** Every response carries `X-Request-Id`, not only errors (the caller sent its own id, or the server says so). */
  declare stampAll: boolean;
  constructor(request: Request, info: RequestInfo, requestId: string, stampAll: boolean) {
    const href = this.#href = request.url;
    this.#url = undefined;
    this.requestId = requestId;
    this.info = info;
    this.auth = null;
    this.providerToken = undefined;
    this.resolvedHeaders = NO_HEADERS;
    this.charge = undefined;
    this.tool = undefined;
    this.#request = request;
    this.#trace = undefined;
    this.stamped = undefined;
    this.responseHeaders = undefined;
    this.stampAll = stampAll;
    this.pathname = pathnameOf(href) ?? this.url.pathname;
  }
  get url(): URL {
    return (this.#url ??= new URL(this.#href));
  }
  get traceparent(): string | undefined {
    return this.#traceContext().traceparent;
  }
  set traceparent(value: string | undefined) {
    this.#traceContext().traceparent = value;
  }
  get tracestate(): string | undefined {
    return this.#traceContext().tracestate;
  }
  set tracestate(value: string | undefined) {
    this.#traceContext().tracestate = value;
  }
  #traceContext(): { traceparent?: string; tracestate?: string } {
    if (this.#trace) return this.#trace;
    const headers = this.#request.headers;
    const traceparent = headers.get("traceparent") ?? undefined;
    return (this.#trace = { traceparent, tracestate: traceparent === undefined ? undefined : headers.get("tracestate") ?? undefined });
  }
}

/**
 * A JSON response for this request, built with every header it needs at once instead of stages
 * adding them afterwards (which makes the runtime build a Headers object for the response; measured
 * on the hot path). It carries `X-Request-Id` when `needsRequestId` says so.
 */
export function jsonFor(ctx: RequestContext, body: unknown, status: number): Response {
  if (!(ctx instanceof Context)) {
    return new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json", "x-request-id": ctx.requestId } });
  }
  const extra = ctx.responseHeaders;
  // Deno answers a response whose only header is Content-Type without building a Headers object
  // (~2 µs per request saved, measured): successful answers stay that way unless asked otherwise.
  const stamp = stampsId(ctx, status) || (body !== null && typeof body === "object" && "error" in body);
  const headers: Record<string, string> = stamp
    ? { "content-type": "application/json", "x-request-id": ctx.requestId }
    : { "content-type": "application/json" };
  const response = new Response(JSON.stringify(body), { status, headers: extra ? { ...headers, ...extra } : headers });
  ctx.stamped = response;
  return response;
}

/**
 * Whether `response` should carry `X-Request-Id`: every error response (status 400 and up) does, so
 * a failure can always be reported with the id that is in the logs; a successful one does when the
 * caller sent its own `X-Request-Id` or the server was created with `requestIdHeader: "always"`.
 */
export function needsRequestId(ctx: RequestContext, response: Response): boolean {
  return !(ctx instanceof Context) || stampsId(ctx, response.status);
}

const stampsId = (ctx: Context, status: number) => ctx.stampAll || status >= 400;

/** The caller sent its own request id: echo it on every response (called by the guard). */
export function echoRequestId(ctx: RequestContext, requestId: string): void {
  ctx.requestId = requestId;
  if (ctx instanceof Context) ctx.stampAll = true;
}

/**
 * Asks for headers on this request's response: `jsonFor` includes them when it builds it; for any
 * other response (`isStamped` false) the stage must still set them itself.
 */
export function addResponseHeaders(ctx: RequestContext, headers: Record<string, string>): void {
  if (ctx instanceof Context) ctx.responseHeaders = ctx.responseHeaders ? { ...ctx.responseHeaders, ...headers } : headers;
}

/** Whether `response` is the one `jsonFor` made for this request. */
export function isStamped(ctx: RequestContext, response: Response): boolean {
  return ctx instanceof Context && ctx.stamped === response;
}

/** A fresh context for a request; `stampAll` puts `X-Request-Id` on every response, not only errors. */
export function requestContext(request: Request, info: RequestInfo, requestId: string, stampAll = false): RequestContext {
  return new Context(request, info, requestId, stampAll);
}

/** The shared, frozen empty header set of anonymous requests (strategies replace it, never mutate it). */
export const NO_HEADERS: Record<string, string> = Object.freeze({}) as Record<string, string>;

/** Composes stages outermost first: `compose([a, b], h)` is `a(b(h))`. */
export function compose(stages: readonly Stage[], innermost: Handler): Handler {
  return stages.reduceRight((next, stage) => stage(next), innermost);
}
