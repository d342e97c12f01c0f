import {
  encodeHash,
  LedgerError,
  openCheckpoint,
  parseVerifierKey,
  treeHash,
  verifyLog,
  type FullVerification,
  type NoteVerifier,
} from "../ledger/index.ts";
import type { Services } from "../context.ts";
import { ledgerSize } from "./append.ts";
import { latestCheckpoint, signCheckpointNow } from "./checkpoints.ts";
import { DbHashReader, toBytes } from "./hash-reader.ts";
import { ensureLog } from "./log.ts";

export type LedgerVerification =
  | (FullVerification & { readonly ok: true; readonly checkedCheckpoints: number })
  | Exclude<FullVerification, { ok: true }>
  /** A checkpoint validly signed by the log's key commits to another tree than the log holds: the log showed two histories. */
  | { readonly ok: false; readonly problem: "fork"; readonly size: number; readonly signedRoot: string; readonly actualRoot: string };

const LEAVES_PER_READ = 10_000;

/** The organisation's leaves in index order, read in pages so a million leaves never sit in memory at once. */
async function* leavesOf(services: Services, orgId: string, size: number): AsyncGenerator<Uint8Array> {
  for (let from = 0; from < size; from += LEAVES_PER_READ) {
    const rows = await services.db
      .selectFrom("ledger_leaves")
      .select("data")
      .where("org_id", "=", orgId)
      .where("idx", ">=", from)
      .where("idx", "<", Math.min(size, from + LEAVES_PER_READ))
      .orderBy("idx")
      .execute();
    for (const row of rows) yield toBytes(row.data);
    // A gap (a deleted row) ends the stream early: verifyLog then reports the shortfall or the mismatch.
    if (rows.length < Math.min(size, from + LEAVES_PER_READ) - from) return;
  }
}

/**
 * Recomputes the organisation's whole tree from its leaf rows and checks it against the latest
 * signed checkpoint (naming the first leaf whose data differs from its stored hash), then checks
 * every other checkpoint it knows — the stored ones and `otherCheckpoints` gathered elsewhere
 * (a partner's copy, a court bundle) — against the verified tree: a valid signature on another
 * root for a size the log holds is a fork, on a size it no longer holds a truncation.
 * `verifierKey` pins the key to trust instead of the one stored beside the log.
 */
export async function verifyLedger(
  services: Services,
  orgId: string,
  options: { verifierKey?: string; otherCheckpoints?: readonly string[] } = {},
): Promise<LedgerVerification> {
  const log = await ensureLog(services, orgId);
  const verifier: NoteVerifier = options.verifierKey ? parseVerifierKey(options.verifierKey) : log.verifier;
  const latest = (await latestCheckpoint(services, orgId)) ?? (await signCheckpointNow(services, orgId));
  const hashes = new DbHashReader(services.db, orgId);
  const result = await verifyLog({
    checkpoint: latest.note,
    verifiers: [verifier],
    origin: log.origin,
    leaves: leavesOf(services, orgId, latest.size),
    stored: hashes,
  });
  if (!result.ok) return result;

  // The stored hashes up to the latest checkpoint are now known good; other checkpoints are checked against them.
  const stored = await services.db.selectFrom("ledger_checkpoints").select("note").where("org_id", "=", orgId).where("size", "<", latest.size).execute();
  const notes = [...stored.map((row) => row.note), ...(options.otherCheckpoints ?? [])];
  const available = await ledgerSize(services.db, orgId);
  for (const note of notes) {
    let size: number;
    let signedRoot: Uint8Array;
    try {
      ({ size, rootHash: signedRoot } = openCheckpoint(note, [verifier], log.origin).checkpoint);
    } catch (error) {
      if (error instanceof LedgerError) return { ok: false, problem: "checkpoint", detail: error.message };
      throw error;
    }
    if (size > available) return { ok: false, problem: "truncated", expectedSize: size, actualSize: available };
    // Past the latest checkpoint the stored hashes are not yet verified: check them from the leaves next time.
    if (size > latest.size) continue;
    const actualRoot = await treeHash(size, hashes);
    if (Buffer.compare(Buffer.from(actualRoot), Buffer.from(signedRoot)) !== 0) {
      return { ok: false, problem: "fork", size, signedRoot: encodeHash(signedRoot), actualRoot: encodeHash(actualRoot) };
    }
  }
  return { ...result, checkedCheckpoints: notes.length + 1 };
}

/** One line for a person: what was verified, or the first thing that is wrong. */
export function describeVerification(result: LedgerVerification): string {
  if (result.ok) return `verified ${result.checkpoint.size} leaves against checkpoint of size ${result.checkpoint.size}`;
  switch (result.problem) {
    case "checkpoint":
      return `the checkpoint does not verify: ${result.detail}`;
    case "leaf-mismatch":
      return `leaf ${result.leafIndex} differs from its recorded hash: its data was changed`;
    case "stored-hash-mismatch":
      return `the stored hash completed by leaf ${result.leafIndex} at level ${result.level} differs from the recomputed one`;
    case "truncated":
      return `the log is truncated: a signed checkpoint commits to ${result.expectedSize} leaves, the log holds ${result.actualSize}`;
    case "root-mismatch":
      return `the leaves hash to ${encodeHash(result.actualRoot)}, not to the signed root ${encodeHash(result.expectedRoot)}`;
    case "fork":
      return `fork: a checkpoint signed by the log's key gives tree size ${result.size} the root ${result.signedRoot}, the log has ${result.actualRoot}`;
  }
}
