import { HASH_SIZE, hashLeaf, type Hash } from "./hash.ts";
import { LedgerError } from "./errors.ts";
import { storedHashesForAppend, storedHashCount, type HashReader, type StoredIndex } from "./stored-hashes.ts";

/**
 * Stored hashes in one growing buffer: the reference implementation of the storage contract,
 * for tests, benchmarks and offline verification. 1,000,000 leaves take 64 MB here, where an
 * array of 2,000,000 small Buffers would take several times that.
 */
export class MemoryHashStore implements HashReader {
  #bytes = Buffer.alloc(HASH_SIZE * 1024);
  #count = 0;
  #size = 0;

  /** Number of leaves in the tree. */
  get size(): number {
    return this.#size;
  }

  readHashes(indexes: readonly StoredIndex[]): Hash[] {
    return indexes.map((index) => {
      if (!Number.isInteger(index) || index < 0 || index >= this.#count) {
        throw new LedgerError("store", `no stored hash at index ${index}`);
      }
      return this.#bytes.subarray(index * HASH_SIZE, (index + 1) * HASH_SIZE);
    });
  }

  /** Appends leaf hashes as one batch, the way a database transaction would. */
  async appendLeafHashes(leafHashes: readonly Hash[]): Promise<void> {
    const { firstIndex, hashes, newSize } = await storedHashesForAppend(this.#size, leafHashes, this);
    this.#write(firstIndex, hashes);
    this.#size = newSize;
  }

  async appendLeaves(leaves: readonly Uint8Array[]): Promise<void> {
    await this.appendLeafHashes(leaves.map(hashLeaf));
  }

  #write(firstIndex: StoredIndex, hashes: readonly Hash[]): void {
    // The append was computed against this store's size; a mismatch means a concurrent writer.
    if (firstIndex !== this.#count || firstIndex !== storedHashCount(this.#size)) {
      throw new LedgerError("store", `append at ${firstIndex} but the store holds ${this.#count} hashes`);
    }
    const needed = (this.#count + hashes.length) * HASH_SIZE;
    if (needed > this.#bytes.length) {
      const grown = Buffer.alloc(Math.max(needed, this.#bytes.length * 2));
      this.#bytes.copy(grown, 0, 0, this.#count * HASH_SIZE);
      this.#bytes = grown;
    }
    hashes.forEach((hash, i) => this.#bytes.set(hash, (firstIndex + i) * HASH_SIZE));
    this.#count += hashes.length;
  }
}
