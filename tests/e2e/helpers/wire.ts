/**
 * @module A `fetch` that records what an SDK client's transport actually put on the wire (HTTP method, headers, JSON-RPC body, status).
 */

export interface Exchange {
  httpMethod: string;
  headers: Record<string, string>;
  /** The parsed JSON body of a POST (a JSON-RPC message or batch), or undefined. */
  body: any;
  status: number;
  /** Response headers (lower-case names), once the response arrived. */
  responseHeaders: Record<string, string>;
}

export interface Recorder {
  fetch: typeof fetch;
  exchanges: Exchange[];
  /** Bodies of POSTed JSON-RPC requests/notifications with this method. */
  posted(method: string): any[];
  /** Bodies of POSTed JSON-RPC responses (no method, has result or error): what the client answered the server. */
  responsesSent(): any[];
  clear(): void;
}

export function recordingFetch(): Recorder {
  const exchanges: Exchange[] = [];
  const recorded: typeof fetch = async (input, init) => {
    const request = new Request(input as RequestInfo, init);
    const headers: Record<string, string> = {};
    request.headers.forEach((v, k) => (headers[k] = v));
    let body: any;
    if (typeof init?.body === "string") {
      try {
        body = JSON.parse(init.body);
      } catch {
        body = init.body;
      }
    }
    const entry: Exchange = { httpMethod: request.method, headers, body, status: 0, responseHeaders: {} };
    exchanges.push(entry);
    const response = await fetch(input, init);
    entry.status = response.status;
    response.headers.forEach((v, k) => (entry.responseHeaders[k] = v));
    return response;
  };
  const messages = () => exchanges.flatMap((e) => (Array.isArray(e.body) ? e.body : e.body ? [e.body] : []));
  return {
    fetch: recorded,
    exchanges,
    posted: (method) => messages().filter((m) => m?.method === method),
    responsesSent: () => messages().filter((m) => m && m.method === undefined && ("result" in m || "error" in m)),
    clear: () => void exchanges.splice(0),
  };
}
