/**
 * @module `createServer()`: options in, one web-standard `fetch` out, composed as guard → auth → rate limits → routes → MCP.
 */
import { compose, type Handler, type RequestContext, requestContext, type RequestInfo, type Stage } from "./http/pipeline.ts";
import { guardStage, isLoopbackHostname, LOOPBACK_HOSTS } from "./http/guard.ts";
import { json } from "./http/errors.ts";
import type { AuthStrategy } from "./auth/strategy.ts";
import { none } from "./auth/none.ts";
import { authStage } from "./auth/stage.ts";
import type { ScopeHierarchy } from "./auth/scopes.ts";
import { preAuthRateLimitStage, rateLimitStage } from "./ratelimit/stage.ts";
import type { KV } from "./store/kv.ts";
import { memoryStore } from "./store/memory.ts";
import { guardedStore, StoreUnavailableError } from "./store/guarded.ts";
import { ErrorCode } from "./mcp/jsonrpc.ts";
import { randomToken } from "./crypto/random.ts";
import { buildRegistry, type Definitions } from "./mcp/registry.ts";
import { createDispatcher, type ServerIdentity } from "./mcp/dispatcher.ts";
import { createSessions } from "./mcp/session.ts";
import { createHub, type ListKind } from "./mcp/hub.ts";
import { createTransport } from "./mcp/transport.ts";
import { createRequestStateCodec } from "./mcp/request-state.ts";
import { createPreflight } from "./mcp/middleware.ts";
import { createToolsApi, isToolsApiPath } from "./http/tools-api.ts";
import { type AuditOptions, auditStage } from "./audit/log.ts";
import { serveStdio, type StdioChannel } from "./mcp/stdio.ts";
import type { TaskSettings } from "./mcp/tasks.ts";
import { compileSkills, type SkillDefinition } from "./mcp/skills.ts";
import { requestInfo } from "./runtime/entry.ts";
import { jsonLogger, type Logger, messageOf } from "./observe/log.ts";
import { type MetricsHooks, metricsStage } from "./observe/metrics.ts";

/**
 * `createServer({ rateLimit })`: token buckets kept in the server's store (one atomic `update` per
 * request), so every instance sharing the store shares one limit per caller. With the in-process
 * `memoryStore()` (nothing shared) they are kept beside it as 16 bytes per caller, without store calls.
 *
 * - `rps` / `burst`: the per-caller bucket, charged after authentication on the protected paths (the
 *   MCP endpoint and the tools API). The caller is keyed by the credential's fingerprint, else the
 *   subject, else `info.remoteAddress` (requests without any of them share one bucket). A tool's
 *   `cost` takes that many tokens.
 * - `preAuth`: a per-address bucket charged only by refused credentials, placed before the auth gate.
 * - `oauthEndpoints`: per-address limit on the `oauth` strategy's endpoints (10/s, bursts of 100 when
 *   left out); only in effect when `rateLimit` is set.
 *
 * A refusal is HTTP 429 with `Retry-After` and the IETF `RateLimit-Policy` / `RateLimit` headers;
 * allowed responses carry them once the caller nears the limit (`headers`). When the store fails or
 * times out, rate limiting fails open (the request is let through).
 * `createServer` throws `RangeError` when an `rps` is not a positive number or a `burst` is below 1.
 *
 * @example
 * ```ts
 * import { createServer } from "gatehouse";
 *
 * const server = createServer({
 *   name: "notes",
 *   version: "1.0.0",
 *   rateLimit: { rps: 10, burst: 20, preAuth: { rps: 5, burst: 100 } },
 * });
 * ```
 */
export interface RateLimitSettings {
  /** Sustained requests per second per caller. */
  rps: number;
  /** Bucket size: how many requests may arrive at once. */
  burst: number;
  /** Per-address limit on refused credentials (guessing), before authentication. */
  preAuth?: { rps: number; burst: number };
  /**
   * Per-address limit on the authorization server's endpoints (`/authorize`, `/token`, `/register`,
   * `/revoke`, callbacks): credential stuffing and registration floods. Default 10/s, bursts of 100,
   * generous because hosted connectors send many users' logins from few addresses.
   */
  oauthEndpoints?: { rps: number; burst: number };
  /**
   * Which allowed responses carry `RateLimit-Policy` / `RateLimit` (a 429 always does): `"near-limit"`
   * (default) once at most half the caller's burst is left, so a client pacing itself sees them
   * before it is refused; `"always"` on every response (Deno builds a response with any header
   * besides `Content-Type` the slow way: ~3–5 µs instead of ~0.3, micro-benchmarked).
   */
  headers?: "near-limit" | "always";
}

/**
 * Options of {@link createServer}. Only `name` and `version` are required; everything else has a
 * default chosen to be safe on a loopback address: no authentication (`none()`), an in-memory store,
 * `publicUrl` `http://localhost:8000`, the MCP endpoint at `/mcp`, no rate limit, no audit log.
 *
 * Server identity (`name`, `version`, `title`, `description`, `instructions`, `icons`,
 * `websiteUrl`) is what `initialize` / `server/discover` report; `tools`, `resources`,
 * `resourceTemplates` and `prompts` are the definitions to serve, in list order.
 *
 * @example
 * ```ts
 * import { apiKey, createServer, defineTool, memoryStore } from "gatehouse";
 *
 * const ping = defineTool({ name: "ping", handler: () => "pong" });
 *
 * const server = createServer({
 *   name: "ops",
 *   version: "1.0.0",
 *   instructions: "Operations tools for the staging cluster.",
 *   tools: [ping],
 *   auth: apiKey({ keys: ["key-2025-current", "key-2026-next"], header: "x-ops-key" }),
 *   store: memoryStore(),
 *   publicUrl: "https://ops.example.com",
 *   mcpPath: "/mcp",
 *   requestTimeoutMs: 60_000,
 * });
 * ```
 */
export interface ServerOptions extends ServerIdentity, Definitions {
  /** Who may call (default: `none()`, anyone). */
  auth?: AuthStrategy;
  /** Where sessions, grants and rate-limit buckets live (default: in memory). */
  store?: KV;
  /** Externally visible base URL; used as the resource identifier and for the allowed Host. Default `http://localhost:8000`. */
  publicUrl?: string;
  /** Path of the MCP endpoint (default `/mcp`). */
  mcpPath?: string;
  /** Origins allowed to call from a browser, besides the public URL's origin (and, for a loopback server, any loopback origin). `"*"`: any. */
  allowedOrigins?: readonly string[] | "*";
  /** Host header values accepted (default: the public URL's host, plus loopback hosts for a loopback server). `[]` accepts any. */
  allowedHosts?: readonly string[];
  /** A store call that takes longer fails the request with 503 (default 5 s). */
  storeTimeoutMs?: number;
  /** Largest accepted request body (default 1 MiB). */
  maxBodyBytes?: number;
  /** A handler running longer is cancelled and answered with an error (default 5 minutes). */
  requestTimeoutMs?: number;
  /** Offer 2025-era sessions (`Mcp-Session-Id`) to clients that initialize (default true). */
  sessions?: boolean;
  /** Items per page of list results (default 100). */
  pageSize?: number;
  /** Per-caller rate limit; `false` or absent: none. */
  rateLimit?: RateLimitSettings | false;
  /** Secret for signing `requestState` across instances (default: random per process). */
  secret?: string;
  /** How a granted scope implies a required one (default: exact match plus `x` implies `x:*`). */
  scopeHierarchy?: ScopeHierarchy;
  /** `ttlMs` hint on cacheable 2026-07-28 results (default 0). */
  cacheTtlMs?: number;
  /** Structured audit log of auth failures, refusals, rate-limit hits and sampled successes (default: none). */
  audit?: AuditOptions;
  /** Serve the plain HTTP tools API (`GET /tools`, `POST /tools/{name}`) behind the same checks (default false). */
  toolsApi?: boolean;
  /** Gatehouse's own log lines (default: JSON lines on standard error at level info). */
  logger?: Logger;
  /**
   * Which responses carry `X-Request-Id`: `"errors"` (default) puts it on every error response and,
   * when the caller sent its own `X-Request-Id`, on every response to it; `"always"` on every response.
   */
  requestIdHeader?: "errors" | "always";
  /** Metric hooks: every request (status, latency, outcome) and every tool call. */
  metrics?: MetricsHooks;
  /** Extra stages placed after rate limiting and before the routes (your own routes, logging). */
  stages?: readonly Stage[];
  /**
   * The tasks extension (`io.modelcontextprotocol/tasks`, 2026-07-28): tools declared with `task`
   * (or returning `runAsTask(work)`) become tasks kept in the store. `true` for the defaults.
   */
  tasks?: TaskSettings | boolean;
  /** The skills extension (`io.modelcontextprotocol/skills`, SEP-2640): skills served as `skill://` resources. */
  skills?: readonly SkillDefinition[];
}

/**
 * What {@link createServer} returns: the whole MCP server as one web-standard `fetch`, plus ways to
 * notify connected clients.
 *
 * `fetch(request, info?)` never rejects: a failing store becomes 503 with `Retry-After: 1`, any other
 * unexpected error a 500 without details (both logged through `logger`). Pass
 * `{ remoteAddress }` as `info` where the host knows the client's address; rate limits and the
 * audit log use it. The object has a `fetch` property, so it can be the default export that
 * `deno serve` and `bun run` serve.
 *
 * @example
 * ```ts
 * import { createServer } from "gatehouse";
 *
 * const mcp = createServer({ name: "demo", version: "1.0.0", mcpPath: "/ai/mcp" });
 *
 * // Mounted next to an app's own routes (Bun.serve, Deno.serve, a Hono catch-all, a Worker):
 * async function app(request: Request): Promise<Response> {
 *   const url = new URL(request.url);
 *   if (mcp.handles(url.pathname)) return await mcp.fetch(request);
 *   if (url.pathname === "/health") return new Response("ok");
 *   return new Response("Not found", { status: 404 });
 * }
 *
 * // After the set of tools changes, tell listening clients to list them again:
 * mcp.notifyListChanged("tools");
 * export default { fetch: app };
 * ```
 */
export interface GatehouseServer {
  /** The whole server as one web-standard handler. */
  fetch(request: Request, info?: RequestInfo): Promise<Response>;
  /** Tells listening clients that a list changed (`notifications/{kind}/list_changed`). */
  notifyListChanged(kind: ListKind): void;
  /** Tells subscribed clients that a resource changed (`notifications/resources/updated`). */
  notifyResourceUpdated(uri: string): void;
  /** Serves the same tools, resources and prompts to one client over stdio-style streams (resolves when input ends). */
  serveStdio(channel: StdioChannel): Promise<void>;
  /**
   * Whether a path is Gatehouse's (the MCP endpoint, the tools API, OAuth endpoints and metadata),
   * for apps that mount it next to their own routes: `if (mcp.handles(url.pathname)) return mcp.fetch(req)`.
   */
  handles(pathname: string): boolean;
  /** The store this server uses. */
  readonly store: KV;
}

/**
 * Builds a Gatehouse MCP server: the definitions compiled once, behind the pipeline
 * guard (Host/Origin allow-lists, CORS) → metrics → audit → pre-auth rate limit → auth →
 * per-caller rate limit → your `stages` → routes (`/mcp`, the tools API, `/health`, and the auth
 * strategy's well-known and OAuth routes).
 *
 * It speaks the stateless 2026-07-28 protocol and the session-based 2025 revisions on the same URL.
 * Nothing is listened on: serve the returned `fetch` with any runtime, or mount it in an app.
 *
 * Throws `TypeError` at start-up, never per request: when the auth strategy names a resource
 * (`jwt({ resource })`, `oauth({ issuer, mcpPath })`) other than `publicUrl` + `mcpPath`; on
 * duplicate tool, resource, template or prompt names, a tool name outside `[A-Za-z0-9_.\-/]{1,128}`,
 * or a schema that cannot be converted; on a tool with `task: "required"` without `tasks`; on an
 * invalid skill.
 *
 * @example
 * ```ts
 * import { apiKey, createServer, defineTool } from "gatehouse";
 * import { z } from "zod";
 *
 * const weather = defineTool({
 *   name: "weather",
 *   description: "Current weather for a city",
 *   inputSchema: z.object({ city: z.string() }),
 *   scopes: ["weather:read"],
 *   handler: ({ city }) => `Sunny in ${city}`,
 * });
 *
 * const server = createServer({
 *   name: "weather",
 *   version: "1.0.0",
 *   tools: [weather],
 *   auth: apiKey({ key: "change-me-long-random-key" }),
 *   publicUrl: "https://weather.example.com",
 * });
 *
 * export default server; // `deno serve` / `bun run` serve `{ fetch }`
 * ```
 */
export function createServer(options: ServerOptions): GatehouseServer {
  const store = guardedStore(options.store ?? memoryStore(), options.storeTimeoutMs);
  const publicUrl = new URL(options.publicUrl ?? "http://localhost:8000");
  const mcpPath = options.mcpPath ?? "/mcp";
  const loopback = isLoopbackHostname(publicUrl.hostname);
  const allowedHosts = options.allowedHosts ?? [publicUrl.host, ...(loopback ? LOOPBACK_HOSTS : [])];
  const allowedOrigins = options.allowedOrigins === "*" ? "*" : [publicUrl.origin, ...(options.allowedOrigins ?? [])];
  const auth = options.auth ?? none();
  // A strategy that names its resource (jwt, oauth) must name this endpoint, or its metadata and
  // audience checks describe a URL nobody serves.
  const resource = (auth as { resource?: unknown }).resource ?? (auth as { settings?: { resource?: unknown } }).settings?.resource;
  const endpoint = `${publicUrl.origin}${mcpPath}`;
  if (typeof resource === "string" && resource.replace(/\/$/, "") !== endpoint) {
    throw new TypeError(
      `createServer: the ${auth.name} strategy's resource is ${resource}, but the MCP endpoint is ${endpoint} (publicUrl + mcpPath); make them equal`,
    );
  }
  const hub = createHub();
  const logger = options.logger ?? jsonLogger();
  const skills = options.skills?.length ? compileSkills(options.skills) : undefined;
  const registry = buildRegistry(skills ? { ...options, resources: [...(options.resources ?? []), ...skills.resources] } : options);
  const dispatcher = createDispatcher({
    info: options,
    registry,
    pageSize: options.pageSize ?? 100,
    scopeHierarchy: options.scopeHierarchy,
    subscriptions: true,
    cacheTtlMs: options.cacheTtlMs,
    logger,
    onToolCall: options.metrics?.toolCall,
    requestState: createRequestStateCodec(options.secret ?? randomToken(32)),
    tasks: options.tasks ? { settings: options.tasks === true ? {} : options.tasks, store } : undefined,
    skills,
  });
  const preflight = createPreflight({ store, scopeHierarchy: options.scopeHierarchy, resourceMetadataUrl: auth.resourceMetadataUrl });
  const toolsApi = options.toolsApi
    ? createToolsApi({ dispatcher, preflight, maxBodyBytes: options.maxBodyBytes ?? 1_048_576, scopeHierarchy: options.scopeHierarchy })
    : undefined;
  const transport = createTransport({
    dispatcher,
    sessions: options.sessions === false ? undefined : createSessions({ store }),
    hub,
    maxBodyBytes: options.maxBodyBytes ?? 1_048_576,
    requestTimeoutMs: options.requestTimeoutMs ?? 5 * 60_000,
    preflight,
  });
  const isMcp = (p: string) => p === mcpPath || p === `${mcpPath}/`;
  const isProtected = (p: string) => isMcp(p) || (toolsApi !== undefined && isToolsApiPath(p));

  const routes: Handler = (request, ctx) => {
    const path = ctx.pathname;
    if (isMcp(path)) return transport(request, ctx);
    if (toolsApi && isToolsApiPath(path)) return toolsApi(request, ctx);
    if (path === "/health" && (request.method === "GET" || request.method === "HEAD")) {
      return Promise.resolve(json({ status: "ok" }));
    }
    return Promise.resolve(json({ error: "not_found", error_description: `No route for ${request.method} ${path}` }, 404));
  };

  /** The answer to an error no stage handled (the guard calls it, so the answer gets CORS and the request id). */
  const recover = (error: unknown, ctx: RequestContext): Response => {
    if (error instanceof StoreUnavailableError) {
      // The store is down or slow: say so, and when to come back; service resumes with the store.
      logger.log("error", "store unavailable", { error: error.message, requestId: ctx.requestId });
      const body = isMcp(ctx.pathname)
        ? {
          jsonrpc: "2.0",
          id: null,
          error: { code: ErrorCode.InternalError, message: "Service temporarily unavailable (storage); retry shortly" },
        }
        : { error: "temporarily_unavailable", error_description: "Storage is unavailable; retry shortly" };
      return json(body, 503, { "retry-after": "1", "x-request-id": ctx.requestId });
    }
    // Last line of defence: never a stack trace, never a hang.
    logger.log("error", "unhandled error", { error: messageOf(error), requestId: ctx.requestId, path: ctx.pathname });
    return json({ error: "server_error", error_description: "Internal error" }, 500, { "x-request-id": ctx.requestId });
  };

  const limit = options.rateLimit || undefined;
  // The authorization server's own endpoints (the strategy's public paths besides metadata).
  const oauthPaths = new Set([
    ...(auth.publicCorsPaths ?? []),
    ...(auth.name === "oauth" ? ["/authorize", "/oauth/callback", "/oauth/provider-callback"] : []),
  ]);
  const stages: Stage[] = [
    guardStage({
      allowedHosts,
      allowedOrigins,
      allowLoopbackOrigins: loopback,
      allowHeaders: headerOf(auth),
      originChecked: isProtected,
      openCors: (p) => p.startsWith("/.well-known/") || (auth.publicCorsPaths?.includes(p) ?? false),
      recover,
    }),
    ...(options.metrics?.request ? [metricsStage(options.metrics)] : []),
    ...(options.audit ? [auditStage({ credentialHeader: headerOf(auth)[0], ...options.audit })] : []),
    // The pre-auth limit sits outside the auth gate (it charges refused credentials per address);
    // the per-caller limit inside it, where the caller is known.
    ...(limit?.preAuth ? [preAuthRateLimitStage({ store, ...limit.preAuth, protectedPaths: isProtected })] : []),
    ...(limit && oauthPaths.size > 0
      ? [
        rateLimitStage({
          store,
          ...(limit.oauthEndpoints ?? { rps: 10, burst: 100 }),
          protectedPaths: (p) => oauthPaths.has(p),
          policy: "oauth",
          headers: limit.headers,
        }),
      ]
      : []),
    authStage(auth, { protectedPaths: isProtected, resourceMetadataUrl: auth.resourceMetadataUrl, scopes: auth.scopes }),
    ...(limit ? [rateLimitStage({ store, rps: limit.rps, burst: limit.burst, protectedPaths: isProtected, headers: limit.headers })] : []),
    ...(options.stages ?? []),
  ];
  const handler = compose(stages, routes);
  // Request ids: unique per instance (random prefix) and cheap (a counter), unlike a UUID per request.
  const idPrefix = `${randomToken(6)}-`;
  let requests = 0;
  const stampAll = options.requestIdHeader === "always";

  return {
    store,
    fetch(request, info) {
      const ctx: RequestContext = requestContext(
        request,
        // `deno serve` / `bun run` pass their own second argument when the server is the default export.
        info === undefined ? {} : "remoteAddress" in info || "waitUntil" in info ? info : requestInfo(request, info),
        `${idPrefix}${(++requests).toString(36)}`,
        stampAll,
      );
      try {
        return handler(request, ctx);
      } catch (error) {
        return Promise.resolve(recover(error, ctx)); // the guard itself threw (it recovers everything after it)
      }
    },
    serveStdio: (channel) => serveStdio(dispatcher, hub, channel),
    handles: (p) => isProtected(p) || p.startsWith("/.well-known/oauth-") || oauthPaths.has(p),
    notifyListChanged: (kind) => hub.listChanged(kind),
    notifyResourceUpdated: (uri) => hub.resourceUpdated(uri),
  };
}

/** The api_key strategy's header must be allowed in CORS preflights. */
function headerOf(auth: AuthStrategy): string[] {
  const header = (auth as { header?: unknown }).header;
  return typeof header === "string" ? [header] : [];
}
