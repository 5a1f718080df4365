/** @module A fetch handler on a real loopback socket for the oauth tests, through src/runtime/node.ts (node:http, which Deno and Bun both implement); the handler is built once the port, and so the public URL, is known. */
import { type NodeServer, serveNode } from "../../src/runtime/node.ts";

type Fetch = (request: Request, info?: { remoteAddress?: string }) => Promise<Response>;

export interface Served {
  /** `http://127.0.0.1:<port>`: the issuer and PUBLIC_URL. */
  origin: string;
  close(): Promise<void>;
}

/** Binds 127.0.0.1:0, then calls `build(origin)` for the handler that answers every request. */
export async function serveOnLoopback(build: (origin: string) => Fetch | Promise<Fetch>): Promise<Served> {
  // Assigned once the port is known; requests before that get 503.
  // deno-lint-ignore prefer-const
  let handler: Fetch | undefined;
  const node: NodeServer = await serveNode(
    (request, info) => handler ? handler(request, info) : Promise.resolve(new Response("starting", { status: 503 })),
    { port: 0, hostname: "127.0.0.1" },
  );
  const origin = `http://127.0.0.1:${node.port}`;
  handler = await build(origin);
  return { origin, close: () => node.close() };
}
