import {
  encodeEntryBundle,
  encodeHash,
  LedgerError,
  parseTilePath,
  proveConsistency,
  proveInclusion,
  readHashTile,
  tileWidthAt,
  TILE_WIDTH,
  treeHash,
  type TileAddress,
} from "../ledger/index.ts";
import { can, Invalid, NotFound, Unauthenticated, type Actor } from "../core/index.ts";
import type { Origin, Services } from "../context.ts";
import { recordAudit, requirePermission } from "../audit/index.ts";
import { ledgerSize } from "./append.ts";
import { latestCheckpoint, signCheckpointNow } from "./checkpoints.ts";
import { DbHashReader, toBytes } from "./hash-reader.ts";
import { ensureLog } from "./log.ts";

/** Who asks: a signed-in actor, or nobody (an anonymous HTTP client). */
export type Reader = Actor | null;

/** Checkpoints, hash tiles and proofs: public if the organisation says so, else for anyone signed in. */
async function requireHashAccess(services: Services, origin: Origin, reader: Reader, orgId: string): Promise<void> {
  const log = await ensureLog(services, orgId);
  if (log.isPublic) return;
  if (!reader) throw new Unauthenticated();
  await requirePermission(services, origin, can(reader, "ledger.read-hashes", { kind: "ledger", orgId }), reader, "ledger.read-hashes", { type: "ledger", id: orgId });
}

/** The latest signed checkpoint note, signing the first one on demand. */
export async function readCheckpoint(services: Services, origin: Origin, reader: Reader, orgId: string): Promise<string> {
  await requireHashAccess(services, origin, reader, orgId);
  return ((await latestCheckpoint(services, orgId)) ?? (await signCheckpointNow(services, orgId))).note;
}

/** A tile URL path that does not parse names no tile: told as not found, like a missing static file. */
function tileAddress(path: string): TileAddress {
  try {
    return parseTilePath(path);
  } catch (error) {
    if (error instanceof LedgerError) throw new NotFound("no such tile");
    throw error;
  }
}

export interface ServedTile {
  bytes: Uint8Array;
  /** Full tiles never change: clients and caches may keep them forever. */
  immutable: boolean;
}

/** A hash tile `tile/<L>/<N>[.p/<W>]`; a partial tile is served while the tree holds at least W hashes there. */
export async function readTile(services: Services, origin: Origin, reader: Reader, orgId: string, path: string): Promise<ServedTile> {
  await requireHashAccess(services, origin, reader, orgId);
  const tile = tileAddress(path);
  if (tile.level === "entries") throw new NotFound("no such tile");
  const size = await ledgerSize(services.db, orgId);
  if (tileWidthAt(tile, size) < tile.width) throw new NotFound("no such tile");
  return { bytes: await readHashTile(tile, size, new DbHashReader(services.db, orgId)), immutable: tile.width === TILE_WIDTH };
}

/**
 * An entry bundle `tile/entries/<N>[.p/<W>]`: the events themselves, pseudonymous but still
 * telling who touched what and when, so only those allowed to read the organisation's entries;
 * each bundle served is recorded in the audit trail under the reader's name.
 */
export async function readEntryBundle(services: Services, origin: Origin, reader: Reader, orgId: string, path: string): Promise<ServedTile> {
  if (!reader) throw new Unauthenticated();
  await requirePermission(services, origin, can(reader, "ledger.read-entries", { kind: "ledger", orgId }), reader, "ledger.read-entries", { type: "ledger", id: orgId });
  const tile = tileAddress(`tile/entries/${path}`);
  const rows = await services.db
    .selectFrom("ledger_leaves")
    .select("data")
    .where("org_id", "=", orgId)
    .where("idx", ">=", tile.index * TILE_WIDTH)
    .where("idx", "<", tile.index * TILE_WIDTH + tile.width)
    .orderBy("idx")
    .execute();
  if (rows.length < tile.width) throw new NotFound("no such tile");
  // Reading who touched what is itself a custody event, kept in the audit trail: as a ledger leaf,
  // every read of the entries would add entries to read.
  await recordAudit(services.db, origin, { orgId, actorId: reader.userId, action: "ledger.read-entries", targetType: "ledger", targetId: orgId, details: { tile: tile.index, width: tile.width } });
  return { bytes: encodeEntryBundle(rows.map((row) => toBytes(row.data))), immutable: tile.width === TILE_WIDTH };
}

export interface ProofAnswer {
  proof: string[];
  size: number;
  rootHash: string;
}

/** Tree sizes and indexes arrive as query text: decimal digits only, within the safe integer range. */
function parseCount(text: string | undefined, field: string): number {
  if (text === undefined || !/^(0|[1-9][0-9]{0,15})$/.test(text) || !Number.isSafeInteger(Number(text))) {
    throw new Invalid("some fields are not valid", { [field]: "must be a whole number" });
  }
  return Number(text);
}

async function treeOfSize(services: Services, orgId: string, size: number): Promise<DbHashReader> {
  const current = await ledgerSize(services.db, orgId);
  if (size > current) throw new Invalid("some fields are not valid", { size: "larger than the log" });
  return new DbHashReader(services.db, orgId);
}

/** RFC 6962 §2.1.1 audit path of leaf `index` in the tree of `size` leaves, with that tree's root; the query is read after the access check. */
export async function inclusionProof(services: Services, origin: Origin, reader: Reader, orgId: string, query: { index?: string; size?: string }): Promise<ProofAnswer> {
  await requireHashAccess(services, origin, reader, orgId);
  const index = parseCount(query.index, "index");
  const size = parseCount(query.size, "size");
  if (index >= size) throw new Invalid("some fields are not valid", { index: "must be less than size" });
  const hashes = await treeOfSize(services, orgId, size);
  const proof = await proveInclusion(index, size, hashes);
  return { proof: proof.map(encodeHash), size, rootHash: encodeHash(await treeHash(size, hashes)) };
}

/** RFC 6962 §2.1.2 consistency proof from the tree of `oldSize` leaves to the tree of `size`. */
export async function consistencyProof(services: Services, origin: Origin, reader: Reader, orgId: string, query: { old?: string; size?: string }): Promise<ProofAnswer> {
  await requireHashAccess(services, origin, reader, orgId);
  const oldSize = parseCount(query.old, "old");
  const size = parseCount(query.size, "size");
  if (oldSize > size) throw new Invalid("some fields are not valid", { old: "must not exceed size" });
  const hashes = await treeOfSize(services, orgId, size);
  const proof = await proveConsistency(oldSize, size, hashes);
  return { proof: proof.map(encodeHash), size, rootHash: encodeHash(await treeHash(size, hashes)) };
}

/** Whether anyone may read the organisation's checkpoints, hash tiles and proofs. */
export async function setLedgerPublic(services: Services, origin: Origin, actor: Actor, isPublic: unknown): Promise<void> {
  const orgId = actor.orgId;
  await requirePermission(services, origin, can(actor, "ledger.configure", { kind: "ledger", orgId }), actor, "ledger.configure", { type: "ledger", id: orgId });
  if (typeof isPublic !== "boolean") throw new Invalid("some fields are not valid", { public: "required" });
  await ensureLog(services, orgId);
  await services.db.transaction().execute(async (tx) => {
    await tx.updateTable("ledger_logs").set({ public: isPublic }).where("org_id", "=", orgId).execute();
    await recordAudit(tx, origin, { orgId, actorId: actor.userId, action: "ledger.configure", targetType: "ledger", targetId: orgId, details: { public: isPublic } });
  });
}

/** What an administrator sees of the organisation's log on the audit page. */
export interface LedgerOverview {
  size: number;
  /** The latest signed checkpoint note, or null before the first is signed. */
  checkpoint: string | null;
  verifierKey: string;
  isPublic: boolean;
}

export async function ledgerOverview(services: Services, origin: Origin, actor: Actor): Promise<LedgerOverview> {
  const orgId = actor.orgId;
  await requirePermission(services, origin, can(actor, "ledger.configure", { kind: "ledger", orgId }), actor, "ledger.configure", { type: "ledger", id: orgId });
  const log = await ensureLog(services, orgId);
  const checkpoint = await latestCheckpoint(services, orgId);
  return { size: await ledgerSize(services.db, orgId), checkpoint: checkpoint?.note ?? null, verifierKey: log.verifierKey, isPublic: log.isPublic };
}
