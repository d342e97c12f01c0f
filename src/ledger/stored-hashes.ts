import { MerkleFrontier, subtreeLevels } from "./frontier.ts";
import type { Hash } from "./hash.ts";
import { LedgerError } from "./errors.ts";

/**
 * Position of a hash in the dense, append-only sequence of every complete-subtree hash.
 *
 * When leaf m is appended, its leaf hash is written, then the hash of each subtree it completes,
 * bottom-up (the layout of Crosby & Wallach §3.3, also used by Go's sumdb/tlog, so a store
 * written by either can be read by the other). Nothing is ever rewritten: the storage layer
 * is one table (index → 32 bytes) that only grows.
 */
export type StoredIndex = number;

/**
 * Reads stored hashes by index. The database implements this; every proof and tile asks for all
 * the hashes it needs in one call (O(log n) indexes for a proof, ≤256 for a tile), so one query
 * (`WHERE idx = ANY($1)`) serves it. Must return hashes in the order asked, or throw.
 */
export interface HashReader {
  readHashes(indexes: readonly StoredIndex[]): Promise<readonly Hash[]> | readonly Hash[];
}

/** Indexes in this file stay below 2^53; JavaScript's bit operators stop at 2^31, so shifts are arithmetic. */
function popcount(n: number): number {
  let count = 0;
  for (let rest = n; rest > 0; rest = Math.floor(rest / 2)) count += rest % 2;
  return count;
}

/** Number of hashes stored for a tree of `size` leaves: every complete subtree, 2n − popcount(n). */
export function storedHashCount(size: number): number {
  return 2 * size - popcount(size);
}

/**
 * Stored index of the hash of the complete subtree at (`level`, `index`), covering leaves
 * [index·2^level, (index+1)·2^level). It is written when its last leaf is appended, `level`
 * places after that leaf's own hash.
 */
export function storedHashIndex(level: number, index: number): StoredIndex {
  const lastLeaf = (index + 1) * 2 ** level - 1;
  return storedHashCount(lastLeaf) + level;
}

/** Hashes in the order asked, checking the reader kept its contract. */
export async function readStoredHashes(reader: HashReader, indexes: readonly StoredIndex[]): Promise<readonly Hash[]> {
  const hashes = await reader.readHashes(indexes);
  if (hashes.length !== indexes.length) {
    throw new LedgerError("store", `asked for ${indexes.length} stored hashes, got ${hashes.length}`);
  }
  return hashes;
}

/** Reads the right edge of a stored tree of `size` leaves. */
async function readFrontier(size: number, reader: HashReader): Promise<MerkleFrontier> {
  const indexes: StoredIndex[] = [];
  let start = 0;
  for (const level of subtreeLevels(size)) {
    indexes.push(storedHashIndex(level, start / 2 ** level));
    start += 2 ** level;
  }
  return MerkleFrontier.resume(size, await readStoredHashes(reader, indexes));
}

/** What an append must write: `hashes[i]` goes to stored index `firstIndex + i`. */
export interface StoredHashesToWrite {
  firstIndex: StoredIndex;
  hashes: Hash[];
  newSize: number;
}

/**
 * The stored hashes that appending `leafHashes` to a tree of `size` leaves creates. Reads only the
 * old tree's right edge (≤ log₂ n hashes, one call), however large the batch: this is what makes
 * batched appends cheap for the database, which writes the result in one multi-row insert.
 */
export async function storedHashesForAppend(
  size: number,
  leafHashes: readonly Hash[],
  reader: HashReader,
): Promise<StoredHashesToWrite> {
  const frontier = await readFrontier(size, reader);
  const hashes: Hash[] = [];
  const collect = (hash: Hash): void => {
    hashes.push(hash);
  };
  for (const leafHash of leafHashes) frontier.append(leafHash, collect);
  return { firstIndex: storedHashCount(size), hashes, newSize: frontier.size };
}
