/**
 * @module Protocol revisions Gatehouse speaks, and what differs between them.
 */

/** Newest first. The first is what we offer a client that asks for something we do not know. */
export const SUPPORTED_VERSIONS = ["2026-07-28", "2025-11-25", "2025-06-18", "2025-03-26"] as const;
export type ProtocolVersion = (typeof SUPPORTED_VERSIONS)[number];
export const LATEST_VERSION: ProtocolVersion = SUPPORTED_VERSIONS[0];
/** Latest revision negotiated through `initialize` (2026-07-28 is stateless and does not use it). */
export const LATEST_SESSION_VERSION: ProtocolVersion = "2025-11-25";
/** What a request without any version information is taken to be (Streamable HTTP, 2025-06-18 §Protocol Version Header). */
export const DEFAULT_VERSION: ProtocolVersion = "2025-03-26";

export const isSupported = (v: unknown): v is ProtocolVersion =>
  typeof v === "string" && (SUPPORTED_VERSIONS as readonly string[]).includes(v);

/** 2026-07-28 and later: every request stands alone (no initialize, version and capabilities in `_meta`). */
export const isStatelessEra = (v: string) => v >= "2026-07-28";

/** JSON-RPC batches exist only in 2025-03-26 (removed in 2025-06-18). */
export const allowsBatches = (v: string) => v === "2025-03-26";

/** The stateless revisions: what `server/discover` advertises and a -32022 lists. */
export const MODERN_VERSIONS: string[] = SUPPORTED_VERSIONS.filter(isStatelessEra);
