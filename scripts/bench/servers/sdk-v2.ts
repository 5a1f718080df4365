/**
 * @module Bench peer: the official SDK v2 (`@modelcontextprotocol/server`) web-standard handler,
 * `createMcpHandler(factory)`: a fresh McpServer per request, 2026-07-28 natively and the stateless
 * legacy fallback for 2025-era clients (its defaults).
 */
import { createMcpHandler, McpServer } from "@modelcontextprotocol/server";
import { z } from "zod";

const handler = createMcpHandler(() => {
  const server = new McpServer({ name: "bench-sdk-v2", version: "1.0.0" });
  server.registerTool("echo", {
    title: "Echo",
    description: "Returns the message it was given.",
    inputSchema: z.object({ message: z.string().describe("The text to send back") }),
  }, ({ message }) => ({ content: [{ type: "text", text: message }] }));
  return server;
});

export const fetch = (request: Request) => handler.fetch(request);
