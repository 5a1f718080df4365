/**
 * @module Tools: `defineTool`, the precomputed `tools/list` entries, and turning a handler's return value into a CallToolResult.
 */
import type { z } from "zod";
import type { ToolMiddleware } from "./middleware.ts";
import type { HandlerContext } from "./context.ts";
import { headerParamsOf } from "./envelope.ts";
import { type JsonSchemaObject, type SchemaLike, toJsonSchema } from "./schema.ts";
import type { TaskHandoff, ToolTaskOption } from "./tasks.ts";

/**
 * Hints about a tool's behaviour, passed to clients unchanged in `tools/list` (MCP tool
 * annotations). They are descriptions for the client and the model, not enforced by Gatehouse and
 * not to be trusted by clients from servers they do not trust: `readOnlyHint` (does not modify its
 * environment), `destructiveHint` (may delete or overwrite), `idempotentHint` (repeating a call has
 * no further effect), `openWorldHint` (talks to external entities). Extra keys are passed through.
 *
 * @example
 * ```ts
 * import { defineTool } from "gatehouse";
 *
 * const search = defineTool({
 *   name: "search",
 *   annotations: { title: "Search the docs", readOnlyHint: true, openWorldHint: false },
 *   handler: () => "no results",
 * });
 * ```
 */
export interface ToolAnnotations {
  title?: string;
  readOnlyHint?: boolean;
  destructiveHint?: boolean;
  idempotentHint?: boolean;
  openWorldHint?: boolean;
  [key: string]: unknown;
}

/**
 * One content block of a tool result or prompt message: `{ type: "text", text }`,
 * `{ type: "image" | "audio", data, mimeType }` (base64 data), `{ type: "resource_link", uri, name }`
 * or `{ type: "resource", resource }`. Only `type` is checked by the type system; the other fields
 * are sent as given.
 *
 * @example
 * ```ts
 * import type { ContentBlock } from "gatehouse";
 *
 * const blocks: ContentBlock[] = [
 *   { type: "text", text: "Here is the chart:" },
 *   { type: "image", data: "iVBORw0KGgo=", mimeType: "image/png" },
 *   { type: "resource_link", uri: "file:///reports/q3.csv", name: "q3.csv" },
 * ];
 * ```
 */
export type ContentBlock = { type: string; [key: string]: unknown };

/**
 * A `tools/call` result as sent to the client. A handler may return one whole (it is passed through
 * unchanged); `isError: true` marks a tool execution error the model should see, as opposed to a
 * JSON-RPC error (see {@link toolError}). `structuredContent`, when the tool declares an
 * `outputSchema`, is validated against it before it is sent.
 *
 * @example
 * ```ts
 * import { type CallToolResult, defineTool } from "gatehouse";
 *
 * const stats = defineTool({
 *   name: "stats",
 *   handler: (): CallToolResult => ({
 *     content: [{ type: "text", text: "3 open issues" }],
 *     _meta: { "example.com/source": "tracker" },
 *   }),
 * });
 * ```
 */
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

/**
 * A tool as {@link defineTool} declares it. The authorization fields (`requiresAuth`, `scopes`,
 * `middlewares`, `cost`) are decided before the handler runs. Over HTTP that happens before the
 * arguments are even validated, and a refusal is a 401 / 403 / 429 response. Where no status can
 * be sent (stdio, 2025-03-26 batches), `requiresAuth`, `scopes` and `requireAuth` refusals become a
 * tool error whose `_meta["gatehouse/authorization"]` says why; per-tool `rateLimit` and `cost`
 * apply over HTTP only.
 *
 * @example
 * ```ts
 * import { defineTool, rateLimit, requireAuth } from "gatehouse";
 * import { z } from "zod";
 *
 * const deleteFile = defineTool({
 *   name: "delete_file",
 *   description: "Deletes a file from the workspace",
 *   inputSchema: z.object({ path: z.string() }),
 *   annotations: { destructiveHint: true },
 *   scopes: ["files:write"],
 *   middlewares: [requireAuth({ check: ({ auth }) => auth.claims?.role === "admin", message: "Admins only" }), rateLimit({ rps: 1, burst: 5 })],
 *   hideWhenUnauthorized: true,
 *   handler: ({ path }) => `Deleted ${path}`,
 * });
 * ```
 */
export interface ToolDefinition<I extends SchemaLike = SchemaLike, O extends SchemaLike = SchemaLike> {
  /** Unique per server; 1-128 of `A-Z a-z 0-9 _ - . /` (checked by `createServer`). */
  name: string;
  /** Display name for people. */
  title?: string;
  /** What the tool does, for the model. */
  description?: string;
  /** A zod object schema (converted once to JSON Schema 2020-12) or a JSON Schema object passed through; default: no arguments. */
  inputSchema?: I;
  /** Declares structured output: data the handler returns is validated against it and sent as `structuredContent`. */
  outputSchema?: O;
  annotations?: ToolAnnotations;
  icons?: Array<{ src: string; mimeType?: string; sizes?: string[] }>;
  /** Sent as the `_meta` of the `tools/list` entry. */
  _meta?: Record<string, unknown>;
  /** Reject anonymous callers (no identity, or the `none` strategy's) before the handler runs. */
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
  /** Runs the call with the validated arguments; see {@link defineTool} for what it may return and throw. */
  handler: (args: Infer<I>, context: HandlerContext) => ToolReturn<Infer<O>> | Promise<ToolReturn<Infer<O>>>;
}

/** A tool with its `tools/list` entry computed once (DESIGN §8: precompute what does not change per request). */
export interface CompiledTool {
  definition: ToolDefinition;
  listEntry: Record<string, unknown>;
  /** Arguments mirrored into `Mcp-Param-*` headers (SEP-2243). */
  headerParams: Array<[argument: string, header: string]>;
}

/**
 * Declares a tool. At run time it returns `definition` unchanged; its purpose is typing: with a zod
 * `inputSchema` the handler's `args` are `z.output` of it (with a plain JSON Schema object, a
 * `Record<string, unknown>`), and with a zod `outputSchema` the handler's structured return value is
 * checked against it. Nothing is validated here; `createServer` compiles the tool (and throws on a
 * bad name or schema).
 *
 * Per call, Gatehouse validates the arguments against `inputSchema` first (a bad argument is a tool
 * error naming the field, the handler does not run), then calls `handler(args, context)` and turns
 * what it returns into a {@link CallToolResult}:
 * - a `CallToolResult` (an object with a `content` array): sent as is;
 * - a string: one text block;
 * - `undefined` or `null`: no content;
 * - other data: its JSON as a text block, and, when an `outputSchema` is declared and the value is a
 *   plain object, also `structuredContent`, validated against the schema (a mismatch is a JSON-RPC
 *   -32603 error, never an unchecked result);
 * - `runAsTask(work)`: the rest runs as a task (see {@link runAsTask}).
 *
 * Errors: an `McpError` thrown by the handler is sent as that JSON-RPC error; any other thrown error
 * becomes a tool error (`isError: true`) whose text is the error's `message`, which reaches the
 * client and the model, so keep secrets out of it. A handler still running at `requestTimeoutMs`,
 * or whose client cancelled, has `context.signal` aborted.
 *
 * @example
 * ```ts
 * import { defineTool, McpError } from "gatehouse";
 * import { z } from "zod";
 *
 * export const weather = defineTool({
 *   name: "weather",
 *   description: "Current weather for a city",
 *   inputSchema: z.object({ city: z.string().min(1) }),
 *   outputSchema: z.object({ tempC: z.number() }),
 *   handler: async ({ city }, context) => {
 *     await context.progress(0, 1, `Looking up ${city}`);
 *     const response = await fetch(`https://api.example/w?city=${encodeURIComponent(city)}`, {
 *       headers: context.resolvedHeaders,
 *       signal: context.signal,
 *     });
 *     if (response.status === 404) throw new McpError(-32602, `Unknown city: ${city}`);
 *     const body = await response.json() as { temp: number };
 *     return { tempC: body.temp }; // structuredContent (checked against outputSchema) plus a JSON text block
 *   },
 * });
 * ```
 */
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
    inputSchema: definition.inputSchema ? toolSchema(definition, definition.inputSchema, "input") : EMPTY_INPUT,
    ...(definition.outputSchema && { outputSchema: toolSchema(definition, definition.outputSchema, "output") }),
    ...(definition.annotations && { annotations: definition.annotations }),
    ...(definition.icons && { icons: definition.icons }),
    ...(definition._meta && { _meta: definition._meta }),
  };
  return { definition, listEntry, headerParams: headerParamsOf(listEntry.inputSchema as Record<string, unknown>) };
}

/**
 * `toJsonSchema`, its error naming the tool. Converted at definition on purpose, not on first listing
 * (which would save start-up ~2 ms for the demo's tools, measured): a schema zod cannot convert must
 * stop `createServer`, not break `tools/list` and the tool's 2026-07-28 calls later.
 */
function toolSchema(definition: ToolDefinition, schema: SchemaLike, io: "input" | "output"): Record<string, unknown> {
  try {
    return toJsonSchema(schema, io);
  } catch (error) {
    throw new TypeError(`Tool ${definition.name}: ${(error as Error).message}`);
  }
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

/**
 * Builds a tool execution error: `{ content: [{ type: "text", text: message }], isError: true }`,
 * with `extra`'s fields spread over it. Return it from a handler when the model should see what went
 * wrong and may retry (bad input it can fix, an upstream refusal); throw an `McpError` instead for a
 * protocol-level JSON-RPC error. The message is sent to the client as is: keep secrets out of it.
 *
 * @example
 * ```ts
 * import { defineTool, toolError } from "gatehouse";
 * import { z } from "zod";
 *
 * const transfer = defineTool({
 *   name: "transfer",
 *   inputSchema: z.object({ amount: z.number() }),
 *   handler: ({ amount }) =>
 *     amount > 1000
 *       ? toolError("Transfers above 1000 need approval; ask the user to split the amount.", { _meta: { limit: 1000 } })
 *       : `Transferred ${amount}`,
 * });
 * ```
 */
export function toolError(message: string, extra?: Record<string, unknown>): CallToolResult {
  return { content: [{ type: "text", text: message }], isError: true, ...extra };
}
