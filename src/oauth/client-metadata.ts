/**
 * @module Client ID Metadata Documents (MCP 2025-11-25, draft-ietf-oauth-client-id-metadata-document): the client_id is an HTTPS URL whose JSON document describes the client. Fetched with SSRF defence: HTTPS only, default port, every resolved address public, no redirects, size and time caps, cached per Cache-Control.
 */
import { checkRedirectUri } from "./redirect-uri.ts";
import { isIpLiteral, isPublicAddress } from "./ip.ts";
import type { Client } from "./clients.ts";
import type { FetchLike } from "./upstream.ts";
import { KEYS, type OAuthSettings } from "./settings.ts";
import { readCapped } from "../http/body.ts";

export interface ClientMetadataFetchOptions {
  /**
   * Resolves a host name to its IP addresses (A and AAAA). Required: the runtime adapter supplies
   * it (`Deno.resolveDns`, `node:dns`), since nothing outside src/runtime may touch the runtime.
   */
  resolve: (hostname: string) => Promise<string[]>;
  /**
   * Fetches the document. Receives the addresses that passed the check as a third argument, so an
   * adapter can connect to exactly those (closing the DNS-rebinding gap between check and
   * connect); the default, `globalThis.fetch`, resolves again.
   */
  fetch?: (url: string, init: RequestInit, addresses: readonly string[]) => Promise<Response>;
  /** Default 5 s. */
  timeoutMs?: number;
  /** Default 5 KiB (the draft's suggested limit). */
  maxBytes?: number;
  /** A domain trust policy: return false to refuse a host (MCP: "MAY apply domain trust policies"). */
  allowHost?: (hostname: string) => boolean;
}

const DEFAULT_TTL_S = 300;
const MAX_TTL_S = 86_400;

export type MetadataResult = { ok: true; client: Client } | { ok: false; reason: string };

/** Whether a client_id is meant as a metadata document URL (then it is never looked up elsewhere). */
export function isMetadataDocumentId(clientId: string): boolean {
  return clientId.startsWith("https://");
}

/** Checks the URL itself: https, a path, no credentials/fragment/dot segments, default port, and a host we may contact. */
export function metadataUrlProblem(raw: string): string | undefined {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return "client_id is not a URL";
  }
  if (url.protocol !== "https:") return "client_id URL must use https";
  if (url.href !== raw) return "client_id URL is not in normal form";
  if (url.username || url.password || url.hash) return "client_id URL must not contain credentials or a fragment";
  if (url.pathname === "/" || url.pathname === "") return "client_id URL must have a path";
  if (/\/\.\.?(\/|$)/.test(url.pathname)) return "client_id URL must not contain dot segments";
  if (url.port !== "") return "client_id URL must use the default https port";
  const host = url.hostname;
  if (host === "localhost" || host.endsWith(".localhost") || !host.includes(".")) return "client_id URL host is not a public name";
  if (isIpLiteral(host) && !isPublicAddress(host)) return "client_id URL host is a private or reserved address";
  return undefined;
}

/** Fetches (or reads from cache) and validates a client metadata document. */
export async function fetchClientMetadata(s: OAuthSettings, clientId: string): Promise<MetadataResult> {
  const options = s.clientMetadata;
  if (!options) return { ok: false, reason: "client metadata documents are not enabled on this server" };
  const cached = await s.store.get<Client>(KEYS.clientMetadata(clientId));
  if (cached) return { ok: true, client: cached };

  const problem = metadataUrlProblem(clientId);
  if (problem) return { ok: false, reason: problem };
  const url = new URL(clientId);
  if (options.allowHost && !options.allowHost(url.hostname)) return { ok: false, reason: "client_id host is not trusted by this server" };

  let addresses: string[];
  if (isIpLiteral(url.hostname)) {
    addresses = [url.hostname];
  } else {
    try {
      addresses = await options.resolve(url.hostname);
    } catch {
      return { ok: false, reason: "client_id host could not be resolved" };
    }
  }
  if (addresses.length === 0) return { ok: false, reason: "client_id host could not be resolved" };
  if (!addresses.every(isPublicAddress)) return { ok: false, reason: "client_id host resolves to a private or reserved address" };

  const doFetch = options.fetch ?? ((u: string, init: RequestInit) => (globalThis.fetch as FetchLike)(u, init));
  let response: Response;
  try {
    response = await doFetch(clientId, {
      headers: { accept: "application/json" },
      // A redirect could lead anywhere (an internal address); the document must be at the URL itself.
      redirect: "manual",
      signal: AbortSignal.timeout(options.timeoutMs ?? 5_000),
    }, addresses);
  } catch {
    return { ok: false, reason: "client metadata document could not be fetched" };
  }
  if (response.status !== 200) {
    await response.body?.cancel().catch(() => {});
    return {
      ok: false,
      reason: `client metadata document answered HTTP ${response.status}${
        response.status >= 300 && response.status < 400 ? " (redirects are not followed)" : ""
      }`,
    };
  }
  const type = response.headers.get("content-type") ?? "";
  if (!/^application\/([\w.+-]*\+)?json\b/i.test(type)) {
    await response.body?.cancel().catch(() => {});
    return { ok: false, reason: "client metadata document is not JSON" };
  }
  const text = await capped(response, options.maxBytes ?? 5_120);
  if (text === undefined) return { ok: false, reason: "client metadata document is too large or could not be read" };
  let doc: Record<string, unknown>;
  try {
    doc = JSON.parse(text);
  } catch {
    return { ok: false, reason: "client metadata document is not valid JSON" };
  }
  const validated = validateDocument(clientId, doc);
  if (!validated.ok) return validated;
  const ttl = cacheSeconds(response.headers.get("cache-control"));
  if (ttl > 0) await s.store.set(KEYS.clientMetadata(clientId), validated.client, { ttlMs: ttl * 1000 });
  return validated;
}

/** The document's own rules: client_id equals the URL exactly, a name, valid redirect URIs, and no shared secret. */
export function validateDocument(clientId: string, doc: unknown): MetadataResult {
  if (!doc || typeof doc !== "object" || Array.isArray(doc)) return { ok: false, reason: "client metadata document is not a JSON object" };
  const d = doc as Record<string, unknown>;
  if (d.client_id !== clientId) return { ok: false, reason: "client metadata document's client_id does not equal its URL" };
  if (typeof d.client_name !== "string" || d.client_name.trim() === "" || d.client_name.length > 200) {
    return { ok: false, reason: "client metadata document needs a client_name (1-200 characters)" };
  }
  if (!Array.isArray(d.redirect_uris) || d.redirect_uris.length === 0 || d.redirect_uris.length > 10) {
    return { ok: false, reason: "client metadata document needs 1-10 redirect_uris" };
  }
  for (const uri of d.redirect_uris) {
    const check = checkRedirectUri(uri);
    if (!check.ok) return { ok: false, reason: `redirect_uri ${check.reason}` };
  }
  if ("client_secret" in d || "client_secret_expires_at" in d) {
    return { ok: false, reason: "client metadata document must not contain a client secret" };
  }
  const method = d.token_endpoint_auth_method ?? "none";
  if (method !== "none") return { ok: false, reason: "client metadata documents must use token_endpoint_auth_method none here" };
  return {
    ok: true,
    client: {
      clientId,
      name: d.client_name.trim(),
      redirectUris: d.redirect_uris as string[],
      authMethod: "none",
      kind: "metadata-document",
    },
  };
}

/** Seconds to cache per Cache-Control (RFC 9111 §5.2.2): no-store/no-cache → 0; max-age capped at a day; default 5 min. */
function cacheSeconds(header: string | null): number {
  if (!header) return DEFAULT_TTL_S;
  if (/\b(no-store|no-cache|private)\b/i.test(header)) return 0;
  const m = /\bmax-age\s*=\s*"?(\d+)"?/i.exec(header);
  return m ? Math.min(Number(m[1]), MAX_TTL_S) : DEFAULT_TTL_S;
}

async function capped(response: Response, limit: number): Promise<string | undefined> {
  const read = await readCapped(response, limit, { fatal: true });
  return read.ok ? read.text : undefined;
}
