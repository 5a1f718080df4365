/** @module Test helpers for the MCP endpoint: requests built for both protocol eras, an incremental SSE reader, small deferreds. */
import { createServer, type GatehouseServer, type ServerOptions } from "../../src/mod.ts";

export const ORIGIN = "http://localhost:8000";
export const URL_MCP = `${ORIGIN}/mcp`;
export const ACCEPT_BOTH = "application/json, text/event-stream";
export const MODERN = "2026-07-28";
export const META_VERSION = "io.modelcontextprotocol/protocolVersion";
export const META_CAPS = "io.modelcontextprotocol/clientCapabilities";
export const META_LOG = "io.modelcontextprotocol/logLevel";
export const META_SERVER_INFO = "io.modelcontextprotocol/serverInfo";
export const META_SUBSCRIPTION = "io.modelcontextprotocol/subscriptionId";

export function server(options: Partial<ServerOptions> = {}): GatehouseServer {
  return createServer({ name: "test-server", version: "1.2.3", ...options });
}

export interface PostOptions {
  headers?: Record<string, string>;
  session?: string;
  version?: string;
  accept?: string;
  contentType?: string;
}

/**
 * A request to the MCP endpoint, with the `Host` header every HTTP/1.1 client sends (tests that
 * need a foreign Host override it; tests/http/guard.test.ts covers requests without one).
 */
export function mcpRequest(method: string, init: { body?: BodyInit | null; headers?: Record<string, string> } = {}): Request {
  const headers = new Headers({ host: "localhost:8000", ...init.headers });
  return new Request(URL_MCP, {
    method,
    headers,
    body: init.body ?? null,
    ...(init.body instanceof ReadableStream ? { duplex: "half" } : {}),
  } as RequestInit);
}

/** POSTs a JSON value (or raw text) to /mcp. */
export function post(s: GatehouseServer, body: unknown, o: PostOptions = {}): Promise<Response> {
  const headers: Record<string, string> = {
    "content-type": o.contentType ?? "application/json",
    accept: o.accept ?? ACCEPT_BOTH,
    ...(o.session && { "mcp-session-id": o.session }),
    ...(o.version && { "mcp-protocol-version": o.version }),
    ...o.headers,
  };
  return s.fetch(mcpRequest("POST", { body: typeof body === "string" ? body : JSON.stringify(body), headers }));
}

let nextId = 1;
export const rpc = (method: string, params?: Record<string, unknown>, id: number | string = nextId++) => ({
  jsonrpc: "2.0",
  id,
  method,
  ...(params !== undefined && { params }),
});

export async function jsonOf(r: Response): Promise<any> {
  const text = await r.text();
  try {
    return JSON.parse(text);
  } catch {
    throw new Error(`not JSON (status ${r.status}, content-type ${r.headers.get("content-type")}): ${text.slice(0, 300)}`);
  }
}

/** Initializes a 2025 session and sends notifications/initialized; returns the session id. */
export async function initialize(
  s: GatehouseServer,
  o: { version?: string; capabilities?: Record<string, unknown>; headers?: Record<string, string> } = {},
): Promise<{ session: string; result: any; response: Response }> {
  const response = await post(
    s,
    rpc("initialize", {
      protocolVersion: o.version ?? "2025-11-25",
      capabilities: o.capabilities ?? {},
      clientInfo: { name: "test-client", version: "0.0.1" },
    }),
    { headers: o.headers },
  );
  if (response.status !== 200) throw new Error(`initialize failed: ${response.status} ${await response.text()}`);
  const body = await jsonOf(response);
  const session = response.headers.get("mcp-session-id");
  if (!session) throw new Error("no Mcp-Session-Id");
  const ack = await post(s, { jsonrpc: "2.0", method: "notifications/initialized" }, { session, headers: o.headers });
  if (ack.status !== 202) throw new Error(`notifications/initialized: ${ack.status}`);
  return { session, result: body.result, response };
}

/** A 2025 request in a session, answered as JSON: returns the parsed JSON-RPC response. */
export async function call(
  s: GatehouseServer,
  session: string,
  method: string,
  params?: Record<string, unknown>,
  headers?: Record<string, string>,
) {
  const r = await post(s, rpc(method, params), { session, headers });
  const ct = r.headers.get("content-type") ?? "";
  if (ct.startsWith("text/event-stream")) {
    const events = await readAll(r);
    return events.map((e) => e.json).filter((m) => m && "id" in m && !("method" in m)).at(-1);
  }
  return await jsonOf(r);
}

// ---------- 2026-07-28 ----------

export function modernHeaders(method: string, name?: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    "mcp-protocol-version": MODERN,
    "mcp-method": method,
    ...(name !== undefined && { "mcp-name": name }),
    ...extra,
  };
}

export function envelope(capabilities: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) {
  return {
    [META_VERSION]: MODERN,
    [META_CAPS]: capabilities,
    "io.modelcontextprotocol/clientInfo": { name: "test-client", version: "0.0.1" },
    ...extra,
  };
}

/** A complete 2026-07-28 request: envelope in `_meta`, matching headers. */
export function postModern(
  s: GatehouseServer,
  method: string,
  params: Record<string, unknown> = {},
  o: {
    capabilities?: Record<string, unknown>;
    meta?: Record<string, unknown>;
    headers?: Record<string, string>;
    id?: number | string;
    name?: string;
    accept?: string;
  } = {},
): Promise<Response> {
  const name = o.name ??
    (method === "resources/read" ? params.uri : method === "tools/call" || method === "prompts/get" ? params.name : undefined);
  const body = rpc(method, { ...params, _meta: envelope(o.capabilities, o.meta) }, o.id);
  return post(s, body, { headers: { ...modernHeaders(method, name as string | undefined), ...o.headers }, accept: o.accept });
}

// ---------- SSE ----------

export interface SseEvent {
  id?: string;
  data: string;
  json?: any;
}

/** Reads SSE events one at a time from a response body, without waiting for the stream to end. */
export class SseReader {
  private readonly reader: ReadableStreamDefaultReader<Uint8Array>;
  private buffer = "";
  private readonly decoder = new TextDecoder();
  done = false;

  constructor(response: Response) {
    if (!response.body) throw new Error("no body");
    this.reader = response.body.getReader();
  }

  /** The next event (comments skipped), or undefined when the stream ended. Fails instead of hanging forever. */
  async next(guardMs = 10_000): Promise<SseEvent | undefined> {
    for (;;) {
      const cut = this.buffer.indexOf("\n\n");
      if (cut >= 0) {
        const block = this.buffer.slice(0, cut);
        this.buffer = this.buffer.slice(cut + 2);
        const event = parseBlock(block);
        if (event) return event;
        continue;
      }
      if (this.done) return undefined;
      let timer: ReturnType<typeof setTimeout> | undefined;
      const guard = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`SSE: no event within ${guardMs} ms (test guard)`)), guardMs);
      });
      try {
        const { done, value } = await Promise.race([this.reader.read(), guard]);
        if (done) this.done = true;
        else this.buffer += this.decoder.decode(value, { stream: true });
      } finally {
        clearTimeout(timer);
      }
    }
  }

  /** The next event that carries a JSON-RPC message (priming events with empty data skipped). */
  async nextMessage(guardMs?: number): Promise<SseEvent | undefined> {
    for (;;) {
      const e = await this.next(guardMs);
      if (!e || e.json !== undefined) return e;
    }
  }

  async cancel(): Promise<void> {
    await this.reader.cancel().catch(() => {});
  }
}

function parseBlock(block: string): SseEvent | undefined {
  let id: string | undefined;
  const data: string[] = [];
  let any = false;
  for (const line of block.split("\n")) {
    if (line.startsWith(":")) continue;
    const colon = line.indexOf(":");
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? "" : line.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    if (field === "id") (id = value, any = true);
    else if (field === "data") (data.push(value), any = true);
    else if (field === "retry") any = true;
  }
  if (!any) return undefined;
  const text = data.join("\n");
  let json: any;
  if (text.trim() !== "") {
    try {
      json = JSON.parse(text);
    } catch { /* not JSON */ }
  }
  return { id, data: text, json };
}

/** Reads a whole (finite) SSE response. */
export async function readAll(response: Response): Promise<SseEvent[]> {
  const r = new SseReader(response);
  const out: SseEvent[] = [];
  for (;;) {
    const e = await r.next();
    if (!e) return out;
    out.push(e);
  }
}

export function deferred<T = void>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((a, b) => ((resolve = a), (reject = b)));
  return { promise, resolve, reject };
}
