/** @module What the command line needs from the runtime: a loopback HTTP listener, a browser, a private file, argv and the exit code (node:* modules, which Deno and Bun both implement). */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { chmodSync, writeFileSync } from "node:fs";
import { spawn } from "node:child_process";
import process from "node:process";
import type { LoopbackListen } from "../cli/login.ts";

/** A one-shot HTTP server on 127.0.0.1 bridging node:http to a fetch-style handler. */
export const nodeLoopbackListen: LoopbackListen = async (port, handler) => {
  const server = createServer(async (req, res) => {
    try {
      const response = await handler(new Request(`http://127.0.0.1${req.url ?? "/"}`, { method: req.method }));
      res.writeHead(response.status, Object.fromEntries(response.headers));
      res.end(new Uint8Array(await response.arrayBuffer()));
    } catch {
      res.writeHead(500).end();
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
};

export function openBrowser(url: string): Promise<void> {
  const [cmd, args] = process.platform === "darwin"
    ? ["open", [url]]
    : process.platform === "win32"
    ? ["cmd", ["/c", "start", "", url]]
    : ["xdg-open", [url]];
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args as string[], { stdio: "ignore", detached: true });
    child.once("error", reject);
    child.once("spawn", () => {
      child.unref();
      resolve();
    });
  });
}

/** Writes a file only its owner can read (tokens), even when it already existed with a wider mode. */
export function writePrivateFile(path: string, text: string): void {
  writeFileSync(path, text, { mode: 0o600 });
  chmodSync(path, 0o600);
}

export const argv = (): string[] => process.argv.slice(2);
export const setExitCode = (code: number): void => void (process.exitCode = code);
