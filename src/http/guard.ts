/**
 * @module The outermost stage: DNS-rebinding protection (Host/Origin), CORS (preflight answered before any auth gate), and the request id.
 */
import { echoRequestId, type Handler, isStamped, needsRequestId, type RequestContext, type Stage } from "./pipeline.ts";

export interface GuardOptions {
  /** Host header values accepted (host[:port], lowercase). Empty: any host. */
  allowedHosts: readonly string[];
  /** Origins allowed to call from a browser. `"*"` allows any (not recommended with credentials). */
  allowedOrigins: readonly string[] | "*";
  /**
   * Accept any origin on a loopback host (any port): pages served from this machine, such as the
   * MCP Inspector, are local too. DNS rebinding uses a foreign host name, which this still refuses.
   */
  allowLoopbackOrigins?: boolean;
  /** Extra request headers a browser client may send (e.g. the api_key header). */
  allowHeaders?: readonly string[];
  /**
   * Paths whose Origin must be allowed (the MCP endpoint: DNS-rebinding protection). Default: all.
   * Other paths still get CORS headers only for allowed origins.
   */
  originChecked?: (pathname: string) => boolean;
  /**
   * Public, credential-free documents and endpoints any web page may call (well-known metadata,
   * OAuth token/register/revoke): `Access-Control-Allow-Origin: *`, never refused for their Origin.
   */
  openCors?: (pathname: string) => boolean;
  /**
   * Turns an error from a later stage (thrown or rejected) into the response, inside the guard, so
   * that response gets the same headers as any other (CORS, request id): a browser client can read
   * a 500 or a 503's Retry-After. Without it the error propagates.
   */
  recover?: (error: unknown, ctx: RequestContext) => Response;
}

const ALLOW_HEADERS = [
  "content-type",
  "accept",
  "authorization",
  "mcp-protocol-version",
  "mcp-session-id",
  "mcp-method",
  "mcp-name",
  "last-event-id",
];
const EXPOSE_HEADERS = [
  "x-request-id",
  "mcp-session-id",
  "mcp-protocol-version",
  "www-authenticate",
  "retry-after",
  "ratelimit",
  "ratelimit-policy",
].join(", ");

/** Loopback host names, for the default allow-lists of a local server. */
export const LOOPBACK_HOSTS = ["localhost", "127.0.0.1", "[::1]"];

export function isLoopbackHostname(hostname: string): boolean {
  const h = hostname.toLowerCase();
  return h === "localhost" || h === "[::1]" || h === "::1" || /^127(\.\d{1,3}){3}$/.test(h);
}

const hostnameOf = (host: string) => host.startsWith("[") ? host.slice(0, host.indexOf("]") + 1) : host.split(":")[0];

export function guardStage(options: GuardOptions): Stage {
  const hosts = new Set(options.allowedHosts.map((h) => h.toLowerCase()));
  const hostnames = new Set([...hosts].filter((h) => !/:\d+$/.test(h) || h.endsWith("]")));
  const anyOrigin = options.allowedOrigins === "*";
  const origins = new Set(anyOrigin ? [] : (options.allowedOrigins as readonly string[]).map((o) => o.toLowerCase()));
  const allowHeaders = [...new Set([...ALLOW_HEADERS, ...(options.allowHeaders ?? []).map((h) => h.toLowerCase())])].join(", ");

  // Clients send the same Host on every request: remember the last one accepted.
  let lastHost = "";
  const hostAllowed = (host: string | null) => {
    if (hosts.size === 0 || host === lastHost) return true;
    if (!host) return false;
    const h = host.toLowerCase();
    const ok = hosts.has(h) || hostnames.has(hostnameOf(h));
    if (ok) lastHost = host;
    return ok;
  };
  const originAllowed = (origin: string) => {
    if (anyOrigin || origins.has(origin.toLowerCase())) return true;
    if (!options.allowLoopbackOrigins) return false;
    try {
      const url = new URL(origin);
      return (url.protocol === "http:" || url.protocol === "https:") && isLoopbackHostname(url.hostname);
    } catch {
      return false;
    }
  };

  const originChecked = options.originChecked ?? (() => true);
  const recover = options.recover;
  const openCors = options.openCors ?? (() => false);
  const refuse = (what: string, requestId: string) =>
    new Response(JSON.stringify({ error: "forbidden", error_description: `${what} not allowed` }), {
      status: 403,
      headers: { "content-type": "application/json", "x-request-id": requestId },
    });

  return (next) => (request, ctx) => {
    const headers = request.headers;
    // A caller's own request id is kept (so logs join up across services) when it is a safe token.
    const incomingId = headers.get("x-request-id");
    if (incomingId !== null && /^[A-Za-z0-9._:-]{1,128}$/.test(incomingId)) echoRequestId(ctx, incomingId);
    // In-process callers (tests, embedding) build Requests without a Host header: the URL carries it.
    if (!hostAllowed(headers.get("host") ?? ctx.url.host)) return Promise.resolve(refuse("Host", ctx.requestId));
    const origin = headers.get("origin");
    if (origin === null) {
      // The common case (no browser): at most the request id to add (see `needsRequestId`).
      const stamp = (response: Response) =>
        isStamped(ctx, response) || !needsRequestId(ctx, response) ? response : withHeaders(response, { "x-request-id": ctx.requestId });
      return settle(next, request, ctx).then(stamp, recover && ((error) => stamp(recover(error, ctx))));
    }
    const path = ctx.pathname;
    const open = openCors(path);
    const allowed = open || originAllowed(origin);
    // MCP Streamable HTTP: servers MUST validate Origin; a foreign one gets 403 (DNS rebinding).
    if (!allowed && originChecked(path)) return Promise.resolve(refuse("Origin", ctx.requestId));
    const cors: Record<string, string> = allowed
      ? {
        "x-request-id": ctx.requestId,
        "access-control-allow-origin": anyOrigin || open ? "*" : origin,
        "access-control-expose-headers": EXPOSE_HEADERS,
        ...(!anyOrigin && !open && { vary: "Origin" }),
      }
      : { "x-request-id": ctx.requestId };
    if (request.method === "OPTIONS") {
      // Preflight carries no credentials (Fetch §4.8): answer it here, before any auth gate.
      return Promise.resolve(
        new Response(null, {
          status: 204,
          headers: {
            ...cors,
            "access-control-allow-methods": "GET, POST, DELETE, OPTIONS",
            "access-control-allow-headers": allowHeaders,
            "access-control-max-age": "600",
          },
        }),
      );
    }
    return settle(next, request, ctx).then(
      (response) => withHeaders(response, cors),
      recover && ((error) => withHeaders(recover(error, ctx), cors)),
    );
  };
}

/** The next handler's promise; a stage that throws instead of rejecting becomes a rejection. */
function settle(next: Handler, request: Request, ctx: RequestContext): Promise<Response> {
  try {
    return next(request, ctx);
  } catch (error) {
    return Promise.reject(error);
  }
}

function withHeaders(response: Response, extra: Record<string, string>): Response {
  try {
    for (const k in extra) response.headers.set(k, extra[k]);
    return response;
  } catch {
    // Immutable headers (a Response from fetch): copy.
    const copy = new Response(response.body, response);
    for (const k in extra) copy.headers.set(k, extra[k]);
    return copy;
  }
}
