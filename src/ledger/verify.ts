import { openCheckpoint, type Checkpoint } from "./checkpoint.ts";
import { LedgerError } from "./errors.ts";
import { MerkleFrontier } from "./frontier.ts";
import { hashesEqual, hashLeaf, type Hash } from "./hash.ts";
import { verifyConsistency } from "./merkle.ts";
import type { NoteVerifier } from "./note.ts";
import { readStoredHashes, type HashReader } from "./stored-hashes.ts";

export type FullVerification =
  | { readonly ok: true; readonly checkpoint: Checkpoint }
  /** The checkpoint note did not open: malformed, a bad signature, or no signature by a trusted key. */
  | { readonly ok: false; readonly problem: "checkpoint"; readonly detail: string }
  /** Leaf `leafIndex` hashes differently from the leaf hash stored for it: the data was changed. */
  | { readonly ok: false; readonly problem: "leaf-mismatch"; readonly leafIndex: number }
  /** A stored interior hash differs from the one recomputed when leaf `leafIndex` completed it. */
  | { readonly ok: false; readonly problem: "stored-hash-mismatch"; readonly leafIndex: number; readonly level: number }
  /** Fewer leaves than the checkpoint commits to: the log was truncated. */
  | { readonly ok: false; readonly problem: "truncated"; readonly expectedSize: number; readonly actualSize: number }
  /** The leaves hash to another root than the signed one. */
  | { readonly ok: false; readonly problem: "root-mismatch"; readonly expectedRoot: Hash; readonly actualRoot: Hash };

/** Stored hashes compared per read; large enough to amortise a database round trip. */
const COMPARE_BATCH = 8192;

/**
 * Full verification: opens the signed checkpoint with the trusted verifier keys, then recomputes
 * the whole tree from the leaf data (streamed, O(log n) memory) and checks it against the signed
 * root. With `stored`, every recomputed hash is also compared with the stored one, so the report
 * names the first leaf whose data was changed instead of only "the root differs". Leaves past the
 * checkpoint's size are not read: the next checkpoint covers them.
 */
export async function verifyLog(input: {
  checkpoint: string | Uint8Array;
  verifiers: readonly NoteVerifier[];
  origin?: string;
  leaves: AsyncIterable<Uint8Array> | Iterable<Uint8Array>;
  stored?: HashReader;
}): Promise<FullVerification> {
  let checkpoint: Checkpoint;
  try {
    ({ checkpoint } = openCheckpoint(input.checkpoint, input.verifiers, input.origin));
  } catch (error) {
    if (error instanceof LedgerError) return { ok: false, problem: "checkpoint", detail: error.message };
    throw error;
  }

  const frontier = new MerkleFrontier();
  // Recomputed hashes awaiting comparison with the store, in stored order, as parallel arrays
  // (two million small objects would cost more than the hashing at a million leaves).
  const pendingHashes: Hash[] = [];
  const pendingLevels: number[] = [];
  const pendingLeaves: number[] = [];
  let nextStoredIndex = 0;
  const compareStored = async (): Promise<FullVerification | undefined> => {
    if (!input.stored || pendingHashes.length === 0) return undefined;
    const indexes = pendingHashes.map((_, i) => nextStoredIndex + i);
    const stored = await readStoredHashes(input.stored, indexes);
    const at = pendingHashes.findIndex((hash, i) => !hashesEqual(hash, stored[i] as Hash));
    const level = pendingLevels[at] as number;
    const leafIndex = pendingLeaves[at] as number;
    nextStoredIndex += pendingHashes.length;
    pendingHashes.length = pendingLevels.length = pendingLeaves.length = 0;
    if (at < 0) return undefined;
    return level === 0
      ? { ok: false, problem: "leaf-mismatch", leafIndex }
      : { ok: false, problem: "stored-hash-mismatch", leafIndex, level };
  };
  const collect = (hash: Hash, level: number): void => {
    pendingHashes.push(hash);
    pendingLevels.push(level);
    pendingLeaves.push(frontier.size);
  };

  if (checkpoint.size > 0) {
    const source = input.leaves;
    const leaves = Symbol.iterator in source ? source[Symbol.iterator]() : source[Symbol.asyncIterator]();
    for (let next = await leaves.next(); !next.done; next = await leaves.next()) {
      if (input.stored) frontier.append(hashLeaf(next.value), collect);
      else frontier.append(hashLeaf(next.value));
      if (pendingHashes.length >= COMPARE_BATCH) {
        const problem = await compareStored();
        if (problem) return problem;
      }
      if (frontier.size === checkpoint.size) break;
    }
  }
  const problem = await compareStored();
  if (problem) return problem;
  if (frontier.size < checkpoint.size) {
    return { ok: false, problem: "truncated", expectedSize: checkpoint.size, actualSize: frontier.size };
  }
  const root = frontier.root();
  if (!hashesEqual(root, checkpoint.rootHash)) {
    return { ok: false, problem: "root-mismatch", expectedRoot: checkpoint.rootHash, actualRoot: root };
  }
  return { ok: true, checkpoint };
}

export type ForkCheck =
  | { readonly forked: false; readonly older: Checkpoint; readonly newer: Checkpoint }
  | {
      readonly forked: true;
      readonly reason: "same-size-different-root" | "inconsistent";
      readonly older: Checkpoint;
      readonly newer: Checkpoint;
    };

/**
 * Compares two checkpoints of one log, each validly signed by a trusted key. A log must never
 * sign two checkpoints that are not consistent (tlog-checkpoint §Signatures), so a pair that is
 * not — equal sizes with different roots, or a consistency proof that fails — is a fork: proof,
 * in the log's own signatures, that it showed different histories to different people.
 * `proof` is the consistency proof from the smaller tree to the larger (empty for equal sizes).
 */
export function detectFork(
  first: string | Uint8Array,
  second: string | Uint8Array,
  verifiers: readonly NoteVerifier[],
  proof: readonly Hash[],
): ForkCheck {
  const a = openCheckpoint(first, verifiers).checkpoint;
  const b = openCheckpoint(second, verifiers, a.origin).checkpoint;
  const [older, newer] = a.size <= b.size ? [a, b] : [b, a];
  if (older.size === newer.size) {
    return hashesEqual(older.rootHash, newer.rootHash)
      ? { forked: false, older, newer }
      : { forked: true, reason: "same-size-different-root", older, newer };
  }
  return verifyConsistency(older.size, newer.size, older.rootHash, newer.rootHash, proof)
    ? { forked: false, older, newer }
    : { forked: true, reason: "inconsistent", older, newer };
}
