/**
 * @module Own-login mode (`oauthProvider({ authorize })`) over a real socket: an app that logs its users in itself (a /login page and a session cookie of its own) with Gatehouse as its OAuth 2.1 authorization server. Driven like a browser and an MCP client would with fetch and a cookie jar: DCR → /authorize → the app's login → back to /authorize → consent → code (+ state, iss) → /token (PKCE) → tools/call sees the app's subject and claims and no provider token → refresh rotation, replay, revocation. Then refusals, and proof that nothing goes upstream.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { createServer, defineTool } from "../../src/mod.ts";
import { memoryStore } from "../../src/store/memory.ts";
import type { KV } from "../../src/store/kv.ts";
import { type LoginContext, type LoginOutcome, oauthProvider } from "../../src/oauth/provider-mode.ts";
import { sha256Base64Url } from "../../src/crypto/hash.ts";
import { randomToken } from "../../src/crypto/random.ts";
import { CookieJar, location, navigate, openConsent, submitConsent } from "../e2e/oauth-helpers/browser-fetch.ts";
import { type Served, serveOnLoopback } from "./serve.ts";

const CALLBACK = "http://127.0.0.1:45999/callback";
const USER = { subject: "app-user-7", claims: { email: "dana@example.net", plan: "pro" } };

const tools = [
  defineTool({
    name: "whoami",
    requiresAuth: true,
    handler: (_a, ctx) => JSON.stringify({ auth: ctx.auth, providerToken: ctx.providerToken ?? null, headers: ctx.resolvedHeaders }),
  }),
];

/**
 * The app: `/login` (GET form, POST sets `app_session` and sends the browser back to `return_to`)
 * in front of Gatehouse. `authorize` reads the session cookie; no session → a redirect to /login.
 */
interface App {
  served: Served;
  store: KV;
  /** Every `authorize` call: its phase and what it answered. */
  calls: Array<{ phase: LoginContext["phase"]; returnTo: string; answered: string }>;
  /** Overrides `authorize`'s answer while set. */
  answer?: (request: Request, ctx: LoginContext) => LoginOutcome;
  /** Sessions: id → user. */
  sessions: Map<string, typeof USER>;
  /** Every URL fetched by anyone while the app ran, to prove nothing went upstream. */
  outbound: string[];
}

function sessionOf(request: Request, sessions: Map<string, typeof USER>) {
  const raw = request.headers.get("cookie") ?? "";
  const id = /(?:^|;\s*)app_session=([^;]+)/.exec(raw)?.[1];
  return id ? sessions.get(id) : undefined;
}

async function startApp(options: { scopes?: string[] } = {}): Promise<App> {
  const store = memoryStore();
  const sessions = new Map<string, typeof USER>();
  const app = { store, sessions, calls: [], outbound: [] } as unknown as App;
  app.served = await serveOnLoopback((origin) => {
    const auth = oauthProvider({
      issuer: origin,
      store,
      scopes: options.scopes ?? ["notes:read", "notes:write"],
      authorize(request, ctx) {
        const answer: LoginOutcome = app.answer ? app.answer(request, ctx) : (() => {
          const user = sessionOf(request, sessions);
          if (user) return user;
          return new Response(null, { status: 303, headers: { location: `/login?return_to=${encodeURIComponent(ctx.returnTo)}` } });
        })();
        app.calls.push({
          phase: ctx.phase,
          returnTo: ctx.returnTo,
          answered: answer instanceof Response ? `response ${answer.status}` : JSON.stringify(answer),
        });
        return answer;
      },
    });
    const server = createServer({ name: "own-login-app", version: "1.0.0", tools, auth, store, publicUrl: origin, rateLimit: false });
    return async (request, info) => {
      const url = new URL(request.url);
      if (url.pathname === "/login" && request.method === "GET") {
        return new Response(`<form method="post" action="/login?${url.searchParams}"><input name="user"><button>Sign in</button></form>`, {
          headers: { "content-type": "text/html" },
        });
      }
      if (url.pathname === "/login" && request.method === "POST") {
        const form = new URLSearchParams(await request.text());
        if (form.get("user") !== "dana") return new Response("wrong user", { status: 401 });
        const id = randomToken(32);
        sessions.set(id, USER);
        // The app only ever sends the browser back to its own authorization endpoint.
        const back = url.searchParams.get("return_to") ?? "";
        const safe = back.startsWith(`${origin}/authorize?`) ? back : "/";
        return new Response(null, {
          status: 303,
          headers: { location: safe, "set-cookie": `app_session=${id}; Path=/; HttpOnly; SameSite=Lax` },
        });
      }
      return await server.fetch(request, info);
    };
  });
  return app;
}

/** Records every fetch made in this process while `fn` runs (the test's own and any the server might make). */
async function recordingFetches<T>(into: string[], fn: () => Promise<T>): Promise<T> {
  const original = globalThis.fetch;
  globalThis.fetch = ((input: any, init?: any) => {
    into.push(input instanceof Request ? input.url : String(input));
    return original(input, init);
  }) as typeof fetch;
  try {
    return await fn();
  } finally {
    globalThis.fetch = original;
  }
}

async function registerClient(origin: string, name = "Own Login Client"): Promise<string> {
  const r = await fetch(`${origin}/register`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      client_name: name,
      redirect_uris: [CALLBACK],
      token_endpoint_auth_method: "none",
      grant_types: ["authorization_code", "refresh_token"],
    }),
  });
  const body = await r.json();
  assert.equal(r.status, 201, JSON.stringify(body));
  return body.client_id;
}

async function authorizeUrl(origin: string, clientId: string, o: { scope?: string; state?: string } = {}) {
  const verifier = randomToken(32);
  const q = new URLSearchParams({
    response_type: "code",
    client_id: clientId,
    redirect_uri: CALLBACK,
    code_challenge: await sha256Base64Url(verifier),
    code_challenge_method: "S256",
    state: o.state ?? "own-state",
    resource: `${origin}/mcp`,
    ...(o.scope ? { scope: o.scope } : {}),
  });
  return { url: new URL(`${origin}/authorize?${q}`), verifier };
}

async function tokenRequest(origin: string, fields: Record<string, string>) {
  const r = await fetch(`${origin}/token`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams(fields).toString(),
  });
  return { status: r.status, body: await r.json(), headers: r.headers };
}

async function whoami(origin: string, accessToken: string): Promise<{ status: number; body: any; challenge: string | null }> {
  const r = await fetch(`${origin}/mcp`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      accept: "application/json, text/event-stream",
      "mcp-protocol-version": "2026-07-28",
      "mcp-method": "tools/call",
      "mcp-name": "whoami",
      authorization: `Bearer ${accessToken}`,
    },
    body: JSON.stringify({
      jsonrpc: "2.0",
      id: 1,
      method: "tools/call",
      params: {
        name: "whoami",
        arguments: {},
        _meta: {
          "io.modelcontextprotocol/protocolVersion": "2026-07-28",
          "io.modelcontextprotocol/clientCapabilities": {},
          "io.modelcontextprotocol/clientInfo": { name: "t", version: "0" },
        },
      },
    }),
  });
  const text = await r.text();
  return {
    status: r.status,
    body: r.status === 200 ? JSON.parse(JSON.parse(text).result.content[0].text) : text,
    challenge: r.headers.get("www-authenticate"),
  };
}

/** Browser leg with the app's login in the middle: /authorize → /login → POST /login → /authorize → consent → approve. */
async function browserLogin(app: App, url: URL, jar = new CookieJar()): Promise<URL> {
  const origin = app.served.origin;
  const first = await navigate(url, jar, "none");
  await first.body?.cancel();
  assert.equal(first.status, 303, "no session yet: the app's authorize answers with its login page");
  const login = new URL(first.headers.get("location")!, origin);
  assert.equal(login.pathname, "/login");
  assert.equal(login.searchParams.get("return_to"), url.href, "returnTo is the authorization request at our issuer");
  const page = await navigate(login, jar, "same-origin");
  assert.equal(page.status, 200);
  await page.body?.cancel();
  const posted = await fetch(new URL(`/login?${login.searchParams}`, origin), {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: "user=dana",
  });
  jar.store(origin, posted);
  await posted.body?.cancel();
  assert.equal(posted.status, 303);
  assert.equal(posted.headers.get("location"), url.href, "the app sends the browser back to /authorize");
  const consent = await openConsent(posted.headers.get("location")!, jar);
  assert.ok(consent.html.includes("You are signed in as <strong>dana@example.net</strong>"), consent.html);
  const approved = await submitConsent(origin, consent, "approve", jar);
  const text = await approved.text();
  assert.equal(approved.status, 302, text.slice(0, 300));
  return location(approved);
}

describe("oauth own-login mode (oauthProvider): the complete flow over a real socket", () => {
  let app: App;
  before(async () => (app = await startApp()));
  after(() => app.served.close());

  it("DCR → /authorize → app login → consent → code → token → tools/call (subject, claims, no provider token) → rotation → replay → revoke, and nothing goes upstream", async () => {
    const origin = app.served.origin;
    await recordingFetches(app.outbound, async () => {
      const clientId = await registerClient(origin);
      const { url, verifier } = await authorizeUrl(origin, clientId, { scope: "notes:read", state: "s-own-1" });
      const back = await browserLogin(app, url);
      assert.equal(`${back.origin}${back.pathname}`, CALLBACK);
      assert.equal(back.searchParams.get("state"), "s-own-1");
      assert.equal(back.searchParams.get("iss"), origin, "RFC 9207 iss");
      const code = back.searchParams.get("code")!;
      assert.match(code, /^[A-Za-z0-9_-]{43}$/);
      assert.deepEqual(
        app.calls.map((c) => c.phase),
        ["authorize", "authorize", "consent"],
        "asked before login, after login, and on approval",
      );
      assert.ok(app.calls.every((c) => c.returnTo === url.href));

      // PKCE: a wrong verifier does not burn the code; the right one redeems it once.
      const wrong = await tokenRequest(origin, {
        grant_type: "authorization_code",
        code,
        redirect_uri: CALLBACK,
        code_verifier: randomToken(32),
        client_id: clientId,
      });
      assert.equal(wrong.body.error, "invalid_grant");
      const t = await tokenRequest(origin, {
        grant_type: "authorization_code",
        code,
        redirect_uri: CALLBACK,
        code_verifier: verifier,
        client_id: clientId,
        resource: `${origin}/mcp`,
      });
      assert.equal(t.status, 200, JSON.stringify(t.body));
      assert.equal(t.headers.get("cache-control"), "no-store");
      assert.equal(t.body.scope, "notes:read");
      assert.match(t.body.access_token, /^[A-Za-z0-9_-]{43}$/);

      const who = await whoami(origin, t.body.access_token);
      assert.equal(who.status, 200, String(who.body));
      assert.equal(who.body.auth.strategy, "oauth");
      assert.equal(who.body.auth.subject, USER.subject);
      assert.deepEqual(who.body.auth.claims, USER.claims);
      assert.deepEqual(who.body.auth.scopes, ["notes:read"]);
      assert.equal(who.body.auth.clientId, clientId);
      assert.equal(who.body.providerToken, null, "no upstream: no provider token");
      assert.deepEqual(who.body.headers, {}, "and no outbound Authorization header");

      // Rotation; the rotated-away token replayed after its successor was used revokes the family.
      const r1 = await tokenRequest(origin, { grant_type: "refresh_token", refresh_token: t.body.refresh_token, client_id: clientId });
      assert.equal(r1.status, 200, JSON.stringify(r1.body));
      assert.notEqual(r1.body.refresh_token, t.body.refresh_token);
      assert.equal((await whoami(origin, r1.body.access_token)).body.auth.subject, USER.subject);
      const r2 = await tokenRequest(origin, { grant_type: "refresh_token", refresh_token: r1.body.refresh_token, client_id: clientId });
      assert.equal(r2.status, 200);
      const replay = await tokenRequest(origin, { grant_type: "refresh_token", refresh_token: t.body.refresh_token, client_id: clientId });
      assert.equal(replay.body.error, "invalid_grant");
      const dead = await whoami(origin, r2.body.access_token);
      assert.equal(dead.status, 401);
      assert.match(dead.challenge!, /error="invalid_token"/);

      // The code again: single use (and the family is gone anyway).
      const again = await tokenRequest(origin, {
        grant_type: "authorization_code",
        code,
        redirect_uri: CALLBACK,
        code_verifier: verifier,
        client_id: clientId,
      });
      assert.equal(again.body.error, "invalid_grant");

      // A second login reuses the app's session (no login page), then RFC 7009 revocation ends it.
      const jar = new CookieJar();
      const { url: url2, verifier: v2 } = await authorizeUrl(origin, clientId);
      const sessionCookie = [...app.sessions.keys()][0];
      jar.store(origin, new Response(null, { headers: { "set-cookie": `app_session=${sessionCookie}; Path=/` } }));
      const consent = await openConsent(url2, jar);
      const approved = await submitConsent(origin, consent, "approve", jar);
      await approved.body?.cancel();
      const code2 = location(approved).searchParams.get("code")!;
      const t2 = await tokenRequest(origin, {
        grant_type: "authorization_code",
        code: code2,
        redirect_uri: CALLBACK,
        code_verifier: v2,
        client_id: clientId,
      });
      assert.equal(t2.status, 200);
      assert.equal(t2.body.scope, "notes:read notes:write", "no scope asked: everything offered");
      assert.equal((await whoami(origin, t2.body.access_token)).status, 200);
      const revoked = await fetch(`${origin}/revoke`, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ token: t2.body.refresh_token, client_id: clientId }).toString(),
      });
      assert.equal(revoked.status, 200);
      await revoked.body?.cancel();
      assert.equal((await whoami(origin, t2.body.access_token)).status, 401);
    });

    // Nothing went anywhere but this server; the store holds no upstream state and no provider tokens.
    const foreign = app.outbound.filter((u) => new URL(u).origin !== origin);
    assert.deepEqual(foreign, [], "no request left for an upstream");
    const entries = await app.store.list<any>(["oauth"]);
    assert.ok(entries.length > 0);
    assert.ok(!entries.some((e) => e.key[1] === "upstream-state"), "no upstream state was ever created");
    for (const e of entries.filter((e) => e.key[1] === "grant")) {
      assert.equal(e.value.provider, undefined, "grants carry no provider tokens");
    }
  });

  it("serves the same discovery metadata and no provider callback", async () => {
    const origin = app.served.origin;
    const meta = await (await fetch(`${origin}/.well-known/oauth-authorization-server`)).json();
    assert.equal(meta.issuer, origin);
    assert.equal(meta.authorization_endpoint, `${origin}/authorize`);
    assert.equal(meta.registration_endpoint, `${origin}/register`);
    assert.deepEqual(meta.code_challenge_methods_supported, ["S256"]);
    assert.deepEqual(meta.scopes_supported, ["notes:read", "notes:write"]);
    const prm = await (await fetch(`${origin}/.well-known/oauth-protected-resource/mcp`)).json();
    assert.deepEqual(prm.authorization_servers, [origin]);
    for (const path of ["/oauth/provider-callback", "/oauth/callback"]) {
      const r = await fetch(`${origin}${path}?state=x&code=y`, { redirect: "manual" });
      await r.body?.cancel();
      assert.equal(r.status, 404, path);
    }
  });
});

describe("oauth own-login mode: refusals", () => {
  let app: App;
  let clientId: string;
  before(async () => {
    app = await startApp();
    clientId = await registerClient(app.served.origin);
  });
  after(() => app.served.close());

  const redirectParams = async (r: Response) => {
    await r.body?.cancel();
    assert.equal(r.status, 302);
    const to = new URL(r.headers.get("location")!);
    assert.equal(`${to.origin}${to.pathname}`, CALLBACK);
    return to.searchParams;
  };

  it("authorize answering false sends access_denied (with state and iss) to the client: no consent page, no cookie, no code", async () => {
    app.answer = () => false;
    try {
      const { url } = await authorizeUrl(app.served.origin, clientId, { state: "refused-1" });
      const r = await fetch(url, { redirect: "manual" });
      assert.equal(r.headers.get("set-cookie"), null);
      const p = await redirectParams(r);
      assert.equal(p.get("error"), "access_denied");
      assert.equal(p.get("state"), "refused-1");
      assert.equal(p.get("iss"), app.served.origin);
      assert.equal(p.get("code"), null);
      assert.equal((await app.store.list(["oauth", "consent"])).length, 0, "no consent was stored");
    } finally {
      app.answer = undefined;
    }
  });

  it("authorize throwing or answering nonsense is server_error at the client, never a 500", async () => {
    for (
      const answer of [
        () => {
          throw new Error("db down: secret detail");
        },
        () => ({ subject: "" }),
        () => ({ subject: "a\nb" }),
        () => ({ subject: "x", claims: [] as any }),
        () => ({ subject: "x", claims: { big: "x".repeat(10_000) } }),
        () => "yes" as any,
      ]
    ) {
      app.answer = answer;
      const { url } = await authorizeUrl(app.served.origin, clientId);
      const r = await fetch(url, { redirect: "manual" });
      const p = await redirectParams(r);
      assert.equal(p.get("error"), "server_error");
      assert.ok(!(p.get("error_description") ?? "").includes("secret"), "nothing of the app's error leaks");
    }
    app.answer = undefined;
  });

  it("invalid requests are refused before the app is asked (unknown client: error page; bad PKCE: redirect)", async () => {
    const calls = app.calls.length;
    const unknown = await fetch(
      `${app.served.origin}/authorize?response_type=code&client_id=nope&redirect_uri=${encodeURIComponent(CALLBACK)}`,
      { redirect: "manual" },
    );
    await unknown.body?.cancel();
    assert.equal(unknown.status, 400);
    assert.equal(unknown.headers.get("location"), null);
    const { url } = await authorizeUrl(app.served.origin, clientId);
    url.searchParams.set("code_challenge_method", "plain");
    const p = await redirectParams(await fetch(url, { redirect: "manual" }));
    assert.equal(p.get("error"), "invalid_request");
    assert.equal(app.calls.length, calls, "authorize was not asked");
  });

  it("scopes the app returns narrow the grant; none of the requested ones allowed is access_denied", async () => {
    app.answer = () => ({ subject: "limited", scopes: ["notes:read"] });
    try {
      const jar = new CookieJar();
      const { url, verifier } = await authorizeUrl(app.served.origin, clientId, { scope: "notes:read notes:write" });
      const consent = await openConsent(url, jar);
      assert.ok(!consent.html.includes("notes:write"), "the consent page lists only what will be granted");
      const approved = await submitConsent(app.served.origin, consent, "approve", jar);
      const code = (await redirectParams(approved)).get("code")!;
      const t = await tokenRequest(app.served.origin, {
        grant_type: "authorization_code",
        code,
        redirect_uri: CALLBACK,
        code_verifier: verifier,
        client_id: clientId,
      });
      assert.equal(t.body.scope, "notes:read");
      const { url: onlyWrite } = await authorizeUrl(app.served.origin, clientId, { scope: "notes:write" });
      assert.equal((await redirectParams(await fetch(onlyWrite, { redirect: "manual" }))).get("error"), "access_denied");
    } finally {
      app.answer = undefined;
    }
  });

  it("approval counts only while the same user is signed in: logged out or switched account between consent and approval is refused", async () => {
    for (
      const later of [
        () => new Response(null, { status: 303, headers: { location: "/login" } }),
        () => ({ subject: "someone-else" }),
        () => false as const,
      ]
    ) {
      let phase = 0;
      app.answer = () => (phase++ === 0 ? { subject: "first-user" } : later());
      const jar = new CookieJar();
      const { url } = await authorizeUrl(app.served.origin, clientId);
      const consent = await openConsent(url, jar);
      const r = await submitConsent(app.served.origin, consent, "approve", jar);
      const text = await r.text();
      assert.equal(r.status, 403, text.slice(0, 200));
      assert.equal(r.headers.get("location"), null, "no code goes anywhere");
      assert.match(text, /no longer signed in/);
    }
    app.answer = undefined;
  });

  it("deny on the consent page is access_denied without asking the app again", async () => {
    app.answer = () => ({ subject: "u" });
    try {
      const jar = new CookieJar();
      const { url } = await authorizeUrl(app.served.origin, clientId, { state: "deny-own" });
      const consent = await openConsent(url, jar);
      const calls = app.calls.length;
      const p = await redirectParams(await submitConsent(app.served.origin, consent, "deny", jar));
      assert.equal(p.get("error"), "access_denied");
      assert.equal(p.get("state"), "deny-own");
      assert.equal(app.calls.length, calls);
    } finally {
      app.answer = undefined;
    }
  });
});

describe("oauthProvider options", () => {
  it("requires authorize and refuses an upstream provider", () => {
    const store = memoryStore();
    assert.throws(() => oauthProvider({ issuer: "http://localhost:8000", store } as any), /authorize/);
    assert.throws(
      () =>
        oauthProvider(
          { issuer: "http://localhost:8000", store, authorize: () => false, provider: { clientId: "a", clientSecret: "b" } } as any,
        ),
      /no upstream provider/,
    );
    assert.throws(() => oauthProvider({ issuer: "http://example.com", store, authorize: () => false }), /https/);
    const s = oauthProvider({ issuer: "http://localhost:8000", store, authorize: () => false });
    assert.equal(s.name, "oauth");
    assert.deepEqual(s.scopes, []);
  });
});
