/**
 * @module SHA-256 digests of text, used to store issued tokens only as hashes and for PKCE S256.
 */
import { base64UrlEncode } from "./base64url.ts";

const encoder = new TextEncoder();

async function sha256(text: string): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest("SHA-256", encoder.encode(text)));
}

/** Lowercase hex SHA-256 of the UTF-8 bytes of `text`: the storage key of an issued token. */
export async function sha256Hex(text: string): Promise<string> {
  const bytes = await sha256(text);
  let hex = "";
  for (const byte of bytes) hex += byte.toString(16).padStart(2, "0");
  return hex;
}

/** Unpadded base64url SHA-256 of the UTF-8 bytes of `text` (RFC 7636 §4.2: the S256 code challenge). */
export async function sha256Base64Url(text: string): Promise<string> {
  return base64UrlEncode(await sha256(text));
}
