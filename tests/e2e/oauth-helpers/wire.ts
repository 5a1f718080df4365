/**
 * @module A `fetch` that records what an SDK client put on the wire during the OAuth dance: method, URL, request body, status and response headers.
 */

export interface Exchange {
  httpMethod: string;
  url: string;
  /** The request body as text (form or JSON), or "". */
  rawBody: string;
  status: number;
  responseHeaders: Record<string, string>;
}

export interface Recorder {
  fetch: typeof fetch;
  exchanges: Exchange[];
  clear(): void;
}

export function recordingFetch(): Recorder {
  const exchanges: Exchange[] = [];
  const recorded = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const request = new Request(input as RequestInfo, init);
    const rawBody = request.body ? await request.clone().text() : "";
    const response = await fetch(request);
    const responseHeaders: Record<string, string> = {};
    response.headers.forEach((v, k) => (responseHeaders[k] = v));
    exchanges.push({ httpMethod: request.method, url: request.url, rawBody, status: response.status, responseHeaders });
    return response;
  }) as typeof fetch;
  return { fetch: recorded, exchanges, clear: () => (exchanges.length = 0) };
}
