/**
 * @module `/token` (RFC 6749 §3.2, OAuth 2.1 §3.2): `authorization_code` with PKCE and `refresh_token` with rotation, client authentication, RFC 8707 `resource` checks, RFC 6749 §5.2 errors, always `Cache-Control: no-store`.
 */
import { authenticateClient, markClientUsed } from "./clients.ts";
import { param, readForm, repeatedParameter } from "./form.ts";
import { issueTokens, redeemCode, rotateRefreshToken } from "./grants.ts";
import { oauthError, oauthJson } from "./responses.ts";
import { normalizeResource, type OAuthSettings } from "./settings.ts";

/** `POST /token`. */
export async function handleToken(s: OAuthSettings, request: Request): Promise<Response> {
  if (request.method !== "POST") return oauthError("invalid_request", "Use POST", 405, { allow: "POST" });
  const form = await readForm(request);
  if (!form.ok) return oauthError("invalid_request", form.description, form.status);
  const params = form.params;
  const repeated = repeatedParameter(params);
  if (repeated) return oauthError("invalid_request", `The parameter ${repeated.slice(0, 40)} was given more than once`);

  const auth = await authenticateClient(s, request, params);
  if (!auth.ok) return auth.response;
  const client = auth.client;

  // RFC 8707 §2: when given, `resource` must name this server and match the grant.
  const rawResource = param(params, "resource");
  let resource: string | undefined;
  if (rawResource !== undefined) {
    resource = normalizeResource(rawResource);
    if (!resource || !s.resources.has(resource)) return oauthError("invalid_target", "resource does not name this server");
  }

  switch (param(params, "grant_type")) {
    case "authorization_code": {
      const code = param(params, "code");
      if (!code) return oauthError("invalid_request", "code is required");
      if (code.length > 256) return oauthError("invalid_grant", "The authorization code is invalid or has expired");
      const redeemed = await redeemCode(s, code, {
        clientId: client.clientId,
        redirectUri: param(params, "redirect_uri"),
        verifier: param(params, "code_verifier"),
        resource,
      });
      if (!redeemed.ok) return oauthError(redeemed.error, redeemed.description);
      await markClientUsed(s, client);
      return oauthJson(await issueTokens(s, redeemed.value.grant, redeemed.value.secret, client.clientId));
    }
    case "refresh_token": {
      const token = param(params, "refresh_token");
      if (!token) return oauthError("invalid_request", "refresh_token is required");
      if (token.length > 256) return oauthError("invalid_grant", "The refresh token is invalid or has expired");
      const scope = param(params, "scope");
      const rotated = await rotateRefreshToken(s, token, {
        clientId: client.clientId,
        scopes: scope === undefined ? undefined : [...new Set(scope.split(" ").filter((x) => x !== ""))],
        resource,
      });
      return rotated.ok ? oauthJson(rotated.value) : oauthError(rotated.error, rotated.description);
    }
    case undefined:
      return oauthError("invalid_request", "grant_type is required");
    default:
      return oauthError("unsupported_grant_type", "Supported grant types: authorization_code, refresh_token");
  }
}
