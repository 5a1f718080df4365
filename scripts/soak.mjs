// A bounded soak: the real server (src/main.ts) under Bun and/or Deno on a loopback port, a steady
// mixed load per runtime, RSS sampled every second. Stops by itself; prints one summary line per
// runtime and exits 1 if memory kept growing after warm-up. Warm-up (JIT, caches, allocator arenas,
// heap sizing) ends once half of SOAK_SECONDS (default 180) has passed AND SOAK_WARMUP_REQUESTS
// (default 160 000) requests were served; memory is then judged over the next SOAK_SECONDS / 2, so a
// slow machine runs longer (at most 2 × SOAK_SECONDS, then it judges what it has). Why requests:
// V8 under Deno grows its heap in steps over roughly the first 150 000 requests of this load before it
// levels off at ~130 MB (SOAK_TRACE=1, 300 s at ~1,470 req/s: last step at 101 s, flat to 300 s); a
// warm-up measured in time alone read that last step as a leak whenever the machine was slow.
//
// Usage: node scripts/soak.mjs [bun|deno]     env: SOAK_SECONDS, SOAK_WARMUP_REQUESTS,
//        SOAK_CONCURRENCY (16), SOAK_STORE (persistent: sqlite on Bun, denokv on Deno; or "memory"),
//        SOAK_MAX_GROWTH_MB (24), SOAK_TRACE=1 (print every RSS sample)
import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { freePort } from "./free-port.mjs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const root = resolve(import.meta.dirname, "..");
const seconds = Math.max(5, Number(process.env.SOAK_SECONDS ?? 180));
const warmupRequests = Math.max(0, Number(process.env.SOAK_WARMUP_REQUESTS ?? 160_000));
const concurrency = Math.max(1, Number(process.env.SOAK_CONCURRENCY ?? 16));
const maxGrowthMb = Number(process.env.SOAK_MAX_GROWTH_MB ?? 24);
const runtimes = process.argv[2] ? [process.argv[2]] : ["bun", "deno"];
const TOKEN = "soak-bearer-token-0123456789abcdef";
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** RSS in MB of a process and all its descendants (Linux /proc). */
function treeRssMb(pid) {
  const children = new Map();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      if (!children.has(ppid)) children.set(ppid, []);
      children.get(ppid).push(Number(entry));
    } catch { /* gone */ }
  }
  let kb = 0;
  const stack = [pid];
  while (stack.length) {
    const p = stack.pop();
    try {
      const m = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${p}/status`, "utf8"));
      if (m) kb += Number(m[1]);
    } catch { /* gone */ }
    stack.push(...(children.get(p) ?? []));
  }
  return kb / 1024;
}

const modernHeaders = (method, name) => ({
  "content-type": "application/json",
  accept: "application/json, text/event-stream",
  authorization: `Bearer ${TOKEN}`,
  "mcp-protocol-version": "2026-07-28",
  "mcp-method": method,
  ...(name ? { "mcp-name": name } : {}),
});
const meta = {
  "io.modelcontextprotocol/protocolVersion": "2026-07-28",
  "io.modelcontextprotocol/clientCapabilities": {},
  "io.modelcontextprotocol/clientInfo": { name: "soak", version: "1" },
};

/** One request of a mix: stateless tool calls, a full 2025 session lifecycle, refused credentials, garbage. */
async function one(base, i) {
  const kind = i % 10;
  if (kind < 6) {
    const r = await fetch(`${base}/mcp`, {
      method: "POST",
      headers: modernHeaders("tools/call", "echo"),
      body: JSON.stringify({
        jsonrpc: "2.0",
        id: i,
        method: "tools/call",
        params: { name: "echo", arguments: { message: `m${i}` }, _meta: meta },
      }),
    });
    await r.arrayBuffer();
    return r.status === 200;
  }
  if (kind < 8) {
    const h = { "content-type": "application/json", accept: "application/json, text/event-stream", authorization: `Bearer ${TOKEN}` };
    const init = await fetch(`${base}/mcp`, {
      method: "POST",
      headers: h,
      body: JSON.stringify({
        jsonrpc: "2.0",
        id: 1,
        method: "initialize",
        params: { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "soak", version: "1" } },
      }),
    });
    await init.arrayBuffer();
    const session = init.headers.get("mcp-session-id");
    if (!session) return false;
    const sh = { ...h, "mcp-session-id": session, "mcp-protocol-version": "2025-11-25" };
    const list = await fetch(`${base}/mcp`, {
      method: "POST",
      headers: sh,
      body: JSON.stringify({ jsonrpc: "2.0", id: 2, method: "tools/list" }),
    });
    await list.arrayBuffer();
    const del = await fetch(`${base}/mcp`, { method: "DELETE", headers: sh });
    await del.arrayBuffer();
    return init.status === 200 && list.status === 200;
  }
  if (kind === 8) {
    const r = await fetch(`${base}/mcp`, {
      method: "POST",
      headers: { ...modernHeaders("tools/list"), authorization: `Bearer wrong-${i}` },
      body: "{}",
    });
    await r.arrayBuffer();
    return r.status === 401;
  }
  const r = await fetch(`${base}/mcp`, {
    method: "POST",
    headers: modernHeaders("tools/call", "echo"),
    body: `{"jsonrpc":"2.0","id":${i},"method":`,
  });
  await r.arrayBuffer();
  return r.status >= 400 && r.status < 500;
}

async function soak(runtime) {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), "gatehouse-soak-"));
  const store = process.env.SOAK_STORE ?? (runtime === "bun" ? `sqlite:${join(dir, "soak.db")}` : `denokv:${join(dir, "soak.db")}`);
  const bin = join(root, "node_modules", ".bin", runtime);
  const args = runtime === "bun" ? ["run", "src/main.ts"] : ["serve", "-A", "--host", "127.0.0.1", "--port", String(port), "src/main.ts"];
  const env = {
    ...process.env,
    HOST: "127.0.0.1",
    PORT: String(port),
    PUBLIC_URL: `http://127.0.0.1:${port}`,
    BEARER_TOKEN: TOKEN,
    RATE_LIMIT_RPS: "off",
    AUDIT_LOG: "off",
    STORE: store,
    NO_COLOR: "1",
  };
  for (const k of ["AUTH_STRATEGY", "API_KEY", "CUSTOM_HEADERS", "GATEHOUSE_SECRET"]) delete env[k];
  const child = spawn(bin, args, { cwd: root, env, stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (d) => (stderr.length < 20_000 ? (stderr += d) : 0));
  const base = `http://127.0.0.1:${port}`;
  try {
    for (const t = Date.now();; await sleep(50)) {
      if (child.exitCode !== null) throw new Error(`${runtime} server exited: ${stderr}`);
      if (Date.now() - t > 20_000) throw new Error(`${runtime} server did not start: ${stderr}`);
      try {
        const r = await fetch(`${base}/health`);
        await r.arrayBuffer();
        if (r.ok) break;
      } catch { /* not yet */ }
    }
    const samples = [];
    const started = Date.now();
    const elapsed = () => (Date.now() - started) / 1000;
    let done = 0, failed = 0, next = 0;
    /** Seconds into the run at which the warm-up ended (see the top of this file). */
    let warmedAt;
    const finished = () => {
      const t = elapsed();
      if (warmedAt === undefined && t >= seconds / 2 && done + failed >= warmupRequests) warmedAt = t;
      return (warmedAt !== undefined && t >= Math.max(seconds, warmedAt + seconds / 2)) || t >= 2 * seconds;
    };
    const sampler = setInterval(() => samples.push({ t: elapsed(), mb: treeRssMb(child.pid) }), 1000);
    samples.push({ t: 0, mb: treeRssMb(child.pid) });
    await Promise.all(Array.from({ length: concurrency }, async () => {
      while (!finished()) {
        const i = next++;
        try {
          (await one(base, i)) ? done++ : failed++;
        } catch {
          failed++;
        }
      }
    }));
    clearInterval(sampler);
    const total = elapsed();
    samples.push({ t: total, mb: treeRssMb(child.pid) });
    // Flat means: little growth after the warm-up (never reached within 2 × seconds: the second half).
    const warm = samples.filter((s) => s.t >= (warmedAt ?? seconds));
    const after = warm.length >= 2 ? warm : samples;
    const n = after.length;
    const mean = (f) => after.reduce((a, s) => a + f(s), 0) / n;
    const mt = mean((s) => s.t), mm = mean((s) => s.mb);
    const slope = after.reduce((a, s) => a + (s.t - mt) * (s.mb - mm), 0) / Math.max(1e-9, after.reduce((a, s) => a + (s.t - mt) ** 2, 0));
    const first = after[0].mb, last = after.at(-1).mb, peak = Math.max(...samples.map((s) => s.mb));
    const growth = last - first;
    const flat = growth <= maxGrowthMb && slope * 60 <= maxGrowthMb;
    const result = {
      runtime,
      store: store.split(":")[0],
      seconds: Math.round(total),
      warmupSeconds: warmedAt === undefined ? null : Math.round(warmedAt),
      requests: done + failed,
      rps: Math.round((done + failed) / total),
      failed,
      rssStartMb: +samples[0].mb.toFixed(1),
      rssAfterWarmupMb: +first.toFixed(1),
      rssEndMb: +last.toFixed(1),
      rssPeakMb: +peak.toFixed(1),
      growthAfterWarmupMb: +growth.toFixed(1),
      slopeMbPerMin: +(slope * 60).toFixed(2),
      flat,
    };
    if (process.env.SOAK_TRACE) console.log(samples.map((s) => `${s.t.toFixed(0)}s:${s.mb.toFixed(0)}`).join(" "));
    console.log(JSON.stringify(result));
    return result;
  } finally {
    child.kill("SIGTERM");
    await Promise.race([new Promise((r) => child.once("exit", r)), sleep(3000)]);
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    rmSync(dir, { recursive: true, force: true });
  }
}

let ok = true;
for (const runtime of runtimes) {
  const r = await soak(runtime);
  console.log(
    `${r.runtime} (${r.store}): ${r.requests} requests in ${r.seconds} s (${r.rps}/s, ${r.failed} unexpected), RSS ${r.rssStartMb} → ${r.rssAfterWarmupMb} after warm-up (${
      r.warmupSeconds === null ? `not reached: ${warmupRequests} requests` : `${r.warmupSeconds} s`
    }) → ${r.rssEndMb} MB at the end (peak ${r.rssPeakMb}), ${r.slopeMbPerMin} MB/min after warm-up: ${r.flat ? "flat" : "GROWING"}`,
  );
  if (!r.flat || r.failed > 0) ok = false;
}
process.exit(ok ? 0 : 1);
