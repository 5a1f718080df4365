/** @module The skills extension (SEP-2640): the catalog from definitions in code, skill files as resources, directory reads. */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { defineSkill } from "../../src/mcp/skills.ts";
import { jsonOf, postModern, server } from "./helpers.ts";

const SKILLS = "io.modelcontextprotocol/skills";
const skills = [
  defineSkill({
    name: "code-review",
    description: "Reviews code.",
    frontmatter: { license: "MIT", metadata: { owner: "team-a" } },
    instructions: "# Review\n\nBe kind.",
    files: [{ path: "references/checklist.md", content: "- tests\n" }, { path: "logo.bin", content: new Uint8Array([0, 1, 2, 255]) }],
  }),
  defineSkill({ name: "notes", path: "acme.example/docs", description: "Writes notes.", instructions: "Write notes." }),
];
const s = server({ skills });
const call = async (method: string, params: Record<string, unknown> = {}) => await jsonOf(await postModern(s, method, params));

async function sha256(text: string | Uint8Array) {
  const bytes = typeof text === "string" ? new TextEncoder().encode(text) : text;
  const hash = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes as BufferSource));
  return `sha256:${[...hash].map((b) => b.toString(16).padStart(2, "0")).join("")}`;
}

describe("skills", () => {
  it("declares the extension (with directoryRead) and the resources capability", async () => {
    const caps = (await call("server/discover")).result.capabilities;
    assert.deepEqual(caps.extensions[SKILLS], { directoryRead: true });
    assert.ok(caps.resources);
  });

  it("lists every skill with frontmatter and a complete {uri, digest, size} manifest that matches the bytes served", async () => {
    const list = (await call("skills/list")).result;
    assert.equal(list.resultType, "complete");
    assert.equal(list.ttlMs, 0);
    assert.equal(list.cacheScope, "private");
    assert.deepEqual(list.skills.map((e: { uri: string }) => e.uri), [
      "skill://code-review/SKILL.md",
      "skill://acme.example/docs/notes/SKILL.md",
    ]);
    const review = list.skills[0];
    assert.deepEqual(review.frontmatter, {
      name: "code-review",
      description: "Reviews code.",
      license: "MIT",
      metadata: { owner: "team-a" },
    });
    assert.deepEqual(review.resources.map((r: { uri: string }) => r.uri), [
      "skill://code-review/SKILL.md",
      "skill://code-review/references/checklist.md",
      "skill://code-review/logo.bin",
    ]);
    const manifest = (await call("resources/read", { uri: "skill://code-review/SKILL.md" })).result.contents[0];
    assert.equal(manifest.mimeType, "text/markdown");
    assert.match(manifest.text, /^---\n[\s\S]*\n---\n\n# Review/);
    assert.equal(review.resources[0].digest, await sha256(manifest.text));
    assert.equal(review.resources[0].size, new TextEncoder().encode(manifest.text).length);
    const blob = (await call("resources/read", { uri: "skill://code-review/logo.bin" })).result.contents[0];
    assert.equal(blob.blob, btoa(String.fromCharCode(0, 1, 2, 255)));
    assert.equal(review.resources[2].digest, await sha256(new Uint8Array([0, 1, 2, 255])));
  });

  it("gets one skill by URI, and answers -32602 for a URI it does not serve", async () => {
    const got = (await call("skills/get", { uri: "skill://acme.example/docs/notes/SKILL.md" })).result;
    assert.equal(got.skill.frontmatter.name, "notes");
    assert.equal(got.nextCursor, undefined);
    assert.equal(got.cacheScope, "private");
    const unknown = await call("skills/get", { uri: "skill://nope/SKILL.md" });
    assert.equal(unknown.error.code, -32602);
  });

  it("reads a skill directory: direct children, subdirectories as inode/directory; a file is not a directory", async () => {
    const dir = (await call("resources/directory/read", { uri: "skill://code-review" })).result.resources;
    assert.deepEqual(dir.map((r: { uri: string; mimeType: string }) => [r.uri, r.mimeType]), [
      ["skill://code-review/SKILL.md", "text/markdown"],
      ["skill://code-review/references", "inode/directory"],
      ["skill://code-review/logo.bin", "application/octet-stream"],
    ]);
    const sub = (await call("resources/directory/read", { uri: "skill://code-review/references" })).result.resources;
    assert.deepEqual(sub.map((r: { uri: string }) => r.uri), ["skill://code-review/references/checklist.md"]);
    assert.equal((await call("resources/directory/read", { uri: "skill://code-review/SKILL.md" })).error.code, -32602);
  });

  it("refuses bad definitions at start-up", () => {
    assert.throws(() => server({ skills: [defineSkill({ name: "Bad_Name", description: "x", instructions: "" })] }), /Skill name/);
    assert.throws(
      () =>
        server({ skills: [defineSkill({ name: "ok", description: "x", instructions: "", files: [{ path: "../escape", content: "" }] })] }),
      /file path/,
    );
    assert.throws(() => server({ skills: [skills[1], skills[1]] }), /same URI/);
  });

  it("is absent when no skills are defined", async () => {
    const plain = server({});
    const caps = (await jsonOf(await postModern(plain, "server/discover"))).result.capabilities;
    assert.equal(caps.extensions, undefined);
    assert.equal((await jsonOf(await postModern(plain, "skills/list"))).error.code, -32601);
  });
});
