/**
 * @module Builds a handler's context, and makes `elicit()`/`sample()`/`listRoots()` work for both protocol eras with one handler.
 *
 * 2026-07-28 (Multi Round-Trip Requests, SEP-2322): an `elicit()` without an answer ends the call
 * with `{ resultType: "input_required", inputRequests: { key: { method, params } }, requestState }`;
 * the client retries with `inputResponses: { key: result }` and the echoed `requestState`, and the
 * handler runs again from the top, now finding its answers. Questions asked together
 * (`Promise.all([ctx.elicit(a), ctx.sample(b)])`) go out in one round. Answers of earlier rounds
 * ride in the HMAC-signed `requestState`, bound to the method and target.
 *
 * 2025 revisions: each question is a server-to-client request on the response's SSE stream.
 */
import type { JsonRpcRequest } from "./jsonrpc.ts";
import { ErrorCode, McpError } from "./jsonrpc.ts";
import { isStatelessEra } from "./protocol.ts";
import type { CallScope } from "./dispatcher.ts";
import type { AskOptions, ElicitParams, ElicitResult, HandlerContext, LogLevel, SampleParams, SampleResult } from "./context.ts";
import { LOG_LEVELS } from "./context.ts";
import type { JsonSchemaValidator } from "./json-schema.ts";
import { plainValidator } from "./schema.ts";
import { parseTraceparent, type TraceContext, traceOf } from "../observe/trace.ts";

type InputRequest = { method: string; params: Record<string, unknown> };

/** Ends a 2026-07-28 call with an InputRequiredResult. Handlers never need to create it themselves. */
export class InputRequired extends Error {
  readonly inputRequests: Record<string, InputRequest>;
  constructor(inputRequests: Record<string, InputRequest>) {
    super("input required");
    this.inputRequests = inputRequests;
    this.name = "InputRequired";
  }
}

const CAPABILITY_OF: Record<string, string> = {
  "elicitation/create": "elicitation",
  "sampling/createMessage": "sampling",
  "roots/list": "roots",
};

/** Checks the shape of an answer the client brought back, so a handler never sees garbage as an answer. */
function checkAnswer(method: string, key: string, answer: unknown): Record<string, unknown> {
  const bad = (what: string) => new McpError(ErrorCode.InvalidParams, `inputResponses.${key} is not a valid ${what}`);
  if (typeof answer !== "object" || answer === null || Array.isArray(answer)) throw bad("result object");
  const a = answer as Record<string, unknown>;
  if (method === "elicitation/create" && !["accept", "decline", "cancel"].includes(a.action as string)) throw bad("ElicitResult");
  if (method === "sampling/createMessage" && (typeof a.role !== "string" || typeof a.content !== "object")) {
    throw bad("CreateMessageResult");
  }
  if (method === "roots/list" && !Array.isArray(a.roots)) throw bad("ListRootsResult");
  return a;
}

/** An accepted form answer must match the schema the server asked for: the user's client is not trusted. */
function checkedContent(answer: ElicitResult, check: JsonSchemaValidator): ElicitResult {
  if (answer.action !== "accept") return answer;
  const content = answer.content;
  const problems = typeof content === "object" && content !== null && !Array.isArray(content)
    ? check(content)
    : ["content: expected object"];
  if (problems.length) {
    throw new McpError(
      ErrorCode.InvalidParams,
      `The client's elicitation answer does not match the requested schema: ${problems.join("; ")}`,
    );
  }
  return answer;
}

/** Per-call MRTR bookkeeping the dispatcher reads after the handler returns. */
export interface Rounds {
  answers: Record<string, unknown>;
  missing: Record<string, InputRequest>;
  round: number;
}

/**
 * A handler's context for one call. A class: its methods live on the prototype and `signal` and
 * `trace` are read on first use, so a call whose handler never looks at them allocates one object
 * (an object literal with five closures, and an AbortController per call, were measured on the
 * hot path). Read its properties or destructure it; a spread copy (`{ ...context }`) has no methods.
 */
class CallContext implements HandlerContext {
  declare auth: HandlerContext["auth"];
  declare providerToken: string | undefined;
  declare resolvedHeaders: Record<string, string>;
  declare requestId: HandlerContext["requestId"];
  declare protocolVersion: string;
  declare sessionId: string | undefined;
  declare clientCapabilities: Record<string, unknown>;
  #scope: CallScope;
  #request: JsonRpcRequest;
  #rounds: Rounds | undefined;
  #stateless: boolean;
  #minLevel: number;
  #asked: number;
  #flush: ReturnType<typeof setTimeout> | undefined;
  #waiting: Array<(e: Error) => void> | undefined;
  #trace: TraceContext | undefined | null;
  constructor(scope: CallScope, request: JsonRpcRequest, rounds: Rounds | undefined) {
    const http = scope.http;
    const stateless = isStatelessEra(scope.protocolVersion);
    this.auth = http.auth;
    this.providerToken = http.providerToken;
    this.resolvedHeaders = http.resolvedHeaders;
    this.requestId = request.id;
    this.protocolVersion = scope.protocolVersion;
    this.sessionId = scope.sessionId;
    this.clientCapabilities = scope.clientCapabilities;
    this.#scope = scope;
    this.#request = request;
    this.#rounds = rounds;
    this.#stateless = stateless;
    this.#asked = 0;
    this.#flush = undefined;
    this.#waiting = undefined;
    this.#trace = null; // not read yet
    // 2026-07-28: no log messages unless the request asked for a level; 2025: the session's level, else everything.
    const level = scope.logLevel ?? (stateless ? undefined : "debug");
    this.#minLevel = level === undefined ? Infinity : LOG_LEVELS.indexOf(level);
  }

  get signal(): AbortSignal {
    return this.#scope.signal;
  }

  get trace(): TraceContext | undefined {
    if (this.#trace !== null) return this.#trace;
    const http = this.#scope.http;
    return (this.#trace = traceOf(this.#meta()) ?? parseTraceparent(http.traceparent, http.tracestate));
  }

  #meta(): Record<string, unknown> {
    return (this.#request.params?._meta ?? {}) as Record<string, unknown>;
  }

  async progress(progress: number, total?: number, message?: string): Promise<void> {
    const progressToken = this.#meta().progressToken as string | number | undefined;
    if (progressToken === undefined) return;
    await this.#scope.notify("notifications/progress", {
      progressToken,
      progress,
      ...(total !== undefined && { total }),
      ...(message !== undefined && { message }),
    });
  }

  async log(level: LogLevel, data: unknown, logger?: string): Promise<void> {
    if (LOG_LEVELS.indexOf(level) < this.#minLevel) return;
    await this.#scope.notify("notifications/message", { level, data, ...(logger && { logger }) });
  }

  elicit(params: ElicitParams, options?: AskOptions): Promise<ElicitResult> {
    let check: JsonSchemaValidator | undefined;
    try {
      // Compiled before asking: a schema it cannot enforce fails the handler, not the user's answer.
      check = params.requestedSchema ? plainValidator(params.requestedSchema) : undefined;
    } catch (error) {
      return Promise.reject(error);
    }
    const asked = this.#ask("elicitation/create", params as Record<string, unknown>, options) as Promise<ElicitResult>;
    return check ? asked.then((answer) => checkedContent(answer, check)) : asked;
  }

  sample(params: SampleParams, options?: AskOptions): Promise<SampleResult> {
    return this.#ask("sampling/createMessage", params as Record<string, unknown>, options) as Promise<SampleResult>;
  }

  listRoots(options?: AskOptions): Promise<{ roots: Array<{ uri: string; name?: string }> }> {
    return this.#ask("roots/list", {}, options) as Promise<{ roots: Array<{ uri: string; name?: string }> }>;
  }

  #ask(method: string, params: Record<string, unknown>, options?: AskOptions): Promise<Record<string, unknown>> {
    const scope = this.#scope;
    const rounds = this.#rounds;
    const capability = CAPABILITY_OF[method];
    if (capability && !(capability in scope.clientCapabilities)) {
      // 2026-07-28: MissingRequiredClientCapability, answered with HTTP 400 by the transport.
      return Promise.reject(
        new McpError(-32021, `This request needs the client capability "${capability}"`, { requiredCapabilities: { [capability]: {} } }),
      );
    }
    if (!this.#stateless || !rounds) return scope.request(method, params);
    const key = options?.key ?? `input-${this.#asked}`;
    this.#asked++;
    if (key in rounds.answers) {
      try {
        return Promise.resolve(checkAnswer(method, key, rounds.answers[key]));
      } catch (error) {
        return Promise.reject(error);
      }
    }
    rounds.missing[key] = { method, params };
    const waiting = this.#waiting ??= [];
    // Wait one macrotask so sibling questions (Promise.all) join the same round, then unwind the handler.
    this.#flush ??= setTimeout(() => {
      this.#flush = undefined; // a handler that catches this and asks again gets a new round
      const error = new InputRequired(rounds.missing);
      for (const fail of waiting.splice(0)) fail(error);
    }, 0);
    return new Promise((_, reject) => waiting.push(reject));
  }
}

export function createHandlerContext(scope: CallScope, request: JsonRpcRequest, rounds?: Rounds): HandlerContext {
  return new CallContext(scope, request, rounds);
}
