/** @module Test helpers for the oauth strategy: a Gatehouse server in front of the fake IdP, and a browser-like driver for register → authorize → consent → IdP → callback → token. */
import assert from "node:assert/strict";
import { createServer, defineTool, type GatehouseServer } from "../../src/mod.ts";
import { memoryStore } from "../../src/store/memory.ts";
import type { KV } from "../../src/store/kv.ts";
import { oauth, type OAuthOptions, type OAuthStrategy } from "../../src/oauth/strategy.ts";
import { sha256Base64Url } from "../../src/crypto/hash.ts";
import { randomToken } from "../../src/crypto/random.ts";
import { type FakeIdp, type FakeIdpOptions, startFakeIdp } from "./fake-idp.ts";

export const PUBLIC = "http://localhost:8000";
export const RESOURCE = `${PUBLIC}/mcp`;
export const CLIENT_REDIRECT = "http://127.0.0.1:33418/callback";

export interface Setup {
  idp: FakeIdp;
  server: GatehouseServer;
  strategy: OAuthStrategy;
  store: KV;
  close(): Promise<void>;
}

export const tools = [
  defineTool({ name: "upstream_token", handler: (_a, ctx) => ctx.providerToken ?? "none" }),
  defineTool({
    name: "whoami",
    requiresAuth: true,
    handler: (_a, ctx) => JSON.stringify({ auth: ctx.auth, headers: ctx.resolvedHeaders }),
  }),
];

/** Starts the fake IdP and a Gatehouse server using it. */
export async function setup(
  o: { idp?: FakeIdpOptions; oauth?: Partial<OAuthOptions>; store?: KV; publicUrl?: string } = {},
): Promise<Setup> {
  const idp = await startFakeIdp(o.idp);
  const publicUrl = o.publicUrl ?? PUBLIC;
  idp.redirectUri = `${publicUrl}/oauth/provider-callback`;
  const store = o.store ?? memoryStore();
  const strategy = oauth({
    issuer: publicUrl,
    store,
    provider: {
      accountsUrl: idp.issuer,
      clientId: idp.clientId,
      clientSecret: idp.clientSecret,
      scopes: ["openid", "email"],
      ...o.oauth?.provider,
    },
    scopes: ["mcp:tools"],
    ...o.oauth,
  });
  const server = createServer({ name: "oauth-test", version: "1.0.0", tools, auth: strategy, store, publicUrl });
  return { idp, server, strategy, store, close: () => idp.close() };
}

/** A request to Gatehouse as a browser or client would send it (Host always set). */
export function req(path: string, init: RequestInit & { headers?: Record<string, string> } = {}, base = PUBLIC): Request {
  return new Request(base + path, { ...init, headers: { host: new URL(base).host, ...init.headers } });
}

export function form(path: string, fields: Record<string, string>, headers: Record<string, string> = {}, base = PUBLIC): Request {
  return req(path, {
    method: "POST",
    body: new URLSearchParams(fields).toString(),
    headers: { "content-type": "application/x-www-form-urlencoded", ...headers },
  }, base);
}

/** Registers a public client (RFC 7591). */
export async function register(server: GatehouseServer, body: Record<string, unknown> = {}): Promise<Record<string, any>> {
  const r = await server.fetch(req("/register", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      client_name: "Test Client",
      redirect_uris: [CLIENT_REDIRECT],
      token_endpoint_auth_method: "none",
      grant_types: ["authorization_code", "refresh_token"],
      application_type: "native",
      ...body,
    }),
  }));
  assert.equal(r.status, 201, await r.clone().text());
  return await r.json();
}

export interface AuthorizeParams {
  clientId: string;
  redirectUri?: string;
  verifier?: string;
  state?: string;
  resource?: string;
  scope?: string;
  extra?: Record<string, string>;
}

export async function authorizeQuery(p: AuthorizeParams): Promise<{ query: string; verifier: string }> {
  const verifier = p.verifier ?? randomToken(32);
  const q = new URLSearchParams({
    response_type: "code",
    client_id: p.clientId,
    redirect_uri: p.redirectUri ?? CLIENT_REDIRECT,
    code_challenge: await sha256Base64Url(verifier),
    code_challenge_method: "S256",
    state: p.state ?? "client-state-xyz",
    resource: p.resource ?? RESOURCE,
    ...(p.scope !== undefined ? { scope: p.scope } : {}),
    ...p.extra,
  });
  return { query: q.toString(), verifier };
}

/** The consent page's form fields and cookie. */
export interface ConsentPage {
  response: Response;
  html: string;
  consentId: string;
  csrf: string;
  cookie: string;
}

export async function openConsent(server: GatehouseServer, query: string, cookie?: string): Promise<ConsentPage> {
  const response = await server.fetch(req(`/authorize?${query}`, { headers: cookie ? { cookie } : {} }));
  const html = await response.text();
  assert.equal(response.status, 200, html.slice(0, 500));
  const consentId = /name="consent_id" value="([^"]+)"/.exec(html)?.[1];
  const csrf = /name="csrf_token" value="([^"]+)"/.exec(html)?.[1];
  const setCookie = response.headers.get("set-cookie") ?? "";
  assert.ok(consentId && csrf, "consent form fields");
  return { response, html, consentId, csrf, cookie: setCookie.split(";")[0] };
}

/** POSTs the consent decision as the browser would (same-origin form post with the cookie). */
export function decide(server: GatehouseServer, page: ConsentPage, decision: "approve" | "deny", override: Record<string, string> = {}) {
  return server.fetch(form("/authorize", { consent_id: page.consentId, csrf_token: page.csrf, decision, ...override }, {
    cookie: page.cookie,
    origin: PUBLIC,
    "sec-fetch-site": "same-origin",
  }));
}

/** Follows the upstream redirect at the fake IdP (real socket) and returns the callback URL it sends the browser to. */
export async function visitIdp(location: string): Promise<URL> {
  const r = await fetch(location, { redirect: "manual" });
  await r.body?.cancel();
  assert.equal(r.status, 302, `IdP answered ${r.status}`);
  return new URL(r.headers.get("location")!);
}

/** Delivers the IdP's redirect to Gatehouse's callback with the browser cookie; returns the redirect to the client. */
export async function providerCallback(server: GatehouseServer, callback: URL, cookie: string): Promise<Response> {
  return await server.fetch(req(callback.pathname + callback.search, { headers: { cookie } }));
}

/** The whole browser leg: consent → approve → IdP → callback. Returns the client redirect's parameters. */
export async function login(s: Setup, p: AuthorizeParams): Promise<{ params: URLSearchParams; verifier: string; redirect: URL }> {
  const { query, verifier } = await authorizeQuery(p);
  const page = await openConsent(s.server, query);
  const approved = await decide(s.server, page, "approve");
  assert.equal(approved.status, 302, await approved.clone().text());
  const callback = await visitIdp(approved.headers.get("location")!);
  const done = await providerCallback(s.server, callback, page.cookie);
  assert.equal(done.status, 302, await done.clone().text());
  const redirect = new URL(done.headers.get("location")!);
  return { params: redirect.searchParams, verifier, redirect };
}

export async function token(server: GatehouseServer, fields: Record<string, string>, headers: Record<string, string> = {}) {
  const response = await server.fetch(form("/token", fields, headers));
  const body = await response.json();
  return { response, status: response.status, body };
}

/** Logs in and redeems the code: a ready access + refresh token pair. */
export async function fullLogin(s: Setup, clientId: string, extra: Partial<AuthorizeParams> = {}) {
  const { params, verifier } = await login(s, { clientId, ...extra });
  const t = await token(s.server, {
    grant_type: "authorization_code",
    code: params.get("code")!,
    redirect_uri: extra.redirectUri ?? CLIENT_REDIRECT,
    code_verifier: verifier,
    client_id: clientId,
    resource: RESOURCE,
  });
  assert.equal(t.status, 200, JSON.stringify(t.body));
  return { ...t.body, code: params.get("code")!, verifier } as {
    access_token: string;
    refresh_token: string;
    expires_in: number;
    code: string;
    verifier: string;
  };
}

/** A 2026-07-28 tools/call with a bearer token. */
export async function callTool(server: GatehouseServer, accessToken: string | undefined, name: string) {
  const body = {
    jsonrpc: "2.0",
    id: 1,
    method: "tools/call",
    params: {
      name,
      arguments: {},
      _meta: {
        "io.modelcontextprotocol/protocolVersion": "2026-07-28",
        "io.modelcontextprotocol/clientCapabilities": {},
        "io.modelcontextprotocol/clientInfo": { name: "t", version: "0" },
      },
    },
  };
  return await server.fetch(req("/mcp", {
    method: "POST",
    body: JSON.stringify(body),
    headers: {
      "content-type": "application/json",
      accept: "application/json, text/event-stream",
      "mcp-protocol-version": "2026-07-28",
      "mcp-method": "tools/call",
      "mcp-name": name,
      ...(accessToken ? { authorization: `Bearer ${accessToken}` } : {}),
    },
  }));
}

export async function toolText(server: GatehouseServer, accessToken: string, name: string): Promise<string> {
  const r = await callTool(server, accessToken, name);
  const text = await r.text();
  assert.equal(r.status, 200, text);
  return JSON.parse(text).result.content[0].text;
}
