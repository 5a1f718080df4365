import { after, afterEach, describe, it } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "../../src/mod.ts";
import { memoryStore } from "../../src/store/memory.ts";
import type { KV, KvKey } from "../../src/store/kv.ts";
import { oauth } from "../../src/oauth/strategy.ts";
import { accessTokenCache } from "../../src/oauth/access-cache.ts";
import type { AuthResult } from "../../src/auth/strategy.ts";
import { callTool, form, fullLogin, PUBLIC, register, type Setup, setup, tools } from "./helpers.ts";

/** A memory store that counts reads of access-token records. */
function countingStore(): KV & { accessReads: number } {
  const inner = memoryStore();
  const store = Object.create(inner) as KV & { accessReads: number };
  store.accessReads = 0;
  store.get = <T>(key: KvKey) => {
    if (key[0] === "oauth" && key[1] === "access") store.accessReads++;
    return inner.get<T>(key);
  };
  return store;
}

const ok = (subject: string) =>
  ({ ok: true, identity: { strategy: "oauth", subject }, resolvedHeaders: {} }) as Extract<AuthResult, { ok: true }>;

describe("oauth: validated access tokens are cached per process", () => {
  const cleanup: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const c of cleanup.splice(0)) await c();
  });
  after(async () => {
    for (const c of cleanup.splice(0)) await c();
  });

  async function started(o: Parameters<typeof setup>[0]): Promise<Setup> {
    const s = await setup(o);
    cleanup.push(() => s.close());
    return s;
  }

  it("a token used again is not looked up in the store; the tool still gets the provider token and identity", async () => {
    const store = countingStore();
    const s = await started({ store });
    const client = await register(s.server);
    const t = await fullLogin(s, client.client_id);
    const before = store.accessReads;
    for (let i = 0; i < 5; i++) assert.equal((await callTool(s.server, t.access_token, "whoami")).status, 200);
    assert.equal(store.accessReads - before, 1, "one store lookup for five calls");
    const who = await callTool(s.server, t.access_token, "whoami");
    const text = JSON.parse((await who.json()).result.content[0].text);
    assert.equal(text.auth.subject, "user-1234");
    assert.match(text.headers.Authorization, /^Bearer idp-at-/);
  });

  it("accessTokenCache: false reads the store on every request", async () => {
    const store = countingStore();
    const s = await started({ store, oauth: { accessTokenCache: false } });
    const client = await register(s.server);
    const t = await fullLogin(s, client.client_id);
    const before = store.accessReads;
    for (let i = 0; i < 3; i++) assert.equal((await callTool(s.server, t.access_token, "whoami")).status, 200);
    assert.equal(store.accessReads - before, 3);
  });

  it("a revocation on this instance is honoured at once, for the revoked access token and for a revoked family", async () => {
    const s = await started({});
    const client = await register(s.server);
    const a = await fullLogin(s, client.client_id);
    const b = await fullLogin(s, client.client_id);
    assert.equal((await callTool(s.server, a.access_token, "whoami")).status, 200);
    assert.equal((await callTool(s.server, b.access_token, "whoami")).status, 200);
    await s.server.fetch(form("/revoke", { token: a.access_token, token_type_hint: "access_token", client_id: client.client_id }));
    assert.equal((await callTool(s.server, a.access_token, "whoami")).status, 401);
    await s.server.fetch(form("/revoke", { token: b.refresh_token, client_id: client.client_id }));
    assert.equal((await callTool(s.server, b.access_token, "whoami")).status, 401);
  });

  it("a revocation on another instance sharing the store is honoured after the next marker check", async () => {
    const store = memoryStore();
    const s = await started({ store, oauth: { accessTokenCache: { revocationCheckMs: 100 } } });
    // A second instance: its own strategy and cache, the same store and upstream.
    const other = createServer({
      name: "other",
      version: "1.0.0",
      tools,
      store,
      publicUrl: PUBLIC,
      auth: oauth({
        issuer: PUBLIC,
        store,
        provider: { accountsUrl: s.idp.issuer, clientId: s.idp.clientId, clientSecret: s.idp.clientSecret, scopes: ["openid", "email"] },
        scopes: ["mcp:tools"],
        accessTokenCache: { revocationCheckMs: 100 },
      }),
    });
    const client = await register(s.server);
    const t = await fullLogin(s, client.client_id);
    assert.equal((await callTool(other, t.access_token, "whoami")).status, 200, "validated and cached on the other instance");
    await s.server.fetch(form("/revoke", { token: t.refresh_token, client_id: client.client_id }));
    assert.equal((await callTool(s.server, t.access_token, "whoami")).status, 401);
    await new Promise((r) => setTimeout(r, 150));
    assert.equal((await callTool(other, t.access_token, "whoami")).status, 401, "the other instance read the marker and dropped its entry");
  });

  it("an entry never outlives the access token", async () => {
    let clock = Date.now();
    const s = await started({ oauth: { now: () => clock, lifetimes: { accessTokenMs: 30_000 } } });
    const client = await register(s.server);
    const t = await fullLogin(s, client.client_id);
    assert.equal((await callTool(s.server, t.access_token, "whoami")).status, 200);
    clock += 30_001;
    assert.equal((await callTool(s.server, t.access_token, "whoami")).status, 401);
  });

  it("the cache: a validation begun before a revocation is not kept; a changed marker clears every entry", async () => {
    const store = memoryStore();
    const a = accessTokenCache(store, Date.now, { revocationCheckMs: 20 });
    const b = accessTokenCache(store, Date.now, { revocationCheckMs: 20 });
    await a.sync();
    const generation = a.generation();
    await a.revoked();
    a.set("t1", ok("x"), Date.now() + 60_000, generation);
    assert.equal(a.get("t1"), undefined, "stale validation dropped");
    a.set("t1", ok("x"), Date.now() + 60_000, a.generation());
    assert.equal(a.get("t1")?.identity.subject, "x");

    await b.revoked(); // another instance revokes something
    await new Promise((r) => setTimeout(r, 30));
    assert.equal(a.get("t1"), undefined, "a due marker check sends the caller to the slow path");
    await a.sync();
    assert.equal(a.size, 0, "the changed marker cleared the cache");
  });
});
