/**
 * @module Reads bodies (requests, and responses from issuers and providers) as text with a hard byte cap, so an oversized or endless body cannot exhaust memory.
 */

export type BodyResult = { ok: true; text: string } | { ok: false; status: 413 | 400; message: string };

export async function readBody(request: Request, limit: number): Promise<BodyResult> {
  const declared = request.headers.get("content-length");
  if (declared !== null && Number(declared) > limit) {
    return { ok: false, status: 413, message: `Request body exceeds ${limit} bytes` };
  }
  if (declared !== null && /^\d+$/.test(declared)) {
    // The runtime enforces Content-Length framing, so the declared size bounds what text() reads;
    // the streaming loop below (much slower) is only for bodies of unknown length.
    try {
      const text = await request.text();
      return text.length > limit ? { ok: false, status: 413, message: `Request body exceeds ${limit} bytes` } : { ok: true, text };
    } catch {
      return { ok: false, status: 400, message: "Request body could not be read" };
    }
  }
  const read = await readCapped(request, limit);
  if (read.ok) return read;
  return read.reason === "too_large"
    ? { ok: false, status: 413, message: `Request body exceeds ${limit} bytes` }
    : { ok: false, status: 400, message: "Request body could not be read" };
}

export type CappedRead = { ok: true; text: string } | { ok: false; reason: "too_large" | "unreadable" };

/**
 * Reads a request's or response's body as UTF-8 text, refusing more than `limit` bytes: by a
 * declared Content-Length before reading, else while streaming (an endless body is cut off). The
 * one reader for bodies of unknown size (requests, JWKS, provider and client-metadata responses).
 * `fatal`: invalid UTF-8 is `unreadable` instead of replaced.
 */
export async function readCapped(message: Request | Response, limit: number, options: { fatal?: boolean } = {}): Promise<CappedRead> {
  const declared = Number(message.headers.get("content-length") ?? NaN);
  if (Number.isFinite(declared) && declared > limit) {
    await message.body?.cancel().catch(() => {});
    return { ok: false, reason: "too_large" };
  }
  // Only here is `body` touched: on Deno the getter builds a stream, which text() avoids.
  if (!message.body) return { ok: true, text: "" };
  const reader = message.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > limit) {
        await reader.cancel().catch(() => {});
        return { ok: false, reason: "too_large" };
      }
      chunks.push(value);
    }
  } catch {
    return { ok: false, reason: "unreadable" };
  }
  const all = chunks.length === 1 ? chunks[0] : new Uint8Array(size);
  if (chunks.length !== 1) {
    let offset = 0;
    for (const c of chunks) {
      all.set(c, offset);
      offset += c.byteLength;
    }
  }
  try {
    return { ok: true, text: (options.fatal ? fatalDecoder : decoder).decode(all) };
  } catch {
    return { ok: false, reason: "unreadable" };
  }
}

const fatalDecoder = new TextDecoder("utf-8", { fatal: true });
const decoder = new TextDecoder();
