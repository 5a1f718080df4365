/**
 * @module Resources and resource templates: definitions, RFC 6570 template matching, and read results.
 */
import type { HandlerContext } from "./context.ts";

/**
 * One item of a `resources/read` result: the `uri` it came from, and either `text` or `blob`
 * (base64-encoded bytes), with an optional `mimeType`. Gatehouse sends it as given; it does not check
 * that exactly one of `text` and `blob` is set.
 *
 * @example
 * ```ts
 * import { defineResource, type ResourceContents } from "gatehouse";
 *
 * const logo = defineResource({
 *   uri: "assets://logo.png",
 *   name: "logo",
 *   mimeType: "image/png",
 *   read: (uri): ResourceContents => ({ uri, mimeType: "image/png", blob: "iVBORw0KGgo=" }),
 * });
 * ```
 */
export interface ResourceContents {
  uri: string;
  mimeType?: string;
  text?: string;
  blob?: string;
  _meta?: Record<string, unknown>;
}

/** What a read handler may return: contents, a list of contents, or a string (text with the resource's mime type). */
export type ReadReturn = string | ResourceContents | ResourceContents[] | { contents: ResourceContents[] };

interface Described {
  name: string;
  title?: string;
  description?: string;
  mimeType?: string;
  annotations?: Record<string, unknown>;
  icons?: Array<{ src: string; mimeType?: string; sizes?: string[] }>;
  _meta?: Record<string, unknown>;
}

/**
 * A fixed resource, as {@link defineResource} declares it: listed by `resources/list` (in definition
 * order) and read by `resources/read` with exactly this `uri`. `read(uri, context)` may return a
 * string (one text item with the resource's `mimeType`), one {@link ResourceContents}, an array of
 * them, or `{ contents }`. A thrown `McpError` is sent as that JSON-RPC error; any other thrown error
 * as -32603 "Internal error" (its message goes only to the server's log).
 *
 * @example
 * ```ts
 * import { defineResource, type ResourceDefinition } from "gatehouse";
 *
 * const changelog: ResourceDefinition = defineResource({
 *   uri: "docs://changelog",
 *   name: "changelog",
 *   title: "Changelog",
 *   mimeType: "text/markdown",
 *   read: () => "# 1.0.0\n\nFirst release.",
 * });
 * ```
 */
export interface ResourceDefinition extends Described {
  uri: string;
  size?: number;
  read: (uri: string, context: HandlerContext) => ReadReturn | Promise<ReadReturn>;
}

/** Completes one template variable from what the user has typed so far. */
export type Completer = (value: string, context: { arguments: Record<string, string> }) => string[] | Promise<string[]>;

/**
 * A family of resources addressed by an RFC 6570 URI template, as {@link defineResourceTemplate}
 * declares it: listed by `resources/templates/list`. A `resources/read` whose URI is not a fixed
 * resource is matched against the templates in definition order; the first that matches reads it,
 * with the decoded variables. Supported template syntax: `{var}` (one path segment, no `/`),
 * `{+var}` / `{#var}` (may span `/`) and the query form `{?a,b}`. A URI no resource or template
 * matches is an error naming the URI (-32002 in the 2025 revisions, -32602 in 2026-07-28).
 *
 * @example
 * ```ts
 * import { defineResourceTemplate } from "gatehouse";
 *
 * const users = ["ada", "grace", "linus"];
 * const profile = defineResourceTemplate({
 *   uriTemplate: "users://{id}/profile",
 *   name: "user-profile",
 *   mimeType: "application/json",
 *   read: (uri, { id }) => ({ uri, mimeType: "application/json", text: JSON.stringify({ id }) }),
 *   complete: { id: (typed) => users.filter((u) => u.startsWith(typed)) },
 * });
 * ```
 */
export interface ResourceTemplateDefinition extends Described {
  uriTemplate: string;
  read: (uri: string, variables: Record<string, string>, context: HandlerContext) => ReadReturn | Promise<ReadReturn>;
  /** Completions for template variables (`completion/complete` with `ref/resource`). */
  complete?: Record<string, Completer>;
}

/**
 * Declares a fixed resource (see {@link ResourceDefinition}). Returns its argument unchanged: it
 * exists for typing and for symmetry with {@link defineTool}. Duplicate URIs are refused by
 * `createServer` with a `TypeError`.
 *
 * @example
 * ```ts
 * import { createServer, defineResource } from "gatehouse";
 *
 * const readme = defineResource({
 *   uri: "docs://readme",
 *   name: "readme",
 *   mimeType: "text/markdown",
 *   read: async (_uri, context) => `Hello ${context.auth?.subject ?? "there"}`,
 * });
 *
 * createServer({ name: "docs", version: "1.0.0", resources: [readme] });
 * ```
 */
export const defineResource = (d: ResourceDefinition) => d;
/**
 * Declares a resource template (see {@link ResourceTemplateDefinition}). Returns its argument
 * unchanged. The template is compiled by `createServer`; `complete` maps a variable name to a
 * completer served through `completion/complete` (`ref/resource`, at most 100 values per answer).
 *
 * @example
 * ```ts
 * import { createServer, defineResourceTemplate } from "gatehouse";
 *
 * const file = defineResourceTemplate({
 *   uriTemplate: "files:///{+path}",
 *   name: "file",
 *   read: (uri, { path }) => ({ uri, mimeType: "text/plain", text: `contents of ${path}` }),
 * });
 *
 * createServer({ name: "files", version: "1.0.0", resourceTemplates: [file] });
 * ```
 */
export const defineResourceTemplate = (d: ResourceTemplateDefinition) => d;

export function describe(d: Described, extra: Record<string, unknown>): Record<string, unknown> {
  return {
    ...extra,
    name: d.name,
    ...(d.title !== undefined && { title: d.title }),
    ...(d.description !== undefined && { description: d.description }),
    ...(d.mimeType !== undefined && { mimeType: d.mimeType }),
    ...(d.annotations && { annotations: d.annotations }),
    ...(d.icons && { icons: d.icons }),
    ...(d._meta && { _meta: d._meta }),
  };
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/**
 * Compiles an RFC 6570 template (levels 1-2 plus form-style query `{?a,b}`) into a matcher that
 * returns the decoded variables, or undefined when the URI does not fit.
 */
export function compileTemplate(template: string): (uri: string) => Record<string, string> | undefined {
  const names: Array<{ name: string; query?: boolean }> = [];
  let pattern = "";
  let last = 0;
  for (const m of template.matchAll(/\{([+#?&]?)([^}]+)\}/g)) {
    pattern += escapeRegExp(template.slice(last, m.index));
    last = m.index! + m[0].length;
    const [op, vars] = [m[1], m[2].split(",").map((v) => v.trim().replace(/\*$/, ""))];
    if (op === "?" || op === "&") {
      pattern += `(?:[?&]([^#]*))?`;
      names.push({ name: vars.join(","), query: true });
    } else {
      for (const [i, v] of vars.entries()) {
        if (i > 0) pattern += ",";
        pattern += op === "+" || op === "#" ? "(.+?)" : "([^/?#,]+)";
        names.push({ name: v });
      }
    }
  }
  pattern += escapeRegExp(template.slice(last));
  const re = new RegExp(`^${pattern}$`);
  return (uri) => {
    const m = re.exec(uri);
    if (!m) return undefined;
    const out: Record<string, string> = {};
    names.forEach((n, i) => {
      const raw = m[i + 1];
      if (raw === undefined) return;
      if (n.query) {
        for (const [k, v] of new URLSearchParams(raw)) if (n.name.split(",").includes(k)) out[k] = v;
      } else {
        try {
          out[n.name] = decodeURIComponent(raw);
        } catch {
          out[n.name] = raw;
        }
      }
    });
    return out;
  };
}

/** Normalises a read handler's return value into `{ contents }`. */
export function toReadResult(value: ReadReturn, uri: string, mimeType?: string): { contents: ResourceContents[] } {
  if (typeof value === "string") return { contents: [{ uri, ...(mimeType && { mimeType }), text: value }] };
  if (Array.isArray(value)) return { contents: value };
  if ("contents" in value) return { contents: value.contents };
  return { contents: [value] };
}
