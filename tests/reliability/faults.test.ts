/**
 * @module Faults outside Gatehouse: an upstream identity provider that returns garbage or never answers, a JWKS endpoint that returns garbage, and tool handlers that throw anything: every case ends in a bounded, clear error (never a 5xx other than 503, never a hang), and the server keeps serving.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { createServer, defineTool, jwt } from "../../src/mod.ts";
import { authorizeQuery, decide, openConsent, providerCallback, register, setup, visitIdp } from "../oauth/helpers.ts";
import { makeKey, sign } from "../auth/jwt-fixtures.ts";
import { jsonOf, postModern, server } from "../mcp/helpers.ts";

type Fetch = typeof fetch;

/** A fetch that passes everything through except the IdP's token endpoint, which `answer` handles. */
function tokenEndpoint(answer: (init: RequestInit | undefined) => Promise<Response>): Fetch {
  return ((input: RequestInfo | URL, init?: RequestInit) => {
    const url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
    return new URL(url).pathname === "/token" ? answer(init) : fetch(input, init);
  }) as Fetch;
}

/** Consent → IdP → our callback, with the exchange at the IdP answered by `answer`; returns the client redirect's error and how long the callback took. */
async function callbackWith(answer: (init: RequestInit | undefined) => Promise<Response>) {
  const s = await setup({ oauth: { fetch: tokenEndpoint(answer) } });
  try {
    const clientId = (await register(s.server)).client_id;
    const { query } = await authorizeQuery({ clientId });
    const page = await openConsent(s.server, query);
    const callback = await visitIdp((await decide(s.server, page, "approve")).headers.get("location")!);
    const started = Date.now();
    const done = await providerCallback(s.server, callback, page.cookie);
    const took = Date.now() - started;
    assert.equal(done.status, 302, await done.clone().text());
    const health = await s.server.fetch(new Request("http://localhost:8000/health"));
    assert.equal(health.status, 200, "still serving");
    return { error: new URL(done.headers.get("location")!).searchParams.get("error"), took };
  } finally {
    await s.close();
  }
}

describe("faults: the upstream identity provider", () => {
  for (
    const [what, body, type] of [
      ["HTML instead of JSON", "<html><body>502 Bad Gateway</body></html>", "text/html"],
      ["truncated JSON", '{"access_token": "abc', "application/json"],
      ["JSON without a token", '{"hello": "world"}', "application/json"],
      ["a JSON array", "[1,2,3]", "application/json"],
    ] as const
  ) {
    it(`a token response that is ${what}: the client is told, nothing breaks`, async () => {
      const { error } = await callbackWith(() => Promise.resolve(new Response(body, { status: 200, headers: { "content-type": type } })));
      assert.ok(error && /^(server_error|temporarily_unavailable|access_denied)$/.test(error), `error=${error}`);
    });
  }

  it("a 500 from the IdP: temporarily_unavailable or server_error, not our 500", async () => {
    const { error } = await callbackWith(() => Promise.resolve(new Response("oops", { status: 500 })));
    assert.ok(error && /^(server_error|temporarily_unavailable)$/.test(error), `error=${error}`);
  });

  it("an IdP that never answers: the exchange is abandoned at the timeout, with a clear error", async () => {
    const { error, took } = await callbackWith((init) =>
      new Promise<Response>((_, reject) => {
        // Honour the abort signal as a real fetch would; otherwise never answer.
        init?.signal?.addEventListener("abort", () => reject(init.signal!.reason ?? new Error("aborted")));
      })
    );
    assert.equal(error, "temporarily_unavailable");
    assert.ok(took < 15_000, `took ${took} ms`);
  });
});

describe("faults: a JWKS endpoint that returns garbage", () => {
  for (
    const [what, response] of [
      ["HTML", () => new Response("<html>nope</html>", { headers: { "content-type": "text/html" } })],
      ["keys that are not keys", () => Response.json({ keys: [{ kty: "EC", crv: "P-256", x: "!!", y: 1, kid: "k1" }, "x", null] })],
      ["a 503", () => new Response("down", { status: 503 })],
    ] as const
  ) {
    it(`${what}: a clear 401 (or 503), never a 500, and the server keeps serving`, async () => {
      const key = await makeKey("ES256", "k1");
      const issuer = "https://issuer.example";
      const resource = "http://localhost:8000/mcp";
      const strategy = jwt(
        { issuer, resource, jwksUri: `${issuer}/jwks`, fetch: (() => Promise.resolve(response())) as unknown as Fetch } as never,
      );
      const s = createServer({ name: "t", version: "1", auth: strategy, publicUrl: "http://localhost:8000" });
      const token = await sign(key, { iss: issuer, aud: resource, sub: "u", exp: Math.floor(Date.now() / 1000) + 600 });
      const r = await s.fetch(
        new Request(resource, {
          method: "POST",
          headers: {
            authorization: `Bearer ${token}`,
            "content-type": "application/json",
            accept: "application/json, text/event-stream",
            host: "localhost:8000",
          },
          body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list" }),
        }),
      );
      const text = await r.text();
      // 401 invalid_token, or 503 when the key set is unusable (the issuer's fault; see the report): never a 500.
      assert.ok(r.status === 401 || r.status === 503, `${r.status} ${text.slice(0, 300)}`);
      if (r.status === 401) assert.match(r.headers.get("www-authenticate") ?? "", /invalid_token/);
      else assert.match(text, /temporarily_unavailable/);
      assert.equal((await s.fetch(new Request("http://localhost:8000/health"))).status, 200);
    });
  }
});

describe("faults: handlers that throw anything", () => {
  const throwers = [
    ["an Error", () => {
      throw new Error("the tool failed");
    }],
    ["a string", () => {
      throw "plain string";
    }],
    ["undefined", () => {
      throw undefined;
    }],
    ["a rejected promise with null", () => Promise.reject(null)],
    ["an object with a throwing toString", () => {
      throw {
        toString() {
          throw new Error("nested");
        },
      };
    }],
  ] as const;
  const s = server({
    tools: [
      ...throwers.map(([_, handler], i) => defineTool({ name: `boom${i}`, handler: handler as () => string })),
      defineTool({ name: "fine", handler: () => "still here" }),
    ],
  });
  for (const [i, [what]] of throwers.entries()) {
    it(`a handler throwing ${what}: an error result without internals, then the next call is served`, async () => {
      const r = await postModern(s, "tools/call", { name: `boom${i}`, arguments: {} });
      assert.ok(r.status < 500, `status ${r.status}`);
      const body = await jsonOf(r);
      const failed = body.error !== undefined || body.result?.isError === true;
      assert.ok(failed, JSON.stringify(body));
      // The tool's own message may be shown (MCP: tool errors are results the model reads); a stack never.
      assert.doesNotMatch(JSON.stringify(body), /\\n\s+at |at .*\.ts:\d+/);
      const next = await jsonOf(await postModern(s, "tools/call", { name: "fine", arguments: {} }));
      assert.deepEqual(next.result.content, [{ type: "text", text: "still here" }]);
    });
  }
});
