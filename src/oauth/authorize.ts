/**
 * @module `/authorize`: GET validates the request (client, exact redirect URI, PKCE S256, response_type, scope, resource) and shows the consent page; POST takes the decision (CSRF token, browser binding, Sec-Fetch-Site) and only then creates the upstream `state` and redirects to the provider. In own-login mode (provider-mode.ts) the app's `authorize` is asked before the consent page and again on approval, and approval issues our code directly.
 */
import { sha256Hex } from "../crypto/hash.ts";
import { timingSafeEqual } from "../crypto/compare.ts";
import { randomId, randomToken } from "../crypto/random.ts";
import { findClient, resolveRedirectUri } from "./clients.ts";
import { browserBinding, browserCookie, consentPage, readBrowserSecret } from "./consent.ts";
import { param, readForm, repeatedParameter } from "./form.ts";
import { createPkcePair, pkceProblem } from "./pkce.ts";
import { errorPage, redirectToClient } from "./responses.ts";
import { KEYS, normalizeResource, type OAuthSettings } from "./settings.ts";
import { type Provider, upstreamAuthorizeUrl } from "./upstream.ts";
import { askApp, completeOwnLogin, displayName } from "./provider-mode.ts";

/** An authorization request that passed validation, waiting for the user's decision. */
export interface PendingAuthorization {
  clientId: string;
  redirectUri: string;
  state?: string;
  codeChallenge: string;
  scopes: string[];
  resource: string;
  /** CSRF token embedded in the consent form. */
  csrf: string;
  /** `browserBinding(cookie, clientId)`. */
  browser: string;
  /** Own-login mode: who the app said is signed in, and the request URL to hand back to it. */
  user?: { subject: string; claims: Record<string, unknown> };
  returnTo?: string;
}

/** What the upstream `state` stands for, stored server-side from approval until the provider's callback. */
export interface UpstreamTransaction extends Omit<PendingAuthorization, "csrf"> {
  /** Our PKCE verifier for the upstream leg. */
  verifier?: string;
  /** The redirect_uri we sent upstream (exchanged with the code). */
  upstreamRedirectUri: string;
}

const MAX_STATE_LENGTH = 1024;

/** `GET /authorize`. */
export async function handleAuthorizeGet(s: OAuthSettings, request: Request, url: URL, serverName: string): Promise<Response> {
  const q = url.searchParams;
  const repeated = repeatedParameter(q);
  if (repeated) return errorPage(400, "invalid_request", `The parameter ${repeated.slice(0, 40)} was given more than once`);
  const clientId = param(q, "client_id");
  if (!clientId) return errorPage(400, "invalid_request", "client_id is missing");
  const found = await findClient(s, clientId);
  // OAuth 2.1 §4.1.2.1: with no valid client or redirect URI, never redirect: show the error here.
  if (!found.ok) return errorPage(400, "invalid_client", `This application is not recognised: ${found.reason}`);
  const client = found.client;
  const redirect = resolveRedirectUri(client, param(q, "redirect_uri"));
  if (!redirect.ok) return errorPage(400, "invalid_request", `The redirect address is not allowed: ${redirect.reason}`);

  const state = param(q, "state");
  const fail = (error: string, description: string) =>
    redirectToClient(redirect.uri, {
      error,
      error_description: description,
      state: state && state.length <= MAX_STATE_LENGTH ? state : undefined,
    }, s.issuer);
  if (state !== undefined && state.length > MAX_STATE_LENGTH) return fail("invalid_request", "state is too long");
  if (param(q, "response_type") !== "code") return fail("unsupported_response_type", "Only response_type=code is supported");
  const pkce = pkceProblem(param(q, "code_challenge"), param(q, "code_challenge_method"));
  if (pkce) return fail("invalid_request", pkce);

  const offered = client.scopes ?? s.scopes;
  const requested = (param(q, "scope") ?? "").split(" ").filter((x) => x !== "");
  const unknown = requested.filter((x) => !offered.includes(x));
  if (unknown.length) return fail("invalid_scope", "The request asks for scopes this server does not offer");
  let scopes = requested.length ? [...new Set(requested)] : [...offered];

  // RFC 8707 §2: the resource must name this server; absent, the MCP endpoint is meant.
  const rawResource = param(q, "resource");
  const resource = rawResource === undefined ? s.resource : normalizeResource(rawResource);
  if (!resource || !s.resources.has(resource)) return fail("invalid_target", "resource does not name this server");

  // Own-login mode: the app says who is signed in (or answers with its login page) before any consent.
  let user: PendingAuthorization["user"];
  const returnTo = `${s.issuer}/authorize${url.search}`;
  if (s.ownLogin) {
    const answer = await askApp(s.ownLogin, request, {
      phase: "authorize",
      returnTo,
      clientId: client.clientId,
      clientName: client.name,
      scopes,
    });
    if (answer.kind === "response") return answer.response;
    if (answer.kind === "refused") return fail("access_denied", "The sign-in was refused");
    if (answer.kind === "error") return fail("server_error", "The sign-in could not be completed");
    if (answer.scopes) {
      const allowed = answer.scopes;
      const narrowed = scopes.filter((x) => allowed.includes(x));
      if (scopes.length && !narrowed.length) return fail("access_denied", "This user may not grant any of the requested scopes");
      scopes = narrowed;
    }
    user = { subject: answer.subject, claims: answer.claims };
  }

  let provider: Provider | undefined;
  if (!s.ownLogin) {
    provider = await s.provider().catch(() => undefined);
    if (!provider) return fail("temporarily_unavailable", "The identity provider is not reachable; try again later");
  }
  const existing = readBrowserSecret(request);
  const secret = existing ?? randomToken(32);
  const pending: PendingAuthorization = {
    clientId: client.clientId,
    redirectUri: redirect.uri,
    state,
    codeChallenge: param(q, "code_challenge")!,
    scopes,
    resource,
    csrf: randomToken(32),
    browser: await browserBinding(secret, client.clientId),
    ...(user ? { user, returnTo } : {}),
  };
  const consentId = randomId();
  await s.store.set(KEYS.consent(consentId), pending, { ttlMs: s.lifetimes.loginMs });
  return consentPage({
    client,
    redirectUri: redirect.uri,
    providerName: provider?.name,
    upstreamScopes: provider?.scopes,
    signedInAs: user ? displayName(user) : undefined,
    scopes,
    serverName,
    consentId,
    csrf: pending.csrf,
  }, browserCookie(secret, Math.ceil(s.lifetimes.loginMs / 1000)));
}

/** `POST /authorize`: the consent decision. */
export async function handleAuthorizePost(s: OAuthSettings, request: Request): Promise<Response> {
  // Fetch Metadata: a form POST from our own consent page is same-origin; anything else is forged.
  const site = request.headers.get("sec-fetch-site");
  if (site !== null && site !== "same-origin") return errorPage(403, "access_denied", "This request did not come from the consent page");
  const origin = request.headers.get("origin");
  // `Origin: null` is what a same-origin form POST carries under a strict referrer policy; Fetch
  // Metadata vouches for it then.
  const sameOriginNull = origin === "null" && site === "same-origin";
  if (origin !== null && !sameOriginNull && origin !== new URL(s.issuer).origin) {
    return errorPage(403, "access_denied", "This request did not come from the consent page");
  }
  const form = await readForm(request);
  if (!form.ok) return errorPage(form.status, "invalid_request", form.description);
  if (repeatedParameter(form.params)) return errorPage(400, "invalid_request", "A parameter was given more than once");
  const consentId = param(form.params, "consent_id");
  const csrf = param(form.params, "csrf_token");
  const decision = param(form.params, "decision");
  if (!consentId || !csrf || (decision !== "approve" && decision !== "deny")) {
    return errorPage(400, "invalid_request", "The consent form is incomplete");
  }
  if (consentId.length > 64) {
    return errorPage(400, "invalid_request", "This consent request has expired; start again from your application");
  }
  const expired = () =>
    errorPage(400, "invalid_request", "This consent request has expired or was already answered; start again from your application");
  const pending = await s.store.get<PendingAuthorization>(KEYS.consent(consentId));
  if (!pending) return expired();
  // Checked before the consent is used up, so another browser cannot cancel this user's login.
  const cookie = readBrowserSecret(request);
  if (!cookie || !timingSafeEqual(await browserBinding(cookie, pending.clientId), pending.browser)) {
    return errorPage(403, "access_denied", "This consent was not shown in this browser");
  }
  if (!timingSafeEqual(csrf, pending.csrf)) return errorPage(403, "access_denied", "The consent form's security token is wrong");
  // Single use: a second submission (double click, replay) finds nothing.
  if (!(await s.store.take<PendingAuthorization>(KEYS.consent(consentId)))) return expired();

  if (decision === "deny") {
    return redirectToClient(pending.redirectUri, {
      error: "access_denied",
      error_description: "The user denied the request",
      state: pending.state,
    }, s.issuer);
  }
  if (s.ownLogin) return await completeOwnLogin(s, s.ownLogin, request, pending);
  let provider;
  try {
    provider = await s.provider();
  } catch {
    return redirectToClient(pending.redirectUri, {
      error: "temporarily_unavailable",
      error_description: "The identity provider is not reachable",
      state: pending.state,
    }, s.issuer);
  }
  // The upstream state exists only from here: after consent, right before the redirect (MCP
  // security best practices, "OAuth state parameter"). CSPRNG, stored by hash, single-use, short TTL.
  const upstreamState = randomToken(32);
  const pair = provider.pkce ? await createPkcePair() : undefined;
  const { csrf: _csrf, ...rest } = pending;
  const transaction: UpstreamTransaction = { ...rest, verifier: pair?.verifier, upstreamRedirectUri: s.providerRedirectUri };
  await s.store.set(KEYS.upstreamState(await sha256Hex(upstreamState)), transaction, { ttlMs: s.lifetimes.loginMs });
  const location = upstreamAuthorizeUrl(provider, { redirectUri: s.providerRedirectUri, state: upstreamState, challenge: pair?.challenge });
  return new Response(null, { status: 302, headers: { location, "cache-control": "no-store", "referrer-policy": "no-referrer" } });
}
