import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { signHs256 } from "../auth/jwt-fixtures.ts";
import { ConfigError, isLoopback, parseCustomHeaders, parseEnv, startupWarnings, strategyFromConfig } from "../../src/config/env.ts";
import { requestContext } from "../../src/http/pipeline.ts";

const TOKEN = "env-test-token-0123456789abcdefghijklmno";

/** Asserts parseEnv throws a one-line ConfigError naming `variable`, and returns its message. */
function fails(env: Record<string, string | undefined>, variable: string, pattern?: RegExp): string {
  try {
    parseEnv(env);
  } catch (error) {
    assert.ok(error instanceof ConfigError, String(error));
    assert.equal(error.variable, variable);
    assert.ok(error.message.startsWith(`${variable}: `), error.message);
    assert.ok(!error.message.includes("\n"), "one line");
    if (pattern) assert.match(error.message, pattern);
    return error.message;
  }
  assert.fail(`expected a ConfigError for ${variable}`);
}

describe("parseEnv defaults", () => {
  it("an empty environment is a local, unauthenticated server", () => {
    const config = parseEnv({});
    assert.deepEqual(config.auth, { strategy: "none" });
    assert.equal(config.strategyInferred, true);
    assert.equal(config.port, 8000);
    assert.equal(config.hostname, "127.0.0.1");
    assert.equal(config.publicUrl, "http://localhost:8000");
    assert.deepEqual(config.rateLimit, { rps: 10, burst: 20, preAuth: { rps: 5, burst: 100 }, headers: "near-limit" });
    assert.deepEqual(config.store, { kind: "memory" });
    assert.deepEqual(config.allowedOrigins, []);
    assert.equal(config.maxBodyBytes, 1_048_576);
    assert.deepEqual(startupWarnings(config), []);
  });

  it("PUBLIC_URL follows PORT and loses its trailing slash", () => {
    assert.equal(parseEnv({ PORT: "3000" }).publicUrl, "http://localhost:3000");
    assert.equal(parseEnv({ PUBLIC_URL: "https://mcp.example.com/" }).publicUrl, "https://mcp.example.com");
    assert.equal(parseEnv({ PUBLIC_URL: "https://example.com/tools/" }).publicUrl, "https://example.com/tools");
  });

  it("treats empty values as unset", () => {
    assert.deepEqual(parseEnv({ BEARER_TOKEN: "", PORT: "", AUTH_STRATEGY: "" }).auth, { strategy: "none" });
  });
});

describe("strategy inference", () => {
  it("AUTH_STRATEGY wins when set", () => {
    const config = parseEnv({ AUTH_STRATEGY: "bearer", BEARER_TOKEN: TOKEN, API_KEY: TOKEN });
    assert.equal(config.auth.strategy, "bearer");
    assert.equal(config.strategyInferred, false);
    assert.deepEqual(config.ignored, ["API_KEY"]);
  });

  it("api_key if API_KEY, else bearer if BEARER_TOKEN, else none", () => {
    assert.equal(parseEnv({ API_KEY: TOKEN, BEARER_TOKEN: TOKEN }).auth.strategy, "api_key");
    assert.equal(parseEnv({ BEARER_TOKEN: TOKEN }).auth.strategy, "bearer");
    assert.equal(parseEnv({ CUSTOM_HEADERS: "a:b" }).auth.strategy, "none");
  });

  it("warns about variables the chosen strategy ignores", () => {
    const warnings = startupWarnings(parseEnv({ API_KEY: TOKEN, BEARER_TOKEN: TOKEN }));
    assert.ok(
      warnings.some((w) => w.includes("BEARER_TOKEN is set but ignored") && w.includes("inferred as api_key")),
      warnings.join("\n"),
    );
    assert.ok(warnings.every((w) => !w.includes(TOKEN)));
  });
});

describe("credentials", () => {
  it("BEARER_TOKEN and API_KEY take comma-separated lists for rotation", () => {
    assert.deepEqual(parseEnv({ BEARER_TOKEN: `${TOKEN}, second-token-0123456789abcdefghijklmn` }).auth, {
      strategy: "bearer",
      tokens: [TOKEN, "second-token-0123456789abcdefghijklmn"],
      upstreamToken: undefined,
    });
    const apiKey = parseEnv({ API_KEY: "k1,k2", API_KEY_HEADER: "X-Service-Key", UPSTREAM_API_KEY: "up" }).auth;
    assert.deepEqual(apiKey, { strategy: "api_key", keys: ["k1", "k2"], header: "x-service-key", upstreamKey: "up" });
  });

  it("API_KEY_HEADER defaults to x-api-key", () => {
    const auth = parseEnv({ API_KEY: TOKEN }).auth;
    assert.equal(auth.strategy === "api_key" && auth.header, "x-api-key");
  });

  it("reads UPSTREAM_BEARER_TOKEN", () => {
    const auth = parseEnv({ BEARER_TOKEN: TOKEN, UPSTREAM_BEARER_TOKEN: "upstream-token" }).auth;
    assert.equal(auth.strategy === "bearer" && auth.upstreamToken, "upstream-token");
  });

  it("names the variable, never the secret, for bad entries", () => {
    const message = fails({ BEARER_TOKEN: `${TOKEN},,other` }, "BEARER_TOKEN", /entry 2 of 3 is empty/);
    assert.ok(!message.includes(TOKEN));
    const spaced = fails({ API_KEY: "my secret key" }, "API_KEY", /entry 1 of 1 contains whitespace/);
    assert.ok(!spaced.includes("secret key"));
    fails({ BEARER_TOKEN: TOKEN, UPSTREAM_BEARER_TOKEN: "a b" }, "UPSTREAM_BEARER_TOKEN");
    fails({ API_KEY: TOKEN, API_KEY_HEADER: "x api key" }, "API_KEY_HEADER", /header name/);
  });

  it("requires the credential the chosen strategy needs", () => {
    fails({ AUTH_STRATEGY: "bearer" }, "BEARER_TOKEN", /required when AUTH_STRATEGY=bearer/);
    fails({ AUTH_STRATEGY: "api_key", BEARER_TOKEN: TOKEN }, "API_KEY", /required when AUTH_STRATEGY=api_key/);
    fails({ AUTH_STRATEGY: "custom" }, "CUSTOM_HEADERS", /required/);
  });

  it("rejects an unknown strategy, listing the known ones", () => {
    fails({ AUTH_STRATEGY: "basic" }, "AUTH_STRATEGY", /none, bearer, api_key, custom, jwt, oauth/);
  });
});

describe("CUSTOM_HEADERS", () => {
  it("splits pairs at commas and each pair at its first colon", () => {
    assert.deepEqual(parseCustomHeaders("X-Tenant:acme, Authorization:Basic dXNlcjpwYXNz,X-Url:https://api.example.com:8443/v1"), {
      "X-Tenant": "acme",
      Authorization: "Basic dXNlcjpwYXNz",
      "X-Url": "https://api.example.com:8443/v1",
    });
    assert.deepEqual(parseCustomHeaders("X-Time:12:30:00"), { "X-Time": "12:30:00" });
    assert.deepEqual(parseCustomHeaders("X-Empty:"), { "X-Empty": "" });
  });

  it("becomes the custom strategy's config", () => {
    assert.deepEqual(parseEnv({ AUTH_STRATEGY: "custom", CUSTOM_HEADERS: "K:V,K2:a:b" }).auth, {
      strategy: "custom",
      headers: { K: "V", K2: "a:b" },
    });
  });

  it("names the variable for malformed pairs", () => {
    fails({ AUTH_STRATEGY: "custom", CUSTOM_HEADERS: "novalue" }, "CUSTOM_HEADERS", /pair 1 has no ':'/);
    fails({ AUTH_STRATEGY: "custom", CUSTOM_HEADERS: "a:b,,c:d" }, "CUSTOM_HEADERS", /pair 2 is empty/);
    fails({ AUTH_STRATEGY: "custom", CUSTOM_HEADERS: "bad name:x" }, "CUSTOM_HEADERS", /invalid header name/);
  });
});

describe("server settings", () => {
  it("validates PORT, PUBLIC_URL, HOST and MAX_BODY_BYTES", () => {
    fails({ PORT: "abc" }, "PORT", /integer port/);
    fails({ PORT: "70000" }, "PORT");
    fails({ PORT: "-1" }, "PORT");
    fails({ PUBLIC_URL: "not a url" }, "PUBLIC_URL", /absolute/);
    fails({ PUBLIC_URL: "ftp://example.com" }, "PUBLIC_URL", /http/);
    fails({ PUBLIC_URL: "https://example.com/?x=1" }, "PUBLIC_URL", /query/);
    fails({ HOST: "bad host" }, "HOST");
    fails({ MAX_BODY_BYTES: "0" }, "MAX_BODY_BYTES");
    fails({ MAX_BODY_BYTES: "1e6" }, "MAX_BODY_BYTES");
    assert.equal(parseEnv({ MAX_BODY_BYTES: "4194304" }).maxBodyBytes, 4194304);
    assert.equal(parseEnv({ HOST: "0.0.0.0" }).hostname, "0.0.0.0");
  });

  it("rate limits: defaults, burst following rps, off, and errors", () => {
    assert.equal(parseEnv({ RATE_LIMIT_RPS: "50" }).rateLimit?.burst, 100);
    assert.deepEqual(parseEnv({ RATE_LIMIT_RPS: "0.5", RATE_LIMIT_BURST: "3" }).rateLimit, {
      rps: 0.5,
      burst: 3,
      preAuth: { rps: 5, burst: 100 },
      headers: "near-limit",
    });
    assert.equal(parseEnv({ RATE_LIMIT_RPS: "off" }).rateLimit, null);
    assert.equal(parseEnv({ RATE_LIMIT_RPS: "0" }).rateLimit, null);
    assert.deepEqual(parseEnv({ RATE_LIMIT_PREAUTH_RPS: "2", RATE_LIMIT_PREAUTH_BURST: "10" }).rateLimit?.preAuth, { rps: 2, burst: 10 });
    fails({ RATE_LIMIT_RPS: "-3" }, "RATE_LIMIT_RPS", /positive number/);
    fails({ RATE_LIMIT_RPS: "fast" }, "RATE_LIMIT_RPS");
    fails({ RATE_LIMIT_BURST: "0.5" }, "RATE_LIMIT_BURST", />= 1/);
    fails({ RATE_LIMIT_BURST: "lots" }, "RATE_LIMIT_BURST");
    fails({ RATE_LIMIT_PREAUTH_RPS: "0" }, "RATE_LIMIT_PREAUTH_RPS");
    assert.equal(parseEnv({ RATE_LIMIT_HEADERS: "always" }).rateLimit?.headers, "always");
    fails({ RATE_LIMIT_HEADERS: "sometimes" }, "RATE_LIMIT_HEADERS", /near-limit or always/);
  });

  it("STORE", () => {
    assert.deepEqual(parseEnv({ STORE: "sqlite:./data/gatehouse.db" }).store, { kind: "sqlite", path: "./data/gatehouse.db" });
    assert.deepEqual(parseEnv({ STORE: "denokv:/var/kv" }).store, { kind: "denokv", path: "/var/kv" });
    assert.deepEqual(parseEnv({ STORE: "denokv" }).store, { kind: "denokv" });
    assert.deepEqual(parseEnv({ STORE: "redis://:pw@cache:6379/2" }).store, { kind: "redis", url: "redis://:pw@cache:6379/2" });
    const message = fails({ STORE: "mongodb://user:secret@x" }, "STORE", /memory, sqlite:<path>, denokv:<path> or redis:\/\/host/);
    assert.ok(!message.includes("secret"), "a connection string is never echoed");
    fails({ STORE: "sqlite:" }, "STORE");
  });

  it("ALLOWED_ORIGINS", () => {
    assert.deepEqual(parseEnv({ ALLOWED_ORIGINS: "https://claude.ai, http://localhost:6274/" }).allowedOrigins, [
      "https://claude.ai",
      "http://localhost:6274",
    ]);
    fails({ ALLOWED_ORIGINS: "https://claude.ai/path" }, "ALLOWED_ORIGINS", /not an origin/);
    fails({ ALLOWED_ORIGINS: "claude.ai" }, "ALLOWED_ORIGINS");
    const config = parseEnv({ ALLOWED_ORIGINS: "*" });
    assert.deepEqual(config.allowedOrigins, ["*"]);
    assert.ok(startupWarnings(config).some((w) => w.includes("ALLOWED_ORIGINS=*")));
  });
});

describe("strategyFromConfig", () => {
  it("builds none, bearer, api_key and custom", async () => {
    assert.equal(strategyFromConfig(parseEnv({})).name, "none");
    const bearer = strategyFromConfig(parseEnv({ BEARER_TOKEN: `${TOKEN},other`, UPSTREAM_BEARER_TOKEN: "up" }));
    assert.equal(bearer.name, "bearer");
    const ctx = requestContext(new Request("https://x/mcp"), {}, "t");
    const result = await bearer.authenticate(new Request("https://x/mcp", { headers: { authorization: "Bearer other" } }), ctx);
    assert.ok(result.ok && result.providerToken === "up");
    const apiKey = strategyFromConfig(parseEnv({ API_KEY: TOKEN, API_KEY_HEADER: "X-Key" }));
    const keyed = await apiKey.authenticate(new Request("https://x/mcp", { headers: { "x-key": TOKEN } }), ctx);
    assert.ok(keyed.ok);
    assert.deepEqual(keyed.resolvedHeaders, { "x-key": TOKEN });
    const custom = strategyFromConfig(parseEnv({ AUTH_STRATEGY: "custom", CUSTOM_HEADERS: "a:b:c" }));
    assert.deepEqual((await custom.authenticate(new Request("https://x/mcp"), ctx) as { resolvedHeaders: unknown }).resolvedHeaders, {
      a: "b:c",
    });
  });

  it("points oauth at oauthOptionsFromEnv (it needs the store), naming AUTH_STRATEGY", () => {
    assert.throws(
      () => strategyFromConfig(parseEnv({ AUTH_STRATEGY: "oauth" })),
      (e: unknown) => e instanceof ConfigError && e.variable === "AUTH_STRATEGY" && /oauthOptionsFromEnv/.test(e.message),
    );
  });
});

describe("AUTH_STRATEGY=jwt", () => {
  const ISSUER = "https://id.example.com";
  const SECRET = "jwt-shared-secret-0123456789abcdefghij";

  it("needs JWT_ISSUER (or a provider) and defaults the audience to PUBLIC_URL + /mcp", () => {
    fails({ AUTH_STRATEGY: "jwt" }, "JWT_ISSUER", /required when AUTH_STRATEGY=jwt/);
    const config = parseEnv({ AUTH_STRATEGY: "jwt", JWT_ISSUER: ISSUER, PUBLIC_URL: "https://mcp.example.com/" });
    assert.deepEqual(config.auth, {
      strategy: "jwt",
      provider: undefined,
      issuer: ISSUER,
      audience: ["https://mcp.example.com/mcp"],
      resource: "https://mcp.example.com/mcp",
      jwksUri: undefined,
      algorithms: undefined,
      secret: undefined,
      clockSkewSeconds: 30,
      scopes: [],
      scopeClaim: undefined,
      audienceClaim: undefined,
    });
    assert.deepEqual(config.ignored, []);
  });

  it("reads audience, JWKS URI, algorithms, skew and scopes", () => {
    const auth = parseEnv({
      AUTH_STRATEGY: "jwt",
      JWT_ISSUER: ISSUER,
      JWT_AUDIENCE: "api://a, https://mcp.example.com/mcp",
      JWT_JWKS_URI: "https://id.example.com/keys",
      JWT_ALGORITHMS: "ES256,RS256",
      JWT_CLOCK_SKEW_SECONDS: "5",
      JWT_SCOPES: "files:read files:write",
    }).auth;
    assert.ok(auth.strategy === "jwt");
    assert.deepEqual(auth.audience, ["api://a", "https://mcp.example.com/mcp"]);
    assert.equal(auth.jwksUri, "https://id.example.com/keys");
    assert.deepEqual(auth.algorithms, ["ES256", "RS256"]);
    assert.equal(auth.clockSkewSeconds, 5);
    assert.deepEqual(auth.scopes, ["files:read", "files:write"]);
  });

  it("refuses none, unknown algorithms, HS256 without JWT_SECRET, short secrets, plain-http issuers and bad skews", () => {
    const base = { AUTH_STRATEGY: "jwt", JWT_ISSUER: ISSUER };
    fails({ ...base, JWT_ALGORITHMS: "none" }, "JWT_ALGORITHMS", /"none" is not supported/);
    fails({ ...base, JWT_ALGORITHMS: "RS256,XX1" }, "JWT_ALGORITHMS", /"XX1"/);
    fails({ ...base, JWT_ALGORITHMS: "HS256" }, "JWT_ALGORITHMS", /need JWT_SECRET/);
    fails({ ...base, JWT_SECRET: "short" }, "JWT_SECRET", /at least 32/);
    fails({ AUTH_STRATEGY: "jwt", JWT_ISSUER: "http://id.example.com" }, "JWT_ISSUER", /https/);
    fails({ ...base, JWT_JWKS_URI: "http://id.example.com/keys" }, "JWT_JWKS_URI", /https/);
    fails({ ...base, JWT_CLOCK_SKEW_SECONDS: "3600" }, "JWT_CLOCK_SKEW_SECONDS", /0 to 300/);
    fails({ ...base, JWT_PROVIDER: "acme" }, "JWT_PROVIDER", /expected one of auth0/);
    assert.equal(parseEnv({ AUTH_STRATEGY: "jwt", JWT_ISSUER: "http://127.0.0.1:9000" }).auth.strategy, "jwt", "http on loopback is fine");
  });

  it("HS256-only service tokens: any issuer string, JWT_SECRET required", async () => {
    const config = parseEnv({ AUTH_STRATEGY: "jwt", JWT_ISSUER: "billing-service", JWT_SECRET: SECRET, JWT_ALGORITHMS: "HS256" });
    const strategy = strategyFromConfig(config);
    const now = Math.floor(Date.now() / 1000);
    const token = await signHs256(new TextEncoder().encode(SECRET), {
      iss: "billing-service",
      aud: "http://localhost:8000/mcp",
      sub: "svc",
      exp: now + 60,
    });
    const result = await strategy.authenticate(
      new Request("http://localhost:8000/mcp", { headers: { authorization: `Bearer ${token}` } }),
      requestContext(new Request("http://localhost:8000/mcp"), {}, "t"),
    );
    assert.ok(result.ok && result.identity.subject === "svc");
  });

  it("JWT_PROVIDER fills in issuer, JWKS and claims from a tenant", () => {
    const auth = parseEnv({ AUTH_STRATEGY: "jwt", JWT_PROVIDER: "cognito", JWT_ISSUER: "us-east-1_AbC123", JWT_AUDIENCE: "client-1" }).auth;
    assert.ok(auth.strategy === "jwt");
    assert.deepEqual(auth.issuer, ["https://cognito-idp.us-east-1.amazonaws.com/us-east-1_AbC123"]);
    assert.equal(auth.jwksUri, "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_AbC123/.well-known/jwks.json");
    assert.equal(auth.audienceClaim, "client_id");
    fails({ AUTH_STRATEGY: "jwt", JWT_PROVIDER: "auth0" }, "JWT_ISSUER", /JWT_PROVIDER=auth0: auth0 needs the tenant domain/);
    assert.equal(parseEnv({ AUTH_STRATEGY: "jwt", JWT_PROVIDER: "google", JWT_AUDIENCE: "x" }).auth.strategy, "jwt");
  });

  it("builds the strategy, whose metadata and challenge point at the issuer and the resource", () => {
    const strategy = strategyFromConfig(
      parseEnv({ AUTH_STRATEGY: "jwt", JWT_ISSUER: ISSUER, PUBLIC_URL: "https://mcp.example.com" }),
    ) as unknown as {
      metadata: { resource: string; authorization_servers: string[] };
      resourceMetadataUrl: string;
    };
    assert.equal(strategy.metadata.resource, "https://mcp.example.com/mcp");
    assert.deepEqual(strategy.metadata.authorization_servers, [ISSUER]);
    assert.equal(strategy.resourceMetadataUrl, "https://mcp.example.com/.well-known/oauth-protected-resource/mcp");
  });

  it("warns when JWT_* variables are set under another strategy", () => {
    assert.deepEqual(parseEnv({ JWT_ISSUER: ISSUER }).ignored, ["JWT_ISSUER"]);
  });
});

describe("startupWarnings", () => {
  it("is loud about none on a non-loopback address, quiet on loopback", () => {
    const exposed = startupWarnings(parseEnv({ HOST: "0.0.0.0" }));
    assert.ok(exposed.some((w) => w.startsWith("!!! AUTH_STRATEGY=none on 0.0.0.0")), exposed.join("\n"));
    for (const host of ["127.0.0.1", "localhost", "::1", "[::1]", "127.1.2.3"]) {
      assert.ok(isLoopback(host), host);
      assert.deepEqual(startupWarnings(parseEnv({ HOST: host })), [], host);
    }
    assert.equal(isLoopback("10.0.0.1"), false);
  });

  it("warns about env-only custom on an exposed address, short secrets, and no rate limit", () => {
    assert.ok(
      startupWarnings(parseEnv({ AUTH_STRATEGY: "custom", CUSTOM_HEADERS: "a:b", HOST: "0.0.0.0" }))
        .some((w) => w.includes("AUTH_STRATEGY=custom")),
    );
    const short = startupWarnings(parseEnv({ BEARER_TOKEN: `${TOKEN},short` }));
    assert.equal(short.length, 1);
    assert.match(short[0], /BEARER_TOKEN entry 2 is shorter than 32/);
    assert.ok(!short[0].includes("short,"));
    assert.ok(startupWarnings(parseEnv({ RATE_LIMIT_RPS: "off" })).some((w) => w.includes("not rate limited")));
  });
});

describe("every variable's refusals", () => {
  // One line each, naming the variable; a secret's value is never echoed. Pinned message by message
  // (env.ts parses with plain functions since 2026-12-07; these held before that change too, except
  // AUDIT_SUCCESS_SAMPLE's: zod's number coercion accepted hex and exponents, and refused the rest in
  // its own words, "Invalid input: expected number, received NaN").
  const cases: [Record<string, string>, string, string][] = [
    [{ PORT: "80x" }, "PORT", "expected an integer port from 0 to 65535"],
    [{ PORT: "70000" }, "PORT", "expected an integer port from 0 to 65535"],
    [{ PORT: "-1" }, "PORT", "expected an integer port from 0 to 65535"],
    [{ PORT: "1.5" }, "PORT", "expected an integer port from 0 to 65535"],
    [{ PUBLIC_URL: "ftp://x" }, "PUBLIC_URL", 'expected an http(s) URL, got scheme "ftp:"'],
    [{ PUBLIC_URL: "nope" }, "PUBLIC_URL", 'expected an absolute http(s) URL, got "nope"'],
    [{ PUBLIC_URL: "https://u:p@x" }, "PUBLIC_URL", "must not contain credentials, a query or a fragment"],
    [{ PUBLIC_URL: "https://x/?q" }, "PUBLIC_URL", "must not contain credentials, a query or a fragment"],
    [{ HOST: "bad host" }, "HOST", "expected a host name or IP address"],
    [{ AUTH_STRATEGY: "magic" }, "AUTH_STRATEGY", "expected one of none, bearer, api_key, custom, jwt, oauth"],
    [{ AUTH_STRATEGY: "bearer" }, "BEARER_TOKEN", "required when AUTH_STRATEGY=bearer"],
    [{ BEARER_TOKEN: "a,,b" }, "BEARER_TOKEN", "entry 2 of 3 is empty"],
    [{ BEARER_TOKEN: "a b" }, "BEARER_TOKEN", "entry 1 of 1 contains whitespace or characters outside printable ASCII"],
    [
      { BEARER_TOKEN: TOKEN, UPSTREAM_BEARER_TOKEN: "a,b" },
      "UPSTREAM_BEARER_TOKEN",
      "contains whitespace, a comma or characters outside printable ASCII",
    ],
    [{ API_KEY: TOKEN, API_KEY_HEADER: "bad header" }, "API_KEY_HEADER", "expected an HTTP header name like x-api-key"],
    [{ API_KEY: TOKEN, UPSTREAM_API_KEY: "é" }, "UPSTREAM_API_KEY", "contains whitespace, a comma or characters outside printable ASCII"],
    [{ AUTH_STRATEGY: "custom", CUSTOM_HEADERS: "nocolon" }, "CUSTOM_HEADERS", "pair 1 has no ':'; expected K:V,K2:V2"],
    [{ AUTH_STRATEGY: "custom", CUSTOM_HEADERS: "a:b,,c:d" }, "CUSTOM_HEADERS", "pair 2 is empty; expected K:V,K2:V2"],
    [{ RATE_LIMIT_RPS: "fast" }, "RATE_LIMIT_RPS", 'expected a positive number of requests per second, or off; got "fast"'],
    [{ RATE_LIMIT_RPS: "-3" }, "RATE_LIMIT_RPS", 'expected a positive number of requests per second, or off; got "-3"'],
    [{ RATE_LIMIT_BURST: "0.5" }, "RATE_LIMIT_BURST", "expected a number >= 1"],
    [{ RATE_LIMIT_BURST: "x" }, "RATE_LIMIT_BURST", "expected a positive number"],
    [{ RATE_LIMIT_PREAUTH_RPS: "0" }, "RATE_LIMIT_PREAUTH_RPS", "expected a positive number"],
    [{ RATE_LIMIT_PREAUTH_RPS: "1e3" }, "RATE_LIMIT_PREAUTH_RPS", "expected a positive number"],
    [{ RATE_LIMIT_PREAUTH_BURST: "0" }, "RATE_LIMIT_PREAUTH_BURST", "expected a positive number"],
    [{ RATE_LIMIT_HEADERS: "sometimes" }, "RATE_LIMIT_HEADERS", "expected near-limit or always"],
    [{ STORE: "mongo://x" }, "STORE", "expected memory, sqlite:<path>, denokv:<path> or redis://host[:port][/db]"],
    [{ STORE: "sqlite:" }, "STORE", "expected memory, sqlite:<path>, denokv:<path> or redis://host[:port][/db]"],
    [
      { ALLOWED_ORIGINS: "https://a.example/path" },
      "ALLOWED_ORIGINS",
      '"https://a.example/path" is not an origin; expected scheme://host[:port], or *',
    ],
    [{ ALLOWED_ORIGINS: "notaurl" }, "ALLOWED_ORIGINS", '"notaurl" is not an origin; expected scheme://host[:port], or *'],
    [{ MAX_BODY_BYTES: "0" }, "MAX_BODY_BYTES", "expected a positive integer number of bytes"],
    [{ MAX_BODY_BYTES: "1k" }, "MAX_BODY_BYTES", "expected a positive integer number of bytes"],
    [{ OAUTH_REDIRECT_URI: "mailto:x" }, "OAUTH_REDIRECT_URI", 'expected an http(s) URL, got scheme "mailto:"'],
    [{ PROVIDER_ACCOUNTS_URL: "x" }, "PROVIDER_ACCOUNTS_URL", 'expected an absolute http(s) URL, got "x"'],
    [{ AUDIT_LOG: "file" }, "AUDIT_LOG", "expected stdout or off"],
    [{ AUDIT_SUCCESS_SAMPLE: "2" }, "AUDIT_SUCCESS_SAMPLE", "expected a number from 0 to 1"],
    [{ AUDIT_SUCCESS_SAMPLE: "-0.1" }, "AUDIT_SUCCESS_SAMPLE", "expected a number from 0 to 1"],
    [{ AUDIT_SUCCESS_SAMPLE: "abc" }, "AUDIT_SUCCESS_SAMPLE", "expected a number from 0 to 1"],
    [{ AUDIT_SUCCESS_SAMPLE: "Infinity" }, "AUDIT_SUCCESS_SAMPLE", "expected a number from 0 to 1"],
    [{ AUDIT_SUCCESS_SAMPLE: "0x1" }, "AUDIT_SUCCESS_SAMPLE", "expected a number from 0 to 1"],
    [{ AUDIT_SUCCESS_SAMPLE: "1e-1" }, "AUDIT_SUCCESS_SAMPLE", "expected a number from 0 to 1"],
    [{ LOG_LEVEL: "trace" }, "LOG_LEVEL", "expected debug, info, warn or error"],
    [{ REQUEST_ID_HEADER: "never" }, "REQUEST_ID_HEADER", "expected errors or always"],
    [{ TOOLS_API: "yes" }, "TOOLS_API", "expected on or off"],
    [{ GATEHOUSE_SECRET: "short" }, "GATEHOUSE_SECRET", "expected at least 32 characters"],
    [
      { AUTH_STRATEGY: "jwt" },
      "JWT_ISSUER",
      "required when AUTH_STRATEGY=jwt (the issuer URL of your identity provider, or set JWT_PROVIDER)",
    ],
    [
      { AUTH_STRATEGY: "jwt", JWT_PROVIDER: "myspace" },
      "JWT_PROVIDER",
      "expected one of auth0, okta, keycloak, workos, clerk, entra, cognito, google",
    ],
    [
      { AUTH_STRATEGY: "jwt", JWT_ISSUER: "https://i", JWT_SECRET: "short" },
      "JWT_SECRET",
      "expected at least 32 characters (RFC 7518 §3.2)",
    ],
    [
      { AUTH_STRATEGY: "jwt", JWT_ISSUER: "https://i", JWT_ALGORITHMS: "none" },
      "JWT_ALGORITHMS",
      '"none" is not supported; expected RS256, RS384, RS512, PS256, PS384, PS512, ES256, ES384, EdDSA or HS256, HS384, HS512',
    ],
    [{ AUTH_STRATEGY: "jwt", JWT_ISSUER: "https://i", JWT_ALGORITHMS: " , " }, "JWT_ALGORITHMS", "expected at least one algorithm"],
    [
      { AUTH_STRATEGY: "jwt", JWT_ISSUER: "https://i", JWT_ALGORITHMS: "HS256" },
      "JWT_ALGORITHMS",
      "HMAC algorithms (HS256…) need JWT_SECRET; keys from a JWKS are never used for them",
    ],
    [{ AUTH_STRATEGY: "jwt", JWT_ISSUER: "http://i.example" }, "JWT_ISSUER", "expected an https URL (http only for localhost)"],
    [
      { AUTH_STRATEGY: "jwt", JWT_ISSUER: "https://i", JWT_JWKS_URI: "http://keys.example" },
      "JWT_JWKS_URI",
      "expected an https URL (http only for localhost)",
    ],
    [
      { AUTH_STRATEGY: "jwt", JWT_ISSUER: "https://i", JWT_CLOCK_SKEW_SECONDS: "301" },
      "JWT_CLOCK_SKEW_SECONDS",
      "expected an integer number of seconds from 0 to 300",
    ],
    [{ AUTH_STRATEGY: "jwt", JWT_ISSUER: "not a url" }, "JWT_ISSUER", 'expected an absolute issuer URL, got "not a url"'],
    [{ AUDIT_SUCCESS_SAMPLE: "0x1" }, "AUDIT_SUCCESS_SAMPLE", "expected a number from 0 to 1"],
    [{ AUDIT_SUCCESS_SAMPLE: "1e-1" }, "AUDIT_SUCCESS_SAMPLE", "expected a number from 0 to 1"],
  ];
  for (const [env, variable, message] of cases) {
    it(`${JSON.stringify(env)} → ${variable}`, () => {
      assert.equal(fails(env, variable), `${variable}: ${message}`);
    });
  }
});

describe("every variable's accepted forms", () => {
  it("reads numbers as plain decimals: fractions, leading zeros, a trailing dot", () => {
    assert.equal(parseEnv({ AUDIT_SUCCESS_SAMPLE: "0.25" }).audit.successSampleRate, 0.25);
    assert.equal(parseEnv({ AUDIT_SUCCESS_SAMPLE: ".5" }).audit.successSampleRate, 0.5);
    assert.equal(parseEnv({ AUDIT_SUCCESS_SAMPLE: "1" }).audit.successSampleRate, 1);
    assert.equal(parseEnv({ AUDIT_SUCCESS_SAMPLE: "0" }).audit.successSampleRate, 0);
    assert.equal(parseEnv({}).audit.successSampleRate, 0);
    assert.equal(parseEnv({ PORT: "007" }).port, 7);
    assert.equal(parseEnv({ PORT: "0" }).port, 0);
    assert.deepEqual(parseEnv({ RATE_LIMIT_PREAUTH_RPS: "2.", RATE_LIMIT_BURST: "1" }).rateLimit, {
      rps: 10,
      burst: 1,
      preAuth: { rps: 2, burst: 100 },
      headers: "near-limit",
    });
    assert.equal(parseEnv({ MAX_BODY_BYTES: "2048" }).maxBodyBytes, 2048);
  });

  it("reads the switches", () => {
    const on = parseEnv({
      LOG_LEVEL: "debug",
      REQUEST_ID_HEADER: "always",
      TOOLS_API: "on",
      AUDIT_LOG: "off",
      RATE_LIMIT_HEADERS: "always",
    });
    assert.equal(on.logLevel, "debug");
    assert.equal(on.requestIdHeader, "always");
    assert.equal(on.toolsApi, true);
    assert.equal(on.audit.enabled, false);
    assert.equal(on.rateLimit?.headers, "always");
    const off = parseEnv({});
    assert.deepEqual([off.logLevel, off.requestIdHeader, off.toolsApi, off.audit.enabled], ["info", "errors", false, true]);
    assert.equal(parseEnv({ GATEHOUSE_SECRET: "s".repeat(32) }).secret, "s".repeat(32));
    assert.equal(parseEnv({ HOST: "[::1]" }).hostname, "[::1]");
    assert.equal((parseEnv({ API_KEY: TOKEN, API_KEY_HEADER: "X-Key" }).auth as { header: string }).header, "x-key");
  });
});
