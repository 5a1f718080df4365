/** @module What every test that starts real server processes needs: the repository root, the runtimes' binaries, a free loopback port, a bound on how long anything may take, and commands run to their end. */
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { freePort as probeFreePort } from "../../scripts/free-port.mjs";

/** The repository root. */
export const ROOT = fileURLToPath(new URL("../../", import.meta.url));

/** The project's own copy of `bun`/`deno` (node_modules/.bin), else whatever is on PATH. */
export function binary(runtime: string): string {
  const local = join(ROOT, "node_modules", ".bin", runtime);
  return existsSync(local) ? local : runtime;
}

/** A port the OS just handed out on 127.0.0.1 (closed again before returning); the scripts' helper, typed. */
export const freePort = (): Promise<number> => probeFreePort();

/** Rejects with a clear message when `promise` takes longer than `ms` (keeps every test bounded on both runners). */
export function within<T>(ms: number, promise: Promise<T>, what = "operation"): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Runs a command to its end (killed after `ms`, default 20 s) and resolves with its exit code and
 * everything it wrote to stdout and stderr.
 */
export function runToExit(
  cmd: string,
  args: string[],
  options: { cwd: string; env: Record<string, string | undefined>; ms?: number },
): Promise<{ code: number | null; out: string }> {
  const child = spawn(cmd, args, { cwd: options.cwd, env: options.env, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  child.stdout.on("data", (d) => out += d);
  child.stderr.on("data", (d) => out += d);
  const exited = new Promise<{ code: number | null; out: string }>((resolve) => child.on("exit", (code) => resolve({ code, out })));
  return within(options.ms ?? 20_000, exited, `${cmd} ${args.join(" ")}`).finally(() => child.kill("SIGKILL"));
}
