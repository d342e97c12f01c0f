import { emptyTreeHash, hashChildren, type Hash } from "./hash.ts";

/**
 * The right edge of a Merkle tree: the roots of its maximal complete subtrees, largest first
 * (one per set bit of the size). It is all an appender needs to extend the tree and all a
 * verifier needs to compute the RFC 6962 root while streaming leaves, in O(log n) memory.
 */
export class MerkleFrontier {
  readonly #levels: number[] = [];
  readonly #hashes: Hash[] = [];
  #size = 0;

  /** Resumes a tree of `size` leaves from the hashes of its complete subtrees, left to right. */
  static resume(size: number, subtreeHashes: readonly Hash[]): MerkleFrontier {
    const levels = subtreeLevels(size);
    if (levels.length !== subtreeHashes.length) {
      throw new RangeError(`a tree of ${size} leaves has ${levels.length} complete subtrees, got ${subtreeHashes.length}`);
    }
    const frontier = new MerkleFrontier();
    frontier.#levels.push(...levels);
    frontier.#hashes.push(...subtreeHashes);
    frontier.#size = size;
    return frontier;
  }

  get size(): number {
    return this.#size;
  }

  /**
   * Adds one leaf hash. `onHash` sees every hash that becomes final: the leaf itself, then each
   * parent it completes, bottom-up — the order in which they are stored (see stored-hashes.ts).
   */
  append(leafHash: Hash, onHash?: (hash: Hash, level: number) => void): void {
    let hash = leafHash;
    let level = 0;
    onHash?.(hash, level);
    while (this.#levels.length > 0 && this.#levels[this.#levels.length - 1] === level) {
      this.#levels.pop();
      hash = hashChildren(this.#hashes.pop() as Hash, hash);
      level += 1;
      onHash?.(hash, level);
    }
    this.#levels.push(level);
    this.#hashes.push(hash);
    this.#size += 1;
  }

  /** RFC 6962 §2.1: MTH of the leaves so far, folding the complete subtrees from the right. */
  root(): Hash {
    const n = this.#hashes.length;
    if (n === 0) return emptyTreeHash();
    let hash = this.#hashes[n - 1] as Hash;
    for (let i = n - 2; i >= 0; i--) hash = hashChildren(this.#hashes[i] as Hash, hash);
    return hash;
  }
}

/** Levels of the maximal complete subtrees of a tree of `size` leaves, largest first. */
export function subtreeLevels(size: number): number[] {
  const levels: number[] = [];
  for (let level = Math.floor(Math.log2(size || 1)) + 1; level >= 0; level--) {
    if (Math.floor(size / 2 ** level) % 2 === 1) levels.push(level);
  }
  return levels;
}
