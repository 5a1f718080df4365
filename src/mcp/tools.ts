/**
 * @module Tools: `defineTool`, the precomputed `tools/list` entries, and turning a handler's return value into a CallToolResult.
 */
import type { z } from "zod";
import type { ToolMiddleware } from "./middleware.ts";
import type { HandlerContext } from "./context.ts";
import { headerParamsOf } from "./envelope.ts";
import { isZod, type JsonSchemaObject, type SchemaLike, toJsonSchema } from "./schema.ts";
import type { TaskHandoff, ToolTaskOption } from "./tasks.ts";

export interface ToolAnnotations {
  title?: string;
  readOnlyHint?: boolean;
  destructiveHint?: boolean;
  idempotentHint?: boolean;
  openWorldHint?: boolean;
  [key: string]: unknown;
}

/** A content block of a tool result (text, image, audio, resource link, embedded resource). */
export type ContentBlock = { type: string; [key: string]: unknown };

export interface CallToolResult {
  content: ContentBlock[];
  structuredContent?: Record<string, unknown>;
  isError?: boolean;
  _meta?: Record<string, unknown>;
  [key: string]: unknown;
}


type Infer<S> = S extends z.ZodType ? z.output<S> : Record<string, unknown>;

/** What a handler may return: a full CallToolResult, a string (one text block), structured data, or `runAsTask(work)`. */
export type ToolReturn<O> = CallToolResult | string | O | TaskHandoff<CallToolResult | string | O>;

export interface ToolDefinition<I extends SchemaLike = SchemaLike, O extends SchemaLike = SchemaLike> {
  name: string;
  title?: string;
  description?: string;
  inputSchema?: I;
  outputSchema?: O;
  annotations?: ToolAnnotations;
  icons?: Array<{ src: string; mimeType?: string; sizes?: string[] }>;
  _meta?: Record<string, unknown>;
  /** Reject callers without an identity before the handler runs. */
  requiresAuth?: boolean;
  /** Scopes the caller must hold (HTTP 403 `insufficient_scope` naming all of them otherwise). */
  scopes?: readonly string[];
  /**
   * Checks run in order before the handler, as other frameworks' tool middleware:
   * `[requireAuth({ check, message }), rateLimit({ rps, burst })]`. A refusal is an HTTP 401/403/429.
   */
  middlewares?: readonly ToolMiddleware[];
  /** Hide from `tools/list` for callers that could not call it. */
  hideWhenUnauthorized?: boolean;
  /** Rate-limit weight of one call, in tokens of the caller's bucket (default 1). */
  cost?: number;
  /**
   * Run as a task (`io.modelcontextprotocol/tasks`, needs `createServer({ tasks })`): `"optional"`
   * for clients that negotiated the extension, `"required"` refuses the others with -32021.
   * `{ support, start: "handler" }`: the handler decides when, by returning `runAsTask(work)`.
   */
  task?: ToolTaskOption | false;
  handler: (args: Infer<I>, context: HandlerContext) => ToolReturn<Infer<O>> | Promise<ToolReturn<Infer<O>>>;
}

/** A tool with its `tools/list` entry computed once (DESIGN §8: precompute what does not change per request). */
export interface CompiledTool {
  definition: ToolDefinition;
  listEntry: Record<string, unknown>;
  /** Arguments mirrored into `Mcp-Param-*` headers (SEP-2243). */
  headerParams: Array<[argument: string, header: string]>;
}

/** Declares a tool; typing `args` from the zod input schema. */
export function defineTool<I extends SchemaLike = JsonSchemaObject, O extends SchemaLike = JsonSchemaObject>(
  definition: ToolDefinition<I, O>,
): ToolDefinition<I, O> {
  return definition;
}

const EMPTY_INPUT = { type: "object", properties: {} } as const;

export function compileTool(definition: ToolDefinition): CompiledTool {
  if (!/^[A-Za-z0-9_.\-\/]{1,128}$/.test(definition.name)) {
    throw new TypeError(`Tool name ${JSON.stringify(definition.name)} must be 1-128 of A-Z a-z 0-9 _ - . /`);
  }
  const listEntry: Record<string, unknown> = {
    name: definition.name,
    ...(definition.title !== undefined && { title: definition.title }),
    ...(definition.description !== undefined && { description: definition.description }),
    inputSchema: definition.inputSchema ? toJsonSchema(definition.inputSchema, "input") : EMPTY_INPUT,
    ...(definition.outputSchema && { outputSchema: toJsonSchema(definition.outputSchema, "output") }),
    ...(definition.annotations && { annotations: definition.annotations }),
    ...(definition.icons && { icons: definition.icons }),
    ...(definition._meta && { _meta: definition._meta }),
  };
  return { definition, listEntry, headerParams: headerParamsOf(listEntry.inputSchema as Record<string, unknown>) };
}

const isCallToolResult = (v: unknown): v is CallToolResult =>
  typeof v === "object" && v !== null && Array.isArray((v as CallToolResult).content);

/** Normalises a handler's return value into a CallToolResult. */
export function toCallToolResult(value: unknown, definition: ToolDefinition): CallToolResult {
  if (isCallToolResult(value)) return value;
  if (typeof value === "string") return { content: [{ type: "text", text: value }] };
  if (value === undefined || value === null) return { content: [] };
  const text = JSON.stringify(value);
  if (definition.outputSchema && typeof value === "object" && !Array.isArray(value)) {
    return { content: [{ type: "text", text }], structuredContent: value as Record<string, unknown> };
  }
  return { content: [{ type: "text", text }] };
}

/** A tool execution error, reported in the result so the model can see it (MCP: tools, error handling). */
export function toolError(message: string, extra?: Record<string, unknown>): CallToolResult {
  return { content: [{ type: "text", text: message }], isError: true, ...extra };
}

export const hasZodOutput = (d: ToolDefinition) => d.outputSchema !== undefined && isZod(d.outputSchema);
