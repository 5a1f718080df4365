/**
 * @module Resources and resource templates: definitions, RFC 6570 template matching, and read results.
 */
import type { HandlerContext } from "./context.ts";

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

export interface ResourceDefinition extends Described {
  uri: string;
  size?: number;
  read: (uri: string, context: HandlerContext) => ReadReturn | Promise<ReadReturn>;
}

/** Completes one template variable from what the user has typed so far. */
export type Completer = (value: string, context: { arguments: Record<string, string> }) => string[] | Promise<string[]>;

export interface ResourceTemplateDefinition extends Described {
  uriTemplate: string;
  read: (uri: string, variables: Record<string, string>, context: HandlerContext) => ReadReturn | Promise<ReadReturn>;
  /** Completions for template variables (`completion/complete` with `ref/resource`). */
  complete?: Record<string, Completer>;
}

export const defineResource = (d: ResourceDefinition) => d;
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
