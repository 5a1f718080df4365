/**
 * @module MCP over stdio: newline-delimited JSON-RPC on a pair of streams, both protocol eras, runtime-neutral (the runtime adapter supplies the streams).
 *
 * Per the MCP authorization spec, stdio servers do not run the HTTP auth flow: credentials come
 * from the environment, so handlers see `context.auth === null`.
 */
import type { RequestContext } from "../http/pipeline.ts";
import { randomToken } from "../crypto/random.ts";
import {
  ErrorCode,
  failure,
  isNotification,
  isRequest,
  isResponse,
  type JsonRpcMessage,
  type JsonRpcRequest,
  McpError,
  validateMessage,
} from "./jsonrpc.ts";
import { DEFAULT_VERSION, isStatelessEra, isSupported, MODERN_VERSIONS } from "./protocol.ts";
import type { CallScope, Dispatcher } from "./dispatcher.ts";
import type { LogLevel } from "./context.ts";
import { META } from "./envelope.ts";
import type { Hub } from "./hub.ts";

export interface StdioChannel {
  /** Incoming bytes (the client's messages, one JSON object per line). */
  readable: ReadableStream<Uint8Array>;
  /** Writes one line (a serialized message plus "\n"). */
  write(line: string): void | Promise<void>;
}

/** Serves one client over the channel until its input ends. */
export async function serveStdio(dispatcher: Dispatcher, hub: Hub, channel: StdioChannel): Promise<void> {
  const send = (message: unknown) => channel.write(`${JSON.stringify(message)}\n`);
  const pending = new Map<string, { resolve: (r: Record<string, unknown>) => void; reject: (e: Error) => void }>();
  const inflight = new Map<string, AbortController>();
  const session: { version: string; capabilities: Record<string, unknown>; logLevel?: LogLevel; subscriptions: string[] } = {
    version: DEFAULT_VERSION,
    capabilities: {},
    subscriptions: [],
  };
  const ctx: RequestContext = { url: new URL("stdio:/"), pathname: "/", requestId: "stdio", info: {}, auth: null, resolvedHeaders: {} };
  const removeListener = hub.add({
    filter: {
      toolsListChanged: true,
      promptsListChanged: true,
      resourcesListChanged: true,
      get resourceSubscriptions() {
        return session.subscriptions;
      },
    },
    send: (method, params) => void send({ jsonrpc: "2.0", method, params }),
  });

  async function handleRequest(req: JsonRpcRequest) {
    const meta = req.params?._meta as Record<string, unknown> | undefined;
    const modernVersion = meta?.[META.protocolVersion];
    let version = session.version;
    let capabilities = session.capabilities;
    let logLevel = session.logLevel;
    if (modernVersion !== undefined) {
      if (typeof modernVersion !== "string" || !isSupported(modernVersion) || !isStatelessEra(modernVersion)) {
        return send(
          failure(req.id, ErrorCode.UnsupportedProtocolVersion, "Unsupported protocol version", {
            supported: MODERN_VERSIONS,
            requested: String(modernVersion),
          }),
        );
      }
      const caps = meta?.[META.clientCapabilities];
      if (typeof caps !== "object" || caps === null) {
        return send(failure(req.id, ErrorCode.InvalidParams, `Invalid params: missing _meta keys: ${META.clientCapabilities}`));
      }
      version = modernVersion;
      capabilities = caps as Record<string, unknown>;
      logLevel = meta?.[META.logLevel] as LogLevel | undefined;
    }
    const controller = new AbortController();
    inflight.set(String(req.id), controller);
    const scope: CallScope = {
      protocolVersion: version,
      clientCapabilities: capabilities,
      logLevel,
      http: ctx,
      signal: controller.signal,
      notify: async (method, params) => void await send({ jsonrpc: "2.0", method, params }),
      request: (method, params) =>
        new Promise((resolve, reject) => {
          const id = `gh-${randomToken(12)}`;
          pending.set(id, { resolve, reject });
          void send({ jsonrpc: "2.0", id, method, params });
        }),
      session: {
        setLogLevel: (level) => Promise.resolve(void (session.logLevel = level)),
        subscribe: (uri) => Promise.resolve(void session.subscriptions.push(uri)),
        unsubscribe: (uri) => Promise.resolve(void (session.subscriptions = session.subscriptions.filter((u) => u !== uri))),
      },
    };
    const response = await dispatcher.dispatch(req, scope);
    inflight.delete(String(req.id));
    if (req.method === "initialize" && "result" in response) {
      session.version = String(response.result.protocolVersion);
      const caps = req.params?.capabilities;
      session.capabilities = typeof caps === "object" && caps !== null ? caps as Record<string, unknown> : {};
    }
    await send(response);
  }

  function handle(message: JsonRpcMessage) {
    if (isResponse(message)) {
      const p = typeof message.id === "string" ? pending.get(message.id) : undefined;
      if (!p) return;
      pending.delete(message.id as string);
      if ("result" in message) p.resolve(message.result);
      else p.reject(new McpError(message.error.code, message.error.message, message.error.data));
    } else if (isNotification(message)) {
      if (message.method === "notifications/cancelled") inflight.get(String(message.params?.requestId))?.abort();
    } else if (isRequest(message)) {
      const running = handleRequest(message).finally(() => running_.delete(running));
      running_.add(running);
    }
  }

  /** Requests still being answered: input ending does not cut them off. */
  const running_ = new Set<Promise<unknown>>();
  const decoder = new TextDecoder();
  let buffer = "";
  const reader = channel.readable.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      buffer += decoder.decode(value, { stream: true });
      let newline: number;
      while ((newline = buffer.indexOf("\n")) >= 0) {
        const line = buffer.slice(0, newline).trim();
        buffer = buffer.slice(newline + 1);
        if (line === "") continue;
        let parsed: unknown;
        try {
          parsed = JSON.parse(line);
        } catch {
          await send(failure(null, ErrorCode.ParseError, "Parse error: a line is not valid JSON"));
          continue;
        }
        const checked = validateMessage(parsed);
        if ("invalid" in checked) {
          const { invalid: _, ...response } = checked;
          await send(response);
          continue;
        }
        handle(checked);
      }
    }
    // The client is gone: questions it can no longer answer fail, so their handlers can finish.
    for (const p of pending.values()) p.reject(new McpError(ErrorCode.InternalError, "The client closed its input"));
    pending.clear();
    await Promise.allSettled([...running_]);
  } finally {
    removeListener();
    for (const c of inflight.values()) c.abort();
  }
}
