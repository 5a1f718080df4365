/** @module Typed JOSE/JWT verification errors with a stable `code` (jose style), mirrored in 401 `error_description`s. */

/** Why a token or a key set was refused. Codes are stable; messages are for people and never contain the token. */
export type JoseErrorCode =
  | "JWTMalformed"
  | "JOSEAlgNotAllowed"
  | "JOSEHeaderNotAllowed"
  | "JWSSignatureVerificationFailed"
  | "JWTExpired"
  | "JWTNotYetValid"
  | "JWTClaimValidationFailed"
  | "JWKSNoMatchingKey"
  | "JWKSMultipleMatchingKeys"
  | "JWKSInvalid"
  | "JWKSUnavailable"
  | "DiscoveryFailed";

/**
 * A refused JWT or key set, with a stable `code` (jose's names: `JWTExpired`, `JWTClaimValidationFailed`,
 * `JWSSignatureVerificationFailed`, `JWKSNoMatchingKey`, `JWKSUnavailable`, `DiscoveryFailed`, …).
 * `message` is for people and never contains the token. The `jwt` strategy catches these and answers
 * 401 `invalid_token`; export it to recognise them in your own code and tests.
 *
 * @example
 * ```ts
 * import { JoseError } from "gatehouse";
 *
 * function explain(error: unknown): string {
 *   if (error instanceof JoseError && error.code === "JWTExpired") return "Sign in again";
 *   return "Something else went wrong";
 * }
 * console.log(explain(new JoseError("JWTExpired", "The token has expired")));
 * ```
 */
export class JoseError extends Error {
  readonly code: JoseErrorCode;
  constructor(code: JoseErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = "JoseError";
  }
}
