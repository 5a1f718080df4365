/** @module The `api_key` strategy: static keys in a configurable header (default `x-api-key`), compared in constant time, several at once for rotation. */
import type { AuthResult, AuthStrategy } from "./strategy.ts";
import { matchesAny } from "../crypto/compare.ts";
import { staticSuccesses, validateSecrets } from "./bearer.ts";

/** The header `apiKey()` reads when none is given. */
export const DEFAULT_API_KEY_HEADER = "x-api-key";

interface ApiKeyCommon {
  /** The header carrying the key; matched case-insensitively (RFC 9110 §5.1). Default `x-api-key`. */
  header?: string;
  /** Sent upstream instead of the presented key, so a client's key is never passed through. */
  upstreamKey?: string;
}

/**
 * Options of {@link apiKey}: `key` or `keys` (rotation), never both; `header` (default `x-api-key`,
 * matched case-insensitively); `upstreamKey`, sent upstream instead of the presented key.
 *
 * @example
 * ```ts
 * import { apiKey, type ApiKeyOptions } from "gatehouse";
 *
 * const options: ApiKeyOptions = { keys: ["key-current-0123456789", "key-next-9876543210"], header: "x-goog-api-key" };
 * const auth = apiKey(options);
 * ```
 */
export type ApiKeyOptions =
  | (ApiKeyCommon & { key: string; keys?: never })
  | (ApiKeyCommon & { keys: readonly string[]; key?: never });

/** An `api_key` strategy also says which header it reads, so a refusal can name it. */
export interface ApiKeyStrategy extends AuthStrategy {
  readonly name: "api_key";
  /** Lower-cased header name. */
  readonly header: string;
}

/**
 * Static API keys in a header (default `x-api-key`), compared with every configured key in constant
 * time. On success the identity's `subject` and `credentialId` are a fingerprint of the matched key,
 * with no scopes; `providerToken` and `resolvedHeaders` (`{ [header]: key }`) carry `upstreamKey`, or
 * else the presented key. A refusal is 401 with `WWW-Authenticate: ApiKey header="…"` and a JSON body
 * naming the header, not a `Bearer` challenge (which would send MCP clients into OAuth discovery).
 *
 * Throws `TypeError` when no key is given, a key is empty or has whitespace or non-ASCII characters,
 * or `header` is not a valid header name.
 *
 * @example
 * ```ts
 * import { apiKey, createServer } from "gatehouse";
 *
 * export default createServer({
 *   name: "reports",
 *   version: "1.0.0",
 *   auth: apiKey({ keys: ["key-current-0123456789", "key-next-9876543210"], upstreamKey: "reports-backend-key" }),
 * });
 * ```
 */
export function apiKey(options: ApiKeyOptions): ApiKeyStrategy {
  const keys: readonly string[] = "keys" in options && options.keys ? [...options.keys] : [options.key as string];
  validateSecrets("apiKey", keys);
  if (options.upstreamKey !== undefined) validateSecrets("apiKey upstreamKey", [options.upstreamKey]);
  const header = (options.header ?? DEFAULT_API_KEY_HEADER).toLowerCase();
  if (!/^[!#$%&'*+.^_`|~0-9a-z-]+$/.test(header)) throw new TypeError("apiKey: header must be a valid HTTP header name");
  const upstream = options.upstreamKey;
  const successFor = staticSuccesses("api_key", keys, (key) => {
    const providerToken = upstream ?? key;
    return { providerToken, resolvedHeaders: { [header]: providerToken } };
  });

  return {
    name: "api_key",
    header,
    authenticate(request): AuthResult | Promise<AuthResult> {
      // Headers.get is case-insensitive and joins repeated headers with ", ", which never matches.
      const presented = request.headers.get(header);
      if (presented === null || presented === "") {
        return { ok: false, description: `Missing API key: send it in the '${header}' header` };
      }
      const index = matchesAny(presented, keys);
      if (index < 0) return { ok: false, error: "invalid_token", description: `The API key in the '${header}' header is not valid` };
      return successFor(index);
    },
  };
}
