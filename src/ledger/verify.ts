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
  const pending: { hash: Hash; level: number; leafIndex: number }[] = [];
  let nextStoredIndex = 0;
  const compareStored = async (): Promise<FullVerification | undefined> => {
    if (!input.stored || pending.length === 0) return undefined;
    const indexes = pending.map((_, i) => nextStoredIndex + i);
    const stored = await readStoredHashes(input.stored, indexes);
    const at = pending.findIndex((p, i) => !hashesEqual(p.hash, stored[i] as Hash));
    const mismatch = pending[at];
    nextStoredIndex += pending.length;
    pending.length = 0;
    if (!mismatch) return undefined;
    return mismatch.level === 0
      ? { ok: false, problem: "leaf-mismatch", leafIndex: mismatch.leafIndex }
      : { ok: false, problem: "stored-hash-mismatch", leafIndex: mismatch.leafIndex, level: mismatch.level };
  };

  if (checkpoint.size > 0) {
    for await (const leaf of input.leaves) {
      const leafIndex = frontier.size;
      if (input.stored) {
        frontier.append(hashLeaf(leaf), (hash, level) => pending.push({ hash, level, leafIndex }));
        if (pending.length >= COMPARE_BATCH) {
          const problem = await compareStored();
          if (problem) return problem;
        }
      } else {
        frontier.append(hashLeaf(leaf));
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
