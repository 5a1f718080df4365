/**
 * @module Several real server processes behind one PUBLIC_URL sharing one persistent store (Bun: a SQLite file; Deno: a Deno KV file): a code redeemed at once through every process yields exactly one token, concurrent refreshes follow the rotation rules, and rate limits are shared.
 */
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type FakeIdp, startFakeIdp } from "../oauth/fake-idp.ts";
import { freePort, RUNTIME, type Server, startServer, storeSpec, within } from "./fixtures/servers.ts";
import { authorize, callWhoami, login, redeemFields, refreshFields, registerClient, tokenRequest } from "./fixtures/oauth-client.ts";

const SECRET = "shared-store-secret-0123456789abcdef0123456789";
const PROCESSES = 3;

describe(`${PROCESSES} ${RUNTIME} processes on one ${RUNTIME === "bun" ? "sqlite" : "denokv"} store`, () => {
  const cleanup: Array<() => Promise<void> | void> = [];
  after(async () => {
    for (const f of cleanup.reverse()) await f();
  });

  /** Starts PROCESSES servers on one store; the first one's address is everyone's PUBLIC_URL. */
  async function cluster(env: Record<string, string>, idp?: FakeIdp): Promise<{ servers: Server[]; publicUrl: string }> {
    const dir = mkdtempSync(join(tmpdir(), "gatehouse-shared-"));
    cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
    const ports = await Promise.all(Array.from({ length: PROCESSES }, freePort));
    const publicUrl = `http://localhost:${ports[0]}`;
    if (idp) idp.redirectUri = `${publicUrl}/oauth/provider-callback`;
    const full = {
      PUBLIC_URL: publicUrl,
      GATEHOUSE_SECRET: SECRET,
      STORE: storeSpec(dir),
      ...(idp
        ? {
          AUTH_STRATEGY: "oauth",
          PROVIDER_ACCOUNTS_URL: idp.issuer,
          PROVIDER_CLIENT_ID: idp.clientId,
          PROVIDER_CLIENT_SECRET: idp.clientSecret,
          OAUTH_SCOPES: "openid email",
        }
        : {}),
      ...env,
    };
    const servers = await Promise.all(ports.map((port) => startServer(port, full)));
    for (const s of servers) cleanup.push(() => s.stop());
    return { servers, publicUrl };
  }

  it("a code redeemed concurrently through every process yields exactly one token; the replay revokes it", () =>
    within(
      50_000,
      (async () => {
        const idp = await startFakeIdp();
        cleanup.push(() => idp.close());
        const { servers, publicUrl } = await cluster({ RATE_LIMIT_RPS: "off" }, idp);
        const clientId = await registerClient(servers[1].origin);
        for (let round = 0; round < 3; round++) {
          const a = await authorize(servers[round % PROCESSES].origin, publicUrl, clientId);
          const attempts = await Promise.all(
            Array.from(
              { length: PROCESSES * 3 },
              (_, i) => tokenRequest(servers[i % PROCESSES].origin, redeemFields(publicUrl, clientId, a)),
            ),
          );
          // Every attempt's answer, in the message of whichever assertion fails (a CI failure must say why).
          const seen = `round ${round}: ${
            attempts.map((r) => `${r.status} ${r.body.error ?? ""} ${r.body.error_description ?? ""}`.trim()).join(" | ")
          }`;
          const won = attempts.filter((r) => r.status === 200);
          assert.equal(won.length, 1, seen);
          for (const r of attempts.filter((r) => r.status !== 200)) {
            assert.equal(r.status, 400, seen);
            assert.equal(r.body.error, "invalid_grant", seen);
          }
          // RFC 6749 §10.5: the code was presented again, so what it issued is revoked, on every process.
          for (const s of servers) assert.equal(await callWhoami(s.origin, won[0].body.access_token), 401, `${seen}; whoami on :${s.port}`);
        }
      })(),
      "code race",
    ));

  it("concurrent refreshes of one token through every process get one successor; a later replay revokes the family everywhere", () =>
    within(
      50_000,
      (async () => {
        const idp = await startFakeIdp();
        cleanup.push(() => idp.close());
        const { servers, publicUrl } = await cluster({ RATE_LIMIT_RPS: "off" }, idp);
        const clientId = await registerClient(servers[0].origin);
        const first = await login(servers[0].origin, publicUrl, clientId);
        const attempts = await Promise.all(
          Array.from(
            { length: PROCESSES * 3 },
            (_, i) => tokenRequest(servers[i % PROCESSES].origin, refreshFields(clientId, first.refresh_token)),
          ),
        );
        const ok = attempts.filter((r) => r.status === 200);
        assert.ok(ok.length >= 1, attempts.map((r) => `${r.status} ${r.body.error ?? ""}`).join(","));
        // Every winner and every retry within the grace window gets the same successor: nobody is logged out.
        assert.equal(new Set(ok.map((r) => r.body.refresh_token)).size, 1, "one successor");
        assert.equal(ok.length, attempts.length, "concurrent retries inside the grace window all succeed");
        const successor = ok[0].body;
        for (const s of servers) assert.equal(await callWhoami(s.origin, successor.access_token), 200);
        // The successor is used (rotated once more) on another process...
        const next = await tokenRequest(servers[2].origin, refreshFields(clientId, successor.refresh_token));
        assert.equal(next.status, 200);
        // ...so the first token is now a replay: the whole family goes, on every process.
        const replay = await tokenRequest(servers[1].origin, refreshFields(clientId, first.refresh_token));
        assert.equal(replay.status, 400);
        assert.equal(replay.body.error, "invalid_grant");
        for (const s of servers) assert.equal(await callWhoami(s.origin, next.body.access_token), 401);
        assert.equal((await tokenRequest(servers[0].origin, refreshFields(clientId, next.body.refresh_token))).status, 400);
      })(),
      "refresh race",
    ));

  it("rate limits are shared: the bucket is one across all processes", () =>
    within(
      40_000,
      (async () => {
        const token = "shared-rate-limit-token-0123456789";
        const { servers } = await cluster({ BEARER_TOKEN: token, RATE_LIMIT_RPS: "0.01", RATE_LIMIT_BURST: "6" });
        const statuses = await Promise.all(Array.from({ length: 12 }, (_, i) => callWhoami(servers[i % PROCESSES].origin, token)));
        assert.equal(statuses.filter((s) => s === 200).length, 6, statuses.join(","));
        assert.equal(statuses.filter((s) => s === 429).length, 6, statuses.join(","));
        for (const s of servers) assert.equal(await callWhoami(s.origin, token), 429);
      })(),
      "shared rate limit",
    ));
});
