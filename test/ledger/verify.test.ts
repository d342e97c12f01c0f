import { test } from "node:test";
import assert from "node:assert/strict";
import {
  detectFork,
  generateNoteKey,
  LedgerError,
  MemoryHashStore,
  parseSignerKey,
  parseVerifierKey,
  proveConsistency,
  signCheckpoint,
  storedHashIndex,
  treeHash,
  verifyLog,
  type Hash,
  type HashReader,
} from "../../src/ledger/index.ts";
import { leafData } from "./rfc6962-oracle.ts";

const ORIGIN = "vigil.example/ledger";
const key = generateNoteKey(ORIGIN);
const signer = parseSignerKey(key.signerKey);
const verifiers = [parseVerifierKey(key.verifierKey)];

async function signedLog(count: number): Promise<{ leaves: Buffer[]; store: MemoryHashStore; note: string }> {
  const leaves = leafData(count);
  const store = new MemoryHashStore();
  await store.appendLeaves(leaves);
  const note = signCheckpoint({ origin: ORIGIN, size: count, rootHash: await treeHash(count, store) }, [signer]);
  return { leaves, store, note };
}

async function* stream(leaves: readonly Uint8Array[]): AsyncGenerator<Uint8Array> {
  for (const leaf of leaves) yield leaf;
}

/** A store whose hash at one stored index was overwritten, as an attacker with database access would. */
function tamperedReader(store: MemoryHashStore, index: number, hash: Hash): HashReader {
  return { readHashes: (indexes) => store.readHashes(indexes).map((h, i) => (indexes[i] === index ? hash : h)) };
}

test("accepts an untouched log against its signed checkpoint", async () => {
  const { leaves, store, note } = await signedLog(20_000);
  const result = await verifyLog({ checkpoint: note, verifiers, origin: ORIGIN, leaves: stream(leaves), stored: store });
  assert.deepEqual(result.ok && result.checkpoint.size, 20_000);
  const withoutStore = await verifyLog({ checkpoint: note, verifiers, leaves });
  assert.equal(withoutStore.ok, true);
});

test("names the first tampered leaf", async () => {
  const { leaves, store, note } = await signedLog(20_000);
  const tampered = leaves.map((leaf, i) => (i === 12_345 || i === 17_000 ? Buffer.from(`${leaf.toString()}!`) : leaf));
  const result = await verifyLog({ checkpoint: note, verifiers, leaves: stream(tampered), stored: store });
  assert.deepEqual(result, { ok: false, problem: "leaf-mismatch", leafIndex: 12_345 });
  // Without stored hashes the root still gives it away.
  const rootOnly = await verifyLog({ checkpoint: note, verifiers, leaves: tampered });
  assert.equal(!rootOnly.ok && rootOnly.problem, "root-mismatch");
});

test("notices a stored interior hash that was rewritten", async () => {
  const { leaves, store, note } = await signedLog(1_000);
  const reader = tamperedReader(store, storedHashIndex(3, 40), new Uint8Array(32));
  const result = await verifyLog({ checkpoint: note, verifiers, leaves, stored: reader });
  // The level-3 node 40 covers leaves 320–327 and is completed by leaf 327.
  assert.deepEqual(result, { ok: false, problem: "stored-hash-mismatch", leafIndex: 327, level: 3 });
});

test("reports a truncated log", async () => {
  const { leaves, store, note } = await signedLog(1_000);
  const result = await verifyLog({ checkpoint: note, verifiers, leaves: leaves.slice(0, 998), stored: store });
  assert.deepEqual(result, { ok: false, problem: "truncated", expectedSize: 1_000, actualSize: 998 });
});

test("reports a log rewritten consistently with its stored hashes but not with the signed root", async () => {
  const { note } = await signedLog(1_000);
  const rewritten = await signedLog(1_000);
  const forged = rewritten.leaves.map((leaf, i) => (i === 500 ? Buffer.from("rewritten") : leaf));
  const forgedStore = new MemoryHashStore();
  await forgedStore.appendLeaves(forged);
  const result = await verifyLog({ checkpoint: note, verifiers, leaves: forged, stored: forgedStore });
  assert.equal(!result.ok && result.problem, "root-mismatch");
});

test("refuses to verify against a checkpoint it cannot trust", async () => {
  const { leaves, note } = await signedLog(10);
  const stranger = parseVerifierKey(generateNoteKey(ORIGIN).verifierKey);
  const untrusted = await verifyLog({ checkpoint: note, verifiers: [stranger], leaves });
  assert.equal(!untrusted.ok && untrusted.problem, "checkpoint");
  const edited = await verifyLog({ checkpoint: note.replace("\n10\n", "\n9\n"), verifiers, leaves });
  assert.equal(!edited.ok && edited.problem, "checkpoint");
  const otherLog = await verifyLog({ checkpoint: note, verifiers, origin: "other.example/log", leaves });
  assert.equal(!otherLog.ok && otherLog.problem, "checkpoint");
});

test("detects a fork between two validly signed checkpoints", async () => {
  const honest = await signedLog(100);
  const older = signCheckpoint({ origin: ORIGIN, size: 60, rootHash: await treeHash(60, honest.store) }, [signer]);
  const proof = await proveConsistency(60, 100, honest.store);
  assert.equal(detectFork(older, honest.note, verifiers, proof).forked, false);
  assert.equal(detectFork(honest.note, older, verifiers, proof).forked, false, "either order");
  assert.equal(detectFork(honest.note, honest.note, verifiers, []).forked, false);

  // The log shows another history to someone else: leaf 30 differs from size 60 on.
  const forkLeaves = leafData(100).map((leaf, i) => (i === 30 ? Buffer.from("another past") : leaf));
  const forkStore = new MemoryHashStore();
  await forkStore.appendLeaves(forkLeaves);
  const forkNote = signCheckpoint({ origin: ORIGIN, size: 100, rootHash: await treeHash(100, forkStore) }, [signer]);
  const sameSize = detectFork(honest.note, forkNote, verifiers, []);
  assert.deepEqual(sameSize.forked && sameSize.reason, "same-size-different-root");
  // The forked log's own proof does not connect it to the honest older checkpoint.
  const forkProof = await proveConsistency(60, 100, forkStore);
  const inconsistent = detectFork(older, forkNote, verifiers, forkProof);
  assert.deepEqual(inconsistent.forked && inconsistent.reason, "inconsistent");
  // Nor does the honest proof, and an empty one proves nothing.
  assert.equal(detectFork(older, forkNote, verifiers, proof).forked, true);
  assert.equal(detectFork(older, honest.note, verifiers, []).forked, true);
});

test("does not compare checkpoints of different logs or unsigned ones", async () => {
  const { note } = await signedLog(5);
  const other = signCheckpoint({ origin: "other.example/log", size: 5, rootHash: new Uint8Array(32) }, [parseSignerKey(generateNoteKey("other.example/log").signerKey)]);
  assert.throws(() => detectFork(note, other, verifiers, []), (e: unknown) => e instanceof LedgerError);
  const otherSigned = signCheckpoint({ origin: ORIGIN, size: 5, rootHash: new Uint8Array(32) }, [parseSignerKey(generateNoteKey(ORIGIN).signerKey)]);
  assert.throws(() => detectFork(note, otherSigned, verifiers, []), (e: unknown) => e instanceof LedgerError && e.code === "unverified-note");
});
