/**
 * @module End to end: the official v1 SDK client (`@modelcontextprotocol/sdk` 1.32, protocol 2025-11-25) against the real demo server, spawned under Bun and under Deno.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { ElicitRequestSchema, LoggingMessageNotificationSchema } from "@modelcontextprotocol/sdk/types.js";
import { SERVER_RUNTIMES, type SpawnedServer, spawnServer, within } from "./helpers/spawn-server.ts";
import { recordingFetch } from "./helpers/wire.ts";

const STEP = 20_000;
const text = (result: any): string => {
  const first = result?.content?.[0];
  assert.equal(first?.type, "text", `expected text content, got ${JSON.stringify(result)}`);
  return first.text;
};

for (const runtime of SERVER_RUNTIMES) {
  describe(`SDK v1 client (2025-11-25) → ${runtime} server`, () => {
    let server: SpawnedServer;
    let client: Client;
    let transport: StreamableHTTPClientTransport;
    const wire = recordingFetch();
    const logs: { level: string; data: unknown }[] = [];
    const elicitations: any[] = [];

    before(async () => {
      server = await spawnServer(runtime, { AUTH_STRATEGY: "none", RATE_LIMIT_RPS: "off" });
      client = new Client({ name: "gatehouse-e2e-v1", version: "1.0.0" }, { capabilities: { elicitation: {} } });
      client.setRequestHandler(ElicitRequestSchema, (request) => {
        elicitations.push(request.params);
        return { action: "accept", content: { name: "Ada" } };
      });
      client.setNotificationHandler(LoggingMessageNotificationSchema, (notification) => {
        logs.push(notification.params as { level: string; data: unknown });
      });
      transport = new StreamableHTTPClientTransport(server.url, { fetch: wire.fetch });
      await within(STEP, client.connect(transport, { timeout: STEP }), "connect");
    });

    after(async () => {
      await client?.close().catch(() => {});
      await server?.stop();
    });

    it("connects with the 2025 handshake and a session", () => {
      const [init] = wire.posted("initialize");
      assert.ok(init, "initialize was sent");
      assert.equal(init.params.protocolVersion, "2025-11-25");
      assert.equal(wire.posted("notifications/initialized").length, 1);
      assert.equal(wire.posted("server/discover").length, 0);
      assert.ok(transport.sessionId, "the server issued an Mcp-Session-Id");
      assert.equal(client.getServerVersion()?.name, "gatehouse-demo");
      const caps = client.getServerCapabilities();
      for (const cap of ["tools", "resources", "prompts", "completions", "logging"] as const) assert.ok(caps?.[cap], `capability ${cap}`);
      assert.match(client.getInstructions() ?? "", /demo/i);
    });

    it("lists tools, resources, resource templates and prompts", async () => {
      const { tools } = await within(STEP, client.listTools());
      assert.deepEqual(tools.map((t) => t.name).sort(), ["add", "countdown", "echo", "greet", "report", "whoami"]);
      const echo = tools.find((t) => t.name === "echo")!;
      assert.equal(echo.inputSchema.type, "object");
      assert.ok(echo.inputSchema.properties && "message" in echo.inputSchema.properties);
      assert.equal(tools.find((t) => t.name === "add")!.outputSchema?.type, "object");

      const { resources } = await within(STEP, client.listResources());
      assert.deepEqual(resources.map((r) => r.uri), [
        "gatehouse://readme",
        "skill://gatehouse-review/SKILL.md",
        "skill://gatehouse-review/references/checklist.md",
      ]);
      assert.equal(resources[0].mimeType, "text/markdown");

      const { resourceTemplates } = await within(STEP, client.listResourceTemplates());
      assert.deepEqual(resourceTemplates.map((t) => t.uriTemplate), ["greeting://{name}"]);

      const { prompts } = await within(STEP, client.listPrompts());
      assert.deepEqual(prompts.map((p) => p.name), ["summarize"]);
      assert.deepEqual(prompts[0].arguments?.map((a) => [a.name, a.required ?? false]), [["text", true], ["style", false]]);
    });

    it("calls echo and gets the text back", async () => {
      const result = await within(STEP, client.callTool({ name: "echo", arguments: { message: "hello from v1" } }));
      assert.equal(text(result), "hello from v1");
      assert.notEqual(result.isError, true);
    });

    it("calls add and gets structuredContent {sum}", async () => {
      const result = await within(STEP, client.callTool({ name: "add", arguments: { a: 2, b: 40 } }));
      assert.deepEqual(result.structuredContent, { sum: 42 });
      assert.deepEqual(JSON.parse(text(result)), { sum: 42 });
    });

    it("whoami reports the 2025 era and no credential", async () => {
      const result = await within(STEP, client.callTool({ name: "whoami", arguments: {} }));
      const me = JSON.parse(text(result));
      assert.equal(me.strategy, "none");
      assert.equal(me.protocolVersion, "2025-11-25");
    });

    it("reads gatehouse://readme and greeting://Ada", async () => {
      const readme = await within(STEP, client.readResource({ uri: "gatehouse://readme" }));
      assert.equal(readme.contents[0].uri, "gatehouse://readme");
      assert.match(String(readme.contents[0].text), /Gatehouse/);
      const greeting = await within(STEP, client.readResource({ uri: "greeting://Ada" }));
      assert.deepEqual(greeting.contents, [{ uri: "greeting://Ada", mimeType: "text/plain", text: "Hello, Ada!" }]);
    });

    it("gets the summarize prompt with arguments", async () => {
      const prompt = await within(
        STEP,
        client.getPrompt({ name: "summarize", arguments: { text: "The quick brown fox.", style: "haiku" } }),
      );
      assert.equal(prompt.messages.length, 1);
      assert.equal(prompt.messages[0].role, "user");
      const content = prompt.messages[0].content as { type: string; text: string };
      assert.equal(content.type, "text");
      assert.match(content.text, /as haiku/);
      assert.match(content.text, /The quick brown fox\./);
    });

    it("completes the greeting template's name and the prompt's style", async () => {
      const names = await within(
        STEP,
        client.complete({ ref: { type: "ref/resource", uri: "greeting://{name}" }, argument: { name: "name", value: "a" } }),
      );
      assert.deepEqual(names.completion.values, ["Ada", "Alan"]);
      const styles = await within(
        STEP,
        client.complete({ ref: { type: "ref/prompt", name: "summarize" }, argument: { name: "style", value: "b" } }),
      );
      assert.deepEqual(styles.completion.values, ["bullet points"]);
    });

    it("streams progress and honours the session log level", async () => {
      await within(STEP, client.setLoggingLevel("error"));
      logs.length = 0;
      const quiet = await within(STEP, client.callTool({ name: "countdown", arguments: { n: 3, delayMs: 10 } }));
      assert.equal(text(quiet), "liftoff after 3 steps");
      assert.equal(logs.length, 0, `info logs must be filtered at level error, got ${JSON.stringify(logs)}`);

      await within(STEP, client.setLoggingLevel("info"));
      const progress: { progress: number; total?: number }[] = [];
      const result = await within(
        STEP,
        client.callTool({ name: "countdown", arguments: { n: 3, delayMs: 10 } }, undefined, {
          onprogress: (p) => progress.push(p),
          timeout: STEP,
        }),
      );
      assert.equal(text(result), "liftoff after 3 steps");
      assert.ok(progress.length >= 3, `expected ≥3 progress notifications, got ${progress.length}`);
      for (let i = 1; i < progress.length; i++) assert.ok(progress[i].progress > progress[i - 1].progress, "progress increases");
      assert.ok(progress.every((p) => p.total === 3));
      assert.equal(progress.at(-1)!.progress, 3);
      assert.deepEqual(logs.map((l) => [l.level, l.data]), [["info", "countdown: 3"], ["info", "countdown: 2"], ["info", "countdown: 1"]]);
    });

    it("cancels a running countdown via AbortSignal and keeps serving", async () => {
      wire.clear();
      const controller = new AbortController();
      const started = Date.now();
      setTimeout(() => controller.abort(), 300);
      await within(
        STEP,
        assert.rejects(
          client.callTool({ name: "countdown", arguments: { n: 50, delayMs: 100 } }, undefined, {
            signal: controller.signal,
            timeout: STEP,
          }),
          (error: Error) => /abort/i.test(String(error)),
        ),
      );
      assert.ok(Date.now() - started < 3000, "the call rejected promptly, not after the 5 s countdown");
      const [call] = wire.posted("tools/call");
      const [cancelled] = wire.posted("notifications/cancelled");
      assert.ok(cancelled, "the client told the server (notifications/cancelled)");
      assert.equal(cancelled.params.requestId, call.id);
      const echo = await within(STEP, client.callTool({ name: "echo", arguments: { message: "still here" } }));
      assert.equal(text(echo), "still here");
    });

    it("answers greet's elicitation (a server→client request on SSE)", async () => {
      wire.clear();
      elicitations.length = 0;
      const result = await within(STEP, client.callTool({ name: "greet", arguments: {} }));
      assert.equal(text(result), "Hello, Ada!");
      assert.equal(elicitations.length, 1);
      assert.equal(elicitations[0].message, "What is your name?");
      assert.ok(elicitations[0].requestedSchema?.properties?.name);
      // The answer went back as a JSON-RPC response POSTed by the client.
      const answers = wire.responsesSent();
      assert.equal(answers.length, 1);
      assert.deepEqual(answers[0].result, { action: "accept", content: { name: "Ada" } });
    });

    it("reports bad tool input precisely and keeps serving", async () => {
      const bad = await within(
        STEP,
        client.callTool({ name: "add", arguments: { a: "two", b: 2 } }).then(
          (r) => ({ result: r, error: undefined }),
          (e) => ({ result: undefined, error: e }),
        ),
      );
      if (bad.error) assert.match(String(bad.error), /-32602|invalid/i);
      else assert.equal(bad.result?.isError, true);
      await within(STEP, assert.rejects(client.callTool({ name: "no-such-tool", arguments: {} }), /no-such-tool|not found|unknown/i));
      const echo = await within(STEP, client.callTool({ name: "echo", arguments: { message: "ok" } }));
      assert.equal(text(echo), "ok");
    });
  });
}
