// Instructions per request, counted by valgrind's callgrind: a deterministic measure (±0.5 % run to
// run, whatever else the machine is doing) for judging hot-path changes on a shared machine, where
// wrk's timings swing by ±10–30 % between runs. It counts user-space instructions of the server
// process (the JIT's code, the runtime's builtins and native code; not the kernel's), so it sees
// what a change does to the work per request, not to cache misses or system calls.
//
//   node scripts/bench/instructions.mjs [--runtime deno|bun] entry[@checkout][:NAME=value,...] ...
//
// An entry is a scripts/bench/servers/<entry>.ts served by scripts/bench/serve.ts under callgrind
// (`gatehouse-jwt` and `gatehouse-oauth` too: their token comes from the state file they write),
// from this checkout or another one (`gatehouse@/tmp/base`: a `git worktree add /tmp/base <commit>`
// with node_modules symlinked in), with the bench's bearer settings plus any NAME=value given.
// Each gets WARM requests (default 30000: the JIT must have settled, and Bun's optimising compiler
// still tiers Gatehouse's functions up until ~18,000 requests; counted earlier, that compile work on
// a background thread doubled Bun's reading), then its counters are zeroed, then REQUESTS more
// (default 3000) are counted; every answer must be the correct tools/call result.
// Prints instructions per request (all threads; the main thread's share in brackets) and each
// entry's ratio to the first. Needs valgrind (`apt-get install valgrind`); about a minute per entry,
// and entries can be measured in parallel (counts do not depend on load).
import { spawn, spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { BODY, HEADERS, SERVER_ENV } from "./counted-request.mjs";

const root = resolve(import.meta.dirname, "..", "..");
const args = process.argv.slice(2);
let runtime = "deno";
if (args[0] === "--runtime") runtime = args.splice(0, 2)[1];
if (!["deno", "bun"].includes(runtime) || args.length === 0) {
  console.error("usage: node scripts/bench/instructions.mjs [--runtime deno|bun] entry[@checkout][:NAME=value,...] ...");
  process.exit(2);
}
if (spawnSync("sh", ["-c", "command -v valgrind && command -v callgrind_control"]).status !== 0) {
  console.error("instructions: valgrind is not installed (apt-get install valgrind)");
  process.exit(1);
}
const WARM = Number(process.env.WARM ?? 30000);
const REQUESTS = Number(process.env.REQUESTS ?? 3000);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Sends `n` correct tools/calls, 4 at a time; rejects on the first wrong answer. */
async function send(port, n, headers = HEADERS) {
  let left = n;
  await Promise.all(Array.from({ length: 4 }, async () => {
    while (left-- > 0) {
      const r = await fetch(`http://127.0.0.1:${port}/mcp`, { method: "POST", headers, body: BODY });
      const text = await r.text();
      if (r.status !== 200 || !text.includes('"text":"hello"')) throw new Error(`wrong answer (HTTP ${r.status}): ${text.slice(0, 200)}`);
    }
  }));
}

async function measure(spec, port) {
  const [target, settings = ""] = spec.split(/:(.*)/s);
  const [entry, checkout = root] = target.split("@");
  if (!/^[a-z0-9-]+$/.test(entry)) throw new Error(`bad entry name: ${entry}`);
  const env = { ...process.env, PORT: String(port), ...SERVER_ENV };
  for (const kv of settings.split(",").filter(Boolean)) {
    const i = kv.indexOf("=");
    env[kv.slice(0, i)] = kv.slice(i + 1);
  }
  const dir = mkdtempSync(join(tmpdir(), "gatehouse-instructions-"));
  const out = join(dir, "callgrind.out");
  // The jwt and oauth entries make their credential at start-up and hand over the request headers
  // in a state file, as for the bench runner (scripts/bench/bench-env.ts).
  const stateFile = join(dir, "state.json");
  if (/^gatehouse-(jwt|oauth)$/.test(entry)) Object.assign(env, { BENCH_STATE_FILE: stateFile, OAUTH_BENCH_DIR: dir });
  const bin = join(root, "node_modules", ".bin", runtime);
  const serve = runtime === "bun" ? [bin, "scripts/bench/serve.ts", entry] : [bin, "run", "-A", "scripts/bench/serve.ts", entry];
  const child = spawn("valgrind", ["--tool=callgrind", "--smc-check=all-non-file", `--callgrind-out-file=${out}`, ...serve], {
    cwd: checkout,
    env,
    stdio: ["ignore", "ignore", "pipe"],
  });
  let log = "";
  child.stderr.on("data", (d) => (log = (log + d).slice(-2000)));
  try {
    let headers = HEADERS;
    for (let waited = 0;; waited += 500) {
      if (child.exitCode !== null) throw new Error(`server exited: ${log}`);
      try {
        if (env.BENCH_STATE_FILE && headers === HEADERS) {
          if (!existsSync(stateFile)) throw new Error("no state file yet");
          headers = { ...HEADERS, ...JSON.parse(readFileSync(stateFile, "utf8")).headers };
        }
        await send(port, 1, headers);
        break;
      } catch (e) {
        if (e.message.startsWith("wrong answer") || waited > 180_000) throw e;
        await sleep(500);
      }
    }
    await send(port, WARM, headers);
    spawnSync("callgrind_control", ["-z", String(child.pid)]);
    await send(port, REQUESTS, headers);
    spawnSync("callgrind_control", ["-d", String(child.pid)]);
    const dump = readdirSync(dir).filter((f) => f.startsWith("callgrind.out.")).sort().at(-1);
    const summary = dump && /^summary: (\d+)/m.exec(readFileSync(join(dir, dump), "utf8"))?.[1];
    if (!summary) throw new Error(`no callgrind dump: ${log}`);
    // The main thread's share: everything under __libc_start_main (the rest is compiler and GC threads).
    const annotated =
      spawnSync("callgrind_annotate", ["--inclusive=yes", "--threshold=100", join(dir, dump)], { encoding: "utf8" }).stdout ?? "";
    const main = /^\s*([\d,]+) .*libc-start\.c:__libc_start_main/m.exec(annotated)?.[1];
    // KEEP_DUMPS=dir keeps each dump there (for callgrind_annotate: where the instructions go by function).
    if (process.env.KEEP_DUMPS) {
      copyFileSync(join(dir, dump), join(process.env.KEEP_DUMPS, `${runtime}-${spec.replace(/[^\w.-]+/g, "_")}.callgrind`));
    }
    return { total: Number(summary) / REQUESTS, main: main ? Number(main.replaceAll(",", "")) / REQUESTS : NaN };
  } finally {
    child.kill("SIGKILL");
    rmSync(dir, { recursive: true, force: true });
  }
}

let port = 36000 + Math.floor(Math.random() * 2000);
const results = [];
for (const spec of args) {
  const { total, main } = await measure(spec, port++);
  results.push(total);
  const ratio = total / results[0];
  const share = Number.isNaN(main) ? "" : ` (main thread ${Math.round(main)})`;
  console.log(
    `${runtime} ${spec.padEnd(44)} ${Math.round(total).toString().padStart(8)} instructions/request${share}${
      results.length > 1 ? `  ×${ratio.toFixed(3)} of the first` : ""
    }`,
  );
}
