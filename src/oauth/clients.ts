/**
 * @module Who an OAuth client is: the static client from env, a dynamically registered client (RFC 7591), or a Client ID Metadata Document; and how the token and revocation endpoints authenticate it (RFC 6749 §2.3, constant-time secret checks).
 */
import { timingSafeEqual } from "../crypto/compare.ts";
import { sha256Hex } from "../crypto/hash.ts";
import { checkRedirectUri, matchRedirectUri } from "./redirect-uri.ts";
import { fetchClientMetadata, isMetadataDocumentId } from "./client-metadata.ts";
import { KEYS, type OAuthSettings } from "./settings.ts";
import { oauthError } from "./responses.ts";
import { param } from "./form.ts";

export type ClientAuthMethod = "none" | "client_secret_basic" | "client_secret_post";

/** A client as the endpoints see it. */
export interface Client {
  clientId: string;
  /** Shown on the consent page. Registered names are the client's own claim, and the page says so. */
  name: string;
  /** Registered redirect URIs; `"any"` only for the static confidential client without a list. */
  redirectUris: readonly string[] | "any";
  authMethod: ClientAuthMethod;
  kind: "static" | "registered" | "metadata-document";
  /** SHA-256 hex of a registered confidential client's secret. */
  secretHash?: string;
  /** Scopes the client registered for (RFC 7591 §2 `scope`); absent: any offered scope. */
  scopes?: readonly string[];
}

export type ClientLookup = { ok: true; client: Client } | { ok: false; reason: string };

/** Finds a client by id. Never throws; a reason says why not. */
export async function findClient(s: OAuthSettings, clientId: string): Promise<ClientLookup> {
  if (s.staticClient && timingSafeEqual(clientId, s.staticClient.clientId)) {
    return {
      ok: true,
      client: {
        clientId: s.staticClient.clientId,
        name: s.staticClient.name ?? s.staticClient.clientId,
        redirectUris: s.staticClient.redirectUris ?? "any",
        authMethod: "client_secret_basic",
        kind: "static",
      },
    };
  }
  if (isMetadataDocumentId(clientId)) {
    try {
      return await fetchClientMetadata(s, clientId);
    } catch {
      return { ok: false, reason: "client metadata document could not be fetched" };
    }
  }
  if (clientId.length > 200) return { ok: false, reason: "unknown client_id" };
  const client = await s.store.get<Client>(KEYS.client(clientId));
  return client ? { ok: true, client } : { ok: false, reason: "unknown client_id" };
}

/** The redirect URI to use for this request, or a reason it is refused. */
export function resolveRedirectUri(
  client: Client,
  requested: string | undefined,
): { ok: true; uri: string } | { ok: false; reason: string } {
  if (client.redirectUris === "any") {
    if (requested === undefined) return { ok: false, reason: "redirect_uri is required" };
    const check = checkRedirectUri(requested);
    return check.ok ? { ok: true, uri: requested } : { ok: false, reason: `redirect_uri ${check.reason}` };
  }
  if (requested === undefined) {
    // OAuth 2.1 §4.1.1: may be omitted only when exactly one is registered.
    return client.redirectUris.length === 1 ? { ok: true, uri: client.redirectUris[0] } : { ok: false, reason: "redirect_uri is required" };
  }
  return matchRedirectUri(requested, client.redirectUris) !== undefined
    ? { ok: true, uri: requested }
    : { ok: false, reason: "redirect_uri is not registered for this client" };
}

/** Marks a registered client as used, so the sweep of never-used registrations keeps it (persisted without TTL from then on). */
export async function markClientUsed(s: OAuthSettings, client: Client): Promise<void> {
  if (client.kind !== "registered") return;
  const stored = await s.store.get<Client & { used?: boolean; dedupe?: string }>(KEYS.client(client.clientId));
  if (!stored || stored.used) return;
  await s.store.set(KEYS.client(client.clientId), { ...stored, used: true });
  if (stored.dedupe) await s.store.set(KEYS.clientDedupe(stored.dedupe), client.clientId);
}

export type ClientAuthResult = { ok: true; client: Client } | { ok: false; response: Response };

function invalidClient(description: string, basicUsed: boolean): ClientAuthResult {
  // RFC 6749 §5.2: 401 invalid_client, with a WWW-Authenticate naming the scheme the client tried.
  return {
    ok: false,
    response: oauthError("invalid_client", description, 401, basicUsed ? { "www-authenticate": 'Basic realm="oauth"' } : {}),
  };
}

/** Decodes `Authorization: Basic` (RFC 6749 §2.3.1: id and secret are form-urlencoded first). */
function basicCredentials(header: string | null): { id: string; secret: string } | "malformed" | undefined {
  if (!header) return undefined;
  const m = /^basic[ \t]+([A-Za-z0-9+/=]+)$/i.exec(header.trim());
  if (!m) return /^basic\b/i.test(header.trim()) ? "malformed" : undefined;
  let decoded: string;
  try {
    decoded = new TextDecoder("utf-8", { fatal: true }).decode(Uint8Array.from(atob(m[1]), (c) => c.charCodeAt(0)));
  } catch {
    return "malformed";
  }
  const colon = decoded.indexOf(":");
  if (colon < 0) return "malformed";
  try {
    const dec = (s: string) => decodeURIComponent(s.replace(/\+/g, " "));
    return { id: dec(decoded.slice(0, colon)), secret: dec(decoded.slice(colon + 1)) };
  } catch {
    return "malformed";
  }
}

/**
 * Authenticates the client at `/token` and `/revoke`. Public clients (`none`) identify themselves
 * with `client_id` and present no secret; confidential ones use `client_secret_basic` or
 * `client_secret_post` (not both at once, RFC 6749 §2.3.1). Secrets are compared in constant time.
 */
export async function authenticateClient(s: OAuthSettings, request: Request, params: URLSearchParams): Promise<ClientAuthResult> {
  const basic = basicCredentials(request.headers.get("authorization"));
  if (basic === "malformed") return invalidClient("Malformed Basic credentials", true);
  const bodyId = param(params, "client_id");
  const bodySecret = param(params, "client_secret");
  if (basic && bodySecret !== undefined) {
    return {
      ok: false,
      response: oauthError("invalid_request", "Use one client authentication method, not Basic and client_secret together"),
    };
  }
  if (basic && bodyId !== undefined && bodyId !== basic.id) {
    return { ok: false, response: oauthError("invalid_request", "client_id does not match the Basic credentials") };
  }
  const clientId = basic?.id ?? bodyId;
  if (clientId === undefined) return invalidClient("Client authentication failed: no client_id", false);
  const secret = basic?.secret ?? bodySecret;
  const found = await findClient(s, clientId);
  if (!found.ok) return invalidClient("Client authentication failed", basic !== undefined);
  const client = found.client;
  if (client.authMethod === "none") {
    if (secret !== undefined) return invalidClient("This client is public and has no secret", basic !== undefined);
    return { ok: true, client };
  }
  if (secret === undefined) return invalidClient("Client authentication failed: this client must authenticate", basic !== undefined);
  const valid = client.kind === "static"
    ? timingSafeEqual(secret, s.staticClient!.clientSecret)
    : client.secretHash !== undefined && timingSafeEqual(await sha256Hex(secret), client.secretHash);
  return valid ? { ok: true, client } : invalidClient("Client authentication failed", basic !== undefined);
}
