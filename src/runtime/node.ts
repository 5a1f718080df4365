/**
 * @module Serves a fetch handler with node:http (Node 22+; Deno and Bun implement it too): IncomingMessage → Request with a streamed body and an AbortSignal, Response → ServerResponse with streamed (SSE) bodies.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { RequestInfo } from "../http/pipeline.ts";

type Fetch = (request: Request, info?: RequestInfo) => Promise<Response>;

export interface NodeServeOptions {
  /** Port to listen on (default 8000; 0 picks a free one, see `port` on the result). */
  port?: number;
  /** Address to bind (default `127.0.0.1`; `0.0.0.0` or `::` to accept other machines). */
  hostname?: string;
}

export interface NodeServer {
  /** The port actually bound. */
  readonly port: number;
  readonly hostname: string;
  /** Stops accepting connections, ends open ones (SSE streams included) and resolves when closed. */
  close(): Promise<void>;
}

/**
 * Listens on `hostname:port` and answers every request with `fetch`. Resolves once listening.
 *
 * - The Request's URL is `http://<Host header><path>`; a missing or malformed Host gets 400. The
 *   scheme is always `http:` (TLS ends in front of Node; forwarded headers are not trusted, so put
 *   the externally visible URL in `publicUrl`).
 * - The body is a ReadableStream fed from the socket with backpressure, never buffered whole.
 * - `request.signal` aborts when the client disconnects before the response is complete.
 * - `info.remoteAddress` is the socket's peer address (never a forwarded header).
 * - Response bodies are written chunk by chunk as they arrive, with the headers flushed first, so
 *   SSE events reach the client at once; a client that goes away cancels the body stream.
 * - A handler that throws gets a bare 500 (Gatehouse's own `fetch` never throws).
 */
export function serveNode(fetch: Fetch, options: NodeServeOptions = {}): Promise<NodeServer> {
  const hostname = options.hostname ?? "127.0.0.1";
  const server = createServer((req, res) => void handle(fetch, req, res));
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 8000, hostname, () => {
      server.off("error", reject);
      resolve({
        port: (server.address() as AddressInfo).port,
        hostname,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            // Long-lived responses (SSE) would otherwise keep close() waiting forever.
            server.closeAllConnections?.();
          }),
      });
    });
  });
}

async function handle(fetch: Fetch, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const controller = new AbortController();
  // `close` on the response before it finished means the client went away.
  res.once("close", () => {
    if (!res.writableFinished) controller.abort();
  });

  let request: Request;
  try {
    request = toRequest(req, controller.signal);
  } catch {
    res.writeHead(400, { "content-type": "text/plain" }).end("Bad Request");
    return;
  }
  let response: Response;
  try {
    response = await fetch(request, { remoteAddress: req.socket.remoteAddress });
  } catch {
    if (!res.headersSent) res.writeHead(500, { "content-type": "text/plain" });
    res.end("Internal Server Error");
    return;
  }
  await writeResponse(response, req.method === "HEAD", res, controller.signal);
}

function toRequest(req: IncomingMessage, signal: AbortSignal): Request {
  const host = req.headers.host;
  // A host name or address literal and an optional port; nothing that could move the URL ("a@b", "a/b").
  if (!host || !/^[a-z0-9.\-]+(:\d{1,5})?$|^\[[0-9a-f:.]+\](:\d{1,5})?$/i.test(host)) throw new TypeError("malformed Host");
  // Origin-form only ("/path?query"); an absolute-form target (proxy requests) could name another host.
  const target = req.url ?? "/";
  if (!target.startsWith("/")) throw new TypeError("unsupported request target");
  const url = new URL(`http://${host}${target}`);
  const headers = new Headers();
  const raw = req.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    if (!raw[i].startsWith(":")) headers.append(raw[i], raw[i + 1]);
  }
  const method = req.method ?? "GET";
  const hasBody = method !== "GET" && method !== "HEAD";
  return new Request(url, {
    method,
    headers,
    signal,
    ...(hasBody && { body: bodyStream(req), duplex: "half" }),
  } as RequestInit);
}

/** The request body as a byte stream: pauses the socket while the consumer is behind. */
function bodyStream(req: IncomingMessage): ReadableStream<Uint8Array> {
  return new ReadableStream<Uint8Array>({
    start(controller) {
      req.on("data", (chunk: Uint8Array) => {
        controller.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
        if ((controller.desiredSize ?? 0) <= 0) req.pause();
      });
      req.once("end", () => controller.close());
      req.once("error", (error) => controller.error(error));
      req.once("aborted", () => controller.error(new Error("request aborted")));
    },
    pull() {
      req.resume();
    },
    cancel() {
      // The handler stopped reading (a body over the limit): drop the rest of it.
      req.destroy();
    },
  });
}

async function writeResponse(response: Response, head: boolean, res: ServerResponse, signal: AbortSignal): Promise<void> {
  const headers: Record<string, string | string[]> = {};
  response.headers.forEach((value, name) => {
    if (name !== "set-cookie") headers[name] = value;
  });
  const cookies = response.headers.getSetCookie();
  if (cookies.length > 0) headers["set-cookie"] = cookies;
  res.writeHead(response.status, response.statusText || undefined, headers);

  if (!response.body || head) {
    await response.body?.cancel().catch(() => {});
    res.end();
    return;
  }
  // Send the status and headers now: an SSE client waits for them before the first event.
  res.flushHeaders();
  const reader = response.body.getReader();
  const onAbort = () => void reader.cancel().catch(() => {});
  signal.addEventListener("abort", onAbort, { once: true });
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (signal.aborted) break;
      if (!res.write(value)) {
        // Backpressure: wait until the socket drains, or the client leaves.
        await new Promise<void>((resolve) => {
          const finish = () => {
            res.off("drain", finish);
            res.off("close", finish);
            resolve();
          };
          res.once("drain", finish);
          res.once("close", finish);
        });
      }
    }
    res.end();
  } catch {
    // The body stream failed mid-way: the status is already sent, so cut the connection.
    res.destroy();
  } finally {
    signal.removeEventListener("abort", onAbort);
  }
}
