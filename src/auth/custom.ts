/** @module The `custom` strategy: fixed outbound headers (`CUSTOM_HEADERS`), and/or your own `verify(request)` hook deciding who gets in. */
import type { Identity } from "./identity.ts";
import type { AuthResult, AuthStrategy } from "./strategy.ts";

/** What a `verify` hook returns: an Identity, where `strategy` and `scopes` may be left out. */
export type VerifiedIdentity = Omit<Identity, "strategy" | "scopes"> & { strategy?: "custom"; scopes?: readonly string[] };

/** The hook: inspect the request's headers (not its body, which the MCP transport still needs). */
export type CustomVerify = (request: Request) => VerifiedIdentity | null | Promise<VerifiedIdentity | null>;

export type CustomOptions =
  /** Outbound headers only. Checks NO inbound credential: everyone is admitted, as with `none`. */
  | { headers: Readonly<Record<string, string>>; verify?: never }
  /** Your hook decides; `null` refuses with 401. `headers` become `resolvedHeaders` when given. */
  | { verify: CustomVerify; headers?: Readonly<Record<string, string>> };

/** `custom({ headers })` or `custom({ verify: (req) => ... })`. `providerToken` stays unset. */
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
