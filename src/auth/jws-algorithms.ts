/** @module JWS algorithms (RFC 7518 §3) mapped onto SubtleCrypto: which key type each needs, how a JWK is imported for it, and how a signature is checked. */
import { base64UrlDecode } from "../crypto/base64url.ts";
import { JoseError } from "./jwt-errors.ts";

/** Asymmetric algorithms: verified with public keys, safe to take from a JWKS. */
export const ASYMMETRIC_ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "EdDSA"] as const;
export type AsymmetricAlgorithm = typeof ASYMMETRIC_ALGORITHMS[number];

/** HMAC algorithms: only ever with an explicitly configured shared secret, never with a JWKS key (RFC 8725 §3.1). */
export const HMAC_ALGORITHMS = ["HS256", "HS384", "HS512"] as const;
export type HmacAlgorithm = typeof HMAC_ALGORITHMS[number];

export type JwsAlgorithm = AsymmetricAlgorithm | HmacAlgorithm;

/** The default allow-list (issue 4): asymmetric only. */
export const DEFAULT_ALGORITHMS: readonly AsymmetricAlgorithm[] = ["RS256", "RS384", "RS512", "PS256", "ES256", "ES384", "EdDSA"];

export function isJwsAlgorithm(alg: string): alg is JwsAlgorithm {
  return (ASYMMETRIC_ALGORITHMS as readonly string[]).includes(alg) || isHmacAlgorithm(alg);
}

export function isHmacAlgorithm(alg: string): alg is HmacAlgorithm {
  return (HMAC_ALGORITHMS as readonly string[]).includes(alg);
}

interface Spec {
  kty: "RSA" | "EC" | "OKP" | "oct";
  crv?: string;
  importParams: RsaHashedImportParams | EcKeyImportParams | HmacImportParams | Algorithm;
  verifyParams: Algorithm | RsaPssParams | EcdsaParams;
  /** ECDSA (RFC 7518 §3.4): the JWS signature is the raw R || S, each the curve's coordinate size. */
  signatureBytes?: number;
}

const SPECS: Record<JwsAlgorithm, Spec> = {
  RS256: rsa("RSASSA-PKCS1-v1_5", "SHA-256"),
  RS384: rsa("RSASSA-PKCS1-v1_5", "SHA-384"),
  RS512: rsa("RSASSA-PKCS1-v1_5", "SHA-512"),
  // RFC 7518 §3.5: the PSS salt is as long as the hash output.
  PS256: { ...rsa("RSA-PSS", "SHA-256"), verifyParams: { name: "RSA-PSS", saltLength: 32 } as RsaPssParams },
  PS384: { ...rsa("RSA-PSS", "SHA-384"), verifyParams: { name: "RSA-PSS", saltLength: 48 } as RsaPssParams },
  PS512: { ...rsa("RSA-PSS", "SHA-512"), verifyParams: { name: "RSA-PSS", saltLength: 64 } as RsaPssParams },
  ES256: ec("P-256", "SHA-256", 64),
  ES384: ec("P-384", "SHA-384", 96),
  // RFC 8037 §3.1: EdDSA with an OKP key; SubtleCrypto implements Ed25519 (not Ed448) on Deno and Bun.
  EdDSA: { kty: "OKP", crv: "Ed25519", importParams: { name: "Ed25519" }, verifyParams: { name: "Ed25519" } },
  HS256: hmac("SHA-256"),
  HS384: hmac("SHA-384"),
  HS512: hmac("SHA-512"),
};

function rsa(name: string, hash: string): Spec {
  return { kty: "RSA", importParams: { name, hash } as RsaHashedImportParams, verifyParams: { name } };
}
function ec(crv: string, hash: string, signatureBytes: number): Spec {
  return {
    kty: "EC",
    crv,
    importParams: { name: "ECDSA", namedCurve: crv } as EcKeyImportParams,
    verifyParams: { name: "ECDSA", hash } as EcdsaParams,
    signatureBytes,
  };
}
function hmac(hash: string): Spec {
  return { kty: "oct", importParams: { name: "HMAC", hash } as HmacImportParams, verifyParams: { name: "HMAC" } };
}

/** A public JWK as published in a JWKS (RFC 7517 §4, RFC 7518 §6). */
export interface PublicJwk {
  kty: string;
  kid?: string;
  use?: string;
  key_ops?: string[];
  alg?: string;
  crv?: string;
  n?: string;
  e?: string;
  x?: string;
  y?: string;
  [member: string]: unknown;
}

/** RFC 7518 §3.3: RSA keys of 2048 bits or larger MUST be used; smaller ones are refused. */
const MIN_RSA_MODULUS_BYTES = 256;

/**
 * True when `jwk` may verify `alg`: key type and curve match, its own `alg` (if any) is `alg`,
 * `use` (if any) is `sig` and `key_ops` (if any) allows `verify` (RFC 7517 §4.2–4.4). Symmetric
 * (`oct`) keys never match here: a JWKS is public, so an HMAC key from one would be a key anyone
 * can read (RFC 8725 §3.1, algorithm confusion).
 */
export function jwkMatches(jwk: PublicJwk, alg: JwsAlgorithm): boolean {
  const spec = SPECS[alg];
  if (spec.kty === "oct" || jwk.kty !== spec.kty) return false;
  if (spec.crv !== undefined && jwk.crv !== spec.crv) return false;
  if (jwk.alg !== undefined && jwk.alg !== alg) return false;
  if (jwk.use !== undefined && jwk.use !== "sig") return false;
  if (jwk.key_ops !== undefined && !(Array.isArray(jwk.key_ops) && jwk.key_ops.includes("verify"))) return false;
  if (spec.kty === "RSA") {
    const n = typeof jwk.n === "string" ? base64UrlDecode(jwk.n) : undefined;
    // A leading zero octet does not count (RFC 7518 §6.3.1.1 forbids it anyway).
    if (!n || n.length - (n[0] === 0 ? 1 : 0) < MIN_RSA_MODULUS_BYTES) return false;
  }
  return true;
}

/**
 * Imports the public part of `jwk` for `alg` as a non-extractable verify-only key. Only the public
 * members are passed on: private members (`d`, `p`…) a careless issuer published are ignored.
 */
export async function importPublicJwk(jwk: PublicJwk, alg: AsymmetricAlgorithm): Promise<CryptoKey> {
  if (!jwkMatches(jwk, alg)) throw new JoseError("JWKSNoMatchingKey", `The key is not usable for ${alg}`);
  const spec = SPECS[alg];
  const pub: JsonWebKey = spec.kty === "RSA"
    ? { kty: "RSA", n: jwk.n, e: jwk.e }
    : spec.kty === "EC"
    ? { kty: "EC", crv: jwk.crv, x: jwk.x, y: jwk.y }
    : { kty: "OKP", crv: jwk.crv, x: jwk.x };
  return await crypto.subtle.importKey("jwk", pub, spec.importParams, false, ["verify"]);
}

/** Imports a configured shared secret (its UTF-8 bytes) for an HMAC algorithm (RFC 7518 §3.2). */
export async function importHmacSecret(secret: string, alg: HmacAlgorithm): Promise<CryptoKey> {
  return await crypto.subtle.importKey("raw", new TextEncoder().encode(secret), SPECS[alg].importParams, false, ["verify"]);
}

/** Checks a JWS signature over `signingInput` (RFC 7515 §5.2 step 8). */
export async function verifySignature(
  alg: JwsAlgorithm,
  key: CryptoKey,
  signature: Uint8Array<ArrayBuffer>,
  signingInput: Uint8Array<ArrayBuffer>,
): Promise<boolean> {
  const spec = SPECS[alg];
  // A DER-encoded ECDSA signature (what some libraries emit by mistake) is not a JWS signature.
  if (spec.signatureBytes !== undefined && signature.length !== spec.signatureBytes) return false;
  try {
    return await crypto.subtle.verify(spec.verifyParams, key, signature, signingInput);
  } catch {
    return false;
  }
}
