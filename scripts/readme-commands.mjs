// Runs the README's two commands on a fresh copy of the repository (a clone of HEAD in a temp dir):
// `npm install && npm start` must serve the demo, and `npm test` must run (one folder, to stay quick).
// Prints "N passed, M failed" over its checks. Usage: node scripts/readme-commands.mjs
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const root = resolve(import.meta.dirname, "..");
const dir = mkdtempSync(join(tmpdir(), "gatehouse-fresh-"));
let passed = 0, failed = 0;
const check = (name, ok, detail = "") => {
  console.log(`${ok ? "ok" : "FAILED"} - ${name}${detail ? `: ${detail}` : ""}`);
  ok ? passed++ : failed++;
};

try {
  execFileSync("git", ["clone", "--quiet", root, dir], { stdio: "inherit" });
  execFileSync("npm", ["install", "--no-audit", "--no-fund", "--loglevel=error"], { cwd: dir, stdio: "inherit", timeout: 600_000 });
  check("npm install on a fresh clone", true);

  const port = String(20000 + Math.floor(Math.random() * 20000));
  const server = spawn("npm", ["start"], {
    cwd: dir,
    env: { ...process.env, PORT: port, AUDIT_LOG: "off" },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  let log = "";
  server.stdout.on("data", (d) => (log += d));
  server.stderr.on("data", (d) => (log += d));
  try {
    let health = 0;
    for (let i = 0; i < 150 && health !== 200; i++) {
      await new Promise((r) => setTimeout(r, 100));
      health = await fetch(`http://127.0.0.1:${port}/health`).then((r) => r.status, () => 0);
    }
    check("npm start serves /health", health === 200, health === 200 ? "" : log.slice(-500));
    const r = await fetch(`http://127.0.0.1:${port}/mcp`, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json, text/event-stream" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: "echo", arguments: { message: "fresh" } } }),
    }).then((r) => r.json()).catch((e) => ({ error: String(e) }));
    check("npm start: the demo's echo tool answers", r?.result?.content?.[0]?.text === "fresh", JSON.stringify(r).slice(0, 200));
  } finally {
    try {
      process.kill(-server.pid, "SIGKILL");
    } catch { /* already gone */ }
  }

  const out = (() => {
    try {
      return execFileSync("npm", ["test", "--", "tests/config"], {
        cwd: dir,
        encoding: "utf8",
        timeout: 300_000,
        stdio: ["ignore", "pipe", "pipe"],
      });
    } catch (error) {
      return `${error.stdout ?? ""}${error.stderr ?? ""}\nEXIT ${error.status}`;
    }
  })();
  const line = out.split("\n").filter((l) => /^\d+ passed, \d+ failed/.test(l)).pop() ?? "";
  check(
    "npm test runs on both runtimes in the fresh clone",
    /^\d+ passed, 0 failed/.test(line) && /deno: \d+ passed/.test(out) && /bun: \d+ passed/.test(out),
    line || out.slice(-300),
  );
} catch (error) {
  check("fresh clone setup", false, String(error?.message ?? error).slice(0, 300));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
console.log(`\n${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
