/**
 * @module The default-export entry both runtimes serve (`deno serve`, `bun run`): adapts each runtime's second `fetch` argument into a RequestInfo.
 */
import type { RequestInfo } from "../http/pipeline.ts";

type Fetch = (request: Request, info?: RequestInfo) => Promise<Response>;

interface DenoServeInfo {
  remoteAddr?: { hostname?: string };
}
interface BunServer {
  requestIP?: (request: Request) => { address: string } | null;
}

/**
 * Reads the client address the socket saw (never a forwarded header), lazily: only rate limits and
 * audit refusals need it, and asking the runtime costs on every request (measured ~1.5 µs).
 */
export function requestInfo(request: Request, runtimeArg: unknown): RequestInfo {
  if (!runtimeArg || typeof runtimeArg !== "object") return {};
  const bun = runtimeArg as BunServer;
  const deno = runtimeArg as DenoServeInfo;
  const read = typeof bun.requestIP === "function"
    ? () => bun.requestIP!(request)?.address
    : deno.remoteAddr
    ? () => deno.remoteAddr?.hostname
    : undefined;
  if (!read) return {};
  let address: string | undefined | null = null;
  return {
    get remoteAddress() {
      if (address === null) address = read();
      return address;
    },
  };
}

/**
 * One object that `deno serve` and `bun run` both serve (DESIGN §8: Bun serves a default export
 * with `fetch` by itself, so nothing here calls `Bun.serve` again).
 */
export function entry(fetch: Fetch, options: { port: number; hostname: string }) {
  return {
    port: options.port,
    hostname: options.hostname,
    fetch: (request: Request, runtimeArg?: unknown) => fetch(request, requestInfo(request, runtimeArg)),
  };
}

/** Reads the process environment on either runtime (config code stays runtime-free). */
export function processEnv(): Record<string, string | undefined> {
  const g = globalThis as { Deno?: { env: { toObject(): Record<string, string> } }; process?: { env: Record<string, string | undefined> } };
  if (g.Deno) return g.Deno.env.toObject();
  return g.process?.env ?? {};
}

/** Stops the process with a status (start-up failures only). */
export function exit(code: number): never {
  const g = globalThis as { Deno?: { exit(code: number): never }; process?: { exit(code: number): never } };
  if (g.Deno) g.Deno.exit(code);
  g.process!.exit(code);
  throw new Error("unreachable");
}
