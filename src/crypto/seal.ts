/**
 * @module AES-256-GCM sealing of secrets at rest (provider tokens), under a non-extractable key derived with HKDF.
 */
import { base64UrlDecode, base64UrlEncode } from "./base64url.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8", { fatal: true });
/** Domain separation: the same secret used elsewhere yields an unrelated key (RFC 5869 §3.2). */
const INFO = encoder.encode("gatehouse seal v1");
/** 96-bit IVs, the size GCM is specified for (NIST SP 800-38D §5.2.1.1). */
const IV_BYTES = 12;
/** The 128-bit authentication tag WebCrypto appends to the ciphertext. */
const TAG_BYTES = 16;

/**
 * Derives a non-extractable AES-256-GCM key from `secret` with HKDF-SHA256 (no salt, info
 * "gatehouse seal v1"). HKDF does not stretch: `secret` must itself be high-entropy (say 32 random
 * bytes), not a password.
 */
export async function importSealKey(secret: string): Promise<CryptoKey> {
  if (!secret) throw new TypeError("importSealKey: secret must not be empty");
  const material = await crypto.subtle.importKey("raw", encoder.encode(secret), "HKDF", false, ["deriveKey"]);
  return crypto.subtle.deriveKey(
    { name: "HKDF", hash: "SHA-256", salt: new Uint8Array(0), info: INFO },
    material,
    { name: "AES-GCM", length: 256 },
    false,
    ["encrypt", "decrypt"],
  );
}

/**
 * Encrypts `plaintext` under `key` with a fresh random IV. `aad` binds the result to a context
 * (say the grant id) without being stored in it: `open` must be given the same `aad`. Returns
 * base64url(iv || ciphertext || tag).
 */
export async function seal(key: CryptoKey, plaintext: string, aad?: string): Promise<string> {
  const iv = crypto.getRandomValues(new Uint8Array(IV_BYTES));
  const params: AesGcmParams = { name: "AES-GCM", iv };
  if (aad !== undefined) params.additionalData = encoder.encode(aad);
  const ciphertext = new Uint8Array(await crypto.subtle.encrypt(params, key, encoder.encode(plaintext)));
  const out = new Uint8Array(IV_BYTES + ciphertext.length);
  out.set(iv);
  out.set(ciphertext, IV_BYTES);
  return base64UrlEncode(out);
}

/**
 * Decrypts what `seal` produced. Resolves to undefined, never throws, when the input is malformed,
 * was tampered with, or was sealed under another key or another `aad`: GCM's tag check fails for
 * all of them alike, and callers treat every case as "no usable secret".
 */
export async function open(key: CryptoKey, sealed: string, aad?: string): Promise<string | undefined> {
  const bytes = base64UrlDecode(sealed);
  if (!bytes || bytes.length < IV_BYTES + TAG_BYTES) return undefined;
  const params: AesGcmParams = { name: "AES-GCM", iv: bytes.subarray(0, IV_BYTES) };
  if (aad !== undefined) params.additionalData = encoder.encode(aad);
  try {
    return decoder.decode(await crypto.subtle.decrypt(params, key, bytes.subarray(IV_BYTES)));
  } catch {
    return undefined;
  }
}
