import { test } from "node:test";
import assert from "node:assert/strict";
import {
  emptyTreeHash,
  hashChildren,
  hashLeaf,
  MemoryHashStore,
  merkleRoot,
  proveConsistency,
  proveInclusion,
  storedHashCount,
  storedHashesForAppend,
  storedHashIndex,
  treeHash,
  verifyConsistency,
  verifyInclusion,
  type Hash,
} from "../../src/ledger/index.ts";
import { leafData, mth, path, proof } from "./rfc6962-oracle.ts";

const hex = (h: Uint8Array): string => Buffer.from(h).toString("hex");
const h = (s: string): Buffer => Buffer.from(s, "hex");

// Leaves and roots of the RFC 6962 reference tree, from google/certificate-transparency-go
// merkletree/merkle_verifier_test.go (getInputs, getRoots), originally the CT C++ merkle_tree_test.
const CT_LEAVES = ["", "00", "10", "2021", "3031", "40414243", "5051525354555657", "606162636465666768696a6b6c6d6e6f"].map(h);
const CT_ROOTS = [
  "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
  "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
  "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
  "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
  "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
  "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
  "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
  "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
];
// Same file, getInclusionTestVector: (leaf index, tree size, path). The file counts leaves from 1.
const CT_INCLUSION: [number, number, string[]][] = [
  [0, 8, [
    "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
    "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
    "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
  ]],
  [5, 8, [
    "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
    "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
  ]],
  [2, 3, ["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"]],
  [1, 5, [
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
    "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
  ]],
];
// Same file, getConsistencyProofs: (old size, new size, proof).
const CT_CONSISTENCY: [number, number, string[]][] = [
  [1, 1, []],
  [1, 8, [
    "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
    "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
    "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
  ]],
  [6, 8, [
    "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
    "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
  ]],
  [2, 5, [
    "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
    "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
  ]],
];

async function storeOf(leaves: readonly Uint8Array[]): Promise<MemoryHashStore> {
  const store = new MemoryHashStore();
  await store.appendLeaves(leaves);
  return store;
}

test("hashes leaves and nodes with the RFC 6962 domain prefixes", () => {
  // RFC 6962 §2.1: MTH({}) = SHA-256() and MTH({""}) = SHA-256(0x00).
  assert.equal(hex(emptyTreeHash()), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  assert.equal(hex(hashLeaf(new Uint8Array())), CT_ROOTS[0]);
  assert.equal(hex(hashChildren(hashLeaf(CT_LEAVES[0] as Buffer), hashLeaf(CT_LEAVES[1] as Buffer))), CT_ROOTS[1]);
});

test("computes the certificate-transparency reference roots for sizes 1 to 8", async () => {
  const store = await storeOf(CT_LEAVES);
  for (let n = 1; n <= 8; n++) {
    assert.equal(hex(merkleRoot(CT_LEAVES.slice(0, n).map(hashLeaf))), CT_ROOTS[n - 1], `in memory, size ${n}`);
    assert.equal(hex(await treeHash(n, store)), CT_ROOTS[n - 1], `from stored hashes, size ${n}`);
  }
  assert.equal(hex(await treeHash(0, store)), hex(emptyTreeHash()));
});

test("produces and accepts the certificate-transparency reference inclusion proofs", async () => {
  const store = await storeOf(CT_LEAVES);
  for (const [index, size, expected] of CT_INCLUSION) {
    const got = await proveInclusion(index, size, store);
    assert.deepEqual(got.map(hex), expected, `leaf ${index} of ${size}`);
    const root = h(CT_ROOTS[size - 1] as string);
    assert.ok(verifyInclusion(hashLeaf(CT_LEAVES[index] as Buffer), index, size, expected.map(h), root));
    assert.ok(!verifyInclusion(hashLeaf(Buffer.from("WrongLeaf")), index, size, expected.map(h), root));
  }
});

test("produces and accepts the certificate-transparency reference consistency proofs", async () => {
  const store = await storeOf(CT_LEAVES);
  for (const [oldSize, size, expected] of CT_CONSISTENCY) {
    const got = await proveConsistency(oldSize, size, store);
    assert.deepEqual(got.map(hex), expected, `${oldSize} → ${size}`);
    const oldRoot = h(CT_ROOTS[oldSize - 1] as string);
    const root = h(CT_ROOTS[size - 1] as string);
    assert.ok(verifyConsistency(oldSize, size, oldRoot, root, expected.map(h)));
    if (expected.length > 0) assert.ok(!verifyConsistency(oldSize, size, root, oldRoot, expected.map(h)), "swapped roots");
  }
});

test("lays out stored hashes as Go's tlog does", () => {
  // Order for 4 leaves: L0 L1 N(0-1) L2 L3 N(2-3) N(0-3), so (level 2, 0) is the 7th hash.
  assert.deepEqual(
    [storedHashIndex(0, 0), storedHashIndex(0, 1), storedHashIndex(1, 0), storedHashIndex(0, 2), storedHashIndex(0, 3), storedHashIndex(1, 1), storedHashIndex(2, 0)],
    [0, 1, 2, 3, 4, 5, 6],
  );
  assert.deepEqual([0, 1, 2, 3, 4, 5, 8].map(storedHashCount), [0, 1, 3, 4, 7, 8, 15]);
  // Past 2^32, where 32-bit shifts would wrap.
  assert.equal(storedHashCount(2 ** 40), 2 ** 41 - 1);
  assert.equal(storedHashIndex(0, 2 ** 40), 2 ** 41 - 1);
});

test("appends in batches of any shape to the same stored hashes as one leaf at a time", async () => {
  const leaves = leafData(300);
  const oneByOne = new MemoryHashStore();
  for (const leaf of leaves) await oneByOne.appendLeaves([leaf]);
  const batched = new MemoryHashStore();
  let offset = 0;
  for (const batch of [1, 2, 5, 64, 100, 128]) {
    await batched.appendLeaves(leaves.slice(offset, offset + batch));
    offset += batch;
  }
  assert.equal(offset, 300);
  const all = Array.from({ length: storedHashCount(300) }, (_, i) => i);
  assert.deepEqual(batched.readHashes(all).map(hex), oneByOne.readHashes(all).map(hex));
  assert.equal(hex(await treeHash(300, batched)), hex(mth(leaves)));
});

test("reads only the old tree's right edge when appending", async () => {
  const store = await storeOf(leafData(1000));
  const asked: number[][] = [];
  const spy = { readHashes: (indexes: readonly number[]) => (asked.push([...indexes]), store.readHashes(indexes)) };
  const result = await storedHashesForAppend(1000, leafData(10).map(hashLeaf), spy);
  assert.equal(asked.length, 1);
  // 1000 = 512 + 256 + 128 + 64 + 32 + 8: six complete subtrees.
  assert.equal(asked[0]?.length, 6);
  assert.equal(result.firstIndex, storedHashCount(1000));
  assert.equal(result.newSize, 1010);
  assert.equal(result.hashes.length, storedHashCount(1010) - storedHashCount(1000));
});

test("every inclusion proof for every index of sizes 1 to 70 matches RFC 6962 and verifies", async () => {
  const leaves = leafData(70);
  const store = await storeOf(leaves);
  for (let size = 1; size <= 70; size++) {
    const prefix = leaves.slice(0, size);
    const root = mth(prefix);
    assert.equal(hex(await treeHash(size, store)), hex(root));
    for (let index = 0; index < size; index++) {
      const got = await proveInclusion(index, size, store);
      assert.deepEqual(got.map(hex), path(index, prefix).map(hex), `leaf ${index} of ${size}`);
      const leafHash = hashLeaf(prefix[index] as Buffer);
      assert.ok(verifyInclusion(leafHash, index, size, got, root), `verify ${index} of ${size}`);
      // The same proof must not pass for a neighbouring index, a tree of another height or a
      // changed hash. (A size of the same height can pass: only the signed checkpoint binds the
      // size to the root, which is why proofs are always checked against a checkpoint.)
      if (size > 1) assert.ok(!verifyInclusion(leafHash, (index + 1) % size, size, got, root));
      assert.ok(!verifyInclusion(leafHash, index, size * 2, got, root));
      if (got.length > 0) {
        const bent = got.map((p, i) => (i === got.length - 1 ? hashLeaf(p) : p));
        assert.ok(!verifyInclusion(leafHash, index, size, bent, root));
        assert.ok(!verifyInclusion(leafHash, index, size, got.slice(1), root));
      }
      assert.ok(!verifyInclusion(leafHash, index, size, [...got, root], root));
    }
  }
});

test("every consistency proof for every pair of sizes 1 to 40 matches RFC 6962 and verifies", async () => {
  const leaves = leafData(40);
  const store = await storeOf(leaves);
  const roots = Array.from({ length: 41 }, (_, n) => mth(leaves.slice(0, n)));
  for (let size = 1; size <= 40; size++) {
    for (let oldSize = 1; oldSize <= size; oldSize++) {
      const got = await proveConsistency(oldSize, size, store);
      const expected = oldSize === size ? [] : proof(oldSize, leaves.slice(0, size));
      assert.deepEqual(got.map(hex), expected.map(hex), `${oldSize} → ${size}`);
      const oldRoot = roots[oldSize] as Hash;
      const root = roots[size] as Hash;
      assert.ok(verifyConsistency(oldSize, size, oldRoot, root, got), `verify ${oldSize} → ${size}`);
      if (oldSize < size) {
        assert.ok(!verifyConsistency(oldSize, size, roots[oldSize - 1] as Hash, root, got), "wrong old root");
        assert.ok(!verifyConsistency(oldSize, size, oldRoot, roots[size - 1] as Hash, got), "wrong new root");
        assert.ok(!verifyConsistency(oldSize, size, oldRoot, root, got.slice(0, -1)), "truncated proof");
        assert.ok(!verifyConsistency(oldSize, size, oldRoot, root, [...got, root]), "trailing garbage");
        assert.ok(!verifyConsistency(oldSize, size * 2, oldRoot, root, got), "tree of another height");
      }
    }
  }
});

test("treats the empty tree as consistent with any tree, and rejects impossible sizes", async () => {
  const store = await storeOf(leafData(5));
  assert.deepEqual(await proveConsistency(0, 5, store), []);
  assert.ok(verifyConsistency(0, 5, emptyTreeHash(), mth(leafData(5)), []));
  assert.ok(!verifyConsistency(0, 5, mth(leafData(1)), mth(leafData(5)), []));
  assert.ok(!verifyConsistency(3, 2, mth(leafData(3)), mth(leafData(2)), []));
  assert.ok(!verifyConsistency(2, 3, mth(leafData(2)), mth(leafData(3)), []));
  assert.ok(!verifyInclusion(hashLeaf(Buffer.from("x")), 0, 0, [], emptyTreeHash()));
  await assert.rejects(proveInclusion(5, 5, store), /not in a tree/);
  await assert.rejects(proveConsistency(4, 3, store), /larger/);
  await assert.rejects(proveInclusion(0, 9, store), /no stored hash/);
});

test("a proof at a million leaves reads O(log n) stored hashes in one call", async () => {
  // The reader serves any index with a synthetic hash: the point is how many are asked for.
  const asked: number[] = [];
  const reader = { readHashes: (indexes: readonly number[]) => (asked.push(indexes.length), indexes.map((i) => hashLeaf(Buffer.from(String(i))))) };
  await proveInclusion(123_456, 1_000_000, reader);
  await proveConsistency(654_321, 1_000_000, reader);
  assert.equal(asked.length, 2);
  for (const count of asked) assert.ok(count <= 2 * 20, `${count} reads`);
});
