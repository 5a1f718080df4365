/** @module Test fixtures for the jwt strategy: keys made with SubtleCrypto, a JWS signer, and a real issuer (discovery + JWKS) on 127.0.0.1 via node:http. */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { base64UrlEncode } from "../../src/crypto/base64url.ts";

const enc = new TextEncoder();
export const b64 = (value: unknown) => base64UrlEncode(enc.encode(typeof value === "string" ? value : JSON.stringify(value)));

type SignAlg = "RS256" | "RS384" | "RS512" | "PS256" | "ES256" | "ES384" | "EdDSA" | "HS256";

const GEN: Record<
  Exclude<SignAlg, "HS256">,
  { gen: RsaHashedKeyGenParams | EcKeyGenParams | Algorithm; sign: Algorithm | RsaPssParams | EcdsaParams }
> = {
  RS256: { gen: rsa("RSASSA-PKCS1-v1_5", "SHA-256"), sign: { name: "RSASSA-PKCS1-v1_5" } },
  RS384: { gen: rsa("RSASSA-PKCS1-v1_5", "SHA-384"), sign: { name: "RSASSA-PKCS1-v1_5" } },
  RS512: { gen: rsa("RSASSA-PKCS1-v1_5", "SHA-512"), sign: { name: "RSASSA-PKCS1-v1_5" } },
  PS256: { gen: rsa("RSA-PSS", "SHA-256"), sign: { name: "RSA-PSS", saltLength: 32 } as RsaPssParams },
  ES256: { gen: { name: "ECDSA", namedCurve: "P-256" } as EcKeyGenParams, sign: { name: "ECDSA", hash: "SHA-256" } as EcdsaParams },
  ES384: { gen: { name: "ECDSA", namedCurve: "P-384" } as EcKeyGenParams, sign: { name: "ECDSA", hash: "SHA-384" } as EcdsaParams },
  EdDSA: { gen: { name: "Ed25519" }, sign: { name: "Ed25519" } },
};
function rsa(name: string, hash: string): RsaHashedKeyGenParams {
  return { name, hash, modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]) };
}

export interface TestKey {
  alg: Exclude<SignAlg, "HS256">;
  kid: string;
  privateKey: CryptoKey;
  /** The public JWK as an issuer publishes it. */
  jwk: JsonWebKey & { kid: string; use: string; alg: string };
}

export async function makeKey(alg: TestKey["alg"], kid: string): Promise<TestKey> {
  const pair = await crypto.subtle.generateKey(GEN[alg].gen, true, ["sign", "verify"]) as CryptoKeyPair;
  const exported = await crypto.subtle.exportKey("jwk", pair.publicKey);
  const { kty, n, e, crv, x, y } = exported;
  const jwk = JSON.parse(JSON.stringify({ kty, n, e, crv, x, y, kid, use: "sig", alg }));
  return { alg, kid, privateKey: pair.privateKey, jwk };
}

/** Signs `claims` as a compact JWS with `key` (header defaults: alg and kid of the key, typ at+jwt). */
export async function sign(key: TestKey, claims: Record<string, unknown>, header: Record<string, unknown> = {}): Promise<string> {
  const h = b64({ alg: key.alg, kid: key.kid, typ: "at+jwt", ...header });
  const p = b64(claims);
  const sig = new Uint8Array(await crypto.subtle.sign(GEN[key.alg].sign, key.privateKey, enc.encode(`${h}.${p}`)));
  return `${h}.${p}.${base64UrlEncode(sig)}`;
}

/** Signs with HMAC-SHA256 over raw key bytes (for HS256 and the algorithm-confusion attack). */
export async function signHs256(
  keyBytes: Uint8Array<ArrayBuffer>,
  claims: Record<string, unknown>,
  header: Record<string, unknown> = {},
): Promise<string> {
  const key = await crypto.subtle.importKey("raw", keyBytes, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  const h = b64({ alg: "HS256", typ: "JWT", ...header });
  const p = b64(claims);
  const sig = new Uint8Array(await crypto.subtle.sign("HMAC", key, enc.encode(`${h}.${p}`)));
  return `${h}.${p}.${base64UrlEncode(sig)}`;
}

/** A stand-in identity provider: OIDC discovery and a JWKS whose keys, caching and availability tests control. */
export interface TestIssuer {
  url: string;
  jwksUri: string;
  keys: JsonWebKey[];
  /** Cache-Control sent with the JWKS. */
  cacheControl: string;
  /** When set, the JWKS answers with this status instead. */
  failWith?: number;
  /** Milliseconds to wait before answering the JWKS. */
  delayMs: number;
  /** Extra bytes of padding in the JWKS body (size-cap tests). */
  padBytes: number;
  /** Which discovery documents exist. */
  discovery: { openid: boolean; oauth: boolean };
  /** Requests seen, by path. */
  hits: Record<string, number>;
  close(): Promise<void>;
}

export async function startIssuer(path = ""): Promise<TestIssuer> {
  const state = {} as TestIssuer;
  const handler = (req: IncomingMessage, res: ServerResponse) => {
    const p = (req.url ?? "/").split("?")[0];
    state.hits[p] = (state.hits[p] ?? 0) + 1;
    const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { "content-type": "application/json", ...headers });
      res.end(typeof body === "string" ? body : JSON.stringify(body));
    };
    const meta = {
      issuer: state.url,
      jwks_uri: state.jwksUri,
      authorization_endpoint: `${state.url}/authorize`,
      token_endpoint: `${state.url}/token`,
    };
    if (p === `${path}/.well-known/openid-configuration` && state.discovery.openid) return send(200, meta);
    if (p === `/.well-known/oauth-authorization-server${path}` && state.discovery.oauth) return send(200, meta);
    if (p === `${path}/jwks`) {
      const answer = () => {
        if (state.failWith) return send(state.failWith, { error: "down" });
        const body: Record<string, unknown> = { keys: state.keys };
        if (state.padBytes) body.padding = "x".repeat(state.padBytes);
        send(200, body, { "cache-control": state.cacheControl });
      };
      return state.delayMs ? void setTimeout(answer, state.delayMs) : answer();
    }
    send(404, { error: "not_found" });
  };
  const server: Server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  Object.assign(state, {
    url: `http://127.0.0.1:${port}${path}`,
    jwksUri: `http://127.0.0.1:${port}${path}/jwks`,
    keys: [],
    cacheControl: "max-age=600",
    delayMs: 0,
    padBytes: 0,
    discovery: { openid: true, oauth: true },
    hits: {},
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections?.();
        server.close(() => resolve());
      }),
  });
  return state;
}

/** A controllable clock (milliseconds). */
export function clock(start = Date.UTC(2030, 0, 1)) {
  let t = start;
  return {
    now: () => t,
    advance: (ms: number) => void (t += ms),
    get seconds() {
      return Math.floor(t / 1000);
    },
  };
}
