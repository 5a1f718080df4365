/** @module Starts an HTTP listener on Deno or Bun for a fetch handler (the CLI's `serve`; `deno serve`/`bun run` do this themselves for src/main.ts). */
import type { RequestInfo } from "../http/pipeline.ts";
import { requestInfo } from "./entry.ts";

type Fetch = (request: Request, info?: RequestInfo) => Promise<Response>;

export function listen(fetch: Fetch, options: { port: number; hostname: string }): { port: number; close(): Promise<void> } {
  const g = globalThis as {
    Bun?: { serve(o: unknown): { port: number; stop(force?: boolean): void } };
    Deno?: { serve(o: unknown, h: unknown): { addr: { port: number }; shutdown(): Promise<void> } };
  };
  if (g.Bun) {
    const server = g.Bun.serve({
      port: options.port,
      hostname: options.hostname,
      fetch: (r: Request, s: unknown) => fetch(r, requestInfo(r, s)),
    });
    return { port: server.port, close: () => Promise.resolve(server.stop(true)) };
  }
  if (g.Deno) {
    const server = g.Deno.serve(
      { port: options.port, hostname: options.hostname, onListen: () => {} },
      (r: Request, info: unknown) => fetch(r, requestInfo(r, info)),
    );
    return { port: server.addr.port, close: () => server.shutdown() };
  }
  throw new Error("gatehouse serve needs Deno or Bun");
}
