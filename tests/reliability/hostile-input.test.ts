/**
 * @module Hostile input, generated (fast-check): JSON-RPC bodies, headers, the OAuth endpoints' parameters (/token, /register, /authorize), client metadata documents and JWTs. No 5xx, no crash, the server keeps serving, and the invariants hold: a code is redeemed at most once, scopes never widen, tokens work only for their audience. Runs are bounded (a few dozen cases each) so the suite stays fast.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { createServer, defineTool, type GatehouseServer, jwt } from "../../src/mod.ts";
import {
  authorizeQuery,
  callTool,
  CLIENT_REDIRECT,
  form,
  fullLogin,
  login,
  PUBLIC,
  register,
  req,
  RESOURCE,
  type Setup,
  setup,
  token,
} from "../oauth/helpers.ts";
import { makeKey, sign, type TestKey } from "../auth/jwt-fixtures.ts";

const RUNS = { numRuns: 40, seed: Number(process.env.FC_SEED ?? Date.now() % 2 ** 31) };
/** Header-safe text (no CR/LF/NUL; Headers refuses those before we ever see them). */
const headerText = fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength: 80 });
const anyText = fc.oneof(fc.string({ maxLength: 60 }), fc.string({ unit: "grapheme", maxLength: 20 }), headerText);
const jsonish = fc.jsonValue({ maxDepth: 4 });

const ok = (status: number, what: string) => assert.ok(status < 500, `${what}: ${status}`);

async function stillServing(server: GatehouseServer) {
  const r = await server.fetch(req("/health"));
  await r.body?.cancel();
  assert.equal(r.status, 200);
}

describe("hostile input: the MCP endpoint", () => {
  const s = createServer({
    name: "t",
    version: "1",
    tools: [defineTool({ name: "echo", handler: (args) => JSON.stringify(args).slice(0, 100) })],
  });
  const post = (body: string, headers: Record<string, string> = {}) =>
    s.fetch(
      req("/mcp", {
        method: "POST",
        body,
        headers: { "content-type": "application/json", accept: "application/json, text/event-stream", ...headers },
      }),
    );

  it("any JSON value or text as the body: no 5xx", async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(jsonish.map((v) => JSON.stringify(v)), anyText), async (body) => {
        const r = await post(body);
        await r.body?.cancel();
        ok(r.status, body.slice(0, 80));
      }),
      RUNS,
    );
    await stillServing(s);
  });

  it("JSON-RPC shaped messages with garbage in every slot (single and batched): no 5xx, and an error names the request id when there is one", async () => {
    const message = fc.record({
      jsonrpc: fc.oneof(fc.constant("2.0"), jsonish),
      id: fc.oneof(fc.integer(), fc.string({ maxLength: 10 }), fc.constant(null), jsonish),
      method: fc.oneof(
        fc.constantFrom("initialize", "tools/list", "tools/call", "resources/read", "prompts/get", "ping", "notifications/initialized"),
        anyText,
      ),
      params: fc.oneof(
        jsonish,
        fc.record({ name: fc.oneof(fc.constant("echo"), anyText), arguments: jsonish, _meta: jsonish }, { requiredKeys: [] }),
      ),
    }, { requiredKeys: [] });
    await fc.assert(
      fc.asyncProperty(fc.oneof(message, fc.array(message, { maxLength: 4 })), async (m) => {
        const r = await post(JSON.stringify(m));
        const text = await r.text();
        ok(r.status, JSON.stringify(m).slice(0, 120));
        assert.doesNotMatch(text, /\n\s+at |at .*\.ts:\d+/, "no stack trace");
      }),
      RUNS,
    );
    await stillServing(s);
  });

  it("garbage in the MCP headers: no 5xx", async () => {
    const names = [
      "mcp-protocol-version",
      "mcp-session-id",
      "mcp-method",
      "mcp-name",
      "accept",
      "content-type",
      "origin",
      "authorization",
      "last-event-id",
      "host",
    ];
    await fc.assert(
      fc.asyncProperty(fc.dictionary(fc.constantFrom(...names), headerText, { maxKeys: 5 }), jsonish, async (headers, body) => {
        const r = await post(JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list", params: body }), headers);
        await r.body?.cancel();
        ok(r.status, JSON.stringify(headers));
        const g = await s.fetch(req("/mcp", { method: "GET", headers }));
        await g.body?.cancel();
        ok(g.status, `GET ${JSON.stringify(headers)}`);
      }),
      RUNS,
    );
    await stillServing(s);
  });
});

describe("hostile input: the OAuth endpoints", () => {
  let s: Setup;
  let clientId: string;
  before(async () => {
    s = await setup();
    clientId = (await register(s.server)).client_id;
  });
  after(() => s.close());

  const field = fc.oneof(
    anyText,
    fc.constant(""),
    fc.constantFrom("authorization_code", "refresh_token", "client_credentials", "none", "S256", "plain"),
  );

  it("/token with arbitrary fields and bodies: a 4xx with an OAuth error, never 200 or 5xx", async () => {
    const fields = fc.dictionary(
      fc.constantFrom(
        "grant_type",
        "code",
        "code_verifier",
        "redirect_uri",
        "client_id",
        "client_secret",
        "refresh_token",
        "resource",
        "scope",
        "extra",
      ),
      field,
      { maxKeys: 8 },
    );
    await fc.assert(
      fc.asyncProperty(fields, fc.boolean(), async (f, asJson) => {
        const r = asJson
          ? await s.server.fetch(
            req("/token", { method: "POST", body: JSON.stringify(f), headers: { "content-type": "application/json" } }),
          )
          : await s.server.fetch(form("/token", f));
        const body = await r.json().catch(() => ({}));
        assert.ok(r.status === 400 || r.status === 401 || (asJson && r.status === 415), `${r.status} for ${JSON.stringify(f)}`);
        assert.equal(typeof body.error, "string");
      }),
      RUNS,
    );
    await stillServing(s.server);
  });

  it("/register with arbitrary client metadata: 201 only for safe redirect URIs it was given, else 400; never 5xx", async () => {
    const uri = fc.oneof(
      fc.webUrl(),
      fc.constantFrom(
        "javascript:alert(1)",
        "data:text/html,x",
        "http://evil.example/cb",
        "cursor://anysphere.cursor-mcp/oauth/callback",
        CLIENT_REDIRECT,
        "http://127.0.0.1/cb#frag",
        "file:///etc/passwd",
      ),
      anyText,
    );
    const metadata = fc.record({
      client_name: fc.oneof(anyText, jsonish),
      redirect_uris: fc.oneof(fc.array(uri, { maxLength: 4 }), jsonish),
      token_endpoint_auth_method: fc.oneof(
        fc.constantFrom("none", "client_secret_post", "client_secret_basic", "private_key_jwt"),
        jsonish,
      ),
      grant_types: fc.oneof(fc.array(field, { maxLength: 3 }), jsonish),
      response_types: fc.oneof(fc.constant(["code"]), jsonish),
      application_type: fc.oneof(fc.constantFrom("native", "web"), jsonish),
      scope: fc.oneof(anyText, jsonish),
      client_uri: fc.oneof(uri, jsonish),
      logo_uri: fc.oneof(uri, jsonish),
    }, { requiredKeys: [] });
    await fc.assert(
      fc.asyncProperty(fc.oneof(metadata, jsonish), async (m) => {
        const r = await s.server.fetch(
          req("/register", { method: "POST", body: JSON.stringify(m), headers: { "content-type": "application/json" } }),
        );
        const body = await r.json().catch(() => ({}));
        assert.ok(r.status === 201 || r.status === 400, `${r.status} for ${JSON.stringify(m).slice(0, 200)}`);
        if (r.status === 201) {
          const given = (m as { redirect_uris?: unknown }).redirect_uris as string[];
          for (const u of body.redirect_uris as string[]) {
            assert.ok(given.includes(u), `registered only what was given: ${u}`);
            assert.doesNotMatch(u, /^(javascript|data|file|vbscript):/i);
            assert.ok(!u.includes("#"), "no fragment");
          }
        }
      }),
      RUNS,
    );
    await stillServing(s.server);
  });

  it("/authorize with arbitrary parameters: a consent page only for a known client and its exact redirect URI; never a redirect elsewhere, never 5xx", async () => {
    const params = fc.record({
      response_type: fc.oneof(fc.constant("code"), field),
      client_id: fc.oneof(fc.constant("KNOWN"), anyText, fc.webUrl()),
      redirect_uri: fc.oneof(fc.constant(CLIENT_REDIRECT), fc.constant(`${CLIENT_REDIRECT}/x`), fc.webUrl(), anyText),
      code_challenge: fc.oneof(fc.constant("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"), anyText),
      code_challenge_method: fc.oneof(fc.constant("S256"), field),
      state: anyText,
      resource: fc.oneof(fc.constant(RESOURCE), fc.webUrl(), anyText),
      scope: anyText,
    }, { requiredKeys: [] });
    await fc.assert(
      fc.asyncProperty(params, async (p) => {
        const q = new URLSearchParams(Object.entries(p).map(([k, v]) => [k, v === "KNOWN" ? clientId : v]) as [string, string][]);
        const r = await s.server.fetch(req(`/authorize?${q}`));
        await r.body?.cancel();
        ok(r.status, q.toString());
        if (r.status >= 300 && r.status < 400) {
          // Errors go back to the client only at its exact registered redirect URI (RFC 6749 §4.1.2.1).
          const to = new URL(r.headers.get("location")!);
          assert.equal(`${to.origin}${to.pathname}`, CLIENT_REDIRECT, `redirected to ${to}`);
          assert.equal(p.client_id, "KNOWN");
        }
        if (r.status === 200) {
          assert.equal(p.client_id, "KNOWN");
          // Omitted is allowed only because this client registered exactly one (OAuth 2.1 §4.1.1): that one.
          if (p.redirect_uri !== undefined) assert.equal(p.redirect_uri, CLIENT_REDIRECT);
        }
      }),
      RUNS,
    );
    await stillServing(s.server);
  });

  it("a code is redeemed at most once, whatever sequence of right and wrong redemptions reaches it", async () => {
    const attempt = fc.record({
      verifier: fc.boolean(),
      redirect: fc.boolean(),
      client: fc.boolean(),
      resource: fc.constantFrom("right", "wrong", "absent"),
    });
    await fc.assert(
      fc.asyncProperty(fc.array(attempt, { minLength: 1, maxLength: 5 }), async (attempts) => {
        const { params, verifier } = await login(s, { clientId });
        const code = params.get("code")!;
        let wins = 0;
        for (const a of attempts) {
          const r = await token(s.server, {
            grant_type: "authorization_code",
            code,
            code_verifier: a.verifier ? verifier : `${verifier}x`,
            redirect_uri: a.redirect ? CLIENT_REDIRECT : `${CLIENT_REDIRECT}2`,
            client_id: a.client ? clientId : "someone-else",
            ...(a.resource === "absent" ? {} : { resource: a.resource === "right" ? RESOURCE : "http://localhost:8000/other" }),
          });
          const valid = a.verifier && a.redirect && a.client && a.resource !== "wrong";
          if (r.status === 200) {
            wins++;
            assert.ok(valid, "only a fully valid redemption succeeds");
          } else assert.ok(r.status === 400 || r.status === 401, String(r.status));
        }
        assert.ok(wins <= 1, `${wins} redemptions of one code succeeded`);
      }),
      { ...RUNS, numRuns: 12 },
    );
  });

  it("refresh never widens scope and never changes audience", async () => {
    const t = await fullLogin(s, clientId, { scope: "mcp:tools" });
    let refreshToken = t.refresh_token;
    const scope = fc.oneof(fc.constantFrom("mcp:tools", "", "mcp:tools admin", "admin", "openid", "mcp:tools mcp:tools"), anyText);
    const resource = fc.oneof(fc.constant(undefined), fc.constant(RESOURCE), fc.webUrl(), fc.constant(`${PUBLIC}/other`));
    await fc.assert(
      fc.asyncProperty(scope, resource, async (sc, res) => {
        const r = await token(s.server, {
          grant_type: "refresh_token",
          refresh_token: refreshToken,
          client_id: clientId,
          ...(sc !== "" ? { scope: sc } : {}),
          ...(res ? { resource: res } : {}),
        });
        ok(r.status, `${sc} ${res}`);
        if (r.status === 200) {
          refreshToken = r.body.refresh_token;
          const granted = String(r.body.scope ?? "").split(" ").filter(Boolean);
          for (const g of granted) assert.ok(g === "mcp:tools", `scope widened to ${g}`);
          assert.ok(res === undefined || res === RESOURCE, `accepted resource ${res}`);
          assert.equal((await callTool(s.server, r.body.access_token, "whoami")).status, 200);
        } else {
          assert.equal(r.status, 400);
          assert.match(r.body.error, /^(invalid_scope|invalid_target|invalid_grant|invalid_request)$/);
        }
      }),
      { ...RUNS, numRuns: 25 },
    );
  });
});

describe("hostile input: client metadata documents", () => {
  const CLIENT_URL = "https://app.example.com/oauth/client.json";
  let s: Setup;
  let doc: () => Response = () => new Response("", { status: 404 });
  before(async () => {
    s = await setup({
      oauth: {
        clientMetadata: {
          resolve: () => Promise.resolve(["93.184.216.34"]),
          fetch: () => Promise.resolve(doc()),
        },
      },
    });
  });
  after(() => s.close());

  it("any document (JSON or not, any fields, any size up to 64 KiB): a consent page only when it is valid for this client_id, never 5xx", async () => {
    const document = fc.oneof(
      fc.record({
        client_id: fc.oneof(fc.constant(CLIENT_URL), fc.webUrl(), jsonish),
        client_name: fc.oneof(anyText, jsonish),
        redirect_uris: fc.oneof(fc.constant([CLIENT_REDIRECT]), fc.array(fc.oneof(fc.webUrl(), anyText), { maxLength: 3 }), jsonish),
        token_endpoint_auth_method: fc.oneof(fc.constant("none"), jsonish),
      }, { requiredKeys: [] }).map((d) => JSON.stringify(d)),
      jsonish.map((v) => JSON.stringify(v)),
      anyText,
      fc.integer({ min: 1, max: 64 }).map((k) => `{"client_name":"${"x".repeat(k * 1024)}"}`),
    );
    const status = fc.constantFrom(200, 200, 200, 301, 404, 500);
    const type = fc.constantFrom("application/json", "text/html", "");
    await fc.assert(
      fc.asyncProperty(document, status, type, async (body, code, contentType) => {
        // no-store: each run's document is judged on its own, not a valid one cached by an earlier run.
        const headers: Record<string, string> = { "cache-control": "no-store", ...(code === 301 && { location: "https://evil.example/" }) };
        if (contentType) headers["content-type"] = contentType;
        doc = () => new Response(code === 301 ? null : body, { status: code, headers });
        const r = await s.server.fetch(req(`/authorize?${(await authorizeQuery({ clientId: CLIENT_URL })).query}`));
        const html = await r.text();
        ok(r.status, body.slice(0, 100));
        if (r.status === 200) {
          const parsed = JSON.parse(body);
          assert.equal(parsed.client_id, CLIENT_URL);
          assert.ok(Array.isArray(parsed.redirect_uris) && parsed.redirect_uris.includes(CLIENT_REDIRECT));
          assert.match(html, /consent_id/);
        }
      }),
      RUNS,
    );
    // A valid document does open the consent page, so the property above is not vacuous.
    doc = () =>
      Response.json({ client_id: CLIENT_URL, client_name: "Fine", redirect_uris: [CLIENT_REDIRECT], token_endpoint_auth_method: "none" });
    const fine = await s.server.fetch(req(`/authorize?${(await authorizeQuery({ clientId: CLIENT_URL })).query}`));
    await fine.body?.cancel();
    assert.equal(fine.status, 200);
  });
});

describe("hostile input: JWTs", () => {
  const issuer = "https://issuer.example";
  const resource = "http://localhost:8000/mcp";
  let key: TestKey;
  let s: GatehouseServer;
  before(async () => {
    key = await makeKey("ES256", "k1");
    const strategy = jwt(
      {
        issuer,
        resource,
        jwksUri: `${issuer}/jwks`,
        fetch: (() => Promise.resolve(Response.json({ keys: [key.jwk] }))) as unknown as typeof fetch,
      } as never,
    );
    s = createServer({ name: "t", version: "1", auth: strategy, publicUrl: "http://localhost:8000" });
  });
  const call = async (bearerToken: string) => {
    const r = await s.fetch(
      new Request(resource, {
        method: "POST",
        headers: {
          authorization: `Bearer ${bearerToken}`,
          "content-type": "application/json",
          accept: "application/json, text/event-stream",
          host: "localhost:8000",
        },
        body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list" }),
      }),
    );
    await r.body?.cancel();
    return r.status;
  };
  const b64 = (v: unknown) =>
    btoa(typeof v === "string" ? v : JSON.stringify(v)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");

  it("random strings and structurally plausible garbage: 401 (400 if malformed), never 200 or 5xx", async () => {
    const garbage = fc.oneof(
      headerText,
      fc.tuple(jsonish, jsonish, headerText).map(([h, p, sig]) => `${b64(h)}.${b64(p)}.${sig}`),
      fc.tuple(fc.constantFrom("none", "HS256", "RS256", "ES256", "EdDSA", "", "nOnE"), jsonish).map(([alg, p]) =>
        `${b64({ alg, kid: "k1" })}.${b64(p)}.`
      ),
    );
    await fc.assert(
      fc.asyncProperty(garbage, async (t) => {
        const status = await call(t.replace(/[^\x21-\x7e]/g, ""));
        assert.ok(status === 401 || status === 400, `${status} for ${t.slice(0, 100)}`);
      }),
      RUNS,
    );
  });

  it("validly signed tokens with generated claims: accepted only with our issuer, our audience and a live time window", async () => {
    const now = Math.floor(Date.now() / 1000);
    const claims = fc.record({
      iss: fc.oneof(fc.constant(issuer), fc.constant(`${issuer}/`), fc.webUrl(), jsonish),
      aud: fc.oneof(
        fc.constant(resource),
        fc.constant([resource, "other"]),
        fc.constant(`${resource}/`),
        fc.constant("http://localhost:8000"),
        fc.webUrl(),
        jsonish,
      ),
      exp: fc.oneof(fc.constant(now + 600), fc.constant(now - 600), fc.integer(), jsonish),
      nbf: fc.oneof(fc.constant(undefined), fc.constant(now - 10), fc.constant(now + 3600), jsonish),
      sub: fc.oneof(fc.constant("u"), jsonish),
    });
    await fc.assert(
      fc.asyncProperty(claims, async (c) => {
        const payload = Object.fromEntries(Object.entries(c).filter(([, v]) => v !== undefined));
        const status = await call(await sign(key, payload));
        assert.ok(status === 200 || status === 401 || status === 403, String(status));
        if (status === 200) {
          assert.equal(c.iss, issuer);
          assert.ok(c.aud === resource || (Array.isArray(c.aud) && c.aud.includes(resource)), `audience ${JSON.stringify(c.aud)} accepted`);
          assert.ok(typeof c.exp === "number" && c.exp > now, `exp ${c.exp} accepted`);
          assert.ok(c.nbf === undefined || (typeof c.nbf === "number" && c.nbf <= now + 60), `nbf ${c.nbf} accepted`);
        }
      }),
      { ...RUNS, numRuns: 60 },
    );
    // The setup does accept a good token, so the property above is not vacuous.
    assert.equal(await call(await sign(key, { iss: issuer, aud: resource, sub: "u", exp: now + 600 })), 200);
  });
});
