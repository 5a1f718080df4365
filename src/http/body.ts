/**
 * @module Reads a request body as text with a hard byte cap, so an oversized or endless body cannot exhaust memory.
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
  // Only here is `request.body` touched: on Deno the getter builds a stream, which text() avoids.
  if (!request.body) return { ok: true, text: "" };
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > limit) {
        await reader.cancel().catch(() => {});
        return { ok: false, status: 413, message: `Request body exceeds ${limit} bytes` };
      }
      chunks.push(value);
    }
  } catch {
    return { ok: false, status: 400, message: "Request body could not be read" };
  }
  if (chunks.length === 1) return { ok: true, text: decoder.decode(chunks[0]) };
  const all = new Uint8Array(size);
  let offset = 0;
  for (const c of chunks) {
    all.set(c, offset);
    offset += c.byteLength;
  }
  return { ok: true, text: decoder.decode(all) };
}

const decoder = new TextDecoder();
