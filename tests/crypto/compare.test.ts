/**
 * @module timingSafeEqual and matchesAny give the same answers as ===, for every kind of near miss.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { matchesAny, timingSafeEqual } from "../../src/crypto/compare.ts";

const secret = "s3cr3t-Token_value";

describe("timingSafeEqual", () => {
  it("accepts the identical string", () => {
    assert.equal(timingSafeEqual(secret, secret), true);
    assert.equal(timingSafeEqual(String(secret), `${secret}`), true);
    assert.equal(timingSafeEqual("ünïcödé 🔐", "ünïcödé 🔐"), true);
  });

  it("rejects a different string of the same length", () => {
    assert.equal(timingSafeEqual("s3cr3t-Token_valuf", secret), false);
    assert.equal(timingSafeEqual("t3cr3t-Token_value", secret), false);
  });

  it("rejects a prefix and an extension, both ways round", () => {
    assert.equal(timingSafeEqual(secret.slice(0, -1), secret), false);
    assert.equal(timingSafeEqual(secret + "x", secret), false);
    assert.equal(timingSafeEqual(secret, secret.slice(0, -1)), false);
    assert.equal(timingSafeEqual(secret, secret + "x"), false);
    // An extension that repeats the secret: the cyclic read of the shorter side must not match.
    assert.equal(timingSafeEqual(secret + secret, secret), false);
    assert.equal(timingSafeEqual(secret, secret + secret), false);
  });

  it("rejects a case change", () => {
    assert.equal(timingSafeEqual(secret.toUpperCase(), secret), false);
    assert.equal(timingSafeEqual("S3cr3t-Token_value", secret), false);
  });

  it("handles empty strings", () => {
    assert.equal(timingSafeEqual("", ""), true);
    assert.equal(timingSafeEqual("", secret), false);
    assert.equal(timingSafeEqual(secret, ""), false);
  });

  it("compares bytes, not UTF-16 units: differently encoded look-alikes differ", () => {
    assert.equal(timingSafeEqual("é", "e\u0301"), false);
    assert.equal(timingSafeEqual("\u0000", ""), false);
  });
});

describe("matchesAny", () => {
  const keys = ["key-one", "key-two", "key-three"];

  it("returns the index of the matching entry", () => {
    assert.equal(matchesAny("key-one", keys), 0);
    assert.equal(matchesAny("key-two", keys), 1);
    assert.equal(matchesAny("key-three", keys), 2);
  });

  it("returns -1 when nothing matches, including near misses and an empty list", () => {
    assert.equal(matchesAny("key-fou", keys), -1);
    assert.equal(matchesAny("key-on", keys), -1);
    assert.equal(matchesAny("KEY-ONE", keys), -1);
    assert.equal(matchesAny("", keys), -1);
    assert.equal(matchesAny("key-one", []), -1);
  });

  it("returns the first index when an entry is listed twice", () => {
    assert.equal(matchesAny("b", ["a", "b", "c", "b"]), 1);
  });
});
