/** The stdio transport, driven by the official SDK client over a real subprocess on both runtimes. */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { join, resolve } from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { ElicitRequestSchema } from "@modelcontextprotocol/sdk/types.js";

const root = resolve(import.meta.dirname!, "../..");
const commands = {
  bun: [join(root, "node_modules/.bin/bun"), ["run", "src/stdio.ts"]],
  deno: [join(root, "node_modules/.bin/deno"), ["run", "-A", "src/stdio.ts"]],
} as const;

for (const [runtime, [command, args]] of Object.entries(commands)) {
  describe(`stdio server under ${runtime} with the SDK v1 client`, () => {
    let client: Client;
    before(async () => {
      client = new Client({ name: "stdio-test", version: "1.0.0" }, { capabilities: { elicitation: {} } });
      client.setRequestHandler(ElicitRequestSchema, () => ({ action: "accept", content: { name: "Ada" } }));
      await client.connect(new StdioClientTransport({ command, args: [...args], cwd: root, stderr: "ignore" }));
    });
    after(async () => {
      await client?.close();
    });

    it("lists the demo tools and calls echo", async () => {
      const { tools } = await client.listTools();
      assert.deepEqual(tools.map((t) => t.name), ["echo", "add", "whoami", "countdown", "greet", "report"]);
      const result = await client.callTool({ name: "echo", arguments: { message: "over stdio" } });
      assert.deepEqual(result.content, [{ type: "text", text: "over stdio" }]);
    });

    it("asks the client for input with a server-to-client request (elicitation)", async () => {
      const result = await client.callTool({ name: "greet", arguments: {} });
      assert.deepEqual(result.content, [{ type: "text", text: "Hello, Ada!" }]);
    });

    it("reports progress and reads resources and prompts", async () => {
      const progress: number[] = [];
      await client.callTool({ name: "countdown", arguments: { n: 2, delayMs: 40 } }, undefined, {
        onprogress: (p) => progress.push(p.progress),
      });
      // The SDK client drops a progress notification that arrives in the same read as the result,
      // so the steps are spaced out; the final one may still race the result.
      assert.deepEqual(progress.slice(0, 2), [0, 1]);
      const read = await client.readResource({ uri: "greeting://Grace" });
      assert.equal((read.contents[0] as { text: string }).text, "Hello, Grace!");
      const prompt = await client.getPrompt({ name: "summarize", arguments: { text: "abc" } });
      assert.match(JSON.stringify(prompt.messages), /Summarize the following/);
    });
  });
}
