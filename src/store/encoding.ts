/**
 * @module How backends without native tuple keys (memory, SQLite) write keys and expiries, so both agree on order and prefixes.
 */
import type { KvKey, SetOptions } from "./kv.ts";

// A key part is a type tag followed by its content. Strings end with TERMINATOR; numbers are a
// fixed 16 hex digits. The encoding is injective (["a","b"] and ["a:b"] differ), self-delimiting
// (a tuple prefix is exactly a string prefix of the encoding, so prefix listing is a range scan),
// and sorts, by code point or by UTF-8 byte, in the same order Deno KV sorts tuples: part by part,
// a shorter tuple before its extensions, strings before numbers. No NUL is ever written.
const STRING = "S"; // sorts below NUMBER, as strings sort below numbers in Deno KV
const NUMBER = "n";
const TERMINATOR = "\u0001";
const ESCAPE = "\u0002";
// Characters U+0000..U+0002 inside a string are written as ESCAPE + a digit, which keeps them
// above the terminator and in their original order.
// deno-lint-ignore no-control-regex -- matching these control characters is the point
const ESCAPED = /[\u0000-\u0002]/g;

/** Encodes a tuple key as an order-preserving string. */
export function encodeKey(key: KvKey): string {
  if (!Array.isArray(key)) throw new TypeError("KV key must be an array of strings and numbers");
  let out = "";
  for (const part of key) {
    if (typeof part === "string") {
      out += STRING + part.replace(ESCAPED, (c) => ESCAPE + String.fromCharCode(0x30 + c.charCodeAt(0))) + TERMINATOR;
    } else if (typeof part === "number" && !Number.isNaN(part)) {
      out += NUMBER + encodeNumber(part);
    } else {
      throw new TypeError("KV key parts must be strings or numbers (not NaN)");
    }
  }
  return out;
}

/** Reverses `encodeKey`. */
export function decodeKey(encoded: string): KvKey {
  const parts: (string | number)[] = [];
  let i = 0;
  while (i < encoded.length) {
    const tag = encoded[i++];
    if (tag === NUMBER) {
      parts.push(decodeNumber(encoded.slice(i, i + 16)));
      i += 16;
    } else if (tag === STRING) {
      let s = "";
      for (;;) {
        const c = encoded[i++];
        if (c === undefined) throw new TypeError("corrupt KV key: unterminated string");
        if (c === TERMINATOR) break;
        s += c === ESCAPE ? String.fromCharCode(encoded.charCodeAt(i++) - 0x30) : c;
      }
      parts.push(s);
    } else {
      throw new TypeError("corrupt KV key: unknown part tag");
    }
  }
  return parts;
}

/**
 * The smallest string above every encoding that starts with `encodedPrefix`, for a range scan
 * `prefix <= key < upper`. An encoded non-empty prefix always ends in TERMINATOR or a hex digit,
 * so bumping its last character by one never overflows.
 */
export function prefixUpperBound(encodedPrefix: string): string | undefined {
  if (encodedPrefix === "") return undefined;
  const last = encodedPrefix.charCodeAt(encodedPrefix.length - 1);
  return encodedPrefix.slice(0, -1) + String.fromCharCode(last + 1);
}

/** Compares encoded keys by code point, which is the order SQLite's BINARY collation gives UTF-8. */
export function compareEncoded(a: string, b: string): number {
  // UTF-16 code unit order differs from code point order only between surrogates and
  // U+E000..U+FFFF, and encodings are mostly ASCII, so take the fast path when it is safe.
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i), y = b.charCodeAt(i);
    if (x === y) continue;
    if (x >= 0xd800 && y >= 0xd800) {
      const cx = a.codePointAt(i)!, cy = b.codePointAt(i)!;
      return cx < cy ? -1 : cx > cy ? 1 : 0;
    }
    return x < y ? -1 : 1;
  }
  return a.length - b.length;
}

/**
 * The absolute expiry (ms since epoch) for a write, or null for none. A ttl of zero or less means
 * "already expired", so a caller that computes a remaining lifetime never resurrects an entry.
 */
export function expiresAt(options: SetOptions | undefined, now = Date.now()): number | null {
  const ttl = options?.ttlMs;
  if (ttl === undefined) return null;
  if (typeof ttl !== "number" || Number.isNaN(ttl)) throw new TypeError("ttlMs must be a number");
  if (ttl === Infinity) return null;
  return now + Math.max(0, Math.ceil(ttl));
}

/** Every backend stores JSON-compatible values; `undefined` is not storable (use `delete`). */
export function assertStorable(value: unknown): void {
  if (value === undefined) throw new TypeError("KV value must not be undefined; use delete()");
}

// Order-preserving float64: big-endian bits with the sign bit flipped for non-negative numbers
// and every bit flipped for negative ones, so unsigned comparison equals numeric comparison.
function encodeNumber(n: number): string {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, n === 0 ? 0 : n); // -0 and 0 are one key
  let hi = view.getUint32(0), lo = view.getUint32(4);
  if (hi & 0x80000000) {
    hi = ~hi >>> 0;
    lo = ~lo >>> 0;
  } else {
    hi = (hi | 0x80000000) >>> 0;
  }
  return hi.toString(16).padStart(8, "0") + lo.toString(16).padStart(8, "0");
}

function decodeNumber(hex: string): number {
  if (!/^[0-9a-f]{16}$/.test(hex)) throw new TypeError("corrupt KV key: bad number part");
  let hi = parseInt(hex.slice(0, 8), 16), lo = parseInt(hex.slice(8), 16);
  if (hi & 0x80000000) {
    hi = (hi & 0x7fffffff) >>> 0;
  } else {
    hi = ~hi >>> 0;
    lo = ~lo >>> 0;
  }
  const view = new DataView(new ArrayBuffer(8));
  view.setUint32(0, hi);
  view.setUint32(4, lo);
  return view.getFloat64(0);
}
