import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { auth0, clerk, cognito, entra, google, keycloak, okta, providerPreset, PROVIDERS, workos } from "../../src/auth/presets.ts";
import { jwt } from "../../src/auth/jwt.ts";

describe("identity-provider presets", () => {
  it("Auth0: issuer with its trailing slash, JWKS at /.well-known/jwks.json, scope", () => {
    assert.deepEqual(auth0({ domain: "https://Acme.us.auth0.com/" }), {
      provider: "auth0",
      issuer: "https://acme.us.auth0.com/",
      jwksUri: "https://acme.us.auth0.com/.well-known/jwks.json",
      scopeClaim: "scope",
    });
  });

  it("Okta custom authorization server: scp", () => {
    assert.deepEqual(okta({ domain: "dev-1.okta.com" }), {
      provider: "okta",
      issuer: "https://dev-1.okta.com/oauth2/default",
      jwksUri: "https://dev-1.okta.com/oauth2/default/v1/keys",
      scopeClaim: "scp",
    });
    assert.equal(providerPreset("okta", "https://dev-1.okta.com/oauth2/aus9").issuer, "https://dev-1.okta.com/oauth2/aus9");
  });

  it("Keycloak realm", () => {
    const p = keycloak({ url: "https://kc.example.com/", realm: "acme" });
    assert.equal(p.issuer, "https://kc.example.com/realms/acme");
    assert.equal(p.jwksUri, "https://kc.example.com/realms/acme/protocol/openid-connect/certs");
    assert.deepEqual(providerPreset("keycloak", "https://kc.example.com/realms/acme"), p);
  });

  it("WorkOS AuthKit and Clerk", () => {
    assert.equal(workos({ domain: "acme.authkit.app" }).jwksUri, "https://acme.authkit.app/oauth2/jwks");
    const c = clerk({ domain: "clerk.acme.com" });
    assert.equal(c.issuer, "https://clerk.acme.com");
    assert.equal(c.jwksUri, "https://clerk.acme.com/.well-known/jwks.json");
    assert.equal(c.audienceClaim, "client_id");
  });

  it("Microsoft Entra v2 (default) and v1", () => {
    const t = "11111111-2222-3333-4444-555555555555";
    assert.deepEqual(entra({ tenant: t }), {
      provider: "entra",
      issuer: `https://login.microsoftonline.com/${t}/v2.0`,
      jwksUri: `https://login.microsoftonline.com/${t}/discovery/v2.0/keys`,
      scopeClaim: "scp",
    });
    assert.equal(providerPreset("entra", `https://sts.windows.net/${t}/`).issuer, `https://sts.windows.net/${t}/`);
    assert.throws(() => entra({ tenant: "a/b" }), /tenant/);
  });

  it("AWS Cognito: region from the pool id, audience in client_id", () => {
    assert.deepEqual(cognito({ userPoolId: "eu-west-1_AbC123" }), {
      provider: "cognito",
      issuer: "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbC123",
      jwksUri: "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbC123/.well-known/jwks.json",
      scopeClaim: "scope",
      audienceClaim: "client_id",
    });
    assert.throws(() => cognito({ userPoolId: "nope" }), /region/);
  });

  it("Google: both iss spellings, no scopes", () => {
    assert.deepEqual(google().issuer, ["https://accounts.google.com", "accounts.google.com"]);
    assert.equal(google().scopeClaim, undefined);
  });

  it("every preset builds a jwt strategy whose metadata names the issuer", () => {
    const tenants: Record<string, string | undefined> = {
      auth0: "acme.auth0.com",
      okta: "acme.okta.com",
      keycloak: "https://kc.example.com/realms/acme",
      workos: "acme.authkit.app",
      clerk: "clerk.acme.com",
      entra: "contoso.onmicrosoft.com",
      cognito: "us-east-1_Abc",
      google: undefined,
    };
    for (const name of PROVIDERS) {
      const preset = providerPreset(name, tenants[name]);
      const strategy = jwt({ ...preset, resource: "https://mcp.example.com/mcp", audience: "api" });
      const first = typeof preset.issuer === "string" ? preset.issuer : preset.issuer[0];
      assert.deepEqual(strategy.metadata.authorization_servers, [first], name);
    }
    assert.throws(() => providerPreset("auth0", undefined), /needs the tenant domain/);
  });
});
