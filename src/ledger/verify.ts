import { openCheckpoint, type Checkpoint } from "./checkpoint.ts";
import { LedgerError } from "./errors.ts";
import { MerkleFrontier } from "./frontier.ts";
import { HASH_SIZE, hashesEqual, hashLeaf, type Hash } from "./hash.ts";
import { verifyConsistency } from "./merkle.ts";
import type { NoteVerifier } from "./note.ts";
import { readStoredHashes, storedHashCount, type HashReader } from "./stored-hashes.ts";

export type FullVerification =
  /** `roots`: the root of each tree size asked for in `rootsAt`. */
  | { readonly ok: true; readonly checkpoint: Checkpoint; readonly roots: ReadonlyMap<number, Hash> }
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

/** Leaves per page when verifyLog reads stored hashes through a HashReader. */
const LEAVES_PER_PAGE = 4096;

/**
 * A run of the log in index order: consecutive leaves, continuing where the previous page stopped,
 * and the stored hashes they write — stored indexes storedHashCount(first) up to
 * storedHashCount(first + leaves.length), 32 bytes each, back to back — so a database can send a
 * page as two range reads and the verifier compares without one object per hash.
 */
export interface LogPage {
  readonly leaves: readonly Uint8Array[];
  /** Absent: nothing stored to compare (the root still is). Shorter than the leaves need: the store lost hashes. */
  readonly storedHashes?: Uint8Array;
}

interface VerifyLogCommon {
  checkpoint: string | Uint8Array;
  verifiers: readonly NoteVerifier[];
  origin?: string;
  /** Tree sizes whose roots the result should give (other checkpoints to check), computed from the leaves on the way. */
  rootsAt?: readonly number[];
}

/** Leaves one by one, with a HashReader for the stored hashes (tests, memory). */
interface VerifyLeaves extends VerifyLogCommon {
  leaves: AsyncIterable<Uint8Array> | Iterable<Uint8Array>;
  stored?: HashReader;
}

/** Leaves and stored hashes by pages (a database). */
interface VerifyPages extends VerifyLogCommon {
  pages: AsyncIterable<LogPage> | Iterable<LogPage>;
}

/**
 * Full verification: opens the signed checkpoint with the trusted verifier keys, then recomputes
 * the whole tree from the leaf data (streamed, O(log n) memory) and checks it against the signed
 * root. With stored hashes, every recomputed hash is also compared with the stored one as the
 * tree is rebuilt, level by level, so the report names the first leaf whose data was changed
 * instead of only "the root differs". Leaves past the checkpoint's size are not read: the next
 * checkpoint covers them.
 */
export async function verifyLog(input: VerifyLeaves | VerifyPages): Promise<FullVerification> {
  let checkpoint: Checkpoint;
  try {
    ({ checkpoint } = openCheckpoint(input.checkpoint, input.verifiers, input.origin));
  } catch (error) {
    if (error instanceof LedgerError) return { ok: false, problem: "checkpoint", detail: error.message };
    throw error;
  }
  const pages = "pages" in input ? input.pages : pagesOf(input.leaves, input.stored, checkpoint.size);
  const rootsAt = [...new Set(input.rootsAt ?? [])].filter((size) => size <= checkpoint.size).sort((a, b) => a - b);
  const roots = new Map<number, Hash>();

  const frontier = new MerkleFrontier();
  let nextRoot = 0;
  const takeRoots = (): void => {
    while (nextRoot < rootsAt.length && rootsAt[nextRoot] === frontier.size) roots.set(rootsAt[nextRoot++] as number, frontier.root());
  };
  takeRoots();

  // The current page's stored hashes and the next one to compare; one closure for the whole run.
  let stored: Buffer = Buffer.alloc(0);
  let offset = 0;
  let storedIndex = 0;
  let problem: FullVerification | undefined;
  const compare = (hash: Hash, level: number): void => {
    if (problem) return;
    if (offset + HASH_SIZE > stored.length) throw new LedgerError("store", `stored hash ${storedIndex} is missing`);
    if (stored.compare(hash, 0, HASH_SIZE, offset, offset + HASH_SIZE) !== 0) {
      problem = level === 0
        ? { ok: false, problem: "leaf-mismatch", leafIndex: frontier.size }
        : { ok: false, problem: "stored-hash-mismatch", leafIndex: frontier.size, level };
    }
    offset += HASH_SIZE;
    storedIndex += 1;
  };

  if (checkpoint.size > 0) {
    pages: for await (const page of pages) {
      const onHash = page.storedHashes ? compare : undefined;
      if (page.storedHashes) {
        stored = Buffer.from(page.storedHashes.buffer, page.storedHashes.byteOffset, page.storedHashes.byteLength);
        offset = 0;
      }
      for (const leaf of page.leaves) {
        frontier.append(hashLeaf(leaf), onHash);
        if (problem) return problem;
        takeRoots();
        if (frontier.size === checkpoint.size) break pages;
      }
    }
  }
  if (frontier.size < checkpoint.size) {
    return { ok: false, problem: "truncated", expectedSize: checkpoint.size, actualSize: frontier.size };
  }
  const root = frontier.root();
  if (!hashesEqual(root, checkpoint.rootHash)) {
    return { ok: false, problem: "root-mismatch", expectedRoot: checkpoint.rootHash, actualRoot: root };
  }
  return { ok: true, checkpoint, roots };
}

/** Pages of leaves with their stored hashes read through `stored`, never past `size` leaves. */
async function* pagesOf(
  source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  stored: HashReader | undefined,
  size: number,
): AsyncGenerator<LogPage> {
  let first = 0;
  let leaves: Uint8Array[] = [];
  const page = async (): Promise<LogPage> => {
    if (!stored) return { leaves };
    const from = storedHashCount(first);
    const indexes = Array.from({ length: storedHashCount(first + leaves.length) - from }, (_, i) => from + i);
    return { leaves, storedHashes: Buffer.concat(await readStoredHashes(stored, indexes)) };
  };
  for await (const leaf of source) {
    leaves.push(leaf);
    if (first + leaves.length === size || leaves.length === LEAVES_PER_PAGE) {
      yield await page();
      first += leaves.length;
      leaves = [];
      if (first === size) return;
    }
  }
  if (leaves.length > 0) yield await page();
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
