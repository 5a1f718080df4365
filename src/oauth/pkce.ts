/** @module PKCE (RFC 7636) with S256 only: OAuth 2.1 §4.1.1 and MCP require it; `plain` would hand the verifier to anyone who sees the request. */
import { sha256Base64Url } from "../crypto/hash.ts";
import { timingSafeEqual } from "../crypto/compare.ts";
import { randomToken } from "../crypto/random.ts";

/** RFC 7636 §4.1: 43–128 characters of [A-Z] / [a-z] / [0-9] / "-" / "." / "_" / "~". */
const VERIFIER = /^[A-Za-z0-9\-._~]{43,128}$/;
/** base64url of a SHA-256 digest: exactly 43 characters. */
const S256_CHALLENGE = /^[A-Za-z0-9_-]{43}$/;

/** Why an authorization request's PKCE parameters are refused, or undefined when they are fine. */
export function pkceProblem(challenge: string | undefined, method: string | undefined): string | undefined {
  if (challenge === undefined) return "code_challenge is required (PKCE, S256)";
  // RFC 7636 §4.3 defaults a missing method to "plain"; we accept S256 only, so absent is refused too.
  if (method !== "S256") return "code_challenge_method must be S256; plain is not supported";
  if (!S256_CHALLENGE.test(challenge)) return "code_challenge is not a base64url SHA-256 value";
  return undefined;
}

/** RFC 7636 §4.6: BASE64URL(SHA256(verifier)) must equal the stored challenge (compared in constant time). */
export async function verifyPkce(verifier: string | undefined, challenge: string): Promise<boolean> {
  if (verifier === undefined || !VERIFIER.test(verifier)) return false;
  return timingSafeEqual(await sha256Base64Url(verifier), challenge);
}

/** A fresh verifier and its S256 challenge, for our own requests upstream. */
export async function createPkcePair(): Promise<{ verifier: string; challenge: string }> {
  const verifier = randomToken(32); // 43 characters of base64url: all in the verifier alphabet
  return { verifier, challenge: await sha256Base64Url(verifier) };
}
