/** @module The auth gate: public routes pass, protected paths (`/mcp`) need a credential the strategy accepts, refusals carry an RFC 6750 challenge. */
import type { Handler, RequestContext, Stage } from "../http/pipeline.ts";
import type { AuthResult, AuthStrategy } from "./strategy.ts";
import { type ChallengeScheme, jsonError, unauthorizedResponse } from "./challenge.ts";

export interface AuthStageOptions {
  /** Which paths need a caller. Default: `/mcp` and everything under `/mcp/`. */
  protectedPaths?: (pathname: string) => boolean;
  /** RFC 9728 metadata URL, advertised in the 401 challenge (`resource_metadata="…"`). */
  resourceMetadataUrl?: string;
  /** Scopes the resource needs, advertised in the 401 challenge (`scope="…"`, MCP 2025-11-25). */
  scopes?: readonly string[];
}

/** The default protected paths: the MCP endpoint `/mcp` and below. */
export function isMcpPath(pathname: string): boolean {
  return pathname === "/mcp" || pathname.startsWith("/mcp/");
}

/** Always public: the health check and every well-known document (RFC 8615), whatever the strategy. */
export function isAlwaysPublic(pathname: string): boolean {
  return pathname === "/health" || pathname.startsWith("/.well-known/");
}

// Requests whose presented credential was refused (not those that sent none), for the pre-auth
// limiter, which charges guessing but not the 401 that starts every OAuth discovery.
const refusedCredential = new WeakSet<RequestContext>();

/** True when the auth stage refused a credential this request presented. */
export function credentialRefused(ctx: RequestContext): boolean {
  return refusedCredential.has(ctx);
}

/**
 * The auth stage. In order:
 * 1. `strategy.routes` (OAuth endpoints, metadata) answer first when they match;
 * 2. `OPTIONS` (CORS preflight carries no credentials, Fetch §3.2.5) passes untouched — the guard
 *    answers it before us anyway;
 * 3. `/health` and `/.well-known/*` pass;
 * 4. protected paths are authenticated: success fills `ctx.auth`, `ctx.providerToken` and
 *    `ctx.resolvedHeaders`; failure is a 401 (400 for a malformed header) with the challenge;
 * 5. any other path passes WITHOUT authenticating, `ctx.auth` staying `null`: nothing there may
 *    depend on who is calling (list a path in `protectedPaths` if it should). Authenticating
 *    opportunistically would spend work on, and let timing probe credentials against, paths that
 *    do not need them.
 * A strategy that throws (a verify hook or key fetch failing) answers 503, not 500 and not 401:
 * the credential was not judged, and clients should not throw it away.
 */
export function authStage(strategy: AuthStrategy, options: AuthStageOptions = {}): Stage {
  const isProtected = options.protectedPaths ?? isMcpPath;
  const scheme: ChallengeScheme = strategy.name === "api_key" && typeof (strategy as { header?: unknown }).header === "string"
    ? { kind: "api_key", header: (strategy as unknown as { header: string }).header }
    : { kind: "bearer" };
  const challenge = { scheme, resourceMetadataUrl: options.resourceMetadataUrl, scopes: options.scopes };

  return (next) => (request, ctx) => {
    const routed = strategy.routes?.(request, ctx, next);
    if (routed === undefined) return gate(next, request, ctx);
    return routed.then((response) => response ?? gate(next, request, ctx));
  };

  function gate(next: Handler, request: Request, ctx: RequestContext): Promise<Response> {
    const pathname = ctx.pathname;
    if (request.method === "OPTIONS" || isAlwaysPublic(pathname) || !isProtected(pathname)) return next(request, ctx);
    let pending;
    try {
      pending = strategy.authenticate(request, ctx);
    } catch {
      return Promise.resolve(unavailable());
    }
    // Most strategies answer synchronously once warmed up: then no promise is made here at all.
    if (!(pending instanceof Promise)) return decide(pending, next, request, ctx);
    return pending.then((result) => decide(result, next, request, ctx), unavailable);
  }

  function decide(result: AuthResult, next: Handler, request: Request, ctx: RequestContext): Promise<Response> {
    if (!result.ok) {
      if (result.error) refusedCredential.add(ctx);
      return Promise.resolve(unauthorizedResponse(result, challenge));
    }
    ctx.auth = result.identity;
    ctx.providerToken = result.providerToken;
    ctx.resolvedHeaders = result.resolvedHeaders;
    return next(request, ctx);
  }
}

/** A strategy that throws (a verify hook or key fetch failing): the credential was not judged; retry. */
function unavailable(): Response {
  return jsonError(503, {
    error: "temporarily_unavailable",
    error_description: "Authentication could not be completed; try again",
  }, { "retry-after": "1" });
}
