import { test } from "node:test";
import assert from "node:assert/strict";
import {
  decodeHash,
  formatCheckpoint,
  generateNoteKey,
  LedgerError,
  openCheckpoint,
  parseCheckpoint,
  parseSignerKey,
  parseVerifierKey,
  signCheckpoint,
} from "../../src/ledger/index.ts";

// The example checkpoint body in c2sp.org/tlog-checkpoint.
const C2SP_BODY = "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n";

const code = (expected: string) => (e: unknown) => e instanceof LedgerError && e.code === expected;

test("parses and re-formats the C2SP example checkpoint", () => {
  const checkpoint = parseCheckpoint(C2SP_BODY);
  assert.equal(checkpoint.origin, "example.com/behind-the-sofa");
  assert.equal(checkpoint.size, 20852163);
  assert.equal(Buffer.from(checkpoint.rootHash).toString("base64"), "CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=");
  assert.equal(formatCheckpoint(checkpoint), C2SP_BODY);
  const extended = `${C2SP_BODY}ext one\n`;
  assert.deepEqual(parseCheckpoint(extended).extensions, ["ext one"]);
  assert.equal(formatCheckpoint(parseCheckpoint(extended)), extended);
});

test("rejects malformed checkpoint bodies", () => {
  const bad = [
    "example.com/log\n5\n", // no root
    "example.com/log\n05\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n", // leading zero
    "example.com/log\n-1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n",
    "example.com/log\n1e3\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n",
    "example.com/log\n99999999999999999999\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n",
    "example.com/log\n5\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I\n", // unpadded
    "example.com/log\n5\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jx\n", // not 32 bytes
    "example.com/log\n5\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=", // no final newline
    "\n5\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n", // empty origin
    "example.com/log\n5\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n\next\n", // empty extension line
  ];
  for (const body of bad) assert.throws(() => parseCheckpoint(body), code("malformed-checkpoint"), JSON.stringify(body));
});

test("signs a checkpoint and opens it only with the right key and origin", () => {
  const key = generateNoteKey("vigil.example/ledger");
  const other = generateNoteKey("vigil.example/ledger");
  const rootHash = decodeHash("CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=") as Uint8Array;
  const note = signCheckpoint({ origin: "vigil.example/ledger", size: 7, rootHash }, [parseSignerKey(key.signerKey)]);
  assert.ok(note.startsWith("vigil.example/ledger\n7\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n\n— vigil.example/ledger "));
  const opened = openCheckpoint(note, [parseVerifierKey(key.verifierKey)], "vigil.example/ledger");
  assert.equal(opened.checkpoint.size, 7);
  assert.throws(() => openCheckpoint(note, [parseVerifierKey(other.verifierKey)]), code("unverified-note"));
  assert.throws(() => openCheckpoint(note, [parseVerifierKey(key.verifierKey)], "other.example/log"), code("malformed-checkpoint"));
  assert.throws(() => openCheckpoint(note.replace("\n7\n", "\n8\n"), [parseVerifierKey(key.verifierKey)]), code("invalid-signature"));
});
