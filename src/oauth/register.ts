/**
 * @module Dynamic Client Registration (RFC 7591): strict validation, size limits, idempotent de-duplication of identical public registrations, and a TTL that forgets clients that never complete a login.
 */
import { readBody } from "../http/body.ts";
import { sha256Hex } from "../crypto/hash.ts";
import { randomId, randomToken } from "../crypto/random.ts";
import { checkRedirectUri } from "./redirect-uri.ts";
import type { Client, ClientAuthMethod } from "./clients.ts";
import { KEYS, type OAuthSettings } from "./settings.ts";
import { oauthError, oauthJson } from "./responses.ts";

/** A registration request larger than this is not one (FIELD-NOTES §2.6: cap the body). */
export const REGISTRATION_LIMIT = 16 * 1024;
const MAX_REDIRECT_URIS = 10;
const AUTH_METHODS: readonly ClientAuthMethod[] = ["none", "client_secret_basic", "client_secret_post"];
const GRANT_TYPES = ["authorization_code", "refresh_token"];

interface StoredClient extends Client {
  used?: boolean;
  dedupe?: string;
  /** The registration response, as first returned (RFC 7591 §3.2.1). */
  metadata: Record<string, unknown>;
  issuedAt: number;
}

const invalid = (description: string) => oauthError("invalid_client_metadata", description);

function shortString(value: unknown, name: string, max = 200): string | undefined | Response {
  if (value === undefined) return undefined;
  // deno-lint-ignore no-control-regex -- refusing control characters is the point
  if (typeof value !== "string" || value.length > max || /[\x00-\x1f\x7f]/.test(value)) {
    return invalid(`${name} must be a string of at most ${max} printable characters`);
  }
  return value;
}

function httpsUrl(value: unknown, name: string): string | undefined | Response {
  if (value === undefined) return undefined;
  if (typeof value !== "string" || value.length > 2000) return invalid(`${name} must be an https URL`);
  try {
    const url = new URL(value);
    if (url.protocol !== "https:" || url.username || url.password) return invalid(`${name} must be an https URL`);
  } catch {
    return invalid(`${name} must be an https URL`);
  }
  return value;
}

/** Handles `POST /register`. */
export async function handleRegister(s: OAuthSettings, request: Request): Promise<Response> {
  if (!s.registration) return oauthError("invalid_request", "Dynamic client registration is disabled on this server", 403);
  if (request.method !== "POST") return oauthError("invalid_request", "Use POST", 405, { allow: "POST" });
  const type = (request.headers.get("content-type") ?? "").split(";")[0].trim().toLowerCase();
  if (type !== "application/json") return oauthError("invalid_request", "Expected Content-Type: application/json", 415);
  const body = await readBody(request, REGISTRATION_LIMIT);
  if (!body.ok) return oauthError("invalid_request", body.message, body.status);
  let doc: Record<string, unknown>;
  try {
    doc = JSON.parse(body.text);
  } catch {
    return invalid("The registration request is not valid JSON");
  }
  if (!doc || typeof doc !== "object" || Array.isArray(doc)) return invalid("The registration request must be a JSON object");

  // redirect_uris (RFC 7591 §2): required for the authorization-code flow, each one checked.
  const uris = doc.redirect_uris;
  if (!Array.isArray(uris) || uris.length === 0) return oauthError("invalid_redirect_uri", "redirect_uris must be a non-empty array");
  if (uris.length > MAX_REDIRECT_URIS) return oauthError("invalid_redirect_uri", `at most ${MAX_REDIRECT_URIS} redirect_uris`);
  for (const [i, uri] of uris.entries()) {
    const check = checkRedirectUri(uri);
    if (!check.ok) return oauthError("invalid_redirect_uri", `redirect_uris[${i}] ${check.reason}`);
  }
  const redirectUris = [...new Set(uris as string[])];

  const method = doc.token_endpoint_auth_method ?? "client_secret_basic"; // RFC 7591 §2 default
  if (!AUTH_METHODS.includes(method as ClientAuthMethod)) {
    return invalid(`token_endpoint_auth_method must be one of ${AUTH_METHODS.join(", ")}`);
  }
  const grantTypes = doc.grant_types ?? ["authorization_code"];
  if (!Array.isArray(grantTypes) || grantTypes.some((g) => !GRANT_TYPES.includes(g)) || !grantTypes.includes("authorization_code")) {
    return invalid("grant_types must include authorization_code and may add refresh_token only");
  }
  const responseTypes = doc.response_types ?? ["code"];
  if (!Array.isArray(responseTypes) || responseTypes.length !== 1 || responseTypes[0] !== "code") {
    return invalid('response_types must be ["code"]');
  }
  // MCP 2026-07-28: clients send application_type (native for loopback redirects, web otherwise); accept both.
  const applicationType = doc.application_type ?? "web";
  if (applicationType !== "web" && applicationType !== "native") return invalid("application_type must be web or native");

  const fields: Record<string, unknown> = {};
  for (const name of ["client_name", "software_id", "software_version"]) {
    const v = shortString(doc[name], name);
    if (v instanceof Response) return v;
    if (v !== undefined) fields[name] = v;
  }
  for (const name of ["client_uri", "logo_uri", "tos_uri", "policy_uri"]) {
    const v = httpsUrl(doc[name], name);
    if (v instanceof Response) return v;
    if (v !== undefined) fields[name] = v;
  }
  let scopes: string[] | undefined;
  if (doc.scope !== undefined) {
    if (typeof doc.scope !== "string" || doc.scope.length > 1000) return invalid("scope must be a space-separated string");
    scopes = doc.scope.split(" ").filter((x) => x !== "");
    const unknown = scopes.filter((x) => !s.scopes.includes(x));
    if (unknown.length) return invalid(`scope includes scopes this server does not offer: ${unknown.join(" ").slice(0, 200)}`);
    fields.scope = scopes.join(" ");
  }
  if (doc.contacts !== undefined) {
    if (!Array.isArray(doc.contacts) || doc.contacts.length > 10 || doc.contacts.some((c) => typeof c !== "string" || c.length > 200)) {
      return invalid("contacts must be at most 10 strings");
    }
    fields.contacts = doc.contacts;
  }

  const metadata: Record<string, unknown> = {
    redirect_uris: redirectUris,
    token_endpoint_auth_method: method,
    grant_types: [...new Set(grantTypes as string[])].sort(),
    response_types: ["code"],
    application_type: applicationType,
    ...fields,
  };

  const ttl = { ttlMs: s.lifetimes.unusedClientMs };
  // Idempotent de-duplication (FIELD-NOTES §2.6: clients re-register on every connect). Only for
  // public clients: a confidential duplicate would need its first secret handed out again.
  let digest: string | undefined;
  if (method === "none") {
    digest = await sha256Hex(canonicalJson(metadata));
    const existingId = await s.store.get<string>(KEYS.clientDedupe(digest));
    const existing = existingId ? await s.store.get<StoredClient>(KEYS.client(existingId)) : undefined;
    if (existing) return oauthJson({ client_id: existing.clientId, client_id_issued_at: existing.issuedAt, ...existing.metadata }, 201);
  }

  const clientId = randomId();
  const issuedAt = Math.floor(s.now() / 1000);
  const secret = method === "none" ? undefined : randomToken(32);
  const stored: StoredClient = {
    clientId,
    name: typeof fields.client_name === "string" && fields.client_name.trim() !== "" ? fields.client_name.trim() : clientId,
    redirectUris,
    authMethod: method as ClientAuthMethod,
    kind: "registered",
    ...(secret ? { secretHash: await sha256Hex(secret) } : {}),
    ...(scopes ? { scopes } : {}),
    ...(digest ? { dedupe: digest } : {}),
    metadata,
    issuedAt,
  };
  if (digest) {
    // Two identical registrations at once: the first claim wins and both get that client.
    const winner = await s.store.update<string>(KEYS.clientDedupe(digest), (current) => current ?? clientId, ttl);
    if (winner !== clientId) {
      const existing = winner ? await s.store.get<StoredClient>(KEYS.client(winner)) : undefined;
      if (existing) return oauthJson({ client_id: existing.clientId, client_id_issued_at: existing.issuedAt, ...existing.metadata }, 201);
      await s.store.set(KEYS.clientDedupe(digest), clientId, ttl);
    }
  }
  await s.store.set(KEYS.client(clientId), stored, ttl);
  return oauthJson({
    client_id: clientId,
    client_id_issued_at: issuedAt,
    ...(secret ? { client_secret: secret, client_secret_expires_at: 0 } : {}),
    ...metadata,
  }, 201);
}

/** JSON with object keys sorted, so equal metadata hashes equally. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value && typeof value === "object") {
    return `{${
      Object.keys(value).sort().map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`).join(",")
    }}`;
  }
  return JSON.stringify(value);
}
