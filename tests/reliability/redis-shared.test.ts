/**
 * @module Two Gatehouse instances, each with its own connection to one real Redis (what two processes behind a load balancer have): a code raced through both yields exactly one token, concurrent refreshes get one successor, rate limits are one bucket, and a Redis outage is a 503 that heals by itself.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { bearer, createServer, defineTool, type GatehouseServer } from "../../src/mod.ts";
import { openStore } from "../../src/runtime/store.ts";
import type { KV } from "../../src/store/kv.ts";
import { oauth } from "../../src/oauth/strategy.ts";
import { type FakeIdp, startFakeIdp } from "../oauth/fake-idp.ts";
import { callTool, CLIENT_REDIRECT, login, PUBLIC, register, RESOURCE, type Setup, token, tools } from "../oauth/helpers.ts";
import { type RedisServer, redisSkipReason, startRedis } from "../store/fixtures/redis-server.ts";

describe("two instances sharing one Redis", { skip: redisSkipReason }, () => {
  let redis: RedisServer;
  let idp: FakeIdp;
  const stores: KV[] = [];
  before(async () => {
    redis = await startRedis({ persistent: true });
    idp = await startFakeIdp();
    idp.redirectUri = `${PUBLIC}/oauth/provider-callback`;
  });
  after(async () => {
    for (const s of stores) await s.close().catch(() => {});
    await idp?.close();
    await redis?.stop();
  });

  async function instances(prefix = `shared-${randomUUID()}:`): Promise<Setup[]> {
    const out: Setup[] = [];
    for (let i = 0; i < 2; i++) {
      const store = await openStore(`${redis.url}?prefix=${prefix}`);
      stores.push(store);
      const strategy = oauth({
        issuer: PUBLIC,
        store,
        provider: { accountsUrl: idp.issuer, clientId: idp.clientId, clientSecret: idp.clientSecret, scopes: ["openid", "email"] },
        scopes: ["mcp:tools"],
      });
      const server = createServer({
        name: "redis-shared",
        version: "1",
        tools,
        auth: strategy,
        store,
        publicUrl: PUBLIC,
        secret: "redis-shared-secret-0123456789abcdef",
      });
      out.push({ idp, server, strategy, store, close: async () => {} });
    }
    return out;
  }

  it("a code raced through both instances yields exactly one token (20 rounds)", async () => {
    const [a, b] = await instances();
    const client = await register(a.server);
    for (let round = 0; round < 20; round++) {
      const { params, verifier } = await login(a, { clientId: client.client_id });
      const fields = {
        grant_type: "authorization_code",
        code: params.get("code")!,
        redirect_uri: CLIENT_REDIRECT,
        code_verifier: verifier,
        client_id: client.client_id,
        resource: RESOURCE,
      };
      const results = await Promise.all(Array.from({ length: 10 }, (_, i) => token((i % 2 ? a : b).server, fields)));
      assert.equal(
        results.filter((r) => r.status === 200).length,
        1,
        results.map((r) => `${r.status} ${r.body.error_description}`).join(","),
      );
    }
  });

  it("concurrent refreshes through both instances get one successor, and the successor works on both", async () => {
    const [a, b] = await instances();
    const client = await register(b.server);
    const { params, verifier } = await login(a, { clientId: client.client_id });
    const first = await token(a.server, {
      grant_type: "authorization_code",
      code: params.get("code")!,
      redirect_uri: CLIENT_REDIRECT,
      code_verifier: verifier,
      client_id: client.client_id,
      resource: RESOURCE,
    });
    assert.equal(first.status, 200);
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        token((i % 2 ? a : b).server, {
          grant_type: "refresh_token",
          refresh_token: first.body.refresh_token,
          client_id: client.client_id,
        })),
    );
    const ok = results.filter((r) => r.status === 200);
    assert.equal(ok.length, 10, results.map((r) => r.status).join(","));
    assert.equal(new Set(ok.map((r) => r.body.refresh_token)).size, 1);
    for (const s of [a, b]) assert.equal((await callTool(s.server, ok[0].body.access_token, "whoami")).status, 200);
  });

  it("rate limits are one bucket across instances; a Redis outage is a 503 that heals by itself", async () => {
    const prefix = `rl-${randomUUID()}:`;
    const TOKEN = "redis-shared-rate-limit-token-0123456789";
    const echo = defineTool({ name: "echo", handler: () => "ok" });
    const make = async (): Promise<GatehouseServer> => {
      const store = await openStore(`${redis.url}?prefix=${prefix}`);
      stores.push(store);
      return createServer({
        name: "t",
        version: "1",
        tools: [echo],
        auth: bearer({ token: TOKEN }),
        store,
        rateLimit: { rps: 0.01, burst: 4 },
        storeTimeoutMs: 1000,
      });
    };
    const [a, b] = [await make(), await make()];
    const call = async (s: GatehouseServer) => (await callTool(s, TOKEN, "echo")).status;
    const statuses = await Promise.all(Array.from({ length: 8 }, (_, i) => call(i % 2 ? a : b)));
    assert.deepEqual(statuses.sort(), [200, 200, 200, 200, 429, 429, 429, 429]);
    await redis.kill();
    // The limiter fails open by design (a limiter outage is not a service outage)...
    assert.equal(await call(a), 200);
    // ...while what needs the store (a new MCP session) is a prompt 503 with Retry-After.
    const init = await a.fetch(
      new Request("http://localhost:8000/mcp", {
        method: "POST",
        headers: { "content-type": "application/json", accept: "application/json, text/event-stream", authorization: `Bearer ${TOKEN}` },
        body: JSON.stringify({
          jsonrpc: "2.0",
          id: 1,
          method: "initialize",
          params: { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "t", version: "1" } },
        }),
      }),
    );
    assert.equal(init.status, 503);
    assert.equal(init.headers.get("retry-after"), "1");
    await redis.restart();
    let status = 0;
    for (let i = 0; i < 50 && status !== 429; i++) {
      status = await call(b);
      if (status !== 429) await new Promise((r) => setTimeout(r, 50));
    }
    assert.equal(status, 429, "back, and the bucket (persisted by Redis) is still empty");
  });
});
