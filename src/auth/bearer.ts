/** @module The `bearer` strategy: static shared tokens in `Authorization: Bearer …` (RFC 6750 §2.1), compared in constant time, several at once for rotation. */
import type { AuthFailure, AuthResult, AuthStrategy } from "./strategy.ts";
import { matchesAny } from "../crypto/compare.ts";
import { sha256Hex } from "../crypto/hash.ts";

/**
 * Options of {@link bearer}: `token` (one) or `tokens` (several, for rotation), never both (a compile
 * error). Each must be printable ASCII without spaces. `upstreamToken`, when set, is what tools get as
 * `providerToken` and in `resolvedHeaders` instead of the presented token, so the secret a client
 * holds is never the one sent on (MCP authorization: no token passthrough).
 *
 * @example
 * ```ts
 * import { bearer, type BearerOptions } from "gatehouse";
 *
 * const options: BearerOptions = {
 *   tokens: ["token-2025-current-0123456789", "token-2026-next-9876543210"],
 *   upstreamToken: "upstream-api-token-abcdef",
 * };
 * const auth = bearer(options);
 * ```
 */
export type BearerOptions =
  | { token: string; tokens?: never; upstreamToken?: string }
  | { tokens: readonly string[]; token?: never; upstreamToken?: string };

/** What an `Authorization` header holds, as far as the Bearer scheme is concerned. */
export type BearerCredential =
  | { kind: "missing" }
  /** Another scheme (Basic, Digest…): RFC 6750 §3.1 treats it as no credential at all. */
  | { kind: "other_scheme" }
  /** `Bearer` with no token, or with more than one part: RFC 6750 §3.1 `invalid_request`. */
  | { kind: "malformed" }
  | { kind: "token"; token: string };

const MISSING: BearerCredential = Object.freeze({ kind: "missing" });
/** RFC 6750 §2.1 b64token, loosely: one run of visible ASCII. */
const VISIBLE = /^[\x21-\x7e]+$/;

/**
 * Reads `Authorization: Bearer <token>`. The scheme is case-insensitive (RFC 9110 §11.1); the
 * token is one run of visible characters (RFC 6750 §2.1 b64token) and is never trimmed inside.
 * Tokens in the query string are never read (MCP authorization: header only).
 */
export function bearerCredential(request: Request): BearerCredential {
  return credentialIn(request.headers.get("authorization"));
}

function credentialIn(header: string | null): BearerCredential {
  if (header === null) return MISSING;
  // The usual shape, `Bearer <token>` with one space and nothing around it, needs no regex.
  if (header.startsWith("Bearer ") && VISIBLE.test(header.slice(7))) return { kind: "token", token: header.slice(7) };
  if (header.trim() === "") return MISSING;
  const match = /^([^\s]+)(?:[ \t]+(.*))?$/s.exec(header.trim());
  if (!match || match[1].toLowerCase() !== "bearer") return { kind: "other_scheme" };
  const token = match[2] ?? "";
  if (token === "" || !VISIBLE.test(token)) return { kind: "malformed" };
  return { kind: "token", token };
}

/** A stable, non-secret fingerprint of a configured secret: a truncated SHA-256, computed once at start-up. */
export async function credentialFingerprint(prefix: string, secret: string): Promise<string> {
  return `${prefix}:${(await sha256Hex(secret)).slice(0, 16)}`;
}

/**
 * The success of each configured static secret (bearer tokens, API keys), frozen and built once its
 * fingerprint exists: the identity's `subject` and `credentialId` are the fingerprint, with no
 * scopes. Hashing is asynchronous (SubtleCrypto) but happens once at start-up, off the per-request
 * path (DESIGN §8), so a request presenting a valid secret allocates nothing and, once the
 * fingerprints exist, gets its answer synchronously.
 */
export function staticSuccesses(
  strategy: "bearer" | "api_key",
  secrets: readonly string[],
  outbound: (secret: string) => { providerToken: string; resolvedHeaders: Record<string, string> },
): (index: number) => AuthResult | Promise<AuthResult> {
  let successes: AuthResult[] | undefined;
  const ready = Promise.all(secrets.map((s) => credentialFingerprint(strategy, s))).then((ids) =>
    successes = ids.map((credentialId, index) => {
      const { providerToken, resolvedHeaders } = outbound(secrets[index]);
      return Object.freeze({
        ok: true as const,
        identity: Object.freeze({ strategy, subject: credentialId, scopes: Object.freeze([]) as readonly string[], credentialId }),
        providerToken,
        resolvedHeaders: Object.freeze(resolvedHeaders),
      });
    })
  );
  ready.catch(() => {}); // surfaced on the first request (a 503) instead of as an unhandled rejection
  return (index) => successes ? successes[index] : ready.then((all) => all[index]);
}

/** Checks a secret list for what could never arrive intact in a header. Messages name positions, never values. */
export function validateSecrets(kind: string, secrets: readonly string[]): void {
  if (secrets.length === 0) throw new TypeError(`${kind}: at least one secret is required`);
  secrets.forEach((secret, i) => {
    if (typeof secret !== "string" || !/^[\x21-\x7e]+$/.test(secret)) {
      throw new TypeError(`${kind}: secret ${i + 1} is empty or contains whitespace or non-ASCII characters`);
    }
  });
}

/**
 * The token of `Authorization: Bearer <token>` for strategies that validate issued access tokens
 * (jwt, oauth), or the RFC 6750 refusal to answer with: none presented (no error code), or malformed.
 */
export function accessTokenOf(request: Request): { token: string } | AuthFailure {
  return accessTokenIn(request.headers.get("authorization"));
}

function accessTokenIn(header: string | null): { token: string } | AuthFailure {
  const credential = credentialIn(header);
  switch (credential.kind) {
    case "missing":
    case "other_scheme":
      return { ok: false, description: "Missing access token; expected 'Authorization: Bearer <token>'" };
    case "malformed":
      return {
        ok: false,
        error: "invalid_request",
        description: "Malformed Authorization header; expected exactly one token after 'Bearer'",
      };
  }
  return { token: credential.token };
}

/**
 * Authenticates an access token (jwt, oauth) through a cache of tokens already validated. A hit on
 * the usual `Bearer <token>` needs no syntax check, being byte-identical to a token that passed them
 * (on a long JWT the check is most of a hit's cost, measured ~0.3 µs). Otherwise the header is parsed
 * as `accessTokenOf` does, looked up again if it was written unusually (`bearer` in lower case), and
 * the token handed to `validate`.
 */
export function cachedAccessToken(
  request: Request,
  lookup: (token: string) => AuthResult | undefined,
  validate: (token: string) => AuthResult | Promise<AuthResult>,
): AuthResult | Promise<AuthResult> {
  const header = request.headers.get("authorization");
  const usual = header !== null && header.startsWith("Bearer ") ? header.slice(7) : undefined;
  const hit = usual === undefined ? undefined : lookup(usual);
  if (hit) return hit;
  const credential = accessTokenIn(header);
  if (!("token" in credential)) return credential;
  return (credential.token === usual ? undefined : lookup(credential.token)) ?? validate(credential.token);
}

/**
 * Static shared tokens in `Authorization: Bearer <token>` (RFC 6750 §2.1). The presented token is
 * compared with every configured token in constant time (no early exit, so timing does not reveal
 * which one matched or how much of it); the scheme name is case-insensitive; tokens in the query
 * string are never read. On success the identity's `subject` and `credentialId` are a fingerprint
 * (truncated SHA-256) of the matched token, never the token, with no scopes; `providerToken` and
 * `resolvedHeaders.Authorization` carry `upstreamToken`, or else the presented token.
 *
 * Refusals: no credential or another scheme, 401 without an error code; a wrong token, 401
 * `invalid_token`; `Bearer` with no or several tokens, 400 `invalid_request`.
 *
 * Throws `TypeError` when no token is given or one is empty or contains whitespace or non-ASCII
 * characters (the message names its position, never its value).
 *
 * @example
 * ```ts
 * import { bearer, createServer } from "gatehouse";
 *
 * export default createServer({
 *   name: "internal",
 *   version: "1.0.0",
 *   auth: bearer({ token: Deno.env.get("MCP_TOKEN") ?? "dev-only-token-change-me" }),
 * });
 * ```
 */
export function bearer(options: BearerOptions): AuthStrategy {
  const tokens: readonly string[] = "tokens" in options && options.tokens ? [...options.tokens] : [options.token as string];
  validateSecrets("bearer", tokens);
  if (options.upstreamToken !== undefined) validateSecrets("bearer upstreamToken", [options.upstreamToken]);
  const upstream = options.upstreamToken;
  const successFor = staticSuccesses("bearer", tokens, (token) => {
    const providerToken = upstream ?? token;
    return { providerToken, resolvedHeaders: { Authorization: `Bearer ${providerToken}` } };
  });

  return {
    name: "bearer",
    authenticate(request): AuthResult | Promise<AuthResult> {
      const header = request.headers.get("authorization");
      // The usual `Bearer <token>` is compared first: a configured token is visible ASCII (checked
      // above), so one that matches needs no syntax check (on a long token most of the cost).
      if (header !== null && header.startsWith("Bearer ")) {
        const index = matchesAny(header.slice(7), tokens);
        if (index >= 0) return successFor(index);
      }
      const credential = credentialIn(header);
      switch (credential.kind) {
        case "missing":
          return { ok: false, description: "Missing Authorization header; expected 'Authorization: Bearer <token>'" };
        case "other_scheme":
          return { ok: false, description: "Unsupported authorization scheme; expected 'Authorization: Bearer <token>'" };
        case "malformed":
          return {
            ok: false,
            error: "invalid_request",
            description: "Malformed Authorization header; expected exactly one token after 'Bearer'",
          };
      }
      // Every configured token is compared, whatever matches (no early exit: DESIGN §5).
      const index = matchesAny(credential.token, tokens);
      if (index < 0) return { ok: false, error: "invalid_token", description: "The bearer token is not valid" };
      return successFor(index);
    },
  };
}
