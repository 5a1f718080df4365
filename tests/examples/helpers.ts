/**
 * @module Runs an example as a child process on a free loopback port and speaks just enough MCP to it (initialize, tools/call) to show it works.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import process from "node:process";
import assert from "node:assert/strict";
import { freePort } from "../helpers/processes.ts";

export const ROOT = fileURLToPath(new URL("../../", import.meta.url).href);
export const isBun = typeof (globalThis as { Bun?: unknown }).Bun !== "undefined";
export const isDeno = !isBun && typeof (globalThis as { Deno?: unknown }).Deno !== "undefined";
export const TOKEN = "example-token-0123456789";

/** The local binary of a runtime (node_modules/.bin), or the one on PATH. */
export function bin(name: "bun" | "deno" | "node"): string {
  const local = join(ROOT, "node_modules", ".bin", name);
  return name !== "node" && existsSync(local) ? local : name;
}

/** True when `node` on PATH runs at all (its version otherwise). */
export function nodeVersion(): string | undefined {
  const r = spawnSync("node", ["--version"], { encoding: "utf8" });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

export interface RunningExample {
  origin: string;
  output(): string;
  /** SIGTERM, then SIGKILL after 2 s; resolves once the child has exited. Safe to call twice. */
  stop(): Promise<void>;
}

/** Children still running, killed when the test process exits (after() hooks are the normal path). */
const live = new Set<ChildProcess>();
let hooked = false;

function kill(child: ChildProcess, sig: "SIGTERM" | "SIGKILL") {
  try {
    if (child.pid !== undefined) process.kill(child.pid, sig);
  } catch { /* already gone */ }
}

/**
 * Spawns `command(port)` with `env` and waits until GET `readyPath` answers (any status below 500).
 * A child that loses the race for its port is retried on another.
 */
export async function startExample(
  command: (port: number) => [string, string[]],
  env: Record<string, string>,
  readyPath: string,
  timeoutMs = 20_000,
): Promise<RunningExample> {
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const [cmd, args] = command(port);
    const child = spawn(cmd, args, {
      cwd: ROOT,
      env: { ...process.env, NO_COLOR: "1", HOST: "127.0.0.1", PORT: String(port), ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    if (!hooked) {
      hooked = true;
      process.on("exit", () => live.forEach((c) => kill(c, "SIGKILL")));
    }
    live.add(child);
    let out = "";
    const collect = (chunk: unknown) => void (out.length < 64_000 && (out += String(chunk)));
    child.stdout?.on("data", collect);
    child.stderr?.on("data", collect);
    const state = { exited: false };
    child.on("exit", () => {
      state.exited = true;
      live.delete(child);
    });
    child.on("error", (e) => (out += `\nspawn error: ${e.message}`));
    const exited = (ms: number) =>
      state.exited ? Promise.resolve(true) : new Promise<boolean>((resolve) => {
        const timer = setTimeout(() => resolve(state.exited), ms);
        child.once("exit", () => (clearTimeout(timer), resolve(true)));
      });
    const stop = async () => {
      if (!state.exited) {
        kill(child, "SIGTERM");
        if (!(await exited(2000))) {
          kill(child, "SIGKILL");
          await exited(3000);
        }
      }
      child.stdout?.destroy();
      child.stderr?.destroy();
    };
    const origin = `http://127.0.0.1:${port}`;
    const deadline = Date.now() + timeoutMs;
    let started = false;
    while (Date.now() < deadline && !state.exited) {
      try {
        const response = await fetch(origin + readyPath, { signal: AbortSignal.timeout(1000) });
        await response.body?.cancel();
        if (response.status < 500 && !state.exited) {
          started = true;
          break;
        }
      } catch { /* not listening yet */ }
      await new Promise((r) => setTimeout(r, 50));
    }
    if (started) return { origin, output: () => out, stop };
    await stop();
    if (/EADDRINUSE|AddrInUse|address already in use/i.test(out)) continue;
    throw new Error(`${cmd} ${args.join(" ")} did not answer ${readyPath} within ${timeoutMs} ms:\n${out}`);
  }
  throw new Error("no free port after 3 attempts");
}

type Fetcher = (url: string, init: RequestInit) => Promise<Response>;

export interface McpReply {
  response: Response;
  /** Every JSON-RPC message of the reply, in order (one for JSON, all events for SSE). */
  messages: Array<Record<string, any>>;
}

/** POSTs one JSON-RPC message and reads the reply, JSON or SSE. */
export async function post(
  url: string,
  message: unknown,
  headers: Record<string, string> = {},
  fetcher: Fetcher = fetch,
): Promise<McpReply> {
  const all: Record<string, string> = {
    "content-type": "application/json",
    accept: "application/json, text/event-stream",
    authorization: `Bearer ${TOKEN}`,
    ...headers,
  };
  // An empty value leaves the header out (no credentials at all).
  for (const [k, v] of Object.entries(all)) if (v === "") delete all[k];
  const response = await fetcher(url, { method: "POST", headers: all, body: JSON.stringify(message) });
  const text = await response.text();
  const type = response.headers.get("content-type") ?? "";
  const messages = type.startsWith("text/event-stream")
    ? text.split(/\r?\n\r?\n/).flatMap((event) => {
      const data = event.split(/\r?\n/).filter((l) => l.startsWith("data:")).map((l) => l.slice(5).trimStart()).join("\n");
      return data ? [JSON.parse(data)] : [];
    })
    : text && type.includes("json")
    ? [JSON.parse(text)]
    : [];
  return { response, messages };
}

/**
 * The 2025-06-18 handshake (initialize, then notifications/initialized) followed by one
 * tools/call; asserts each step and returns the call's result and every message of its reply.
 */
export async function initializeAndCall(
  url: string,
  tool: string,
  args: Record<string, unknown>,
  options: { fetcher?: Fetcher; progress?: boolean } = {},
): Promise<{ sessionId: string; result: Record<string, any>; messages: Array<Record<string, any>> }> {
  const init = await post(
    url,
    {
      jsonrpc: "2.0",
      id: 1,
      method: "initialize",
      params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "examples-test", version: "1.0.0" } },
    },
    {},
    options.fetcher,
  );
  assert.equal(init.response.status, 200, JSON.stringify(init.messages));
  assert.equal(init.messages[0]?.result?.protocolVersion, "2025-06-18");
  const sessionId = init.response.headers.get("mcp-session-id");
  assert.ok(sessionId, "initialize answered with an Mcp-Session-Id");
  const session = { "mcp-session-id": sessionId, "mcp-protocol-version": "2025-06-18" };
  const initialized = await post(url, { jsonrpc: "2.0", method: "notifications/initialized" }, session, options.fetcher);
  assert.equal(initialized.response.status, 202);
  const call = await post(
    url,
    {
      jsonrpc: "2.0",
      id: 2,
      method: "tools/call",
      params: { name: tool, arguments: args, ...(options.progress && { _meta: { progressToken: "p1" } }) },
    },
    session,
    options.fetcher,
  );
  assert.equal(call.response.status, 200, JSON.stringify(call.messages));
  const reply = call.messages.find((m) => m.id === 2);
  assert.ok(reply?.result, `tools/call answered with a result: ${JSON.stringify(call.messages)}`);
  return { sessionId, result: reply.result, messages: call.messages };
}

/** The text of a tool result's first content block. */
export const textOf = (result: Record<string, any>): string => result.content?.[0]?.text;

/** A call without credentials is refused with 401 and a Bearer challenge (auth-first). */
export async function assertRefusesAnonymous(url: string, fetcher: Fetcher = fetch): Promise<void> {
  const { response } = await post(url, { jsonrpc: "2.0", id: 1, method: "ping" }, { authorization: "" }, fetcher);
  assert.equal(response.status, 401);
  assert.match(response.headers.get("www-authenticate") ?? "", /^Bearer/);
}

export { freePort };
