/**
 * @module Prompts: definitions with declared arguments, argument checks, and `prompts/get` results.
 */
import type { HandlerContext } from "./context.ts";
import type { Completer } from "./resources.ts";

export interface PromptArgument {
  name: string;
  title?: string;
  description?: string;
  required?: boolean;
}

export interface PromptMessage {
  role: "user" | "assistant";
  content: { type: string; [key: string]: unknown };
}

/**
 * A `prompts/get` result: the messages to put in front of the model, and an optional description.
 * A prompt's `get` may return this, or a string (one user text message).
 *
 * @example
 * ```ts
 * import { definePrompt, type GetPromptResult } from "gatehouse";
 *
 * const review = definePrompt({
 *   name: "review",
 *   arguments: [{ name: "code", required: true }],
 *   get: ({ code }): GetPromptResult => ({
 *     description: "Code review",
 *     messages: [
 *       { role: "user", content: { type: "text", text: `Review this code:\n${code}` } },
 *     ],
 *   }),
 * });
 * ```
 */
export interface GetPromptResult {
  description?: string;
  messages: PromptMessage[];
  [key: string]: unknown;
}

/**
 * A prompt, as {@link definePrompt} declares it. Before `get(args, context)` runs, the arguments are
 * checked against `arguments`: a missing `required` one, or a value that is not a string, is a
 * JSON-RPC -32602 error naming it (undeclared extra arguments are passed through). `get` may return a
 * {@link GetPromptResult} or a string (one user text message); a thrown `McpError` is sent as is, any
 * other error as -32603 "Internal error". `complete` maps an argument name to a completer
 * (`completion/complete` with `ref/prompt`).
 *
 * @example
 * ```ts
 * import { definePrompt, type PromptDefinition } from "gatehouse";
 *
 * const summarize: PromptDefinition = definePrompt({
 *   name: "summarize",
 *   description: "Summarize a text in a given tone",
 *   arguments: [{ name: "text", required: true }, { name: "tone" }],
 *   complete: { tone: (typed) => ["formal", "casual"].filter((t) => t.startsWith(typed)) },
 *   get: ({ text, tone }) => `Summarize in a ${tone ?? "neutral"} tone:\n\n${text}`,
 * });
 * ```
 */
export interface PromptDefinition {
  name: string;
  title?: string;
  description?: string;
  arguments?: PromptArgument[];
  icons?: Array<{ src: string; mimeType?: string; sizes?: string[] }>;
  _meta?: Record<string, unknown>;
  /** Completions for argument values (`completion/complete` with `ref/prompt`). */
  complete?: Record<string, Completer>;
  get: (args: Record<string, string>, context: HandlerContext) => GetPromptResult | string | Promise<GetPromptResult | string>;
}

/**
 * Declares a prompt (see {@link PromptDefinition}). Returns its argument unchanged; `createServer`
 * refuses duplicate names with a `TypeError`.
 *
 * @example
 * ```ts
 * import { createServer, definePrompt } from "gatehouse";
 *
 * const greet = definePrompt({
 *   name: "greet",
 *   arguments: [{ name: "name", required: true }],
 *   get: ({ name }) => `Write a friendly greeting for ${name}.`,
 * });
 *
 * createServer({ name: "prompts", version: "1.0.0", prompts: [greet] });
 * ```
 */
export const definePrompt = (d: PromptDefinition) => d;

export function promptListEntry(d: PromptDefinition): Record<string, unknown> {
  return {
    name: d.name,
    ...(d.title !== undefined && { title: d.title }),
    ...(d.description !== undefined && { description: d.description }),
    ...(d.arguments && { arguments: d.arguments }),
    ...(d.icons && { icons: d.icons }),
    ...(d._meta && { _meta: d._meta }),
  };
}

/** Names of required arguments that are missing, and arguments that are not strings. */
export function checkPromptArguments(d: PromptDefinition, args: unknown): string | undefined {
  if (args !== undefined && (typeof args !== "object" || args === null || Array.isArray(args))) {
    return "arguments must be an object of strings";
  }
  const given = (args ?? {}) as Record<string, unknown>;
  const missing = (d.arguments ?? []).filter((a) => a.required && given[a.name] === undefined).map((a) => a.name);
  if (missing.length) return `missing required argument${missing.length > 1 ? "s" : ""}: ${missing.join(", ")}`;
  const bad = Object.entries(given).filter(([, v]) => typeof v !== "string").map(([k]) => k);
  if (bad.length) return `argument values must be strings: ${bad.join(", ")}`;
  return undefined;
}

export function toPromptResult(value: GetPromptResult | string): GetPromptResult {
  return typeof value === "string" ? { messages: [{ role: "user", content: { type: "text", text: value } }] } : value;
}
