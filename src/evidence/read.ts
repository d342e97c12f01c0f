import { createReadStream, createWriteStream } from "node:fs";
import { open } from "node:fs/promises";
import { PassThrough, type Readable } from "node:stream";
import { recordAudit } from "../audit/index.ts";
import { Invalid, NotFound } from "../core/index.ts";
import type { Origin, Services } from "../context.ts";
import { appendCustodyEvent } from "../custody/index.ts";
import type { CustodyEventKind } from "../ledger/index.ts";
import { decryptBytes, decryptStream } from "../vault/index.ts";
import { BlobStore } from "./blob-store.ts";
import { auditActor, authorizeCaller, ledgerActor, orgOf, type Caller } from "./caller.ts";
import { isRedactable, redactionInput, withPrivateDirectory, writeRedactedCopy } from "./exiftool.ts";
import { receiveEvidence, type EvidenceMetadata, type ReceivedEvidence } from "./ingest.ts";
import { requireIdentity } from "./vault-keys.ts";

/** What anyone allowed to see an item may see, sealed or not: nothing here needs the key. */
export interface EvidenceSummary {
  id: string;
  sha256: string;
  ciphertextSize: number;
  size: number;
  mediaType: string;
  commitment: string;
  derivedFrom: string | null;
  ledgerIndex: number;
  receivedAt: Date;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function summarise(row: { id: string; ciphertext_sha256: string; ciphertext_size: number; plaintext_size: number; media_type: string; commitment: string; derived_from: string | null; ledger_index: number; received_at: Date }): EvidenceSummary {
  return {
    id: row.id,
    sha256: row.ciphertext_sha256,
    ciphertextSize: row.ciphertext_size,
    size: row.plaintext_size,
    mediaType: row.media_type,
    commitment: row.commitment,
    derivedFrom: row.derived_from,
    ledgerIndex: row.ledger_index,
    receivedAt: row.received_at,
  };
}

export const SUMMARY_COLUMNS = ["id", "ciphertext_sha256", "ciphertext_size", "plaintext_size", "media_type", "commitment", "derived_from", "ledger_index", "received_at"] as const;

export async function listEvidence(services: Services, origin: Origin, caller: Caller, options: { limit?: number } = {}): Promise<EvidenceSummary[]> {
  const orgId = orgOf(caller);
  await authorizeCaller(services, origin, caller, "evidence.view", { kind: "evidence", orgId }, { type: "evidence", id: null });
  const rows = await services.db
    .selectFrom("evidence")
    .select([...SUMMARY_COLUMNS])
    .where("org_id", "=", orgId)
    .orderBy("received_at", "desc")
    .orderBy("id")
    .limit(Math.min(options.limit ?? 100, 500))
    .execute();
  return rows.map(summarise);
}

/** One item of the caller's organisation; another organisation's item is not found, never forbidden. */
export async function findEvidenceRow(services: Services, orgId: string, id: string) {
  if (!UUID.test(id)) throw new NotFound("no such evidence");
  const row = await services.db.selectFrom("evidence").selectAll().where("id", "=", id).where("org_id", "=", orgId).executeTakeFirst();
  if (!row) throw new NotFound("no such evidence");
  return row;
}

export async function getEvidence(services: Services, origin: Origin, caller: Caller, id: string): Promise<EvidenceSummary & { derivatives: EvidenceSummary[] }> {
  const orgId = orgOf(caller);
  await authorizeCaller(services, origin, caller, "evidence.view", { kind: "evidence", orgId }, { type: "evidence", id });
  const row = await findEvidenceRow(services, orgId, id);
  const derivatives = await services.db.selectFrom("evidence").select([...SUMMARY_COLUMNS]).where("derived_from", "=", row.id).where("org_id", "=", orgId).orderBy("received_at").execute();
  return { ...summarise(row), derivatives: derivatives.map(summarise) };
}

async function logAccess(services: Services, origin: Origin, caller: Caller, orgId: string, id: string, kind: CustodyEventKind, action: string, details: Record<string, string | number> = {}): Promise<number> {
  return services.db.transaction().execute(async (tx) => {
    const ledgerIndex = await appendCustodyEvent(tx, services, { kind, orgId, subject: id, actorPseudonym: ledgerActor(caller), details });
    await recordAudit(tx, origin, { orgId, ...auditActor(caller), action, targetType: "evidence", targetId: id, details: { ...details, ledgerIndex } });
    return ledgerIndex;
  });
}

/** The decrypted metadata: file name, claimed type, plaintext SHA-256 and technical tags. Needs the vault unsealed; a ledger "viewed" event. */
export async function readEvidenceMetadata(services: Services, origin: Origin, caller: Caller, id: string): Promise<EvidenceMetadata> {
  const orgId = orgOf(caller);
  await authorizeCaller(services, origin, caller, "evidence.read", { kind: "evidence", orgId }, { type: "evidence", id });
  const row = await findEvidenceRow(services, orgId, id);
  const identity = requireIdentity(services, orgId);
  const metadata = JSON.parse((await decryptBytes([identity], row.metadata_enc)).toString("utf8")) as EvidenceMetadata;
  await logAccess(services, origin, caller, orgId, id, "viewed", "evidence.metadata");
  return metadata;
}

export interface EvidenceContent {
  summary: EvidenceSummary;
  filename: string | null;
  /** The plaintext, decrypted as it is read; it errors if the blob fails authentication. */
  stream: Readable;
}

/**
 * Opens an item's plaintext for download ("downloaded") or for an inline preview ("viewed").
 * Needs the vault unsealed. The custody and audit events are committed before the first byte.
 */
export async function openEvidenceContent(services: Services, origin: Origin, caller: Caller, id: string, purpose: "download" | "preview" | "export", options: { store?: BlobStore; details?: Record<string, string | number> } = {}): Promise<EvidenceContent> {
  const orgId = orgOf(caller);
  await authorizeCaller(services, origin, caller, "evidence.read", { kind: "evidence", orgId }, { type: "evidence", id });
  const row = await findEvidenceRow(services, orgId, id);
  const identity = requireIdentity(services, orgId);
  const store = options.store ?? BlobStore.forDataDir(services.config.dataDir);
  const metadata = JSON.parse((await decryptBytes([identity], row.metadata_enc)).toString("utf8")) as EvidenceMetadata;
  const blob = store.pathOf(row.ciphertext_sha256);
  // Fail before any event when the blob is missing, rather than mid-response.
  await (await open(blob, "r")).close();
  // An export (a referral dossier's package, a court bundle) is its own custody event, naming what it went into.
  const [kind, action] = purpose === "export" ? (["exported", "evidence.export"] as const) : purpose === "download" ? (["downloaded", "evidence.download"] as const) : (["viewed", "evidence.preview"] as const);
  await logAccess(services, origin, caller, orgId, id, kind, action, options.details ?? {});
  const out = new PassThrough({ highWaterMark: 1 << 20 });
  decryptStream([identity], createReadStream(blob, { highWaterMark: 1 << 20 }), out).catch((error: unknown) => {
    services.log.error({ evidence: id, err: { message: (error as Error).message } }, "evidence blob failed to decrypt");
    out.destroy(error as Error);
  });
  return { summary: summarise(row), filename: metadata.filename, stream: out };
}

/**
 * Makes (once) a copy of an image without GPS, device serials, owner names or thumbnails, for
 * sharing. The original is decrypted into a private directory, ExifTool writes the copy beside
 * it, the copy is re-read to prove the fields are gone, then encrypted as a blob of its own
 * linked to the original, with a "redacted" ledger event. The original blob is never touched.
 */
export async function redactEvidence(services: Services, origin: Origin, caller: Caller, id: string, options: { store?: BlobStore } = {}): Promise<ReceivedEvidence & { created: boolean }> {
  const orgId = orgOf(caller);
  await authorizeCaller(services, origin, caller, "evidence.redact", { kind: "evidence", orgId }, { type: "evidence", id });
  const row = await findEvidenceRow(services, orgId, id);
  if (row.derived_from) throw new Invalid("this is already a redacted copy");
  if (!isRedactable(row.media_type)) throw new Invalid(`only images can be redacted, and this is ${row.media_type}`);
  const existing = await services.db.selectFrom("evidence").selectAll().where("derived_from", "=", id).orderBy("received_at").executeTakeFirst();
  if (existing) {
    return { id: existing.id, sha256: existing.ciphertext_sha256, size: existing.plaintext_size, mediaType: existing.media_type, ledgerIndex: existing.ledger_index, created: false };
  }
  const identity = requireIdentity(services, orgId);
  const store = options.store ?? BlobStore.forDataDir(services.config.dataDir);
  const metadata = JSON.parse((await decryptBytes([identity], row.metadata_enc)).toString("utf8")) as EvidenceMetadata;
  const received = await withPrivateDirectory(async (dir) => {
    const original = redactionInput(dir, row.media_type);
    const result = await decryptStream([identity], store.read(row.ciphertext_sha256), createWriteStream(original, { flags: "wx", mode: 0o600 }));
    if (result.plaintextSha256 !== metadata.plaintextSha256) throw new Invalid("the blob does not hold the file it was received as");
    const redacted = await writeRedactedCopy(original, dir, row.media_type);
    const name = metadata.filename ? `redacted-${metadata.filename}` : null;
    return receiveEvidence(services, origin, caller, { source: createReadStream(redacted), filename: name, claimedType: row.media_type }, { store, derivedFrom: id });
  });
  return { ...received, created: true };
}
