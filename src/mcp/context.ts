/**
 * @module The context every tool, resource and prompt handler receives: who is calling, and how to talk back.
 */
import type { Identity } from "../auth/identity.ts";
import type { JsonRpcId } from "./jsonrpc.ts";
import type { TraceContext } from "../observe/trace.ts";

/**
 * The RFC 5424 severities MCP log messages use, least severe first. `context.log(level, …)` sends a
 * message only when `level` is at or above what the client asked for (`logging/setLevel` in a 2025
 * session, the request's `_meta` log level in 2026-07-28, where nothing is sent unless asked).
 * This is the client-facing MCP log; Gatehouse's own log lines use {@link Level}.
 *
 * @example
 * ```ts
 * import { defineTool, type LogLevel } from "gatehouse";
 *
 * const level: LogLevel = "warning";
 * const sync = defineTool({
 *   name: "sync",
 *   handler: async (_args, context) => {
 *     await context.log(level, { skipped: 3 }, "sync");
 *     return "done";
 *   },
 * });
 * ```
 */
export type LogLevel = "debug" | "info" | "notice" | "warning" | "error" | "critical" | "alert" | "emergency";
export const LOG_LEVELS: readonly LogLevel[] = ["debug", "info", "notice", "warning", "error", "critical", "alert", "emergency"];

/**
 * Parameters of `context.elicit()`: an `elicitation/create` request. Form mode (the default) asks
 * the user to fill `requestedSchema`, a flat JSON Schema object of primitive properties; URL mode
 * (`mode: "url"`, with `url` and `elicitationId`) sends the user to a page. Gatehouse passes the
 * parameters to the client without validating the schema.
 *
 * @example
 * ```ts
 * import { defineTool, type ElicitParams } from "gatehouse";
 *
 * const question: ElicitParams = {
 *   message: "Which environment should I deploy to?",
 *   requestedSchema: {
 *     type: "object",
 *     properties: { env: { type: "string", enum: ["staging", "production"] } },
 *     required: ["env"],
 *   },
 * };
 *
 * const deploy = defineTool({
 *   name: "deploy",
 *   handler: async (_args, context) => {
 *     const answer = await context.elicit(question);
 *     return answer.action === "accept" ? `Deploying to ${String(answer.content?.env)}` : "Cancelled";
 *   },
 * });
 * ```
 */
export interface ElicitParams {
  message: string;
  requestedSchema?: Record<string, unknown>;
  mode?: "form" | "url";
  url?: string;
  elicitationId?: string;
  [key: string]: unknown;
}
/**
 * The client's answer to `context.elicit()`: `action` is `"accept"` (with the user's `content`),
 * `"decline"` or `"cancel"`. An accepted answer to a question with a `requestedSchema` has been
 * checked against it (see `compileJsonSchema`): a `content` that does not match rejects `elicit()`
 * with an `McpError` (-32602) naming the fields, so the handler never sees it. Without a schema,
 * `content` is whatever the client sent.
 *
 * @example
 * ```ts
 * import { defineTool, type ElicitResult } from "gatehouse";
 *
 * const rename = defineTool({
 *   name: "rename",
 *   handler: async (_args, context) => {
 *     const answer: ElicitResult = await context.elicit({
 *       message: "New name?",
 *       requestedSchema: { type: "object", properties: { name: { type: "string" } } },
 *     });
 *     const name = answer.action === "accept" ? answer.content?.name : undefined;
 *     return typeof name === "string" ? `Renamed to ${name}` : "Left unchanged";
 *   },
 * });
 * ```
 */
export interface ElicitResult {
  action: "accept" | "decline" | "cancel";
  content?: Record<string, unknown>;
  [key: string]: unknown;
}
/**
 * Parameters of `context.sample()`: a `sampling/createMessage` request asking the client's model for
 * a completion. Other fields of the request (`modelPreferences`, `temperature`, …) are passed through.
 *
 * @example
 * ```ts
 * import { defineTool, type SampleParams } from "gatehouse";
 *
 * const title = defineTool({
 *   name: "suggest_title",
 *   handler: async (_args, context) => {
 *     const params: SampleParams = {
 *       messages: [{ role: "user", content: { type: "text", text: "Suggest a title for a post about KV stores." } }],
 *       maxTokens: 50,
 *     };
 *     const reply = await context.sample(params);
 *     return JSON.stringify(reply.content);
 *   },
 * });
 * ```
 */
export interface SampleParams {
  messages: Array<{ role: "user" | "assistant"; content: unknown }>;
  maxTokens: number;
  systemPrompt?: string;
  [key: string]: unknown;
}
/**
 * The client's answer to `context.sample()`: the model's message (`content`), which model produced
 * it, and why it stopped. It is what the client sent, not checked by Gatehouse.
 *
 * @example
 * ```ts
 * import { defineTool, type SampleResult } from "gatehouse";
 *
 * const haiku = defineTool({
 *   name: "haiku",
 *   handler: async (_args, context) => {
 *     const reply: SampleResult = await context.sample({
 *       messages: [{ role: "user", content: { type: "text", text: "A haiku about rate limits" } }],
 *       maxTokens: 60,
 *     });
 *     return `${reply.model}: ${JSON.stringify(reply.content)}`;
 *   },
 * });
 * ```
 */
export interface SampleResult {
  role: "assistant";
  content: unknown;
  model: string;
  stopReason?: string;
  [key: string]: unknown;
}

/**
 * Options of a question to the client (`context.elicit`, `context.sample`, `context.listRoots`).
 *
 * @example
 * ```ts
 * import { defineTool } from "gatehouse";
 *
 * const greet = defineTool({
 *   name: "greet",
 *   handler: async (_args, context) => {
 *     const answer = await context.elicit({ message: "Your name?" }, { key: "user_name" });
 *     return `Hello ${String(answer.content?.name ?? "there")}`;
 *   },
 * });
 * ```
 */
export interface AskOptions {
  /**
   * The key of this question in a 2026-07-28 InputRequiredResult (default: its position, `input-0`,
   * `input-1`, …). Give one when a client or test expects a particular key.
   */
  key?: string;
}

/**
 * The second argument of every tool, resource and prompt handler: who is calling, what the request
 * said, and how to talk back to the client.
 *
 * Asking the client (`elicit`, `sample`, `listRoots`) is the same code for both protocol eras: a
 * 2025 client gets a server-to-client request on the response's SSE stream; a 2026-07-28 client gets
 * an `input_required` result and retries with the answers, and the handler then runs again from the
 * top and finds its answer (so code before a question may run more than once; keep it idempotent).
 * Questions asked together (`Promise.all`) go out in one round. Asking for a capability the client
 * did not declare rejects with an `McpError` -32021.
 *
 * @example
 * ```ts
 * import { assertProviderToken, defineTool } from "gatehouse";
 *
 * const repos = defineTool({
 *   name: "my_repos",
 *   requiresAuth: true,
 *   handler: async (_args, context) => {
 *     assertProviderToken(context); // the caller's upstream credential, or "Authentication required"
 *     await context.log("info", { user: context.auth?.subject });
 *     const response = await fetch("https://api.github.com/user/repos", {
 *       headers: context.resolvedHeaders,
 *       signal: context.signal,
 *     });
 *     return await response.json();
 *   },
 * });
 * ```
 */
export interface HandlerContext {
  /** Aborted when the client cancels (`notifications/cancelled`), disconnects, or the call times out. */
  signal: AbortSignal;
  /**
   * The caller, as the auth strategy resolved them. Under `none` over HTTP this is an anonymous
   * identity (`{ strategy: "none", scopes: [] }`); over stdio (no HTTP auth) it is `null`.
   */
  auth: Identity | null;
  /** The upstream credential for this caller, when the strategy has one. Never the client's own token under `oauth`. */
  providerToken?: string;
  /** Headers to send upstream for the active strategy. */
  resolvedHeaders: Record<string, string>;
  /** The JSON-RPC id of the request being served. */
  requestId: JsonRpcId;
  /** The protocol revision of this request. */
  protocolVersion: string;
  /** The caller's W3C trace context (`_meta.traceparent`, else the `traceparent` header): continue it in upstream calls. */
  trace?: TraceContext;
  /** The 2025 session id, when the client has one. */
  sessionId?: string;
  /** The client's declared capabilities (from `initialize` or, in 2026-07-28, the request's `_meta`). */
  clientCapabilities: Record<string, unknown>;
  /** Reports progress when the client asked for it (a `progressToken`); a no-op otherwise. */
  progress(progress: number, total?: number, message?: string): Promise<void>;
  /** Sends a `notifications/message` log entry when `level` passes the client's requested level. */
  log(level: LogLevel, data: unknown, logger?: string): Promise<void>;
  /** Asks the user for input through the client. Same code serves 2026-07-28 (MRTR) and 2025 (SSE request). */
  elicit(params: ElicitParams, options?: AskOptions): Promise<ElicitResult>;
  /** Asks the client's model for a completion. Same dual-era behaviour as `elicit`. */
  sample(params: SampleParams, options?: AskOptions): Promise<SampleResult>;
  /** Lists the client's roots (`roots/list`). */
  listRoots(options?: AskOptions): Promise<{ roots: Array<{ uri: string; name?: string }> }>;
}
