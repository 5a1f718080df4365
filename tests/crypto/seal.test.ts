/**
 * @module seal/open: round trips, and `undefined` (never a throw) for tampering, a wrong key or a wrong aad.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { importSealKey, open, seal } from "../../src/crypto/seal.ts";
import { base64UrlDecode, base64UrlEncode } from "../../src/crypto/base64url.ts";

const secret = "0123456789abcdef0123456789abcdef-test-only";

/** Flips one bit of the decoded sealed bytes at `index` and re-encodes. */
function flipBit(sealed: string, index: number): string {
  const bytes = base64UrlDecode(sealed)!;
  bytes[index] ^= 0x01;
  return base64UrlEncode(bytes);
}

describe("seal and open", () => {
  it("round-trips text, with and without aad", async () => {
    const key = await importSealKey(secret);
    for (const text of ["provider-access-token", "", "ünïcödé 🔐", "x".repeat(10_000)]) {
      assert.equal(await open(key, await seal(key, text)), text);
      assert.equal(await open(key, await seal(key, text, "grant:g1"), "grant:g1"), text);
    }
  });

  it("derives the same key from the same secret (sealed data survives a restart)", async () => {
    const sealed = await seal(await importSealKey(secret), "persisted");
    assert.equal(await open(await importSealKey(secret), sealed), "persisted");
  });

  it("produces base64url output that differs on every call (random IV) and hides the plaintext", async () => {
    const key = await importSealKey(secret);
    const a = await seal(key, "same text");
    const b = await seal(key, "same text");
    assert.match(a, /^[A-Za-z0-9_-]+$/);
    assert.notEqual(a, b);
    assert.equal(base64UrlDecode(a)!.length, 12 + "same text".length + 16);
    assert.doesNotMatch(a, /same/);
  });

  it("detects tampering anywhere: IV, ciphertext or tag", async () => {
    const key = await importSealKey(secret);
    const sealed = await seal(key, "provider-access-token");
    const length = base64UrlDecode(sealed)!.length;
    for (const index of [0, 11, 12, 20, length - 16, length - 1]) {
      assert.equal(await open(key, flipBit(sealed, index)), undefined, `bit flipped at byte ${index}`);
    }
    assert.equal(await open(key, sealed), "provider-access-token"); // the original still opens
  });

  it("returns undefined for truncated or malformed input", async () => {
    const key = await importSealKey(secret);
    const sealed = await seal(key, "provider-access-token");
    assert.equal(await open(key, sealed.slice(0, -2)), undefined);
    assert.equal(await open(key, sealed.slice(0, 20)), undefined);
    assert.equal(await open(key, ""), undefined);
    assert.equal(await open(key, "not base64url!"), undefined);
    assert.equal(await open(key, sealed + "="), undefined);
  });

  it("returns undefined under the wrong key", async () => {
    const sealed = await seal(await importSealKey(secret), "provider-access-token");
    assert.equal(await open(await importSealKey(secret + "!"), sealed), undefined);
  });

  it("returns undefined when the aad does not match", async () => {
    const key = await importSealKey(secret);
    const sealed = await seal(key, "provider-access-token", "grant:g1");
    assert.equal(await open(key, sealed, "grant:g2"), undefined);
    assert.equal(await open(key, sealed), undefined);
    const unbound = await seal(key, "provider-access-token");
    assert.equal(await open(key, unbound, "grant:g1"), undefined);
  });

  it("makes a key that cannot be exported", async () => {
    const key = await importSealKey(secret);
    assert.equal(key.extractable, false);
    assert.equal((key.algorithm as AesKeyAlgorithm).length, 256);
    await assert.rejects(crypto.subtle.exportKey("raw", key));
  });

  it("refuses an empty secret", async () => {
    await assert.rejects(importSealKey(""), TypeError);
  });
});
