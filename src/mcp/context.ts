/**
 * @module The context every tool, resource and prompt handler receives: who is calling, and how to talk back.
 */
import type { Identity } from "../auth/identity.ts";
import type { JsonRpcId } from "./jsonrpc.ts";
import type { TraceContext } from "../observe/trace.ts";

export type LogLevel = "debug" | "info" | "notice" | "warning" | "error" | "critical" | "alert" | "emergency";
export const LOG_LEVELS: readonly LogLevel[] = ["debug", "info", "notice", "warning", "error", "critical", "alert", "emergency"];

/** `elicitation/create` parameters (form mode). */
export interface ElicitParams {
  message: string;
  requestedSchema?: Record<string, unknown>;
  mode?: "form" | "url";
  url?: string;
  elicitationId?: string;
  [key: string]: unknown;
}
export interface ElicitResult {
  action: "accept" | "decline" | "cancel";
  content?: Record<string, unknown>;
  [key: string]: unknown;
}
/** `sampling/createMessage` parameters. */
export interface SampleParams {
  messages: Array<{ role: "user" | "assistant"; content: unknown }>;
  maxTokens: number;
  systemPrompt?: string;
  [key: string]: unknown;
}
export interface SampleResult {
  role: "assistant";
  content: unknown;
  model: string;
  stopReason?: string;
  [key: string]: unknown;
}

/** Options of a question to the client. */
export interface AskOptions {
  /**
   * The key of this question in a 2026-07-28 InputRequiredResult (default: its position, `input-0`,
   * `input-1`, …). Give one when a client or test expects a particular key.
   */
  key?: string;
}

/** What a handler gets as its second argument. */
export interface HandlerContext {
  /** Aborted when the client cancels (`notifications/cancelled`), disconnects, or the call times out. */
  signal: AbortSignal;
  /** The caller, as the auth strategy resolved them; `null` with the `none` strategy. */
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
