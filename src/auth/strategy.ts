/**
 * @module The auth strategy contract: how each strategy (none, bearer, api_key, custom, jwt, oauth) resolves a caller.
 */
import type { Identity } from "./identity.ts";
import type { Handler, RequestContext } from "../http/pipeline.ts";

/** A successful authentication: who, and what to send upstream on their behalf. */
export interface AuthSuccess {
  ok: true;
  identity: Identity;
  /** The upstream credential a tool may use (`context.providerToken`). */
  providerToken?: string;
  /** The outbound header shape for this strategy (`context.resolvedHeaders`). */
  resolvedHeaders: Record<string, string>;
}

/** A refusal, with the RFC 6750 error code when a credential was sent (`invalid_token`) or none (`undefined`). */
export interface AuthFailure {
  ok: false;
  /** `undefined` when no credential was presented (RFC 6750 §3.1: no error code then). */
  error?: "invalid_token" | "invalid_request";
  description: string;
}

export type AuthResult = AuthSuccess | AuthFailure;

/** A strategy resolves a request to a caller. It never sees the MCP body. */
export interface AuthStrategy {
  readonly name: Identity["strategy"];
  authenticate(request: Request, ctx: RequestContext): Promise<AuthResult> | AuthResult;
  /**
   * Extra public routes the strategy serves (OAuth endpoints, protected-resource metadata).
   * Called before the auth gate; return `undefined` to pass the request on.
   */
  routes?: (request: Request, ctx: RequestContext, next: Handler) => Promise<Response | undefined>;
  /** RFC 9728 metadata URL, when the strategy publishes one: 401/403 challenges point at it. */
  readonly resourceMetadataUrl?: string;
  /** Scopes the resource uses, named in 401 challenges (`scope="…"`). */
  readonly scopes?: readonly string[];
  /**
   * Public endpoints browsers call cross-origin (OAuth token, register, revoke): answered with
   * `Access-Control-Allow-Origin: *` and not subject to the MCP endpoint's Origin allow-list.
   */
  readonly publicCorsPaths?: readonly string[];
}
