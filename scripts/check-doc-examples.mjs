// Type-checks every example in the JSDoc of what src/mod.ts exports: each ```ts block (and each
// unfenced @example) becomes a file of its own, checked with `deno check`, with "gatehouse" mapped
// to src/mod.ts and "zod" to the project's zod. Prints "N passed, M failed"; exits 1 on a failure.
// Usage: node scripts/check-doc-examples.mjs
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { examplesOf, publicExports } from "./jsdoc-exports.mjs";

const root = resolve(import.meta.dirname, "..");
const deno = join(root, "node_modules", ".bin", "deno");
const dir = mkdtempSync(join(tmpdir(), "gatehouse-doc-examples-"));

const { exports } = publicExports(root);
/** @type {Array<{ file: string, name: string, where: string }>} */
const examples = [];
for (const e of exports) {
  if (!e.doc) continue;
  examplesOf(e.doc).forEach((code, i) => {
    const file = join(dir, `${String(examples.length + 1).padStart(3, "0")}-${e.name}-${i + 1}.ts`);
    writeFileSync(file, code);
    examples.push({ file, name: e.name, where: `${e.file}:${e.line}` });
  });
}
writeFileSync(
  join(dir, "import_map.json"),
  JSON.stringify({ imports: { gatehouse: pathToFileURL(join(root, "src/mod.ts")).href, zod: "npm:zod@4.6.7" } }),
);

/** Runs `deno check` on some example files; the project's deno.json supplies compiler options and node_modules. */
function check(files) {
  const r = spawnSync(deno, [
    "check",
    "--quiet",
    `--config=${join(root, "deno.json")}`,
    `--import-map=${join(dir, "import_map.json")}`,
    ...files,
  ], {
    cwd: root,
    encoding: "utf8",
    env: { ...process.env, NO_COLOR: "1" },
  });
  return { ok: r.status === 0, output: `${r.stdout ?? ""}${r.stderr ?? ""}${r.error ? String(r.error) : ""}` };
}

// One `deno check` for all of them (each run costs seconds). When it fails, its diagnostics name
// the failing files; only when none is named (a resolution error, a broken src/mod.ts) is every
// example checked on its own, so each failure is still attributed to its example.
const failed = new Map();
const batch = examples.length > 0 ? check(examples.map((x) => x.file)) : { ok: true, output: "" };
if (!batch.ok) {
  const named = examples.filter((x) => batch.output.includes(pathToFileURL(x.file).href));
  for (const x of named.length > 0 ? named : examples) {
    const r = check([x.file]);
    if (!r.ok) failed.set(x, r.output);
  }
}

for (const [x, output] of failed) {
  console.log(`\n✗ ${x.name} (${x.where}) — ${x.file}\n${output.trim()}`);
}
// The batch failed but no example fails alone: say so rather than report success.
const unexplained = !batch.ok && failed.size === 0;
if (unexplained) console.log(`\n✗ deno check failed on the examples together, but on none alone:\n${batch.output.trim()}`);
if (failed.size === 0 && !unexplained) rmSync(dir, { recursive: true, force: true });
const passed = examples.length - failed.size;
console.log(`\n${passed} passed, ${failed.size} failed (doc examples of ${exports.length} exports from src/mod.ts)`);
process.exit(failed.size > 0 || unexplained || examples.length === 0 ? 1 : 0);
