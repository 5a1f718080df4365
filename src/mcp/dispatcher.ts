/**
 * @module The JSON-RPC dispatcher: one request in, one response out, with per-tool authorization before any handler runs.
 */
import type { RequestContext } from "../http/pipeline.ts";
import type { ScopeHierarchy } from "../auth/scopes.ts";
import { ErrorCode, failure, type JsonRpcRequest, type JsonRpcResponse, McpError, success } from "./jsonrpc.ts";
import { isStatelessEra, isSupported, LATEST_SESSION_VERSION, MODERN_VERSIONS } from "./protocol.ts";
import type { HandlerContext, LogLevel } from "./context.ts";
import { LOG_LEVELS } from "./context.ts";
import { page, type Registry } from "./registry.ts";
import { toCallToolResult, type ToolDefinition, toolError } from "./tools.ts";
import { validate } from "./schema.ts";
import { toReadResult } from "./resources.ts";
import { checkPromptArguments, toPromptResult } from "./prompts.ts";
import { authorizeTool } from "./authorize.ts";
import { evaluateRequireAuth } from "../auth/scopes.ts";
import { createHandlerContext, InputRequired, type Rounds } from "./handler-context.ts";
import type { RequestStateCodec } from "./request-state.ts";
import type { KV } from "../store/kv.ts";
import {
  clientSupportsTasks,
  createTaskEngine,
  isTaskHandoff,
  missingTasksCapability,
  type TaskEngine,
  type TaskExecutor,
  type TaskHandoff,
  taskOwner,
  TASKS_EXTENSION,
  type TaskSettings,
  type ToolTaskOption,
} from "./tasks.ts";
import { type SkillCatalog, SKILLS_EXTENSION } from "./skills.ts";
import { type Logger, messageOf } from "../observe/log.ts";
import type { MetricsHooks } from "../observe/metrics.ts";

/** Everything the dispatcher needs to know about the request it serves and how to talk back. */
export interface CallScope {
  protocolVersion: string;
  clientCapabilities: Record<string, unknown>;
  sessionId?: string;
  /** Minimum level of `notifications/message` the client wants (session-wide in 2025, per request in 2026). */
  logLevel?: LogLevel;
  http: RequestContext;
  signal: AbortSignal;
  /** Sends a notification on the response stream (a no-op where there is none). */
  notify(method: string, params: Record<string, unknown>): Promise<void>;
  /** A server-to-client request over the response stream (2025 revisions). */
  request(method: string, params: Record<string, unknown>): Promise<Record<string, unknown>>;
  /** 2026-07-28 Multi Round-Trip Requests: the answers the client brought with its retry. */
  inputResponses?: Record<string, unknown>;
  /** 2026-07-28 MRTR: opaque state the server handed out with the previous InputRequiredResult. */
  requestState?: string;
  /** Session hooks (2025): the level set with logging/setLevel, resource subscriptions. */
  session?: {
    setLogLevel(level: LogLevel): Promise<void>;
    subscribe(uri: string): Promise<void>;
    unsubscribe(uri: string): Promise<void>;
  };
}

export interface ServerIdentity {
  name: string;
  version: string;
  title?: string;
  description?: string;
  websiteUrl?: string;
  icons?: Array<{ src: string; mimeType?: string; sizes?: string[] }>;
  instructions?: string;
}

export interface DispatcherOptions {
  info: ServerIdentity;
  registry: Registry;
  pageSize: number;
  scopeHierarchy?: ScopeHierarchy;
  /** Whether resources/subscribe is served (needs sessions or subscriptions/listen). */
  subscriptions: boolean;
  /** Extra capabilities (extensions). */
  extraCapabilities?: Record<string, unknown>;
  /** `ttlMs` on cacheable 2026-07-28 results (default 0: immediately stale). */
  cacheTtlMs?: number;
  /** Where the dispatcher reports handler failures. */
  logger?: Logger;
  /** Called after every tool call with its duration and outcome. */
  onToolCall?: MetricsHooks["toolCall"];
  /** Signs MRTR `requestState` (2026-07-28). */
  requestState: RequestStateCodec;
  /** The tasks extension (2026-07-28): on when set; task records live in `store`. */
  tasks?: { settings: TaskSettings; store: KV };
  /** The skills extension (SEP-2640): its files are in the registry's resources too. */
  skills?: SkillCatalog;
}

/** A method's implementation: a result, or a promise of one (synchronous answers skip a tick); may throw `McpError`. */
export type MethodHandler = (
  params: Record<string, unknown>,
  scope: CallScope,
  request: JsonRpcRequest,
) => Record<string, unknown> | Promise<Record<string, unknown>>;
type Outcome = Record<string, unknown>;
/** What a tool invocation gives: a result, or a `runAsTask()` hand-off for the caller to start. */
type Invoked = Outcome | TaskHandoff;

/** Capabilities are computed once: they do not change per request. */
export function serverCapabilities(o: DispatcherOptions): Record<string, unknown> {
  const r = o.registry;
  const hasCompletions = r.templates.some((t) => t.definition.complete) || [...r.prompts.values()].some((p) => p.complete);
  return {
    ...(r.tools.size > 0 && { tools: { listChanged: true } }),
    ...((r.resources.size > 0 || r.templates.length > 0) && {
      resources: { listChanged: true, ...(o.subscriptions && { subscribe: true }) },
    }),
    ...(r.prompts.size > 0 && { prompts: { listChanged: true } }),
    ...(hasCompletions && { completions: {} }),
    logging: {},
    ...o.extraCapabilities,
    ...((o.tasks || o.skills) && {
      extensions: {
        ...(o.extraCapabilities?.extensions as Record<string, unknown> | undefined),
        ...(o.tasks && { [TASKS_EXTENSION]: {} }),
        ...(o.skills && { [SKILLS_EXTENSION]: { directoryRead: true } }),
      },
    }),
  };
}

export function createDispatcher(o: DispatcherOptions) {
  const { registry, pageSize } = o;
  if (!o.tasks) {
    const required = [...registry.tools.values()].find((t) => taskModeOf(t.definition.task)?.support === "required");
    if (required) throw new TypeError(`Tool ${required.definition.name} requires tasks; enable them with createServer({ tasks: true })`);
  }
  const capabilities = serverCapabilities(o);
  const serverInfo = {
    name: o.info.name,
    version: o.info.version,
    ...(o.info.title && { title: o.info.title }),
    ...(o.info.description && { description: o.info.description }),
    ...(o.info.websiteUrl && { websiteUrl: o.info.websiteUrl }),
    ...(o.info.icons && { icons: o.info.icons }),
  };
  const instructions = o.info.instructions ? { instructions: o.info.instructions } : {};
  const hasHiddenTools = [...registry.tools.values()].some((t) => t.definition.hideWhenUnauthorized);

  const listed = (items: readonly Record<string, unknown>[], key: string) => (params: Record<string, unknown>) => {
    const p = page(items, params.cursor, pageSize);
    if (!p) throw new McpError(ErrorCode.InvalidParams, "Invalid cursor");
    return Promise.resolve({ [key]: p.items, ...(p.nextCursor && { nextCursor: p.nextCursor }) });
  };

  const methods: Record<string, MethodHandler> = {
    initialize: (params) => {
      const requested = params.protocolVersion;
      if (typeof requested !== "string") throw new McpError(ErrorCode.InvalidParams, "initialize: protocolVersion must be a string");
      // Lifecycle §Version Negotiation: echo a supported version, else offer our latest session-era one.
      const protocolVersion = isSupported(requested) && !isStatelessEra(requested) ? requested : LATEST_SESSION_VERSION;
      return Promise.resolve({ protocolVersion, capabilities, serverInfo, ...instructions });
    },
    "server/discover": () => Promise.resolve({ supportedVersions: MODERN_VERSIONS, capabilities, ...instructions }),
    ping: () => Promise.resolve({}),
    "tools/list": (params, scope) => {
      // The precomputed list, unless some tool hides itself from callers who could not call it.
      const visible = hasHiddenTools
        ? [...registry.tools.values()]
          .filter((t) => !t.definition.hideWhenUnauthorized || authorizeTool(t.definition, scope.http.auth, o.scopeHierarchy).ok)
          .map((t) => t.listEntry)
        : registry.toolList;
      return listed(visible, "tools")(params);
    },
    "tools/call": o.onToolCall ? timedCallTool : callTool,
    "resources/list": listed(registry.resourceList, "resources"),
    "resources/templates/list": listed(registry.templateList, "resourceTemplates"),
    "resources/read": readResource,
    "resources/subscribe": async (params, scope) => {
      const uri = requireString(params, "uri");
      if (!scope.session) throw new McpError(ErrorCode.InvalidRequest, "resources/subscribe needs a session (initialize first)");
      await scope.session.subscribe(uri);
      return {};
    },
    "resources/unsubscribe": async (params, scope) => {
      const uri = requireString(params, "uri");
      if (scope.session) await scope.session.unsubscribe(uri);
      return {};
    },
    "prompts/list": listed(registry.promptList, "prompts"),
    "prompts/get": getPrompt,
    "completion/complete": complete,
    "logging/setLevel": async (params, scope) => {
      const level = params.level;
      if (!LOG_LEVELS.includes(level as LogLevel)) {
        throw new McpError(ErrorCode.InvalidParams, `level must be one of ${LOG_LEVELS.join(", ")}`);
      }
      await scope.session?.setLogLevel(level as LogLevel);
      return {};
    },
  };

  const skills = o.skills;
  if (skills) {
    methods["skills/list"] = async (params) => {
      const p = page(await skills.list(), params.cursor, pageSize);
      if (!p) throw new McpError(ErrorCode.InvalidParams, "Invalid cursor");
      return { skills: p.items, ...(p.nextCursor && { nextCursor: p.nextCursor }) };
    };
    methods["skills/get"] = async (params) => ({ skill: await skills.get(requireString(params, "uri")) });
    methods["resources/directory/read"] = (params) => {
      const uri = requireString(params, "uri");
      const children = skills.directory(uri);
      if (!children) throw new McpError(ErrorCode.InvalidParams, `Not a directory: ${uri}`, { uri });
      return listed(children, "resources")(params);
    };
  }

  const tasks: TaskEngine | undefined = o.tasks && createTaskEngine({ ...o.tasks, execute: executeTask });
  if (tasks) {
    /** SEP-2663: task methods need the extension in the request's own capabilities (-32021 otherwise). */
    const taskCaller = (params: Record<string, unknown>, scope: CallScope, method: string) => {
      if (!clientSupportsTasks(scope.clientCapabilities)) throw missingTasksCapability(method);
      return { owner: taskOwner(scope.http.auth), taskId: requireString(params, "taskId") };
    };
    methods["tasks/get"] = async (params, scope) => {
      const { owner, taskId } = taskCaller(params, scope, "tasks/get");
      return await tasks.get(owner, taskId);
    };
    methods["tasks/update"] = async (params, scope) => {
      const { owner, taskId } = taskCaller(params, scope, "tasks/update");
      const responses = params.inputResponses;
      if (typeof responses !== "object" || responses === null || Array.isArray(responses)) {
        throw new McpError(ErrorCode.InvalidParams, "inputResponses must be an object keyed by input request");
      }
      await tasks.update(owner, taskId, responses as Record<string, unknown>, scope.http);
      return {};
    };
    methods["tasks/cancel"] = async (params, scope) => {
      const { owner, taskId } = taskCaller(params, scope, "tasks/cancel");
      await tasks.cancel(owner, taskId);
      return {};
    };
  }

  /**
   * Runs a handler that may ask the client for input. In the 2026-07-28 era it opens the previous
   * rounds' signed state, and turns unanswered questions into an InputRequiredResult.
   */
  function withRounds(
    scope: CallScope,
    request: JsonRpcRequest,
    bind: string,
    run: (context: HandlerContext, rounds?: Rounds) => Outcome | Promise<Outcome>,
  ): Outcome | Promise<Outcome> {
    if (!isStatelessEra(scope.protocolVersion)) return run(createHandlerContext(scope, request));
    const params = request.params ?? {};
    const responses = params.inputResponses;
    if ("inputResponses" in params && (typeof responses !== "object" || responses === null || Array.isArray(responses))) {
      throw new McpError(ErrorCode.InvalidParams, "inputResponses must be an object keyed by input request");
    }
    if (params.requestState !== undefined) return resumeRounds(scope, request, bind, run, responses as Record<string, unknown> | undefined);
    // A first round (the usual call): nothing to open, and a synchronous handler answers synchronously.
    const rounds: Rounds = { answers: responses ? { ...responses } : {}, missing: {}, round: 1 };
    let result: Outcome | Promise<Outcome>;
    try {
      result = run(createHandlerContext(scope, request, rounds), rounds);
    } catch (error) {
      return endRound(unlessInputRequired(error), rounds, bind);
    }
    if (result instanceof Promise) {
      return result.then((r) => endRound(r, rounds, bind), (error) => endRound(unlessInputRequired(error), rounds, bind));
    }
    return endRound(result, rounds, bind);
  }

  /** A later round: the signed state of the earlier ones is opened first. */
  async function resumeRounds(
    scope: CallScope,
    request: JsonRpcRequest,
    bind: string,
    run: (context: HandlerContext, rounds?: Rounds) => Outcome | Promise<Outcome>,
    responses: Record<string, unknown> | undefined,
  ): Promise<Outcome> {
    const previous = await o.requestState.open(request.params!.requestState, bind);
    const rounds: Rounds = { answers: { ...previous?.answers, ...responses }, missing: {}, round: (previous?.round ?? 0) + 1 };
    let result: Outcome | undefined;
    try {
      result = await run(createHandlerContext(scope, request, rounds), rounds);
    } catch (error) {
      result = unlessInputRequired(error);
    }
    return await endRound(result, rounds, bind);
  }

  /** The handler's result, or (questions left unanswered) an InputRequiredResult carrying the signed state. */
  function endRound(result: Outcome | undefined, rounds: Rounds, bind: string): Outcome | Promise<Outcome> {
    if (Object.keys(rounds.missing).length === 0 && result) return result;
    return o.requestState.seal({ bind, answers: rounds.answers, round: rounds.round })
      .then((requestState) => ({ resultType: "input_required", inputRequests: rounds.missing, requestState }));
  }

  async function timedCallTool(params: Record<string, unknown>, scope: CallScope, request: JsonRpcRequest) {
    const start = performance.now();
    let isError = true;
    try {
      const result = await callTool(params, scope, request);
      isError = result.isError === true;
      return result;
    } finally {
      try {
        o.onToolCall!({
          tool: String(params.name),
          durationMs: performance.now() - start,
          isError,
          protocolVersion: scope.protocolVersion,
        });
      } catch { /* a hook never breaks a call */ }
    }
  }

  /** Synchronous throws are fine here: every caller awaits it inside a `try`. */
  function callTool(params: Record<string, unknown>, scope: CallScope, request: JsonRpcRequest): Outcome | Promise<Outcome> {
    const name = requireString(params, "name");
    const tool = registry.tools.get(name)?.definition;
    if (!tool) throw new McpError(ErrorCode.InvalidParams, `Unknown tool: ${name}`);
    const decision = authorizeTool(tool, scope.http.auth, o.scopeHierarchy);
    if (!decision.ok) {
      // Clients that ignore the HTTP challenge still learn which scope is missing (FIELD-NOTES §2.10).
      return toolError(decision.message, {
        _meta: {
          "gatehouse/authorization": {
            status: decision.status,
            ...("missing" in decision && { missingScopes: decision.missing, requiredScopes: decision.scopes }),
          },
        },
      });
    }
    const args = params.arguments ?? {};
    const checked = validate(tool.inputSchema, args);
    if (!checked.ok) return toolError(`Invalid arguments for tool ${name}: ${checked.message}`);
    // Tasks (SEP-2663): the server decides; a client that did not declare the extension never gets a task.
    const taskMode = tasks ? taskModeOf(tool.task) : undefined;
    const asTask = taskMode !== undefined && isStatelessEra(scope.protocolVersion) && clientSupportsTasks(scope.clientCapabilities);
    if (taskMode?.support === "required" && !asTask) throw missingTasksCapability(`Tool ${name}`);
    if (asTask && taskMode?.start === "call") return newTask(name, checked.value, scope, request, {}, 1);
    // 2025 revisions: no rounds and no tasks, so no hand-off to catch either (the common case, kept short).
    if (!isStatelessEra(scope.protocolVersion)) {
      return invokeTool(tool, checked.value, createHandlerContext(scope, request), true) as Outcome;
    }
    // The handler may hand the rest over with runAsTask(): the task starts with this call's answers.
    const started = (out: Invoked, rounds?: Rounds) =>
      isTaskHandoff(out) ? newTask(name, checked.value, scope, request, rounds?.answers ?? {}, rounds?.round ?? 1) : out;
    return withRounds(scope, request, `tools/call:${name}`, (context, rounds) => {
      const out = invokeTool(tool, checked.value, context, !asTask);
      return out instanceof Promise ? out.then((value) => started(value, rounds)) : started(out, rounds);
    });
  }

  function newTask(
    tool: string,
    args: unknown,
    scope: CallScope,
    request: JsonRpcRequest,
    answers: Record<string, unknown>,
    round: number,
  ) {
    return tasks!.create({
      owner: taskOwner(scope.http.auth),
      tool,
      arguments: args,
      protocolVersion: scope.protocolVersion,
      clientCapabilities: scope.clientCapabilities,
      requestId: request.id as string | number,
      answers,
      round,
      http: scope.http,
    });
  }

  /**
   * Middleware, handler and result checks. A `runAsTask()` hand-off runs inline when
   * `inlineHandoff` (no task possible, or already inside one), else it is returned to the caller.
   * A synchronous handler of a tool without middleware is answered without any promise.
   */
  function invokeTool(tool: ToolDefinition, args: unknown, context: HandlerContext, inlineHandoff: boolean): Invoked | Promise<Invoked> {
    return tool.middlewares?.length
      ? invokeAfterMiddleware(tool, args, context, inlineHandoff)
      : runHandler(tool, args, context, inlineHandoff);
  }

  function runHandler(tool: ToolDefinition, args: unknown, context: HandlerContext, inlineHandoff: boolean): Invoked | Promise<Invoked> {
    let value: unknown;
    try {
      value = tool.handler(args as never, context);
    } catch (error) {
      return checkToolResult(toCallToolResult(handlerFailure(error, context), tool), tool);
    }
    if (typeof (value as PromiseLike<unknown> | undefined)?.then === "function" || isTaskHandoff(value)) {
      return settleHandler(value, tool, context, inlineHandoff);
    }
    return checkToolResult(toCallToolResult(value, tool), tool);
  }

  async function invokeAfterMiddleware(
    tool: ToolDefinition,
    args: unknown,
    context: HandlerContext,
    inlineHandoff: boolean,
  ): Promise<Invoked> {
    for (const m of tool.middlewares ?? []) {
      if (m.kind !== "requireAuth") continue;
      const verdict = await evaluateRequireAuth(m, context.auth, tool.name);
      if (!verdict.ok) return toolError(verdict.message, { _meta: { "gatehouse/authorization": { status: verdict.status } } }) as Outcome;
    }
    return await runHandler(tool, args, context, inlineHandoff);
  }

  /** The asynchronous rest of a call: awaits the handler's promise, runs a hand-off inline when allowed. */
  async function settleHandler(pending: unknown, tool: ToolDefinition, context: HandlerContext, inlineHandoff: boolean): Promise<Invoked> {
    let value: unknown;
    try {
      value = await pending;
      if (isTaskHandoff(value)) {
        if (!inlineHandoff) return value;
        value = await value.work(context);
      }
    } catch (error) {
      value = handlerFailure(error, context);
    }
    return checkToolResult(toCallToolResult(value, tool), tool);
  }

  /** An InputRequired (the handler asked and is waiting) ends the round without a result; anything else propagates. */
  function unlessInputRequired(error: unknown): undefined {
    if (!(error instanceof InputRequired)) throw error;
    return undefined;
  }

  /** A handler's throw: protocol errors and MRTR questions go up; anything else becomes an error result. */
  function handlerFailure(error: unknown, context: HandlerContext) {
    if (error instanceof McpError || error instanceof InputRequired) throw error;
    if (context.signal.aborted) throw new McpError(ErrorCode.InternalError, "Request cancelled");
    // Tool execution errors go in the result so the model can react (spec: Tools §Error Handling).
    return toolError(error instanceof Error ? error.message : String(error));
  }

  /** One attempt of a task: the tool's handler from the top, under the creating request's envelope, with every answer so far. */
  async function executeTask(...[record, http, signal, setStatusMessage]: Parameters<TaskExecutor>): ReturnType<TaskExecutor> {
    const compiled = registry.tools.get(record.tool);
    if (!compiled) return { error: { code: ErrorCode.InternalError, message: `Tool ${record.tool} is no longer served` } };
    const scope: CallScope = {
      protocolVersion: record.protocolVersion,
      clientCapabilities: record.clientCapabilities,
      http,
      signal,
      // No response stream outlives the creating request: progress messages become the task's statusMessage.
      notify(method, params) {
        if (method === "notifications/progress" && typeof params.message === "string") setStatusMessage(params.message);
        return Promise.resolve();
      },
      request: (method) => Promise.reject(new McpError(ErrorCode.InvalidRequest, `${method}: a task asks through inputRequests`)),
    };
    const request: JsonRpcRequest = {
      jsonrpc: "2.0",
      id: record.requestId,
      method: "tools/call",
      params: { name: record.tool, arguments: record.arguments as Record<string, unknown> },
    };
    const rounds: Rounds = { answers: { ...record.answers }, missing: {}, round: record.round };
    try {
      const out = await invokeTool(compiled.definition, record.arguments, createHandlerContext(scope, request, rounds), true);
      if (Object.keys(rounds.missing).length === 0) return { result: out as Record<string, unknown> };
    } catch (error) {
      if (!(error instanceof InputRequired)) {
        if (error instanceof McpError) {
          return { error: { code: error.code, message: error.message, ...(error.data !== undefined && { data: error.data }) } };
        }
        throw error;
      }
    }
    return { inputRequests: rounds.missing };
  }

  function checkToolResult(result: ReturnType<typeof toCallToolResult>, tool: ToolDefinition): Record<string, unknown> {
    const name = tool.name;
    if (tool.outputSchema && !result.isError) {
      if (!result.structuredContent) {
        throw new McpError(ErrorCode.InternalError, `Tool ${name} declares an outputSchema but returned no structured content`);
      }
      const out = validate(tool.outputSchema, result.structuredContent);
      if (!out.ok) {
        throw new McpError(ErrorCode.InternalError, `Tool ${name} returned output that does not match its outputSchema: ${out.message}`);
      }
    }
    return result as Record<string, unknown>;
  }

  async function readResource(params: Record<string, unknown>, scope: CallScope, request: JsonRpcRequest) {
    const uri = requireString(params, "uri");
    const fixed = registry.resources.get(uri);
    if (fixed) {
      return await withRounds(
        scope,
        request,
        `resources/read:${uri}`,
        async (context) => toReadResult(await fixed.read(uri, context), uri, fixed.mimeType),
      );
    }
    for (const t of registry.templates) {
      const vars = t.match(uri);
      if (vars) {
        return await withRounds(
          scope,
          request,
          `resources/read:${uri}`,
          async (context) => toReadResult(await t.definition.read(uri, vars, context), uri, t.definition.mimeType),
        );
      }
    }
    // 2026-07-28 answers an unknown resource with -32602; earlier revisions used -32002 (both carry the uri).
    const code = isStatelessEra(scope.protocolVersion) ? ErrorCode.InvalidParams : ErrorCode.ResourceNotFound;
    throw new McpError(code, `Resource not found: ${uri}`, { uri });
  }

  async function getPrompt(params: Record<string, unknown>, scope: CallScope, request: JsonRpcRequest) {
    const name = requireString(params, "name");
    const prompt = registry.prompts.get(name);
    if (!prompt) throw new McpError(ErrorCode.InvalidParams, `Unknown prompt: ${name}`);
    const problem = checkPromptArguments(prompt, params.arguments);
    if (problem) throw new McpError(ErrorCode.InvalidParams, `Prompt ${name}: ${problem}`);
    const args = (params.arguments ?? {}) as Record<string, string>;
    return await withRounds(
      scope,
      request,
      `prompts/get:${name}`,
      async (context) => toPromptResult(await prompt.get(args, context)) as Record<string, unknown>,
    );
  }

  async function complete(params: Record<string, unknown>) {
    const ref = params.ref as Record<string, unknown> | undefined;
    const argument = params.argument as { name?: unknown; value?: unknown } | undefined;
    if (!ref || typeof ref !== "object" || !argument || typeof argument.name !== "string" || typeof argument.value !== "string") {
      throw new McpError(ErrorCode.InvalidParams, "completion/complete needs ref and argument { name, value }");
    }
    let completer;
    if (ref.type === "ref/prompt") {
      const prompt = registry.prompts.get(String(ref.name));
      if (!prompt) throw new McpError(ErrorCode.InvalidParams, `Unknown prompt: ${String(ref.name)}`);
      completer = prompt.complete?.[argument.name];
    } else if (ref.type === "ref/resource") {
      const template = registry.templates.find((t) => t.definition.uriTemplate === ref.uri);
      if (!template && !registry.resources.has(String(ref.uri))) {
        throw new McpError(ErrorCode.InvalidParams, `Unknown resource template: ${String(ref.uri)}`);
      }
      completer = template?.definition.complete?.[argument.name];
    } else {
      throw new McpError(ErrorCode.InvalidParams, 'ref.type must be "ref/prompt" or "ref/resource"');
    }
    const context = (params.context as { arguments?: Record<string, string> } | undefined)?.arguments ?? {};
    const all = completer ? await completer(argument.value, { arguments: context }) : [];
    // Completion: at most 100 values per response.
    return { completion: { values: all.slice(0, 100), total: all.length, hasMore: all.length > 100 } };
  }

  /** Dispatches one request. Never rejects: every failure becomes a JSON-RPC error. */
  function dispatch(request: JsonRpcRequest, scope: CallScope): Promise<JsonRpcResponse> {
    const out = dispatchNow(request, scope);
    return out instanceof Promise ? out : Promise.resolve(out);
  }

  /**
   * `dispatch`, answering synchronously when the method's handler did (a plain tool handler
   * returning a value): the transport then has nothing in flight to register for cancellation.
   */
  function dispatchNow(request: JsonRpcRequest, scope: CallScope): JsonRpcResponse | Promise<JsonRpcResponse> {
    const modern = isStatelessEra(scope.protocolVersion);
    const handler = handlerFor(request.method, modern);
    if (!handler) return failure(request.id, ErrorCode.MethodNotFound, `Method not found: ${request.method}`);
    try {
      const result = handler(request.params ?? {}, scope, request);
      // A synchronous answer (most tools/call of plain handlers) is returned as it is, with no closures made.
      if (!(result instanceof Promise)) return answer(request, scope, modern, result);
      return result.then((value) => answer(request, scope, modern, value), (error) => fail(request, scope, error));
    } catch (error) {
      return fail(request, scope, error);
    }
  }

  // The last method looked up and its handler: a client sends the same method again and again, and a
  // string comparison is cheaper than the three hashed lookups of a fresh string (measured on Deno).
  let lastMethod: string | undefined;
  let lastModern = false;
  let lastHandler: MethodHandler | undefined;
  function handlerFor(method: string, modern: boolean): MethodHandler | undefined {
    if (method === lastMethod && modern === lastModern) return lastHandler;
    const handler = Object.hasOwn(methods, method) && !(modern ? LEGACY_ONLY : MODERN_ONLY).has(method) ? methods[method] : undefined;
    lastMethod = method;
    lastModern = modern;
    return (lastHandler = handler);
  }

  /** The success envelope; whatever happens while wrapping the result is a failure too (the transport waits on it). */
  function answer(request: JsonRpcRequest, scope: CallScope, modern: boolean, result: Record<string, unknown>): JsonRpcResponse {
    try {
      return success(request.id, modern ? stampModern(request.method, result) : result);
    } catch (error) {
      return fail(request, scope, error);
    }
  }

  function fail(request: JsonRpcRequest, scope: CallScope, error: unknown): JsonRpcResponse {
    if (error instanceof McpError) return failure(request.id, error.code, error.message, error.data);
    // Never a stack trace on the wire; the message is for the operator's log only.
    o.logger?.log("error", `${request.method} failed`, {
      error: messageOf(error),
      requestId: scope.http.requestId,
      ...(scope.http.tool && { tool: scope.http.tool }),
    });
    return failure(request.id, ErrorCode.InternalError, "Internal error");
  }

  const serverInfoMeta = { "io.modelcontextprotocol/serverInfo": serverInfo };
  /** 2026-07-28: every result says its type; list/read/discover results carry cache hints; server info rides in `_meta`. */
  function stampModern(method: string, result: Record<string, unknown>): Record<string, unknown> {
    const out: Record<string, unknown> = { resultType: "complete", ...result };
    if (out.resultType === "complete" && CACHEABLE.has(method)) {
      out.ttlMs ??= o.cacheTtlMs ?? 0;
      out.cacheScope ??= "private";
    }
    out._meta = { ...serverInfoMeta, ...(result._meta as Record<string, unknown> | undefined) };
    return out;
  }

  return { dispatch, dispatchNow, capabilities, serverInfo, methods, registry, tasks };
}

export type Dispatcher = ReturnType<typeof createDispatcher>;

function requireString(params: Record<string, unknown>, key: string): string {
  const v = params[key];
  if (typeof v !== "string" || v === "") throw new McpError(ErrorCode.InvalidParams, `params.${key} must be a non-empty string`);
  return v;
}

/** Methods that exist only before 2026-07-28 (they answer -32601 on a modern request), and the other way round. */
const LEGACY_ONLY = new Set(["initialize", "ping", "logging/setLevel", "resources/subscribe", "resources/unsubscribe"]);
const MODERN_ONLY = new Set(["server/discover", "tasks/get", "tasks/update", "tasks/cancel"]);
/** Results that carry `ttlMs`/`cacheScope` in 2026-07-28. */
const CACHEABLE = new Set([
  "server/discover",
  "tools/list",
  "prompts/list",
  "resources/list",
  "resources/templates/list",
  "resources/read",
  "skills/list",
  "skills/get",
]);

/** A tool's task declaration, normalised: string shorthand means the task starts with the call. */
function taskModeOf(
  option: ToolTaskOption | false | undefined,
): { support: "optional" | "required"; start: "call" | "handler" } | undefined {
  if (!option) return undefined;
  if (typeof option === "string") return { support: option, start: "call" };
  return { support: option.support, start: option.start ?? "call" };
}

export type { HandlerContext };
