/**
 * @module Bench entry: Gatehouse with the `jwt` strategy and ES256 access tokens, configured like the
 * `gatehouse` entry (`serverFromEnv` with the runner's environment: no rate limit, audit log to
 * stdout) with the strategy passed in. At start-up it makes an ES256 key pair with SubtleCrypto,
 * publishes the public key as a JWKS (served to the strategy through its `fetch` option, so the
 * strategy's real JWKS code fetches, parses and imports it; it is fetched once), and signs one access
 * token (RFC 9068: `iss`, `aud` = the resource, `sub`, `exp` in one hour, `scope`), which it hands to
 * the runner through `$BENCH_STATE_FILE` (see ../bench-env.ts).
 *
 * `JWT_BENCH_CACHE=off` turns the verified-token cache off (`cache: false`): every request verifies
 * the ES256 signature. Otherwise the default cache (10 000 tokens, 5 min): after the first request
 * the one token wrk repeats is a cache hit, the "warm cache" case.
 */
import { serverFromEnv } from "../../../src/app.ts";
import { demo } from "../../../src/demo.ts";
import { jwt } from "../../../src/mod.ts";
import { base64UrlEncode } from "../../../src/crypto/base64url.ts";
import { benchEnv, benchPublicUrl, writeBenchState } from "../bench-env.ts";

const env = benchEnv();
const publicUrl = benchPublicUrl(env);
const resource = `${publicUrl}/mcp`;
const issuer = "https://issuer.bench.invalid/";
const jwksUri = "https://issuer.bench.invalid/.well-known/jwks.json";
const cached = env.JWT_BENCH_CACHE !== "off";

const pair = await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, true, ["sign", "verify"]) as CryptoKeyPair;
const publicJwk = await crypto.subtle.exportKey("jwk", pair.publicKey);
const kid = "bench-es256";
const jwks = JSON.stringify({
  keys: [{ kty: publicJwk.kty, crv: publicJwk.crv, x: publicJwk.x, y: publicJwk.y, kid, alg: "ES256", use: "sig" }],
});

let jwksFetches = 0;
// (Typed without `typeof fetch`: this module's exported `fetch` below shadows the global one.)
const fetchJwks = (input: RequestInfo | URL): Promise<Response> => {
  const url = input instanceof Request ? input.url : String(input);
  if (url !== jwksUri) return Promise.resolve(new Response("not found", { status: 404 }));
  jwksFetches++;
  return Promise.resolve(new Response(jwks, { headers: { "content-type": "application/json", "cache-control": "max-age=3600" } }));
};

const text = new TextEncoder();
const part = (value: unknown) => base64UrlEncode(text.encode(JSON.stringify(value)));
const now = Math.floor(Date.now() / 1000);
const signingInput = `${part({ alg: "ES256", typ: "at+jwt", kid })}.${
  part({
    iss: issuer,
    aud: resource,
    sub: "bench-user",
    client_id: "bench-client",
    scope: "mcp:tools",
    iat: now,
    exp: now + 3600,
    jti: crypto.randomUUID(),
  })
}`;
// SubtleCrypto's ECDSA signature is r || s (IEEE P1363), which is exactly the JWS encoding (RFC 7518 §3.4).
const signature = new Uint8Array(await crypto.subtle.sign({ name: "ECDSA", hash: "SHA-256" }, pair.privateKey, text.encode(signingInput)));
const token = `${signingInput}.${base64UrlEncode(signature)}`;

const auth = jwt({
  issuer,
  jwksUri,
  resource,
  algorithms: ["ES256"],
  scopes: ["mcp:tools"],
  fetch: fetchJwks as typeof globalThis.fetch,
  ...(cached ? {} : { cache: false as const }),
});
const { server } = await serverFromEnv({ ...env, AUTH_STRATEGY: "none", PUBLIC_URL: publicUrl }, demo, { auth });

await writeBenchState({ headers: { authorization: `Bearer ${token}` }, cache: cached ? "default" : "off" }, env);
if (env.BENCH_DEBUG) setInterval(() => console.log(`bench: jwks fetches ${jwksFetches}`), 5000);

export const fetch = server.fetch;
