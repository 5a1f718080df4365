/**
 * @module The OAuth endpoints, by exact path: discovery metadata, `/authorize`, `/token`, `/register`, `/revoke` and the provider callback; CORS (no credentials) on the ones browser clients call directly.
 */
import { handleAuthorizeGet, handleAuthorizePost } from "./authorize.ts";
import { handleProviderCallback } from "./callback.ts";
import { authorizationServerMetadata } from "./metadata.ts";
import {
  protectedResourceMetadata,
  resourceMetadataPaths,
  resourceMetadataRoute,
  withoutTrailingSlash,
} from "../auth/resource-metadata.ts";
import type { RequestContext } from "../http/pipeline.ts";
import { handleRegister } from "./register.ts";
import { handleRevoke } from "./revoke.ts";
import { handleToken } from "./token.ts";
import { oauthError, OPEN_CORS } from "./responses.ts";
import type { OAuthSettings } from "./settings.ts";

export const AS_METADATA_PATH = "/.well-known/oauth-authorization-server";
/** Endpoints browser clients call cross-origin without credentials (FIELD-NOTES §2.7). */
export const PUBLIC_CORS_PATHS = ["/token", "/register", "/revoke"] as const;

type Route = (request: Request, url: URL) => Promise<Response>;

/** The route table; `undefined` for any other path. */
export function oauthRoutes(s: OAuthSettings, options: { mcpPath: string; serverName: string }) {
  const document = (body: Record<string, unknown>): Route => {
    const text = JSON.stringify(body); // serialised once (DESIGN §8)
    return (request) => {
      if (request.method !== "GET" && request.method !== "HEAD") {
        return Promise.resolve(oauthError("invalid_request", "Use GET", 405, { allow: "GET" }));
      }
      return Promise.resolve(
        new Response(request.method === "HEAD" ? null : text, {
          headers: { "content-type": "application/json", "cache-control": "public, max-age=300", ...OPEN_CORS },
        }),
      );
    };
  };
  const callbackPaths = new Set(["/oauth/provider-callback", "/oauth/callback"]);
  const redirect = new URL(s.providerRedirectUri);
  if (redirect.origin === new URL(s.issuer).origin) callbackPaths.add(redirect.pathname);

  const table = new Map<string, Route>([
    [AS_METADATA_PATH, document(authorizationServerMetadata(s))],
    ["/authorize", (request, url) => {
      if (request.method === "GET") return handleAuthorizeGet(s, request, url, options.serverName);
      if (request.method === "POST") return handleAuthorizePost(s, request);
      return Promise.resolve(oauthError("invalid_request", "Use GET or POST", 405, { allow: "GET, POST" }));
    }],
    ["/token", (request) => handleToken(s, request)],
    ["/register", (request) => handleRegister(s, request)],
    ["/revoke", (request) => handleRevoke(s, request)],
  ]);
  // Own-login mode has no upstream, hence no provider callback.
  if (!s.ownLogin) {
    for (const path of callbackPaths) {
      table.set(
        path,
        (request, url) =>
          request.method === "GET"
            ? handleProviderCallback(s, request, url)
            : Promise.resolve(oauthError("invalid_request", "Use GET", 405, { allow: "GET" })),
      );
    }
  }
  const corsPaths = new Set<string>([AS_METADATA_PATH, ...PUBLIC_CORS_PATHS]);
  // RFC 9728 protected-resource metadata, path-inserted and at the root, through the shared module
  // (src/auth/resource-metadata.ts) so the jwt and oauth strategies publish the same document shape.
  const prm = resourceMetadataRoute(protectedResourceMetadata({
    resource: s.resource,
    authorizationServers: [s.issuer],
    scopesSupported: s.scopes,
    resourceName: options.serverName,
  }));
  const prmPaths = new Set(resourceMetadataPaths(s.resource));

  // Every request passes here first: no URL parse (ctx.pathname) until a route matches.
  return (request: Request, ctx: RequestContext): Promise<Response | undefined> | undefined => {
    const path = ctx.pathname;
    if (prmPaths.has(withoutTrailingSlash(path))) return prm(request, ctx);
    const route = table.get(path);
    if (!route) return undefined;
    if (request.method === "OPTIONS") {
      if (!corsPaths.has(path)) return undefined;
      return Promise.resolve(
        new Response(null, {
          status: 204,
          headers: {
            ...OPEN_CORS,
            "access-control-allow-methods": "GET, POST, OPTIONS",
            "access-control-allow-headers": "authorization, content-type, mcp-protocol-version",
            "access-control-max-age": "600",
          },
        }),
      );
    }
    return route(request, ctx.url);
  };
}
