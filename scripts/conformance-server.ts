/**
 * @module The server the official MCP conformance suite runs against: exactly the tools, resources and prompts its scenarios call (everything-server fixtures plus the 2026-07-28 diagnostics).
 */
import { z } from "zod";
import {
  createServer,
  definePrompt,
  defineResource,
  defineResourceTemplate,
  defineSkill,
  defineTool,
  ErrorCode,
  McpError,
  runAsTask,
} from "../src/mod.ts";
import { entry, processEnv } from "../src/runtime/entry.ts";
import type { HandlerContext } from "../src/mod.ts";

const IMAGE = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==";
const AUDIO = "UklGRiYAAABXQVZFZm10IBAAAAABAAEAQB8AAAB9AAACABAAZGF0YQIAAAA=";
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const nameSchema = { type: "object", properties: { name: { type: "string" } }, required: ["name"] };

// Declared before the tools that notify through it; assigned once below.
// deno-lint-ignore prefer-const
let server: ReturnType<typeof createServer>;

const tools = [
  defineTool({
    name: "test_simple_text",
    description: "Returns simple text",
    handler: () => "This is a simple text response for testing.",
  }),
  defineTool({
    name: "test_image_content",
    description: "Returns an image",
    handler: () => ({ content: [{ type: "image", data: IMAGE, mimeType: "image/png" }] }),
  }),
  defineTool({
    name: "test_audio_content",
    description: "Returns audio",
    handler: () => ({ content: [{ type: "audio", data: AUDIO, mimeType: "audio/wav" }] }),
  }),
  defineTool({
    name: "test_embedded_resource",
    description: "Returns an embedded resource",
    handler: () => ({
      content: [{
        type: "resource",
        resource: { uri: "test://embedded-resource", mimeType: "text/plain", text: "This is an embedded resource content." },
      }],
    }),
  }),
  defineTool({
    name: "test_multiple_content_types",
    description: "Returns text, image and resource",
    handler: () => ({
      content: [
        { type: "text", text: "Multiple content types test:" },
        { type: "image", data: IMAGE, mimeType: "image/png" },
        {
          type: "resource",
          resource: { uri: "test://mixed-content-resource", mimeType: "application/json", text: '{"test":"data","value":123}' },
        },
      ],
    }),
  }),
  defineTool({
    name: "test_tool_with_logging",
    description: "Logs three messages while running",
    handler: async (_a, ctx) => {
      await ctx.log("info", "Tool execution started");
      await sleep(50);
      await ctx.log("info", "Tool processing data");
      await sleep(50);
      await ctx.log("info", "Tool execution completed");
      return "Logging test completed";
    },
  }),
  defineTool({
    name: "test_logging_tool",
    description: "Logs only when the request asked for a log level",
    handler: async (_a, ctx) => {
      await ctx.log("info", "test_logging_tool ran");
      return "logged (if asked to)";
    },
  }),
  defineTool({
    name: "test_error_handling",
    description: "Always fails",
    handler: () => {
      throw new Error("This tool intentionally returns an error for testing");
    },
  }),
  defineTool({
    name: "test_tool_with_progress",
    description: "Reports progress 0, 50, 100",
    handler: async (_a, ctx) => {
      for (const p of [0, 50, 100]) {
        await ctx.progress(p, 100, `Completed step ${p / 50 + 1} of 3`);
        await sleep(50);
      }
      return "Progress test completed";
    },
  }),
  defineTool({
    name: "test_sampling",
    description: "Asks the client's model",
    inputSchema: z.object({ prompt: z.string() }),
    handler: async ({ prompt }, ctx) => {
      const r = await ctx.sample({ messages: [{ role: "user", content: { type: "text", text: prompt } }], maxTokens: 100 });
      const c = r.content as { text?: string };
      return `LLM response: ${c?.text ?? JSON.stringify(r.content)}`;
    },
  }),
  defineTool({
    name: "test_elicitation",
    description: "Asks the user",
    inputSchema: z.object({ message: z.string() }),
    handler: async ({ message }, ctx) => {
      const r = await ctx.elicit({
        message,
        requestedSchema: {
          type: "object",
          properties: {
            username: { type: "string", description: "User's response" },
            email: { type: "string", description: "User's email address" },
          },
          required: ["username", "email"],
        },
      });
      return `User response: action=${r.action}, content=${JSON.stringify(r.content ?? {})}`;
    },
  }),
  defineTool({
    name: "test_elicitation_sep1034_defaults",
    description: "Elicitation with defaults",
    handler: async (_a, ctx) => {
      const r = await ctx.elicit({
        message: "Please review and update the form fields with defaults",
        requestedSchema: {
          type: "object",
          properties: {
            name: { type: "string", description: "User name", default: "John Doe" },
            age: { type: "integer", description: "User age", default: 30 },
            score: { type: "number", description: "User score", default: 95.5 },
            status: { type: "string", description: "User status", enum: ["active", "inactive", "pending"], default: "active" },
            verified: { type: "boolean", description: "Verification status", default: true },
          },
          required: [],
        },
      });
      return `Elicitation completed: action=${r.action}, content=${JSON.stringify(r.content ?? {})}`;
    },
  }),
  defineTool({
    name: "test_elicitation_sep1330_enums",
    description: "Elicitation with enum variants",
    handler: async (_a, ctx) => {
      const r = await ctx.elicit({
        message: "Please select options from the enum fields",
        requestedSchema: {
          type: "object",
          properties: {
            untitledSingle: { type: "string", description: "Select one option", enum: ["option1", "option2", "option3"] },
            titledSingle: {
              type: "string",
              description: "Select one option with titles",
              oneOf: [{ const: "value1", title: "First Option" }, { const: "value2", title: "Second Option" }, {
                const: "value3",
                title: "Third Option",
              }],
            },
            legacyEnum: {
              type: "string",
              description: "Select one option (legacy)",
              enum: ["opt1", "opt2", "opt3"],
              enumNames: ["Option One", "Option Two", "Option Three"],
            },
            untitledMulti: {
              type: "array",
              description: "Select multiple options",
              minItems: 1,
              maxItems: 3,
              items: { type: "string", enum: ["option1", "option2", "option3"] },
            },
            titledMulti: {
              type: "array",
              description: "Select multiple options with titles",
              minItems: 1,
              maxItems: 3,
              items: {
                anyOf: [{ const: "value1", title: "First Choice" }, { const: "value2", title: "Second Choice" }, {
                  const: "value3",
                  title: "Third Choice",
                }],
              },
            },
          },
          required: [],
        },
      });
      return `Elicitation completed: action=${r.action}, content=${JSON.stringify(r.content ?? {})}`;
    },
  }),
  defineTool({
    name: "json_schema_2020_12_tool",
    description: "Tool with a JSON Schema 2020-12 input schema",
    inputSchema: {
      $schema: "https://json-schema.org/draft/2020-12/schema",
      type: "object",
      $defs: { address: { $anchor: "addressDef", type: "object", properties: { street: { type: "string" }, city: { type: "string" } } } },
      properties: {
        name: { type: "string" },
        address: { $ref: "#/$defs/address" },
        contactMethod: { type: "string", enum: ["phone", "email"] },
        phone: { type: "string" },
        email: { type: "string" },
      },
      allOf: [{ anyOf: [{ required: ["phone"] }, { required: ["email"] }] }],
      if: { properties: { contactMethod: { const: "phone" } }, required: ["contactMethod"] },
      then: { required: ["phone"] },
      else: { required: ["email"] },
      additionalProperties: false,
    },
    handler: (args) => `Received: ${JSON.stringify(args)}`,
  }),
  defineTool({
    name: "test_custom_header",
    description: "Mirrors its region argument into the Mcp-Param-Region header (SEP-2243)",
    inputSchema: z.object({ region: z.string().meta({ "x-mcp-header": "Region" }) }),
    handler: ({ region }) => `region=${region}`,
  }),
  // 2026-07-28 diagnostics (server-stateless).
  defineTool({
    name: "test_missing_capability",
    description: "Needs the sampling capability",
    handler: async (_a, ctx) => {
      await ctx.sample({ messages: [{ role: "user", content: { type: "text", text: "hi" } }], maxTokens: 10 });
      return "sampled";
    },
  }),
  defineTool({
    name: "test_streaming_elicitation",
    description: "Asks for input while streaming progress",
    handler: async (_a, ctx) => {
      await ctx.progress(0, 1);
      const r = await ctx.elicit({ message: "Continue?", requestedSchema: { type: "object", properties: { ok: { type: "boolean" } } } }, {
        key: "continue",
      });
      return `action=${r.action}`;
    },
  }),
  defineTool({
    name: "test_trigger_tool_change",
    description: "Announces a tools list change",
    handler: () => {
      server.notifyListChanged("tools");
      return "tools list changed";
    },
  }),
  defineTool({
    name: "test_trigger_prompt_change",
    description: "Announces a prompts list change",
    handler: () => {
      server.notifyListChanged("prompts");
      return "prompts list changed";
    },
  }),
  // SEP-2322 Multi Round-Trip Requests.
  defineTool({
    name: "test_input_required_result_elicitation",
    description: "Asks for the user's name",
    handler: async (_a, ctx) => {
      const r = await ctx.elicit({ message: "What is your name?", requestedSchema: nameSchema }, { key: "user_name" });
      return `Hello, ${String(r.content?.name ?? "stranger")}!`;
    },
  }),
  defineTool({
    name: "test_input_required_result_sampling",
    description: "Asks the client's model",
    handler: async (_a, ctx) => {
      const r = await ctx.sample({
        messages: [{ role: "user", content: { type: "text", text: "What is the capital of France?" } }],
        maxTokens: 100,
      }, { key: "capital_question" });
      return `The model said: ${(r.content as { text?: string })?.text ?? ""}`;
    },
  }),
  defineTool({
    name: "test_input_required_result_list_roots",
    description: "Asks for the client's roots",
    handler: async (_a, ctx) => {
      const r = await ctx.listRoots({ key: "client_roots" });
      return `Roots: ${r.roots.map((x) => x.uri).join(", ")}`;
    },
  }),
  defineTool({
    name: "test_input_required_result_request_state",
    description: "Round-trips requestState",
    handler: async (_a, ctx) => {
      const r = await ctx.elicit({
        message: "Please confirm",
        requestedSchema: { type: "object", properties: { ok: { type: "boolean" } }, required: ["ok"] },
      }, { key: "confirm" });
      return `state-ok: confirmed=${String(r.content?.ok)}`;
    },
  }),
  defineTool({
    name: "test_input_required_result_multiple_inputs",
    description: "Asks three questions at once",
    handler: async (_a, ctx) => {
      const [name, greeting, roots] = await Promise.all([
        ctx.elicit({ message: "What is your name?", requestedSchema: nameSchema }, { key: "user_name" }),
        ctx.sample({ messages: [{ role: "user", content: { type: "text", text: "Generate a greeting" } }], maxTokens: 50 }, {
          key: "greeting",
        }),
        ctx.listRoots({ key: "client_roots" }),
      ]);
      return `name=${String(name.content?.name)} greeting=${JSON.stringify(greeting.content)} roots=${roots.roots.length}`;
    },
  }),
  defineTool({
    name: "test_input_required_result_multi_round",
    description: "Asks two questions in two rounds",
    handler: async (_a, ctx) => {
      const a = await ctx.elicit({ message: "Step 1: What is your name?", requestedSchema: nameSchema }, { key: "step1" });
      const b = await ctx.elicit({
        message: "Step 2: What is your favorite color?",
        requestedSchema: { type: "object", properties: { color: { type: "string" } }, required: ["color"] },
      }, { key: "step2" });
      return `${String(a.content?.name)} likes ${String(b.content?.color)}`;
    },
  }),
  defineTool({
    name: "test_input_required_result_tampered_state",
    description: "Rejects a tampered requestState",
    handler: async (_a, ctx) => {
      const r = await ctx.elicit({
        message: "Please confirm",
        requestedSchema: { type: "object", properties: { ok: { type: "boolean" } }, required: ["ok"] },
      }, { key: "confirm" });
      return `confirmed=${String(r.content?.ok)}`;
    },
  }),
  defineTool({
    name: "test_input_required_result_capabilities",
    description: "Asks only for what the client can answer",
    handler: async (_a, ctx: HandlerContext) => {
      const caps = ctx.clientCapabilities;
      const asks: Promise<unknown>[] = [];
      if ("elicitation" in caps) {
        asks.push(ctx.elicit({ message: "What is your name?", requestedSchema: nameSchema }, { key: "user_name" }));
      }
      if ("sampling" in caps) {
        asks.push(
          ctx.sample({ messages: [{ role: "user", content: { type: "text", text: "Say hi" } }], maxTokens: 20 }, { key: "greeting" }),
        );
      }
      if ("roots" in caps) asks.push(ctx.listRoots({ key: "client_roots" }));
      const answers = await Promise.all(asks);
      return `answers: ${answers.length}`;
    },
  }),
];

// Tasks extension (SEP-2663): the fixtures the tasks-* scenarios call.
const sleepUnless = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    if (signal.aborted) return reject(new Error("cancelled"));
    const timer = setTimeout(resolve, ms);
    signal.addEventListener("abort", () => {
      clearTimeout(timer);
      reject(new Error("cancelled"));
    }, { once: true });
  });
const confirmSchema = { type: "object", properties: { confirm: { type: "boolean" } }, required: ["confirm"] };
const taskTools = [
  defineTool({
    name: "greet",
    description: "Greets synchronously (never a task)",
    inputSchema: z.object({ name: z.string() }),
    handler: ({ name }) => `Hello, ${name}!`,
  }),
  defineTool({
    name: "slow_compute",
    description: "Sleeps `seconds`, then answers; a task for clients that negotiated tasks",
    inputSchema: z.object({ seconds: z.number().min(0).max(600), label: z.string().optional() }),
    task: "optional",
    handler: async ({ seconds, label }, ctx) => {
      await sleepUnless(seconds * 1000, ctx.signal);
      return `Computed ${label ?? "result"} after ${seconds}s`;
    },
  }),
  defineTool({
    name: "failing_job",
    description: "Always a task; ends in a tool execution error",
    task: "required",
    handler: async (_a, ctx) => {
      await sleepUnless(500, ctx.signal);
      throw new Error("failing_job failed, as it always does");
    },
  }),
  defineTool({
    name: "protocol_error_job",
    description: "A task that ends in a protocol-level error",
    task: "optional",
    handler: () => {
      throw new McpError(ErrorCode.InternalError, "protocol_error_job: simulated internal failure");
    },
  }),
  defineTool({
    name: "confirm_delete",
    description: "A task that asks for confirmation before deleting",
    inputSchema: z.object({ filename: z.string() }),
    task: "optional",
    handler: async ({ filename }, ctx) => {
      const r = await ctx.elicit({ message: `Delete ${filename}?`, requestedSchema: confirmSchema });
      return r.action === "accept" && r.content?.confirm ? `Deleted ${filename}` : `Kept ${filename}`;
    },
  }),
  defineTool({
    name: "multi_input",
    description: "A task that asks two questions at once",
    task: "optional",
    handler: async (_a, ctx) => {
      const [a, b] = await Promise.all([
        ctx.elicit({ message: "First answer?", requestedSchema: nameSchema }),
        ctx.elicit({ message: "Second answer?", requestedSchema: nameSchema }),
      ]);
      return `first=${String(a.content?.name)} second=${String(b.content?.name)}`;
    },
  }),
  defineTool({
    name: "test_tool_with_task",
    description: "Asks for a name (MRTR), then continues as a task",
    task: { support: "required", start: "handler" },
    handler: async (_a, ctx) => {
      const r = await ctx.elicit({ message: "What is your name?", requestedSchema: nameSchema }, { key: "user_name" });
      const name = String(r.content?.name ?? "stranger");
      return runAsTask(async (taskCtx) => {
        await sleepUnless(200, taskCtx.signal);
        return `Hello, ${name}! (finished as a task)`;
      });
    },
  }),
];

const resources = [
  defineResource({
    uri: "test://static-text",
    name: "static-text",
    description: "A static text resource",
    mimeType: "text/plain",
    read: () => "This is the content of the static text resource.",
  }),
  defineResource({
    uri: "test://static-binary",
    name: "static-binary",
    description: "A static binary resource",
    mimeType: "image/png",
    read: (uri) => ({ uri, mimeType: "image/png", blob: IMAGE }),
  }),
  defineResource({
    uri: "test://watched-resource",
    name: "watched-resource",
    description: "A resource to subscribe to",
    mimeType: "text/plain",
    read: () => "Watched resource content",
  }),
];

const resourceTemplates = [
  defineResourceTemplate({
    uriTemplate: "test://template/{id}/data",
    name: "template",
    description: "A resource template",
    mimeType: "application/json",
    read: (uri, { id }) => ({
      uri,
      mimeType: "application/json",
      text: JSON.stringify({ id, templateTest: true, data: `Data for ID: ${id}` }),
    }),
  }),
];

const prompts = [
  definePrompt({ name: "test_simple_prompt", description: "A simple prompt", get: () => "This is a simple prompt for testing." }),
  definePrompt({
    name: "test_prompt_with_arguments",
    description: "A prompt with arguments",
    arguments: [{ name: "arg1", description: "First argument", required: true }, {
      name: "arg2",
      description: "Second argument",
      required: true,
    }],
    complete: { arg1: (value) => ["test1", "test2", "test3"].filter((v) => v.startsWith(value)), arg2: () => ["value1", "value2"] },
    get: ({ arg1, arg2 }) => `Prompt with arguments: arg1='${arg1}', arg2='${arg2}'`,
  }),
  definePrompt({
    name: "test_prompt_with_embedded_resource",
    description: "A prompt with an embedded resource",
    arguments: [{ name: "resourceUri", description: "URI of the resource to embed", required: true }],
    get: ({ resourceUri }) => ({
      messages: [
        {
          role: "user",
          content: {
            type: "resource",
            resource: { uri: resourceUri, mimeType: "text/plain", text: "Embedded resource content for testing." },
          },
        },
        { role: "user", content: { type: "text", text: "Please process the embedded resource above." } },
      ],
    }),
  }),
  definePrompt({
    name: "test_prompt_with_image",
    description: "A prompt with an image",
    get: () => ({
      messages: [
        { role: "user", content: { type: "image", data: IMAGE, mimeType: "image/png" } },
        { role: "user", content: { type: "text", text: "Please analyze the image above." } },
      ],
    }),
  }),
  definePrompt({
    name: "test_input_required_result_prompt",
    description: "A prompt that asks for context first",
    get: async (_args, ctx) => {
      const r = await ctx.elicit({
        message: "What context should the prompt use?",
        requestedSchema: { type: "object", properties: { context: { type: "string" } }, required: ["context"] },
      }, { key: "user_context" });
      return `Use this context: ${String(r.content?.context)}`;
    },
  }),
];

// Skills extension (SEP-2640): a skill with a file and a subdirectory, for skills/list, skills/get and resources/directory/read.
const skills = [
  defineSkill({
    name: "code-review",
    description: "Reviews a change for correctness, security and style. Use when asked to review code or a pull request.",
    frontmatter: { license: "Apache-2.0", metadata: { author: "gatehouse", version: "1.0" } },
    instructions:
      "# Code review\n\n1. Read the change.\n2. Check it against references/checklist.md.\n3. Report findings, most severe first.",
    files: [
      {
        path: "references/checklist.md",
        content: "# Checklist\n\n- Inputs validated\n- Secrets compared in constant time\n- Errors never leak stack traces\n",
      },
      { path: "scripts/lint.sh", content: "#!/bin/sh\necho lint\n" },
    ],
  }),
  defineSkill({
    name: "release-notes",
    path: "gatehouse.example",
    description: "Writes release notes from a list of merged changes.",
    instructions: "Group the changes by kind (features, fixes, breaking) and write one line each.",
  }),
];

const port = Number(processEnv().PORT ?? 3001);
server = createServer({
  name: "gatehouse-conformance",
  version: "0.1.0",
  tools: [...tools, ...taskTools],
  resources,
  resourceTemplates,
  prompts,
  tasks: true,
  skills,
  publicUrl: `http://localhost:${port}`,
});

export default entry(server.fetch, { port, hostname: "127.0.0.1" });
