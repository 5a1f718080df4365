/**
 * @module End to end: the npm package as a user gets it. `npm pack` (which builds `dist/`) on a copy
 * of the repository, the tarball unpacked into a fresh project's node_modules, and a tool called
 * through `import { createServer } from "gatehouse"` under this suite's runtime and under Node.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { cp, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { binary, ROOT, runToExit } from "../helpers/processes.ts";

const runtime = (globalThis as { Bun?: unknown }).Bun ? "bun" : "deno";

const run = (cmd: string, args: string[], cwd: string, ms = 60_000) =>
  runToExit(cmd, args, { cwd, env: { ...process.env, NO_COLOR: "1" }, ms });

// What a user writes: JavaScript, so every runtime (Node 20 included) runs it as it is.
const CONSUMER = `
import { bearer, createServer, defineTool } from "gatehouse";
import { serveNode } from "gatehouse/node";
import { z } from "zod";

const echo = defineTool({
  name: "echo",
  description: "Echoes a message",
  inputSchema: z.object({ message: z.string() }),
  handler: ({ message }) => ({ content: [{ type: "text", text: message }] }),
});
const token = "package-test-token-0123456789abcdef";
const server = createServer({ name: "consumer", version: "1.0.0", tools: [echo], auth: bearer({ tokens: [token] }) });
const response = await server.fetch(new Request("http://localhost/mcp", {
  method: "POST",
  headers: {
    authorization: "Bearer " + token,
    "content-type": "application/json",
    accept: "application/json, text/event-stream",
    "mcp-protocol-version": "2025-11-25",
  },
  body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: "echo", arguments: { message: "from the package" } } }),
}));
console.log(JSON.stringify({ status: response.status, body: await response.json(), serveNode: typeof serveNode }));
`;

// The same, typed: Deno type-checks it against the package's declarations (the "types" condition).
const TYPED = `
import { createServer, type GatehouseServer } from "gatehouse";
const server: GatehouseServer = createServer({ name: "typed", version: "1.0.0" });
const name: string = server.store ? "store" : "none";
console.log(name);
`;

describe("the npm package (npm pack, installed into a fresh project)", () => {
  let dir = "";
  let project = "";
  let files: string[] = [];

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "gatehouse-package-"));
    // Pack a copy, so the build `prepack` runs writes nothing into the checkout under test.
    const source = join(dir, "source");
    await mkdir(source);
    for (const entry of ["package.json", "tsconfig.build.json", "README.md", "LICENSE", "src"]) {
      await cp(join(ROOT, entry), join(source, entry), { recursive: true });
    }
    await symlink(join(ROOT, "node_modules"), join(source, "node_modules"), "dir");
    const pack = await run(
      "npm",
      ["pack", "--json", "--loglevel=error", "--no-update-notifier", "--pack-destination", dir],
      source,
      120_000,
    );
    assert.equal(pack.code, 0, pack.out);
    // The JSON report, whatever the prepack build printed around it.
    const report = pack.out.slice(pack.out.search(/^\[/m), pack.out.lastIndexOf("\n]") + 2);
    const [{ filename, files: packed }] = JSON.parse(report);
    files = packed.map((f: { path: string }) => f.path);

    project = join(dir, "project");
    const installed = join(project, "node_modules", "gatehouse");
    await mkdir(installed, { recursive: true });
    const untar = await run("tar", ["-xzf", join(dir, filename), "-C", installed, "--strip-components=1"], dir);
    assert.equal(untar.code, 0, untar.out);
    // The package's one dependency, as npm would have installed it beside it.
    await symlink(join(ROOT, "node_modules", "zod"), join(project, "node_modules", "zod"), "dir");
    await writeFile(join(project, "package.json"), JSON.stringify({ name: "consumer", private: true, type: "module" }));
    await writeFile(join(project, "consumer.mjs"), CONSUMER);
    await writeFile(join(project, "typed.ts"), TYPED);
  });

  after(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("holds every file its exports and bin name", async () => {
    const manifest = JSON.parse(await readFile(join(project, "node_modules", "gatehouse", "package.json"), "utf8"));
    const targets = [manifest.main, manifest.types, ...Object.values(manifest.bin ?? {})];
    for (const conditions of Object.values(manifest.exports) as Record<string, string>[]) targets.push(...Object.values(conditions));
    for (const target of targets as string[]) assert.ok(files.includes(target.replace(/^\.\//, "")), `${target} is not in the package`);
  });

  const expected = {
    status: 200,
    body: { jsonrpc: "2.0", id: 1, result: { content: [{ type: "text", text: "from the package" }] } },
    serveNode: "function",
  };

  it(`serves a tool under ${runtime} (import "gatehouse")`, async () => {
    const { code, out } = runtime === "bun"
      ? await run(binary("bun"), ["consumer.mjs"], project)
      : await run(binary("deno"), ["run", "-A", "consumer.mjs"], project);
    assert.equal(code, 0, out);
    assert.deepEqual(JSON.parse(out.trim().split("\n").at(-1)!), expected);
  });

  it("serves a tool under Node (the built JavaScript)", async () => {
    const { code, out } = await run("node", ["consumer.mjs"], project);
    assert.equal(code, 0, out);
    assert.deepEqual(JSON.parse(out.trim().split("\n").at(-1)!), expected);
  });

  it(
    "runs its `gatehouse` command under Bun (the runtime its first line names)",
    { skip: runtime !== "bun" && "runs in the Bun suite" },
    async () => {
      const installed = join(project, "node_modules", "gatehouse");
      const manifest = JSON.parse(await readFile(join(installed, "package.json"), "utf8"));
      const command = join(installed, manifest.bin.gatehouse);
      assert.match((await readFile(command, "utf8")).split("\n")[0], /^#!\/usr\/bin\/env bun$/);
      const { code, out } = await run(binary("bun"), [command, "keygen"], project);
      assert.equal(code, 0, out);
      assert.match(out, /^BEARER_TOKEN=[A-Za-z0-9_-]{43}$/m);
    },
  );

  it("type-checks a consumer under Deno against the package's declarations", {
    skip: runtime !== "deno" && "Deno's type checker: runs in the Deno suite",
  }, async () => {
    const { code, out } = await run(binary("deno"), ["check", "typed.ts"], project, 120_000);
    assert.equal(code, 0, out);
  });
});
