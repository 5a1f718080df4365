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

/**
 * What `AuthStrategy.authenticate` returns. Success: `{ ok: true, identity, resolvedHeaders,
 * providerToken? }`. Refusal: `{ ok: false, description, error? }`, answered with 401 and a
 * `WWW-Authenticate` challenge; leave `error` out when no credential was presented (RFC 6750 §3.1),
 * use `"invalid_token"` for a wrong one and `"invalid_request"` (answered 400) for a malformed header.
 * `description` is sent to the client: never put the credential in it.
 *
 * @example
 * ```ts
 * import type { AuthResult, AuthStrategy } from "gatehouse";
 *
 * const header: AuthStrategy = {
 *   name: "custom",
 *   authenticate(request): AuthResult {
 *     const user = request.headers.get("x-user");
 *     if (user === null) return { ok: false, description: "Send an x-user header" };
 *     return { ok: true, identity: { strategy: "custom", subject: user, scopes: [] }, resolvedHeaders: {} };
 *   },
 * };
 * ```
 */
export type AuthResult = AuthSuccess | AuthFailure;

/**
 * The contract every strategy (`none`, `bearer`, `apiKey`, `custom`, `jwt`, `oauth`) implements, and
 * that `createServer({ auth })` accepts. `authenticate` runs for the protected paths only (the MCP
 * endpoint and the tools API); it sees the request's headers and must not read its body. If it
 * throws, the request is answered 503 with `Retry-After: 1` rather than 401. `routes`,
 * when present, is called before the auth gate for every request and may answer public endpoints
 * (metadata, OAuth). Prefer {@link custom} with a `verify` hook over implementing this by hand.
 *
 * @example
 * ```ts
 * import { type AuthStrategy, createServer } from "gatehouse";
 *
 * const allowList = new Set(["203.0.113.7"]);
 * const byAddress: AuthStrategy = {
 *   name: "custom",
 *   authenticate: (_request, ctx) =>
 *     ctx.info.remoteAddress && allowList.has(ctx.info.remoteAddress)
 *       ? { ok: true, identity: { strategy: "custom", subject: ctx.info.remoteAddress, scopes: [] }, resolvedHeaders: {} }
 *       : { ok: false, description: "This server only answers known addresses" },
 * };
 *
 * createServer({ name: "internal", version: "1.0.0", auth: byAddress });
 * ```
 */
export interface AuthStrategy {
  readonly name: Identity["strategy"];
  authenticate(request: Request, ctx: RequestContext): Promise<AuthResult> | AuthResult;
  /**
   * Extra public routes the strategy serves (OAuth endpoints, protected-resource metadata).
   * Called before the auth gate on every request; return `undefined` (best synchronously: no promise
   * to wait for) or a promise of `undefined` to pass the request on.
   */
  routes?: (request: Request, ctx: RequestContext, next: Handler) => Promise<Response | undefined> | undefined;
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
