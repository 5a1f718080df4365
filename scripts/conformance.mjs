// Runs the official MCP conformance suites (0.1.x and the 0.2 alpha) against the conformance server on Bun and on Deno.
// Usage: node scripts/conformance.mjs [bun|deno] — prints one "N passed, M failed" line over all runs.
import { spawn, spawnSync } from "node:child_process";
import { join, resolve } from "node:path";

const root = resolve(import.meta.dirname, "..");
const bin = (name) => join(root, "node_modules", ".bin", name);
const only = process.argv[2];
const runtimes = {
  bun: (port) => [bin("bun"), ["run", "scripts/conformance-server.ts"], { PORT: String(port) }],
  deno: (port) => [bin("deno"), ["serve", "-A", "--port", String(port), "scripts/conformance-server.ts"], { PORT: String(port) }],
};
const suites = [
  { name: "0.1", entry: "node_modules/conformance-01/dist/index.js", args: ["--suite", "all"] },
  {
    name: "0.2-alpha",
    entry: "node_modules/conformance-02/dist/index.js",
    args: ["--suite", "all", "--expected-failures", "scripts/conformance/expected-failures-0.2.yaml"],
  },
  {
    // Every scenario that applies to 2026-07-28, all of them spoken statelessly.
    name: "0.2-alpha@2026-07-28",
    entry: "node_modules/conformance-02/dist/index.js",
    args: ["--suite", "all", "--spec-version", "2026-07-28", "--expected-failures", "scripts/conformance/expected-failures-0.2.yaml"],
  },
];

async function waitFor(url, ms = 20_000) {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    try {
      if ((await fetch(url)).ok) return;
    } catch { /* not yet */ }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`server did not answer ${url} within ${ms} ms`);
}

let passed = 0, failed = 0, port = 3101;
for (const runtime of only ? [only] : ["bun", "deno"]) {
  const [cmd, args, env] = runtimes[runtime](++port);
  const server = spawn(cmd, args, { cwd: root, env: { ...process.env, ...env }, stdio: ["ignore", "ignore", "inherit"] });
  try {
    await waitFor(`http://127.0.0.1:${port}/health`);
    for (const suite of suites) {
      console.log(`\n=== conformance ${suite.name} against ${runtime}`);
      const r = spawnSync(bin("bun"), [suite.entry, "server", "--url", `http://localhost:${port}/mcp`, ...suite.args], {
        cwd: root,
        encoding: "utf8",
        timeout: 600_000,
      });
      const out = `${r.stdout}${r.stderr}`;
      const summary = out.slice(out.indexOf("=== SUMMARY ==="));
      console.log(summary.trim());
      const ok = r.status === 0;
      console.log(`${runtime} ${suite.name}: ${ok ? "PASS" : `FAIL (exit ${r.status})`}`);
      if (ok) passed++;
      else failed++;
    }
  } finally {
    server.kill();
  }
}
console.log(`\n${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
