// Cold start counted, not timed: the user-space instructions a server process executes from exec to
// its first correct tools/call answer (valgrind's callgrind, all threads; the process is stopped with
// SIGTERM right after that answer, which makes callgrind write its totals). Start-up times on a shared
// machine swing by ±30 %; this count repeats within ~1 % on Deno (Bun: its main thread's share within
// a few %), so a start-up change is judged by it.
//
//   node scripts/bench/cold-instructions.mjs [--runtime deno|bun] [--runs N] target[@checkout][:NAME=value,...] ...
//
// A target is `main` (the demo server as the README starts it: `bun run src/main.ts` /
// `deno serve -A src/main.ts`, with the bench's bearer settings plus any NAME=value given),
// `compiled` (Bun only: `bun build --compile --bytecode src/main.ts`, built once, then run), `built`
// (src/main.ts compiled to JavaScript by the npm build's `tsc` settings, built once, then served: what
// Deno loads from the npm package, where the sources are TypeScript to `main`), or a
// scripts/bench/servers/<entry>.ts served by scripts/bench/serve.ts (`ceiling-parse`: the runtime's
// own floor). `@/tmp/base` measures another checkout (`git worktree add /tmp/base <commit>` with
// node_modules linked in). Prints the median of N runs (default 3) in millions, all threads and the
// main thread's share (Bun's compiler and GC threads vary from run to run; compare main threads
// there), and each target's difference from the first. Needs valgrind (`apt-get install valgrind`); ~20 s per run.
import { spawn, spawnSync } from "node:child_process";
import { freePort } from "../free-port.mjs";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { BODY, HEADERS, SERVER_ENV } from "./counted-request.mjs";
import { buildMainJs } from "./built-main.mjs";

const root = resolve(import.meta.dirname, "..", "..");
const args = process.argv.slice(2);
let runtime = "deno";
let runs = 3;
for (;;) {
  if (args[0] === "--runtime") runtime = args.splice(0, 2)[1];
  else if (args[0] === "--runs") runs = Number(args.splice(0, 2)[1]);
  else break;
}
if (!["deno", "bun"].includes(runtime) || !(runs >= 1) || args.length === 0) {
  console.error("usage: node scripts/bench/cold-instructions.mjs [--runtime deno|bun] [--runs N] target[@checkout][:NAME=value,...] ...");
  process.exit(2);
}
if (spawnSync("sh", ["-c", "command -v valgrind"]).status !== 0) {
  console.error("cold-instructions: valgrind is not installed (apt-get install valgrind)");
  process.exit(1);
}
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const compiled = new Map();
/** `bun build --compile --bytecode src/main.ts` of a checkout, once per checkout. */
function compiledExecutable(checkout) {
  if (!compiled.has(checkout)) {
    const out = join(mkdtempSync(join(tmpdir(), "gatehouse-compiled-")), "gatehouse");
    const r = spawnSync(join(root, "node_modules", ".bin", "bun"), ["build", "--compile", "--bytecode", "src/main.ts", "--outfile", out], {
      cwd: checkout,
      encoding: "utf8",
    });
    if (r.status !== 0) throw new Error(`bun build --compile failed in ${checkout}: ${r.stderr}`);
    compiled.set(checkout, out);
  }
  return compiled.get(checkout);
}

const built = new Map();
const builtMain = (checkout) => {
  if (!built.has(checkout)) built.set(checkout, buildMainJs(checkout, join(root, "node_modules")));
  return built.get(checkout);
};

function command(target, port, checkout) {
  const bin = join(root, "node_modules", ".bin", runtime);
  if (target === "compiled") {
    if (runtime !== "bun") throw new Error("the compiled target is Bun's (use --runtime bun)");
    return [compiledExecutable(checkout)];
  }
  if (target === "built") {
    const main = join(builtMain(checkout), "dist", "main.js");
    return runtime === "bun" ? [bin, "run", main] : [bin, "serve", "-A", "--port", String(port), main];
  }
  if (target === "main") {
    return runtime === "bun" ? [bin, "run", "src/main.ts"] : [bin, "serve", "-A", "--port", String(port), "src/main.ts"];
  }
  if (!/^[a-z0-9-]+$/.test(target)) throw new Error(`bad target name: ${target}`);
  return runtime === "bun" ? [bin, "scripts/bench/serve.ts", target] : [bin, "run", "-A", "scripts/bench/serve.ts", target];
}

/** One run: instructions (millions) from exec to the first correct answer. */
async function once(spec, port) {
  const [target, settings = ""] = spec.split(/:(.*)/s);
  const [name, checkout = root] = target.split("@");
  const env = { ...process.env, PORT: String(port), ...SERVER_ENV };
  for (const kv of settings.split(",").filter(Boolean)) {
    const i = kv.indexOf("=");
    env[kv.slice(0, i)] = kv.slice(i + 1);
  }
  const dir = mkdtempSync(join(tmpdir(), "gatehouse-cold-"));
  const child = spawn("valgrind", [
    "--tool=callgrind",
    "--smc-check=all-non-file",
    `--callgrind-out-file=${join(dir, "cg.%p")}`,
    ...command(name, port, checkout),
  ], {
    cwd: checkout,
    env,
    stdio: ["ignore", "ignore", "pipe"],
  });
  let log = "";
  child.stderr.on("data", (d) => log = (log + d).slice(-4000));
  const exited = new Promise((r) => child.on("exit", r));
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`${spec} exited: ${log.slice(-800)}`);
      try {
        const r = await fetch(`http://127.0.0.1:${port}/mcp`, { method: "POST", headers: HEADERS, body: BODY });
        const text = await r.text();
        if (r.status !== 200 || !text.includes('"text":"hello"')) {
          throw new Error(`${spec}: wrong answer (HTTP ${r.status}): ${text.slice(0, 200)}`);
        }
        break;
      } catch (error) {
        if (String(error).includes("wrong answer")) throw error;
        await sleep(20); // not listening yet: a refused connection costs the server nothing
      }
    }
    child.kill("SIGTERM");
    await exited;
    const file = readdirSync(dir).map((f) => join(dir, f))[0];
    const total = Number(file && /^summary: (\d+)/m.exec(readFileSync(file, "utf8"))?.[1]);
    if (!total) throw new Error(`${spec}: no callgrind totals: ${log.slice(-800)}`);
    // The main thread's share: everything under __libc_start_main (the rest is compiler and GC
    // threads, whose share on Bun varies from run to run with their timing).
    const annotated = spawnSync("callgrind_annotate", ["--inclusive=yes", "--threshold=100", file], { encoding: "utf8" }).stdout ?? "";
    const main = /^\s*([\d,]+) .*libc-start\.c:__libc_start_main/m.exec(annotated)?.[1];
    return { total: total / 1e6, main: main ? Number(main.replaceAll(",", "")) / 1e6 : NaN };
  } finally {
    if (child.exitCode === null) child.kill("SIGKILL");
    rmSync(dir, { recursive: true, force: true });
  }
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];
const signed = (x) => `${x >= 0 ? "+" : ""}${x.toFixed(1)}`;
process.on("exit", () => {
  for (const exe of compiled.values()) rmSync(resolve(exe, ".."), { recursive: true, force: true });
  for (const dir of built.values()) rmSync(dir, { recursive: true, force: true });
});
let first;
for (const [i, spec] of args.entries()) {
  const counts = [];
  for (let r = 0; r < runs; r++) counts.push(await once(spec, await freePort()));
  const total = median(counts.map((c) => c.total));
  const main = median(counts.map((c) => c.main));
  first ??= { total, main };
  console.log(
    `${runtime} ${spec.padEnd(30)} ${total.toFixed(1).padStart(7)} M instructions to the first answer, main thread ${main.toFixed(1)} M` +
      (i ? `  (${signed(total - first.total)} M, main thread ${signed(main - first.main)} M)` : "") +
      `  [runs: ${counts.map((c) => c.total.toFixed(1)).join(", ")}]`,
  );
}
