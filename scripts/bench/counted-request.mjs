// The request the counting scripts (instructions.mjs, cold-instructions.mjs) send: the bench's
// 2025-11-25 tools/call of the demo's `echo` tool, with the bench's static bearer token.
export const TOKEN = "bench-bearer-9f2c4e6a8b0d1f3e5a7c";
export const BODY = JSON.stringify({
  jsonrpc: "2.0",
  id: 1,
  method: "tools/call",
  params: { name: "echo", arguments: { message: "hello" } },
});
export const HEADERS = {
  authorization: `Bearer ${TOKEN}`,
  "content-type": "application/json",
  accept: "application/json, text/event-stream",
  "mcp-protocol-version": "2025-11-25",
};

/** The server settings both counting scripts start an entry with (the bench's bearer entry, quiet). */
export const SERVER_ENV = {
  BEARER_TOKEN: TOKEN,
  AUTH_STRATEGY: "bearer",
  RATE_LIMIT_RPS: "off",
  AUDIT_LOG: "stdout",
  LOG_LEVEL: "error",
};
