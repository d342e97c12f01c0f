import { sql } from "kysely";
import {
  encodeHash,
  HASH_SIZE,
  LedgerError,
  openCheckpoint,
  parseVerifierKey,
  storedHashCount,
  verifyLog,
  type FullVerification,
  type NoteVerifier,
} from "../ledger/index.ts";
import type { Services } from "../context.ts";
import { ledgerSize } from "./append.ts";
import { latestCheckpoint, signCheckpointNow } from "./checkpoints.ts";
import { toBytes } from "./hash-reader.ts";
import { ensureLog } from "./log.ts";

export type LedgerVerification =
  | (Omit<Extract<FullVerification, { ok: true }>, "roots"> & { readonly checkedCheckpoints: number })
  | Exclude<FullVerification, { ok: true }>
  /** A checkpoint validly signed by the log's key commits to another tree than the log holds: the log showed two histories. */
  | { readonly ok: false; readonly problem: "fork"; readonly size: number; readonly signedRoot: string; readonly actualRoot: string }
  /** Leaf `leafIndex` hashes correctly but names another organisation (details.org) than the log it sits in. */
  | { readonly ok: false; readonly problem: "foreign-leaf"; readonly leafIndex: number; readonly org: string };

/**
 * Leaves per page: 16,384 leaves write 32,767 stored hashes (1 MB), which PostgreSQL aggregates
 * in its default 4 MB work_mem; fewer pages mean fewer round trips, larger ones only more memory.
 */
const LEAVES_PER_PAGE = 16_384;

interface LeafPage {
  leaves: Buffer[];
  storedHashes: Buffer;
  /** First leaf whose details.org is not this log's organisation. */
  foreignLeaf?: { leafIndex: number; org: string };
}

/**
 * Leaves [from, to) and the stored hashes they write, as two range reads on the primary keys.
 * The hashes come as one bytea (string_agg): one value to decode instead of 32,767 rows.
 */
async function readPage(services: Services, orgId: string, from: number, to: number): Promise<LeafPage> {
  const [leafRows, hashRows] = await Promise.all([
    services.db.selectFrom("ledger_leaves").select("data").where("org_id", "=", orgId).where("idx", ">=", from).where("idx", "<", to).orderBy("idx").execute(),
    sql<{ hashes: Uint8Array | null }>`
      SELECT string_agg(hash, ''::bytea ORDER BY idx) AS hashes FROM ledger_hashes
      WHERE org_id = ${orgId} AND idx >= ${storedHashCount(from)} AND idx < ${storedHashCount(to)}`.execute(services.db),
  ]);
  const leaves = leafRows.map((row) => toBytes(row.data));
  const hashes = hashRows.rows[0]?.hashes;
  const storedHashes = hashes ? toBytes(hashes) : Buffer.alloc(0);
  if (storedHashes.length !== (storedHashCount(to) - storedHashCount(from)) * HASH_SIZE) await requireStoredHashes(services, orgId, storedHashCount(from), storedHashCount(from + leaves.length));
  const page: LeafPage = { leaves, storedHashes };
  const at = leaves.findIndex((leaf) => leafOrg(leaf) !== orgId);
  if (at >= 0) page.foreignLeaf = { leafIndex: from + at, org: leafOrg(leaves[at]!) ?? "" };
  return page;
}

/**
 * Hashes missing from a page would shift every one after them in the aggregated buffer and be
 * reported as changed data: name the first missing one instead, as a proof would. Missing only
 * past the leaves present, they went with those leaves, which verifyLog reports as a truncation.
 */
async function requireStoredHashes(services: Services, orgId: string, from: number, to: number): Promise<void> {
  const { rows } = await sql<{ idx: number }>`
    SELECT i AS idx FROM generate_series(${from}::bigint, ${to}::bigint - 1) AS i
    WHERE NOT EXISTS (SELECT 1 FROM ledger_hashes h WHERE h.org_id = ${orgId} AND h.idx = i)
    ORDER BY i LIMIT 1`.execute(services.db);
  if (rows[0]) throw new LedgerError("store", `stored hash ${rows[0].idx} is missing`);
}

/** The organisation a leaf names (details.org), or undefined if it names none or does not parse. */
function leafOrg(leaf: Buffer): string | undefined {
  try {
    const event = JSON.parse(leaf.toString("utf8")) as { details?: { org?: unknown } };
    return typeof event.details?.org === "string" ? event.details.org : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The organisation's leaves and stored hashes in pages by index range, the next page read while
 * the current one is hashed, so a million leaves never sit in memory at once. A short page (rows
 * deleted) ends the stream: verifyLog then reports the shortfall or the first mismatch.
 */
async function* pagesOf(services: Services, orgId: string, size: number, onForeignLeaf: (found: { leafIndex: number; org: string }) => void): AsyncGenerator<LeafPage> {
  const read = (from: number): Promise<LeafPage> => readPage(services, orgId, from, Math.min(size, from + LEAVES_PER_PAGE));
  let next: Promise<LeafPage> | undefined = size > 0 ? read(0) : undefined;
  try {
    for (let from = 0; next; from += LEAVES_PER_PAGE) {
      const page: LeafPage = await next;
      next = from + LEAVES_PER_PAGE < size ? read(from + LEAVES_PER_PAGE) : undefined;
      if (page.foreignLeaf) onForeignLeaf(page.foreignLeaf);
      yield page;
      if (page.leaves.length < Math.min(size, from + LEAVES_PER_PAGE) - from) return;
    }
  } finally {
    // Stopped early (a mismatch): the page read ahead is not wanted, but its failure must not go unhandled.
    await next?.catch(() => undefined);
  }
}

/**
 * Recomputes the organisation's whole tree from its leaf rows and checks it against the latest
 * signed checkpoint (naming the first leaf whose data differs from its stored hash), checks that
 * every leaf names this organisation in details.org, then checks every other checkpoint it
 * knows — the stored ones and `otherCheckpoints` gathered elsewhere (a partner's copy, a court
 * bundle) — against the roots recomputed on the way: a valid signature on another root for a
 * size the log holds is a fork, on a size it no longer holds a truncation.
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
  // Every other checkpoint in one query, opened before the leaves are read so their roots are taken on the way.
  const stored = await services.db.selectFrom("ledger_checkpoints").select("note").where("org_id", "=", orgId).where("size", "<", latest.size).execute();
  const notes = [...stored.map((row) => row.note), ...(options.otherCheckpoints ?? [])];
  const opened = notes.map((note) => {
    try {
      return openCheckpoint(note, [verifier], log.origin).checkpoint;
    } catch (error) {
      if (error instanceof LedgerError) return error;
      throw error;
    }
  });

  let foreign: { leafIndex: number; org: string } | undefined;
  const result = await verifyLog({
    checkpoint: latest.note,
    verifiers: [verifier],
    origin: log.origin,
    pages: pagesOf(services, orgId, latest.size, (found) => {
      foreign ??= found;
    }),
    rootsAt: opened.flatMap((checkpoint) => (checkpoint instanceof LedgerError ? [] : [checkpoint.size])),
  });
  if (!result.ok) return result;
  if (foreign) return { ok: false, problem: "foreign-leaf", ...foreign };

  const available = await ledgerSize(services.db, orgId);
  for (const checkpoint of opened) {
    if (checkpoint instanceof LedgerError) return { ok: false, problem: "checkpoint", detail: checkpoint.message };
    const { size, rootHash: signedRoot } = checkpoint;
    if (size > available) return { ok: false, problem: "truncated", expectedSize: size, actualSize: available };
    // Past the latest checkpoint the stored hashes are not yet verified: check them from the leaves next time.
    const actualRoot = result.roots.get(size);
    if (!actualRoot) continue;
    if (Buffer.compare(actualRoot, signedRoot) !== 0) {
      return { ok: false, problem: "fork", size, signedRoot: encodeHash(signedRoot), actualRoot: encodeHash(actualRoot) };
    }
  }
  const { roots: _roots, ...verified } = result;
  return { ...verified, checkedCheckpoints: notes.length + 1 };
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
    case "foreign-leaf":
      return `leaf ${result.leafIndex} belongs to another organisation's log: its details.org is ${JSON.stringify(result.org)}`;
    case "fork":
      return `fork: a checkpoint signed by the log's key gives tree size ${result.size} the root ${result.signedRoot}, the log has ${result.actualRoot}`;
  }
}
