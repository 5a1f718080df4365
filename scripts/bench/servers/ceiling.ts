/** @module Bench entry: the runtime's ceiling, a canned tools/call result without reading the body. */
const CANNED = JSON.stringify({ jsonrpc: "2.0", id: 1, result: { content: [{ type: "text", text: "hello" }] } });

export function fetch(_request: Request): Response {
  return new Response(CANNED, { headers: { "content-type": "application/json" } });
}
