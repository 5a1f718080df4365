/**
 * @module In-process hot-path measurement: `server.fetch(new Request(...))` in a loop, no sockets, so
 * what is left is the framework's own JavaScript (steadier than wrk on a shared machine, and what a
 * CPU profile of it shows is ours). Compares three handlers on the same tools/call of `echo`:
 *
 * - `ceiling`: reads and parses the body and answers a canned result (the wrk ceiling-with-parse);
 * - `minimal`: the least an authenticated MCP server does (reads the headers it needs, constant-time
 *   bearer compare, parse, zod `safeParse` of the arguments, the JSON-RPC envelope), hand-written;
 * - `gatehouse`: src/main.ts configured from the environment (bearer, no rate limit, like the bench).
 *
 * Usage: `bun scripts/bench/in-process.ts` / `deno run -A scripts/bench/in-process.ts`; prints, per
 * handler, the best µs per call of 13 batches (N=5000 calls each, 32 in flight). Add
 * `--cpu-prof-md` (Bun) or `--cpu-prof --cpu-prof-md` (Deno) to profile. Not a test and not the
 * budget: the budget is judged over real sockets by `npm run bench`. A tight loop keeps the
 * handler's code and data in the CPU caches, so it undercounts what touching more per request
 * costs in a real server (2–4x here; `BENCH_DIAGNOSTICS=1` in the bench measures that).
 *
 * A/B: `AB_BASE=/abs/path/to/another/checkout` (e.g. `git worktree add /tmp/base <commit>` with
 * `node_modules` symlinked into it) compares that checkout's Gatehouse with this one's in alternating
 * batches and prints the median ratio; on a shared machine this is the comparison to trust (A
 * against A reads 1.00 ± 0.05 when nothing else runs).
 */
const g = globalThis as unknown as {
  Deno?: { env: { get(k: string): string | undefined; set(k: string, v: string): void }; exit(code: number): never };
  process?: { env: Record<string, string | undefined>; exit(code: number): never };
};
const getEnv = (k: string) => (g.Deno ? g.Deno.env.get(k) : g.process!.env[k]);
const setEnv = (k: string, v: string) => (g.Deno ? g.Deno.env.set(k, v) : (g.process!.env[k] = v));

const TOKEN = "bench-bearer-9f2c4e6a8b0d1f3e5a7c";
for (
  const [k, v] of Object.entries({
    AUTH_STRATEGY: "bearer",
    BEARER_TOKEN: TOKEN,
    RATE_LIMIT_RPS: "off",
    LOG_LEVEL: "error",
    AUDIT_LOG: "stdout",
  })
) {
  if (getEnv(k) === undefined) setEnv(k, v);
}
const { default: gatehouse } = await import("../../src/main.ts");
// The wrk bench's own entries, so both measure the same handlers (minimal reads BEARER_TOKEN, set above).
const { fetch: ceiling } = await import("./servers/ceiling-parse.ts");
const { fetch: minimal } = await import("./servers/minimal.ts");

const body = '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"echo","arguments":{"message":"hello"}}}';
const headers = {
  "content-type": "application/json",
  accept: "application/json, text/event-stream",
  authorization: `Bearer ${TOKEN}`,
  "mcp-protocol-version": "2025-11-25",
  host: "localhost:8000",
  "content-length": String(body.length),
};
const info = g.Deno ? { remoteAddr: { hostname: "127.0.0.1" } } : { requestIP: () => ({ address: "127.0.0.1" }) };

type Fetch = (request: Request) => Promise<Response>;
const handlers: Record<string, Fetch> = { ceiling, minimal, gatehouse: (r) => gatehouse.fetch(r, info as never) };
const N = Number(getEnv("N") ?? 5000);

const one = (fetch: Fetch) => fetch(new Request("http://localhost:8000/mcp", { method: "POST", headers, body })).then((r) => r.text());

/** Microseconds per call over one batch of N calls, 32 in flight. */
async function batch(fetch: Fetch): Promise<number> {
  let left = N;
  const t0 = performance.now();
  await Promise.all(Array.from({ length: 32 }, async () => {
    while (left-- > 0) await one(fetch);
  }));
  return (performance.now() - t0) * 1000 / N;
}

async function checked(fetch: Fetch): Promise<Fetch> {
  const first = await one(fetch);
  if (!first.includes('"text":"hello"')) throw new Error(`wrong answer: ${first}`);
  return fetch;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1];
const abBase = getEnv("AB_BASE");
if (abBase) {
  // Paired A/B: another checkout's Gatehouse (A) against this one's (B), batches alternating in one
  // process, so the machine's changing speed hits both alike; the median of B/A over the pairs.
  const other = `${abBase.replace(/\/$/, "")}/src/main.ts`;
  const { default: base } = await import(g.Deno ? `file://${other}` : other);
  const a = await checked((r) => base.fetch(r, info as never));
  const b = await checked(handlers.gatehouse);
  const ratios: number[] = [], as: number[] = [], bs: number[] = [];
  for (let pair = 0; pair < 20; pair++) {
    const x = await batch(a), y = await batch(b);
    if (pair >= 4) ratios.push(y / x), as.push(x), bs.push(y); // the first pairs warm the JIT up
  }
  console.log(
    `A (${abBase}) ${median(as).toFixed(2)} µs, B (this checkout) ${median(bs).toFixed(2)} µs per call; B/A median ${
      median(ratios).toFixed(3)
    }`,
  );
} else {
  const only = getEnv("ONLY");
  for (const [name, fetch] of Object.entries(handlers)) {
    if (only && only !== name) continue;
    await checked(fetch);
    let best = Infinity;
    for (let i = 0; i < 16; i++) {
      const us = await batch(fetch);
      if (i >= 3) best = Math.min(best, us); // the first batches warm the JIT up
    }
    console.log(`${name.padEnd(10)} ${best.toFixed(2)} µs per call (includes building the Request)`);
  }
}
// The server keeps timers (session and in-flight sweeps) that would hold the process open.
g.Deno ? g.Deno.exit(0) : g.process!.exit(0);
