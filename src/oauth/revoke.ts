/** @module `/revoke` (RFC 7009): the client authenticates; a refresh token revokes its whole family, an access token itself; unknown tokens still get 200 (§2.2). */
import { authenticateClient } from "./clients.ts";
import { param, readForm, repeatedParameter } from "./form.ts";
import { revokeToken } from "./grants.ts";
import { NO_STORE, oauthError, OPEN_CORS } from "./responses.ts";
import type { OAuthSettings } from "./settings.ts";

/** `POST /revoke`. */
export async function handleRevoke(s: OAuthSettings, request: Request): Promise<Response> {
  if (request.method !== "POST") return oauthError("invalid_request", "Use POST", 405, { allow: "POST" });
  const form = await readForm(request);
  if (!form.ok) return oauthError("invalid_request", form.description, form.status);
  if (repeatedParameter(form.params)) return oauthError("invalid_request", "A parameter was given more than once");
  const auth = await authenticateClient(s, request, form.params);
  if (!auth.ok) return auth.response;
  const token = param(form.params, "token");
  if (!token) return oauthError("invalid_request", "token is required");
  // RFC 7009 §2.2.1: an unsupported hint is an error; an unknown token is not.
  const hint = param(form.params, "token_type_hint");
  if (hint !== undefined && hint !== "access_token" && hint !== "refresh_token") {
    return oauthError("unsupported_token_type", "token_type_hint must be access_token or refresh_token");
  }
  if (token.length <= 256) await revokeToken(s, token, auth.client.clientId, hint);
  return new Response(null, { status: 200, headers: { ...NO_STORE, ...OPEN_CORS } });
}
