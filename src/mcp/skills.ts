/**
 * @module The skills extension (`io.modelcontextprotocol/skills`, SEP-2640): skills defined in code, served as `skill://` resources with `skills/list`, `skills/get` and `resources/directory/read`.
 *
 * A skill is a directory: `SKILL.md` (YAML frontmatter with at least `name` and `description`,
 * then markdown instructions) plus any files under it. Its URI is
 * `skill://<path>/<name>/SKILL.md` (`path` optional), so the last path segment is the name, as
 * SEP-2640 requires. Every file is a resource (`resources/read`); a catalog entry lists each file
 * once with its SHA-256 digest and size, computed once from the bytes we serve.
 */
import type { ResourceDefinition } from "./resources.ts";
import { ErrorCode, McpError } from "./jsonrpc.ts";

/**
 * The skills extension's identifier, `io.modelcontextprotocol/skills` (SEP-2640), declared under the
 * server's `capabilities.extensions` when `createServer({ skills })` is given.
 *
 * @example
 * ```ts
 * import { SKILLS_EXTENSION } from "gatehouse";
 *
 * const declares = (capabilities: { extensions?: Record<string, unknown> }) => SKILLS_EXTENSION in (capabilities.extensions ?? {});
 * ```
 */
export const SKILLS_EXTENSION = "io.modelcontextprotocol/skills";
const DIRECTORY = "inode/directory";

/**
 * A file of a skill besides `SKILL.md`, at a relative path inside the skill's directory
 * (`references/style.md`). Served as the resource `skill://…/<name>/<path>`; bytes as a base64 blob.
 *
 * @example
 * ```ts
 * import type { SkillFile } from "gatehouse";
 *
 * const files: SkillFile[] = [
 *   { path: "references/style.md", content: "# House style\n\nShort sentences." },
 *   { path: "assets/logo.png", content: new Uint8Array([0x89, 0x50, 0x4e, 0x47]), mimeType: "image/png" },
 * ];
 * ```
 */
export interface SkillFile {
  path: string;
  /** Text, or raw bytes (served base64 as a blob). */
  content: string | Uint8Array;
  /** Default: by extension (`.md` text/markdown, `.json`, `.txt`, `.py`, `.ts`, …), else text/plain or application/octet-stream. */
  mimeType?: string;
}

/**
 * A skill as {@link defineSkill} declares it: a directory whose `SKILL.md` is generated from `name`,
 * `description`, `frontmatter` and `instructions`, plus `files`. `createServer` checks the
 * definitions once and throws `TypeError` on a bad name, a path segment that is not URI-safe, a file
 * path that is absolute, has `.`/`..` or is `SKILL.md`, `name`/`description` repeated in
 * `frontmatter`, a file listed twice, or two skills with one URI.
 *
 * @example
 * ```ts
 * import { defineSkill, type SkillDefinition } from "gatehouse";
 *
 * const review: SkillDefinition = defineSkill({
 *   name: "code-review",
 *   description: "Reviews a diff against the team's conventions. Use when asked to review code.",
 *   instructions: "Read references/checklist.md, then comment on each changed file.",
 *   path: "acme.example/engineering",
 *   files: [{ path: "references/checklist.md", content: "- Tests added\n- No secrets" }],
 * });
 * ```
 */
export interface SkillDefinition {
  /** 1–64 of lowercase letters, digits and single hyphens (the Agent Skills naming rule). */
  name: string;
  /** What the skill does and when to use it (the frontmatter `description`). */
  description: string;
  /** The markdown body of SKILL.md, after the frontmatter. */
  instructions: string;
  /** Other frontmatter fields (`license`, `compatibility`, `allowed-tools`, `metadata`, …), rendered verbatim. */
  frontmatter?: Record<string, unknown>;
  /** Path segments before the name (`acme.example/reviews`); the first is the URI authority. Default: none. */
  path?: string;
  files?: readonly SkillFile[];
}

/**
 * Declares a skill (see {@link SkillDefinition}); returns its argument unchanged, like
 * {@link defineTool}. With `createServer({ skills })`, Gatehouse serves `skills/list`, `skills/get`
 * and `resources/directory/read`, and every file as a resource (`skill://<path>/<name>/SKILL.md`, …)
 * with its SHA-256 digest and size.
 *
 * @example
 * ```ts
 * import { createServer, defineSkill } from "gatehouse";
 *
 * const release = defineSkill({
 *   name: "release-notes",
 *   description: "Writes release notes from merged pull requests.",
 *   instructions: "Group changes by area; link every pull request.",
 * });
 *
 * createServer({ name: "skills", version: "1.0.0", skills: [release] });
 * ```
 */
export const defineSkill = (d: SkillDefinition): SkillDefinition => d;

const NAME = /^(?!.*--)[a-z0-9]([a-z0-9-]{0,62}[a-z0-9])?$/;
const SEGMENT = /^[A-Za-z0-9\-._~]+$/;

const MIME: Record<string, string> = {
  md: "text/markdown",
  txt: "text/plain",
  json: "application/json",
  yaml: "application/yaml",
  yml: "application/yaml",
  py: "text/x-python",
  ts: "text/typescript",
  js: "text/javascript",
  sh: "text/x-shellscript",
  html: "text/html",
  css: "text/css",
  csv: "text/csv",
  png: "image/png",
  svg: "image/svg+xml",
};

/** YAML frontmatter whose values are JSON (a YAML subset), so it parses back to exactly the entry's object. */
function renderFrontmatter(fm: Record<string, unknown>): string {
  return Object.entries(fm).map(([k, v]) => `${JSON.stringify(k)}: ${JSON.stringify(v)}`).join("\n");
}

const toBase64 = (bytes: Uint8Array) => {
  let s = "";
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
};

async function digestOf(bytes: Uint8Array): Promise<string> {
  const hash = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes as BufferSource));
  return `sha256:${[...hash].map((b) => b.toString(16).padStart(2, "0")).join("")}`;
}

interface CompiledFile {
  uri: string;
  bytes: Uint8Array;
  mimeType: string;
  text?: string;
}

interface CompiledSkill {
  root: string;
  uri: string;
  frontmatter: Record<string, unknown>;
  files: CompiledFile[];
}

/** A catalog entry: `{ uri, frontmatter, resources: [{ uri, digest, size }] }`. */
export type SkillEntry = {
  uri: string;
  frontmatter: Record<string, unknown>;
  resources: Array<{ uri: string; digest: string; size: number }>;
};

/** Checks and compiles the definitions once, at start-up; throws on a bad name, path or duplicate. */
export function compileSkills(defs: readonly SkillDefinition[]) {
  const enc = new TextEncoder();
  const skills: CompiledSkill[] = defs.map((d) => {
    if (!NAME.test(d.name)) {
      throw new TypeError(
        `Skill name ${JSON.stringify(d.name)}: 1-64 lowercase letters, digits and single hyphens, not starting or ending with one`,
      );
    }
    if (!d.description) throw new TypeError(`Skill ${d.name} needs a description`);
    const prefix = (d.path ?? "").split("/").filter(Boolean);
    if (prefix.some((s) => !SEGMENT.test(s))) {
      throw new TypeError(`Skill ${d.name}: path ${JSON.stringify(d.path)} has a segment that is not URI-safe`);
    }
    const root = `skill://${[...prefix, d.name].join("/")}`;
    const frontmatter = { name: d.name, description: d.description, ...d.frontmatter };
    if (frontmatter.name !== d.name || frontmatter.description !== d.description) {
      throw new TypeError(`Skill ${d.name}: set name and description outside frontmatter`);
    }
    const manifest = `---\n${renderFrontmatter(frontmatter)}\n---\n\n${d.instructions.trim()}\n`;
    const files: CompiledFile[] = [{ uri: `${root}/SKILL.md`, bytes: enc.encode(manifest), mimeType: "text/markdown", text: manifest }];
    for (const f of d.files ?? []) {
      const parts = f.path.split("/");
      if (parts.some((p) => !SEGMENT.test(p) || p === "." || p === "..") || f.path === "SKILL.md") {
        throw new TypeError(`Skill ${d.name}: file path ${JSON.stringify(f.path)} must be relative, URI-safe, and not SKILL.md`);
      }
      const ext = f.path.slice(f.path.lastIndexOf(".") + 1).toLowerCase();
      const text = typeof f.content === "string" ? f.content : undefined;
      files.push({
        uri: `${root}/${f.path}`,
        bytes: typeof f.content === "string" ? enc.encode(f.content) : f.content,
        mimeType: f.mimeType ?? MIME[ext] ?? (text !== undefined ? "text/plain" : "application/octet-stream"),
        text,
      });
    }
    if (new Set(files.map((f) => f.uri)).size !== files.length) throw new TypeError(`Skill ${d.name} lists a file twice`);
    return { root, uri: `${root}/SKILL.md`, frontmatter, files };
  });
  const byUri = new Map(skills.map((s) => [s.uri, s]));
  if (byUri.size !== skills.length) throw new TypeError("Two skills have the same URI");

  // Every file is a resource; SKILL.md is described by its frontmatter (SEP-2640 §Manifest).
  const resources: ResourceDefinition[] = skills.flatMap((s) =>
    s.files.map((f): ResourceDefinition => ({
      uri: f.uri,
      name: f.uri === s.uri ? String(s.frontmatter.name) : f.uri.slice(s.root.length + 1),
      ...(f.uri === s.uri && { description: String(s.frontmatter.description) }),
      mimeType: f.mimeType,
      size: f.bytes.length,
      read: (
        uri,
      ) => (f.text !== undefined ? { uri, mimeType: f.mimeType, text: f.text } : { uri, mimeType: f.mimeType, blob: toBase64(f.bytes) }),
    }))
  );

  let entries: Promise<SkillEntry[]> | undefined;
  /** Digests are computed once, on first use (createServer stays synchronous). */
  const catalog = () =>
    entries ??= Promise.all(skills.map(async (s) => ({
      uri: s.uri,
      frontmatter: s.frontmatter,
      resources: await Promise.all(s.files.map(async (f) => ({ uri: f.uri, digest: await digestOf(f.bytes), size: f.bytes.length }))),
    })));

  /** The direct children of a directory inside a skill, or undefined when `uri` is not one. */
  function directory(uri: string): Array<Record<string, unknown>> | undefined {
    const dir = uri.replace(/\/+$/, "");
    const skill = skills.find((s) => dir === s.root || dir.startsWith(`${s.root}/`));
    if (!skill) return undefined;
    const children = new Map<string, Record<string, unknown>>();
    for (const f of skill.files) {
      if (!f.uri.startsWith(`${dir}/`)) continue;
      const rest = f.uri.slice(dir.length + 1);
      const slash = rest.indexOf("/");
      if (slash < 0) children.set(f.uri, { uri: f.uri, name: rest, mimeType: f.mimeType, size: f.bytes.length });
      else {
        const sub = `${dir}/${rest.slice(0, slash)}`;
        children.set(sub, { uri: sub, name: rest.slice(0, slash), mimeType: DIRECTORY });
      }
    }
    return children.size > 0 ? [...children.values()] : undefined;
  }

  return {
    resources,
    /** `skills/list` entries in definition order (each entry whole: pages never split one). */
    list: catalog,
    async get(uri: string): Promise<SkillEntry> {
      const entry = (await catalog()).find((e) => e.uri === uri);
      // SEP-2640: a URI that names no skill we serve is -32602.
      if (!entry) throw new McpError(ErrorCode.InvalidParams, `Unknown skill: ${uri}`, { uri });
      return entry;
    },
    directory,
  };
}

export type SkillCatalog = ReturnType<typeof compileSkills>;
