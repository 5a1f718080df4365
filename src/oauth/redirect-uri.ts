/**
 * @module Redirect URIs: which may be registered (HTTPS, loopback, private-use schemes) and how a requested one matches a registered one (exactly; loopback port may vary, RFC 8252 §7.3).
 */

/** Longest redirect URI accepted (registration and authorization alike). */
export const MAX_REDIRECT_URI_LENGTH = 2000;

/** Schemes that can run code, read local files or are otherwise no place to deliver a code to. */
const FORBIDDEN_SCHEMES = new Set([
  "javascript:",
  "data:",
  "vbscript:",
  "file:",
  "blob:",
  "about:",
  "filesystem:",
  "ftp:",
  "ws:",
  "wss:",
  "mailto:",
  "tel:",
  "view-source:",
]);

export type RedirectUriKind = "https" | "loopback" | "private-use";
export type RedirectUriCheck = { ok: true; kind: RedirectUriKind } | { ok: false; reason: string };

/** RFC 8252 §7.3 loopback hosts (and `localhost`, which clients use in practice, §8.3 notwithstanding). */
export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.toLowerCase();
  return h === "localhost" || h === "[::1]" || /^127(\.\d{1,3}){3}$/.test(h);
}

/**
 * Whether `raw` may be registered as a redirect URI. Allowed: `https://` with a host;
 * `http://` only on a loopback host (RFC 8252 §7.3, MCP: "localhost or HTTPS"); a private-use
 * scheme (RFC 8252 §7.1, e.g. `cursor://…`). Refused: fragments (RFC 6749 §3.1.2), wildcards,
 * user info, script/data/file schemes, relative URIs, control characters and over-long values.
 */
export function checkRedirectUri(raw: unknown): RedirectUriCheck {
  if (typeof raw !== "string" || raw === "") return { ok: false, reason: "must be a non-empty string" };
  if (raw.length > MAX_REDIRECT_URI_LENGTH) return { ok: false, reason: `longer than ${MAX_REDIRECT_URI_LENGTH} characters` };
  // deno-lint-ignore no-control-regex -- refusing control characters is the point
  if (/[\x00-\x20\x7f\\]/.test(raw)) return { ok: false, reason: "contains whitespace, control characters or backslashes" };
  if (raw.includes("#")) return { ok: false, reason: "must not contain a fragment" };
  if (raw.includes("*")) return { ok: false, reason: "must not contain wildcards" };
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { ok: false, reason: "is not an absolute URI" };
  }
  if (!/^[a-z][a-z0-9+.-]*:/i.test(raw)) return { ok: false, reason: "is not an absolute URI" };
  const scheme = url.protocol.toLowerCase();
  if (FORBIDDEN_SCHEMES.has(scheme)) return { ok: false, reason: `the ${scheme} scheme is not allowed` };
  if (url.username || url.password) return { ok: false, reason: "must not contain user information" };
  if (scheme === "https:") {
    if (!url.hostname) return { ok: false, reason: "has no host" };
    return { ok: true, kind: isLoopbackHost(url.hostname) ? "loopback" : "https" };
  }
  if (scheme === "http:") {
    return isLoopbackHost(url.hostname)
      ? { ok: true, kind: "loopback" }
      : { ok: false, reason: "http is allowed only for loopback hosts (127.0.0.1, [::1], localhost); use https" };
  }
  // RFC 8252 §7.1 private-use scheme. A single-letter scheme is a Windows drive letter, not an app.
  if (scheme.length <= 2) return { ok: false, reason: "is not an absolute URI" };
  return { ok: true, kind: "private-use" };
}

/**
 * Whether a requested redirect URI matches a registered one: exact string comparison (OAuth 2.1
 * §4.1.1, no normalisation, no prefix matching), except that for `http` loopback URIs the port is
 * ignored (RFC 8252 §7.3: native apps get an ephemeral port from the OS at request time).
 */
export function redirectUriMatches(requested: string, registered: string): boolean {
  if (requested === registered) return true;
  const a = loopbackParts(requested);
  const b = loopbackParts(registered);
  return a !== undefined && b !== undefined && a === b;
}

/** For an `http` loopback URI, everything but the port, as written; otherwise undefined. */
function loopbackParts(uri: string): string | undefined {
  const m = /^http:\/\/(127(?:\.\d{1,3}){3}|\[::1\]|localhost)(?::(\d{1,5}))?([/?].*)?$/i.exec(uri);
  if (!m) return undefined;
  if (m[2] !== undefined && (Number(m[2]) < 1 || Number(m[2]) > 65535)) return undefined;
  return `${m[1].toLowerCase()}|${m[3] ?? ""}`;
}

/** The registered redirect URI a request's `redirect_uri` matches, or undefined. */
export function matchRedirectUri(requested: string, registered: readonly string[]): string | undefined {
  return registered.find((r) => redirectUriMatches(requested, r));
}
