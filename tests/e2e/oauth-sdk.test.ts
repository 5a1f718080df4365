/**
 * @module End to end, over real sockets: the official MCP SDK clients' OAuth support against the REAL server (`src/main.ts`, AUTH_STRATEGY=oauth, configured only through its environment) under Bun and Deno, logging in at the stand-in OpenID provider (tests/oauth/fake-idp.ts) on loopback.
 *
 * The SDK does discovery (401 → RFC 9728 → RFC 8414), dynamic registration (RFC 7591), PKCE and the
 * token exchange; the browser leg (consent page, CSRF field, approve, the IdP, our provider
 * callback) is played with fetch and a cookie jar (oauth-helpers/browser-fetch.ts). Then: the
 * demo `whoami` tool, refresh through the SDK and at the token endpoint (rotation, the grace
 * window, family revocation on replay), code replay, revocation (RFC 7009).
 *
 * v1: `@modelcontextprotocol/sdk` 1.32 (protocol 2025-11-25). v2: `@modelcontextprotocol/client` 2.4
 * pinned to 2026-07-28.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { Client as ClientV1 } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport as TransportV1 } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { UnauthorizedError as UnauthorizedErrorV1 } from "@modelcontextprotocol/sdk/client/auth.js";
import { Client as ClientV2, StreamableHTTPClientTransport as TransportV2 } from "@modelcontextprotocol/client";
import { type OAuthStack, SERVER_RUNTIMES, startStack, within } from "./oauth-helpers/stack.ts";
import { approveInBrowser } from "./oauth-helpers/browser-fetch.ts";
import { type RecordedProvider, recordedProvider } from "./oauth-helpers/client-provider.ts";
import { type Exchange, recordingFetch } from "./oauth-helpers/wire.ts";

const STEP = 20_000;
const TEST = { timeout: 30_000 };
const MODERN = "2026-07-28";
/** The MCP client's loopback redirect URI (RFC 8252 §7.3); nothing needs to listen there: the test reads the redirect. */
const CALLBACK = "http://127.0.0.1:45871/callback";
/** The fake IdP's user. */
const SUBJECT = "user-1234";

/** The parsed JSON the demo `whoami` tool returns (structured content, or its text). */
function whoamiOf(
  result: any,
): { strategy: string; subject: string | null; scopes: string[]; outboundHeaders: string[]; protocolVersion: string } {
  if (result?.structuredContent) return result.structuredContent;
  const first = result?.content?.[0];
  assert.equal(first?.type, "text", `whoami result: ${JSON.stringify(result)}`);
  return JSON.parse(first.text);
}

/** POST /token with a form body, as a public client would. */
async function tokenRequest(origin: string, fields: Record<string, string>) {
  const response = await fetch(`${origin}/token`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", accept: "application/json" },
    body: new URLSearchParams(fields).toString(),
    signal: AbortSignal.timeout(10_000),
  });
  const body = await response.json();
  return { status: response.status, body, headers: response.headers };
}

/** A bare 2025-11-25 initialize with a bearer token: the resource server's verdict on that token. */
async function probeToken(mcpUrl: URL, accessToken: string): Promise<{ status: number; challenge: string | null }> {
  const response = await fetch(mcpUrl, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      accept: "application/json, text/event-stream",
      authorization: `Bearer ${accessToken}`,
    },
    body: JSON.stringify({
      jsonrpc: "2.0",
      id: 1,
      method: "initialize",
      params: { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "probe", version: "0" } },
    }),
    signal: AbortSignal.timeout(10_000),
  });
  await response.body?.cancel();
  return { status: response.status, challenge: response.headers.get("www-authenticate") };
}

/** What the SDK's discovery put on the wire, in order, as "METHOD path status". */
function trail(exchanges: Exchange[]): string[] {
  return exchanges.map((e) => `${e.httpMethod} ${new URL(e.url).pathname} ${e.status}`);
}

function assertAuthorizationUrl(stack: OAuthStack, provider: RecordedProvider, url: URL) {
  assert.equal(url.origin + url.pathname, `${stack.origin}/authorize`);
  const q = url.searchParams;
  assert.equal(q.get("response_type"), "code");
  assert.equal(q.get("client_id"), provider.client?.client_id);
  assert.equal(q.get("redirect_uri"), CALLBACK);
  assert.equal(q.get("code_challenge_method"), "S256");
  assert.match(q.get("code_challenge") ?? "", /^[A-Za-z0-9_-]{43}$/);
  assert.equal(q.get("resource"), stack.mcpUrl.href, "RFC 8707 resource names the MCP endpoint");
  assert.equal(q.get("state"), provider.lastState);
}

function assertClientRedirect(stack: OAuthStack, provider: RecordedProvider, back: URL) {
  assert.equal(back.origin + back.pathname, CALLBACK, "the browser ends at the client's redirect URI");
  assert.equal(back.searchParams.get("iss"), stack.origin, "RFC 9207 iss");
  assert.equal(back.searchParams.get("state"), provider.lastState, "state echoed");
  assert.equal(back.searchParams.get("error"), null, back.href);
  assert.match(back.searchParams.get("code") ?? "", /^[A-Za-z0-9_-]{20,}$/);
}

function assertTokenSet(tokens: any) {
  assert.ok(tokens, "tokens saved");
  assert.match(tokens.access_token, /^[A-Za-z0-9_-]{40,}$/, "opaque access token");
  assert.match(tokens.refresh_token, /^[A-Za-z0-9_-]{40,}$/, "opaque refresh token");
  assert.equal(String(tokens.token_type).toLowerCase(), "bearer");
  assert.ok(tokens.expires_in > 0 && tokens.expires_in <= 86_400, `expires_in ${tokens.expires_in}`);
  assert.ok(!tokens.access_token.startsWith("idp-"), "the provider's own token is never handed to the MCP client");
}

for (const runtime of SERVER_RUNTIMES) {
  describe(`OAuth e2e: SDK v1 client (2025-11-25) → ${runtime} server → fake OpenID provider`, () => {
    let stack: OAuthStack;
    const provider = recordedProvider(CALLBACK, "Gatehouse E2E (SDK v1)");
    const wire = recordingFetch();
    let code = "";
    const clients: ClientV1[] = [];

    const connect = async () => {
      const client = new ClientV1({ name: "gatehouse-oauth-e2e-v1", version: "1.0.0" });
      clients.push(client);
      const transport = new TransportV1(stack.mcpUrl, { authProvider: provider as any, fetch: wire.fetch });
      await within(STEP, client.connect(transport, { timeout: STEP }), "connect");
      return { client, transport };
    };

    before(async () => {
      stack = await startStack(runtime);
    });
    after(async () => {
      for (const c of clients) await c.close().catch(() => {});
      await stack?.stop();
    });

    it("an unauthenticated connect: 401 → protected-resource and AS metadata → DCR → an /authorize URL", TEST, async () => {
      const client = new ClientV1({ name: "gatehouse-oauth-e2e-v1", version: "1.0.0" });
      clients.push(client);
      const transport = new TransportV1(stack.mcpUrl, { authProvider: provider as any, fetch: wire.fetch });
      await assert.rejects(within(STEP, client.connect(transport, { timeout: STEP }), "connect"), (e: any) => {
        assert.ok(e instanceof UnauthorizedErrorV1 || /unauthori[sz]ed/i.test(String(e?.message)), `expected UnauthorizedError, got ${e}`);
        return true;
      });
      const steps = trail(wire.exchanges);
      assert.equal(steps[0], "POST /mcp 401", steps.join("\n"));
      const challenge = wire.exchanges[0].responseHeaders["www-authenticate"] ?? "";
      assert.match(challenge, /^Bearer /);
      assert.ok(challenge.includes(`resource_metadata="${stack.origin}/.well-known/oauth-protected-resource/mcp"`), challenge);
      assert.ok(steps.includes("GET /.well-known/oauth-protected-resource/mcp 200"), steps.join("\n"));
      assert.ok(
        steps.some((s) => /^GET \/\.well-known\/(oauth-authorization-server|openid-configuration)\S* 200$/.test(s)),
        steps.join("\n"),
      );
      assert.ok(steps.includes("POST /register 201"), steps.join("\n"));
      assert.ok(provider.client?.client_id, "the client registered dynamically");
      assert.equal(provider.client.client_name, "Gatehouse E2E (SDK v1)");
      assert.deepEqual(provider.client.redirect_uris, [CALLBACK]);
      assert.equal(provider.authorizationUrls.length, 1);
      assertAuthorizationUrl(stack, provider, provider.authorizationUrls[0]);
    });

    it(
      "the browser leg (consent → approve → IdP → provider callback) ends at the client's redirect URI with code, state and iss",
      TEST,
      async () => {
        assert.ok(provider.authorizationUrls[0], "needs the previous step");
        const back = await approveInBrowser(provider.authorizationUrls[0]);
        assertClientRedirect(stack, provider, back);
        code = back.searchParams.get("code")!;
        const upstream = stack.idp.authorizeRequests.at(-1)!;
        assert.equal(upstream.get("client_id"), stack.idp.clientId);
        assert.equal(upstream.get("redirect_uri"), `${stack.origin}/oauth/provider-callback`);
        assert.equal(upstream.get("code_challenge_method"), "S256", "upstream PKCE (the IdP advertises S256)");
        assert.notEqual(upstream.get("state"), provider.lastState, "the upstream state is our own, not the client's");
      },
    );

    it("transport.finishAuth(code) redeems the code (PKCE) for an opaque token pair", TEST, async () => {
      assert.ok(code, "needs the previous step");
      const transport = new TransportV1(stack.mcpUrl, { authProvider: provider as any, fetch: wire.fetch });
      wire.clear();
      await within(STEP, transport.finishAuth(code), "finishAuth");
      assert.ok(trail(wire.exchanges).includes("POST /token 200"), trail(wire.exchanges).join("\n"));
      const sent = new URLSearchParams(wire.exchanges.find((e) => e.httpMethod === "POST" && e.url.endsWith("/token"))!.rawBody);
      assert.equal(sent.get("grant_type"), "authorization_code");
      assert.equal(sent.get("resource"), stack.mcpUrl.href);
      assert.ok(sent.get("code_verifier"), "PKCE verifier sent");
      assertTokenSet(provider.current);
      assert.equal(provider.savedTokens.length, 1);
    });

    it("connects with the token and the demo whoami tool sees strategy oauth and the IdP's subject", TEST, async () => {
      assert.ok(provider.current, "needs the previous step");
      const { client } = await connect();
      const who = whoamiOf(await within(STEP, client.callTool({ name: "whoami", arguments: {} }), "whoami"));
      assert.equal(who.strategy, "oauth");
      assert.equal(who.subject, SUBJECT);
      assert.ok(
        who.outboundHeaders.map((h) => h.toLowerCase()).includes("authorization"),
        "the tool gets the provider's token as an outbound header",
      );
      assert.equal(who.protocolVersion, "2025-11-25");
    });

    it("the same code cannot be redeemed twice, and the replay revokes what it issued", TEST, async () => {
      assert.ok(code && provider.current, "needs the previous steps");
      const before = await probeToken(stack.mcpUrl, provider.current.access_token);
      assert.equal(before.status, 200, "the access token works before the replay");
      const replay = await tokenRequest(stack.origin, {
        grant_type: "authorization_code",
        code,
        redirect_uri: CALLBACK,
        code_verifier: provider.verifier!,
        client_id: provider.client.client_id,
        resource: stack.mcpUrl.href,
      });
      assert.equal(replay.status, 400, JSON.stringify(replay.body));
      assert.equal(replay.body.error, "invalid_grant");
      assert.equal(replay.headers.get("cache-control"), "no-store");
      const afterReplay = await probeToken(stack.mcpUrl, provider.current.access_token);
      assert.equal(afterReplay.status, 401, "the replayed code revoked the access token it had issued");
      assert.match(afterReplay.challenge ?? "", /error="invalid_token"/);
      const refresh = await tokenRequest(stack.origin, {
        grant_type: "refresh_token",
        refresh_token: provider.current.refresh_token,
        client_id: provider.client.client_id,
      });
      assert.equal(refresh.status, 400, JSON.stringify(refresh.body));
      assert.equal(refresh.body.error, "invalid_grant", "and the refresh token");
    });

    it("after a revoked grant the SDK starts a new login; a second login completes and works", TEST, async () => {
      const client = new ClientV1({ name: "gatehouse-oauth-e2e-v1", version: "1.0.0" });
      clients.push(client);
      const transport = new TransportV1(stack.mcpUrl, { authProvider: provider as any, fetch: wire.fetch });
      const urls = provider.authorizationUrls.length;
      await assert.rejects(within(STEP, client.connect(transport, { timeout: STEP }), "connect"));
      assert.equal(provider.authorizationUrls.length, urls + 1, "the SDK asked for a new authorization");
      const url = provider.authorizationUrls.at(-1)!;
      assertAuthorizationUrl(stack, provider, url);
      const back = await approveInBrowser(url);
      assertClientRedirect(stack, provider, back);
      await within(STEP, transport.finishAuth(back.searchParams.get("code")!), "finishAuth");
      assertTokenSet(provider.current);
      const { client: c2 } = await connect();
      assert.equal(whoamiOf(await within(STEP, c2.callTool({ name: "whoami", arguments: {} }))).subject, SUBJECT);
    });

    it("an access token the server no longer accepts makes the SDK refresh (rotation) and retry", TEST, async () => {
      assert.ok(provider.current, "needs the previous step");
      const old = provider.current;
      provider.current = { ...old, access_token: "expired-access-token-0123456789abcdefghijklmnopqrstu" };
      const saved = provider.savedTokens.length;
      wire.clear();
      const { client } = await connect();
      const who = whoamiOf(await within(STEP, client.callTool({ name: "whoami", arguments: {} }), "whoami"));
      assert.equal(who.subject, SUBJECT);
      const steps = trail(wire.exchanges);
      assert.equal(steps.find((s) => s.startsWith("POST /mcp")), "POST /mcp 401", steps.join("\n"));
      assert.ok(steps.includes("POST /token 200"), steps.join("\n"));
      const sent = new URLSearchParams(wire.exchanges.find((e) => e.url.endsWith("/token"))!.rawBody);
      assert.equal(sent.get("grant_type"), "refresh_token");
      assert.equal(sent.get("refresh_token"), old.refresh_token);
      assert.equal(provider.savedTokens.length, saved + 1);
      assertTokenSet(provider.current);
      assert.notEqual(provider.current.refresh_token, old.refresh_token, "the refresh token rotated");
      assert.notEqual(provider.current.access_token, old.access_token);
      assert.equal((await probeToken(stack.mcpUrl, provider.current.access_token)).status, 200);
    });

    it("at the token endpoint: rotation, an identical retry within the grace window, then family revocation on a late replay", {
      timeout: 30_000,
    }, async () => {
      assert.ok(provider.current, "needs the previous step");
      const clientId = provider.client.client_id;
      const r0 = provider.current.refresh_token;
      const first = await tokenRequest(stack.origin, { grant_type: "refresh_token", refresh_token: r0, client_id: clientId });
      assert.equal(first.status, 200, JSON.stringify(first.body));
      assert.equal(first.headers.get("cache-control"), "no-store");
      assertTokenSet(first.body);
      assert.notEqual(first.body.refresh_token, r0);
      // A lost response, retried at once: the same successor (grace window), not a revocation.
      const retry = await tokenRequest(stack.origin, { grant_type: "refresh_token", refresh_token: r0, client_id: clientId });
      assert.equal(retry.status, 200, JSON.stringify(retry.body));
      assert.equal(retry.body.refresh_token, first.body.refresh_token, "the grace-window retry gets the same successor");
      assert.equal((await probeToken(stack.mcpUrl, first.body.access_token)).status, 200);
      // Past the grace window (10 s by default), the old token again: theft is assumed, the family is revoked.
      await new Promise((r) => setTimeout(r, 10_600));
      const late = await tokenRequest(stack.origin, { grant_type: "refresh_token", refresh_token: r0, client_id: clientId });
      assert.equal(late.status, 400, JSON.stringify(late.body));
      assert.equal(late.body.error, "invalid_grant");
      assert.equal((await probeToken(stack.mcpUrl, first.body.access_token)).status, 401, "the successor's access token is revoked too");
      const successor = await tokenRequest(stack.origin, {
        grant_type: "refresh_token",
        refresh_token: first.body.refresh_token,
        client_id: clientId,
      });
      assert.equal(successor.status, 400, "and the successor's refresh token");
      assert.equal(successor.body.error, "invalid_grant");
    });

    it("RFC 7009: a revoked refresh token is refused at the token endpoint and its access token at /mcp", TEST, async () => {
      const back = await (async () => {
        const client = new ClientV1({ name: "gatehouse-oauth-e2e-v1", version: "1.0.0" });
        clients.push(client);
        const transport = new TransportV1(stack.mcpUrl, { authProvider: provider as any, fetch: wire.fetch });
        provider.current = undefined;
        await assert.rejects(within(STEP, client.connect(transport, { timeout: STEP }), "connect"));
        const url = await approveInBrowser(provider.authorizationUrls.at(-1)!);
        await within(STEP, transport.finishAuth(url.searchParams.get("code")!), "finishAuth");
        return provider.current;
      })();
      assertTokenSet(back);
      assert.equal((await probeToken(stack.mcpUrl, back.access_token)).status, 200);
      const revoke = await fetch(`${stack.origin}/revoke`, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ token: back.refresh_token, token_type_hint: "refresh_token", client_id: provider.client.client_id })
          .toString(),
        signal: AbortSignal.timeout(10_000),
      });
      await revoke.body?.cancel();
      assert.equal(revoke.status, 200);
      const refused = await tokenRequest(stack.origin, {
        grant_type: "refresh_token",
        refresh_token: back.refresh_token,
        client_id: provider.client.client_id,
      });
      assert.equal(refused.body.error, "invalid_grant");
      assert.equal(
        (await probeToken(stack.mcpUrl, back.access_token)).status,
        401,
        "revoking the refresh token ends its grant's access tokens",
      );
    });
  });

  describe(`OAuth e2e: SDK v2 client pinned to ${MODERN} → ${runtime} server → fake OpenID provider`, () => {
    let stack: OAuthStack;
    const provider = recordedProvider(CALLBACK, "Gatehouse E2E (SDK v2)");
    const wire = recordingFetch();
    let callback: URL | undefined;
    const clients: ClientV2[] = [];
    const newClient = () => {
      const client = new ClientV2(
        { name: "gatehouse-oauth-e2e-v2", version: "2.0.0" },
        { versionNegotiation: { mode: { pin: MODERN } } } as any,
      );
      clients.push(client);
      return client;
    };
    const newTransport = () => new TransportV2(stack.mcpUrl, { authProvider: provider as any, fetch: wire.fetch });

    before(async () => {
      stack = await startStack(runtime);
    });
    after(async () => {
      for (const c of clients) await c.close().catch(() => {});
      await stack?.stop();
    });

    it("an unauthenticated connect: 401 → discovery → DCR → an /authorize URL", TEST, async () => {
      await assert.rejects(within(STEP, newClient().connect(newTransport(), { timeout: STEP }), "connect"), (e: any) => {
        assert.match(String(e?.name ?? "") + String(e?.message ?? ""), /unauthori[sz]ed|401|authorization/i, String(e));
        return true;
      });
      const steps = trail(wire.exchanges);
      assert.equal(steps.find((s) => s.startsWith("POST /mcp")), "POST /mcp 401", steps.join("\n"));
      assert.ok(steps.includes("GET /.well-known/oauth-protected-resource/mcp 200"), steps.join("\n"));
      assert.ok(steps.includes("POST /register 201"), steps.join("\n"));
      assert.equal(provider.authorizationUrls.length, 1);
      assertAuthorizationUrl(stack, provider, provider.authorizationUrls[0]);
    });

    it("the browser leg ends at the client's redirect URI with code, state and iss", TEST, async () => {
      assert.ok(provider.authorizationUrls[0], "needs the previous step");
      callback = await approveInBrowser(provider.authorizationUrls[0]);
      assertClientRedirect(stack, provider, callback);
    });

    it("finishAuth refuses a callback whose iss names another server (RFC 9207 mix-up defence)", TEST, async () => {
      assert.ok(callback, "needs the previous step");
      const forged = new URLSearchParams(callback.searchParams);
      forged.set("iss", "http://127.0.0.1:9/");
      await assert.rejects(within(STEP, newTransport().finishAuth(forged), "finishAuth"), (e: any) => {
        assert.match(`${e?.name} ${e?.message}`, /issuer|iss/i);
        return true;
      });
      assert.equal(provider.current, undefined, "no tokens saved");
    });

    it("finishAuth(callback params) validates iss and redeems the code", TEST, async () => {
      assert.ok(callback, "needs the previous step");
      await within(STEP, newTransport().finishAuth(callback.searchParams), "finishAuth");
      assertTokenSet(provider.current);
    });

    it(`connects in ${MODERN} and whoami sees strategy oauth and the IdP's subject`, TEST, async () => {
      assert.ok(provider.current, "needs the previous step");
      const client = newClient();
      await within(STEP, client.connect(newTransport(), { timeout: STEP }), "connect");
      assert.equal((client as any).getNegotiatedProtocolVersion?.(), MODERN);
      const who = whoamiOf(await within(STEP, client.callTool({ name: "whoami", arguments: {} }), "whoami"));
      assert.equal(who.strategy, "oauth");
      assert.equal(who.subject, SUBJECT);
      assert.equal(who.protocolVersion, MODERN);
    });

    it("an access token the server no longer accepts makes the SDK refresh (rotation) and retry", TEST, async () => {
      assert.ok(provider.current, "needs the previous step");
      const old = provider.current;
      provider.current = { ...old, access_token: "expired-access-token-0123456789abcdefghijklmnopqrstu" };
      wire.clear();
      const client = newClient();
      await within(STEP, client.connect(newTransport(), { timeout: STEP }), "connect");
      const who = whoamiOf(await within(STEP, client.callTool({ name: "whoami", arguments: {} }), "whoami"));
      assert.equal(who.subject, SUBJECT);
      const steps = trail(wire.exchanges);
      assert.ok(steps.includes("POST /token 200"), steps.join("\n"));
      const sent = new URLSearchParams(wire.exchanges.find((e) => e.url.endsWith("/token"))!.rawBody);
      assert.equal(sent.get("grant_type"), "refresh_token");
      assertTokenSet(provider.current);
      assert.notEqual(provider.current.refresh_token, old.refresh_token, "the refresh token rotated");
    });
  });
}
