import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { decodeBase32, encodeBase32, hotp, otpauthUri, totp, verifyTotp } from "../../src/core/index.ts";

// RFC 6238 Appendix B test vectors (SHA-1 seed "12345678901234567890", 8 digits).
const SEED = Buffer.from("12345678901234567890", "ascii");
const VECTORS: [number, string][] = [
  [59, "94287082"],
  [1111111109, "07081804"],
  [1111111111, "14050471"],
  [1234567890, "89005924"],
  [2000000000, "69279037"],
  [20000000000, "65353130"],
];

describe("TOTP (RFC 6238)", () => {
  for (const [seconds, expected] of VECTORS) {
    it(`gives ${expected} at T=${seconds}`, () => {
      assert.equal(totp(SEED, new Date(seconds * 1000), 8), expected);
    });
  }

  it("matches RFC 4226 Appendix D HOTP values", () => {
    const expected = ["755224", "287082", "359152", "969429", "338314", "254676", "287922", "162583", "399871", "520489"];
    expected.forEach((code, counter) => assert.equal(hotp(SEED, counter), code));
  });

  it("accepts the current code and one step of drift either side", () => {
    const at = new Date(1_800_000_000_000);
    for (const offset of [-30_000, 0, 30_000]) {
      const code = totp(SEED, new Date(at.getTime() + offset));
      assert.notEqual(verifyTotp(SEED, code, at, null), null, `offset ${offset}`);
    }
    assert.equal(verifyTotp(SEED, totp(SEED, new Date(at.getTime() + 90_000)), at, null), null);
  });

  it("refuses a code replayed in the same step", () => {
    const at = new Date(1_800_000_000_000);
    const code = totp(SEED, at);
    const step = verifyTotp(SEED, code, at, null);
    assert.notEqual(step, null);
    assert.equal(verifyTotp(SEED, code, at, step), null);
  });

  it("refuses malformed codes", () => {
    const at = new Date();
    for (const bad of ["", "12345", "1234567", "abcdef", "12 34 5x", "١٢٣٤٥٦"]) assert.equal(verifyTotp(SEED, bad, at, null), null, bad);
  });

  it("round-trips base32 and builds an otpauth URI apps read", () => {
    assert.equal(encodeBase32(Buffer.from("foobar")), "MZXW6YTBOI");
    assert.deepEqual(decodeBase32("MZXW 6YTB OI"), Buffer.from("foobar"));
    assert.throws(() => decodeBase32("not base32!"));
    const uri = new URL(otpauthUri(SEED, "a@b.example", "Vigil (Watch)"));
    assert.equal(uri.protocol, "otpauth:");
    assert.equal(uri.searchParams.get("secret"), encodeBase32(SEED));
    assert.equal(uri.searchParams.get("issuer"), "Vigil (Watch)");
  });
});
