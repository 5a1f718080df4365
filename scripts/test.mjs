// Runs the whole test suite under Deno and Bun and prints one "N passed, M failed" line for both.
// Usage: node scripts/test.mjs [deno|bun] [paths...]
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, existsSync } from "node:fs";
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

/** Counts <testcase> elements in a JUnit report; a case with <failure> or <error> counts as failed. */
function countJunit(file) {
  if (!existsSync(file)) return { passed: 0, failed: 1, missing: true };
  const xml = readFileSync(file, "utf8");
  let passed = 0, failed = 0, skipped = 0;
  const failures = [];
  const cases = [...xml.matchAll(/<testcase\b[^>]*?name="([^"]*)"[^>]*?(\/>|>([\s\S]*?)<\/testcase>)/g)];
  const names = cases.map((m) => m[1]);
  for (const m of cases) {
    // Deno reports a describe() block as a case of its own; count only the leaves.
    if (names.some((n) => n.startsWith(`${m[1]} &gt; `))) continue;
    const body = m[3] ?? "";
    if (/<(failure|error)\b/.test(body)) {
      failed++;
      const file = /\b(?:file|classname)="([^"]*)"/.exec(m[0])?.[1];
      failures.push(file ? `${file}: ${m[1]}` : m[1]);
    }
    else if (/<skipped\b/.test(body)) skipped++;
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
  for (const f of c.failures ?? []) failedNames.push(`${name}: ${f}`);
  if (c.missing) failedNames.push(`${name}: no JUnit report (the runner itself failed)`);
  total.passed += c.passed; total.failed += c.failed; total.skipped += c.skipped;
}
// Name what failed next to the totals, so the tail of a long CI log says which test it was.
if (failedNames.length) console.log(`\nFailed:\n${failedNames.map((n) => `  ${n.replaceAll("&gt;", ">").replaceAll("&quot;", '"')}`).join("\n")}`);
console.log(`\n${total.passed} passed, ${total.failed} failed${total.skipped ? `, ${total.skipped} skipped` : ""}`);
process.exit(anyExitFailure || total.failed ? 1 : 0);
