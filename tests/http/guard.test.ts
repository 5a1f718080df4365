import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { bearer, defineTool } from "../../src/mod.ts";
import { ACCEPT_BOTH, jsonOf, mcpRequest, post, rpc, server, URL_MCP } from "../mcp/helpers.ts";

const s = server({ tools: [defineTool({ name: "echo", handler: () => "ok" })] });

describe("guard: DNS-rebinding protection (Host and Origin)", () => {
  it("403 for a foreign Origin", async () => {
    const r = await post(s, rpc("tools/list"), { headers: { origin: "http://evil.example.com" } });
    assert.equal(r.status, 403);
    assert.equal((await jsonOf(r)).error, "forbidden");
  });

  it("403 for a foreign Host (DNS rebinding), even with no Origin", async () => {
    const r = await post(s, rpc("tools/list"), { headers: { host: "evil.example.com" } });
    assert.equal(r.status, 403);
    await r.body?.cancel();
  });

  it("403 for a foreign Host with a port", async () => {
    const r = await post(s, rpc("tools/list"), { headers: { host: "evil.example.com:8000" } });
    assert.equal(r.status, 403);
    await r.body?.cancel();
  });

  it("an allowed localhost Origin passes and gets CORS headers", async () => {
    for (const origin of ["http://localhost:8000", "http://127.0.0.1:8000"]) {
      const r = await post(s, rpc("tools/list"), { headers: { origin } });
      assert.equal(r.status, 200, origin);
      assert.equal(r.headers.get("access-control-allow-origin"), origin);
      assert.match(r.headers.get("access-control-expose-headers") ?? "", /mcp-session-id/);
      assert.equal((await jsonOf(r)).result.tools[0].name, "echo");
    }
  });

  it("loopback Host names are accepted for a loopback server", async () => {
    for (const host of ["localhost:8000", "127.0.0.1:8000", "[::1]:8000", "localhost"]) {
      const r = await post(s, rpc("tools/list"), { headers: { host } });
      assert.equal(r.status, 200, host);
      await r.body?.cancel();
    }
  });

  it("a request without a Origin gets no CORS headers", async () => {
    const r = await post(s, rpc("tools/list"));
    assert.equal(r.status, 200);
    assert.equal(r.headers.get("access-control-allow-origin"), null);
    await r.body?.cancel();
  });

  // Regression: requests built in memory (tests, Hono's app.request, adapters, HTTP/2's :authority)
  // carry no Host header; the guard judges them by the URL's host (ctx.url.host).
  it("a request without a Host header is judged by its URL's host (localhost passes)", async () => {
    const r = await s.fetch(
      new Request(URL_MCP, {
        method: "POST",
        headers: { "content-type": "application/json", accept: ACCEPT_BOTH },
        body: JSON.stringify(rpc("tools/list")),
      }),
    );
    assert.equal(r.status, 200);
    await r.body?.cancel();
  });

  it("a request without a Host header to a foreign URL host is still refused", async () => {
    const r = await s.fetch(
      new Request("http://evil.example.com/mcp", {
        method: "POST",
        headers: { "content-type": "application/json", accept: ACCEPT_BOTH },
        body: JSON.stringify(rpc("tools/list")),
      }),
    );
    assert.equal(r.status, 403);
    await r.body?.cancel();
  });
});

describe("guard: CORS preflight", () => {
  const protectedServer = server({
    auth: bearer({ token: "s3cret-token-value" }),
    tools: [defineTool({ name: "echo", handler: () => "ok" })],
  });

  it("OPTIONS is answered 204 with allow/expose headers before the bearer gate", async () => {
    const r = await protectedServer.fetch(mcpRequest("OPTIONS", {
      headers: {
        origin: "http://localhost:8000",
        "access-control-request-method": "POST",
        "access-control-request-headers": "authorization, content-type, mcp-session-id",
      },
    }));
    assert.equal(r.status, 204);
    assert.equal(r.headers.get("access-control-allow-origin"), "http://localhost:8000");
    const allowMethods = (r.headers.get("access-control-allow-methods") ?? "").toLowerCase();
    for (const m of ["get", "post", "delete"]) assert.ok(allowMethods.includes(m), allowMethods);
    const allowHeaders = (r.headers.get("access-control-allow-headers") ?? "").toLowerCase().split(/\s*,\s*/);
    for (
      const h of ["authorization", "content-type", "mcp-session-id", "mcp-protocol-version", "mcp-method", "mcp-name", "last-event-id"]
    ) {
      assert.ok(allowHeaders.includes(h), `allow-headers lacks ${h}`);
    }
    const expose = (r.headers.get("access-control-expose-headers") ?? "").toLowerCase().split(/\s*,\s*/);
    for (const h of ["www-authenticate", "mcp-session-id"]) assert.ok(expose.includes(h), `expose-headers lacks ${h}`);
    assert.equal(r.headers.get("www-authenticate"), null);
    assert.equal(await r.text(), "");
  });

  it("a foreign Origin's preflight is refused 403", async () => {
    const r = await protectedServer.fetch(mcpRequest("OPTIONS", {
      headers: { origin: "http://evil.example.com", "access-control-request-method": "POST" },
    }));
    assert.equal(r.status, 403);
    await r.body?.cancel();
  });

  it("the bearer 401 itself carries CORS headers exposing WWW-Authenticate", async () => {
    const r = await post(protectedServer, rpc("tools/list"), { headers: { origin: "http://localhost:8000" } });
    assert.equal(r.status, 401);
    assert.match(r.headers.get("www-authenticate") ?? "", /^Bearer/);
    assert.equal(r.headers.get("access-control-allow-origin"), "http://localhost:8000");
    assert.match(r.headers.get("access-control-expose-headers") ?? "", /www-authenticate/);
    await r.body?.cancel();
  });

  it("with the token, the protected endpoint answers", async () => {
    const r = await post(protectedServer, rpc("tools/list"), { headers: { authorization: "Bearer s3cret-token-value" } });
    assert.equal(r.status, 200);
    assert.equal((await jsonOf(r)).result.tools.length, 1);
  });
});
