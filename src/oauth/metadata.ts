/**
 * @module RFC 8414 authorization server metadata (serialised once by the route). The RFC 9728 protected-resource document comes from src/auth/resource-metadata.ts.
 */
import type { OAuthSettings } from "./settings.ts";

/** RFC 8414 §2 metadata for this server. */
export function authorizationServerMetadata(s: OAuthSettings): Record<string, unknown> {
  return {
    issuer: s.issuer,
    authorization_endpoint: `${s.issuer}/authorize`,
    token_endpoint: `${s.issuer}/token`,
    ...(s.registration ? { registration_endpoint: `${s.issuer}/register` } : {}),
    revocation_endpoint: `${s.issuer}/revoke`,
    ...(s.scopes.length ? { scopes_supported: s.scopes } : {}),
    response_types_supported: ["code"],
    response_modes_supported: ["query"],
    grant_types_supported: ["authorization_code", "refresh_token"],
    token_endpoint_auth_methods_supported: ["none", "client_secret_basic", "client_secret_post"],
    revocation_endpoint_auth_methods_supported: ["none", "client_secret_basic", "client_secret_post"],
    // MCP: without this clients must refuse to proceed; S256 only (OAuth 2.1 §4.1.1).
    code_challenge_methods_supported: ["S256"],
    // RFC 9207 §3: every authorization response carries `iss`.
    authorization_response_iss_parameter_supported: true,
    client_id_metadata_document_supported: s.clientMetadata !== undefined,
  };
}
