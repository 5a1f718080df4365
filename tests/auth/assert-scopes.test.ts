import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { assertProviderToken } from "../../src/auth/assert.ts";
import { evaluateRequireAuth, missingScopes, requireAuth, scopeHierarchy } from "../../src/auth/scopes.ts";
import type { Identity } from "../../src/auth/identity.ts";

describe("assertProviderToken", () => {
  it("throws 'Authentication required' when there is no token", () => {
    assert.throws(() => assertProviderToken({}), { message: "Authentication required" });
    assert.throws(() => assertProviderToken({ providerToken: "" }), { message: "Authentication required" });
  });

  it("narrows when there is one", () => {
    const context: { providerToken?: string; other: number } = { providerToken: "tok", other: 1 };
    assertProviderToken(context);
    const token: string = context.providerToken; // compiles only because of the narrowing
    assert.equal(token, "tok");
  });
});

describe("missingScopes", () => {
  it("returns what is missing, in required order, without duplicates", () => {
    assert.deepEqual(missingScopes(["a"], ["a", "b", "c", "b"]), ["b", "c"]);
    assert.deepEqual(missingScopes([], []), []);
  });

  it("by default a scope implies its colon-extensions, never the reverse or siblings", () => {
    assert.deepEqual(missingScopes(["files"], ["files:read", "files:write", "files:read:meta"]), []);
    assert.deepEqual(missingScopes(["files:*"], ["files:read"]), []);
    assert.deepEqual(missingScopes(["files:read"], ["files"]), ["files"]);
    assert.deepEqual(missingScopes(["files:write"], ["files:read"]), ["files:read"]);
    assert.deepEqual(missingScopes(["file"], ["files:read"]), ["files:read"]);
    assert.deepEqual(missingScopes(["files"], ["filesystem"]), ["filesystem"]);
  });

  it("takes explicit implications, transitively", () => {
    const hierarchy = scopeHierarchy({ implies: { admin: ["files:write"], "files:write": ["files:read"] } });
    assert.deepEqual(missingScopes(["files:write"], ["files:read"], hierarchy), []);
    assert.deepEqual(missingScopes(["admin"], ["files:read", "files:write"], hierarchy), []);
    assert.deepEqual(missingScopes(["files:read"], ["files:write"], hierarchy), ["files:write"]);
  });

  it("can turn the prefix rule off", () => {
    assert.deepEqual(missingScopes(["files"], ["files:read"], scopeHierarchy({ prefix: false })), ["files:read"]);
  });
});

describe("requireAuth", () => {
  const alice: Identity = { strategy: "bearer", subject: "alice", scopes: [], claims: { role: "admin" } };
  const rule = requireAuth({ check: ({ auth }) => auth.claims?.role === "admin", message: "Admins only" });

  it("is a plain descriptor", () => {
    assert.equal(rule.kind, "requireAuth");
    assert.equal(rule.message, "Admins only");
  });

  it("401 for nobody (and for the none strategy), 403 with the message for a failed check", async () => {
    assert.deepEqual(await evaluateRequireAuth(rule, null), { ok: false, status: 401, message: "Authentication required" });
    assert.equal((await evaluateRequireAuth(rule, { strategy: "none", scopes: [] })).ok, false);
    assert.deepEqual(await evaluateRequireAuth(rule, { ...alice, claims: { role: "user" } }), {
      ok: false,
      status: 403,
      message: "Admins only",
    });
    assert.deepEqual(await evaluateRequireAuth(rule, alice), { ok: true });
  });

  it("a throwing check refuses", async () => {
    const broken = requireAuth({
      check: () => {
        throw new Error("x");
      },
    });
    assert.deepEqual(await evaluateRequireAuth(broken, alice), { ok: false, status: 403, message: "Forbidden" });
  });
});
