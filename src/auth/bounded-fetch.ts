/** @module Fetching small JSON documents from an issuer (JWKS, discovery metadata) with a timeout and a size cap, so a slow or hostile endpoint cannot hang or exhaust the server. */
import { readCapped } from "../http/body.ts";

export interface BoundedFetchOptions {
  /** The fetch to use (default: the global one). */
  fetch?: typeof fetch;
  /** Abort after this many milliseconds (default 5000). */
  timeoutMs?: number;
  /** Refuse bodies larger than this many bytes (default 256 KiB). */
  maxBytes?: number;
}

export interface JsonDocument {
  status: number;
  headers: Headers;
  body: unknown;
}

export const DEFAULT_FETCH_TIMEOUT_MS = 5_000;
export const DEFAULT_MAX_DOCUMENT_BYTES = 256 * 1024;

/**
 * GETs `url` and parses a JSON body. Rejects with an `Error` whose message says what went wrong
 * (timeout, status, size, not JSON) and names the URL, never a credential. A non-2xx status is
 * an error unless `acceptStatus` says otherwise.
 */
export async function fetchJson(
  url: string,
  options: BoundedFetchOptions & { init?: RequestInit; acceptStatus?: (status: number) => boolean } = {},
): Promise<JsonDocument> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_FETCH_TIMEOUT_MS;
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_DOCUMENT_BYTES;
  const signal = AbortSignal.timeout(timeoutMs);
  let response: Response;
  try {
    response = await (options.fetch ?? fetch)(url, {
      headers: { accept: "application/json" },
      ...options.init,
      signal,
    });
  } catch (error) {
    const reason = signal.aborted ? `no answer within ${timeoutMs} ms` : error instanceof Error ? error.message : String(error);
    throw new Error(`${url}: ${reason}`);
  }
  const ok = options.acceptStatus ? options.acceptStatus(response.status) : response.ok;
  if (!ok) {
    await response.body?.cancel().catch(() => {});
    throw new Error(`${url}: HTTP ${response.status}`);
  }
  const text = await readBounded(response, maxBytes, url, signal, timeoutMs);
  try {
    return { status: response.status, headers: response.headers, body: JSON.parse(text) };
  } catch {
    throw new Error(`${url}: the response is not JSON`);
  }
}

/** Reads at most `maxBytes` of the body, checking `Content-Length` first and counting as it streams. */
async function readBounded(response: Response, maxBytes: number, url: string, signal: AbortSignal, timeoutMs: number): Promise<string> {
  const read = await readCapped(response, maxBytes);
  if (read.ok) return read.text;
  if (read.reason === "too_large") throw new Error(`${url}: the response is larger than ${maxBytes} bytes`);
  throw new Error(signal.aborted ? `${url}: no complete answer within ${timeoutMs} ms` : `${url}: the response could not be read`);
}
