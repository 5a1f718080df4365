/** @module Refusals in the protocol's words: RFC 6750 `WWW-Authenticate` challenges and the 400/401/403 responses that carry them. */
import type { AuthFailure } from "./strategy.ts";

/** The RFC 6750 §3.1 error codes a resource server sends. */
export type BearerErrorCode = "invalid_request" | "invalid_token" | "insufficient_scope";

export interface BearerChallengeOptions {
  /** RFC 6750 §3.1: omitted when the request carried no credential at all. */
  error?: BearerErrorCode;
  /** Human-readable; RFC 6750 §3 restricts it to %x20-21 / %x23-5B / %x5D-7E, so it is sanitized. */
  description?: string;
  /** RFC 6750 §3: space-delimited scopes needed to access the resource. */
  scopes?: readonly string[];
  /** RFC 9728 §5.1: where the protected-resource metadata lives. */
  resourceMetadataUrl?: string;
}

/**
 * Builds a `Bearer` challenge (RFC 6750 §3, RFC 9728 §5.1), e.g.
 * `Bearer error="invalid_token", error_description="…", scope="a b", resource_metadata="https://…"`.
 * With nothing to say it is the bare scheme `Bearer`.
 */
export function bearerChallenge(options: BearerChallengeOptions = {}): string {
  const params: string[] = [];
  if (options.error) params.push(`error=${quote(options.error)}`);
  if (options.description) params.push(`error_description=${quote(describe(options.description))}`);
  const scope = scopeValue(options.scopes);
  if (scope) params.push(`scope=${quote(scope)}`);
  if (options.resourceMetadataUrl) params.push(`resource_metadata=${quote(options.resourceMetadataUrl)}`);
  return params.length ? `Bearer ${params.join(", ")}` : "Bearer";
}

/**
 * The challenge for an API key sent in a header. There is no registered scheme for this, so it is
 * a plain RFC 9110 §11.3 challenge naming the header, e.g. `ApiKey header="x-api-key"`. It is
 * deliberately not `Bearer`: that would send MCP clients into OAuth discovery that cannot succeed.
 */
export function apiKeyChallenge(header: string): string {
  return `ApiKey header=${quote(header)}`;
}

/**
 * The step-up challenge (RFC 6750 §3.1 `insufficient_scope`; MCP authorization "Scope challenge
 * handling"): lists every scope the operation needs, not only the missing ones, so one round of
 * re-authorization is enough.
 */
export function insufficientScopeChallenge(options: {
  scopes: readonly string[];
  resourceMetadataUrl?: string;
  description?: string;
}): string {
  return bearerChallenge({
    error: "insufficient_scope",
    description: options.description,
    scopes: options.scopes,
    resourceMetadataUrl: options.resourceMetadataUrl,
  });
}

/** How the refused strategy expects its credential, which decides the challenge scheme. */
export type ChallengeScheme =
  | { kind: "bearer" }
  | { kind: "api_key"; header: string };

export interface UnauthorizedOptions {
  scheme?: ChallengeScheme;
  resourceMetadataUrl?: string;
  scopes?: readonly string[];
}

/**
 * Answers an authentication failure: 400 for a malformed credential (RFC 6750 §3.1
 * `invalid_request`), otherwise 401 (RFC 9110 §15.5.2, which requires a `WWW-Authenticate`).
 * The JSON body is `{ error, error_description }`; `error` is `unauthorized` when no credential
 * was sent. Nothing the client sent is echoed.
 */
export function unauthorizedResponse(failure: AuthFailure, options: UnauthorizedOptions = {}): Response {
  const scheme = options.scheme ?? { kind: "bearer" };
  const challenge = scheme.kind === "api_key" ? apiKeyChallenge(scheme.header) : bearerChallenge({
    error: failure.error,
    description: failure.error ? failure.description : undefined,
    scopes: options.scopes,
    resourceMetadataUrl: options.resourceMetadataUrl,
  });
  return jsonError(failure.error === "invalid_request" ? 400 : 401, {
    error: failure.error ?? "unauthorized",
    error_description: failure.description,
  }, { "www-authenticate": challenge });
}

/**
 * Answers an authenticated caller who lacks scopes: 403 with the step-up challenge (RFC 6750
 * §3.1). `scopes` is every scope the operation needs; `missing` (when given) is named in the body.
 */
export function insufficientScopeResponse(options: {
  scopes: readonly string[];
  missing?: readonly string[];
  resourceMetadataUrl?: string;
  description?: string;
}): Response {
  const missing = options.missing ?? options.scopes;
  const description = options.description ?? `Missing required scope: ${missing.join(" ")}`;
  return jsonError(403, { error: "insufficient_scope", error_description: description, scope: scopeValue(options.scopes) }, {
    "www-authenticate": insufficientScopeChallenge({
      scopes: options.scopes,
      resourceMetadataUrl: options.resourceMetadataUrl,
      description,
    }),
  });
}

/** A JSON error body that is never cached (RFC 6749 §5.1 asks the same of token responses). */
export function jsonError(status: number, body: Record<string, unknown>, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json", "cache-control": "no-store", ...headers },
  });
}

/** RFC 9110 §5.6.4 quoted-string: backslash-escape `"` and `\`; drop what a header cannot carry. */
export function quote(value: string): string {
  return `"${value.replace(/[^\t\x20-\x7e]/g, "").replace(/["\\]/g, (c) => `\\${c}`)}"`;
}

/** RFC 6750 §3: `error_description` may not contain `"` or `\` at all (not even escaped). */
function describe(text: string): string {
  return text.replace(/"/g, "'").replace(/\\/g, "/").replace(/[^\x20-\x7e]/g, "");
}

/** RFC 6750 §3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E ), joined by single spaces. */
function scopeValue(scopes: readonly string[] | undefined): string {
  if (!scopes) return "";
  return scopes.filter((s) => /^[\x21\x23-\x5b\x5d-\x7e]+$/.test(s)).join(" ");
}
