/** @module The env contract (DESIGN §4): parse and validate the environment (plain parsers, no zod: start-up time), infer the auth strategy, and say loudly what is unsafe. */
import type { AuthStrategy } from "../auth/strategy.ts";
import type { RateLimitHeaders } from "../ratelimit/stage.ts";
import type { StrategyName } from "../auth/identity.ts";
import { none } from "../auth/none.ts";
import { bearer } from "../auth/bearer.ts";
import { apiKey } from "../auth/api-key.ts";
import { custom } from "../auth/custom.ts";
import { jwt, type JwtOptions } from "../auth/jwt.ts";
import { isJwsAlgorithm, type JwsAlgorithm } from "../auth/jws-algorithms.ts";
import { type ProviderName, providerPreset, PROVIDERS } from "../auth/presets.ts";

/**
 * Bad configuration: `message` is one line, `VARIABLE: what is wrong`, `variable` names the variable,
 * and neither ever contains a secret. Thrown by `oauthOptionsFromEnv` and the env parsing behind
 * `src/main.ts`; start-up prints the message and exits.
 *
 * @example
 * ```ts
 * import { ConfigError, memoryStore, oauthOptionsFromEnv } from "gatehouse";
 *
 * try {
 *   oauthOptionsFromEnv({ PROVIDER: "myspace" }, { publicUrl: "http://localhost:8000", store: memoryStore() });
 * } catch (error) {
 *   if (error instanceof ConfigError) console.error(`fix ${error.variable}: ${error.message}`);
 * }
 * ```
 */
export class ConfigError extends Error {
  readonly code = "ConfigError";
  readonly variable: string;
  constructor(variable: string, problem: string) {
    super(`${variable}: ${problem}`);
    this.variable = variable;
    this.name = "ConfigError";
  }
}

export type AuthConfig =
  | { strategy: "none" }
  | { strategy: "bearer"; tokens: string[]; upstreamToken?: string }
  | { strategy: "api_key"; keys: string[]; header: string; upstreamKey?: string }
  | { strategy: "custom"; headers: Record<string, string> }
  | JwtConfig
  | { strategy: "oauth" };

/** `AUTH_STRATEGY=jwt`: tokens from an existing identity provider (issue 4). */
export interface JwtConfig {
  strategy: "jwt";
  /** `JWT_PROVIDER`, when a preset decided issuer, JWKS and claims. */
  provider?: ProviderName;
  /** Exact `iss` value(s). */
  issuer: string | string[];
  /** `JWT_AUDIENCE` (comma list); default: the resource URL. */
  audience: string[];
  /** This MCP endpoint's canonical URL: `PUBLIC_URL` + `/mcp`. */
  resource: string;
  /** `JWT_JWKS_URI`, or the preset's; absent: discovered from the issuer. */
  jwksUri?: string;
  /** `JWT_ALGORITHMS`; absent: the strategy's default. */
  algorithms?: JwsAlgorithm[];
  /** `JWT_SECRET`: enables HMAC (HS256) tokens. */
  secret?: string;
  /** `JWT_CLOCK_SKEW_SECONDS` (default 30). */
  clockSkewSeconds: number;
  /** `JWT_SCOPES`: advertised in the metadata and 401 challenges. */
  scopes: string[];
  scopeClaim?: "scope" | "scp";
  audienceClaim?: "aud" | "client_id";
}

export type StoreConfig =
  | { kind: "memory" }
  | { kind: "sqlite"; path: string }
  | { kind: "denokv"; path?: string }
  | { kind: "redis"; url: string };

export interface RateLimitConfig {
  rps: number;
  burst: number;
  /** The per-address limit on refused credentials (see `preAuthRateLimitStage`). */
  preAuth: { rps: number; burst: number };
  /** `RATE_LIMIT_HEADERS` (`near-limit` or `always`): which allowed responses carry the RateLimit headers. */
  headers: RateLimitHeaders;
}

export interface Config {
  port: number;
  hostname: string;
  /** Externally visible base URL, without a trailing slash. */
  publicUrl: string;
  auth: AuthConfig;
  /** True when `AUTH_STRATEGY` was unset and the strategy was inferred. */
  strategyInferred: boolean;
  /** `null` when `RATE_LIMIT_RPS=off` (or `0`). */
  rateLimit: RateLimitConfig | null;
  store: StoreConfig;
  /** Serialized origins (`https://app.example`), or `*`. Empty: no cross-origin browser access. */
  allowedOrigins: string[];
  maxBodyBytes: number;
  /** OAuth / provider settings, validated for shape only; consumed by the oauth strategy. */
  oauth: {
    clientId?: string;
    clientSecret?: string;
    scopes: string[];
    redirectUri?: string;
    providerClientId?: string;
    providerClientSecret?: string;
    providerAccountsUrl?: string;
  };
  /** `AUDIT_LOG` (`stdout` or `off`) and `AUDIT_SUCCESS_SAMPLE` (0..1). */
  audit: { enabled: boolean; successSampleRate: number };
  /** `LOG_LEVEL`: Gatehouse's own JSON log lines on standard error at this level and above. */
  logLevel: "debug" | "info" | "warn" | "error";
  /** `REQUEST_ID_HEADER` (`errors` or `always`): which responses carry `X-Request-Id`. */
  requestIdHeader: "errors" | "always";
  /** `TOOLS_API=on`: serve `GET /tools` and `POST /tools/{name}` behind the same checks. */
  toolsApi: boolean;
  /** `GATEHOUSE_SECRET`: signs state handed to clients; set it when several instances share a store. */
  secret?: string;
  /** Variables that were set but have no effect under the chosen strategy (names only). */
  ignored: string[];
}

export const DEFAULTS = {
  port: 8000,
  hostname: "127.0.0.1",
  apiKeyHeader: "x-api-key",
  rateLimitRps: 10,
  /** When `RATE_LIMIT_BURST` is unset: twice the rate (20 at the default 10 rps), at least 1. */
  burstPerRps: 2,
  preAuthRps: 5,
  preAuthBurst: 100,
  maxBodyBytes: 1_048_576,
} as const;

const STRATEGIES = ["none", "bearer", "api_key", "custom", "jwt", "oauth"] as const satisfies readonly StrategyName[];

// RFC 9110 §5.6.2 token: what a header name may be.
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
// A credential travels in a header: visible ASCII only, no spaces, no commas (the list separator).
const CREDENTIAL = /^[\x21-\x2b\x2d-\x7e]+$/;

type Env = Record<string, string | undefined>;

/** What a variable's parser throws: one line saying what is wrong with the value (never the value of a secret). */
class Invalid extends Error {}
const invalid = (message: string): never => {
  throw new Invalid(message);
};

/** Parses one set variable's (trimmed, non-empty) value, or throws `Invalid`. */
type Parser<T> = (raw: string) => T;

/**
 * Reads one variable through its parser; unset or `""` (compose files write `FOO=`) is `undefined`.
 * Plain functions, not zod schemas: building and first running a zod schema cost start-up ~0.2 ms
 * per variable (measured: `parseEnv` took ~1.7 ms of a compiled server's start with them, ~0.3 ms now).
 */
function read<T>(env: Env, name: string, parse: Parser<T>): T | undefined {
  const raw = env[name]?.trim();
  if (raw === undefined || raw === "") return undefined;
  try {
    return parse(raw);
  } catch (error) {
    if (error instanceof Invalid) throw new ConfigError(name, error.message);
    throw error;
  }
}

const anyString: Parser<string> = (raw) => raw;

/** One of `values`, else `message`. */
const oneOf = <const T extends string>(values: readonly T[], message = `expected one of ${values.join(", ")}`): Parser<T> => (raw) =>
  (values as readonly string[]).includes(raw) ? raw as T : invalid(message);

const matching = (pattern: RegExp, message: string): Parser<string> => (raw) => pattern.test(raw) ? raw : invalid(message);

const atLeast = (length: number, message: string): Parser<string> => (raw) => raw.length >= length ? raw : invalid(message);

const integer = (min: number, max: number, what: string): Parser<number> => (raw) => {
  const n = /^\d+$/.test(raw) ? Number(raw) : NaN;
  return n >= min && n <= max ? n : invalid(`expected ${what}`);
};

/** A plain decimal (`2`, `0.5`, `.5`, `2.`): no sign, exponent or hex. */
const decimal = (raw: string) => /^(\d+(\.\d*)?|\.\d+)$/.test(raw) ? Number(raw) : NaN;

const positiveNumber: Parser<number> = (raw) => {
  const n = decimal(raw);
  return Number.isFinite(n) && n > 0 ? n : invalid("expected a positive number");
};

/** A comma-separated list of secrets (rotation: accept several at once). Never echoes a value. */
const secretList: Parser<string[]> = (raw) => {
  const entries = raw.split(",").map((s) => s.trim());
  for (const [i, entry] of entries.entries()) {
    const problem = entry === ""
      ? "is empty"
      : CREDENTIAL.test(entry)
      ? undefined
      : "contains whitespace or characters outside printable ASCII";
    if (problem) invalid(`entry ${i + 1} of ${entries.length} ${problem}`);
  }
  return entries;
};

const singleSecret = matching(CREDENTIAL, "contains whitespace, a comma or characters outside printable ASCII");

const headerSyntax = matching(HEADER_NAME, "expected an HTTP header name like x-api-key");
const headerName: Parser<string> = (raw) => headerSyntax(raw).toLowerCase();

const httpUrl = (what: string): Parser<string> => (raw) => {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return invalid(`expected an absolute ${what} URL, got "${raw}"`);
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") invalid(`expected an http(s) URL, got scheme "${url.protocol}"`);
  if (url.username || url.password || url.search || url.hash) invalid("must not contain credentials, a query or a fragment");
  return url.origin + url.pathname.replace(/\/+$/, "");
};

/**
 * `CUSTOM_HEADERS=K:V,K2:V2`: pairs split at commas, each at its FIRST colon, so values may
 * contain `:` (URLs, `Basic a:b`) but not `,`.
 */
export function parseCustomHeaders(raw: string): Record<string, string> {
  const headers: Record<string, string> = {};
  const pairs = raw.split(",");
  for (const [i, pair] of pairs.entries()) {
    if (pair.trim() === "") throw new ConfigError("CUSTOM_HEADERS", `pair ${i + 1} is empty; expected K:V,K2:V2`);
    const colon = pair.indexOf(":");
    if (colon < 0) throw new ConfigError("CUSTOM_HEADERS", `pair ${i + 1} has no ':'; expected K:V,K2:V2`);
    const name = pair.slice(0, colon).trim();
    const value = pair.slice(colon + 1).trim();
    if (!HEADER_NAME.test(name)) {
      throw new ConfigError("CUSTOM_HEADERS", `pair ${i + 1} has an invalid header name; expected K:V,K2:V2`);
    }
    if (/[^\t\x20-\x7e]/.test(value)) {
      throw new ConfigError("CUSTOM_HEADERS", `the value for ${name} contains control or non-ASCII characters`);
    }
    headers[name] = value;
  }
  return headers;
}

const store: Parser<StoreConfig> = (raw) => {
  if (raw === "memory") return { kind: "memory" };
  if (raw.startsWith("sqlite:") && raw.length > "sqlite:".length) return { kind: "sqlite", path: raw.slice(7) };
  if (raw === "denokv" || raw === "denokv:") return { kind: "denokv" };
  if (raw.startsWith("denokv:")) return { kind: "denokv", path: raw.slice(7) };
  if (/^rediss?:\/\//.test(raw)) return { kind: "redis", url: raw };
  // Not echoed: a connection string may carry a password.
  return invalid("expected memory, sqlite:<path>, denokv:<path> or redis://host[:port][/db]");
};

const origins: Parser<string[]> = (raw) => {
  const list = raw.split(",").map((s) => s.trim()).filter((s) => s !== "");
  for (const origin of list) {
    if (origin === "*") continue;
    let parsed: string | undefined;
    try {
      parsed = new URL(origin).origin;
    } catch { /* reported below */ }
    if (parsed !== origin.replace(/\/$/, "")) invalid(`"${origin}" is not an origin; expected scheme://host[:port], or *`);
  }
  return list.map((o) => o.replace(/\/$/, ""));
};

const rateLimitRps: Parser<number | null> = (raw) => {
  if (raw === "off" || raw === "0") return null;
  const n = decimal(raw);
  return Number.isFinite(n) && n > 0 ? n : invalid(`expected a positive number of requests per second, or off; got "${raw}"`);
};

const burst: Parser<number> = (raw) => {
  const n = positiveNumber(raw);
  return n >= 1 ? n : invalid("expected a number >= 1");
};

/** A fraction from 0 to 1 (`0.25`, `1`). */
const fraction: Parser<number> = (raw) => {
  const n = decimal(raw);
  return n >= 0 && n <= 1 ? n : invalid("expected a number from 0 to 1");
};

const JWT_VARIABLES = [
  "JWT_PROVIDER",
  "JWT_ISSUER",
  "JWT_AUDIENCE",
  "JWT_JWKS_URI",
  "JWT_ALGORITHMS",
  "JWT_SECRET",
  "JWT_CLOCK_SKEW_SECONDS",
  "JWT_SCOPES",
] as const;

const SECRET_VARIABLES = [
  "BEARER_TOKEN",
  "UPSTREAM_BEARER_TOKEN",
  "API_KEY",
  "UPSTREAM_API_KEY",
  "API_KEY_HEADER",
  "CUSTOM_HEADERS",
  ...JWT_VARIABLES,
] as const;

/** Which strategy applies, and whether it was inferred (DESIGN §4: `api_key` if `API_KEY`, `bearer` if `BEARER_TOKEN`, else `none`). */
function chooseStrategy(env: Env): { strategy: StrategyName; inferred: boolean } {
  const explicit = read(env, "AUTH_STRATEGY", oneOf(STRATEGIES));
  if (explicit) return { strategy: explicit, inferred: false };
  const set = (name: string) => (env[name]?.trim() ?? "") !== "";
  return { strategy: set("API_KEY") ? "api_key" : set("BEARER_TOKEN") ? "bearer" : "none", inferred: true };
}

function authConfig(env: Env, strategy: StrategyName, publicUrl: () => string): AuthConfig {
  const required = <T>(name: string, parse: Parser<T>): T => {
    const value = read(env, name, parse);
    if (value === undefined) throw new ConfigError(name, `required when AUTH_STRATEGY=${strategy}`);
    return value;
  };
  switch (strategy) {
    case "bearer":
      return {
        strategy,
        tokens: required("BEARER_TOKEN", secretList),
        upstreamToken: read(env, "UPSTREAM_BEARER_TOKEN", singleSecret),
      };
    case "api_key":
      return {
        strategy,
        keys: required("API_KEY", secretList),
        header: read(env, "API_KEY_HEADER", headerName) ?? DEFAULTS.apiKeyHeader,
        upstreamKey: read(env, "UPSTREAM_API_KEY", singleSecret),
      };
    case "custom":
      return { strategy, headers: required("CUSTOM_HEADERS", parseCustomHeaders) };
    case "jwt":
      return jwtConfig(env, publicUrl());
    case "none":
    case "oauth":
      return { strategy };
  }
}

/** An http(s) URL an issuer's keys may be fetched from: https, or http only on a loopback host. */
const keyUrl = (what: string): Parser<string> => (raw) => {
  const url = httpUrl(what)(raw);
  return url.startsWith("https://") || isLoopback(new URL(url).hostname) ? url : invalid("expected an https URL (http only for localhost)");
};

/** The `jwt` strategy's variables (issue 4), read once `PUBLIC_URL` is known (it gives the default audience). */
function jwtConfig(env: Env, publicUrl: string): JwtConfig {
  const resource = `${publicUrl}/mcp`;
  const provider = read(env, "JWT_PROVIDER", oneOf(PROVIDERS));
  const secret = read(env, "JWT_SECRET", atLeast(32, "expected at least 32 characters (RFC 7518 §3.2)"));
  const algorithms = read(env, "JWT_ALGORITHMS", (raw) => {
    const list = raw.split(",").map((a) => a.trim()).filter((a) => a !== "");
    for (const alg of list) {
      if (alg.toLowerCase() === "none" || !isJwsAlgorithm(alg)) {
        invalid(`"${alg}" is not supported; expected RS256, RS384, RS512, PS256, PS384, PS512, ES256, ES384, EdDSA or HS256, HS384, HS512`);
      }
    }
    return list.length === 0 ? invalid("expected at least one algorithm") : list as JwsAlgorithm[];
  });
  if (algorithms?.some((a) => a.startsWith("HS")) && secret === undefined) {
    throw new ConfigError("JWT_ALGORITHMS", "HMAC algorithms (HS256…) need JWT_SECRET; keys from a JWKS are never used for them");
  }
  const jwksUri = read(env, "JWT_JWKS_URI", keyUrl("JWKS"));
  const rawIssuer = read(env, "JWT_ISSUER", anyString);
  let preset;
  if (provider) {
    try {
      preset = providerPreset(provider, rawIssuer);
    } catch (error) {
      throw new ConfigError("JWT_ISSUER", `JWT_PROVIDER=${provider}: ${(error as Error).message}`);
    }
  } else if (rawIssuer === undefined) {
    throw new ConfigError("JWT_ISSUER", "required when AUTH_STRATEGY=jwt (the issuer URL of your identity provider, or set JWT_PROVIDER)");
  } else if (jwksUri === undefined && (secret === undefined || algorithms?.some((a) => !a.startsWith("HS")))) {
    // Keys come from the issuer (discovery): it must be a URL we may fetch (read throws otherwise).
    read(env, "JWT_ISSUER", keyUrl("issuer"));
  }
  const list = (name: string) => (read(env, name, anyString) ?? "").split(",").map((s) => s.trim()).filter((s) => s !== "");
  const audience = list("JWT_AUDIENCE");
  return {
    strategy: "jwt",
    provider,
    // The issuer is compared exactly (RFC 7519 §4.1.1), so it is kept as written, trailing slash and all.
    issuer: preset ? [...(typeof preset.issuer === "string" ? [preset.issuer] : preset.issuer)] : rawIssuer!,
    audience: audience.length ? audience : [resource],
    resource,
    jwksUri: jwksUri ?? preset?.jwksUri,
    algorithms,
    secret,
    clockSkewSeconds: read(env, "JWT_CLOCK_SKEW_SECONDS", integer(0, 300, "an integer number of seconds from 0 to 300")) ?? 30,
    scopes: list("JWT_SCOPES").flatMap((s) => s.split(/\s+/)),
    scopeClaim: preset?.scopeClaim,
    audienceClaim: preset?.audienceClaim,
  };
}

/** Which of the strategy-specific variables are set but unused under `strategy`. */
function ignoredVariables(env: Env, strategy: StrategyName): string[] {
  const used: Record<string, readonly string[]> = {
    bearer: ["BEARER_TOKEN", "UPSTREAM_BEARER_TOKEN"],
    api_key: ["API_KEY", "UPSTREAM_API_KEY", "API_KEY_HEADER"],
    custom: ["CUSTOM_HEADERS"],
    jwt: JWT_VARIABLES,
  };
  const mine = used[strategy] ?? [];
  return SECRET_VARIABLES.filter((name) => !mine.includes(name) && (env[name]?.trim() ?? "") !== "");
}

/** Parses the environment. Throws `ConfigError` (one line, naming the variable) on the first problem. */
export function parseEnv(env: Env): Config {
  const { strategy, inferred } = chooseStrategy(env);
  const port = read(env, "PORT", integer(0, 65535, "an integer port from 0 to 65535")) ?? DEFAULTS.port;
  const publicUrl = read(env, "PUBLIC_URL", httpUrl("http(s)")) ?? `http://localhost:${port}`;
  const auth = authConfig(env, strategy, () => publicUrl);
  const hostname = read(env, "HOST", matching(/^[A-Za-z0-9.:\-\[\]%]+$/, "expected a host name or IP address")) ?? DEFAULTS.hostname;

  const rps = read(env, "RATE_LIMIT_RPS", rateLimitRps);
  const rateLimit: RateLimitConfig | null = rps === null ? null : (() => {
    const perSecond = rps ?? DEFAULTS.rateLimitRps;
    return {
      rps: perSecond,
      burst: read(env, "RATE_LIMIT_BURST", burst) ?? Math.max(1, perSecond * DEFAULTS.burstPerRps),
      preAuth: {
        rps: read(env, "RATE_LIMIT_PREAUTH_RPS", positiveNumber) ?? DEFAULTS.preAuthRps,
        burst: read(env, "RATE_LIMIT_PREAUTH_BURST", burst) ?? DEFAULTS.preAuthBurst,
      },
      headers: read(env, "RATE_LIMIT_HEADERS", oneOf(["near-limit", "always"], "expected near-limit or always")) ?? "near-limit",
    };
  })();

  const url = (name: string) => read(env, name, httpUrl("http(s)"));
  return {
    port,
    hostname,
    publicUrl,
    auth,
    strategyInferred: inferred,
    rateLimit,
    store: read(env, "STORE", store) ?? { kind: "memory" },
    allowedOrigins: read(env, "ALLOWED_ORIGINS", origins) ?? [],
    maxBodyBytes: read(env, "MAX_BODY_BYTES", integer(1, Number.MAX_SAFE_INTEGER, "a positive integer number of bytes")) ??
      DEFAULTS.maxBodyBytes,
    oauth: {
      clientId: read(env, "OAUTH_CLIENT_ID", anyString),
      clientSecret: read(env, "OAUTH_CLIENT_SECRET", anyString),
      scopes: (read(env, "OAUTH_SCOPES", anyString) ?? "").split(/[\s,]+/).filter((s) => s !== ""),
      redirectUri: url("OAUTH_REDIRECT_URI"),
      providerClientId: read(env, "PROVIDER_CLIENT_ID", anyString),
      providerClientSecret: read(env, "PROVIDER_CLIENT_SECRET", anyString),
      providerAccountsUrl: url("PROVIDER_ACCOUNTS_URL"),
    },
    audit: {
      enabled: (read(env, "AUDIT_LOG", oneOf(["stdout", "off"], "expected stdout or off")) ?? "stdout") === "stdout",
      successSampleRate: read(env, "AUDIT_SUCCESS_SAMPLE", fraction) ?? 0,
    },
    logLevel: read(env, "LOG_LEVEL", oneOf(["debug", "info", "warn", "error"], "expected debug, info, warn or error")) ?? "info",
    requestIdHeader: read(env, "REQUEST_ID_HEADER", oneOf(["errors", "always"], "expected errors or always")) ?? "errors",
    toolsApi: (read(env, "TOOLS_API", oneOf(["on", "off"], "expected on or off")) ?? "off") === "on",
    secret: read(env, "GATEHOUSE_SECRET", atLeast(32, "expected at least 32 characters")),
    ignored: ignoredVariables(env, strategy),
  };
}

/** The strategy the configuration describes. `oauth` is not built yet and says so. */
export function strategyFromConfig(config: Pick<Config, "auth">): AuthStrategy {
  const auth = config.auth;
  switch (auth.strategy) {
    case "none":
      return none();
    case "bearer":
      return auth.upstreamToken === undefined
        ? bearer({ tokens: auth.tokens })
        : bearer({ tokens: auth.tokens, upstreamToken: auth.upstreamToken });
    case "api_key":
      return auth.upstreamKey === undefined
        ? apiKey({ keys: auth.keys, header: auth.header })
        : apiKey({ keys: auth.keys, header: auth.header, upstreamKey: auth.upstreamKey });
    case "custom":
      return custom({ headers: auth.headers });
    case "jwt":
      return jwtStrategyFromConfig(auth);
    case "oauth":
      throw new ConfigError("AUTH_STRATEGY", "oauth needs the store: build it with oauth(oauthOptionsFromEnv(env, { publicUrl, store }))");
  }
}

function jwtStrategyFromConfig(auth: JwtConfig): AuthStrategy {
  const common = {
    issuer: auth.issuer,
    audience: auth.audience,
    resource: auth.resource,
    jwksUri: auth.jwksUri,
    clockSkewSeconds: auth.clockSkewSeconds,
    scopes: auth.scopes,
    scopeClaim: auth.scopeClaim,
    audienceClaim: auth.audienceClaim,
  };
  try {
    return jwt(
      auth.secret === undefined
        ? { ...common, algorithms: auth.algorithms } as JwtOptions
        : { ...common, secret: auth.secret, algorithms: auth.algorithms },
    );
  } catch (error) {
    throw new ConfigError("AUTH_STRATEGY", `jwt: ${(error as Error).message}`);
  }
}

/** True for addresses only this machine can reach. */
export function isLoopback(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, "").toLowerCase();
  return host === "localhost" || host === "::1" || /^127(\.\d{1,3}){3}$/.test(host);
}

/** Minimum length below which a static secret is flagged as guessable. */
const MIN_SECRET_LENGTH = 32;

/** Human-readable warnings for start-up (names and counts only, never a value). */
export function startupWarnings(config: Config): string[] {
  const warnings: string[] = [];
  const exposed = !isLoopback(config.hostname);
  if (config.auth.strategy === "none" && exposed) {
    warnings.push(
      `!!! AUTH_STRATEGY=none on ${config.hostname}: ANYONE who can reach port ${config.port} can call every tool. ` +
        "Set BEARER_TOKEN or API_KEY, or bind HOST=127.0.0.1.",
    );
  }
  if (config.auth.strategy === "custom" && exposed) {
    warnings.push(
      `!!! AUTH_STRATEGY=custom from the environment checks no inbound credential; on ${config.hostname} anyone can call every tool. ` +
        "Use custom({ verify }) in code, or bind HOST=127.0.0.1.",
    );
  }
  const secrets = config.auth.strategy === "bearer"
    ? { name: "BEARER_TOKEN", list: config.auth.tokens }
    : config.auth.strategy === "api_key"
    ? { name: "API_KEY", list: config.auth.keys }
    : undefined;
  secrets?.list.forEach((secret, i) => {
    if (secret.length < MIN_SECRET_LENGTH) {
      warnings.push(
        `${secrets.name} entry ${i + 1} is shorter than ${MIN_SECRET_LENGTH} characters and may be guessable; ` +
          "generate one with `gatehouse keygen`.",
      );
    }
  });
  if (config.ignored.length) {
    const why = config.strategyInferred ? `AUTH_STRATEGY was inferred as ${config.auth.strategy}` : `AUTH_STRATEGY=${config.auth.strategy}`;
    warnings.push(`${config.ignored.join(", ")} ${config.ignored.length === 1 ? "is" : "are"} set but ignored: ${why}.`);
  }
  if (config.allowedOrigins.includes("*")) {
    warnings.push("ALLOWED_ORIGINS=* lets any web page call this server from a browser; list the origins you trust.");
  }
  if (config.rateLimit === null) warnings.push("RATE_LIMIT_RPS=off: requests are not rate limited.");
  return warnings;
}
