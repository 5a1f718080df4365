/**
 * @module Identity: who is calling, as every auth strategy reports it and every tool sees it.
 */

/**
 * The auth strategies Gatehouse ships, by the name they report in `Identity.strategy`,
 * `AuthStrategy.name` and `AUTH_STRATEGY`.
 *
 * @example
 * ```ts
 * import { defineTool, type StrategyName } from "gatehouse";
 *
 * const humans: readonly StrategyName[] = ["jwt", "oauth"];
 * const whoami = defineTool({
 *   name: "whoami",
 *   handler: (_args, context) =>
 *     context.auth && humans.includes(context.auth.strategy) ? `user ${context.auth.subject}` : "a service or anonymous",
 * });
 * ```
 */
export type StrategyName = "none" | "bearer" | "api_key" | "custom" | "jwt" | "oauth";

/**
 * Who the caller is, as the auth strategy established it; tools read it as `context.auth`. What each
 * field is worth depends on the strategy: `bearer` / `api_key` set `subject` and `credentialId` to the
 * same fingerprint of the matched secret (no user, no scopes); `jwt` sets `subject` = `sub`,
 * `scopes` from `scope`/`scp`, `claims` = the verified payload, `clientId` = `client_id`/`azp`;
 * `oauth` sets the provider's user id and user info; `custom` whatever `verify` returned (nothing
 * checked); `none` is anonymous (`scopes: []`, no subject). The object may be frozen and shared
 * between requests: do not mutate it.
 *
 * @example
 * ```ts
 * import { defineTool, type Identity } from "gatehouse";
 *
 * const isAdmin = (auth: Identity | null) => auth?.strategy === "jwt" && auth.claims?.role === "admin";
 *
 * const purge = defineTool({
 *   name: "purge_cache",
 *   requiresAuth: true,
 *   handler: (_args, context) => (isAdmin(context.auth) ? "purged" : "only admins may purge"),
 * });
 * ```
 */
export interface Identity {
  strategy: StrategyName;
  /** A stable subject (user id, key fingerprint, `sub` claim). */
  subject?: string;
  /** Granted scopes; empty when the strategy has no notion of scope. */
  scopes: readonly string[];
  /** Verified claims (JWT / provider user info), or what a custom verify hook returned. */
  claims?: Readonly<Record<string, unknown>>;
  /** The OAuth client the token was issued to, where there is one. */
  clientId?: string;
  /** A fingerprint of the presented credential (a hash, never the secret), for rate limits and audit. */
  credentialId?: string;
}
