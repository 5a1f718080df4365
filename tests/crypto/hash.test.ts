/**
 * @module sha256Hex and sha256Base64Url against published test vectors.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { sha256Base64Url, sha256Hex } from "../../src/crypto/hash.ts";

describe("sha256", () => {
  it("matches the FIPS 180-2 vectors in hex", async () => {
    assert.equal(await sha256Hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    assert.equal(await sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  });

  it("hashes the UTF-8 bytes of non-ASCII text", async () => {
    // printf 'é' | sha256sum  (UTF-8 bytes c3 a9, not the UTF-16 unit 0xe9)
    assert.equal(await sha256Hex("\u00e9"), "4a99557e4033c3539de2eb65472017cad5f9557f7a0625a09f1c3f6e2ba69c4c");
  });

  it("gives the RFC 7636 Appendix B S256 code challenge", async () => {
    assert.equal(
      await sha256Base64Url("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
      "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
    );
  });
});
