/**
 * @module randomToken and randomId: the right length, the URL-safe alphabet, and no repeats.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { randomId, randomToken } from "../../src/crypto/random.ts";
import { base64UrlDecode } from "../../src/crypto/base64url.ts";

describe("randomToken", () => {
  it("encodes 32 bytes by default as 43 unpadded base64url characters", () => {
    const token = randomToken();
    assert.match(token, /^[A-Za-z0-9_-]{43}$/);
    assert.equal(base64UrlDecode(token)!.length, 32);
  });

  it("encodes the requested number of bytes", () => {
    for (const bytes of [1, 2, 3, 16, 48, 1000]) assert.equal(base64UrlDecode(randomToken(bytes))!.length, bytes);
  });

  it("never repeats across many draws", () => {
    const seen = new Set(Array.from({ length: 1000 }, () => randomToken()));
    assert.equal(seen.size, 1000);
  });

  it("rejects a byte count that is not a positive integer", () => {
    for (const bytes of [0, -1, 1.5, NaN, 100_000]) assert.throws(() => randomToken(bytes), RangeError);
  });
});

describe("randomId", () => {
  it("is 128 bits as 22 base64url characters, and unique", () => {
    const ids = Array.from({ length: 1000 }, randomId);
    for (const id of ids) assert.match(id, /^[A-Za-z0-9_-]{22}$/);
    assert.equal(new Set(ids).size, 1000);
  });
});
