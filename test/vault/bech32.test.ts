import { test } from "node:test";
import assert from "node:assert/strict";
import {
  Bech32Error,
  decodeBech32,
  encodeBech32,
  formatX25519Identity,
  formatX25519Recipient,
  generateX25519Identity,
  parseX25519Identity,
  parseX25519Recipient,
  toX25519Recipient,
} from "../../src/vault/index.ts";

// The example pair printed in the C2SP age spec, "The X25519 recipient type".
const SPEC_IDENTITY = "AGE-SECRET-KEY-1GFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPQ4EGAEX";
const SPEC_RECIPIENT = "age1zvkyg2lqzraa2lnjvqej32nkuu0ues2s82hzrye869xeexvn73equnujwj";

test("derives the spec's example recipient from the spec's example identity", () => {
  const identity = parseX25519Identity(SPEC_IDENTITY);
  assert.equal(formatX25519Recipient(toX25519Recipient(identity)), SPEC_RECIPIENT);
  assert.equal(formatX25519Identity(identity), SPEC_IDENTITY);
});

test("round-trips generated keys, identities uppercase and recipients lowercase", () => {
  const identity = generateX25519Identity();
  const text = formatX25519Identity(identity);
  assert.match(text, /^AGE-SECRET-KEY-1[0-9A-Z]{58}$/);
  assert.deepEqual(parseX25519Identity(text).publicKey, identity.publicKey);
  const recipient = formatX25519Recipient(toX25519Recipient(identity));
  assert.match(recipient, /^age1[0-9a-z]{58}$/);
  assert.deepEqual(parseX25519Recipient(recipient).publicKey, identity.publicKey);
});

test("encodes data longer than BIP-173's 90-character limit", () => {
  const data = new Uint8Array(200).map((_, i) => i);
  const text = encodeBech32("test", data);
  assert.ok(text.length > 90);
  assert.deepEqual(decodeBech32(text), { hrp: "test", data });
});

test("rejects a mistyped character with a checksum error", () => {
  const typo = SPEC_RECIPIENT.slice(0, 10) + (SPEC_RECIPIENT[10] === "q" ? "p" : "q") + SPEC_RECIPIENT.slice(11);
  assert.throws(() => decodeBech32(typo), (e: unknown) => e instanceof Bech32Error && e.code === "checksum");
  assert.throws(() => parseX25519Recipient(typo), { name: "AgeError", code: "malformed" });
});

test("rejects mixed case, bad characters and the wrong prefix", () => {
  assert.throws(() => decodeBech32("Age1zvkyg2lqzraa2lnjvqej32nkuu0ues2s82hzrye869xeexvn73equnujwj"), { code: "format" });
  assert.throws(() => decodeBech32("age1zvkyg2lqzraa2lnjvqej32nkuu0ues2s82hzrye869xeexvn73equnujwb"), { code: "format" });
  assert.throws(() => parseX25519Identity(SPEC_RECIPIENT), { code: "malformed" });
  assert.throws(() => parseX25519Recipient(SPEC_IDENTITY), { code: "malformed" });
});
