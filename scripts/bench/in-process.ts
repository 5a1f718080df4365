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
 * budget: the budget is judged over real sockets by `npm run bench`.
 */
const g = globalThis as unknown as {
  Deno?: { env: { get(k: string): string | undefined; set(k: string, v: string): void }; exit(code: number): never };
  process?: { env: Record<string, string | undefined>; exit(code: number): never };
};
const getEnv = (k: string) => (g.Deno ? g.Deno.env.get(k) : g.process!.env[k]);
const setEnv = (k: string, v: string) => (g.Deno ? g.Deno.env.set(k, v) : (g.process!.env[k] = v));

const TOKEN = "bench-bearer-9f2c4e6a8b0d1f3e5a7c";
for (const [k, v] of Object.entries({ AUTH_STRATEGY: "bearer", BEARER_TOKEN: TOKEN, RATE_LIMIT_RPS: "off", LOG_LEVEL: "error", AUDIT_LOG: "stdout" })) {
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

async function bestMicroseconds(fetch: Fetch): Promise<number> {
  const one = async () => (await fetch(new Request("http://localhost:8000/mcp", { method: "POST", headers, body }))).text();
  const first = await one();
  if (!first.includes('"text":"hello"')) throw new Error(`wrong answer: ${first}`);
  let best = Infinity;
  for (let batch = 0; batch < 16; batch++) {
    let left = N;
    const t0 = performance.now();
    await Promise.all(Array.from({ length: 32 }, async () => {
      while (left-- > 0) await one();
    }));
    const us = (performance.now() - t0) * 1000 / N;
    if (batch >= 3) best = Math.min(best, us); // the first batches warm the JIT up
  }
  return best;
}

const only = getEnv("ONLY");
for (const [name, fetch] of Object.entries(handlers)) {
  if (only && only !== name) continue;
  console.log(`${name.padEnd(10)} ${(await bestMicroseconds(fetch)).toFixed(2)} µs per call (includes building the Request)`);
}
// The server keeps timers (session and in-flight sweeps) that would hold the process open.
g.Deno ? g.Deno.exit(0) : g.process!.exit(0);
