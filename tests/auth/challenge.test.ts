import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  apiKeyChallenge,
  bearerChallenge,
  insufficientScopeChallenge,
  insufficientScopeResponse,
  quote,
  unauthorizedResponse,
} from "../../src/auth/challenge.ts";

const PRM = "https://mcp.example.com/.well-known/oauth-protected-resource/mcp";

describe("WWW-Authenticate challenges", () => {
  it("is the bare scheme with nothing to say", () => {
    assert.equal(bearerChallenge(), "Bearer");
  });

  it("orders and quotes parameters", () => {
    assert.equal(
      bearerChallenge({ error: "invalid_token", description: "Token expired", scopes: ["a", "b:c"], resourceMetadataUrl: PRM }),
      `Bearer error="invalid_token", error_description="Token expired", scope="a b:c", resource_metadata="${PRM}"`,
    );
  });

  it("keeps error_description within RFC 6750's character set", () => {
    assert.equal(
      bearerChallenge({ error: "invalid_token", description: 'bad "quote" \\ and ünïcode\n' }),
      `Bearer error="invalid_token", error_description="bad 'quote' / and ncode"`,
    );
  });

  it("quote-escapes quoted-string values", () => {
    assert.equal(quote('a"b\\c'), '"a\\"b\\\\c"');
    assert.equal(quote("x\r\ny"), '"xy"');
  });

  it("drops scope tokens that cannot be expressed", () => {
    assert.equal(bearerChallenge({ scopes: ["ok", 'bad"one', "has space", "also"] }), 'Bearer scope="ok also"');
  });

  it("builds the step-up challenge", () => {
    assert.equal(
      insufficientScopeChallenge({ scopes: ["files:read", "files:write"], resourceMetadataUrl: PRM }),
      `Bearer error="insufficient_scope", scope="files:read files:write", resource_metadata="${PRM}"`,
    );
  });

  it("names the api key header", () => {
    assert.equal(apiKeyChallenge("x-api-key"), 'ApiKey header="x-api-key"');
  });
});

describe("refusal responses", () => {
  it("401 with a JSON body and the challenge", async () => {
    const res = unauthorizedResponse({ ok: false, error: "invalid_token", description: "nope" }, { resourceMetadataUrl: PRM });
    assert.equal(res.status, 401);
    assert.equal(res.headers.get("www-authenticate"), `Bearer error="invalid_token", error_description="nope", resource_metadata="${PRM}"`);
    assert.deepEqual(await res.json(), { error: "invalid_token", error_description: "nope" });
  });

  it("400 for a malformed credential", () => {
    assert.equal(unauthorizedResponse({ ok: false, error: "invalid_request", description: "x" }).status, 400);
  });

  it("403 insufficient_scope naming every needed scope in the header and the missing ones in the body", async () => {
    const res = insufficientScopeResponse({ scopes: ["files:read", "files:write"], missing: ["files:write"], resourceMetadataUrl: PRM });
    assert.equal(res.status, 403);
    assert.equal(
      res.headers.get("www-authenticate"),
      `Bearer error="insufficient_scope", error_description="Missing required scope: files:write", scope="files:read files:write", resource_metadata="${PRM}"`,
    );
    assert.deepEqual(await res.json(), {
      error: "insufficient_scope",
      error_description: "Missing required scope: files:write",
      scope: "files:read files:write",
    });
  });
});
