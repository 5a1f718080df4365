/** @module Authorization-server discovery from an issuer identifier: OpenID Connect Discovery 1.0 §4, then RFC 8414 §3, with the `issuer` match both require. */
import { type BoundedFetchOptions, fetchJson } from "./bounded-fetch.ts";
import { JoseError } from "./jwt-errors.ts";

/** The members of RFC 8414 §2 / OIDC Discovery §3 that Gatehouse reads. */
export interface AuthorizationServerMetadata {
  issuer: string;
  jwks_uri?: string;
  authorization_endpoint?: string;
  token_endpoint?: string;
  registration_endpoint?: string;
  scopes_supported?: string[];
  code_challenge_methods_supported?: string[];
  authorization_response_iss_parameter_supported?: boolean;
  client_id_metadata_document_supported?: boolean;
  token_endpoint_auth_methods_supported?: string[];
  [member: string]: unknown;
}

/**
 * Where an issuer's metadata may live, in the order tried:
 * 1. OIDC Discovery §4.1: `<issuer>/.well-known/openid-configuration` (appended);
 * 2. RFC 8414 §3.1: `<origin>/.well-known/oauth-authorization-server<issuer path>` (inserted);
 * 3. for an issuer with a path, OIDC path-inserted (RFC 8414 §5 compatibility, and what MCP clients try).
 */
export function metadataUrls(issuer: string): string[] {
  const url = new URL(issuer);
  const path = url.pathname.replace(/\/+$/, "");
  const urls = [
    `${issuer.replace(/\/+$/, "")}/.well-known/openid-configuration`,
    `${url.origin}/.well-known/oauth-authorization-server${path}`,
  ];
  if (path) urls.push(`${url.origin}/.well-known/openid-configuration${path}`);
  return urls;
}

/**
 * Fetches the issuer's metadata. A document is accepted only when its `issuer` equals `issuer`
 * exactly (OIDC Discovery §4.3, RFC 8414 §3.3: otherwise a document could claim another issuer's
 * identity). Throws `JoseError("DiscoveryFailed")` naming every URL tried and why it failed.
 */
export async function discoverAuthorizationServer(issuer: string, options: BoundedFetchOptions = {}): Promise<AuthorizationServerMetadata> {
  const problems: string[] = [];
  for (const url of metadataUrls(issuer)) {
    try {
      const { body } = await fetchJson(url, options);
      const metadata = body as AuthorizationServerMetadata;
      if (typeof metadata !== "object" || metadata === null || Array.isArray(metadata)) {
        problems.push(`${url}: not a JSON object`);
        continue;
      }
      if (metadata.issuer !== issuer) {
        problems.push(`${url}: names issuer "${String(metadata.issuer)}", expected "${issuer}"`);
        continue;
      }
      return metadata;
    } catch (error) {
      problems.push(error instanceof Error ? error.message : String(error));
    }
  }
  throw new JoseError("DiscoveryFailed", `No authorization server metadata for ${issuer} (${problems.join("; ")})`);
}
