/**
 * @module End to end: the official v2 SDK client (`@modelcontextprotocol/client` 2.4) against the real demo server under Bun and Deno, pinned to 2026-07-28 and in its default (legacy, 2025-11-25) mode.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
import { SERVER_RUNTIMES, type SpawnedServer, spawnServer, within } from "./helpers/spawn-server.ts";
import { recordingFetch } from "./helpers/wire.ts";

const STEP = 20_000;
const MODERN = "2026-07-28";
const LOG_LEVEL = "io.modelcontextprotocol/logLevel";

const text = (result: any): string => {
  const first = result?.content?.[0];
  assert.equal(first?.type, "text", `expected text content, got ${JSON.stringify(result)}`);
  return first.text;
};

interface Mode {
  label: string;
  modern: boolean;
  /** Extra ClientOptions; the legacy case passes none, to exercise the client's default. */
  options: Record<string, unknown>;
}

const MODES: Mode[] = [
  { label: `pinned ${MODERN}`, modern: true, options: { versionNegotiation: { mode: { pin: MODERN } } } },
  { label: "default mode (legacy, 2025-11-25)", modern: false, options: {} },
];

for (const runtime of SERVER_RUNTIMES) {
  describe(`SDK v2 client → ${runtime} server`, () => {
    let server: SpawnedServer;

    before(async () => {
      server = await spawnServer(runtime, { AUTH_STRATEGY: "none", RATE_LIMIT_RPS: "off" });
    });
    after(async () => {
      await server?.stop();
    });

    it("negotiates 2026-07-28 in 'auto' mode (server/discover, no initialize)", async () => {
      const wire = recordingFetch();
      const client = new Client({ name: "gatehouse-e2e-v2-auto", version: "1.0.0" }, { versionNegotiation: { mode: "auto" } });
      try {
        await within(STEP, client.connect(new StreamableHTTPClientTransport(server.url, { fetch: wire.fetch })));
        assert.equal(client.getNegotiatedProtocolVersion(), MODERN);
        assert.equal(wire.posted("server/discover").length, 1);
        assert.equal(wire.posted("initialize").length, 0);
        const echo = await within(STEP, client.callTool({ name: "echo", arguments: { message: "auto" } }));
        assert.equal(text(echo), "auto");
      } finally {
        await client.close().catch(() => {});
      }
    });

    for (const mode of MODES) {
      describe(mode.label, () => {
        let client: Client;
        const wire = recordingFetch();
        const logs: { level: string; data: unknown }[] = [];
        const elicitations: any[] = [];

        before(async () => {
          client = new Client({ name: "gatehouse-e2e-v2", version: "1.0.0" }, { capabilities: { elicitation: {} }, ...mode.options });
          client.setRequestHandler("elicitation/create", (request: any) => {
            elicitations.push(request.params);
            return { action: "accept", content: { name: "Ada" } };
          });
          client.setNotificationHandler("notifications/message", (notification: any) => {
            logs.push(notification.params);
          });
          await within(
            STEP,
            client.connect(new StreamableHTTPClientTransport(server.url, { fetch: wire.fetch }), { timeout: STEP }),
            "connect",
          );
        });
        after(async () => {
          await client?.close().catch(() => {});
        });

        it(`connects in the ${mode.modern ? "2026" : "2025"} era`, () => {
          assert.equal(client.getServerVersion()?.name, "gatehouse-demo");
          const caps = client.getServerCapabilities();
          for (const cap of ["tools", "resources", "prompts", "completions"] as const) assert.ok(caps?.[cap], `capability ${cap}`);
          if (mode.modern) {
            assert.equal(client.getNegotiatedProtocolVersion(), MODERN);
            assert.equal(wire.posted("server/discover").length, 1);
            assert.equal(wire.posted("initialize").length, 0, "no initialize in the 2026 era");
            assert.ok(wire.exchanges.every((e) => e.httpMethod === "POST"), "only POST in the 2026 era");
            assert.ok(wire.exchanges.every((e) => e.headers["mcp-protocol-version"] === MODERN));
            assert.ok(wire.exchanges.every((e) => !("mcp-session-id" in e.headers)), "no session in the 2026 era");
          } else {
            assert.equal(client.getNegotiatedProtocolVersion(), "2025-11-25");
            assert.equal(wire.posted("server/discover").length, 0, "the default mode does not probe");
            assert.equal(wire.posted("initialize")[0]?.params.protocolVersion, "2025-11-25");
          }
        });

        it("lists tools, resources, resource templates and prompts", async () => {
          const { tools } = await within(STEP, client.listTools());
          assert.deepEqual(tools.map((t) => t.name).sort(), ["add", "countdown", "echo", "greet", "report", "whoami"]);
          assert.ok("message" in (tools.find((t) => t.name === "echo")!.inputSchema.properties ?? {}));
          assert.equal(tools.find((t) => t.name === "add")!.outputSchema?.type, "object");

          const { resources } = await within(STEP, client.listResources());
          assert.deepEqual(resources.map((r) => r.uri), [
            "gatehouse://readme",
            "skill://gatehouse-review/SKILL.md",
            "skill://gatehouse-review/references/checklist.md",
          ]);

          const { resourceTemplates } = await within(STEP, client.listResourceTemplates());
          assert.deepEqual(resourceTemplates.map((t) => t.uriTemplate), ["greeting://{name}"]);

          const { prompts } = await within(STEP, client.listPrompts());
          assert.deepEqual(prompts.map((p) => p.name), ["summarize"]);
          assert.deepEqual(prompts[0].arguments?.map((a) => a.name), ["text", "style"]);
        });

        it("calls echo and add", async () => {
          const echo = await within(STEP, client.callTool({ name: "echo", arguments: { message: `hello ${mode.label}` } }));
          assert.equal(text(echo), `hello ${mode.label}`);
          const add = await within(STEP, client.callTool({ name: "add", arguments: { a: 19, b: 23 } }));
          assert.deepEqual(add.structuredContent, { sum: 42 });
        });

        it("whoami reports the negotiated protocol version", async () => {
          const me = JSON.parse(text(await within(STEP, client.callTool({ name: "whoami", arguments: {} }))));
          assert.equal(me.strategy, "none");
          assert.equal(me.protocolVersion, mode.modern ? MODERN : "2025-11-25");
        });

        it("reads gatehouse://readme and greeting://Ada", async () => {
          const readme = await within(STEP, client.readResource({ uri: "gatehouse://readme" }));
          assert.equal(readme.contents[0].mimeType, "text/markdown");
          assert.match(String((readme.contents[0] as { text?: string }).text), /Gatehouse/);
          const greeting = await within(STEP, client.readResource({ uri: "greeting://Ada" }));
          assert.deepEqual(greeting.contents, [{ uri: "greeting://Ada", mimeType: "text/plain", text: "Hello, Ada!" }]);
        });

        it("gets the summarize prompt with arguments", async () => {
          const prompt = await within(
            STEP,
            client.getPrompt({ name: "summarize", arguments: { text: "Lorem ipsum.", style: "one sentence" } }),
          );
          const content = prompt.messages[0].content as { type: string; text: string };
          assert.equal(prompt.messages[0].role, "user");
          assert.match(content.text, /as one sentence/);
          assert.match(content.text, /Lorem ipsum\./);
        });

        it("completes the greeting template's name and the prompt's style", async () => {
          const names = await within(
            STEP,
            client.complete({ ref: { type: "ref/resource", uri: "greeting://{name}" }, argument: { name: "name", value: "g" } }),
          );
          assert.deepEqual(names.completion.values, ["Grace"]);
          const styles = await within(
            STEP,
            client.complete({ ref: { type: "ref/prompt", name: "summarize" }, argument: { name: "style", value: "" } }),
          );
          assert.deepEqual(styles.completion.values, ["bullet points", "one sentence", "haiku"]);
        });

        it("receives progress via onprogress", async () => {
          const progress: { progress: number; total?: number }[] = [];
          const result = await within(
            STEP,
            client.callTool({ name: "countdown", arguments: { n: 3, delayMs: 10 } }, {
              onprogress: (p: any) => progress.push(p),
              timeout: STEP,
            }),
          );
          assert.equal(text(result), "liftoff after 3 steps");
          assert.ok(progress.length >= 3, `expected ≥3 progress notifications, got ${progress.length}`);
          for (let i = 1; i < progress.length; i++) assert.ok(progress[i].progress > progress[i - 1].progress, "progress increases");
          assert.ok(progress.every((p) => p.total === 3));
          assert.equal(progress.at(-1)!.progress, 3);
        });

        if (mode.modern) {
          it(`logs only at the per-request level (_meta["${LOG_LEVEL}"])`, async () => {
            const call = (meta?: Record<string, unknown>) =>
              within(STEP, client.callTool({ name: "countdown", arguments: { n: 3, delayMs: 5 }, ...(meta && { _meta: meta }) } as any));
            logs.length = 0;
            assert.equal(text(await call()), "liftoff after 3 steps");
            assert.equal(logs.length, 0, `no level, no log notifications; got ${JSON.stringify(logs)}`);
            await call({ [LOG_LEVEL]: "error" });
            assert.equal(logs.length, 0, `info logs are filtered at level error; got ${JSON.stringify(logs)}`);
            wire.clear();
            await call({ [LOG_LEVEL]: "info" });
            assert.equal(wire.posted("tools/call")[0]?.params._meta?.[LOG_LEVEL], "info", "the level travelled in _meta");
            assert.deepEqual(logs.map((l) => [l.level, l.data]), [["info", "countdown: 3"], ["info", "countdown: 2"], [
              "info",
              "countdown: 1",
            ]]);
          });
        } else {
          it("logs at the session level set with logging/setLevel", async () => {
            await within(STEP, client.setLoggingLevel("error"));
            logs.length = 0;
            await within(STEP, client.callTool({ name: "countdown", arguments: { n: 3, delayMs: 5 } }));
            assert.equal(logs.length, 0, `info logs are filtered at level error; got ${JSON.stringify(logs)}`);
            await within(STEP, client.setLoggingLevel("info"));
            await within(STEP, client.callTool({ name: "countdown", arguments: { n: 3, delayMs: 5 } }));
            assert.deepEqual(logs.map((l) => [l.level, l.data]), [["info", "countdown: 3"], ["info", "countdown: 2"], [
              "info",
              "countdown: 1",
            ]]);
          });
        }

        it("cancels a running countdown via AbortSignal and keeps serving", async () => {
          wire.clear();
          const controller = new AbortController();
          const started = Date.now();
          setTimeout(() => controller.abort(), 300);
          await within(
            STEP,
            assert.rejects(
              client.callTool({ name: "countdown", arguments: { n: 50, delayMs: 100 } }, { signal: controller.signal, timeout: STEP }),
              (error: Error) => /abort/i.test(String(error)),
            ),
          );
          assert.ok(Date.now() - started < 3000, "the call rejected promptly, not after the 5 s countdown");
          if (!mode.modern) {
            const [call] = wire.posted("tools/call");
            assert.equal(wire.posted("notifications/cancelled")[0]?.params.requestId, call.id);
          }
          const echo = await within(STEP, client.callTool({ name: "echo", arguments: { message: "still here" } }));
          assert.equal(text(echo), "still here");
        });

        it(`answers greet's elicitation (${mode.modern ? "input_required, auto-fulfilled" : "server→client request on SSE"})`, async () => {
          wire.clear();
          elicitations.length = 0;
          const result = await within(STEP, client.callTool({ name: "greet", arguments: {} }));
          assert.equal(text(result), "Hello, Ada!");
          assert.equal(elicitations.length, 1);
          assert.equal(elicitations[0].message, "What is your name?");
          const calls = wire.posted("tools/call");
          if (mode.modern) {
            // Round 1 came back input_required; the client retried with the answer and the echoed state.
            assert.equal(calls.length, 2);
            assert.equal(calls[0].params.inputResponses, undefined);
            assert.notEqual(calls[1].id, calls[0].id, "the retry uses a fresh id");
            const answers = Object.values(calls[1].params.inputResponses ?? {});
            assert.deepEqual(answers, [{ action: "accept", content: { name: "Ada" } }]);
            assert.equal(wire.responsesSent().length, 0, "no server→client requests in the 2026 era");
          } else {
            assert.equal(calls.length, 1);
            assert.deepEqual(wire.responsesSent().map((r) => r.result), [{ action: "accept", content: { name: "Ada" } }]);
          }
        });
      });
    }
  });
}
