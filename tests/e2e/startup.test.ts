/**
 * @module End to end: how the REAL server (`src/main.ts`) starts and fails to start, under Bun and Deno: bad configuration and an unreachable store stop it with a clear line (no secret in it), and Bun's single-file build with precompiled bytecode serves.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { binary, freePort, ROOT, runToExit } from "../helpers/processes.ts";
import { SERVER_RUNTIMES, type ServerRuntime } from "./helpers/spawn-server.ts";

const isBun = Boolean((globalThis as { Bun?: unknown }).Bun);

/** Runs a command with only the given server variables (none inherited) and returns its exit code and output. */
const run = (cmd: string, args: string[], env: Record<string, string>) =>
  runToExit(cmd, args, {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp", NO_COLOR: "1", HOST: "127.0.0.1", ...env },
  });

const mainCommand = (runtime: ServerRuntime, port: number): [string, string[]] =>
  runtime === "bun" ? [binary("bun"), ["run", "src/main.ts"]] : [binary("deno"), ["serve", "-A", "--port", String(port), "src/main.ts"]];

for (const runtime of SERVER_RUNTIMES) {
  describe(`${runtime} server: start-up failures`, () => {
    it("bad configuration: exits 1 with one line naming the variable, before listening", async () => {
      const port = await freePort();
      const [cmd, args] = mainCommand(runtime, port);
      const { code, out } = await run(cmd, args, { PORT: String(port), RATE_LIMIT_RPS: "fast" });
      assert.equal(code, 1, out);
      assert.match(out, /gatehouse: RATE_LIMIT_RPS: expected a positive number of requests per second, or off; got "fast"/);
      assert.doesNotMatch(out, /serving MCP|Listening|\n\s+at /, "it must stop before serving, without a stack trace");
    });

    it("an unreachable store: exits 1 naming STORE, never its password", async () => {
      const port = await freePort();
      const closed = await freePort(); // nothing listens there any more
      const [cmd, args] = mainCommand(runtime, port);
      const { code, out } = await run(cmd, args, {
        PORT: String(port),
        STORE: `redis://app:hunter2-secret@127.0.0.1:${closed}`,
        RATE_LIMIT_RPS: "off",
      });
      assert.equal(code, 1, out);
      assert.match(out, /^gatehouse: STORE: cannot reach Redis at 127\.0\.0\.1:\d+: /m);
      assert.doesNotMatch(out, /hunter2/);
      assert.doesNotMatch(out, /serving MCP|\n\s+at /, "no stack trace");
    });
  });
}

describe("bun build --compile --bytecode src/main.ts", () => {
  it("makes one executable that serves the demo's tools", { skip: !isBun && "Bun's compiler: runs in the Bun suite" }, async () => {
    const dir = await mkdtemp(join(tmpdir(), "gatehouse-compiled-"));
    const exe = join(dir, "gatehouse");
    try {
      const build = await run(binary("bun"), ["build", "--compile", "--bytecode", "src/main.ts", "--outfile", exe], {});
      assert.equal(build.code, 0, build.out);
      const port = await freePort();
      const child = spawn(exe, [], {
        cwd: dir,
        env: {
          PATH: process.env.PATH ?? "",
          NO_COLOR: "1",
          HOST: "127.0.0.1",
          PORT: String(port),
          BEARER_TOKEN: "compiled-test-token-0123456789abcdef",
          RATE_LIMIT_RPS: "off",
        },
        stdio: "ignore",
      });
      try {
        const call = () =>
          fetch(`http://127.0.0.1:${port}/mcp`, {
            method: "POST",
            headers: {
              authorization: "Bearer compiled-test-token-0123456789abcdef",
              "content-type": "application/json",
              accept: "application/json, text/event-stream",
              "mcp-protocol-version": "2025-11-25",
            },
            body: JSON.stringify({
              jsonrpc: "2.0",
              id: 7,
              method: "tools/call",
              params: { name: "echo", arguments: { message: "compiled" } },
            }),
          });
        let response: Response | undefined;
        for (let i = 0; i < 200 && !response; i++) {
          response = await call().catch(() => new Promise<undefined>((r) => setTimeout(r, 50)));
        }
        assert.ok(response, "the executable never answered");
        assert.equal(response.status, 200);
        assert.deepEqual(await response.json(), { jsonrpc: "2.0", id: 7, result: { content: [{ type: "text", text: "compiled" }] } });
      } finally {
        child.kill("SIGKILL");
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
