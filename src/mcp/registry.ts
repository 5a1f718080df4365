/**
 * @module The server's definitions compiled once: tool, resource, template and prompt tables plus their list pages.
 */
import { type CompiledTool, compileTool, type ToolDefinition } from "./tools.ts";
import { compileTemplate, describe, type ResourceDefinition, type ResourceTemplateDefinition } from "./resources.ts";
import { type PromptDefinition, promptListEntry } from "./prompts.ts";

export interface CompiledTemplate {
  definition: ResourceTemplateDefinition;
  match: (uri: string) => Record<string, string> | undefined;
  listEntry: Record<string, unknown>;
}

export interface Registry {
  tools: Map<string, CompiledTool>;
  toolList: Record<string, unknown>[];
  resources: Map<string, ResourceDefinition>;
  resourceList: Record<string, unknown>[];
  templates: CompiledTemplate[];
  templateList: Record<string, unknown>[];
  prompts: Map<string, PromptDefinition>;
  promptList: Record<string, unknown>[];
}

export interface Definitions {
  tools?: readonly ToolDefinition<any, any>[];
  resources?: readonly ResourceDefinition[];
  resourceTemplates?: readonly ResourceTemplateDefinition[];
  prompts?: readonly PromptDefinition[];
}

function unique<T>(items: readonly T[], key: (t: T) => string, kind: string): void {
  const seen = new Set<string>();
  for (const item of items) {
    const k = key(item);
    if (seen.has(k)) throw new TypeError(`Duplicate ${kind}: ${JSON.stringify(k)}`);
    seen.add(k);
  }
}

/** Builds the tables; throws at start-up (never per request) on duplicates or bad schemas. */
export function buildRegistry(defs: Definitions): Registry {
  const tools = (defs.tools ?? []).map((t) => compileTool(t as ToolDefinition));
  unique(tools, (t) => t.definition.name, "tool name");
  const resources = defs.resources ?? [];
  unique(resources, (r) => r.uri, "resource uri");
  const templates = (defs.resourceTemplates ?? []).map((t) => ({
    definition: t,
    match: compileTemplate(t.uriTemplate),
    listEntry: describe(t, { uriTemplate: t.uriTemplate }),
  }));
  const prompts = defs.prompts ?? [];
  unique(prompts, (p) => p.name, "prompt name");
  return {
    tools: new Map(tools.map((t) => [t.definition.name, t])),
    toolList: tools.map((t) => t.listEntry),
    resources: new Map(resources.map((r) => [r.uri, r])),
    resourceList: resources.map((r) => describe(r, { uri: r.uri, ...(r.size !== undefined && { size: r.size }) })),
    templates,
    templateList: templates.map((t) => t.listEntry),
    prompts: new Map(prompts.map((p) => [p.name, p])),
    promptList: prompts.map(promptListEntry),
  };
}

/** Opaque pagination: the cursor is the base64url offset into a list whose order never changes. */
export function page<T>(items: readonly T[], cursor: unknown, size: number): { items: T[]; nextCursor?: string } | undefined {
  let start = 0;
  if (cursor !== undefined) {
    if (typeof cursor !== "string" || cursor === "") return undefined;
    try {
      const n = Number(atob(cursor.replace(/-/g, "+").replace(/_/g, "/")));
      if (!Number.isSafeInteger(n) || n < 0 || n > items.length) return undefined;
      start = n;
    } catch {
      return undefined;
    }
  }
  const end = start + size;
  const nextCursor = end < items.length ? btoa(String(end)).replace(/=+$/, "") : undefined;
  return { items: items.slice(start, end), ...(nextCursor && { nextCursor }) };
}
