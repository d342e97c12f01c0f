import { MerkleFrontier } from "./frontier.ts";
import { emptyTreeHash, hashChildren, hashesEqual, type Hash } from "./hash.ts";
import { LedgerError } from "./errors.ts";
import { readStoredHashes, storedHashIndex, type HashReader, type StoredIndex } from "./stored-hashes.ts";

/** A leaf range [start, end) of the tree whose Merkle Tree Hash a proof needs. */
type Range = readonly [start: number, end: number];

/** RFC 6962 §2.1: k is the largest power of two smaller than n (n > 1). */
function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/** RFC 6962 §2.1: MTH over a list of leaf hashes held in memory. */
export function merkleRoot(leafHashes: Iterable<Hash>): Hash {
  const frontier = new MerkleFrontier();
  for (const leafHash of leafHashes) frontier.append(leafHash);
  return frontier.root();
}

/**
 * Every range a proof visits in the RFC 6962 recursion starts at a multiple of a power of two at
 * least as large as the range, so it splits left to right into aligned complete subtrees of
 * decreasing size — each one stored hash. Its MTH is their right fold.
 */
function pushSubtreeIndexes([start, end]: Range, out: StoredIndex[]): number {
  let count = 0;
  for (let lo = start; lo < end; count++) {
    let size = 1;
    let level = 0;
    while (size * 2 <= end - lo) {
      size *= 2;
      level += 1;
    }
    out.push(storedHashIndex(level, lo / size));
    lo += size;
  }
  return count;
}

/** Computes the MTH of each range with one read of the stored hashes. */
async function hashRanges(ranges: readonly Range[], reader: HashReader): Promise<Hash[]> {
  const indexes: StoredIndex[] = [];
  const counts = ranges.map((range) => pushSubtreeIndexes(range, indexes));
  const stored = await readStoredHashes(reader, indexes);
  let next = 0;
  return counts.map((count) => {
    const parts = stored.slice(next, next + count);
    next += count;
    let hash = parts[parts.length - 1] as Hash;
    for (let i = parts.length - 2; i >= 0; i--) hash = hashChildren(parts[i] as Hash, hash);
    return hash;
  });
}

function checkSize(size: number, what: string): void {
  if (!Number.isSafeInteger(size) || size < 0) throw new LedgerError("out-of-range", `${what} ${size} is not a tree size`);
}

/** RFC 6962 §2.1: the root of the first `size` leaves of a stored tree. */
export async function treeHash(size: number, reader: HashReader): Promise<Hash> {
  checkSize(size, "tree size");
  if (size === 0) return emptyTreeHash();
  const [root] = await hashRanges([[0, size]], reader);
  return root as Hash;
}

/** RFC 6962 §2.1.1 PATH(m, D[lo:hi]): sibling ranges from the leaf up to the root. */
function inclusionRanges(index: number, start: number, end: number, out: Range[]): void {
  if (end - start <= 1) return;
  const k = splitPoint(end - start);
  if (index < start + k) {
    inclusionRanges(index, start, start + k, out);
    out.push([start + k, end]);
  } else {
    inclusionRanges(index, start + k, end, out);
    out.push([start, start + k]);
  }
}

/** Inclusion proof of leaf `index` in the tree of `size` leaves (RFC 6962 §2.1.1), read from stored hashes. */
export async function proveInclusion(index: number, size: number, reader: HashReader): Promise<Hash[]> {
  checkSize(size, "tree size");
  if (!Number.isSafeInteger(index) || index < 0 || index >= size) {
    throw new LedgerError("out-of-range", `leaf ${index} is not in a tree of ${size} leaves`);
  }
  const ranges: Range[] = [];
  inclusionRanges(index, 0, size, ranges);
  return hashRanges(ranges, reader);
}

/**
 * RFC 6962 §2.1.2 SUBPROOF(m, D[lo:hi], b), with m the old size counted from leaf 0. `complete`
 * is b: true while the old tree is still the left edge of the range, when its hash is known to
 * the verifier and left out of the proof.
 */
function consistencyRanges(oldSize: number, start: number, end: number, complete: boolean, out: Range[]): void {
  if (oldSize === end) {
    if (!complete) out.push([start, end]);
    return;
  }
  const k = splitPoint(end - start);
  if (oldSize <= start + k) {
    consistencyRanges(oldSize, start, start + k, complete, out);
    out.push([start + k, end]);
  } else {
    consistencyRanges(oldSize, start + k, end, false, out);
    out.push([start, start + k]);
  }
}

/** Consistency proof from the tree of `oldSize` leaves to the tree of `size` (RFC 6962 §2.1.2). */
export async function proveConsistency(oldSize: number, size: number, reader: HashReader): Promise<Hash[]> {
  checkSize(size, "tree size");
  checkSize(oldSize, "old tree size");
  if (oldSize > size) throw new LedgerError("out-of-range", `old size ${oldSize} is larger than ${size}`);
  // The empty tree and an unchanged tree are consistent with no proof at all.
  if (oldSize === 0 || oldSize === size) return [];
  const ranges: Range[] = [];
  consistencyRanges(oldSize, 0, size, true, ranges);
  return hashRanges(ranges, reader);
}

function isPowerOfTwo(n: number): boolean {
  let k = 1;
  while (k < n) k *= 2;
  return k === n;
}

/** LSB(n) of RFC 9162 §2.1.3.2, for sizes beyond the 32 bits JavaScript's bit operators see. */
function isOdd(n: number): boolean {
  return n % 2 === 1;
}

/** RFC 9162 §2.1.3.2: verifies an inclusion proof of `leafHash` at `index` in a tree of `size` with root `root`. */
export function verifyInclusion(leafHash: Hash, index: number, size: number, proof: readonly Hash[], root: Hash): boolean {
  if (!Number.isSafeInteger(index) || !Number.isSafeInteger(size) || index < 0 || index >= size) return false;
  let fn = index;
  let sn = size - 1;
  let r = leafHash;
  for (const p of proof) {
    if (sn === 0) return false;
    if (isOdd(fn) || fn === sn) {
      r = hashChildren(p, r);
      // Skip the levels where this node has no right sibling: it is promoted unchanged.
      if (!isOdd(fn)) {
        while (!isOdd(fn) && fn !== 0) {
          fn = Math.floor(fn / 2);
          sn = Math.floor(sn / 2);
        }
      }
    } else {
      r = hashChildren(r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && hashesEqual(r, root);
}

/** RFC 9162 §2.1.4.2: verifies that the tree (`oldSize`, `oldRoot`) is a prefix of (`size`, `root`). */
export function verifyConsistency(
  oldSize: number,
  size: number,
  oldRoot: Hash,
  root: Hash,
  proof: readonly Hash[],
): boolean {
  if (!Number.isSafeInteger(oldSize) || !Number.isSafeInteger(size) || oldSize < 0 || oldSize > size) return false;
  if (oldSize === 0) return proof.length === 0 && hashesEqual(oldRoot, emptyTreeHash());
  if (oldSize === size) return proof.length === 0 && hashesEqual(oldRoot, root);
  if (proof.length === 0) return false;
  // Step 2: when the old tree is a complete subtree its root is the first node of the path.
  const path = isPowerOfTwo(oldSize) ? [oldRoot, ...proof] : [...proof];
  let fn = oldSize - 1;
  let sn = size - 1;
  while (isOdd(fn)) {
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  let fr = path[0] as Hash;
  let sr = fr;
  for (const c of path.slice(1)) {
    if (sn === 0) return false;
    if (isOdd(fn) || fn === sn) {
      fr = hashChildren(c, fr);
      sr = hashChildren(c, sr);
      if (!isOdd(fn)) {
        while (!isOdd(fn) && fn !== 0) {
          fn = Math.floor(fn / 2);
          sn = Math.floor(sn / 2);
        }
      }
    } else {
      sr = hashChildren(sr, c);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && hashesEqual(fr, oldRoot) && hashesEqual(sr, root);
}
