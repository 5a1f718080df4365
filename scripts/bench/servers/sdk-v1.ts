/**
 * @module Bench peer: the official SDK v1 web-standard transport, stateless, a new server and
 * transport per request as its documentation shows (`sessionIdGenerator: undefined`).
 */
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { WebStandardStreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js";
import { z } from "zod";

function build(): McpServer {
  const server = new McpServer({ name: "bench-sdk-v1", version: "1.0.0" });
  server.registerTool("echo", {
    title: "Echo",
    description: "Returns the message it was given.",
    inputSchema: { message: z.string().describe("The text to send back") },
  }, ({ message }) => ({ content: [{ type: "text", text: message }] }));
  return server;
}

export async function fetch(request: Request): Promise<Response> {
  const server = build();
  const transport = new WebStandardStreamableHTTPServerTransport({ sessionIdGenerator: undefined });
  await server.connect(transport);
  return await transport.handleRequest(request);
}
