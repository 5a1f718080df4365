import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { jwt, type JwtOptions } from "../../src/auth/jwt.ts";
import { authStage } from "../../src/auth/stage.ts";
import { base64UrlEncode } from "../../src/crypto/base64url.ts";
import { b64, clock, makeKey, sign, signHs256, startIssuer, type TestIssuer, type TestKey } from "./jwt-fixtures.ts";
import { req, run } from "./helpers.ts";

const RESOURCE = "https://mcp.example.com/mcp";
const SECRET = "an-hs256-secret-of-at-least-32-bytes!!";
let issuer: TestIssuer;
const keys: Record<string, TestKey> = {};

before(async () => {
  issuer = await startIssuer();
  for (const alg of ["RS256", "RS384", "RS512", "PS256", "ES256", "ES384", "EdDSA"] as const) keys[alg] = await makeKey(alg, `k-${alg}`);
  issuer.keys = Object.values(keys).map((k) => k.jwk);
});
after(() => issuer.close());

function setup(extra: Partial<JwtOptions> = {}) {
  const time = clock();
  const strategy = jwt(
    { issuer: issuer.url, resource: RESOURCE, jwksUri: issuer.jwksUri, now: time.now, cache: false, ...extra } as JwtOptions,
  );
  const stage = authStage(strategy, { resourceMetadataUrl: strategy.resourceMetadataUrl, scopes: strategy.scopes });
  const call = (token: string) => run(stage, req("/mcp", { authorization: `Bearer ${token}` }));
  const claims = (over: Record<string, unknown> = {}) => ({
    iss: issuer.url,
    aud: RESOURCE,
    sub: "user-1",
    iat: time.seconds,
    exp: time.seconds + 300,
    scope: "files:read files:write",
    ...over,
  });
  return { strategy, call, claims, time };
}

function assertRefused(r: Awaited<ReturnType<ReturnType<typeof setup>["call"]>>, pattern?: RegExp) {
  assert.equal(r.status, 401, JSON.stringify(r.body));
  assert.equal(r.body.error, "invalid_token");
  assert.match(r.challenge ?? "", /^Bearer error="invalid_token"/);
  if (pattern) assert.match(r.body.error_description, pattern);
}

describe("jwt: accepted tokens", () => {
  for (const alg of ["RS256", "RS384", "RS512", "PS256", "ES256", "ES384", "EdDSA"] as const) {
    it(`verifies ${alg} with a key from the JWKS`, async () => {
      const { call, claims } = setup();
      const r = await call(await sign(keys[alg], claims()));
      assert.equal(r.status, 200, JSON.stringify(r.body));
      assert.equal(r.body.auth.strategy, "jwt");
      assert.equal(r.body.auth.subject, "user-1");
      assert.deepEqual(r.body.auth.scopes, ["files:read", "files:write"]);
      assert.equal(r.body.auth.claims.iss, issuer.url);
      assert.match(r.body.auth.credentialId, /^jwt:[0-9a-f]{16}$/);
      assert.deepEqual(r.body.resolvedHeaders, {}, "no token passthrough");
    });
  }

  it("reads scopes from scp (array or string) and clientId from client_id or azp", async () => {
    const { call, claims } = setup();
    let r = await call(await sign(keys.ES256, claims({ scope: undefined, scp: ["a", "b"], client_id: "cli" })));
    assert.deepEqual(r.body.auth.scopes, ["a", "b"]);
    assert.equal(r.body.auth.clientId, "cli");
    r = await call(await sign(keys.ES256, claims({ scope: undefined, scp: "c d", azp: "app" })));
    assert.deepEqual(r.body.auth.scopes, ["c", "d"]);
    assert.equal(r.body.auth.clientId, "app");
  });

  it("accepts an aud array that contains our resource", async () => {
    const { call, claims } = setup();
    const r = await call(await sign(keys.RS256, claims({ aud: ["https://other.example", RESOURCE] })));
    assert.equal(r.status, 200);
  });

  it("accepts HS256 only with an explicitly configured secret", async () => {
    const { call, claims } = setup({ secret: SECRET, algorithms: ["HS256"] } as Partial<JwtOptions>);
    const r = await call(await signHs256(new TextEncoder().encode(SECRET), claims()));
    assert.equal(r.status, 200, JSON.stringify(r.body));
  });
});

describe("jwt: the signature", () => {
  it("refuses a token whose payload was changed after signing", async () => {
    const { call, claims } = setup();
    const [h, , s] = (await sign(keys.RS256, claims())).split(".");
    assertRefused(await call(`${h}.${b64(claims({ sub: "admin" }))}.${s}`), /signature/);
  });

  it("refuses a token signed by a key the issuer does not publish under that kid", async () => {
    const { call, claims } = setup({ jwks: { cooldownMs: 0 } });
    const impostor = await makeKey("ES256", keys.ES256.kid);
    assertRefused(await call(await sign(impostor, claims())), /signature/);
  });

  it("refuses an ES256 signature that is not raw r||s (e.g. DER-length)", async () => {
    const { call, claims } = setup();
    const [h, p, s] = (await sign(keys.ES256, claims())).split(".");
    const raw = Uint8Array.from(atob(s.replace(/-/g, "+").replace(/_/g, "/")), (c) => c.charCodeAt(0));
    const longer = new Uint8Array(raw.length + 8);
    longer.set(raw, 8);
    assertRefused(await call(`${h}.${p}.${base64UrlEncode(longer)}`), /signature/);
  });

  it("refuses RSA keys shorter than 2048 bits (RFC 7518 §3.3)", async () => {
    const small = await crypto.subtle.generateKey(
      { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256", modulusLength: 1024, publicExponent: new Uint8Array([1, 0, 1]) },
      true,
      ["sign", "verify"],
    ) as CryptoKeyPair;
    const { kty, n, e } = await crypto.subtle.exportKey("jwk", small.publicKey);
    const weak: TestKey = {
      alg: "RS256",
      kid: "weak",
      privateKey: small.privateKey,
      jwk: { kty, n, e, kid: "weak", use: "sig", alg: "RS256" },
    };
    issuer.keys = [...issuer.keys, weak.jwk];
    try {
      const { call, claims } = setup();
      assertRefused(await call(await sign(weak, claims())));
    } finally {
      issuer.keys = issuer.keys.filter((k) => (k as { kid?: string }).kid !== "weak");
    }
  });
});

describe("jwt: algorithms and headers", () => {
  for (const alg of ["none", "None", "NONE", "nOnE"]) {
    it(`refuses alg "${alg}"`, async () => {
      const { call, claims } = setup();
      assertRefused(await call(`${b64({ alg, typ: "JWT" })}.${b64(claims())}.`), /alg none/);
    });
  }

  it("refuses an algorithm outside the allow-list even with a valid signature", async () => {
    const { call, claims } = setup({ algorithms: ["ES256"] });
    assertRefused(await call(await sign(keys.RS256, claims())), /algorithm is not allowed/);
    assert.equal((await call(await sign(keys.ES256, claims()))).status, 200);
  });

  it("refuses HS256 when no secret is configured, and refuses to configure it", async () => {
    const { call, claims } = setup();
    assertRefused(await call(await signHs256(new TextEncoder().encode(SECRET), claims())), /algorithm is not allowed/);
    assert.throws(
      () => jwt({ issuer: issuer.url, resource: RESOURCE, algorithms: ["HS256"] } as unknown as JwtOptions),
      /needs an explicitly configured secret/,
    );
    assert.throws(() => jwt({ issuer: issuer.url, resource: RESOURCE, secret: "short" }), /at least 32 bytes/);
  });

  it("refuses HMAC tokens keyed with the issuer's public key (algorithm confusion)", async () => {
    // HS256 is allowed (a secret is configured) and the JWKS is in use too: the attacker signs
    // with the published RSA key's bytes and names its kid.
    const { call, claims } = setup({ secret: SECRET, algorithms: ["HS256", "RS256"] } as Partial<JwtOptions>);
    const jwk = keys.RS256.jwk;
    const attempts = [
      new TextEncoder().encode(JSON.stringify(jwk)),
      Uint8Array.from(atob(jwk.n!.replace(/-/g, "+").replace(/_/g, "/")), (c) => c.charCodeAt(0)),
    ];
    for (const keyBytes of attempts) {
      assertRefused(await call(await signHs256(keyBytes, claims(), { kid: keys.RS256.kid })), /signature/);
    }
  });

  for (
    const [member, value] of [
      ["jku", "JWKS"],
      ["x5u", "JWKS"],
      ["jwk", null],
      ["x5c", ["MIIB"]],
    ] as const
  ) {
    it(`refuses a '${member}' header and never fetches it`, async () => {
      const { call, claims } = setup();
      const attacker = await makeKey("ES256", "attacker");
      const header: Record<string, unknown> = { [member]: value === "JWKS" ? `${issuer.url}/evil-${member}` : value ?? attacker.jwk };
      const before = issuer.hits[`/evil-${member}`] ?? 0;
      // Signed by the legitimate key: the header alone is reason enough.
      assertRefused(await call(await sign(keys.ES256, claims(), header)), new RegExp(`'${member}' header`));
      assert.equal(issuer.hits[`/evil-${member}`] ?? 0, before);
    });
  }

  it("refuses critical header extensions", async () => {
    const { call, claims } = setup();
    assertRefused(await call(await sign(keys.ES256, claims(), { crit: ["exp"], exp: 1 })), /crit/);
  });

  it("refuses malformed tokens without a 500", async () => {
    const { call } = setup();
    for (const token of ["abc", "a.b.c", `${b64({ alg: "RS256" })}.${b64("[1]")}.AA`, "e30.e30.e30.e30.e30", "x".repeat(20_000)]) {
      const r = await call(token);
      assert.equal(r.status, 401, token.slice(0, 30));
    }
  });
});

describe("jwt: claims", () => {
  it("requires exp and refuses an expired token, with the configured skew", async () => {
    const { call, claims, time } = setup({ clockSkewSeconds: 10 });
    assertRefused(await call(await sign(keys.ES256, claims({ exp: undefined }))), /no exp/);
    assertRefused(await call(await sign(keys.ES256, claims({ exp: time.seconds - 11 }))), /expired/);
    assert.equal((await call(await sign(keys.ES256, claims({ exp: time.seconds - 9 })))).status, 200, "within the skew");
    const strict = setup({ clockSkewSeconds: 0 });
    assertRefused(await strict.call(await sign(keys.ES256, strict.claims({ exp: strict.time.seconds - 1 }))), /expired/);
  });

  it("refuses nbf and iat in the future beyond the skew", async () => {
    const { call, claims, time } = setup({ clockSkewSeconds: 30 });
    assertRefused(await call(await sign(keys.ES256, claims({ nbf: time.seconds + 31 }))), /not valid yet/);
    assert.equal((await call(await sign(keys.ES256, claims({ nbf: time.seconds + 29 })))).status, 200);
    assertRefused(await call(await sign(keys.ES256, claims({ iat: time.seconds + 31 }))), /not valid yet/);
    assertRefused(await call(await sign(keys.ES256, claims({ exp: "soon" }))), /NumericDate/);
  });

  it("compares iss exactly", async () => {
    const { call, claims } = setup();
    for (const iss of [`${issuer.url}/`, issuer.url.toUpperCase(), "https://evil.example", undefined]) {
      assertRefused(await call(await sign(keys.ES256, claims({ iss }))), /issuer/);
    }
  });

  it("requires our audience: the resource URL by default", async () => {
    const { call, claims } = setup();
    for (const aud of ["https://other.example/mcp", `${RESOURCE}/`, [], undefined]) {
      assertRefused(await call(await sign(keys.ES256, claims({ aud }))), /not issued for this resource/);
    }
    const custom = setup({ audience: "api://gatehouse" });
    assert.equal((await custom.call(await sign(keys.ES256, custom.claims({ aud: "api://gatehouse" })))).status, 200);
    assertRefused(await custom.call(await sign(keys.ES256, custom.claims())), /not issued for this resource/);
  });

  it("can read the audience from client_id for issuers without aud (Cognito)", async () => {
    const { call, claims } = setup({ audience: "app-client", audienceClaim: "client_id" });
    assert.equal((await call(await sign(keys.ES256, claims({ aud: undefined, client_id: "app-client" })))).status, 200);
    assertRefused(await call(await sign(keys.ES256, claims({ aud: undefined, client_id: "other" }))));
  });
});

describe("jwt: challenges", () => {
  it("401 without a token carries resource_metadata and scope, without an error code", async () => {
    const { strategy } = setup({ scopes: ["files:read", "files:write"] });
    const stage = authStage(strategy, { resourceMetadataUrl: strategy.resourceMetadataUrl, scopes: strategy.scopes });
    const r = await run(stage, req("/mcp"));
    assert.equal(r.status, 401);
    assert.equal(
      r.challenge,
      'Bearer scope="files:read files:write", resource_metadata="https://mcp.example.com/.well-known/oauth-protected-resource/mcp"',
    );
  });

  it("401 for a refused token names the reason and points at the metadata", async () => {
    const { strategy, claims } = setup();
    const stage = authStage(strategy, { resourceMetadataUrl: strategy.resourceMetadataUrl });
    const r = await run(stage, req("/mcp", { authorization: `Bearer ${await sign(keys.ES256, claims({ aud: "x" }))}` }));
    assert.match(
      r.challenge ?? "",
      /error="invalid_token", error_description="The token is not issued for this resource \(aud\)", resource_metadata="https:\/\/mcp\.example\.com\/\.well-known\/oauth-protected-resource\/mcp"/,
    );
  });
});
