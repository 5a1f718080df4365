/** @module The `none` strategy: everyone is let in, and nothing is sent upstream on their behalf. */
import type { AuthStrategy } from "./strategy.ts";

/**
 * No authentication: every request is admitted with the anonymous identity
 * `{ strategy: "none", scopes: [] }`, no `providerToken` and `resolvedHeaders` `{}`. It is
 * `createServer`'s default. Tools with `requiresAuth` or `scopes` still refuse (401), since an
 * anonymous caller has no identity. Only safe on a loopback address: the `gatehouse` CLI and
 * `src/main.ts` warn loudly when it is bound to anything else; `createServer` itself does not check.
 *
 * @example
 * ```ts
 * import { createServer, none } from "gatehouse";
 *
 * const server = createServer({ name: "local-tools", version: "1.0.0", auth: none(), publicUrl: "http://127.0.0.1:8000" });
 * ```
 */
export function none(): AuthStrategy {
  return {
    name: "none",
    authenticate: () => ({ ok: true, identity: { strategy: "none", scopes: [] }, resolvedHeaders: {} }),
  };
}
