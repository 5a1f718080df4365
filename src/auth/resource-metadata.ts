/** @module RFC 9728 OAuth 2.0 Protected Resource Metadata: the document, its well-known URLs, and a precomputed, cacheable, CORS-open route serving it. */
import type { Handler, RequestContext } from "../http/pipeline.ts";

/**
 * An RFC 9728 protected-resource metadata document, with the members Gatehouse publishes: which
 * authorization servers issue tokens for this `resource`, that tokens go in the `Authorization`
 * header only, and optionally the scopes it uses. `jwt` and `oauth` serve theirs automatically.
 *
 * @example
 * ```ts
 * import { type ProtectedResourceMetadata, protectedResourceMetadata } from "gatehouse";
 *
 * const doc: ProtectedResourceMetadata = protectedResourceMetadata({
 *   resource: "https://mcp.example.com/mcp",
 *   authorizationServers: ["https://login.example.com"],
 * });
 * console.log(doc.bearer_methods_supported); // ["header"]
 * ```
 */
export interface ProtectedResourceMetadata {
  /** The resource identifier: the MCP endpoint's canonical URL (RFC 9728 §2, RFC 8707 §2). */
  resource: string;
  /** Issuer identifiers of the authorization servers that issue tokens for it (MCP: at least one). */
  authorization_servers: string[];
  /** RFC 9728 §2: how the token may be sent; MCP allows only the `Authorization` header. */
  bearer_methods_supported: ["header"];
  scopes_supported?: string[];
  resource_name?: string;
  resource_documentation?: string;
}

export interface ProtectedResourceMetadataOptions {
  resource: string;
  authorizationServers: readonly string[];
  scopesSupported?: readonly string[];
  resourceName?: string;
  resourceDocumentation?: string;
}

/** The well-known suffix registered by RFC 9728 §7.3. */
export const PRM_WELL_KNOWN = "/.well-known/oauth-protected-resource";

/**
 * Builds an RFC 9728 protected-resource metadata document. `bearer_methods_supported` is always
 * `["header"]` (MCP allows no other); `scopes_supported` leaves out `offline_access` (not a resource
 * scope) and is omitted when empty. Nothing is fetched or validated: the URLs are written as given.
 * Throws `TypeError` when `authorizationServers` is empty (MCP requires at least one).
 *
 * @example
 * ```ts
 * import { protectedResourceMetadata, resourceMetadataUrl } from "gatehouse";
 *
 * const resource = "https://mcp.example.com/mcp";
 * const doc = protectedResourceMetadata({
 *   resource,
 *   authorizationServers: ["https://login.example.com"],
 *   scopesSupported: ["notes:read", "offline_access"],
 *   resourceName: "Notes",
 * });
 * // Serve `doc` yourself at resourceMetadataUrl(resource) when fronting Gatehouse with your own auth.
 * const body = JSON.stringify(doc); // scopes_supported: ["notes:read"]
 * ```
 */
export function protectedResourceMetadata(options: ProtectedResourceMetadataOptions): ProtectedResourceMetadata {
  if (options.authorizationServers.length === 0) {
    throw new TypeError("protectedResourceMetadata: at least one authorization server is required");
  }
  const doc: ProtectedResourceMetadata = {
    resource: options.resource,
    authorization_servers: [...options.authorizationServers],
    bearer_methods_supported: ["header"],
  };
  const scopes = options.scopesSupported?.filter((s) => s !== "offline_access");
  if (scopes?.length) doc.scopes_supported = [...scopes];
  if (options.resourceName) doc.resource_name = options.resourceName;
  if (options.resourceDocumentation) doc.resource_documentation = options.resourceDocumentation;
  return doc;
}

/**
 * The RFC 9728 §3.1 metadata URL of a resource: the well-known suffix goes between the host and the
 * resource's path, `https://h/mcp` → `https://h/.well-known/oauth-protected-resource/mcp` (a resource
 * at `/` gets the bare suffix). This is the URL 401 and 403 challenges advertise as
 * `resource_metadata` (RFC 9728 §5.1). Throws `TypeError` when `resource` is not an absolute URL.
 *
 * @example
 * ```ts
 * import { resourceMetadataUrl } from "gatehouse";
 *
 * resourceMetadataUrl("https://mcp.example.com/mcp");
 * // "https://mcp.example.com/.well-known/oauth-protected-resource/mcp"
 * ```
 */
export function resourceMetadataUrl(resource: string): string {
  const url = new URL(resource);
  const path = url.pathname === "/" ? "" : url.pathname;
  return `${url.origin}${PRM_WELL_KNOWN}${path}`;
}

/** The request paths served: the path-inserted one and the root one (MCP clients try both, in that order). */
export function resourceMetadataPaths(resource: string): string[] {
  const inserted = new URL(resourceMetadataUrl(resource)).pathname;
  return inserted === PRM_WELL_KNOWN ? [PRM_WELL_KNOWN] : [inserted, PRM_WELL_KNOWN];
}

/** How long clients and caches may keep the document (it changes only with configuration). */
const CACHE_CONTROL = "public, max-age=3600";

/** `/a/` → `/a` (the root `/` stays). */
export function withoutTrailingSlash(path: string): string {
  return path.length > 1 && path.endsWith("/") ? path.slice(0, -1) : path;
}

/**
 * A strategy `routes` hook serving `doc` at its well-known paths. The body is serialized once.
 * GET and HEAD answer 200 with `Access-Control-Allow-Origin: *` (the document is public and
 * browser-based MCP clients read it cross-origin; no credentials are involved); OPTIONS answers
 * a preflight; other methods get 405. Any other path returns `undefined` synchronously (not ours).
 */
export function resourceMetadataRoute(doc: ProtectedResourceMetadata) {
  const body = JSON.stringify(doc);
  const paths = new Set(resourceMetadataPaths(doc.resource));
  const cors = { "access-control-allow-origin": "*" };
  const headers = { ...cors, "content-type": "application/json", "cache-control": CACHE_CONTROL };

  // `undefined` (not a promise of it) for every other path: the auth stage then goes straight on.
  return (request: Request, ctx: RequestContext, _next?: Handler): Promise<Response | undefined> | undefined => {
    if (!paths.has(withoutTrailingSlash(ctx.pathname))) return undefined;
    switch (request.method) {
      case "GET":
        return Promise.resolve(new Response(body, { status: 200, headers }));
      case "HEAD":
        return Promise.resolve(new Response(null, { status: 200, headers }));
      case "OPTIONS":
        return Promise.resolve(
          new Response(null, {
            status: 204,
            headers: { ...cors, "access-control-allow-methods": "GET, HEAD, OPTIONS", "access-control-max-age": "86400" },
          }),
        );
      default:
        return Promise.resolve(
          new Response(JSON.stringify({ error: "method_not_allowed", error_description: "Use GET" }), {
            status: 405,
            headers: { "content-type": "application/json", allow: "GET, HEAD, OPTIONS" },
          }),
        );
    }
  };
}
