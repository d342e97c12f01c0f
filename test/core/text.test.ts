import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { cleanText, hasLoneSurrogate, openSecret, sealSecret, hashToken, randomToken } from "../../src/core/index.ts";
import { randomBytes } from "node:crypto";

describe("text cleaning", () => {
  it("removes right-to-left overrides and isolates that disguise a name", () => {
    assert.equal(cleanText("evil\u202Egnp.exe"), "evilgnp.exe");
    assert.equal(cleanText("\u2067ئىلھام\u2069"), "ئىلھام");
  });
  it("keeps Uyghur, Chinese and Latin letters and normalises to NFC", () => {
    assert.equal(cleanText("  ئىلھام توختى  "), "ئىلھام توختى");
    assert.equal(cleanText("伊力哈木·土赫提"), "伊力哈木·土赫提");
    assert.equal(cleanText("e\u0301"), "\u00e9");
  });
  it("drops control characters but keeps the text around them", () => {
    assert.equal(cleanText("a\u0000b\u0007c"), "abc");
  });
  it("detects lone surrogates", () => {
    assert.equal(hasLoneSurrogate("ok 😀"), false);
    assert.equal(hasLoneSurrogate("bad \uD800 x"), true);
    assert.equal(hasLoneSurrogate("bad \uDC00"), true);
  });
});

describe("secret box", () => {
  const key = randomBytes(32);
  it("opens what it sealed, in the same context only", () => {
    const sealed = sealSecret(key, Buffer.from("seed"), "users:1");
    assert.equal(openSecret(key, sealed, "users:1").toString(), "seed");
    assert.throws(() => openSecret(key, sealed, "users:2"));
    assert.throws(() => openSecret(randomBytes(32), sealed, "users:1"));
  });
  it("refuses a tampered box", () => {
    const sealed = sealSecret(key, Buffer.from("seed"), "c");
    sealed[sealed.length - 1]! ^= 1;
    assert.throws(() => openSecret(key, sealed, "c"));
    assert.throws(() => openSecret(key, Buffer.from([9, 9, 9]), "c"));
  });
  it("makes prefixed random tokens and hashes them stably", () => {
    const a = randomToken("vgt");
    assert.match(a, /^vgt_[A-Za-z0-9_-]{43}$/);
    assert.notEqual(a, randomToken("vgt"));
    assert.equal(hashToken(a), hashToken(a));
    assert.equal(hashToken(a).length, 64);
  });
});
