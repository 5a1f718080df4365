/**
 * @module Streamable HTTP at `/mcp`: POST answered as JSON or SSE, GET streams, DELETE sessions, for 2026-07-28 (stateless) and 2025 (sessions) clients on one URL.
 */
import { type Handler, jsonFor, type RequestContext } from "../http/pipeline.ts";
import { json, rpcError } from "../http/errors.ts";
import { type JsonBodyResult, readJson } from "../http/body.ts";
import { randomToken } from "../crypto/random.ts";
import {
  ErrorCode,
  failure,
  isNotification,
  isRequest,
  isResponse,
  type JsonRpcMessage,
  type JsonRpcRequest,
  type JsonRpcResponse,
  McpError,
  validateMessage,
} from "./jsonrpc.ts";
import { allowsBatches, DEFAULT_VERSION, isSupported, SUPPORTED_VERSIONS } from "./protocol.ts";
import type { CallScope, Dispatcher } from "./dispatcher.ts";
import type { SessionRuntime, Sessions } from "./session.ts";
import type { Hub, SubscriptionFilter } from "./hub.ts";
import { SseStream } from "./sse.ts";
import { checkParamHeaders, isModernMessage, META, type ModernEnvelope, readModernEnvelope } from "./envelope.ts";
import type { Preflight } from "./middleware.ts";
import { unrefTimer } from "../runtime/timers.ts";
import { createInflight, type EndReason, type Flight, type Inflight, LazySignal } from "./inflight.ts";
import { taskOwner } from "./tasks.ts";

export interface TransportOptions {
  dispatcher: Dispatcher;
  /** 2025-era sessions; without them every request is served statelessly. */
  sessions?: Sessions;
  hub: Hub;
  maxBodyBytes: number;
  /** A handler still running after this long is cancelled and answered with an error. */
  requestTimeoutMs: number;
  /** Decides, before any handler runs, whether a tools/call may proceed (auth, scopes, tool middleware, cost). */
  preflight: Preflight;
}

/** Which response formats the client's Accept allows. */
type Accepts = { json: boolean; sse: boolean };

interface ScopeInit {
  protocolVersion: string;
  clientCapabilities: Record<string, unknown>;
  logLevel?: CallScope["logLevel"];
  owner: string;
  session?: SessionRuntime;
  modern: boolean;
  /** 2026-07-28: the HTTP request whose disconnect cancels this call. */
  disconnect?: Request;
}

interface Pending {
  resolve: (result: Record<string, unknown>) => void;
  reject: (error: Error) => void;
  owner: string;
}

/** Which of the two response formats the client accepts (wildcards count). */
function parseAccept(header: string): Accepts {
  const types = header.split(",").map((t) => t.split(";")[0].trim().toLowerCase());
  const any = types.includes("*/*");
  return {
    json: any || types.includes("application/json") || types.includes("application/*"),
    sse: any || types.includes("text/event-stream") || types.includes("text/*"),
  };
}
const ACCEPT_ANY = { json: true, sse: true };
/** Clients send one of a handful of Accept values: remember the last few parsed. */
const acceptCache = new Map<string, Accepts>();
let lastAccept = "";
let lastAccepts: Accepts = ACCEPT_ANY;
function accepts(header: string | null): Accepts {
  if (!header) return ACCEPT_ANY;
  // One client sends one Accept value: a string comparison first, cheaper than hashing the header
  // value (a fresh string on every request) for the map (Deno ~600 instructions per request).
  if (header === lastAccept) return lastAccepts;
  let parsed = acceptCache.get(header);
  if (!parsed) {
    parsed = parseAccept(header);
    if (acceptCache.size >= 16) acceptCache.clear();
    acceptCache.set(header, parsed);
  }
  lastAccept = header;
  return (lastAccepts = parsed);
}

const isJsonContentType = (v: string | null) => v === "application/json" || (v !== null && /^application\/json\s*(;|$)/i.test(v.trim()));
const isSessionId = (v: string) => /^[\x21-\x7E]{1,256}$/.test(v);

export function createTransport(o: TransportOptions): Handler {
  const { dispatcher, sessions, hub } = o;
  /** Server-to-client requests awaiting the client's answer, by our request id. */
  const pending = new Map<string, Pending>();
  /** In-flight requests, for `notifications/cancelled`, timeouts and disconnects. */
  const inflight = createInflight(o.requestTimeoutMs);
  /** Resumable SSE streams by id, with the session they belong to. */
  const streams = new Map<string, { stream: SseStream; owner: string }>();

  /**
   * Who a request belongs to, for cancellation, answers and stream resumption: the session, else the
   * caller's identity; anonymous callers are told apart by address at least.
   */
  const ownerOf = (ctx: RequestContext, session?: SessionRuntime) =>
    session ? `s:${session.record.id}` : `a:${ctx.auth?.credentialId ?? ctx.auth?.subject ?? `@${ctx.info.remoteAddress ?? ""}`}`;
  const callerOf = (ctx: RequestContext) => ctx.auth?.credentialId ?? ctx.auth?.subject;

  return function mcp(request, ctx) {
    switch (request.method) {
      case "POST":
        return post(request, ctx);
      case "GET":
        return get(request, ctx);
      case "DELETE":
        return del(request, ctx);
      default:
        return Promise.resolve(
          json({ error: "method_not_allowed", error_description: "Use POST, GET or DELETE on the MCP endpoint" }, 405, {
            allow: "GET, POST, DELETE",
          }),
        );
    }
  };

  /** The caller's session; `undefined` synchronously when the request names none (the stateless common case). */
  function findSession(request: Request, ctx: RequestContext): Promise<SessionRuntime | Response | undefined> | undefined {
    const id = request.headers.get("mcp-session-id");
    return id === null ? undefined : lookupSession(id, ctx);
  }

  async function lookupSession(id: string, ctx: RequestContext): Promise<SessionRuntime | Response | undefined> {
    const notFound = () => rpcError(404, null, ErrorCode.InvalidRequest, "Session not found (it expired or was deleted); initialize again");
    if (!sessions || !isSessionId(id)) return notFound();
    const session = await sessions.get(id);
    // A session belongs to whoever opened it: possession of the id is not authentication.
    if (!session || (session.record.owner ?? undefined) !== callerOf(ctx)) return notFound();
    return session;
  }

  function post(request: Request, ctx: RequestContext): Promise<Response> {
    if (!isJsonContentType(request.headers.get("content-type"))) {
      return Promise.resolve(rpcError(415, null, ErrorCode.InvalidRequest, "Content-Type must be application/json"));
    }
    const accept = accepts(request.headers.get("accept"));
    if (!accept.json && !accept.sse) {
      return Promise.resolve(rpcError(406, null, ErrorCode.InvalidRequest, "Accept must allow application/json or text/event-stream"));
    }
    return readJson(request, o.maxBodyBytes).then((body) => postBody(body, request, ctx, accept));
  }

  function postBody(body: JsonBodyResult, request: Request, ctx: RequestContext, accept: Accepts): Response | Promise<Response> {
    if (!body.ok) return rpcError(body.status, null, body.notJson ? ErrorCode.ParseError : ErrorCode.InvalidRequest, body.message);
    const parsed = body.value;
    const headerVersion = request.headers.get("mcp-protocol-version")?.trim() || undefined;
    const batch = Array.isArray(parsed);
    if (!batch) {
      // One message, the usual case: no arrays to build and filter.
      const message = validateMessage(parsed);
      if ("invalid" in message) {
        const { invalid: _, ...response } = message;
        return json(response, 400);
      }
      if ("method" in message && isModernMessage(message, headerVersion)) return postModern(message, request, ctx, accept);
      return postSingle(message, headerVersion, request, ctx, accept);
    }
    const raw = parsed as unknown[];
    if (raw.length === 0) return rpcError(400, null, ErrorCode.InvalidRequest, "Invalid Request: empty batch");
    const checked = raw.map(validateMessage);
    const invalid = checked.filter((m): m is ReturnType<typeof failure> & { invalid: true } => "invalid" in m);
    const messages = checked.filter((m): m is JsonRpcMessage => !("invalid" in m));
    // 2026-07-28: one request per POST, no session, everything in the envelope.
    if (messages.some((m) => "method" in m && isModernMessage(m, headerVersion))) {
      return rpcError(400, null, ErrorCode.InvalidRequest, "Invalid Request: batches are not allowed in protocol 2026-07-28");
    }
    return postBatch(messages, invalid, headerVersion, request, ctx);
  }

  /** One 2026-07-28 request: the envelope checked, then run (plain functions, as for 2025 messages). */
  function postModern(message: JsonRpcMessage, request: Request, ctx: RequestContext, accept: Accepts): Response | Promise<Response> {
    if (!isRequest(message)) {
      if (isNotification(message) && message.method === "notifications/cancelled") cancel(message.params, ownerOf(ctx));
      return new Response(null, { status: 202 });
    }
    const envelope = readModernEnvelope(message, request.headers);
    if ("code" in envelope) return rpcError(envelope.status, envelope.id, envelope.code, envelope.message, envelope.data);
    if (message.method === "tools/call") {
      ctx.tool = String(message.params?.name);
      const tool = dispatcher.registry.tools.get(ctx.tool);
      const problem = tool?.headerParams.length
        ? checkParamHeaders(tool.headerParams, message.params?.arguments, request.headers, message.id)
        : undefined;
      if (problem) return rpcError(problem.status, problem.id, problem.code, problem.message);
      const checked = tool && o.preflight(tool.definition, request, ctx);
      if (checked instanceof Promise) return checked.then((refusal) => refusal ?? runModern(message, request, ctx, accept, envelope));
      if (checked) return checked;
    }
    return runModern(message, request, ctx, accept, envelope);
  }

  function runModern(message: JsonRpcRequest, request: Request, ctx: RequestContext, accept: Accepts, envelope: ModernEnvelope) {
    if (message.method === "subscriptions/listen") return listen(message, ctx, accept, envelope.version);
    return run(message, ctx, accept, {
      protocolVersion: envelope.version,
      clientCapabilities: envelope.clientCapabilities,
      logLevel: envelope.logLevel,
      owner: ownerOf(ctx),
      disconnect: request,
      modern: true,
    });
  }

  /** The answer to a protocol version this server does not speak, listing the ones it does. */
  function unsupportedVersion(version: string): Response {
    return rpcError(400, null, ErrorCode.UnsupportedProtocolVersion, `Unsupported MCP-Protocol-Version: ${version}`, {
      supported: [...SUPPORTED_VERSIONS],
      requested: version,
    });
  }

  /** Checks a tools/call against the tool's requirements before anything runs; a Response is the refusal. */
  function preflightOf(req: JsonRpcRequest, request: Request, ctx: RequestContext): Response | Promise<Response | undefined> | undefined {
    if (req.method !== "tools/call") return undefined;
    const name = String(req.params?.name);
    ctx.tool = name;
    const tool = dispatcher.registry.tools.get(name);
    return tool && o.preflight(tool.definition, request, ctx);
  }

  /**
   * One 2025-era message, the usual case (the batch path without its arrays). Plain functions, not
   * async ones, answering as `postBody` does (its caller's `then` adopts either): without a session
   * or an asynchronous preflight nothing here waits, and each async frame costs a promise and a
   * resumption (measured on Bun).
   */
  function postSingle(
    message: JsonRpcMessage,
    headerVersion: string | undefined,
    request: Request,
    ctx: RequestContext,
    accept: Accepts,
  ): Response | Promise<Response> {
    if (isRequest(message) && message.method === "initialize") return runInitialize(message, ctx, accept);
    const pendingSession = findSession(request, ctx);
    if (pendingSession === undefined) return postInSession(undefined, message, headerVersion, request, ctx, accept);
    return pendingSession.then((found) =>
      found instanceof Response ? found : postInSession(found, message, headerVersion, request, ctx, accept)
    );
  }

  /** The rest of `postSingle` once the session (if any) is known. */
  function postInSession(
    session: SessionRuntime | undefined,
    message: JsonRpcMessage,
    headerVersion: string | undefined,
    request: Request,
    ctx: RequestContext,
    accept: Accepts,
  ): Response | Promise<Response> {
    const version = headerVersion ?? session?.record.protocolVersion ?? DEFAULT_VERSION;
    if (!isSupported(version)) return unsupportedVersion(version);
    const owner = ownerOf(ctx, session);
    if (!isRequest(message)) {
      if (isResponse(message)) answer(message, owner);
      else if (isNotification(message)) notification(message, owner);
      return new Response(null, { status: 202 });
    }
    const init: ScopeInit = {
      protocolVersion: version,
      clientCapabilities: session?.record.clientCapabilities ?? {},
      logLevel: session?.record.logLevel,
      owner,
      session,
      modern: false,
    };
    const checked = preflightOf(message, request, ctx);
    if (checked instanceof Promise) return checked.then((refusal) => refusal ?? run(message, ctx, accept, init));
    return checked ?? run(message, ctx, accept, init);
  }

  /** A 2025-03-26 JSON-RPC batch: every request answered in one JSON array (notifications are not streamed). */
  async function postBatch(
    messages: JsonRpcMessage[],
    invalid: ReturnType<typeof failure>[],
    headerVersion: string | undefined,
    request: Request,
    ctx: RequestContext,
  ): Promise<Response> {
    if (messages.some((m) => isRequest(m) && m.method === "initialize")) {
      return rpcError(400, null, ErrorCode.InvalidRequest, "Invalid Request: initialize must be sent alone");
    }
    const found = await findSession(request, ctx);
    if (found instanceof Response) return found;
    const session = found;
    const version = headerVersion ?? session?.record.protocolVersion ?? DEFAULT_VERSION;
    if (!isSupported(version)) return unsupportedVersion(version);
    if (!allowsBatches(version)) {
      return rpcError(400, null, ErrorCode.InvalidRequest, `Invalid Request: JSON-RPC batches are not allowed in protocol ${version}`);
    }
    const owner = ownerOf(ctx, session);
    for (const m of messages) {
      if (isResponse(m)) answer(m, owner);
      else if (isNotification(m)) notification(m, owner);
    }
    const requests = messages.filter(isRequest);
    if (requests.length === 0 && invalid.length === 0) return new Response(null, { status: 202 });
    for (const req of requests) {
      const checked = preflightOf(req, request, ctx);
      const refusal = checked instanceof Promise ? await checked : checked;
      if (refusal) return refusal;
    }
    const responses: JsonRpcResponse[] = invalid.map(({ jsonrpc, id, error }) => ({ jsonrpc, id, error }));
    for (const req of requests) {
      const init = {
        protocolVersion: version,
        clientCapabilities: session?.record.clientCapabilities ?? {},
        logLevel: session?.record.logLevel,
        owner,
        session,
        modern: false,
      };
      responses.push(await dispatchFlight(req, owner, (signal) => makeScope(ctx, init, () => false, signal)));
    }
    return json(responses);
  }

  async function runInitialize(req: JsonRpcRequest, ctx: RequestContext, accept: Accepts) {
    const scope = makeScope(
      ctx,
      { protocolVersion: DEFAULT_VERSION, clientCapabilities: {}, owner: ownerOf(ctx), modern: false },
      () => false,
    );
    const response = await dispatcher.dispatch(req, scope);
    const headers = new Headers();
    if ("result" in response && sessions) {
      const params = req.params ?? {};
      const id = randomToken(24);
      await sessions.create({
        id,
        protocolVersion: String(response.result.protocolVersion),
        clientCapabilities: (typeof params.capabilities === "object" && params.capabilities)
          ? params.capabilities as Record<string, unknown>
          : {},
        clientInfo: params.clientInfo as Record<string, unknown> | undefined,
        subscriptions: [],
        owner: callerOf(ctx),
        createdAt: Date.now(),
      });
      headers.set("mcp-session-id", id);
    }
    if (!accept.json) {
      const stream = new SseStream(randomToken(12));
      stream.send(response);
      stream.close();
      const r = stream.attach();
      headers.forEach((v, k) => r.headers.set(k, v));
      return r;
    }
    return json(response, 200, headers);
  }

  function makeScope(
    ctx: RequestContext,
    init: ScopeInit,
    emit: (message: unknown) => boolean,
    signal: LazySignal = new LazySignal(),
  ): CallScope {
    return new Scope(ctx, init, emit, signal, pending, sessions);
  }

  /**
   * Runs one request. The answer is plain JSON unless the handler sends something first
   * (progress, a log line, a question to the client): then the response becomes an SSE stream.
   */
  function run(req: JsonRpcRequest, ctx: RequestContext, accept: Accepts, init: ScopeInit): Promise<Response> {
    return new Promise<Response>((resolve) => {
      let stream: SseStream | undefined;
      const openStream = () => {
        const s = stream = new SseStream(randomToken(12));
        if (init.session) {
          streams.set(s.id, { stream: s, owner: init.owner });
          // Kept 5 minutes for a late resume; the timer must not hold the process open at shutdown.
          s.onClose = () => unrefTimer(setTimeout(() => streams.delete(s.id), 5 * 60_000));
        }
        // 2026-07-28: closing the connection is how a client cancels (there is no session to resume).
        if (init.disconnect) s.onDisconnect = () => inflight.cancel(flightKey(init.owner, req.id));
        resolve(s.attach(undefined, { prime: init.session !== undefined }));
      };
      const emit = (message: unknown) => {
        if (!accept.sse) return false;
        if (!stream) openStream();
        stream!.send(message);
        return true;
      };
      if (!accept.json) openStream();
      flight(req, init.owner, (signal) => makeScope(ctx, init, emit, signal), init.disconnect, (response) => {
        if (!stream) return resolve(jsonFor(ctx, response, init.modern ? statusOf(response) : 200));
        stream.send(response);
        stream.close();
      });
    });
  }

  /** Dispatches with cancellation and a timeout, both of which answer with a JSON-RPC error; `done` gets exactly one response. */
  function flight(
    req: JsonRpcRequest,
    owner: string,
    scopeFor: (signal: LazySignal) => CallScope,
    disconnect: Request | undefined,
    done: (response: JsonRpcResponse) => void,
  ): void {
    const call = new Call(req.id, owner, inflight, disconnect, done);
    const answered = dispatcher.dispatchNow(req, scopeFor(call));
    // Answered synchronously: nothing can have cancelled it and nothing waits on it, so it is never
    // registered. Otherwise it is registered now, before any other request (a cancellation) runs.
    if (!(answered instanceof Promise)) return done(answered);
    call.register();
    answered.then((response) => call.finish(response));
  }

  /** `flight` as a promise (batches answer their requests one after another). */
  function dispatchFlight(req: JsonRpcRequest, owner: string, scopeFor: (signal: LazySignal) => CallScope): Promise<JsonRpcResponse> {
    return new Promise((resolve) => flight(req, owner, scopeFor, undefined, resolve));
  }

  /** A client's answer to one of our server-to-client requests. */
  function answer(m: JsonRpcResponse, owner: string) {
    const p = typeof m.id === "string" ? pending.get(m.id) : undefined;
    if (!p || p.owner !== owner) return; // not ours, or not this caller's: ignore (spec: MUST NOT trust ids)
    pending.delete(m.id as string);
    if ("result" in m) p.resolve(m.result);
    else p.reject(new McpError(m.error.code, m.error.message, m.error.data));
  }

  function notification(m: { method: string; params?: Record<string, unknown> }, owner: string) {
    if (m.method === "notifications/cancelled") cancel(m.params, owner);
  }

  function cancel(params: Record<string, unknown> | undefined, owner: string) {
    const id = params?.requestId;
    if (typeof id !== "string" && typeof id !== "number") return;
    inflight.cancel(flightKey(owner, id));
  }

  /** 2026-07-28 `subscriptions/listen`: an SSE stream that starts with an acknowledgement and carries list/resource changes. */
  function listen(req: JsonRpcRequest, ctx: RequestContext, accept: { sse: boolean }, version: string): Response {
    if (!accept.sse) return rpcError(406, req.id, ErrorCode.InvalidRequest, "subscriptions/listen needs Accept: text/event-stream");
    const requested = req.params?.notifications;
    if (typeof requested !== "object" || requested === null || Array.isArray(requested)) {
      return rpcError(400, req.id, ErrorCode.InvalidParams, "params.notifications must be a subscription filter object");
    }
    const caps = dispatcher.capabilities as Record<string, { listChanged?: boolean; subscribe?: boolean } | undefined>;
    const r = requested as SubscriptionFilter;
    const honoured: SubscriptionFilter = {
      ...(r.toolsListChanged && caps.tools?.listChanged && { toolsListChanged: true }),
      ...(r.promptsListChanged && caps.prompts?.listChanged && { promptsListChanged: true }),
      ...(r.resourcesListChanged && caps.resources?.listChanged && { resourcesListChanged: true }),
      ...(Array.isArray(r.resourceSubscriptions) && caps.resources?.subscribe && {
        resourceSubscriptions: r.resourceSubscriptions.filter((u): u is string => typeof u === "string"),
      }),
    };
    // Tasks extension: `taskIds` asks for `notifications/tasks`; only the caller's own tasks are ever sent.
    const taskIds = dispatcher.tasks && Array.isArray((r as { taskIds?: unknown }).taskIds)
      ? (r as { taskIds: unknown[] }).taskIds.filter((t): t is string => typeof t === "string")
      : undefined;
    if (taskIds) (honoured as Record<string, unknown>).taskIds = taskIds;
    const stream = new SseStream(randomToken(12));
    const subscription = { [META.subscriptionId]: req.id };
    stream.send({
      jsonrpc: "2.0",
      method: "notifications/subscriptions/acknowledged",
      params: { notifications: honoured, _meta: subscription },
    });
    const removeHub = hub.add({
      filter: honoured,
      send: (method, params) => stream.send({ jsonrpc: "2.0", method, params: { ...params, _meta: subscription } }),
    });
    const removeTasks = taskIds?.length
      ? dispatcher.tasks!.listen({
        owner: taskOwner(ctx.auth),
        taskIds: new Set(taskIds),
        send: (params) => stream.send({ jsonrpc: "2.0", method: "notifications/tasks", params: { ...params, _meta: subscription } }),
      })
      : undefined;
    const remove = () => {
      removeHub();
      removeTasks?.();
    };
    const key = flightKey(ownerOf(ctx), req.id);
    const end = () => {
      remove();
      inflight.finish(key);
      stream.close();
    };
    // Open until the client cancels it (notifications/cancelled) or goes away; no timeout.
    inflight.start(key, { abort: () => {}, started: 0, deadline: Infinity, onEnd: end });
    stream.onDisconnect = end;
    void version;
    return stream.attach();
  }

  async function get(request: Request, ctx: RequestContext): Promise<Response> {
    if (!accepts(request.headers.get("accept")).sse || !request.headers.get("accept")) {
      return rpcError(406, null, ErrorCode.InvalidRequest, "GET needs Accept: text/event-stream");
    }
    const found = await findSession(request, ctx);
    if (found instanceof Response) return found;
    const lastEventId = request.headers.get("last-event-id");
    if (lastEventId) {
      const entry = streams.get(lastEventId.slice(0, lastEventId.lastIndexOf("_")));
      if (!entry || entry.owner !== ownerOf(ctx, found)) {
        return rpcError(404, null, ErrorCode.InvalidRequest, "Unknown or expired event stream");
      }
      return entry.stream.attach(lastEventId, { prime: true });
    }
    if (!found) {
      return json(
        {
          error: "method_not_allowed",
          error_description: "A GET stream needs an Mcp-Session-Id (2026-07-28 clients use subscriptions/listen)",
        },
        405,
        {
          allow: "POST, DELETE",
        },
      );
    }
    const session = found;
    session.getStream?.close();
    const stream = new SseStream(randomToken(12));
    session.getStream = stream;
    streams.set(stream.id, { stream, owner: ownerOf(ctx, session) });
    const record = session.record;
    const remove = hub.add({
      filter: {
        toolsListChanged: true,
        promptsListChanged: true,
        resourcesListChanged: true,
        get resourceSubscriptions() {
          return record.subscriptions;
        },
      },
      send: (method, params) => stream.send({ jsonrpc: "2.0", method, params }),
    });
    stream.onClose = () => {
      remove();
      streams.delete(stream.id);
    };
    return stream.attach(undefined, { prime: true });
  }

  async function del(request: Request, ctx: RequestContext): Promise<Response> {
    if (!sessions) return json({ error: "method_not_allowed", error_description: "This server has no sessions" }, 405, { allow: "POST" });
    const found = await findSession(request, ctx);
    if (found instanceof Response) return found;
    if (!found) return rpcError(400, null, ErrorCode.InvalidRequest, "DELETE needs an Mcp-Session-Id header");
    await sessions.delete(found.record.id);
    return new Response(null, { status: 204 });
  }
}

/** A call's key in the in-flight registry: who asked, and the id they gave it. */
function flightKey(owner: string, id: unknown): string {
  return `${owner}\u0000${String(id)}`;
}

/** 2026-07-28 maps protocol-level errors onto HTTP statuses; handler errors stay in-band with 200. */
function statusOf(response: JsonRpcResponse): number {
  if (!("error" in response)) return 200;
  switch (response.error.code) {
    case ErrorCode.MethodNotFound:
      return 404;
    case ErrorCode.HeaderMismatch:
    case -32021:
    case ErrorCode.UnsupportedProtocolVersion:
    case ErrorCode.InvalidRequest:
    case ErrorCode.ParseError:
      return 400;
    default:
      return 200;
  }
}

/** A 2025 session's hooks (logging/setLevel, resource subscriptions), saved through the session store. */
function sessionHooks(session: SessionRuntime, sessions: Sessions): NonNullable<CallScope["session"]> {
  return {
    async setLogLevel(level) {
      session.record.logLevel = level;
      await sessions.save(session);
    },
    async subscribe(uri) {
      if (!session.record.subscriptions.includes(uri)) session.record.subscriptions.push(uri);
      await sessions.save(session);
    },
    async unsubscribe(uri) {
      session.record.subscriptions = session.record.subscriptions.filter((u) => u !== uri);
      await sessions.save(session);
    },
  };
}

/**
 * One call's scope. A class, so each request allocates one plain object (its methods live on the
 * prototype) instead of an object literal with closures and a conditional spread.
 */
class Scope implements CallScope {
  declare protocolVersion: string;
  declare clientCapabilities: Record<string, unknown>;
  declare sessionId: string | undefined;
  declare logLevel: CallScope["logLevel"];
  declare http: RequestContext;
  declare session: CallScope["session"];
  declare owner: string;
  declare emit: (message: unknown) => boolean;
  declare pending: Map<string, Pending>;
  #signal: LazySignal;
  constructor(
    ctx: RequestContext,
    init: ScopeInit,
    emit: (message: unknown) => boolean,
    signal: LazySignal,
    pending: Map<string, Pending>,
    sessions: Sessions | undefined,
  ) {
    const session = init.session;
    this.protocolVersion = init.protocolVersion;
    this.clientCapabilities = init.clientCapabilities;
    this.sessionId = session?.record.id;
    this.logLevel = init.logLevel;
    this.http = ctx;
    this.#signal = signal;
    this.session = session && sessions ? sessionHooks(session, sessions) : undefined;
    this.owner = init.owner;
    this.emit = emit;
    this.pending = pending;
  }
  get signal(): AbortSignal {
    return this.#signal.signal;
  }
  notify(method: string, params: Record<string, unknown>): Promise<void> {
    this.emit({ jsonrpc: "2.0", method, params });
    return Promise.resolve();
  }
  request(method: string, params: Record<string, unknown>): Promise<Record<string, unknown>> {
    const id = `gh-${randomToken(12)}`;
    const { signal, owner, pending } = this;
    return new Promise((resolve, reject) => {
      if (!this.emit({ jsonrpc: "2.0", id, method, params })) {
        reject(new McpError(ErrorCode.InvalidRequest, `Cannot send ${method}: the client does not accept an SSE response`));
        return;
      }
      pending.set(id, { resolve, reject, owner });
      signal.addEventListener("abort", () => {
        pending.delete(id);
        reject(new McpError(ErrorCode.InternalError, "Request cancelled"));
      }, { once: true });
    });
  }
}

/**
 * One request being answered, as the in-flight registry sees it: settles exactly once, with the
 * handler's answer or the error of a timeout or cancellation, and owns the call's (lazy) signal.
 * A class, so a call costs one allocation instead of a controller and a set of closures.
 */
class Call extends LazySignal implements Flight {
  declare deadline: number;
  declare started: number;
  declare request: Request | undefined;
  #id: JsonRpcRequest["id"];
  #owner: string;
  #key: string | undefined;
  #inflight: Inflight;
  #done: (response: JsonRpcResponse) => void;
  #settled: boolean;
  constructor(
    id: JsonRpcRequest["id"],
    owner: string,
    inflight: Inflight,
    disconnect: Request | undefined,
    done: (response: JsonRpcResponse) => void,
  ) {
    super();
    this.deadline = 0;
    this.started = 0;
    this.request = disconnect;
    this.#id = id;
    this.#owner = owner;
    this.#key = undefined;
    this.#inflight = inflight;
    this.#done = done;
    this.#settled = false;
  }
  /** Enters the in-flight registry (a call still running after its handler returned a promise). */
  register(): void {
    this.#inflight.start(this.#key = flightKey(this.#owner, this.#id), this);
  }
  onEnd(reason: EndReason): void {
    const message = reason === "timeout" ? `Request timed out after ${this.#inflight.timeoutMs} ms` : "Request cancelled";
    this.finish(failure(this.#id, ErrorCode.InternalError, message));
  }
  finish(response: JsonRpcResponse): void {
    if (this.#settled) return;
    this.#settled = true;
    if (this.#key !== undefined) this.#inflight.finish(this.#key, this);
    this.#done(response);
  }
}
