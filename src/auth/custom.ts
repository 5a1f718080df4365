/** @module The `custom` strategy: fixed outbound headers (`CUSTOM_HEADERS`), and/or your own `verify(request)` hook deciding who gets in. */
import type { Identity } from "./identity.ts";
import type { AuthResult, AuthStrategy } from "./strategy.ts";

/** What a `verify` hook returns: an Identity, where `strategy` and `scopes` may be left out. */
export type VerifiedIdentity = Omit<Identity, "strategy" | "scopes"> & { strategy?: "custom"; scopes?: readonly string[] };

/** The hook: inspect the request's headers (not its body, which the MCP transport still needs). */
export type CustomVerify = (request: Request) => VerifiedIdentity | null | Promise<VerifiedIdentity | null>;

/**
 * Options of {@link custom}: either `{ headers }` alone, which fixes the outbound headers and checks
 * NO inbound credential (everyone is admitted, as with `none`), or `{ verify, headers? }`, where your
 * hook decides who gets in.
 *
 * @example
 * ```ts
 * import { custom, type CustomOptions } from "gatehouse";
 *
 * const outboundOnly: CustomOptions = { headers: { "x-tenant": "acme" } };
 * const auth = custom(outboundOnly);
 * ```
 */
export type CustomOptions =
  /** Outbound headers only. Checks NO inbound credential: everyone is admitted, as with `none`. */
  | { headers: Readonly<Record<string, string>>; verify?: never }
  /** Your hook decides; `null` refuses with 401. `headers` become `resolvedHeaders` when given. */
  | { verify: CustomVerify; headers?: Readonly<Record<string, string>> };

/**
 * Your own authentication. With `verify(request)`: return who the caller is (an {@link Identity}
 * without `strategy`; `scopes` default to `[]`) or `null` to refuse with 401 (`invalid_token` when
 * an `Authorization` header was sent, no error code otherwise). The hook sees the headers only (the
 * body belongs to the MCP transport); what it returns is trusted as is, so it must do the actual
 * verification. A hook that throws is answered 503 with `Retry-After: 1` (the credential was not
 * judged, so clients keep it). `headers` become `resolvedHeaders`;
 * `providerToken` is never set.
 *
 * Throws `TypeError` when a header name is invalid or a value contains CR, LF or NUL.
 *
 * @example
 * ```ts
 * import { createServer, custom } from "gatehouse";
 *
 * const sessions = new Map([["s3cr3t-session-id", { user: "ada", scopes: ["notes:read"] }]]);
 *
 * export default createServer({
 *   name: "notes",
 *   version: "1.0.0",
 *   auth: custom({
 *     verify: (request) => {
 *       const session = sessions.get(request.headers.get("x-session") ?? "");
 *       return session ? { subject: session.user, scopes: session.scopes } : null;
 *     },
 *     headers: { "x-tenant": "acme" },
 *   }),
 * });
 * ```
 */
export function custom(options: CustomOptions): AuthStrategy {
  const headers = { ...(options.headers ?? {}) };
  for (const [name, value] of Object.entries(headers)) {
    if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name) || /[\r\n\0]/.test(value)) {
      throw new TypeError(`custom: header "${name.replace(/[^\x20-\x7e]/g, "?")}" has an invalid name or value`);
    }
  }
  const verify = options.verify;

  return {
    name: "custom",
    async authenticate(request): Promise<AuthResult> {
      if (!verify) return { ok: true, identity: { strategy: "custom", scopes: [] }, resolvedHeaders: { ...headers } };
      const verified = await verify(request);
      if (!verified) {
        // RFC 6750 §3.1: an error code only when the client actually sent a credential.
        const sent = request.headers.has("authorization");
        return sent
          ? { ok: false, error: "invalid_token", description: "The credentials were not accepted" }
          : { ok: false, description: "Authentication required" };
      }
      return {
        ok: true,
        identity: { ...verified, strategy: "custom", scopes: verified.scopes ?? [] },
        resolvedHeaders: { ...headers },
      };
    },
  };
}
