// The benchmark (`npm run bench`, issue 7): Gatehouse against its runtime's ceiling and against the
// official SDKs, on Bun and on Deno, under wrk. Server pinned to core 0, wrk to core 1, loopback only,
// bounded in time. Every entry is checked for a correct answer first; a wrong answer posts no number.
//
// Environment:
//   BENCH_SECONDS   measured seconds per run (default 3)
//   BENCH_WARMUP    warm-up seconds before each measurement (default 1)
//   BENCH_RUNTIMES  comma list: bun,deno (default both)
//   BENCH_ONLY      regular expression on entry ids (e.g. "ceiling|bearer")
//   BENCH_VARIANTS  comma list: 2025-11-25,2026-07-28 (default both)
//   BENCH_REPEAT    measured runs per entry, each paired with a run of the reference ceiling-with-parse
//                   just before it (on the entry's own request); the best req/s is kept, and the median of
//                   the pairs' CPU ratios (default 3; each entry then takes ~20 s per request variant, the
//                   whole run ~20 min)
//   BENCH_EXTRAS    0 to skip cold start and the rate-limit-keys measurement
//   BENCH_DIAGNOSTICS  1 to add the in-server entries (servers/in-server.ts): what one extra in-process
//                   call of minimal / Gatehouse costs inside a busy server (off by default)
//   BENCH_OUT       output directory (default bench/results)
//   BENCH_NAME      results file name without extension (default latest; a partial run, i.e. with
//                   BENCH_ONLY, BENCH_RUNTIMES, BENCH_VARIANTS or BENCH_EXTRAS=0, defaults to "partial"
//                   so that it never overwrites latest.md)
//   BENCH_TOKEN     1/0: measure authorization-code exchanges at /token (default: with the extras)
//   BENCH_TOKEN_STORES  comma list: memory,sqlite,denokv (default memory,sqlite; denokv runs on Deno only)
//   BENCH_TOKEN_CODES   codes pre-issued per /token measurement (default 20000 memory; sqlite 12000 Bun, 8000 Deno)
//
// Writes bench/results/<name>.md and bench/results/<name>.json. Installs nothing.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { buildMainJs } from "./built-main.mjs";

const root = resolve(import.meta.dirname, "..", "..");
const bin = (name) => join(root, "node_modules", ".bin", name);
const env = process.env;
const SECONDS = Number(env.BENCH_SECONDS ?? 3);
const WARMUP = Number(env.BENCH_WARMUP ?? 1);
const RUNTIMES = (env.BENCH_RUNTIMES ?? "bun,deno").split(",").map((s) => s.trim()).filter(Boolean);
const VARIANTS = (env.BENCH_VARIANTS ?? "2025-11-25,2026-07-28").split(",").map((s) => s.trim()).filter(Boolean);
const ONLY = env.BENCH_ONLY ? new RegExp(env.BENCH_ONLY) : undefined;
const EXTRAS = env.BENCH_EXTRAS !== "0";
const DIAGNOSTICS = env.BENCH_DIAGNOSTICS === "1";
const REPEAT = Math.max(1, Number(env.BENCH_REPEAT ?? 3));
const OUT = resolve(root, env.BENCH_OUT ?? "bench/results");
const PARTIAL = !!(env.BENCH_ONLY || env.BENCH_RUNTIMES || env.BENCH_VARIANTS || !EXTRAS || DIAGNOSTICS);
const NAME = env.BENCH_NAME ?? (PARTIAL ? "partial" : "latest");
if (!/^[A-Za-z0-9._-]+$/.test(NAME)) fail("BENCH_NAME must be a plain file name");
const TOKEN_EXCHANGE = env.BENCH_TOKEN === undefined ? EXTRAS : env.BENCH_TOKEN === "1";
const TOKEN_STORES = (env.BENCH_TOKEN_STORES ?? "memory,sqlite").split(",").map((s) => s.trim()).filter(Boolean);
const CONNECTIONS = 32;
if (!(SECONDS > 0) || !(WARMUP >= 0)) fail("BENCH_SECONDS must be > 0 and BENCH_WARMUP >= 0");

// ---------------------------------------------------------------------------------------------
// Preconditions: wrk (Debian package `wrk`) and taskset (util-linux); two cores for honest pinning.

function fail(message) {
  console.error(`bench: ${message}`);
  process.exit(1);
}
const has = (cmd) => spawnSync("sh", ["-c", `command -v ${cmd}`], { encoding: "utf8" }).status === 0;
if (!has("wrk")) {
  fail([
    "wrk is not installed. It is the load generator this benchmark uses.",
    "  Debian/Ubuntu: sudo apt-get update && sudo apt-get install -y wrk",
    "  macOS:         brew install wrk",
  ].join("\n"));
}
const PIN = has("taskset") && cpus().length >= 2;
if (!PIN) console.warn("bench: WARNING: fewer than 2 CPUs or no taskset: server and wrk are NOT pinned; numbers are not comparable.");
const pinned = (core, cmd, args) => (PIN ? ["taskset", ["-c", String(core), cmd, ...args]] : [cmd, args]);

// ---------------------------------------------------------------------------------------------
// The request: a tools/call of the demo's `echo`, as a 2025-11-25 client and as a 2026-07-28 client sends it.

const TOKEN = "bench-bearer-9f2c4e6a8b0d1f3e5a7c";
const API_KEY = "bench-apikey-1a3c5e7f9b2d4f6a8c0e";
const CALL = { name: "echo", arguments: { message: "hello" } };
const VARIANT_REQUESTS = {
  "2025-11-25": {
    headers: {
      "content-type": "application/json",
      "accept": "application/json, text/event-stream",
      "mcp-protocol-version": "2025-11-25",
    },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/call", params: CALL }),
  },
  "2026-07-28": {
    headers: {
      "content-type": "application/json",
      "accept": "application/json, text/event-stream",
      "mcp-protocol-version": "2026-07-28",
      "mcp-method": "tools/call",
      "mcp-name": "echo",
    },
    body: JSON.stringify({
      jsonrpc: "2.0",
      id: 1,
      method: "tools/call",
      params: {
        ...CALL,
        _meta: {
          "io.modelcontextprotocol/protocolVersion": "2026-07-28",
          "io.modelcontextprotocol/clientCapabilities": {},
        },
      },
    }),
  },
};
for (const v of VARIANTS) {
  if (!(v in VARIANT_REQUESTS)) fail(`BENCH_VARIANTS: unknown variant "${v}" (known: ${Object.keys(VARIANT_REQUESTS).join(", ")})`);
}
for (const r of RUNTIMES) if (r !== "bun" && r !== "deno") fail(`BENCH_RUNTIMES: unknown runtime "${r}" (known: bun, deno)`);

// ---------------------------------------------------------------------------------------------
// Entries. `server` names scripts/bench/servers/<server>.ts, served by scripts/bench/serve.ts.

const GH = (strategy, extra = {}) => ({ AUTH_STRATEGY: strategy, RATE_LIMIT_RPS: "off", AUDIT_LOG: "stdout", ...extra });
const ENTRIES = [
  { id: "ceiling", label: "ceiling (canned, body not read)", server: "ceiling" },
  { id: "ceiling-parse", label: "ceiling-with-parse", server: "ceiling-parse" },
  {
    id: "minimal",
    label: "reference: hand-written minimal bearer handler",
    server: "minimal",
    env: { BEARER_TOKEN: TOKEN },
    headers: { authorization: `Bearer ${TOKEN}` },
  },
  {
    id: "minimal-checked",
    label: "reference: minimal + the spec's checks (Host, Origin, request id, session, body size)",
    server: "minimal-checked",
    env: { BEARER_TOKEN: TOKEN },
    headers: { authorization: `Bearer ${TOKEN}` },
  },
  { id: "gatehouse-none", label: "gatehouse none", server: "gatehouse", env: GH("none") },
  {
    id: "gatehouse-bearer",
    label: "gatehouse bearer",
    server: "gatehouse",
    env: GH("bearer", { BEARER_TOKEN: TOKEN }),
    headers: { authorization: `Bearer ${TOKEN}` },
    budget: 0.9,
  },
  {
    id: "gatehouse-api_key",
    label: "gatehouse api_key",
    server: "gatehouse",
    env: GH("api_key", { API_KEY }),
    headers: { "x-api-key": API_KEY },
    budget: 0.9,
  },
  {
    id: "gatehouse-bearer-ratelimit",
    label: "gatehouse bearer + rate limit (default stages, huge limit)",
    server: "gatehouse",
    // The default limiter (per-credential bucket + pre-auth per-address stage), with a limit no run
    // reaches; far from the limit, allowed responses carry no RateLimit headers (the default).
    env: GH("bearer", { BEARER_TOKEN: TOKEN, RATE_LIMIT_RPS: "1000000000", RATE_LIMIT_BURST: "1000000000" }),
    headers: { authorization: `Bearer ${TOKEN}` },
  },
  {
    id: "gatehouse-bearer-ratelimit-headers",
    label: "gatehouse bearer + rate limit, RateLimit headers on every response",
    server: "gatehouse",
    env: GH("bearer", { BEARER_TOKEN: TOKEN, RATE_LIMIT_RPS: "1000000000", RATE_LIMIT_BURST: "1000000000", RATE_LIMIT_HEADERS: "always" }),
    headers: { authorization: `Bearer ${TOKEN}` },
  },
  // jwt and oauth entries make their credential at start-up and hand it over in a state file
  // (`stateFile`: the runner reads the request headers from it; see scripts/bench/bench-env.ts).
  {
    id: "gatehouse-jwt-cached",
    label: "gatehouse jwt ES256, warm cache",
    server: "gatehouse-jwt",
    env: GH("none"),
    stateFile: true,
    budget: 0.85,
  },
  {
    id: "gatehouse-jwt-uncached",
    label: "gatehouse jwt ES256, uncached (cache: false)",
    server: "gatehouse-jwt",
    env: GH("none", { JWT_BENCH_CACHE: "off" }),
    stateFile: true,
  },
  {
    id: "gatehouse-oauth-memory",
    label: "gatehouse oauth opaque token, memory store",
    server: "gatehouse-oauth",
    env: GH("none", { OAUTH_BENCH_STORE: "memory" }),
    stateFile: true,
    budget: 0.85,
  },
  {
    id: "gatehouse-oauth-sqlite",
    label: "gatehouse oauth opaque token, SQLite store",
    server: "gatehouse-oauth",
    env: GH("none", { OAUTH_BENCH_STORE: "sqlite" }),
    stateFile: true,
    budget: 0.7,
  },
  { id: "sdk-v1", label: "peer: SDK v1 WebStandardStreamableHTTPServerTransport (stateless)", server: "sdk-v1", peer: true },
  { id: "sdk-v2", label: "peer: SDK v2 createMcpHandler", server: "sdk-v2", peer: true },
  // Diagnostics (BENCH_DIAGNOSTICS=1): each answers with minimal after one extra in-process call.
  ...["none", "minimal", "gatehouse"].map((extra) => ({
    id: `in-server-${extra}`,
    label: `diagnostic: minimal, plus one in-process ${extra === "none" ? "call of nothing" : `${extra} call`} per request`,
    server: "in-server",
    env: GH("bearer", { BEARER_TOKEN: TOKEN, IN_SERVER_EXTRA: extra }),
    headers: { authorization: `Bearer ${TOKEN}` },
    diagnostic: true,
  })),
];

const serveCommand = (runtime, server) =>
  runtime === "bun" ? [bin("bun"), ["scripts/bench/serve.ts", server]] : [bin("deno"), ["run", "-A", "scripts/bench/serve.ts", server]];

// ---------------------------------------------------------------------------------------------
// Helpers: ports, process control, RSS, the correctness check, wrk.

let nextPort = 18400 + Math.floor(Math.random() * 500);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function start(cmd, args, extraEnv, core = 0) {
  const [c, a] = pinned(core, cmd, args);
  const child = spawn(c, a, { cwd: root, env: { ...env, ...extraEnv }, stdio: ["ignore", "pipe", "pipe"] });
  let log = "";
  const keep = (d) => (log = (log + d).slice(-4000));
  child.stdout.on("data", keep);
  child.stderr.on("data", keep);
  const exited = new Promise((r) => child.once("exit", (code, signal) => r({ code, signal })));
  return { child, exited, log: () => log };
}

async function stop(proc) {
  if (proc.child.exitCode !== null || proc.child.signalCode !== null) return;
  proc.child.kill("SIGTERM");
  const t = setTimeout(() => proc.child.kill("SIGKILL"), 3000);
  await proc.exited;
  clearTimeout(t);
}

/** VmHWM (peak) and VmRSS of a process, in MB. taskset execs, so the child's pid is the server's. */
function memoryOf(pid) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const kb = (k) => Number(new RegExp(`^${k}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? NaN);
    return { peakMB: kb("VmHWM") / 1024, rssMB: kb("VmRSS") / 1024 };
  } catch {
    return { peakMB: NaN, rssMB: NaN };
  }
}

/** CPU seconds (user + system, all threads) a process has used so far. */
function cpuSecondsOf(pid) {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in USER_HZ (100)
  } catch {
    return NaN;
  }
}

const loadAverage = () => readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).map(Number);

/** The JSON-RPC message in a response body: plain JSON, or the last `data:` line of an SSE stream. */
function messageOf(contentType, text) {
  if ((contentType ?? "").includes("text/event-stream")) {
    const data = text.split("\n").filter((l) => l.startsWith("data:")).map((l) => l.slice(5).trim()).filter(Boolean);
    return JSON.parse(data.at(-1));
  }
  return JSON.parse(text);
}

/** One real request; resolves to null when correct, else a reason. Rejects only when nothing answered. */
async function check(url, request) {
  const r = await fetch(url, { method: "POST", headers: request.headers, body: request.body, signal: AbortSignal.timeout(10_000) });
  const text = await r.text();
  if (r.status !== 200) return `HTTP ${r.status}: ${text.slice(0, 200)}`;
  let m;
  try {
    m = messageOf(r.headers.get("content-type"), text);
  } catch {
    return `unparseable body: ${text.slice(0, 200)}`;
  }
  const ok = m?.jsonrpc === "2.0" && m.id === 1 && m.result && !m.result.isError &&
    m.result.content?.[0]?.type === "text" && m.result.content[0].text === "hello";
  return ok ? null : `wrong answer: ${text.slice(0, 200)}`;
}

/** An authenticated entry must refuse the same request without its credentials (401), or it checks nothing. */
async function checkRefusesAnonymous(url, request) {
  const r = await fetch(url, { method: "POST", headers: request.headers, body: request.body, signal: AbortSignal.timeout(10_000) });
  const text = await r.text();
  return r.status === 401 ? null : `answered HTTP ${r.status} without credentials (expected 401): ${text.slice(0, 160)}`;
}

/** Waits for an entry's state file (written before it listens); resolves to its JSON, or { error }. */
async function readState(path, proc, ms = 120_000) {
  const until = Date.now() + ms;
  for (;;) {
    if (existsSync(path)) {
      try {
        return JSON.parse(readFileSync(path, "utf8"));
      } catch (e) {
        return { error: `unreadable state file: ${e.message}` };
      }
    }
    if (proc.child.exitCode !== null || proc.child.signalCode !== null) return { error: `server exited: ${proc.log().slice(-600)}` };
    if (Date.now() > until) return { error: `no state file within ${ms} ms: ${proc.log().slice(-300)}` };
    await sleep(20);
  }
}

/**
 * The check after a run. The earlier checks left an idle keep-alive socket in fetch's pool, which the
 * server may have closed during a long run (Bun's idle timeout is 10 s): that stale socket fails with
 * UND_ERR_SOCKET, which says nothing about the server, so such a failure is retried once on a new socket.
 */
async function checkAfterRun(url, request, proc) {
  for (let attempt = 0;; attempt++) {
    try {
      return await check(url, request);
    } catch (e) {
      const code = e?.cause?.code ?? e?.cause?.message ?? "";
      if (attempt === 0 && (code === "UND_ERR_SOCKET" || code === "ECONNRESET")) continue;
      const state = proc.child.exitCode !== null || proc.child.signalCode !== null
        ? `exited ${proc.child.exitCode ?? proc.child.signalCode}: ${proc.log().slice(-300)}`
        : "still running";
      return `no answer after the run (${e?.message}: ${code}; server ${state})`;
    }
  }
}

/** Retries while nothing listens (connection refused), then judges the first answer. */
async function waitAndCheck(url, request, proc, ms = 30_000) {
  const until = Date.now() + ms;
  for (;;) {
    if (proc.child.exitCode !== null) return { error: `server exited: ${proc.log().slice(-600)}` };
    try {
      return { error: await check(url, request) };
    } catch (e) {
      if (Date.now() > until) return { error: `no answer within ${ms} ms (${e?.cause?.code ?? e?.message})` };
      await sleep(20);
    }
  }
}

function luaString(s) {
  return `"${s.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n")}"`;
}

const luaDir = mkdtempSync(join(tmpdir(), "gatehouse-bench-"));
function luaScript(name, request) {
  const lines = [`wrk.method = "POST"`, `wrk.body = ${luaString(request.body)}`];
  for (const [k, v] of Object.entries(request.headers)) lines.push(`wrk.headers[${luaString(k)}] = ${luaString(v)}`);
  const file = join(luaDir, `${name}.lua`);
  writeFileSync(file, lines.join("\n") + "\n");
  return file;
}

const toMs = (value, unit) => Number(value) * ({ us: 0.001, ms: 1, s: 1000, m: 60000 }[unit] ?? NaN);

function wrk(url, script, seconds) {
  const [c, a] = pinned(1, "wrk", ["-t1", `-c${CONNECTIONS}`, `-d${seconds}s`, "--latency", "-s", script, url]);
  const r = spawnSync(c, a, { encoding: "utf8", timeout: (seconds + 30) * 1000 });
  const out = `${r.stdout}${r.stderr}`;
  const lat = (p) => {
    const m = new RegExp(`^\\s*${p}%\\s+([\\d.]+)(us|ms|s|m)\\s*$`, "m").exec(out);
    return m ? toMs(m[1], m[2]) : NaN;
  };
  const requests = Number(/(\d+) requests in/.exec(out)?.[1] ?? NaN);
  const errors = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
  return {
    rps: Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1] ?? NaN),
    p50: lat(50),
    p99: lat(99),
    requests,
    non2xx: Number(/Non-2xx or 3xx responses: (\d+)/.exec(out)?.[1] ?? 0),
    socketErrors: errors ? errors.slice(1).map(Number).reduce((a, b) => a + b, 0) : 0,
    raw: out,
  };
}

// ---------------------------------------------------------------------------------------------
// Throughput.

/**
 * The reference for paired ratios: a ceiling-with-parse server of the runtime kept running beside
 * the entries, measured again right before each of an entry's runs, so that each ratio compares two
 * measurements taken seconds apart (on a shared machine the load changes over a run of many minutes).
 */
async function startReference(runtime) {
  const port = nextPort++;
  const [cmd, args] = serveCommand(runtime, "ceiling-parse");
  const proc = start(cmd, args, { PORT: String(port) });
  const url = `http://127.0.0.1:${port}/mcp`;
  for (const variant of VARIANTS) {
    const { error } = await waitAndCheck(url, VARIANT_REQUESTS[variant], proc);
    if (error) {
      await stop(proc);
      console.warn(`bench: WARNING: the ${runtime} reference ceiling failed its check (${error}); no paired ratios`);
      return undefined;
    }
  }
  return { proc, url };
}

/** One wrk run against a server, with the server's CPU µs per answered request. */
function measure(url, script, proc) {
  const cpu0 = cpuSecondsOf(proc.child.pid);
  const run = wrk(url, script, SECONDS);
  // Server CPU per answered request: less sensitive than req/s to other load on the machine.
  run.cpuUs = ((cpuSecondsOf(proc.child.pid) - cpu0) * 1e6) / run.requests;
  return run;
}

const median = (values) => {
  const v = values.filter(Number.isFinite).sort((a, b) => a - b);
  return v.length === 0 ? NaN : v.length % 2 ? v[(v.length - 1) / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
};

async function runEntry(runtime, entry, variant, reference) {
  const base = { runtime, entry: entry.id, label: entry.label, variant, peer: !!entry.peer, budget: entry.budget };
  if (entry.todo) return { ...base, status: "todo", note: entry.todo };
  const port = nextPort++;
  const anonymous = { headers: { ...VARIANT_REQUESTS[variant].headers }, body: VARIANT_REQUESTS[variant].body };
  const request = { headers: { ...anonymous.headers, ...entry.headers }, body: anonymous.body };
  const [cmd, args] = serveCommand(runtime, entry.server);
  const stateFile = entry.stateFile ? join(luaDir, `state-${port}.json`) : undefined;
  const proc = start(cmd, args, {
    PORT: String(port),
    ...entry.env,
    ...(stateFile ? { BENCH_STATE_FILE: stateFile, OAUTH_BENCH_DIR: mkdtempSync(join(luaDir, "store-")) } : {}),
  });
  const url = `http://127.0.0.1:${port}/mcp`;
  try {
    if (stateFile) {
      const state = await readState(stateFile, proc);
      if (state.error) return { ...base, status: "failed-check", note: state.error };
      Object.assign(request.headers, state.headers);
    }
    const { error } = await waitAndCheck(url, request, proc);
    if (error) return { ...base, status: "failed-check", note: error };
    if (entry.headers || entry.stateFile) {
      const refused = await checkRefusesAnonymous(url, anonymous);
      if (refused) return { ...base, status: "failed-check", note: refused };
    }
    const script = luaScript(`${runtime}-${entry.id}-${variant}`, request);
    if (WARMUP > 0) wrk(url, script, WARMUP);
    let w;
    const pairs = [];
    const paired = reference && !entry.id.startsWith("ceiling");
    // The reference answers this entry's exact request (its credential header too, which the ceiling
    // ignores): the runtime's own cost of receiving a longer request, such as a ~350-byte JWT in
    // Authorization (measured on Deno: +4,100 instructions per request for the ceiling alone), is
    // then on both sides of the ratio, not charged to the entry.
    const refScript = paired ? luaScript(`${runtime}-reference-${entry.id}-${variant}`, request) : undefined;
    if (paired && WARMUP > 0) wrk(reference.url, refScript, WARMUP);
    for (let i = 0; i < REPEAT; i++) {
      const ref = paired ? measure(reference.url, refScript, reference.proc) : undefined;
      const run = measure(url, script, proc);
      if (ref && ref.non2xx === 0 && ref.requests > 0) {
        pairs.push({ ceilingCpuUs: ref.cpuUs, ceilingRps: ref.rps, cpuUs: run.cpuUs, rps: run.rps });
      }
      if (!w || !(w.rps >= run.rps) || run.non2xx > 0) w = run;
      if (run.non2xx > 0) break;
    }
    const mem = memoryOf(proc.child.pid);
    // A server that broke under load must not post a number either.
    const after = await checkAfterRun(url, request, proc);
    if (!(w.rps > 0)) return { ...base, status: "failed-run", note: w.raw.slice(-400) };
    if (w.non2xx > 0 || after) {
      return { ...base, status: "failed-run", note: `${w.non2xx} non-2xx responses${after ? `; after the run: ${after}` : ""}` };
    }
    const pairedCpuRatio = pairs.length ? median(pairs.map((p) => p.ceilingCpuUs / p.cpuUs)) : undefined;
    return {
      ...base,
      status: "ok",
      rps: w.rps,
      p50: w.p50,
      p99: w.p99,
      cpuUs: w.cpuUs,
      requests: w.requests,
      socketErrors: w.socketErrors,
      pairs,
      pairedCpuRatio,
      ...mem,
    };
  } finally {
    await stop(proc);
  }
}

// ---------------------------------------------------------------------------------------------
// Cold start: process start to the first correct tools/call answer (median of 5), and RSS right after.

/** Runs `bun build <args(out)>` into a fresh temporary directory and returns that directory. */
function bunBuild(args) {
  const out = mkdtempSync(join(tmpdir(), "gatehouse-build-"));
  const r = spawnSync(bin("bun"), ["build", ...args(out)], { cwd: root, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`bun build failed: ${r.stderr}`);
  return out;
}

const COLD_TARGETS = [
  { id: "ceiling", label: "ceiling (serve.ts)", command: (rt) => serveCommand(rt, "ceiling") },
  { id: "ceiling-parse", label: "ceiling-with-parse (serve.ts)", command: (rt) => serveCommand(rt, "ceiling-parse") },
  {
    id: "gatehouse-bearer",
    label: "gatehouse bearer (`bun run src/main.ts` / `deno serve -A src/main.ts`)",
    command: (rt, port) =>
      rt === "bun" ? [bin("bun"), ["run", "src/main.ts"]] : [bin("deno"), ["serve", "-A", "--port", String(port), "src/main.ts"]],
    env: GH("bearer", { BEARER_TOKEN: TOKEN }),
    headers: { authorization: `Bearer ${TOKEN}` },
  },
  {
    // What a deployment that bundles gets (Bun only: a `deno bundle` of src/main.ts started slower than
    // the modules themselves when measured, 117 vs 103 ms; Deno caches its compiled modules).
    id: "gatehouse-bundled",
    label: "gatehouse bearer, bundled (`bun build src/main.ts --target=bun`, then `bun main.js`)",
    runtimes: ["bun"],
    prepare: () => bunBuild((out) => ["src/main.ts", "--target=bun", "--splitting", "--outdir", out]),
    command: (_rt, _port, out) => [bin("bun"), [join(out, "main.js")]],
    env: GH("bearer", { BEARER_TOKEN: TOKEN }),
    headers: { authorization: `Bearer ${TOKEN}` },
  },
  {
    // One executable with the modules precompiled to bytecode: Bun's fastest way to start (what a
    // container or a serverless deployment would ship). Needs src/main.ts free of top-level await.
    id: "gatehouse-compiled",
    label: "gatehouse bearer, one executable (`bun build --compile --bytecode src/main.ts`)",
    runtimes: ["bun"],
    prepare: () => bunBuild((out) => ["--compile", "--bytecode", "src/main.ts", "--outfile", join(out, "gatehouse")]),
    command: (_rt, _port, out) => [join(out, "gatehouse"), []],
    env: GH("bearer", { BEARER_TOKEN: TOKEN }),
    headers: { authorization: `Bearer ${TOKEN}` },
  },
  {
    // Deno starting from JavaScript (what it loads from the npm package) instead of the TypeScript
    // sources: Deno keeps each module's emitted code with an inline source map of its whole source.
    id: "gatehouse-built",
    label: "gatehouse bearer, built JavaScript (`tsc` as `npm run build`, then `deno serve -A dist/main.js`)",
    runtimes: ["deno"],
    prepare: () => buildMainJs(root, join(root, "node_modules")),
    command: (_rt, port, out) => [bin("deno"), ["serve", "-A", "--port", String(port), join(out, "dist", "main.js")]],
    env: GH("bearer", { BEARER_TOKEN: TOKEN }),
    headers: { authorization: `Bearer ${TOKEN}` },
  },
  { id: "sdk-v2", label: "peer: SDK v2 (serve.ts)", command: (rt) => serveCommand(rt, "sdk-v2") },
];

async function coldStart(runtime, target, runs = 5) {
  const request = { headers: { ...VARIANT_REQUESTS["2025-11-25"].headers, ...target.headers }, body: VARIANT_REQUESTS["2025-11-25"].body };
  const times = [];
  let rss = NaN;
  let prepared;
  try {
    prepared = target.prepare?.();
  } catch (error) {
    return { status: "failed-check", note: String(error) };
  }
  try {
    for (let i = 0; i < runs; i++) {
      const port = nextPort++;
      const [cmd, args] = target.command(runtime, port, prepared);
      const t0 = performance.now();
      const proc = start(cmd, args, { PORT: String(port), ...target.env });
      const url = `http://127.0.0.1:${port}/mcp`;
      try {
        for (;;) {
          if (proc.child.exitCode !== null) return { status: "failed-check", note: proc.log().slice(-400) };
          try {
            const error = await check(url, request);
            if (error) return { status: "failed-check", note: error };
            break;
          } catch {
            if (performance.now() - t0 > 30_000) return { status: "failed-check", note: "no answer in 30 s" };
            await sleep(2);
          }
        }
        times.push(performance.now() - t0);
        await sleep(200);
        rss = memoryOf(proc.child.pid).rssMB; // idle, after one request
      } finally {
        await stop(proc);
      }
    }
  } finally {
    if (prepared) rmSync(prepared, { recursive: true, force: true });
  }
  times.sort((a, b) => a - b);
  return { status: "ok", medianMs: times[Math.floor(times.length / 2)], minMs: times[0], maxMs: times.at(-1), idleRssMB: rss };
}

// ---------------------------------------------------------------------------------------------
// One million distinct rate-limit keys in the memory store, driven through the real limiter.

function rateLimitKeys(runtime) {
  const script = "scripts/bench/ratelimit-keys.ts";
  const [cmd, args] = runtime === "bun" ? [bin("bun"), [script]] : [bin("deno"), ["run", "-A", "--v8-flags=--expose-gc", script]];
  const [c, a] = pinned(0, cmd, args);
  const r = spawnSync(c, a, { cwd: root, encoding: "utf8", timeout: 300_000, env: { ...env, KEYS: env.BENCH_KEYS ?? "1000000" } });
  const line = r.stdout.trim().split("\n").at(-1) ?? "";
  try {
    return { status: "ok", ...JSON.parse(line) };
  } catch {
    return { status: "failed-run", note: `${r.stdout}${r.stderr}`.slice(-600) };
  }
}

// ---------------------------------------------------------------------------------------------
// Authorization-code exchanges per second at /token, over HTTP under wrk (server on core 0, wrk on
// core 1). The codes cannot come from the browser legs (consent page, upstream IdP) at this rate, so
// the oauth entry pre-issues them at start-up the way the provider callback does (createGrant +
// issueCode, one grant per code, PKCE S256), before anything is measured; wrk then redeems each once
// at the real /token (public client, code + code_verifier + redirect_uri + resource) and counts a 200
// carrying an access_token as one exchange. No rate limit (RATE_LIMIT_RPS=off).

async function tokenExchange(runtime, store) {
  const codes = Number(env.BENCH_TOKEN_CODES ?? (store === "memory" ? 20000 : runtime === "bun" ? 12000 : 8000));
  const port = nextPort++;
  const stateFile = join(luaDir, `state-${port}.json`);
  const [cmd, args] = serveCommand(runtime, "gatehouse-oauth");
  const proc = start(cmd, args, {
    PORT: String(port),
    ...GH("none", { OAUTH_BENCH_STORE: store, OAUTH_BENCH_CODES: String(codes) }),
    BENCH_STATE_FILE: stateFile,
    OAUTH_BENCH_DIR: mkdtempSync(join(luaDir, "store-")),
  });
  const base = `http://127.0.0.1:${port}`;
  const request = { headers: { ...VARIANT_REQUESTS["2025-11-25"].headers }, body: VARIANT_REQUESTS["2025-11-25"].body };
  try {
    const state = await readState(stateFile, proc, 300_000);
    if (state.error) return { status: "failed-check", codes, note: state.error };
    Object.assign(request.headers, state.headers);
    // The entry's own first exchange went through /token; its token must work on the MCP endpoint.
    const { error } = await waitAndCheck(`${base}/mcp`, request, proc);
    if (error) return { status: "failed-check", codes, note: error };
    const bodies = readFileSync(`${stateFile}.codes`, "utf8").split("\n").filter(Boolean);
    const warm = WARMUP > 0 ? Math.min(2000, Math.floor(bodies.length / 10)) : 0;
    writeFileSync(`${stateFile}.warm`, bodies.slice(0, warm).join("\n") + "\n");
    writeFileSync(`${stateFile}.measure`, bodies.slice(warm).join("\n") + "\n");
    const script = join(root, "scripts", "bench", "token-exchange.lua");
    const run = (file, seconds) => {
      const [c, a] = pinned(1, "wrk", ["-t1", `-c${CONNECTIONS}`, `-d${seconds}s`, "--latency", "-s", script, base, "--", file]);
      const r = spawnSync(c, a, { encoding: "utf8", timeout: (seconds + 30) * 1000 });
      const line = /^TOKEN_EXCHANGE (.*)$/m.exec(`${r.stdout}`)?.[1];
      return line ? JSON.parse(line) : { error: `${r.stdout}${r.stderr}`.slice(-400) };
    };
    if (warm > 0) run(`${stateFile}.warm`, WARMUP);
    const cpu0 = cpuSecondsOf(proc.child.pid);
    const m = run(`${stateFile}.measure`, SECONDS);
    const cpu = cpuSecondsOf(proc.child.pid) - cpu0;
    if (m.error) return { status: "failed-run", codes, note: m.error };
    if (m.failures > 0 || !(m.exchanges > 0)) {
      return { status: "failed-run", codes, note: `${m.failures} failed exchanges (first: ${m.firstFailure})` };
    }
    // The last token handed out must work too (the store was not corrupted under load).
    const after = await checkAfterRun(`${base}/mcp`, request, proc);
    if (after) return { status: "failed-run", codes, note: `after the run: ${after}` };
    return {
      status: "ok",
      store: state.store,
      codes: bodies.length - warm,
      exchanges: m.exchanges,
      seconds: m.durationUs / 1e6,
      perSecond: m.perSecond,
      p50: m.p50Ms,
      p99: m.p99Ms,
      cpuUs: (cpu * 1e6) / m.exchanges,
      ranOut: m.ranOut === true,
      ...memoryOf(proc.child.pid),
    };
  } finally {
    await stop(proc);
  }
}

// ---------------------------------------------------------------------------------------------

function versionOf(cmd, args) {
  const r = spawnSync(cmd, args, { encoding: "utf8" });
  return `${r.stdout}${r.stderr}`.trim().split("\n")[0];
}

const info = {
  date: new Date().toISOString(),
  commit: versionOf("git", ["-C", root, "rev-parse", "--short", "HEAD"]),
  dirty: spawnSync("git", ["-C", root, "status", "--porcelain", "--untracked-files=no"], { encoding: "utf8" }).stdout.trim() !== "",
  cpu: cpus()[0]?.model ?? "unknown",
  cpus: cpus().length,
  pinned: PIN,
  bun: versionOf(bin("bun"), ["--version"]),
  deno: versionOf(bin("deno"), ["--version"]),
  wrk: versionOf("wrk", ["-v"]),
  seconds: SECONDS,
  warmup: WARMUP,
  repeat: REPEAT,
  connections: CONNECTIONS,
  loadBefore: loadAverage(),
};
if (info.loadBefore[0] > 0.5) {
  console.warn(
    `bench: WARNING: load average ${info.loadBefore.join(" ")}: other processes are using the CPUs; req/s will be low and noisy.`,
  );
}

const RENDER_ONLY = env.BENCH_RENDER === "1"; // rewrite latest.md from latest.json, measuring nothing
if (RENDER_ONLY) {
  const saved = JSON.parse(readFileSync(join(OUT, `${NAME}.json`), "utf8"));
  Object.assign(info, saved.info);
  addRatios(saved.results);
  render(saved.results, saved.extras);
  process.exit(0);
}
console.log(
  `bench: ${RUNTIMES.join("+")}, ${SECONDS}s per entry (+${WARMUP}s warm-up), wrk -t1 -c${CONNECTIONS}${
    PIN ? ", server on core 0, wrk on core 1" : ""
  }`,
);
const results = [];
for (const runtime of RUNTIMES) {
  const reference = await startReference(runtime);
  try {
    for (const entry of ENTRIES) {
      if ((ONLY && !ONLY.test(entry.id)) || (entry.diagnostic && !DIAGNOSTICS)) continue;
      for (const variant of VARIANTS) {
        const r = await runEntry(runtime, entry, variant, reference);
        results.push(r);
        const shown = r.status === "ok"
          ? `${r.rps.toFixed(0).padStart(7)} req/s  p50 ${r.p50.toFixed(2)} ms  p99 ${r.p99.toFixed(2)} ms  cpu ${
            r.cpuUs.toFixed(1)
          } µs/req  peak ${r.peakMB.toFixed(0)} MB${
            r.pairedCpuRatio !== undefined ? `  paired CPU ratio ${r.pairedCpuRatio.toFixed(3)}` : ""
          }`
          : `${r.status}: ${String(r.note).split("\n")[0].slice(0, 160)}`;
        console.log(`${runtime.padEnd(5)} ${variant} ${entry.id.padEnd(27)} ${shown}`);
      }
    }
  } finally {
    if (reference) await stop(reference.proc);
  }
}

info.loadAfter = loadAverage();

addRatios(results);

/** Ratios to the same runtime's and variant's ceiling-with-parse, by req/s and by server CPU per request. */
function addRatios(results) {
  for (const r of results) {
    const ceiling = results.find((c) =>
      c.runtime === r.runtime && c.variant === r.variant && c.entry === "ceiling-parse" && c.status === "ok"
    );
    if (r.status !== "ok" || !ceiling) continue;
    r.ratio = r.rps / ceiling.rps;
    r.cpuRatio = ceiling.cpuUs / r.cpuUs;
  }
}

const extras = { coldStart: [], rateLimitKeys: [], tokenExchange: [] };
if (EXTRAS) {
  for (const runtime of RUNTIMES) {
    for (const target of COLD_TARGETS) {
      if (target.runtimes && !target.runtimes.includes(runtime)) continue;
      const r = await coldStart(runtime, target);
      extras.coldStart.push({ runtime, target: target.id, label: target.label, ...r });
      console.log(
        `${runtime.padEnd(5)} cold start ${target.id.padEnd(19)} ${
          r.status === "ok" ? `${r.medianMs.toFixed(0)} ms (idle RSS ${r.idleRssMB.toFixed(0)} MB)` : r.note
        }`,
      );
    }
    const k = rateLimitKeys(runtime);
    extras.rateLimitKeys.push({ runtime, ...k });
    console.log(
      `${runtime.padEnd(5)} rate-limit keys ${
        k.status === "ok" ? `${k.keys} keys: +${k.deltaMB.toFixed(0)} MB RSS (${k.takesPerSecond.toFixed(0)} takes/s)` : k.note
      }`,
    );
  }
}

if (TOKEN_EXCHANGE) {
  for (const runtime of RUNTIMES) {
    for (const store of TOKEN_STORES) {
      if (store === "denokv" && runtime !== "deno") continue;
      const r = await tokenExchange(runtime, store);
      extras.tokenExchange.push({ runtime, storeOption: store, ...r });
      console.log(
        `${runtime.padEnd(5)} /token exchanges (${store}) ${
          r.status === "ok"
            ? `${r.perSecond.toFixed(0)}/s  p50 ${r.p50.toFixed(2)} ms  p99 ${r.p99.toFixed(2)} ms  cpu ${
              r.cpuUs.toFixed(0)
            } µs/exchange  (${r.exchanges} in ${r.seconds.toFixed(1)} s${r.ranOut ? ", codes ran out" : ""})`
            : `${r.status}: ${String(r.note).split("\n")[0].slice(0, 160)}`
        }`,
      );
    }
  }
}

render(results, extras);
rmSync(luaDir, { recursive: true, force: true });

// ---------------------------------------------------------------------------------------------
// Output.

function render(results, extras) {
  const busy = info.loadBefore[0] > 0.5 || info.loadAfter[0] > 1.5;
  const fmt = (n, d = 0) => (Number.isFinite(n) ? n.toFixed(d) : "—");
  const md = [];
  md.push("# Benchmark results", "");
  if (PARTIAL) {
    md.push(
      `Partial run (${
        [
          env.BENCH_ONLY && `BENCH_ONLY=${env.BENCH_ONLY}`,
          env.BENCH_RUNTIMES && `BENCH_RUNTIMES=${env.BENCH_RUNTIMES}`,
          env.BENCH_VARIANTS && `BENCH_VARIANTS=${env.BENCH_VARIANTS}`,
          !EXTRAS && "BENCH_EXTRAS=0",
          DIAGNOSTICS && "BENCH_DIAGNOSTICS=1",
        ].filter(Boolean).join(", ")
      }); the full run is in latest.md.`,
      "",
    );
  }
  md.push(`${info.date} · commit ${info.commit}${info.dirty ? " (uncommitted changes)" : ""} · ${info.cpu} × ${info.cpus}`);
  md.push(`Bun ${info.bun} · ${info.deno} · ${info.wrk}`);
  md.push(
    `wrk -t1 -c${CONNECTIONS} -d${SECONDS}s --latency after a ${WARMUP}s warm-up; ${
      PIN ? "server on core 0, wrk on core 1" : "NOT pinned"
    }; loopback. ` +
      'Request: tools/call of `echo` with `{"message":"hello"}`. Ratio: req/s ÷ the same runtime\'s ceiling-with-parse for the same request. ' +
      "CPU ratio: the ceiling-with-parse's CPU µs/req ÷ this entry's (roughly the ratio with the server alone on its core). " +
      `Paired CPU ratio: the same, with a ceiling-with-parse server measured again right before each of the entry's runs, on the entry's exact request (its credential header too, which the ceiling ignores; median over ${REPEAT} pair${
        REPEAT > 1 ? "s" : ""
      }); ` +
      "it compares measurements seconds apart, so load that comes and goes on a shared machine skews it least, and the budget is judged by it. " +
      `Peak RSS: the server's VmHWM after the run. CPU µs/req: the server process's user+system CPU time over the measured run ÷ requests answered${
        REPEAT > 1 ? `; best of ${REPEAT} runs` : ""
      }.`,
    "",
    `Load average before / after: ${info.loadBefore.join(" ")} / ${info.loadAfter.join(" ")}${
      info.loadBefore[0] > 0.5 || info.loadAfter[0] > 1.5
        ? " — **other processes were using the CPUs during this run: absolute req/s are low and noisy; CPU µs/req is the steadier column.**"
        : ""
    }`,
    "",
  );
  for (const variant of VARIANTS) {
    md.push(
      `## ${variant} client${
        variant === "2026-07-28" ? " (`Mcp-Method`, `Mcp-Name`, `_meta`)" : " (`MCP-Protocol-Version: 2025-11-25`, no session)"
      }`,
      "",
    );
    md.push(
      "| entry | runtime | req/s | ratio | CPU µs/req | CPU ratio | paired CPU ratio | p50 ms | p99 ms | peak RSS MB | note |",
      "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    );
    for (const entry of ENTRIES) {
      for (const runtime of RUNTIMES) {
        const r = results.find((x) => x.entry === entry.id && x.runtime === runtime && x.variant === variant);
        if (!r) continue;
        if (r.status !== "ok") {
          md.push(
            `| ${entry.label} | ${runtime} | — | — | — | — | — | — | — | — | ${
              r.status === "todo" ? r.note : `**${r.status}**: ${String(r.note).replace(/\s+/g, " ").replace(/\|/g, "\\|").slice(0, 140)}`
            } |`,
          );
          continue;
        }
        // Judged by the paired CPU ratio when there is one; else, on a busy machine, by the CPU ratio.
        const [judged, by] = Number.isFinite(r.pairedCpuRatio)
          ? [r.pairedCpuRatio, " (paired CPU ratio)"]
          : busy
          ? [r.cpuRatio, " (by CPU ratio)"]
          : [r.ratio, ""];
        const budget = r.budget ? `${judged >= r.budget ? `meets ≥ ${r.budget}` : `**below budget ${r.budget}**`}${by}` : "";
        md.push(
          `| ${entry.label} | ${runtime} | ${fmt(r.rps)} | ${fmt(r.ratio, 3)} | ${fmt(r.cpuUs, 1)} | ${fmt(r.cpuRatio, 3)} | ${
            fmt(r.pairedCpuRatio, 3)
          } | ${fmt(r.p50, 2)} | ${fmt(r.p99, 2)} | ${fmt(r.peakMB)} | ${budget} |`,
        );
      }
    }
    md.push("");
  }
  if (DIAGNOSTICS) {
    md.push("## One call's cost inside a busy server (diagnostic entries)", "");
    md.push(
      "CPU µs per request of `in-server-minimal` and `in-server-gatehouse` minus `in-server-none`: the extra in-process call's cost when " +
        "the runtime's network code runs between calls. Compare with the same handlers in a tight loop (`scripts/bench/in-process.ts`).",
      "",
    );
    md.push("| runtime | variant | minimal µs | gatehouse µs | gatehouse − minimal µs |", "| --- | --- | ---: | ---: | ---: |");
    for (const runtime of RUNTIMES) {
      for (const variant of VARIANTS) {
        const cpu = (id) =>
          results.find((x) => x.entry === id && x.runtime === runtime && x.variant === variant && x.status === "ok")?.cpuUs ?? NaN;
        const none = cpu("in-server-none"), min = cpu("in-server-minimal") - none, gh = cpu("in-server-gatehouse") - none;
        md.push(`| ${runtime} | ${variant} | ${fmt(min, 1)} | ${fmt(gh, 1)} | ${fmt(gh - min, 1)} |`);
      }
    }
    md.push("");
  }
  if (EXTRAS) {
    md.push("## Cold start (process start → first correct tools/call answer, median of 5)", "");
    md.push("| target | runtime | median ms | min ms | max ms | idle RSS MB |", "| --- | --- | ---: | ---: | ---: | ---: |");
    for (const c of extras.coldStart) {
      md.push(
        c.status === "ok"
          ? `| ${c.label} | ${c.runtime} | ${fmt(c.medianMs)} | ${fmt(c.minMs)} | ${fmt(c.maxMs)} | ${fmt(c.idleRssMB)} |`
          : `| ${c.label} | ${c.runtime} | **${c.status}** | | | |`,
      );
    }
    md.push("", "## One million distinct rate-limit keys (memory store, `bucketLimiter().take`)", "");
    md.push("| runtime | keys | RSS before MB | RSS after MB | Δ MB | takes/s |", "| --- | ---: | ---: | ---: | ---: | ---: |");
    for (const k of extras.rateLimitKeys) {
      md.push(
        k.status === "ok"
          ? `| ${k.runtime} | ${k.keys} | ${fmt(k.beforeMB)} | ${fmt(k.afterMB)} | ${fmt(k.deltaMB)} | ${fmt(k.takesPerSecond)} |`
          : `| ${k.runtime} | **${k.status}** | | | | |`,
      );
    }
    md.push("");
  }
  md.push("## Authorization-code exchanges per second at `/token`", "");
  const exchanges = Array.isArray(extras.tokenExchange) ? extras.tokenExchange : [];
  if (exchanges.length === 0) {
    md.push("Not measured in this run (`BENCH_TOKEN=1` to measure).", "");
  } else {
    md.push(
      "Over HTTP under wrk (same pinning and connections as above), no rate limit. Codes are pre-issued by the oauth bench entry at start-up " +
        "the way the provider callback issues them (`createGrant` + `issueCode`, one grant per code, PKCE S256; the consent page and the upstream IdP are not in the loop), " +
        "then each is redeemed once at the real `/token` by a public client (`code`, `code_verifier`, `redirect_uri`, `resource`). " +
        "An exchange is a 200 with an `access_token`; any other answer fails the row. CPU µs: the server's CPU time over the run ÷ exchanges. " +
        "SQLite store: `bun:sqlite` on Bun, `node:sqlite` on Deno (the same `sqliteStore`).",
      "",
    );
    md.push(
      "| store | runtime | exchanges/s | CPU µs/exchange | p50 ms | p99 ms | exchanges | seconds | peak RSS MB |",
      "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    );
    for (const t of exchanges) {
      md.push(
        t.status === "ok"
          ? `| ${t.storeOption} | ${t.runtime} | ${fmt(t.perSecond)} | ${fmt(t.cpuUs)} | ${fmt(t.p50, 2)} | ${
            fmt(t.p99, 2)
          } | ${t.exchanges}${t.ranOut ? " (all codes)" : ""} | ${fmt(t.seconds, 1)} | ${fmt(t.peakMB)} |`
          : `| ${t.storeOption} | ${t.runtime} | **${t.status}** | | | | | | | ${
            String(t.note).replace(/\s+/g, " ").replace(/\|/g, "\\|").slice(0, 140)
          } |`,
      );
    }
    md.push("");
  }
  md.push("## Budget (issue 7)", "");
  md.push(
    "- bearer and api_key tools/call ≥ 0.90 of ceiling-with-parse on both runtimes; jwt (warm cache) and oauth (memory) ≥ 0.85; oauth (SQLite) ≥ 0.70 (jwt uncached: no budget).",
  );
  md.push(
    "- Ahead of every peer in the same run; cold start ≤ 1.5× the ceiling's; idle RSS ≤ ceiling + 25 MB; 1M rate-limit keys ≤ +100 MB.",
  );
  md.push("");

  mkdirSync(OUT, { recursive: true });
  writeFileSync(join(OUT, `${NAME}.md`), md.join("\n"));
  if (!RENDER_ONLY) writeFileSync(join(OUT, `${NAME}.json`), JSON.stringify({ info, results, extras }, null, 2) + "\n");
  console.log(`bench: wrote ${join(OUT, `${NAME}.md`)} and ${NAME}.json`);
}
