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
  if (typeof (runtimeArg as BunServer).requestIP === "function") return new BunInfo(request, runtimeArg as BunServer);
  // `in`, not a read: Deno builds the address object in the getter, and most requests never need it.
  if ("remoteAddr" in runtimeArg) return new DenoInfo(runtimeArg as DenoServeInfo);
  return {};
}

// Classes rather than object literals with a getter: one plain allocation per request.
class BunInfo implements RequestInfo {
  #request: Request;
  #server: BunServer;
  #address: string | undefined | null = null;
  constructor(request: Request, server: BunServer) {
    this.#request = request;
    this.#server = server;
  }
  get remoteAddress(): string | undefined {
    if (this.#address === null) this.#address = this.#server.requestIP!(this.#request)?.address;
    return this.#address;
  }
}

class DenoInfo implements RequestInfo {
  #info: DenoServeInfo;
  constructor(info: DenoServeInfo) {
    this.#info = info;
  }
  get remoteAddress(): string | undefined {
    return this.#info.remoteAddr?.hostname;
  }
}

/**
 * One object that `deno serve` and `bun run` both serve (DESIGN §8: Bun serves a default export
 * with `fetch` by itself, so nothing here calls `Bun.serve` again). Given a promise of the handler
 * (a server still opening its store), requests that arrive first wait for it, and later ones call
 * the handler directly; the module that exports this needs no top-level await, which is what lets
 * `bun build --compile --bytecode` precompile it.
 */
export function entry(handler: Fetch | Promise<Fetch>, options: { port: number; hostname: string }) {
  let fetch: Fetch;
  if (typeof handler === "function") {
    fetch = handler;
  } else {
    fetch = (request, info) => handler.then((ready) => ready(request, info));
    handler.then((ready) => fetch = ready, () => {});
  }
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
