/**
 * @module Bench diagnostic: what one handler call costs inside a busy server rather than in a tight
 * loop. Answers every request with `minimal`, after first making one extra in-process call (on a
 * request built here, so no extra I/O) of the handler IN_SERVER_EXTRA names: `minimal`, `gatehouse`
 * (src/main.ts as the bench configures it) or `none`. An entry's CPU µs per request minus the
 * `none` entry's is that handler's cost between real requests, where the runtime's network code has
 * run since its last call; `scripts/bench/in-process.ts` gives the same handlers' tight-loop cost.
 */
import main from "../../../src/main.ts";
import { fetch as minimal } from "./minimal.ts";

type Fetch = (request: Request) => Response | Promise<Response>;
const g = globalThis as unknown as {
  Deno?: { env: { get(k: string): string | undefined } };
  Bun?: { env: Record<string, string | undefined> };
};
const read = (k: string) => (g.Deno ? g.Deno.env.get(k) : g.Bun!.env[k]);
const extraName = read("IN_SERVER_EXTRA") ?? "none";
const handlers: Record<string, Fetch | undefined> = { none: undefined, minimal, gatehouse: (r) => main.fetch(r) };
if (!(extraName in handlers)) throw new Error(`IN_SERVER_EXTRA must be none, minimal or gatehouse (got ${extraName})`);
const extra = handlers[extraName];

const body = JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: "echo", arguments: { message: "hello" } } });
const headers = {
  host: "127.0.0.1",
  authorization: `Bearer ${read("BEARER_TOKEN") ?? ""}`,
  "content-type": "application/json",
  accept: "application/json, text/event-stream",
  "mcp-protocol-version": "2025-11-25",
  "content-length": String(body.length),
};

export async function fetch(request: Request): Promise<Response> {
  if (extra) {
    const r = await extra(new Request("http://127.0.0.1/mcp", { method: "POST", headers, body }));
    if (r.status !== 200) return r; // a broken extra call must not pass the bench's checks
    await r.text();
  }
  return minimal(request);
}
