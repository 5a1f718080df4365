// Runs the whole test suite under Deno and Bun and prints one "N passed, M failed" line for both.
// Usage: node scripts/test.mjs [deno|bun] [paths...]
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const root = resolve(import.meta.dirname, "..");
const bin = (name) => join(root, "node_modules", ".bin", name);
const args = process.argv.slice(2);
const only = args[0] === "deno" || args[0] === "bun" ? args.shift() : undefined;
const paths = args.length ? args : ["tests/"];
const out = mkdtempSync(join(tmpdir(), "gatehouse-test-"));

const runtimes = {
  deno: (junit) => [bin("deno"), ["test", "-A", "--no-check", `--junit-path=${junit}`, ...paths]],
  bun: (junit) => [bin("bun"), ["test", "--timeout=30000", "--reporter=junit", `--reporter-outfile=${junit}`, ...paths]],
};

const decode = (s) =>
  s.replace(/&#10;/g, "\n").replaceAll("&lt;", "<").replaceAll("&gt;", ">").replaceAll("&quot;", '"').replaceAll("&apos;", "'")
    .replaceAll("&amp;", "&");

/**
 * Why a case failed, in a few lines for the tail of a CI log: the message (its first lines), then
 * the first stack frame inside the repository's tests, so a failure seen only in CI can be diagnosed.
 */
function reason(body) {
  const m = /<(?:failure|error)\b[^>]*?\bmessage="([^"]*)"[^>]*>([\s\S]*?)<\/(?:failure|error)>/.exec(body);
  if (!m) return [];
  const lines = decode(m[1]).split("\n").map((l) => l.trim()).filter(Boolean).slice(0, 4).map((l) => l.slice(0, 300));
  const at = /(?:file:\/\/\S*?\/|at )(tests\/[^\s):]+:\d+:\d+)/.exec(decode(m[2]))?.[1];
  return at ? [...lines, `at ${at}`] : lines;
}

/** Counts <testcase> elements in a JUnit report; a case with <failure> or <error> counts as failed. */
function countJunit(file) {
  if (!existsSync(file)) return { passed: 0, failed: 1, missing: true };
  const xml = readFileSync(file, "utf8");
  let passed = 0, failed = 0, skipped = 0;
  const failures = [];
  const cases = [...xml.matchAll(/<testcase\b[^>]*?name="([^"]*)"[^>]*?(\/>|>([\s\S]*?)<\/testcase>)/g)];
  const names = cases.map((m) => m[1]);
  const fileOf = (m) => (/\bfile="([^"]*)"/.exec(m[0]) ?? /\bclassname="([^"]*)"/.exec(m[0]))?.[1];
  for (const m of cases) {
    // Deno reports a describe() block as a case of its own; count only the leaves.
    if (names.some((n) => n.startsWith(`${m[1]} &gt; `))) continue;
    const body = m[3] ?? "";
    if (/<(failure|error)\b/.test(body)) {
      failed++;
      // Deno names node:test leaves after its shim (ext:deno_node/…); the enclosing describe() case has the file.
      const outer = cases.find((o) => m[1].startsWith(`${o[1]} &gt; `) && fileOf(o)?.startsWith("./"));
      const where = (outer && fileOf(outer)) ?? fileOf(m);
      // Bun names a leaf without its describe(); that is in classname.
      const group = /\bfile="/.test(m[0]) ? /\bclassname="([^"]*)"/.exec(m[0])?.[1] : undefined;
      const title = group ? `${group} &gt; ${m[1]}` : m[1];
      failures.push({ name: where ? `${where}: ${title}` : title, why: reason(body) });
    } else if (/<skipped\b/.test(body)) skipped++;
    else passed++;
  }
  return { passed, failed, skipped, failures };
}

const total = { passed: 0, failed: 0, skipped: 0 };
const failedNames = [];
let anyExitFailure = false;
for (const name of only ? [only] : ["deno", "bun"]) {
  const junit = join(out, `${name}.xml`);
  const [cmd, argv] = runtimes[name](junit);
  console.log(`\n=== ${name}: ${[cmd.split("/").pop(), ...argv].join(" ")}`);
  const r = spawnSync(cmd, argv, { cwd: root, stdio: "inherit", env: { ...process.env, GATEHOUSE_TEST_RUNTIME: name } });
  const c = countJunit(junit);
  if (r.status !== 0) anyExitFailure = true;
  if (r.status !== 0 && c.failed === 0) c.failed = 1; // the runner failed outside any test case
  console.log(`${name}: ${c.passed} passed, ${c.failed} failed${c.skipped ? `, ${c.skipped} skipped` : ""}`);
  for (const f of c.failures ?? []) failedNames.push({ name: `${name}: ${f.name}`, why: f.why });
  if (c.missing) failedNames.push({ name: `${name}: no JUnit report (the runner itself failed)`, why: [] });
  total.passed += c.passed;
  total.failed += c.failed;
  total.skipped += c.skipped;
}
// Name what failed next to the totals, so the tail of a long CI log says which test it was.
// (Reasons are indented deeper than names: .ci/run lists the "  name" lines in its summary.)
if (failedNames.length) {
  console.log(`\nFailed:\n${failedNames.map((f) => [`  ${decode(f.name)}`, ...f.why.map((l) => `      ${l}`)].join("\n")).join("\n")}`);
}
console.log(`\n${total.passed} passed, ${total.failed} failed${total.skipped ? `, ${total.skipped} skipped` : ""}`);
process.exit(anyExitFailure || total.failed ? 1 : 0);
