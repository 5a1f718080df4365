/**
 * @module Bench entry: Gatehouse as the OAuth authorization server (`oauth()` in front of an upstream
 * provider), configured like the `gatehouse` entry (`serverFromEnv` with the runner's environment: no
 * rate limit, audit log to stdout) with the strategy and store passed in.
 *
 * `OAUTH_BENCH_STORE`: `memory` (default), `sqlite` (`sqlite:<path>`: bun:sqlite on Bun, node:sqlite
 * on Deno) or `denokv` (Deno only), with the file under `$OAUTH_BENCH_DIR` (default: a new temporary
 * directory).
 *
 * At start-up it logs one user in without the browser legs (consent page, upstream IdP) that MCP
 * requests and `/token` never see: it registers a public client at `/register` (RFC 7591, through
 * `server.fetch`), creates the grant the provider callback would create (`createGrant`, with provider
 * tokens that do not expire, so no upstream refresh ever runs), issues an authorization code for it
 * (`issueCode`, PKCE S256) and redeems that code at `/token` through `server.fetch`: the access token
 * the runner sends is a real one, from the real token endpoint, looked up per request like any other.
 *
 * `OAUTH_BENCH_CODES=n` also pre-issues n more authorization codes (one grant each, as n logins would
 * make) and writes one `/token` form body per line (code, PKCE verifier, client_id, redirect_uri,
 * resource) to `$BENCH_STATE_FILE.codes`, for the authorization-code exchange measurement.
 */
import { mkdtempSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { serverFromEnv } from "../../../src/app.ts";
import { demo } from "../../../src/demo.ts";
import { oauth, openStore } from "../../../src/mod.ts";
import { createGrant, issueCode } from "../../../src/oauth/grants.ts";
import { sha256Base64Url } from "../../../src/crypto/hash.ts";
import { randomToken } from "../../../src/crypto/random.ts";
import { benchEnv, benchPublicUrl, writeBenchState } from "../bench-env.ts";

const env = benchEnv();
const publicUrl = benchPublicUrl(env);
const resource = `${publicUrl}/mcp`;
const kind = env.OAUTH_BENCH_STORE ?? "memory";
if (kind !== "memory" && kind !== "sqlite" && kind !== "denokv") throw new Error("OAUTH_BENCH_STORE: expected memory, sqlite or denokv");
const dir = kind === "memory" ? "" : env.OAUTH_BENCH_DIR || mkdtempSync(join(tmpdir(), "gatehouse-bench-store-"));
const spec = kind === "memory" ? "memory" : kind === "denokv" ? `denokv:${join(dir, "store.kv")}` : `sqlite:${join(dir, "store.db")}`;
const store = await openStore(spec);

const auth = oauth({
  issuer: publicUrl,
  store,
  // Never contacted: MCP requests use the stored provider token, which does not expire.
  provider: { accountsUrl: "https://idp.bench.invalid", clientId: "bench-upstream-client", clientSecret: "bench-upstream-secret" },
  scopes: ["mcp:tools"],
  lifetimes: { codeMs: 600_000 },
});
const { server } = await serverFromEnv({ ...env, AUTH_STRATEGY: "none", PUBLIC_URL: publicUrl }, demo, { auth, store });
const s = auth.settings;
const host = new URL(publicUrl).host;
const redirectUri = "http://127.0.0.1:33418/callback";

const registered = await server.fetch(
  new Request(`${publicUrl}/register`, {
    method: "POST",
    headers: { host, "content-type": "application/json" },
    body: JSON.stringify({
      client_name: "Bench Client",
      redirect_uris: [redirectUri],
      token_endpoint_auth_method: "none",
      grant_types: ["authorization_code", "refresh_token"],
      application_type: "native",
    }),
  }),
);
if (registered.status !== 201) throw new Error(`bench: /register answered ${registered.status}: ${await registered.text()}`);
const clientId = (await registered.json() as { client_id: string }).client_id;

/** One login's worth: a grant and a code for it; returns the `/token` form body that redeems it. */
async function codeBody(n: number): Promise<string> {
  const { grant, secret } = await createGrant(s, {
    clientId,
    subject: `bench-user-${n}`,
    claims: { sub: `bench-user-${n}`, email: `user${n}@bench.invalid` },
    scopes: ["mcp:tools"],
    resource,
    tokens: { accessToken: `upstream-access-${n}-${randomToken(16)}` },
  });
  const verifier = randomToken(32);
  const code = await issueCode(s, grant, secret, { redirectUri, codeChallenge: await sha256Base64Url(verifier) });
  return new URLSearchParams({
    grant_type: "authorization_code",
    code,
    code_verifier: verifier,
    client_id: clientId,
    redirect_uri: redirectUri,
    resource,
  })
    .toString();
}

const exchanged = await server.fetch(
  new Request(`${publicUrl}/token`, {
    method: "POST",
    headers: { host, "content-type": "application/x-www-form-urlencoded" },
    body: await codeBody(0),
  }),
);
const tokens = await exchanged.json() as { access_token?: string };
if (exchanged.status !== 200 || !tokens.access_token) {
  throw new Error(`bench: /token answered ${exchanged.status}: ${JSON.stringify(tokens)}`);
}

const codes = Number(env.OAUTH_BENCH_CODES ?? "0");
if (codes > 0 && env.BENCH_STATE_FILE) {
  const t0 = performance.now();
  const bodies: string[] = [];
  for (let i = 1; i <= codes; i += 256) {
    bodies.push(...await Promise.all(Array.from({ length: Math.min(256, codes - i + 1) }, (_, j) => codeBody(i + j))));
  }
  await writeFile(`${env.BENCH_STATE_FILE}.codes`, bodies.join("\n") + "\n");
  console.log(`bench: ${codes} codes issued in ${(performance.now() - t0).toFixed(0)} ms`);
}

await writeBenchState(
  { headers: { authorization: `Bearer ${tokens.access_token}` }, store: spec.replace(/:.*/, ""), clientId, codes },
  env,
);

export const fetch = server.fetch;
