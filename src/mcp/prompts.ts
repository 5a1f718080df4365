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

export interface GetPromptResult {
  description?: string;
  messages: PromptMessage[];
  [key: string]: unknown;
}

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
