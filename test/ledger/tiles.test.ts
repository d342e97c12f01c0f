import { test } from "node:test";
import assert from "node:assert/strict";
import {
  decodeEntryBundle,
  encodeEntryBundle,
  hashLeaf,
  LedgerError,
  MemoryHashStore,
  parseTilePath,
  readHashTile,
  tilePath,
  tileWidthAt,
  treeHash,
  type Hash,
} from "../../src/ledger/index.ts";
import { leafData, mth } from "./rfc6962-oracle.ts";

const code = (expected: string) => (e: unknown) => e instanceof LedgerError && e.code === expected;

test("formats tile paths as c2sp.org/tlog-tiles spells them", () => {
  // tlog-tiles §"Merkle Tree": "index 1234067 will be encoded as x001/x234/067".
  assert.equal(tilePath({ level: 0, index: 1234067, width: 256 }), "tile/0/x001/x234/067");
  assert.equal(tilePath({ level: 2, index: 5, width: 17 }), "tile/2/005.p/17");
  assert.equal(tilePath({ level: 1, index: 1000, width: 256 }), "tile/1/x001/000");
  assert.equal(tilePath({ level: "entries", index: 0, width: 1 }), "tile/entries/000.p/1");
  assert.equal(tilePath({ level: "entries", index: 999, width: 256 }), "tile/entries/999");
});

test("parses every tile path it formats, and only those", () => {
  for (const level of [0, 1, 7, 63, "entries"] as const) {
    for (const index of [0, 1, 999, 1000, 1234067, 2 ** 40]) {
      for (const width of [1, 100, 255, 256]) {
        const tile = { level, index, width };
        assert.deepEqual(parseTilePath(tilePath(tile)), tile);
      }
    }
  }
  const malformed = [
    "",
    "tile/0",
    "tile/0/",
    "/tile/0/000",
    "tile/0/000/",
    "tile/00/000", // leading zero in L
    "tile/64/000", // L above 63
    "tile/-1/000",
    "tile/0/1", // not three digits
    "tile/0/0001",
    "tile/0/x001", // x on the last element
    "tile/0/001/234", // no x on a leading element
    "tile/0/x000/001", // a needless leading group
    "tile/0/000.p/0", // width 0
    "tile/0/000.p/256", // a full tile is not partial
    "tile/0/000.p/010", // leading zero in W
    "tile/0/000.p/",
    "tile/0/000.p",
    "tile/data/000",
    "tile/entries/x001",
    "tile/0/../000",
    "tile/0/000?x=1",
    "tile/0/x999/x999/x999/x999/x999/x999/999", // beyond 2^53
  ];
  for (const path of malformed) assert.throws(() => parseTilePath(path), code("malformed-tile-path"), path);
});

test("counts full and partial tiles as the tlog-tiles example for 70,000 leaves", () => {
  // tlog-tiles §"Partial Tiles": 70,000 leaves are 273 full level-0 tiles, one partial level-0
  // tile of width 112, one full level-1 tile, a partial level-1 tile of width 17 and a partial
  // level-2 tile of width 1.
  assert.equal(tileWidthAt({ level: 0, index: 272 }, 70_000), 256);
  assert.equal(tileWidthAt({ level: 0, index: 273 }, 70_000), 112);
  assert.equal(tileWidthAt({ level: 0, index: 274 }, 70_000), 0);
  assert.equal(tileWidthAt({ level: 1, index: 0 }, 70_000), 256);
  assert.equal(tileWidthAt({ level: 1, index: 1 }, 70_000), 17);
  assert.equal(tileWidthAt({ level: 2, index: 0 }, 70_000), 1);
  assert.equal(tileWidthAt({ level: 3, index: 0 }, 70_000), 0);
  assert.equal(tileWidthAt({ level: "entries", index: 273 }, 70_000), 112);
  // "a tree of size 256 will be represented by a full level 0 tile and a partial level 1 tile of width 1".
  assert.equal(tileWidthAt({ level: 0, index: 0 }, 256), 256);
  assert.equal(tileWidthAt({ level: 1, index: 0 }, 256), 1);
});

test("builds hash tiles whose hashes are the subtree roots they stand for", async () => {
  const leaves = leafData(70_000 / 100); // 700 leaves: two full level-0 tiles and a partial one
  const store = new MemoryHashStore();
  await store.appendLeaves(leaves);
  const level0 = await readHashTile({ level: 0, index: 1, width: 256 }, 700, store);
  assert.equal(level0.length, 256 * 32);
  assert.deepEqual(Buffer.from(level0.subarray(0, 32)), hashLeaf(leaves[256] as Buffer));
  const partial = await readHashTile({ level: 0, index: 2, width: 188 }, 700, store);
  assert.deepEqual(Buffer.from(partial.subarray(187 * 32)), hashLeaf(leaves[699] as Buffer));
  // Level 1 holds the MTH of each full level-0 tile: 256 leaves each.
  const level1 = await readHashTile({ level: 1, index: 0, width: 2 }, 700, store);
  assert.deepEqual(Buffer.from(level1.subarray(0, 32)), mth(leaves.slice(0, 256)));
  assert.deepEqual(Buffer.from(level1.subarray(32)), mth(leaves.slice(256, 512)));
  // Nothing from a tile the tree does not have yet.
  await assert.rejects(readHashTile({ level: 0, index: 2, width: 256 }, 700, store), code("out-of-range"));
  await assert.rejects(readHashTile({ level: 1, index: 0, width: 3 }, 700, store), code("out-of-range"));
  assert.deepEqual(Buffer.from(await treeHash(700, store) as Hash), mth(leaves));
});

test("round-trips entry bundles with uint16 length prefixes", () => {
  const entries = [Buffer.from("a"), Buffer.alloc(0), Buffer.alloc(65_535, 7)];
  const bundle = encodeEntryBundle(entries);
  assert.deepEqual(Buffer.from(bundle).subarray(0, 5), Buffer.from([0x00, 0x01, 0x61, 0x00, 0x00]));
  assert.deepEqual(decodeEntryBundle(bundle).map((e) => Buffer.from(e)), entries);
  assert.throws(() => encodeEntryBundle([Buffer.alloc(65_536)]), code("leaf-too-large"));
  assert.throws(() => encodeEntryBundle(Array.from({ length: 257 }, () => Buffer.from("x"))), code("malformed-bundle"));
  assert.throws(() => decodeEntryBundle(Buffer.from([0x00, 0x05, 0x61])), code("malformed-bundle"));
  assert.throws(() => decodeEntryBundle(Buffer.from([0x00])), code("malformed-bundle"));
  assert.throws(() => decodeEntryBundle(Buffer.alloc(0)), code("malformed-bundle"));
});
