/**
 * @module The provider's redirect back to us (`/oauth/provider-callback`, alias `/oauth/callback`): the upstream `state` must match a stored transaction exactly and once, in the browser that consented; then the upstream code is exchanged, the user identified, and our own code issued to the client with `iss` (RFC 9207).
 */
import { sha256Hex } from "../crypto/hash.ts";
import { timingSafeEqual } from "../crypto/compare.ts";
import { findClient, markClientUsed } from "./clients.ts";
import { browserBinding, readBrowserSecret } from "./consent.ts";
import { param, repeatedParameter } from "./form.ts";
import { createGrant, issueCode } from "./grants.ts";
import { errorPage, redirectToClient } from "./responses.ts";
import { KEYS, type OAuthSettings } from "./settings.ts";
import { exchangeCode, fetchSubject, UpstreamError } from "./upstream.ts";
import type { UpstreamTransaction } from "./authorize.ts";

/** `GET /oauth/provider-callback`. */
export async function handleProviderCallback(s: OAuthSettings, request: Request, url: URL): Promise<Response> {
  const q = url.searchParams;
  if (repeatedParameter(q)) return errorPage(400, "invalid_request", "A parameter was given more than once");
  const state = param(q, "state");
  if (!state || state.length > 256) {
    return errorPage(400, "invalid_request", "The sign-in response has no valid state; start again from your application");
  }
  // Exact match, single use: the transaction is taken, so a replayed callback finds nothing.
  const tx = await s.store.take<UpstreamTransaction>(KEYS.upstreamState(await sha256Hex(state)));
  if (!tx) return errorPage(400, "invalid_request", "This sign-in has expired or was already completed; start again from your application");
  // GHSA-rww4-4w9c-7733: the browser finishing the login must be the one that consented, or a
  // victim could be sent to complete a login the attacker started.
  const cookie = readBrowserSecret(request);
  if (!cookie || !timingSafeEqual(await browserBinding(cookie, tx.clientId), tx.browser)) {
    return errorPage(403, "access_denied", "This sign-in was started in a different browser; start again from your application");
  }
  const toClient = (params: Record<string, string | undefined>) =>
    redirectToClient(tx.redirectUri, { ...params, state: tx.state }, s.issuer);

  const upstreamError = param(q, "error");
  if (upstreamError !== undefined) {
    const known = upstreamError === "access_denied" || upstreamError === "temporarily_unavailable";
    return toClient({
      error: known ? upstreamError : "access_denied",
      error_description: upstreamError === "access_denied"
        ? "The sign-in was cancelled or refused at the identity provider"
        : "The identity provider reported an error",
    });
  }
  const code = param(q, "code");
  if (!code) return toClient({ error: "server_error", error_description: "The identity provider sent no authorization code" });

  const found = await findClient(s, tx.clientId);
  if (!found.ok) return errorPage(400, "invalid_client", "The application is no longer registered");
  try {
    const provider = await s.provider();
    const tokens = await exchangeCode(provider, s.fetch, { code, redirectUri: tx.upstreamRedirectUri, verifier: tx.verifier }, s.now);
    const who = await fetchSubject(provider, s.fetch, tokens);
    const { grant, secret } = await createGrant(s, {
      clientId: tx.clientId,
      subject: who.subject,
      claims: who.claims,
      scopes: tx.scopes,
      resource: tx.resource,
      tokens: { accessToken: tokens.accessToken, refreshToken: tokens.refreshToken, expiresAt: tokens.expiresAt },
    });
    const ours = await issueCode(s, grant, secret, { redirectUri: tx.redirectUri, codeChallenge: tx.codeChallenge });
    await markClientUsed(s, found.client);
    return toClient({ code: ours });
  } catch (error) {
    if (error instanceof UpstreamError) {
      const transient = error.code === "network" || error.code === "temporarily_unavailable";
      return toClient({
        error: transient ? "temporarily_unavailable" : "access_denied",
        error_description: error.message,
      });
    }
    return toClient({ error: "server_error", error_description: "The sign-in could not be completed" });
  }
}
