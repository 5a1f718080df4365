/** @module The `none` strategy: everyone is let in, and nothing is sent upstream on their behalf. */
import type { AuthStrategy } from "./strategy.ts";

/**
 * Admits every request with an anonymous identity and `resolvedHeaders` `{}`. Only safe on a
 * loopback address; `startupWarnings` says so loudly otherwise.
 */
export function none(): AuthStrategy {
  return {
    name: "none",
    authenticate: () => ({ ok: true, identity: { strategy: "none", scopes: [] }, resolvedHeaders: {} }),
  };
}
