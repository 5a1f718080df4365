/**
 * @module Nothing lost: the real server (oauth strategy, persistent store) is killed with SIGKILL in the middle of a load and restarted on the same store and port; every client it registered, every token it handed out and every MCP session still works, and every revocation still holds. Rate-limit state survives a SIGKILL too.
 */
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type FakeIdp, startFakeIdp } from "../oauth/fake-idp.ts";
import { freePort, RUNTIME, type Server, startServer, storeSpec, within } from "./fixtures/servers.ts";
import { authorize, callWhoami, login, refresh, registerClient, revoke, tokenRequest, type Tokens } from "./fixtures/oauth-client.ts";

const SECRET = "reliability-secret-0123456789abcdef0123456789";
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe(`restart after SIGKILL (${RUNTIME}, ${RUNTIME === "bun" ? "sqlite" : "denokv"})`, () => {
  const cleanup: Array<() => Promise<void> | void> = [];
  after(async () => {
    for (const f of cleanup.reverse()) await f();
  });

  it("keeps every client, token, session and revocation issued before the kill", () =>
    within(
      55_000,
      (async () => {
        const dir = mkdtempSync(join(tmpdir(), "gatehouse-restart-"));
        cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
        const idp: FakeIdp = await startFakeIdp();
        cleanup.push(() => idp.close());
        const port = await freePort();
        const publicUrl = `http://localhost:${port}`;
        idp.redirectUri = `${publicUrl}/oauth/provider-callback`;
        const env = {
          AUTH_STRATEGY: "oauth",
          PUBLIC_URL: publicUrl,
          PROVIDER_ACCOUNTS_URL: idp.issuer,
          PROVIDER_CLIENT_ID: idp.clientId,
          PROVIDER_CLIENT_SECRET: idp.clientSecret,
          OAUTH_SCOPES: "openid email",
          RATE_LIMIT_RPS: "off",
          GATEHOUSE_SECRET: SECRET,
          STORE: storeSpec(dir),
        };
        let server: Server = await startServer(port, env);
        cleanup.push(() => server.stop());
        const base = server.origin;

        // Before the load: a client, five logins, one family revoked, one access token revoked, one rotation.
        const clientId = await registerClient(base);
        const families: Tokens[] = [];
        for (let i = 0; i < 5; i++) families.push(await login(base, publicUrl, clientId));
        await revoke(base, clientId, families[0].refresh_token, "refresh_token");
        await revoke(base, clientId, families[1].access_token, "access_token");
        const revokedAccess = [families[0].access_token, families[1].access_token];
        const revokedRefresh = [families[0].refresh_token];
        const rotated = await refresh(base, clientId, families[2].refresh_token);
        const stillValidAccess = [families[2].access_token, rotated.access_token]; // rotation does not end the old access token
        families[2] = rotated;

        // An MCP session.
        const init = await fetch(`${base}/mcp`, {
          method: "POST",
          headers: {
            "content-type": "application/json",
            accept: "application/json, text/event-stream",
            authorization: `Bearer ${families[3].access_token}`,
          },
          body: JSON.stringify({
            jsonrpc: "2.0",
            id: 1,
            method: "initialize",
            params: { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "t", version: "1" } },
          }),
        });
        await init.body?.cancel();
        assert.equal(init.status, 200);
        const session = init.headers.get("mcp-session-id")!;
        assert.ok(session);

        // The load: logins, registrations, refresh chains and tool calls, all at once; SIGKILL in the middle.
        const registered: string[] = [];
        const loggedIn: Array<{ clientId: string; tokens: Tokens }> = [];
        /** Per chain: the last pair the server answered with. */
        const chains = families.slice(3).map((tokens) => ({ tokens }));
        let stop = false;
        const swallow = (p: Promise<unknown>) => p.catch(() => {});
        const workers = [
          ...Array.from({ length: 3 }, async () => {
            while (!stop) await swallow(registerClient(base, "load").then((id) => void registered.push(id)));
          }),
          ...Array.from({ length: 3 }, async () => {
            while (!stop) await swallow(login(base, publicUrl, clientId).then((tokens) => void loggedIn.push({ clientId, tokens })));
          }),
          ...chains.map(async (chain) => {
            while (!stop) await swallow(refresh(base, clientId, chain.tokens.refresh_token).then((t) => void (chain.tokens = t)));
          }),
          ...Array.from({ length: 2 }, async () => {
            while (!stop) await swallow(callWhoami(base, families[3].access_token));
          }),
        ].map(swallow);
        await sleep(RUNTIME === "bun" ? 1500 : 2500);
        await server.kill();
        stop = true;
        await Promise.all(workers);
        assert.ok(registered.length > 0 && loggedIn.length > 0, `load ran (${registered.length} registrations, ${loggedIn.length} logins)`);

        server = await startServer(port, env);
        const again = server.origin;

        // Every token handed out still works; every revocation still holds.
        const access = [
          ...stillValidAccess,
          families[3].access_token,
          families[4].access_token,
          ...chains.map((c) => c.tokens.access_token),
          ...loggedIn.map((l) => l.tokens.access_token),
        ];
        const statuses = await Promise.all(access.map((t) => callWhoami(again, t)));
        assert.deepEqual(
          statuses.filter((s) => s !== 200),
          [],
          `${statuses.filter((s) => s !== 200).length} of ${access.length} access tokens lost`,
        );
        for (const t of revokedAccess) assert.equal(await callWhoami(again, t), 401, "a revoked access token stays revoked");
        for (const t of revokedRefresh) {
          assert.equal((await tokenRequest(again, { grant_type: "refresh_token", refresh_token: t, client_id: clientId })).status, 400);
        }
        // The family whose access token alone was revoked still refreshes.
        assert.equal(await callWhoami(again, (await refresh(again, clientId, families[1].refresh_token)).access_token), 200);
        // Every last refresh token still rotates (a rotation cut off by the kill is served its successor within the grace window).
        for (const chain of chains) {
          assert.equal(await callWhoami(again, (await refresh(again, clientId, chain.tokens.refresh_token)).access_token), 200);
        }
        for (const l of loggedIn.slice(0, 10)) {
          await refresh(again, l.clientId, l.tokens.refresh_token);
        }
        // Every client registered before the kill is still known (its consent page opens).
        for (const id of registered.slice(0, 20)) await authorize(again, publicUrl, id);
        // The MCP session survives.
        const listed = await fetch(`${again}/mcp`, {
          method: "POST",
          headers: {
            "content-type": "application/json",
            accept: "application/json, text/event-stream",
            authorization: `Bearer ${families[3].access_token}`,
            "mcp-session-id": session,
            "mcp-protocol-version": "2025-11-25",
          },
          body: JSON.stringify({ jsonrpc: "2.0", id: 2, method: "tools/list" }),
        });
        const text = await listed.text();
        assert.equal(listed.status, 200, text.slice(0, 300));
        assert.match(text, /whoami/);
      })(),
      "restart test",
    ));

  it("rate-limit state survives a SIGKILL", () =>
    within(
      40_000,
      (async () => {
        const dir = mkdtempSync(join(tmpdir(), "gatehouse-restart-rl-"));
        cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
        const port = await freePort();
        const token = "restart-rate-limit-token-0123456789";
        const env = { BEARER_TOKEN: token, RATE_LIMIT_RPS: "0.01", RATE_LIMIT_BURST: "3", STORE: storeSpec(dir) };
        let server = await startServer(port, env);
        cleanup.push(() => server.stop());
        const call = () => callWhoami(server.origin, token);
        assert.deepEqual([await call(), await call(), await call()], [200, 200, 200]);
        await server.kill();
        server = await startServer(port, env);
        assert.equal(await call(), 429, "the bucket emptied before the kill is still empty");
      })(),
      "rate-limit restart test",
    ));
});
