/**
 * @module End to end: the official SDK clients (v1 on 2025-11-25, v2 pinned to 2026-07-28) through the real server's static-secret strategies: bearer (served by Bun) and api_key in a custom header (served by Deno).
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { Client as ClientV1 } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport as TransportV1 } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { Client as ClientV2, StreamableHTTPClientTransport as TransportV2 } from "@modelcontextprotocol/client";
import { type ServerRuntime, type SpawnedServer, spawnServer, within } from "./helpers/spawn-server.ts";
import { type Recorder, recordingFetch } from "./helpers/wire.ts";

const STEP = 20_000;
const MODERN = "2026-07-28";
/** 43 URL-safe characters: a realistic generated secret, well over the 32-character warning threshold. */
const secret = () => randomBytes(32).toString("base64url");

type Headers = Record<string, string>;

interface Connected {
  version: string;
  whoami(): Promise<{ strategy: string; subject: string | null; raw: string; protocolVersion: string }>;
  close(): Promise<void>;
}

/** Connects the v1 (2025-11-25) or v2 (pinned 2026-07-28) client with `headers` on every request. */
async function connect(which: "v1" | "v2", server: SpawnedServer, headers: Headers, wire: Recorder): Promise<Connected> {
  const requestInit = { headers };
  if (which === "v1") {
    const client = new ClientV1({ name: "gatehouse-e2e-auth-v1", version: "1.0.0" });
    await within(STEP, client.connect(new TransportV1(server.url, { requestInit, fetch: wire.fetch }), { timeout: STEP }), "connect");
    return {
      version: "2025-11-25",
      whoami: async () => whoami(await within(STEP, client.callTool({ name: "whoami", arguments: {} }))),
      close: () => client.close(),
    };
  }
  const client = new ClientV2({ name: "gatehouse-e2e-auth-v2", version: "1.0.0" }, { versionNegotiation: { mode: { pin: MODERN } } });
  await within(STEP, client.connect(new TransportV2(server.url, { requestInit, fetch: wire.fetch }), { timeout: STEP }), "connect");
  assert.equal(client.getNegotiatedProtocolVersion(), MODERN);
  return {
    version: MODERN,
    whoami: async () => whoami(await within(STEP, client.callTool({ name: "whoami", arguments: {} }))),
    close: () => client.close(),
  };
}

function whoami(result: any) {
  const raw = result?.content?.[0]?.text;
  assert.equal(typeof raw, "string", `whoami returned ${JSON.stringify(result)}`);
  return { ...JSON.parse(raw), raw };
}

/** The connect attempt fails, and both the wire and the client's error say 401. */
async function assertRefused(which: "v1" | "v2", server: SpawnedServer, headers: Headers) {
  const wire = recordingFetch();
  let caught: any;
  try {
    const connected = await connect(which, server, headers, wire);
    await connected.close();
  } catch (error) {
    caught = error;
  }
  assert.ok(caught, `${which}: connect must fail`);
  assert.equal(wire.exchanges[0]?.status, 401, `${which}: the first request was answered 401`);
  assert.ok(wire.exchanges.every((e) => e.status === 401), `${which}: nothing got through: ${wire.exchanges.map((e) => e.status)}`);
  const says401 = caught.code === 401 || caught.data?.status === 401 || /\b401\b/.test(String(caught?.message));
  assert.ok(says401, `${which}: the error names the 401: ${caught?.name} ${caught?.code} ${caught?.message}`);
  return { error: caught, challenge: wire.exchanges[0].responseHeaders["www-authenticate"] ?? "" };
}

interface StrategyCase {
  label: string;
  runtime: ServerRuntime;
  env: (secret: string) => Record<string, string>;
  headers: (secret: string) => Headers;
  /** Other ways of presenting the right secret that must NOT work. */
  misplaced: (secret: string) => Record<string, Headers>;
  challenge: RegExp;
}

const CASES: StrategyCase[] = [
  {
    label: "bearer",
    runtime: "bun",
    env: (s) => ({ AUTH_STRATEGY: "bearer", BEARER_TOKEN: s, RATE_LIMIT_RPS: "off" }),
    headers: (s) => ({ Authorization: `Bearer ${s}` }),
    misplaced: (s) => ({ "no Bearer scheme": { Authorization: s }, "as an API key": { "x-api-key": s } }),
    challenge: /^Bearer\b/,
  },
  {
    label: "api_key (API_KEY_HEADER=x-team-key)",
    runtime: "deno",
    env: (s) => ({ AUTH_STRATEGY: "api_key", API_KEY: s, API_KEY_HEADER: "x-team-key", RATE_LIMIT_RPS: "off" }),
    headers: (s) => ({ "x-team-key": s }),
    misplaced: (s) => ({ "in the default x-api-key header": { "x-api-key": s }, "as a bearer token": { Authorization: `Bearer ${s}` } }),
    challenge: /^ApiKey header="x-team-key"/,
  },
];

for (const c of CASES) {
  describe(`SDK clients through the ${c.label} strategy (${c.runtime} server)`, () => {
    const good = secret();
    const wrong = secret();
    let server: SpawnedServer;

    before(async () => {
      server = await spawnServer(c.runtime, c.env(good));
    });
    after(async () => {
      await server?.stop();
    });

    for (const which of ["v1", "v2"] as const) {
      it(`${which}: the right secret connects; whoami shows the strategy and a subject without the secret`, async () => {
        const wire = recordingFetch();
        const connected = await connect(which, server, c.headers(good), wire);
        try {
          const me = await connected.whoami();
          assert.equal(me.strategy, c.label.split(" ")[0]);
          assert.equal(me.protocolVersion, connected.version);
          assert.equal(typeof me.subject, "string");
          assert.ok(me.subject!.length > 0);
          assert.ok(!me.subject!.includes(good), "the subject does not contain the secret");
          assert.ok(!me.raw.includes(good), "nothing in whoami's answer contains the secret");
          assert.ok(wire.exchanges.every((e) => e.status >= 200 && e.status < 300 || e.httpMethod !== "POST"));
        } finally {
          await connected.close();
        }
      });

      it(`${which}: the same client identity maps to the same subject across connections`, async () => {
        const a = await connect(which, server, c.headers(good), recordingFetch());
        const b = await connect(which, server, c.headers(good), recordingFetch());
        try {
          assert.equal((await a.whoami()).subject, (await b.whoami()).subject);
        } finally {
          await a.close();
          await b.close();
        }
      });

      it(`${which}: a wrong secret fails to connect with 401 and a challenge`, async () => {
        const { challenge } = await assertRefused(which, server, c.headers(wrong));
        assert.match(challenge, c.challenge);
      });

      it(`${which}: no credential at all fails to connect with 401`, async () => {
        const { challenge } = await assertRefused(which, server, {});
        assert.match(challenge, c.challenge);
      });
    }

    for (const [how, headers] of Object.entries(c.misplaced(good))) {
      it(`v1: the right secret ${how} is refused with 401`, async () => {
        await assertRefused("v1", server, headers);
      });
    }

    it("the server's output never contains a presented secret", () => {
      const out = server.output();
      assert.match(out, /serving MCP/);
      assert.ok(!out.includes(good), "the configured secret is not logged");
      assert.ok(!out.includes(wrong), "a refused secret is not logged");
    });
  });
}
