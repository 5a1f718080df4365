/** @module The oauth strategy's environment (`AUTH_STRATEGY=oauth`): OAUTH_* and PROVIDER_* variables parsed into `oauth()` options; every problem is a `ConfigError` naming the variable, never echoing a secret. */
import { ConfigError } from "./env.ts";
import type { KV } from "../store/kv.ts";
import type { OAuthOptions } from "../oauth/strategy.ts";
import { checkProviderUrl, type ProviderOptions } from "../oauth/upstream.ts";

type Env = Record<string, string | undefined>;

const PRESETS = ["google", "github"] as const;
/** RFC 6749 §3.3 scope-token. */
const SCOPE_TOKEN = /^[\x21\x23-\x5b\x5d-\x7e]+$/;
const CREDENTIAL = /^[\x21-\x7e]+$/;
/** The static client's secret protects every code issued to it: it must not be guessable. */
const MIN_CLIENT_SECRET = 32;

const get = (env: Env, name: string): string | undefined => {
  const v = env[name]?.trim();
  return v === "" ? undefined : v;
};

function url(env: Env, name: string): string | undefined {
  const raw = get(env, name);
  if (raw === undefined) return undefined;
  try {
    return checkProviderUrl(name, raw);
  } catch (error) {
    throw new ConfigError(name, (error as Error).message.replace(`${name}: `, ""));
  }
}

function credential(env: Env, name: string, required: boolean): string | undefined {
  const v = get(env, name);
  if (v === undefined) {
    if (required) throw new ConfigError(name, "required when AUTH_STRATEGY=oauth");
    return undefined;
  }
  if (!CREDENTIAL.test(v)) throw new ConfigError(name, "contains whitespace or characters outside printable ASCII");
  return v;
}

/**
 * Parses the oauth variables into options for `oauth()`. `publicUrl` is the issuer (`PUBLIC_URL`).
 *
 * - `PROVIDER` (`google` | `github`): a preset; `PROVIDER_ACCOUNTS_URL`: the issuer to discover
 *   (or the userinfo URL when `PROVIDER_AUTHORIZE_URL` and `PROVIDER_TOKEN_URL` are both set);
 *   explicit `PROVIDER_AUTHORIZE_URL` / `PROVIDER_TOKEN_URL` / `PROVIDER_USERINFO_URL` override.
 * - `PROVIDER_CLIENT_ID`, `PROVIDER_CLIENT_SECRET`: required.
 * - `OAUTH_SCOPES`: requested upstream and offered to MCP clients (space or comma separated).
 * - `OAUTH_REDIRECT_URI`: our callback as registered at the provider; must be on `PUBLIC_URL`.
 * - `OAUTH_CLIENT_ID` + `OAUTH_CLIENT_SECRET`: a pre-registered confidential client (both or neither).
 * - `OAUTH_TOKEN_CACHE_MS`: how long a validated access token is remembered per process (default
 *   60000; `0` turns the cache off, so every request reads the store).
 *
 * Throws `ConfigError` (`error.variable` names the variable; the message is `VARIABLE: problem` and
 * never contains a secret). Nothing is fetched: provider discovery happens later, in `oauth()`'s
 * first login.
 *
 * @example
 * ```ts
 * import { createServer, memoryStore, oauth, oauthOptionsFromEnv } from "gatehouse";
 *
 * const publicUrl = Deno.env.get("PUBLIC_URL") ?? "http://localhost:8000";
 * const store = memoryStore();
 * // PROVIDER=github PROVIDER_CLIENT_ID=… PROVIDER_CLIENT_SECRET=… OAUTH_SCOPES=read:user
 * const auth = oauth(oauthOptionsFromEnv(Deno.env.toObject(), { publicUrl, store }));
 * export default createServer({ name: "github-tools", version: "1.0.0", publicUrl, store, auth });
 * ```
 */
export function oauthOptionsFromEnv(env: Env, context: { publicUrl: string; store: KV }): OAuthOptions {
  const presetRaw = get(env, "PROVIDER")?.toLowerCase();
  if (presetRaw !== undefined && !PRESETS.includes(presetRaw as typeof PRESETS[number])) {
    throw new ConfigError("PROVIDER", `expected one of ${PRESETS.join(", ")}, got "${presetRaw.slice(0, 40)}"`);
  }
  const preset = presetRaw as ProviderOptions["preset"];
  const accountsUrl = url(env, "PROVIDER_ACCOUNTS_URL");
  const authorizeUrl = url(env, "PROVIDER_AUTHORIZE_URL");
  const tokenUrl = url(env, "PROVIDER_TOKEN_URL");
  const userinfoUrl = url(env, "PROVIDER_USERINFO_URL");
  if (!preset && !accountsUrl) {
    if (!authorizeUrl && !tokenUrl) {
      throw new ConfigError(
        "PROVIDER_ACCOUNTS_URL",
        "required when AUTH_STRATEGY=oauth unless PROVIDER is set or PROVIDER_AUTHORIZE_URL and PROVIDER_TOKEN_URL are",
      );
    }
    if (!authorizeUrl) throw new ConfigError("PROVIDER_AUTHORIZE_URL", "required together with PROVIDER_TOKEN_URL");
    if (!tokenUrl) throw new ConfigError("PROVIDER_TOKEN_URL", "required together with PROVIDER_AUTHORIZE_URL");
  }
  const clientId = credential(env, "PROVIDER_CLIENT_ID", true)!;
  const clientSecret = credential(env, "PROVIDER_CLIENT_SECRET", true)!;

  let scopes: string[] | undefined;
  const rawScopes = get(env, "OAUTH_SCOPES");
  if (rawScopes !== undefined) {
    scopes = [...new Set(rawScopes.split(/[\s,]+/).filter((x) => x !== ""))];
    const bad = scopes.findIndex((x) => !SCOPE_TOKEN.test(x));
    if (bad >= 0) throw new ConfigError("OAUTH_SCOPES", `scope ${bad + 1} contains characters a scope may not have`);
  }

  let issuer: URL;
  try {
    issuer = new URL(context.publicUrl);
  } catch {
    throw new ConfigError("PUBLIC_URL", "expected an absolute URL");
  }
  const redirectRaw = get(env, "OAUTH_REDIRECT_URI");
  let redirectUri: string | undefined;
  if (redirectRaw !== undefined) {
    let parsed: URL;
    try {
      parsed = new URL(redirectRaw);
    } catch {
      throw new ConfigError("OAUTH_REDIRECT_URI", "expected an absolute URL");
    }
    if (parsed.origin !== issuer.origin) {
      throw new ConfigError("OAUTH_REDIRECT_URI", `must be on PUBLIC_URL (${issuer.origin}), where Gatehouse serves it`);
    }
    if (parsed.search || parsed.hash) throw new ConfigError("OAUTH_REDIRECT_URI", "must not contain a query or fragment");
    redirectUri = parsed.href;
  }

  const staticId = credential(env, "OAUTH_CLIENT_ID", false);
  const staticSecret = credential(env, "OAUTH_CLIENT_SECRET", false);
  if (staticId && !staticSecret) {
    throw new ConfigError("OAUTH_CLIENT_SECRET", "required when OAUTH_CLIENT_ID is set (the static client is confidential)");
  }
  if (staticSecret && !staticId) throw new ConfigError("OAUTH_CLIENT_ID", "required when OAUTH_CLIENT_SECRET is set");
  if (staticSecret && staticSecret.length < MIN_CLIENT_SECRET) {
    throw new ConfigError(
      "OAUTH_CLIENT_SECRET",
      `must be at least ${MIN_CLIENT_SECRET} characters (generate one: openssl rand -base64 32)`,
    );
  }

  const cacheRaw = get(env, "OAUTH_TOKEN_CACHE_MS");
  const cacheMs = cacheRaw === undefined ? undefined : Number(cacheRaw);
  if (cacheMs !== undefined && (!/^\d+$/.test(cacheRaw!) || cacheMs > 3_600_000)) {
    throw new ConfigError("OAUTH_TOKEN_CACHE_MS", "expected milliseconds from 0 (off) to 3600000");
  }

  const provider: ProviderOptions = {
    clientId,
    clientSecret,
    ...(preset ? { preset } : {}),
    ...(accountsUrl ? { accountsUrl } : {}),
    ...(authorizeUrl ? { authorizeUrl } : {}),
    ...(tokenUrl ? { tokenUrl } : {}),
    ...(userinfoUrl ? { userinfoUrl } : {}),
    ...(scopes ? { scopes } : {}),
  };
  return {
    issuer: context.publicUrl,
    store: context.store,
    provider,
    ...(scopes ? { scopes } : {}),
    ...(redirectUri ? { redirectUri } : {}),
    ...(staticId && staticSecret ? { staticClient: { clientId: staticId, clientSecret: staticSecret } } : {}),
    ...(cacheMs !== undefined ? { accessTokenCache: cacheMs === 0 ? false : { ttlMs: cacheMs } } : {}),
  };
}
