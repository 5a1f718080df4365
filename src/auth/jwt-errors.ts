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

export class JoseError extends Error {
  readonly code: JoseErrorCode;
  constructor(code: JoseErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = "JoseError";
  }
}
