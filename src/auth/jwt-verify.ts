/** @module `jwtVerify`: a compact JWS (RFC 7515) carrying JWT claims (RFC 7519), checked per the JWT BCP (RFC 8725): header, algorithm, signature, then claims. */
import { base64UrlDecode } from "../crypto/base64url.ts";
import { JoseError } from "./jwt-errors.ts";
import { isJwsAlgorithm, type JwsAlgorithm, verifySignature } from "./jws-algorithms.ts";

/** The protected header of a JWS (RFC 7515 §4). */
export interface JwsHeader {
  alg: string;
  kid?: string;
  typ?: string;
  crit?: unknown;
  [member: string]: unknown;
}

/** JWT claims (RFC 7519 §4.1), plus the OAuth ones read here (RFC 9068 §2.2, RFC 8693 §4.2). */
export interface JwtClaims {
  iss?: string;
  sub?: string;
  aud?: string | string[];
  exp?: number;
  nbf?: number;
  iat?: number;
  jti?: string;
  scope?: string;
  scp?: string | string[];
  client_id?: string;
  azp?: string;
  [claim: string]: unknown;
}

/** Finds the verification keys a header may use. Throws `JoseError` (`JWKSNoMatchingKey`, `JWKSUnavailable`) when there are none. */
export type KeyResolver = (header: JwsHeader & { alg: JwsAlgorithm }) => Promise<readonly CryptoKey[]>;

export interface JwtVerifyOptions {
  /** Accepted `iss` values, compared exactly (RFC 7519 §4.1.1; no trailing-slash or case folding). */
  issuer: string | readonly string[];
  /** The token must be issued for one of these (RFC 7519 §4.1.3, RFC 8707 §2, RFC 9068 §4). */
  audience: string | readonly string[];
  /** Where the audience is carried: `aud` (standard), or `client_id` for issuers that put no `aud` in access tokens (AWS Cognito). */
  audienceClaim?: "aud" | "client_id";
  /** The allow-list (RFC 8725 §3.1). `none` can never be in it. */
  algorithms: readonly JwsAlgorithm[];
  /** Leeway for `exp`, `nbf` and `iat`, in seconds (RFC 7519 §4.1.4: "a small leeway"). Default 30. */
  clockSkewSeconds?: number;
  /** The current time in milliseconds (tests). */
  now?: () => number;
}

export interface VerifiedJwt {
  header: JwsHeader & { alg: JwsAlgorithm };
  claims: JwtClaims;
}

/** Longer tokens are refused before any parsing: access tokens are a few KiB at most. */
export const MAX_TOKEN_LENGTH = 16_384;

/**
 * Header members that point at or carry a key (RFC 7515 §4.1.2–4.1.6). Trusting them lets the
 * token choose its own key, so a token carrying any of them is refused outright: they are never
 * fetched and never used (RFC 8725 §3.10 on untrusted URLs; CVE-2018-0114 for `jwk`).
 */
const KEY_BEARING_HEADERS = ["jku", "x5u", "jwk", "x5c"] as const;

const decoder = new TextDecoder("utf-8", { fatal: true });
const encoder = new TextEncoder();

/** Splits and decodes a compact JWS without verifying anything. Throws `JWTMalformed`. */
export function decodeJws(
  token: string,
): { header: JwsHeader; claims: JwtClaims; signingInput: Uint8Array<ArrayBuffer>; signature: Uint8Array<ArrayBuffer> } {
  if (token.length > MAX_TOKEN_LENGTH) throw new JoseError("JWTMalformed", "The token is too long");
  const parts = token.split(".");
  // Five parts is a JWE (RFC 7516 §7.1): an encrypted token we cannot read.
  if (parts.length !== 3) throw new JoseError("JWTMalformed", "The token is not a signed JWT (expected three dot-separated parts)");
  const [h, p, s] = parts;
  const header = parseJson(h, "header") as JwsHeader;
  const claims = parseJson(p, "payload") as JwtClaims;
  const signature = base64UrlDecode(s);
  if (!signature) throw new JoseError("JWTMalformed", "The token's signature is not base64url");
  return { header, claims, signature, signingInput: encoder.encode(`${h}.${p}`) };
}

function parseJson(segment: string, what: string): Record<string, unknown> {
  const bytes = base64UrlDecode(segment);
  if (!bytes) throw new JoseError("JWTMalformed", `The token's ${what} is not base64url`);
  let value: unknown;
  try {
    value = JSON.parse(decoder.decode(bytes));
  } catch {
    throw new JoseError("JWTMalformed", `The token's ${what} is not JSON`);
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new JoseError("JWTMalformed", `The token's ${what} is not a JSON object`);
  }
  return value as Record<string, unknown>;
}

/**
 * Verifies `token` and returns its header and claims. What is checked, in order:
 * 1. shape: three base64url parts, JSON objects, at most 16 KiB;
 * 2. `alg`: a string in the allow-list; `none` in any spelling is refused before the list is
 *    consulted (RFC 8725 §3.1, §2.1);
 * 3. no `jku`, `x5u`, `jwk`, `x5c` header (never fetched, never trusted) and no `crit` (RFC 7515
 *    §4.1.11: we understand no extension, so any critical one must be refused);
 * 4. the signature, with each key `keys` offers for this header (RFC 7515 §5.2);
 * 5. claims: `exp` present and in the future, `nbf` and `iat` not in the future (all within the
 *    skew), `iss` exactly one of ours, the audience one of ours.
 * Throws `JoseError`; nothing else is verified (not `typ`, not `jti` replay, not `sub` format).
 */
export async function jwtVerify(token: string, keys: KeyResolver, options: JwtVerifyOptions): Promise<VerifiedJwt> {
  const { header, claims, signingInput, signature } = decodeJws(token);
  const alg = header.alg;
  if (typeof alg !== "string") throw new JoseError("JWTMalformed", "The token's header has no alg");
  if (alg.toLowerCase() === "none") throw new JoseError("JOSEAlgNotAllowed", "Unsigned tokens (alg none) are not accepted");
  if (!isJwsAlgorithm(alg) || !options.algorithms.includes(alg)) {
    throw new JoseError("JOSEAlgNotAllowed", `The token's algorithm is not allowed (accepted: ${options.algorithms.join(", ")})`);
  }
  for (const member of KEY_BEARING_HEADERS) {
    if (member in header) throw new JoseError("JOSEHeaderNotAllowed", `Tokens carrying a '${member}' header are not accepted`);
  }
  if ("crit" in header) throw new JoseError("JOSEHeaderNotAllowed", "Tokens with critical header extensions (crit) are not accepted");
  if (header.kid !== undefined && typeof header.kid !== "string") throw new JoseError("JWTMalformed", "The token's kid is not a string");

  const typed = header as JwsHeader & { alg: JwsAlgorithm };
  const candidates = await keys(typed);
  let verified = false;
  for (const key of candidates) {
    if (await verifySignature(alg, key, signature, signingInput)) {
      verified = true;
      break;
    }
  }
  if (!verified) throw new JoseError("JWSSignatureVerificationFailed", "The token's signature is not valid");

  validateClaims(claims, options);
  return { header: typed, claims };
}

/** RFC 7519 §4.1 claim checks on an already authenticated payload. Exported for tests of the rules alone. */
export function validateClaims(claims: JwtClaims, options: JwtVerifyOptions): void {
  const now = Math.floor((options.now?.() ?? Date.now()) / 1000);
  const skew = options.clockSkewSeconds ?? 30;
  const numeric = (name: "exp" | "nbf" | "iat") => {
    const value = claims[name];
    if (value !== undefined && (typeof value !== "number" || !Number.isFinite(value))) {
      throw new JoseError("JWTClaimValidationFailed", `The token's ${name} is not a NumericDate`);
    }
    return value;
  };
  const exp = numeric("exp");
  // An access token without an expiry would be valid forever (RFC 9068 §2.2 makes exp REQUIRED).
  if (exp === undefined) throw new JoseError("JWTClaimValidationFailed", "The token has no exp claim");
  if (now >= exp + skew) throw new JoseError("JWTExpired", "The token has expired");
  const nbf = numeric("nbf");
  if (nbf !== undefined && now + skew < nbf) throw new JoseError("JWTNotYetValid", "The token is not valid yet (nbf)");
  const iat = numeric("iat");
  if (iat !== undefined && now + skew < iat) throw new JoseError("JWTNotYetValid", "The token was issued in the future (iat)");

  const issuers = typeof options.issuer === "string" ? [options.issuer] : options.issuer;
  if (typeof claims.iss !== "string" || !issuers.includes(claims.iss)) {
    throw new JoseError("JWTClaimValidationFailed", "The token was not issued by the expected issuer");
  }

  const audiences = typeof options.audience === "string" ? [options.audience] : options.audience;
  const claimName = options.audienceClaim ?? "aud";
  const presented = claims[claimName];
  const list = typeof presented === "string" ? [presented] : Array.isArray(presented) ? presented : [];
  if (!list.some((a) => typeof a === "string" && audiences.includes(a))) {
    throw new JoseError("JWTClaimValidationFailed", `The token is not issued for this resource (${claimName})`);
  }
}
