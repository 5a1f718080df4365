/** @module `gatehouse login`: gets an access token from an authorization server with OAuth 2.1 authorization code + PKCE S256 and a one-shot loopback redirect (RFC 8252 §7.3), discovering it from an issuer or from an MCP server's 401 (RFC 9728). */
import { type AuthorizationServerMetadata, discoverAuthorizationServer } from "../auth/issuer-discovery.ts";
import { fetchJson } from "../auth/bounded-fetch.ts";
import { randomToken } from "../crypto/random.ts";
import { sha256Base64Url } from "../crypto/hash.ts";
import { resourceMetadataUrl } from "../auth/resource-metadata.ts";

/** Starts an HTTP listener on 127.0.0.1:`port` (0: any free port). Provided by the runtime adapter (src/cli/main.ts). */
export type LoopbackListen = (
  port: number,
  handler: (request: Request) => Promise<Response>,
) => Promise<{ port: number; close(): Promise<void> }>;

export type LoginOptions = {
  /** Client id registered at the authorization server; without it: CIMD (`clientMetadataUrl`) or Dynamic Client Registration. */
  clientId?: string;
  clientSecret?: string;
  /** An https URL of a Client ID Metadata Document listing `http://127.0.0.1/callback`, used as client id when the server supports CIMD. */
  clientMetadataUrl?: string;
  /** Scopes to ask for (default: the resource's advertised scopes, if any). */
  scopes?: readonly string[];
  /** RFC 8707 resource indicator (default: the MCP server URL when discovering from one). */
  resource?: string;
  /** Loopback port (default 0: a random free port). */
  port?: number;
  /** Give up waiting for the browser after this long (default 5 minutes). */
  timeoutMs?: number;
  listen: LoopbackListen;
  /** Opens the authorization URL; when absent or failing the URL is only printed. */
  openBrowser?: (url: string) => Promise<void> | void;
  /** Progress messages for the user (stderr). */
  print?: (line: string) => void;
  fetch?: typeof fetch;
} & ({ issuer: string; server?: never } | { server: string; issuer?: never });

export interface LoginResult {
  accessToken: string;
  tokenType: string;
  expiresIn?: number;
  refreshToken?: string;
  scope?: string;
  issuer: string;
  clientId: string;
  resource?: string;
}

export type LoginErrorCode =
  | "discovery_failed"
  | "pkce_unsupported"
  | "registration_failed"
  | "timeout"
  | "access_denied"
  | "authorization_failed"
  | "state_mismatch"
  | "wrong_issuer"
  | "token_failed";

export class LoginError extends Error {
  readonly code: LoginErrorCode;
  constructor(code: LoginErrorCode, message: string) {
    super(message);
    this.code = code;
    this.name = "LoginError";
  }
}

/** Reads `resource_metadata` (RFC 9728 §5.1) and `scope` from a `WWW-Authenticate: Bearer …` header. */
export function parseBearerChallenge(header: string | null): { resourceMetadata?: string; scope?: string } {
  if (!header) return {};
  const out: Record<string, string> = {};
  for (const m of header.matchAll(/([a-zA-Z_]+)="((?:[^"\\]|\\.)*)"/g)) out[m[1].toLowerCase()] = m[2].replace(/\\(.)/g, "$1");
  return { resourceMetadata: out.resource_metadata, scope: out.scope };
}

/** MCP discovery (authorization spec): the 401's `resource_metadata`, else the path-inserted, else the root well-known URL. */
async function discoverFromServer(
  server: string,
  doFetch: typeof fetch,
): Promise<{ issuers: string[]; scopes?: string[]; resource: string }> {
  const resource = server.replace(/\/+$/, "");
  const candidates: string[] = [];
  try {
    const probe = await doFetch(resource, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json, text/event-stream" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "ping" }),
      signal: AbortSignal.timeout(10_000),
    });
    await probe.body?.cancel().catch(() => {});
    const challenge = parseBearerChallenge(probe.headers.get("www-authenticate"));
    if (challenge.resourceMetadata) candidates.push(challenge.resourceMetadata);
  } catch (error) {
    throw new LoginError("discovery_failed", `Could not reach ${resource}: ${(error as Error).message}`);
  }
  candidates.push(resourceMetadataUrl(resource), `${new URL(resource).origin}/.well-known/oauth-protected-resource`);
  const problems: string[] = [];
  for (const url of [...new Set(candidates)]) {
    try {
      const { body } = await fetchJson(url, { fetch: doFetch });
      const doc = body as { resource?: unknown; authorization_servers?: unknown; scopes_supported?: unknown };
      // RFC 9728 §3.3: the document's resource must be the one we asked about.
      if (doc.resource !== resource) {
        problems.push(`${url}: describes "${String(doc.resource)}", not ${resource}`);
        continue;
      }
      const issuers = Array.isArray(doc.authorization_servers)
        ? doc.authorization_servers.filter((s): s is string => typeof s === "string")
        : [];
      if (!issuers.length) {
        problems.push(`${url}: names no authorization_servers`);
        continue;
      }
      const scopes = Array.isArray(doc.scopes_supported)
        ? doc.scopes_supported.filter((s): s is string => typeof s === "string")
        : undefined;
      return { issuers, scopes, resource };
    } catch (error) {
      problems.push((error as Error).message);
    }
  }
  throw new LoginError("discovery_failed", `No protected-resource metadata for ${resource} (${problems.join("; ")})`);
}

/** RFC 7591 §3: registers a public client for the loopback redirect URI. */
async function registerClient(
  metadata: AuthorizationServerMetadata,
  redirectUri: string,
  doFetch: typeof fetch,
): Promise<{ clientId: string; clientSecret?: string }> {
  try {
    const { body } = await fetchJson(metadata.registration_endpoint!, {
      fetch: doFetch,
      acceptStatus: (s) => s === 200 || s === 201,
      init: {
        method: "POST",
        headers: { "content-type": "application/json", accept: "application/json" },
        body: JSON.stringify({
          client_name: "gatehouse login",
          redirect_uris: [redirectUri],
          grant_types: ["authorization_code", "refresh_token"],
          response_types: ["code"],
          token_endpoint_auth_method: "none",
        }),
      },
    });
    const reply = body as { client_id?: unknown; client_secret?: unknown };
    if (typeof reply.client_id !== "string") throw new Error("the response has no client_id");
    return { clientId: reply.client_id, clientSecret: typeof reply.client_secret === "string" ? reply.client_secret : undefined };
  } catch (error) {
    throw new LoginError("registration_failed", `Dynamic Client Registration failed: ${(error as Error).message}`);
  }
}

const page = (title: string) =>
  new Response(`<!doctype html><meta charset="utf-8"><title>${title}</title><p>${title}. You can close this window.</p>`, {
    headers: { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" },
  });

/**
 * Runs the whole flow and resolves to the token response. Every failure is a `LoginError` with a
 * code and a sentence a person can act on. Checked on the way: the metadata's `issuer` (RFC 8414
 * §3.3), S256 support (MCP: refuse without `code_challenge_methods_supported`), the callback's
 * `state` (exact) and `iss` (RFC 9207 §2.4: equal to the issuer; required when advertised).
 */
export async function login(options: LoginOptions): Promise<LoginResult> {
  const doFetch = options.fetch ?? fetch;
  const print = options.print ?? (() => {});
  let issuer: string;
  let resource = options.resource;
  let scopes = options.scopes;
  if (options.server !== undefined) {
    const found = await discoverFromServer(options.server, doFetch);
    issuer = found.issuers[0];
    resource ??= found.resource;
    scopes ??= found.scopes;
    print(`Resource ${found.resource} is protected by ${issuer}`);
  } else {
    issuer = options.issuer;
  }

  let metadata: AuthorizationServerMetadata;
  try {
    metadata = await discoverAuthorizationServer(issuer, { fetch: doFetch });
  } catch (error) {
    throw new LoginError("discovery_failed", (error as Error).message);
  }
  if (!metadata.authorization_endpoint || !metadata.token_endpoint) {
    throw new LoginError("discovery_failed", `${issuer} publishes no authorization_endpoint or token_endpoint`);
  }
  if (!metadata.code_challenge_methods_supported?.includes("S256")) {
    throw new LoginError(
      "pkce_unsupported",
      `${issuer} does not advertise PKCE S256 (code_challenge_methods_supported); refusing to continue`,
    );
  }

  let settle!: { resolve: (params: URLSearchParams) => void; reject: (error: Error) => void };
  const callback = new Promise<URLSearchParams>((resolve, reject) => (settle = { resolve, reject }));
  callback.catch(() => {}); // awaited below; this only keeps an early timeout from being "unhandled"
  const listener = await options.listen(options.port ?? 0, (request) => {
    const url = new URL(request.url);
    if (request.method !== "GET" || url.pathname !== "/callback") return Promise.resolve(new Response("Not found", { status: 404 }));
    settle.resolve(url.searchParams);
    const failed = url.searchParams.has("error");
    return Promise.resolve(page(failed ? "Authorization was not granted" : "Signed in to Gatehouse"));
  });
  const timer = setTimeout(
    () =>
      settle.reject(
        new LoginError(
          "timeout",
          `No answer from the browser within ${Math.round((options.timeoutMs ?? 300_000) / 1000)} s; run the command again`,
        ),
      ),
    options.timeoutMs ?? 300_000,
  );

  try {
    // RFC 8252 §7.3: the loopback IP literal, not "localhost"; the port is whatever we were given.
    const redirectUri = `http://127.0.0.1:${listener.port}/callback`;
    let clientId = options.clientId;
    let clientSecret = options.clientSecret;
    if (!clientId && options.clientMetadataUrl && metadata.client_id_metadata_document_supported) {
      clientId = options.clientMetadataUrl;
    } else if (!clientId && metadata.registration_endpoint) {
      ({ clientId, clientSecret } = await registerClient(metadata, redirectUri, doFetch));
      print(`Registered client ${clientId}`);
    } else if (!clientId) {
      throw new LoginError(
        "registration_failed",
        `${issuer} supports neither Client ID Metadata Documents nor Dynamic Client Registration; pass --client-id`,
      );
    }

    const state = randomToken(32);
    const verifier = randomToken(32);
    const authorize = new URL(metadata.authorization_endpoint);
    const params: Record<string, string> = {
      response_type: "code",
      client_id: clientId,
      redirect_uri: redirectUri,
      code_challenge: await sha256Base64Url(verifier),
      code_challenge_method: "S256",
      state,
    };
    if (scopes?.length) params.scope = scopes.join(" ");
    if (resource) params.resource = resource;
    for (const [k, v] of Object.entries(params)) authorize.searchParams.set(k, v);
    print(`Open this URL to sign in:\n  ${authorize.href}`);
    try {
      await options.openBrowser?.(authorize.href);
    } catch {
      // The URL is printed; the user can open it themselves.
    }

    const answer = await callback;
    if (answer.get("state") !== state) {
      throw new LoginError(
        "state_mismatch",
        "The callback's state does not match this login (a stale or forged redirect); run the command again",
      );
    }
    const iss = answer.get("iss");
    if (iss !== null ? iss !== metadata.issuer : metadata.authorization_response_iss_parameter_supported === true) {
      throw new LoginError(
        "wrong_issuer",
        `The authorization response came from ${iss ?? "an unnamed issuer"}, expected ${metadata.issuer} (RFC 9207)`,
      );
    }
    const error = answer.get("error");
    if (error) {
      const why = answer.get("error_description");
      throw new LoginError(
        error === "access_denied" ? "access_denied" : "authorization_failed",
        `Authorization failed: ${error}${why ? ` (${why})` : ""}`,
      );
    }
    const code = answer.get("code");
    if (!code) throw new LoginError("authorization_failed", "The callback carried no authorization code");

    const form = new URLSearchParams({
      grant_type: "authorization_code",
      code,
      redirect_uri: redirectUri,
      code_verifier: verifier,
      client_id: clientId,
    });
    if (resource) form.set("resource", resource);
    const headers: Record<string, string> = { "content-type": "application/x-www-form-urlencoded", accept: "application/json" };
    // RFC 6749 §2.3.1: client_secret_basic, with both parts form-urlencoded first.
    if (clientSecret) headers.authorization = `Basic ${btoa(`${encodeURIComponent(clientId)}:${encodeURIComponent(clientSecret)}`)}`;
    let reply: Record<string, unknown>;
    try {
      const { body } = await fetchJson(metadata.token_endpoint, {
        fetch: doFetch,
        acceptStatus: () => true,
        init: { method: "POST", headers, body: form.toString() },
      });
      reply = (body ?? {}) as Record<string, unknown>;
    } catch (error) {
      throw new LoginError("token_failed", `The token request failed: ${(error as Error).message}`);
    }
    if (typeof reply.error === "string" || typeof reply.access_token !== "string") {
      const why = typeof reply.error_description === "string" ? ` (${reply.error_description})` : "";
      throw new LoginError("token_failed", `The token endpoint refused the code: ${String(reply.error ?? "no access_token")}${why}`);
    }
    if (typeof reply.token_type !== "string" || reply.token_type.toLowerCase() !== "bearer") {
      throw new LoginError("token_failed", `Unsupported token_type ${String(reply.token_type)}; expected Bearer`);
    }
    return {
      accessToken: reply.access_token,
      tokenType: "Bearer",
      expiresIn: typeof reply.expires_in === "number" ? reply.expires_in : undefined,
      refreshToken: typeof reply.refresh_token === "string" ? reply.refresh_token : undefined,
      scope: typeof reply.scope === "string" ? reply.scope : undefined,
      issuer: metadata.issuer,
      clientId,
      resource,
    };
  } finally {
    clearTimeout(timer);
    await listener.close();
  }
}
