/**
 * @module Protocol revisions Gatehouse speaks, and what differs between them.
 */

/**
 * The MCP protocol revisions Gatehouse speaks, newest first: `2026-07-28` (stateless) and the
 * session-based `2025-11-25`, `2025-06-18` and `2025-03-26`. `initialize` echoes a listed
 * session-based revision and offers `2025-11-25` for anything else; a request naming a revision
 * that is not listed gets -32022 with the stateless revisions in `data.supported`.
 *
 * @example
 * ```ts
 * import { SUPPORTED_VERSIONS } from "gatehouse";
 *
 * const speaks = (version: string) => (SUPPORTED_VERSIONS as readonly string[]).includes(version);
 * console.log(speaks("2025-06-18")); // true
 * ```
 */
export const SUPPORTED_VERSIONS = ["2026-07-28", "2025-11-25", "2025-06-18", "2025-03-26"] as const;
export type ProtocolVersion = (typeof SUPPORTED_VERSIONS)[number];
/**
 * The newest protocol revision Gatehouse speaks (`SUPPORTED_VERSIONS[0]`, currently `2026-07-28`).
 *
 * @example
 * ```ts
 * import { defineTool, LATEST_VERSION } from "gatehouse";
 *
 * const era = defineTool({
 *   name: "era",
 *   handler: (_args, context) => (context.protocolVersion === LATEST_VERSION ? "stateless request" : "2025 session"),
 * });
 * ```
 */
export const LATEST_VERSION: ProtocolVersion = SUPPORTED_VERSIONS[0];
/** Latest revision negotiated through `initialize` (2026-07-28 is stateless and does not use it). */
export const LATEST_SESSION_VERSION: ProtocolVersion = "2025-11-25";
/** What a request without any version information is taken to be (Streamable HTTP, 2025-06-18 §Protocol Version Header). */
export const DEFAULT_VERSION: ProtocolVersion = "2025-03-26";

/** Four string comparisons: cheaper than hashing a header value that is a fresh string on every request. */
export const isSupported = (v: unknown): v is ProtocolVersion =>
  typeof v === "string" && (SUPPORTED_VERSIONS as readonly string[]).includes(v);

/** 2026-07-28 and later: every request stands alone (no initialize, version and capabilities in `_meta`). */
export const isStatelessEra = (v: string) => v >= "2026-07-28";

/** JSON-RPC batches exist only in 2025-03-26 (removed in 2025-06-18). */
export const allowsBatches = (v: string) => v === "2025-03-26";

/** The stateless revisions: what `server/discover` advertises and a -32022 lists. */
export const MODERN_VERSIONS: string[] = SUPPORTED_VERSIONS.filter(isStatelessEra);
