import { test } from "node:test";
import assert from "node:assert/strict";
import { generateNoteKey, LedgerError, openNote, parseSignerKey, parseVerifierKey, signNote } from "../../src/ledger/index.ts";

// The worked example in the package documentation of golang.org/x/mod/sumdb/note (note.go):
// a signer key, its verifier key, and the note it signs. Ed25519 is deterministic, so our
// signature must be byte-identical to Go's.
const GO_SKEY = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz";
const GO_VKEY = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
const GO_TEXT = "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n";
const GO_NOTE = `${GO_TEXT}\n— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n`;

const code = (expected: string) => (e: unknown) => e instanceof LedgerError && e.code === expected;

test("signs and opens the Go note example byte for byte", () => {
  const signer = parseSignerKey(GO_SKEY);
  assert.equal(signer.verifierKey, GO_VKEY);
  assert.equal(signNote(GO_TEXT, [signer]), GO_NOTE);
  const opened = openNote(GO_NOTE, [parseVerifierKey(GO_VKEY)]);
  assert.equal(opened.text, GO_TEXT);
  assert.deepEqual(opened.verified.map((s) => [s.name, s.keyId]), [["PeterNeumann", 0xc74f20a3]]);
});

test("generates keys whose IDs follow the signed-note key ID rule", () => {
  const { signerKey, verifierKey } = generateNoteKey("vigil.example/ledger");
  assert.match(signerKey, /^PRIVATE\+KEY\+vigil\.example\/ledger\+[0-9a-f]{8}\+[A-Za-z0-9+/]{44}$/);
  assert.match(verifierKey, /^vigil\.example\/ledger\+[0-9a-f]{8}\+[A-Za-z0-9+/]{44}$/);
  assert.equal(parseSignerKey(signerKey).verifierKey, verifierKey);
  const note = signNote("hello\n", [parseSignerKey(signerKey)]);
  assert.equal(openNote(note, [parseVerifierKey(verifierKey)]).text, "hello\n");
  assert.throws(() => generateNoteKey("has space"), code("malformed-key"));
  assert.throws(() => generateNoteKey("a+b"), code("malformed-key"));
});

test("keeps several signatures and ignores those by unknown keys", () => {
  const log = generateNoteKey("vigil.example/ledger");
  const partner = generateNoteKey("partner.example/witness");
  const stranger = generateNoteKey("stranger.example");
  const signed = signNote("tree\n", [parseSignerKey(log.signerKey)]);
  const first = openNote(signed, [parseVerifierKey(log.verifierKey)]);
  // A partner cosigns what it has opened, keeping the log's signature.
  const cosigned = signNote(first.text, [parseSignerKey(partner.signerKey), parseSignerKey(stranger.signerKey)], first.verified);
  assert.equal(cosigned.split("\n— ").length - 1, 3);
  const both = openNote(cosigned, [parseVerifierKey(log.verifierKey), parseVerifierKey(partner.verifierKey)]);
  assert.deepEqual(both.verified.map((s) => s.name), ["vigil.example/ledger", "partner.example/witness"]);
  assert.deepEqual(both.unknown.map((s) => s.name), ["stranger.example"]);
  // Trusting only the partner still opens the note.
  assert.equal(openNote(cosigned, [parseVerifierKey(partner.verifierKey)]).verified.length, 1);
});

test("rejects a note signed by another key, or whose text was changed", () => {
  const log = generateNoteKey("vigil.example/ledger");
  const impostor = generateNoteKey("vigil.example/ledger");
  const note = signNote("tree\n", [parseSignerKey(log.signerKey)]);
  // Same name, other key ID: an unknown key, so nothing verified.
  assert.throws(() => openNote(note, [parseVerifierKey(impostor.verifierKey)]), code("unverified-note"));
  assert.throws(() => openNote(note.replace("tree", "TREE"), [parseVerifierKey(log.verifierKey)]), code("invalid-signature"));
  // A known key whose signature fails poisons the whole note, even beside a valid one.
  const forgedLine = note.split("\n").find((l) => l.startsWith("—")) as string;
  const sigBytes = Buffer.from(forgedLine.split(" ")[2] as string, "base64");
  sigBytes[10] = (sigBytes[10] as number) ^ 1;
  const partner = generateNoteKey("partner.example");
  const mixed = `${signNote("tree\n", [parseSignerKey(partner.signerKey)])}— vigil.example/ledger ${sigBytes.toString("base64")}\n`;
  assert.throws(
    () => openNote(mixed, [parseVerifierKey(partner.verifierKey), parseVerifierKey(log.verifierKey)]),
    code("invalid-signature"),
  );
});

test("rejects malformed note text", () => {
  const verifier = parseVerifierKey(GO_VKEY);
  const sigLine = GO_NOTE.slice(GO_TEXT.length + 1);
  const malformed = [
    GO_TEXT, // no signature block
    `${GO_TEXT}\n`, // blank line but no signature
    GO_NOTE.slice(0, -1), // signature line without its newline
    `${GO_TEXT}\n${sigLine.replace("— ", "-- ")}`, // hyphens for the em dash
    `${GO_TEXT}\n${sigLine.replace("— ", "—")}`, // no space after the dash
    `${GO_TEXT}\n${sigLine.replace("PeterNeumann ", "PeterNeumann")}`, // no space before the signature
    `${GO_TEXT}\n${sigLine.replace("x08go", "x08g*")}`, // not base64
    `${GO_TEXT}\n— PeterNeumann AAAA\n`, // shorter than a key ID and one byte
    `${GO_TEXT.replace("answer", "ans\u0007wer")}\n${sigLine}`, // control character
    `${GO_TEXT.replace("answer", "ans\rwer")}\n${sigLine}`, // carriage return
    `${GO_TEXT}\n${sigLine}junk\n`, // a line that is not a signature
    `${GO_TEXT}\n${sigLine.repeat(101)}`, // too many signatures
  ];
  for (const note of malformed) assert.throws(() => openNote(note, [verifier]), code("malformed-note"), JSON.stringify(note));
  assert.throws(() => openNote(Buffer.from([0x68, 0x0a, 0x0a, 0xff, 0x0a]), [verifier]), code("malformed-note"));
  assert.throws(() => signNote("no final newline", [parseSignerKey(GO_SKEY)]), code("malformed-note"));
});

test("rejects malformed keys", () => {
  const bad = [
    "",
    "PeterNeumann+c74f20a3",
    "PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", // ID does not match
    "PeterNeumann+C74F20A3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", // uppercase hex
    "PeterNeumann+c74f20a3+AhpC2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", // unknown algorithm byte
    "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10T", // truncated base64
    "Peter Neumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
  ];
  for (const key of bad) assert.throws(() => parseVerifierKey(key), code("malformed-key"), key);
  assert.throws(() => parseSignerKey(GO_VKEY), code("malformed-key"));
  assert.throws(() => parseSignerKey(GO_SKEY.replace("c74f20a3", "c74f20a4")), code("malformed-key"));
});
