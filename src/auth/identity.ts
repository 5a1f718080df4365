/**
 * @module Identity: who is calling, as every auth strategy reports it and every tool sees it.
 */

/** The strategies Gatehouse knows. */
export type StrategyName = "none" | "bearer" | "api_key" | "custom" | "jwt" | "oauth";

/** Who the caller is. A tool reads it as `context.auth`. */
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
