// Interoperability with Go's golang.org/x/mod/sumdb/note and sumdb/tlog, both ways: Go checks
// what Vigil produces, Vigil checks what Go produces. Needs `go` (see test/interop/ledger-verify/go.ts).
import { before, test } from "node:test";
import assert from "node:assert/strict";
import {
  decodeHash,
  encodeHash,
  generateNoteKey,
  hashLeaf,
  MemoryHashStore,
  openCheckpoint,
  parseSignerKey,
  parseVerifierKey,
  proveConsistency,
  proveInclusion,
  signCheckpoint,
  signNote,
  treeHash,
  verifyConsistency,
  verifyInclusion,
  type Hash,
} from "../../src/ledger/index.ts";
import { buildGoLedgerVerifier, runGoLedgerVerifier } from "../interop/ledger-verify/go.ts";
import { leafData } from "./rfc6962-oracle.ts";

interface GoVerifyAnswer {
  noteError: string;
  size: number;
  root: string;
  leavesRoot?: string;
  inclusion: string[];
  consistency: string[];
}

interface GoGenerateAnswer {
  verifierKey: string;
  checkpoint: string;
  leafHashes: string[];
  inclusion: { index: number; leafHash: string; proof: string[] }[];
  consistency: { oldSize: number; oldRoot: string; proof: string[] }[];
}

const ORIGIN = "vigil.example/ledger";
const SIZE = 1_000;
const b64 = (hashes: readonly Hash[]): string[] => hashes.map(encodeHash);
const hashes = (texts: readonly string[]): Hash[] => texts.map((t) => decodeHash(t) as Hash);

let binary = "";
before(async () => {
  binary = await buildGoLedgerVerifier();
});

async function vigilLog(): Promise<{ leaves: Buffer[]; store: MemoryHashStore; key: ReturnType<typeof generateNoteKey>; note: string }> {
  const leaves = leafData(SIZE);
  const store = new MemoryHashStore();
  await store.appendLeaves(leaves.slice(0, 300));
  await store.appendLeaves(leaves.slice(300));
  const key = generateNoteKey(ORIGIN);
  const note = signCheckpoint({ origin: ORIGIN, size: SIZE, rootHash: await treeHash(SIZE, store) }, [parseSignerKey(key.signerKey)]);
  return { leaves, store, key, note };
}

test("Go's note and tlog accept Vigil's checkpoint, inclusion and consistency proofs", async () => {
  const { leaves, store, key, note } = await vigilLog();
  const indexes = [0, 1, 255, 256, 511, 777, 998, 999];
  const oldSizes = [1, 2, 3, 256, 257, 500, 998, 999];
  const request = {
    mode: "verify",
    verifierKey: key.verifierKey,
    checkpoint: note,
    origin: ORIGIN,
    leaves: leaves.map((l) => l.toString("base64")),
    inclusion: await Promise.all(
      indexes.map(async (index) => ({
        index,
        leafHash: encodeHash(hashLeaf(leaves[index] as Buffer)),
        proof: b64(await proveInclusion(index, SIZE, store)),
      })),
    ),
    consistency: await Promise.all(
      oldSizes.map(async (oldSize) => ({
        oldSize,
        oldRoot: encodeHash(await treeHash(oldSize, store)),
        proof: b64(await proveConsistency(oldSize, SIZE, store)),
      })),
    ),
  };
  const answer = await runGoLedgerVerifier<GoVerifyAnswer>(binary, request);
  assert.equal(answer.noteError, "");
  assert.equal(answer.size, SIZE);
  assert.equal(answer.root, encodeHash(await treeHash(SIZE, store)));
  assert.equal(answer.leavesRoot, answer.root, "Go recomputes the same root from the leaf data");
  assert.deepEqual(answer.inclusion, indexes.map(() => "ok"));
  assert.deepEqual(answer.consistency, oldSizes.map(() => "ok"));
});

test("Go rejects tampered variants of what Vigil produces", async () => {
  const { leaves, store, key, note } = await vigilLog();
  const proof = await proveInclusion(500, SIZE, store);
  const bentProof = proof.map((p, i) => (i === 3 ? hashLeaf(p) : p));
  const consistency = await proveConsistency(600, SIZE, store);
  const request = {
    mode: "verify",
    verifierKey: key.verifierKey,
    checkpoint: note,
    origin: ORIGIN,
    inclusion: [
      { index: 500, leafHash: encodeHash(hashLeaf(Buffer.from("tampered leaf"))), proof: b64(proof) },
      { index: 501, leafHash: encodeHash(hashLeaf(leaves[500] as Buffer)), proof: b64(proof) },
      { index: 500, leafHash: encodeHash(hashLeaf(leaves[500] as Buffer)), proof: b64(bentProof) },
    ],
    consistency: [
      { oldSize: 600, oldRoot: encodeHash(await treeHash(599, store)), proof: b64(consistency) },
      { oldSize: 600, oldRoot: encodeHash(await treeHash(600, store)), proof: b64(consistency.slice(1)) },
    ],
  };
  const answer = await runGoLedgerVerifier<GoVerifyAnswer>(binary, request);
  assert.equal(answer.noteError, "");
  for (const result of [...answer.inclusion, ...answer.consistency]) assert.notEqual(result, "ok");
  assert.equal(answer.inclusion.length + answer.consistency.length, 5);

  // A checkpoint whose size was edited after signing, or signed by another key, does not open.
  const edited = await runGoLedgerVerifier<GoVerifyAnswer>(binary, { ...request, checkpoint: note.replace(`\n${SIZE}\n`, `\n${SIZE - 1}\n`) });
  assert.match(edited.noteError, /invalid signature/);
  const stranger = generateNoteKey(ORIGIN);
  const unknown = await runGoLedgerVerifier<GoVerifyAnswer>(binary, { ...request, verifierKey: stranger.verifierKey });
  assert.match(unknown.noteError, /no verifiable signatures/);
});

test("Go opens a Vigil checkpoint carrying a partner cosignature", async () => {
  const { key, note } = await vigilLog();
  const partner = generateNoteKey("partner.example/witness");
  const opened = openCheckpoint(note, [parseVerifierKey(key.verifierKey)]);
  const cosigned = signNote(opened.text, [parseSignerKey(partner.signerKey)], opened.verified);
  for (const verifierKey of [key.verifierKey, partner.verifierKey]) {
    const answer = await runGoLedgerVerifier<GoVerifyAnswer>(binary, { mode: "verify", verifierKey, checkpoint: cosigned, origin: ORIGIN });
    assert.equal(answer.noteError, "", verifierKey);
    assert.equal(answer.size, SIZE);
  }
});

test("Vigil accepts a checkpoint and proofs made by Go, and rejects them altered", async () => {
  const leaves = leafData(777);
  const indexes = [0, 100, 512, 776];
  const go = await runGoLedgerVerifier<GoGenerateAnswer>(binary, {
    mode: "generate",
    name: "go.example/log",
    leaves: leaves.map((l) => l.toString("base64")),
    oldSize: 333,
    indexes,
  });
  const { checkpoint } = openCheckpoint(go.checkpoint, [parseVerifierKey(go.verifierKey)], "go.example/log");
  assert.equal(checkpoint.size, 777);
  const store = new MemoryHashStore();
  await store.appendLeaves(leaves);
  assert.equal(encodeHash(checkpoint.rootHash), encodeHash(await treeHash(777, store)));
  assert.deepEqual(go.leafHashes.slice(0, 3), leaves.slice(0, 3).map((l) => encodeHash(hashLeaf(l))));
  assert.equal(go.inclusion.length, indexes.length);
  for (const { index, leafHash, proof } of go.inclusion) {
    assert.ok(verifyInclusion(decodeHash(leafHash) as Hash, index, checkpoint.size, hashes(proof), checkpoint.rootHash), `leaf ${index}`);
    assert.deepEqual(proof, b64(await proveInclusion(index, 777, store)), "same proof as ours");
    assert.ok(!verifyInclusion(hashLeaf(Buffer.from("other")), index, checkpoint.size, hashes(proof), checkpoint.rootHash));
  }
  const [consistency] = go.consistency;
  assert.ok(consistency);
  const oldRoot = decodeHash(consistency.oldRoot) as Hash;
  assert.ok(verifyConsistency(consistency.oldSize, checkpoint.size, oldRoot, checkpoint.rootHash, hashes(consistency.proof)));
  assert.ok(!verifyConsistency(consistency.oldSize, checkpoint.size, checkpoint.rootHash, checkpoint.rootHash, hashes(consistency.proof)));
  assert.throws(() => openCheckpoint(go.checkpoint.replace("\n777\n", "\n776\n"), [parseVerifierKey(go.verifierKey)]));
});
