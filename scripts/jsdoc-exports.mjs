// Resolves every name src/mod.ts exports to the module that declares it, with the JSDoc block in
// front of that declaration. Shared by tests/docs/jsdoc.test.ts (every export is documented) and
// scripts/check-doc-examples.mjs (every example type-checks), so both read the code the same way.
import { readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";

/**
 * @typedef {object} PublicExport
 * @property {string} name        the name an application imports from "gatehouse"
 * @property {string} local       the name in the declaring module (differs for `x as y`)
 * @property {"value" | "type" | "namespace"} kind
 * @property {string} file        repository-relative path of the declaring module
 * @property {number} line        1-based line of the declaration (1 for a namespace)
 * @property {string | undefined} doc  the JSDoc text (without the comment markers), or undefined
 * @property {string | undefined} problem  why the declaration or its doc could not be found
 */

const DECLARATION = (name) =>
  new RegExp(
    String.raw`^export\s+(?:declare\s+)?(?:async\s+)?(?:function\*?|const|let|var|class|abstract\s+class|interface|type|enum)\s+` +
      name.replace(/\$/g, "\\$") + String.raw`(?![\w$])`,
    "m",
  );

/** The text inside a `/** … *\/` block: markers removed, one leading `* ` per line removed. */
export function commentText(block) {
  return block
    .replace(/^\/\*\*/, "")
    .replace(/\*\/$/, "")
    .split("\n")
    .map((line) => line.replace(/^\s*\* ?/, ""))
    .join("\n")
    .trim();
}

/** The JSDoc block that ends right before `index` (only whitespace between), or undefined. */
export function docBefore(source, index) {
  const before = source.slice(0, index).trimEnd();
  if (!before.endsWith("*/")) return undefined;
  const start = before.lastIndexOf("/**");
  if (start < 0) return undefined;
  const block = before.slice(start);
  // A `/* … */` between them would make this a different comment.
  if (block.indexOf("*/") !== block.length - 2) return undefined;
  return block;
}

/** The file's `@module` comment: its first JSDoc block, when that block has `@module`. */
export function moduleDoc(source) {
  const m = /^\s*(\/\*\*[\s\S]*?\*\/)/.exec(source);
  return m && /@module\b/.test(m[1]) ? commentText(m[1]) : undefined;
}

/** Finds `local`'s declaration in `file`, following `export { local } from "./other.ts"` re-exports. */
function locate(root, file, local, seen = new Set()) {
  if (seen.has(file)) return { problem: `re-export cycle at ${file}` };
  seen.add(file);
  const source = readFileSync(join(root, file), "utf8");
  const m = DECLARATION(local).exec(source);
  if (m) {
    const block = docBefore(source, m.index);
    const line = source.slice(0, m.index).split("\n").length;
    // The module comment is the file's doc, not the declaration's, even when nothing separates them.
    const doc = block && !/@module\b/.test(block) ? commentText(block) : undefined;
    return { file, line, doc };
  }
  for (const r of source.matchAll(/export\s+(?:type\s+)?\{([^}]*)\}\s*from\s*["']([^"']+)["']/g)) {
    for (const spec of r[1].split(",").map((s) => s.trim().replace(/^type\s+/, "")).filter(Boolean)) {
      const [orig, alias] = spec.split(/\s+as\s+/);
      if ((alias ?? orig) === local) return locate(root, relative(root, resolve(root, dirname(file), r[2])), orig, seen);
    }
  }
  return { file, line: 0, problem: `no declaration of ${local} found in ${file}` };
}

/**
 * Every export of `src/mod.ts`, resolved. `unparsed` lists export statements of mod.ts this reader
 * does not understand (it only knows `export { … } from`, `export type { … } from` and
 * `export * as ns from`), so a new form cannot slip past the checks unnoticed.
 * @returns {{ exports: PublicExport[], unparsed: string[] }}
 */
export function publicExports(root) {
  const modPath = "src/mod.ts";
  const mod = readFileSync(join(root, modPath), "utf8");
  const exports = [];
  const understood = [];
  const target = (spec) => relative(root, resolve(root, dirname(modPath), spec));

  for (const m of mod.matchAll(/^export\s+(type\s+)?\{([^}]*)\}\s*from\s*["']([^"']+)["'];?/gm)) {
    understood.push(m.index);
    const file = target(m[3]);
    for (const raw of m[2].split(",").map((s) => s.trim()).filter(Boolean)) {
      const isType = Boolean(m[1]) || raw.startsWith("type ");
      const [local, alias] = raw.replace(/^type\s+/, "").split(/\s+as\s+/);
      const found = locate(root, file, local);
      exports.push({ name: alias ?? local, local, kind: isType ? "type" : "value", ...found });
    }
  }
  for (const m of mod.matchAll(/^export\s+\*\s+as\s+([\w$]+)\s+from\s*["']([^"']+)["'];?/gm)) {
    understood.push(m.index);
    const file = target(m[2]);
    const doc = moduleDoc(readFileSync(join(root, file), "utf8"));
    exports.push({ name: m[1], local: "*", kind: "namespace", file, line: 1, doc, problem: undefined });
  }
  const unparsed = [...mod.matchAll(/^export\b.*$/gm)].filter((m) => !understood.includes(m.index)).map((m) => m[0]);
  return { exports, unparsed };
}

/**
 * The TypeScript examples in a doc: every ```ts / ```typescript fence, and the body of every
 * `@example` tag that has no fence (JSDoc's plain form).
 */
export function examplesOf(doc) {
  const out = [];
  for (const m of doc.matchAll(/```(?:ts|typescript)[^\n]*\n([\s\S]*?)```/g)) out.push(m[1]);
  for (const m of doc.matchAll(/@example\b[^\n]*\n([\s\S]*?)(?=\n@\w|$)/g)) {
    if (!m[1].includes("```") && m[1].trim() !== "") out.push(m[1]);
  }
  return out;
}
