/** @module `assertProviderToken`: the one-line guard a tool writes before calling an upstream API. */

/**
 * Throws `Error("Authentication required")` when the context carries no upstream credential
 * (an empty string counts as none), and otherwise narrows `context.providerToken` to `string`.
 */
export function assertProviderToken<T extends { providerToken?: string }>(
  context: T,
): asserts context is T & { providerToken: string } {
  if (typeof context.providerToken !== "string" || context.providerToken === "") {
    throw new Error("Authentication required");
  }
}
