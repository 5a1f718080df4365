import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { compose, type Handler, type RequestContext, type RequestInfo } from "../../src/http/pipeline.ts";
import { preAuthRateLimitStage, rateLimitStage } from "../../src/ratelimit/stage.ts";
import { authStage } from "../../src/auth/stage.ts";
import { bearer } from "../../src/auth/bearer.ts";
import { memoryStore } from "../../src/store/memory.ts";
import type { Identity } from "../../src/auth/identity.ts";
import { requestContext } from "../../src/http/pipeline.ts";

const ok: Handler = () => Promise.resolve(new Response("ok"));

function clock(start = 1_700_000_000_000) {
  let t = start;
  return { now: () => t, advance: (ms: number) => void (t += ms) };
}

function call(
  handler: Handler,
  path = "/mcp",
  options: { auth?: Identity | null; info?: RequestInfo; headers?: Record<string, string>; method?: string } = {},
) {
  const request = new Request(`https://mcp.example.com${path}`, { method: options.method ?? "POST", headers: options.headers });
  const ctx: RequestContext = requestContext(request, options.info ?? { remoteAddress: "203.0.113.7" }, "t");
  ctx.auth = options.auth ?? null;
  return handler(request, ctx);
}

const alice: Identity = { strategy: "bearer", scopes: [], credentialId: "bearer:aaaa", subject: "bearer:aaaa" };
const bob: Identity = { strategy: "bearer", scopes: [], credentialId: "bearer:bbbb", subject: "bearer:bbbb" };

describe("rate limit stage", () => {
  it("answers a 429 sequence with correct Retry-After and RateLimit headers", async () => {
    const c = clock();
    const handler = rateLimitStage({ store: memoryStore(), rps: 1, burst: 2, now: c.now })(ok);
    const first = await call(handler, "/mcp", { auth: alice });
    assert.equal(first.status, 200);
    assert.equal(first.headers.get("ratelimit-policy"), '"default";q=2;w=2');
    assert.equal(first.headers.get("ratelimit"), '"default";r=1;t=1');
    assert.equal((await call(handler, "/mcp", { auth: alice })).status, 200);

    const refused = await call(handler, "/mcp", { auth: alice });
    assert.equal(refused.status, 429);
    assert.equal(refused.headers.get("retry-after"), "1");
    assert.equal(refused.headers.get("ratelimit"), '"default";r=0;t=1');
    assert.equal(refused.headers.get("ratelimit-policy"), '"default";q=2;w=2');
    const body = await refused.json();
    assert.equal(body.error, "rate_limited");
    assert.equal(body.retry_after, 1);

    c.advance(400);
    const stillRefused = await call(handler, "/mcp", { auth: alice });
    assert.equal(stillRefused.status, 429);
    assert.equal(stillRefused.headers.get("retry-after"), "1"); // 600 ms rounds up to 1 s

    c.advance(600);
    assert.equal((await call(handler, "/mcp", { auth: alice })).status, 200);
    assert.equal((await call(handler, "/mcp", { auth: alice })).status, 429);
  });

  it("rounds Retry-After up to whole seconds for slow rates", async () => {
    const c = clock();
    const handler = rateLimitStage({ store: memoryStore(), rps: 0.2, burst: 1, now: c.now })(ok);
    assert.equal((await call(handler, "/mcp", { auth: alice })).status, 200);
    const refused = await call(handler, "/mcp", { auth: alice });
    assert.equal(refused.headers.get("retry-after"), "5");
    c.advance(2_500);
    assert.equal((await call(handler, "/mcp", { auth: alice })).headers.get("retry-after"), "3");
    c.advance(2_500);
    assert.equal((await call(handler, "/mcp", { auth: alice })).status, 200);
  });

  it("keys by credential: one caller's limit does not touch another's", async () => {
    const c = clock();
    const handler = rateLimitStage({ store: memoryStore(), rps: 1, burst: 1, now: c.now })(ok);
    assert.equal((await call(handler, "/mcp", { auth: alice })).status, 200);
    assert.equal((await call(handler, "/mcp", { auth: alice })).status, 429);
    assert.equal((await call(handler, "/mcp", { auth: bob })).status, 200);
  });

  it("keeps interleaved callers apart, a credential id and an equal subject too (keys and hashes are per request, not the last one's)", async () => {
    const c = clock();
    const handler = rateLimitStage({ store: memoryStore(), rps: 1, burst: 1, now: c.now })(ok);
    // The same text as alice's credential id, but a subject: another kind of key, so another bucket.
    const sameText: Identity = { strategy: "custom", scopes: [], subject: "bearer:aaaa" };
    const sequence: Array<[Identity | null, string, number]> = [
      [alice, "a", 200],
      [bob, "a", 200],
      [alice, "a", 429],
      [sameText, "a", 200],
      [bob, "a", 429],
      [null, "a", 200],
      [sameText, "a", 429],
      [null, "b", 200],
      [alice, "a", 429],
      [null, "a", 429],
    ];
    for (const [i, [auth, address, status]] of sequence.entries()) {
      assert.equal((await call(handler, "/mcp", { auth, info: { remoteAddress: address } })).status, status, `step ${i}`);
    }
  });

  it("keys by subject, then client address, when there is no credential id", async () => {
    const c = clock();
    const handler = rateLimitStage({ store: memoryStore(), rps: 1, burst: 1, now: c.now })(ok);
    const carol: Identity = { strategy: "custom", scopes: [], subject: "carol" };
    assert.equal((await call(handler, "/mcp", { auth: carol, info: { remoteAddress: "a" } })).status, 200);
    assert.equal((await call(handler, "/mcp", { auth: carol, info: { remoteAddress: "b" } })).status, 429);
    assert.equal((await call(handler, "/mcp", { info: { remoteAddress: "a" } })).status, 200);
    assert.equal((await call(handler, "/mcp", { info: { remoteAddress: "a" } })).status, 429);
    assert.equal((await call(handler, "/mcp", { info: { remoteAddress: "b" } })).status, 200);
    assert.equal((await call(handler, "/mcp", { info: {} })).status, 200);
    assert.equal((await call(handler, "/mcp", { info: {} })).status, 429); // all unknown share one bucket
  });

  it("two stage instances sharing one store share one limit", async () => {
    const c = clock();
    const store = memoryStore();
    const one = rateLimitStage({ store, rps: 1, burst: 3, now: c.now })(ok);
    const two = rateLimitStage({ store, rps: 1, burst: 3, now: c.now })(ok);
    assert.equal((await call(one, "/mcp", { auth: alice })).status, 200);
    assert.equal((await call(two, "/mcp", { auth: alice })).status, 200);
    assert.equal((await call(one, "/mcp", { auth: alice })).status, 200);
    assert.equal((await call(two, "/mcp", { auth: alice })).status, 429);
    assert.equal((await call(one, "/mcp", { auth: alice })).status, 429);
  });

  it("stays correct under concurrent requests", async () => {
    const c = clock();
    const handler = rateLimitStage({ store: memoryStore(), rps: 1, burst: 5, now: c.now })(ok);
    const statuses = await Promise.all(Array.from({ length: 12 }, () => call(handler, "/mcp", { auth: alice }).then((r) => r.status)));
    assert.equal(statuses.filter((s) => s === 200).length, 5);
    assert.equal(statuses.filter((s) => s === 429).length, 7);
  });

  it("only limits protected paths, and never preflight", async () => {
    const c = clock();
    const handler = rateLimitStage({ store: memoryStore(), rps: 1, burst: 1, now: c.now })(ok);
    for (let i = 0; i < 5; i++) {
      assert.equal((await call(handler, "/health", { auth: alice, method: "GET" })).status, 200);
      assert.equal((await call(handler, "/mcp", { auth: alice, method: "OPTIONS" })).status, 200);
    }
    assert.equal((await call(handler, "/mcp", { auth: alice })).status, 200);
    assert.equal((await call(handler, "/mcp", { auth: alice })).status, 429);
  });

  it("weighs requests by cost", async () => {
    const c = clock();
    const handler = rateLimitStage({
      store: memoryStore(),
      rps: 1,
      burst: 10,
      now: c.now,
      costOf: (request) => request.headers.get("mcp-name") === "expensive" ? 6 : 1,
    })(ok);
    assert.equal((await call(handler, "/mcp", { auth: alice, headers: { "mcp-name": "expensive" } })).status, 200);
    const refused = await call(handler, "/mcp", { auth: alice, headers: { "mcp-name": "expensive" } });
    assert.equal(refused.status, 429);
    assert.equal(refused.headers.get("retry-after"), "2");
    assert.equal((await call(handler, "/mcp", { auth: alice })).status, 200);
  });

  it("lets requests through when the store fails", async () => {
    // A shared store that fails (not `local`: a process-local store keeps buckets beside it, no store call).
    const { local: _local, ...shared } = memoryStore();
    const broken = { ...shared, update: () => Promise.reject(new Error("down")) };
    const handler = rateLimitStage({ store: broken, rps: 1, burst: 1 })(ok);
    assert.equal((await call(handler, "/mcp", { auth: alice })).status, 200);
    assert.equal((await call(handler, "/mcp", { auth: alice })).status, 200);
  });

  it("rejects nonsense limits", () => {
    assert.throws(() => rateLimitStage({ store: memoryStore(), rps: 0, burst: 1 }), /rps/);
    assert.throws(() => rateLimitStage({ store: memoryStore(), rps: 1, burst: 0.5 }), /burst/);
  });

  it("annotates responses whose headers are immutable", async () => {
    const immutable: Handler = () => Promise.resolve(Response.redirect("https://example.com/", 302));
    const handler = rateLimitStage({ store: memoryStore(), rps: 1, burst: 2 })(immutable);
    const res = await call(handler, "/mcp", { auth: alice });
    assert.equal(res.status, 302);
    assert.equal(res.headers.get("ratelimit-policy"), '"default";q=2;w=2');
  });
});

describe("pre-auth rate limit stage", () => {
  const TOKEN = "preauth-test-token-0123456789abcdefghij";

  function server(c: ReturnType<typeof clock>, store = memoryStore()) {
    return compose([
      preAuthRateLimitStage({ store, rps: 1, burst: 2, now: c.now }),
      authStage(bearer({ token: TOKEN })),
      rateLimitStage({ store, rps: 100, burst: 100, now: c.now }),
    ], ok);
  }

  it("charges refused credentials per address, then answers 429 before checking any", async () => {
    const c = clock();
    const handler = server(c);
    const wrong = { headers: { authorization: "Bearer wrong" } };
    assert.equal((await call(handler, "/mcp", wrong)).status, 401);
    assert.equal((await call(handler, "/mcp", wrong)).status, 401);
    const refused = await call(handler, "/mcp", wrong);
    assert.equal(refused.status, 429);
    assert.equal(refused.headers.get("retry-after"), "1");
    assert.match(refused.headers.get("ratelimit")!, /^"preauth";r=0;t=1$/);
    // the same address is blocked even with the right token until the bucket refills
    assert.equal((await call(handler, "/mcp", { headers: { authorization: `Bearer ${TOKEN}` } })).status, 429);
    // another address is unaffected
    assert.equal((await call(handler, "/mcp", { ...wrong, info: { remoteAddress: "198.51.100.1" } })).status, 401);
    c.advance(1000);
    assert.equal((await call(handler, "/mcp", { headers: { authorization: `Bearer ${TOKEN}` } })).status, 200);
  });

  it("reads the client address only once some address has been charged (a process-local store knows when none has)", async () => {
    const c = clock();
    const handler = server(c);
    let reads = 0;
    const info = {
      get remoteAddress() {
        reads++;
        return "203.0.113.9";
      },
    };
    const good = { headers: { authorization: `Bearer ${TOKEN}` }, info };
    for (let i = 0; i < 3; i++) assert.equal((await call(handler, "/mcp", good)).status, 200);
    assert.equal(reads, 0, "nothing refused yet: no address needed");
    assert.equal((await call(handler, "/mcp", { headers: { authorization: "Bearer wrong" }, info })).status, 401);
    assert.ok(reads >= 1, "the refused credential is charged to its address");
    assert.equal((await call(handler, "/mcp", { headers: { authorization: "Bearer wrong" }, info })).status, 401);
    assert.equal(
      (await call(handler, "/mcp", good)).status,
      429,
      "the address's bucket is empty: refused before the credential is checked",
    );
    c.advance(2_000); // every bucket is full again
    reads = 0;
    assert.equal((await call(handler, "/mcp", good)).status, 200);
    assert.equal(reads, 0);
  });

  it("does not charge valid calls or credential-less discovery 401s", async () => {
    const c = clock();
    const handler = server(c);
    for (let i = 0; i < 10; i++) {
      assert.equal((await call(handler, "/mcp")).status, 401);
      assert.equal((await call(handler, "/mcp", { headers: { authorization: `Bearer ${TOKEN}` } })).status, 200);
    }
  });
});
