/**
 * @module Identity-provider presets: a tenant (or issuer) in, the exact issuer, JWKS location, scope claim and audience claim of that provider's access tokens out.
 *
 * Exported as `jwtProviders`: `auth0({ domain })`, `okta({ domain, authorizationServerId? })`,
 * `keycloak({ url, realm } | { issuer })`, `workos({ domain })`, `clerk({ domain })`,
 * `entra({ tenant, version? })`, `cognito({ userPoolId, region? })` and `google()`. Each returns a
 * {@link ProviderPreset} to spread into `jwt()`, next to the `resource` (and an `audience` where the
 * provider does not write the resource there: Keycloak needs an audience mapper, Entra's audience
 * is the API's client id or App ID URI; Cognito and Clerk carry the client in `client_id`, which
 * their presets select). Nothing is fetched here; a malformed domain, tenant or pool id throws
 * `TypeError` naming it. The presets follow each provider's documentation and have not been tried
 * against live tenants.
 *
 * @example
 * ```ts
 * import { jwt, jwtProviders } from "gatehouse";
 *
 * const resource = "https://mcp.example.com/mcp";
 * const auth0 = jwt({ ...jwtProviders.auth0({ domain: "acme.us.auth0.com" }), resource });
 * const keycloak = jwt({ ...jwtProviders.keycloak({ url: "https://kc.example.com", realm: "acme" }), resource });
 * const cognito = jwt({ ...jwtProviders.cognito({ userPoolId: "us-east-1_AbCdEf123" }), resource, audience: "my-app-client-id" });
 * ```
 */

/**
 * What a `jwtProviders` preset decides for {@link jwt}: the provider's exact issuer, its JWKS URL,
 * and where its access tokens carry scopes and the audience. Spread it into `jwt()` and add the
 * `resource` (and `audience` where the provider writes something else there). The presets follow
 * each provider's documentation and have not been tried against live tenants.
 *
 * @example
 * ```ts
 * import { jwt, jwtProviders, type ProviderPreset } from "gatehouse";
 *
 * const preset: ProviderPreset = jwtProviders.entra({ tenant: "contoso.onmicrosoft.com" });
 * const auth = jwt({ ...preset, resource: "https://mcp.example.com/mcp", audience: "api://notes-mcp" });
 * ```
 */
export interface ProviderPreset {
  provider: ProviderName;
  /** Exact `iss` value(s) the provider writes; the first is the issuer identifier advertised in metadata. */
  issuer: string | readonly string[];
  jwksUri: string;
  /** Where the granted scopes are: `scope` (space-separated string, RFC 8693 §4.2) or `scp` (array or string). */
  scopeClaim?: "scope" | "scp";
  /** Where the audience is; `client_id` for providers whose access tokens carry no `aud`. */
  audienceClaim?: "aud" | "client_id";
}

export const PROVIDERS = ["auth0", "okta", "keycloak", "workos", "clerk", "entra", "cognito", "google"] as const;
export type ProviderName = typeof PROVIDERS[number];

/** `acme.us.auth0.com`, `https://acme.us.auth0.com/` → `acme.us.auth0.com` (lowercase, no scheme, no path). */
function host(domainOrUrl: string, what: string): string {
  const text = domainOrUrl.trim();
  let parsed: URL;
  try {
    parsed = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `https://${text}`);
  } catch {
    throw new TypeError(`${what}: expected a host name like example.com, got "${domainOrUrl}"`);
  }
  if (!parsed.hostname || parsed.username || parsed.search || parsed.hash) {
    throw new TypeError(`${what}: expected a host name like example.com, got "${domainOrUrl}"`);
  }
  return parsed.host.toLowerCase();
}

const trimSlash = (s: string) => s.replace(/\/+$/, "");

/** Auth0: `iss` is `https://<domain>/` WITH the trailing slash; RBAC scopes in `scope`. */
export function auth0(options: { domain: string }): ProviderPreset {
  const d = host(options.domain, "auth0 domain");
  return { provider: "auth0", issuer: `https://${d}/`, jwksUri: `https://${d}/.well-known/jwks.json`, scopeClaim: "scope" };
}

/** Okta custom authorization server (default id `default`): scopes in `scp` (array). The org server's tokens are not meant for third-party verification. */
export function okta(options: { domain: string; authorizationServerId?: string }): ProviderPreset {
  const issuer = `https://${host(options.domain, "okta domain")}/oauth2/${options.authorizationServerId ?? "default"}`;
  return { provider: "okta", issuer, jwksUri: `${issuer}/v1/keys`, scopeClaim: "scp" };
}

/** Keycloak realm: `iss` is `<base>/realms/<realm>` (no `/auth` since Keycloak 17 unless configured). Add an audience mapper: Keycloak's default `aud` is `account`. */
export function keycloak(options: { url: string; realm: string } | { issuer: string }): ProviderPreset {
  const issuer = "issuer" in options ? trimSlash(options.issuer) : `${trimSlash(options.url)}/realms/${encodeURIComponent(options.realm)}`;
  return { provider: "keycloak", issuer, jwksUri: `${issuer}/protocol/openid-connect/certs`, scopeClaim: "scope" };
}

/** WorkOS AuthKit: issuer is the AuthKit domain (`<name>.authkit.app` or a custom one), keys at `/oauth2/jwks`. */
export function workos(options: { domain: string }): ProviderPreset {
  const issuer = `https://${host(options.domain, "workos domain")}`;
  return { provider: "workos", issuer, jwksUri: `${issuer}/oauth2/jwks`, scopeClaim: "scope" };
}

/** Clerk (OAuth access tokens issued as JWTs): issuer is the Frontend API URL; its tokens carry no `aud`, the OAuth client is in `client_id`. */
export function clerk(options: { domain: string }): ProviderPreset {
  const issuer = `https://${host(options.domain, "clerk domain")}`;
  return { provider: "clerk", issuer, jwksUri: `${issuer}/.well-known/jwks.json`, scopeClaim: "scope", audienceClaim: "client_id" };
}

/**
 * Microsoft Entra ID for one tenant. v2.0 tokens (`accessTokenAcceptedVersion: 2`) have
 * `iss = https://login.microsoftonline.com/<tenant>/v2.0`; v1 tokens `https://sts.windows.net/<tenant>/`.
 * Delegated scopes are in `scp` (space-separated string). The audience is the API's client id or App ID URI.
 */
export function entra(options: { tenant: string; version?: "v1" | "v2" }): ProviderPreset {
  if (!/^[A-Za-z0-9.-]+$/.test(options.tenant)) {
    throw new TypeError(`entra tenant: expected a tenant id or domain, got "${options.tenant}"`);
  }
  const t = options.tenant;
  return options.version === "v1"
    ? {
      provider: "entra",
      issuer: `https://sts.windows.net/${t}/`,
      jwksUri: `https://login.microsoftonline.com/${t}/discovery/keys`,
      scopeClaim: "scp",
    }
    : {
      provider: "entra",
      issuer: `https://login.microsoftonline.com/${t}/v2.0`,
      jwksUri: `https://login.microsoftonline.com/${t}/discovery/v2.0/keys`,
      scopeClaim: "scp",
    };
}

/** AWS Cognito user pool: access tokens carry no `aud`; the app client is `client_id`. The region is the pool id's prefix. */
export function cognito(options: { userPoolId: string; region?: string }): ProviderPreset {
  const m = /^([a-z]{2}(?:-[a-z]+)+-\d+)_[A-Za-z0-9]+$/.exec(options.userPoolId);
  if (!m) throw new TypeError(`cognito userPoolId: expected <region>_<id> like us-east-1_AbCdEf123, got "${options.userPoolId}"`);
  const issuer = `https://cognito-idp.${options.region ?? m[1]}.amazonaws.com/${options.userPoolId}`;
  return { provider: "cognito", issuer, jwksUri: `${issuer}/.well-known/jwks.json`, scopeClaim: "scope", audienceClaim: "client_id" };
}

/**
 * Google: its OAuth access tokens are opaque, so only Google-signed ID tokens (service-to-service,
 * `aud` = your client id or the URL you asked for) can be verified; they carry no scopes. Google
 * writes `iss` with or without the scheme.
 */
export function google(): ProviderPreset {
  return {
    provider: "google",
    issuer: ["https://accounts.google.com", "accounts.google.com"],
    jwksUri: "https://www.googleapis.com/oauth2/v3/certs",
  };
}

/**
 * A preset by name from one string (`JWT_PROVIDER` + `JWT_ISSUER`): a domain for auth0, okta
 * (default authorization server), workos and clerk, or their full issuer URL; the issuer URL for
 * keycloak; the tenant id for entra (or a full v1/v2 issuer URL); the user pool id for cognito
 * (or its issuer URL); nothing for google. Throws `TypeError` naming what is wrong.
 */
export function providerPreset(name: ProviderName, tenant: string | undefined): ProviderPreset {
  const need = (what: string): string => {
    if (!tenant) throw new TypeError(`${name} needs ${what}`);
    return tenant;
  };
  switch (name) {
    case "auth0":
      return auth0({ domain: need("the tenant domain, like acme.us.auth0.com") });
    case "okta": {
      const t = need("the Okta domain or the authorization server's issuer URL");
      const m = /^https:\/\/([^/]+)\/oauth2\/([^/]+)\/?$/.exec(t);
      return m ? okta({ domain: m[1], authorizationServerId: m[2] }) : okta({ domain: t });
    }
    case "keycloak":
      return keycloak({ issuer: need("the realm's issuer URL, like https://kc.example.com/realms/acme") });
    case "workos":
      return workos({ domain: need("the AuthKit domain, like acme.authkit.app") });
    case "clerk":
      return clerk({ domain: need("the Frontend API domain, like clerk.example.com") });
    case "entra": {
      const t = need("the tenant id");
      const v2 = /^https:\/\/login\.microsoftonline\.com\/([^/]+)\/v2\.0\/?$/.exec(t);
      const v1 = /^https:\/\/sts\.windows\.net\/([^/]+)\/?$/.exec(t);
      return v1 ? entra({ tenant: v1[1], version: "v1" }) : entra({ tenant: v2 ? v2[1] : t });
    }
    case "cognito": {
      const t = need("the user pool id, like us-east-1_AbCdEf123");
      const m = /^https:\/\/cognito-idp\.([^.]+)\.amazonaws\.com\/([^/]+)\/?$/.exec(t);
      return m ? cognito({ userPoolId: m[2], region: m[1] }) : cognito({ userPoolId: t });
    }
    case "google":
      return google();
  }
}
