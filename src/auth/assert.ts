/** @module `assertProviderToken`: the one-line guard a tool writes before calling an upstream API. */

/**
 * Asserts that a handler's context carries an upstream credential, narrowing
 * `context.providerToken` to `string`. Throws `Error("Authentication required")` when it is missing
 * or empty; thrown from a tool handler, that becomes a tool error with that text. Which strategies
 * set it: `bearer` and `apiKey` (the upstream or presented secret) and `oauth` (the provider's access
 * token); `none`, `custom` and `jwt` never do.
 *
 * @example
 * ```ts
 * import { assertProviderToken, defineTool } from "gatehouse";
 *
 * const profile = defineTool({
 *   name: "profile",
 *   handler: async (_args, context) => {
 *     assertProviderToken(context);
 *     const response = await fetch("https://api.example.com/me", { headers: { authorization: `Bearer ${context.providerToken}` } });
 *     return await response.text();
 *   },
 * });
 * ```
 */
export function assertProviderToken<T extends { providerToken?: string }>(
  context: T,
): asserts context is T & { providerToken: string } {
  if (typeof context.providerToken !== "string" || context.providerToken === "") {
    throw new Error("Authentication required");
  }
}
