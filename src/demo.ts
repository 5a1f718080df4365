/**
 * @module The demo server's tools, resources and prompts: small, real, and what `npm start` serves (benchmarks and smoke tests call `echo`).
 */
import { z } from "zod";
import { defineTool } from "./mcp/tools.ts";
import { defineResource, defineResourceTemplate } from "./mcp/resources.ts";
import { definePrompt } from "./mcp/prompts.ts";
import { defineSkill } from "./mcp/skills.ts";

export const echo = defineTool({
  name: "echo",
  title: "Echo",
  description: "Returns the message it was given.",
  inputSchema: z.object({ message: z.string().describe("The text to send back") }),
  annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
  handler: ({ message }) => message,
});

export const add = defineTool({
  name: "add",
  title: "Add",
  description: "Adds two numbers and returns the sum as structured content.",
  inputSchema: z.object({ a: z.number(), b: z.number() }),
  outputSchema: z.object({ sum: z.number() }),
  annotations: { readOnlyHint: true },
  handler: ({ a, b }) => ({ sum: a + b }),
});

export const whoami = defineTool({
  name: "whoami",
  title: "Who am I",
  description: "Shows how the server sees the caller: strategy, subject and scopes (never the credential).",
  annotations: { readOnlyHint: true },
  handler: (_args, context) => ({
    strategy: context.auth?.strategy ?? "none",
    subject: context.auth?.subject ?? null,
    scopes: context.auth?.scopes ?? [],
    outboundHeaders: Object.keys(context.resolvedHeaders),
    protocolVersion: context.protocolVersion,
  }),
});

export const countdown = defineTool({
  name: "countdown",
  title: "Countdown",
  description: "Counts down from n, reporting progress and logging each step; stops early when cancelled.",
  inputSchema: z.object({ n: z.number().int().min(1).max(100).default(3), delayMs: z.number().int().min(0).max(5000).default(100) }),
  handler: async ({ n, delayMs }, context) => {
    for (let i = 0; i < n; i++) {
      if (context.signal.aborted) return `cancelled after ${i} of ${n}`;
      await context.progress(i, n, `step ${i + 1} of ${n}`);
      await context.log("info", `countdown: ${n - i}`);
      await new Promise((r) => setTimeout(r, delayMs));
    }
    await context.progress(n, n);
    return `liftoff after ${n} steps`;
  },
});

export const greet = defineTool({
  name: "greet",
  title: "Greet",
  description: "Asks the user for their name (elicitation) and greets them.",
  handler: async (_args, context) => {
    const answer = await context.elicit({
      message: "What is your name?",
      requestedSchema: { type: "object", properties: { name: { type: "string", title: "Name" } }, required: ["name"] },
    }, { key: "name" });
    if (answer.action !== "accept") return `No name given (${answer.action}).`;
    return `Hello, ${String(answer.content?.name)}!`;
  },
});

export const report = defineTool({
  name: "report",
  title: "Report",
  description: "Builds a report in the background (a task for clients that support tasks); asks to confirm first.",
  inputSchema: z.object({ topic: z.string(), seconds: z.number().min(0).max(60).default(3) }),
  task: "optional",
  handler: async ({ topic, seconds }, ctx) => {
    const ok = await ctx.elicit({
      message: `Build a report on ${topic}?`,
      requestedSchema: { type: "object", properties: { confirm: { type: "boolean" } }, required: ["confirm"] },
    }, { key: "confirm" });
    if (ok.action !== "accept" || !ok.content?.confirm) return "Cancelled by the user.";
    for (let i = 1; i <= seconds; i++) {
      await new Promise((r) => setTimeout(r, 1000));
      if (ctx.signal.aborted) throw new Error("cancelled");
      await ctx.progress(i, seconds, `Step ${i} of ${seconds}`);
    }
    return `Report on ${topic}: all good.`;
  },
});

export const reviewSkill = defineSkill({
  name: "gatehouse-review",
  description: "Reviews an MCP server configuration for auth mistakes. Use when asked to check a Gatehouse setup.",
  instructions: "# Review\n\nCheck AUTH_STRATEGY, PUBLIC_URL and STORE against references/checklist.md.",
  files: [{ path: "references/checklist.md", content: "- PUBLIC_URL matches the deployed origin\n- STORE is persistent in production\n" }],
});

export const readme = defineResource({
  uri: "gatehouse://readme",
  name: "readme",
  title: "About this server",
  description: "What this demo server is.",
  mimeType: "text/markdown",
  read: () => "# Gatehouse demo\n\nAn auth-first MCP server. Try the `echo`, `add`, `whoami`, `countdown` and `greet` tools.",
});

export const greeting = defineResourceTemplate({
  uriTemplate: "greeting://{name}",
  name: "greeting",
  title: "A greeting",
  description: "A greeting for anyone, by name.",
  mimeType: "text/plain",
  read: (_uri, { name }) => `Hello, ${name}!`,
  complete: { name: (value) => ["Ada", "Alan", "Grace", "Linus"].filter((n) => n.toLowerCase().startsWith(value.toLowerCase())) },
});

export const summarize = definePrompt({
  name: "summarize",
  title: "Summarize",
  description: "Asks the model to summarize a text in a given style.",
  arguments: [{ name: "text", required: true, description: "What to summarize" }, { name: "style", description: "e.g. bullet points" }],
  complete: { style: (value) => ["bullet points", "one sentence", "haiku"].filter((s) => s.startsWith(value)) },
  get: ({ text, style }) => `Summarize the following${style ? ` as ${style}` : ""}:\n\n${text}`,
});

export const demo = {
  name: "gatehouse-demo",
  version: "0.1.0",
  instructions:
    "A demo Gatehouse server: echo, add, whoami, countdown, greet and report tools; a readme resource; a greeting template; a summarize prompt; a review skill.",
  tools: [echo, add, whoami, countdown, greet, report],
  skills: [reviewSkill],
  tasks: true,
  resources: [readme],
  resourceTemplates: [greeting],
  prompts: [summarize],
};
