/**
 * @module Unguessable tokens and ids from the platform CSPRNG (crypto.getRandomValues), for codes, tokens and secrets.
 */
import { base64UrlEncode } from "./base64url.ts";

/**
 * `bytes` random bytes from the CSPRNG as unpadded base64url. The default 32 bytes (256 bits) is
 * what we use for anything that grants access (RFC 6749 §10.10: the probability of guessing a
 * token must be ≤ 2^-128; RFC 6819 §5.1.4.2.2).
 */
export function randomToken(bytes = 32): string {
  if (!Number.isInteger(bytes) || bytes < 1 || bytes > 65536) {
    throw new RangeError("randomToken: bytes must be an integer from 1 to 65536");
  }
  return base64UrlEncode(crypto.getRandomValues(new Uint8Array(bytes)));
}

/** A 128-bit random identifier (22 base64url characters) for records, sessions and request ids. */
export function randomId(): string {
  return randomToken(16);
}
