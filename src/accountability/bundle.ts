// Court bundles: a ZIP of a case's chosen exhibits — the decrypted originals, or each re-encrypted
// to the court's or counsel's age recipient — with a manifest (JSON, and a PDF index), the custody
// history of each exhibit as ledger leaves with RFC 6962 inclusion proofs against one signed C2SP
// checkpoint, the disclosed salts of the plaintext commitments, and verify.html, which checks all
// of it offline. Every export is a custody-ledger event on each exhibit, committed before the
// first byte leaves, and proven in the bundle itself.
//
// Nothing is refused half-way that could be refused first: consent, the vault's seal, the
// recipient and every blob's presence are checked before any event is written. The bundle is
// streamed as it is made (an exhibit may be GiBs) and never kept on the server: it may hold
// plaintext.
import { randomUUID } from "node:crypto";
import { existsSync } from "node:fs";
import { stat } from "node:fs/promises";
import { PassThrough, type Readable, type Writable } from "node:stream";
import { sql } from "kysely";
import { z } from "zod";
import { can, Invalid, VigilError, ZipWriter, type Actor } from "../core/index.ts";
import type { Origin, Services } from "../context.ts";
import { recordAudit, requirePermission } from "../audit/index.ts";
import { parseInput } from "../accounts/index.ts";
import { appendCustodyEvent, DbHashReader, ensureLog, signCheckpointNow } from "../custody/index.ts";
import { BlobStore, requireIdentity, type EvidenceMetadata } from "../evidence/index.ts";
import { decodeLeaf, encodeHash, parseCheckpoint, proveInclusion, type CustodyEvent } from "../ledger/index.ts";
import { COMMITMENT_LABEL, decryptBytes, decryptStream, encryptStream, parseX25519Recipient, type X25519Recipient } from "../vault/index.ts";
import { printHtmlToPdf } from "../pdf/index.ts";
import { captionsOf, getEntity, inputOf } from "../records/index.ts";
import { caseForChange } from "./cases.ts";
import { consentHistory, holdsConsent, type ConsentScope } from "./consent.ts";
import { bundleIndexHtml, type BundleIndexLabels } from "./bundle-index.ts";
import { BUNDLE_FORMAT } from "./verifier/verify-bundle.js";
import { verifierPage, type VerifierLabels } from "./verifier/page.ts";

export const BUNDLE_PURPOSES = ["court", "counsel"] as const;
export const BUNDLE_MODES = ["decrypted", "reencrypted"] as const;

/** The consent a party must hold for their material to leave for each purpose. */
export const CONSENT_FOR_PURPOSE: Record<(typeof BUNDLE_PURPOSES)[number], ConsentScope> = {
  court: "use-testimony",
  counsel: "share-with-counsel",
};

export const BundleRequestSchema = z
  .strictObject({
    exhibits: z.preprocess((v) => (typeof v === "string" ? [v] : v), z.array(z.uuid("the id of an exhibit of this case")).min(1, "choose at least one exhibit").max(500, "at most 500 exhibits")),
    purpose: z.enum(BUNDLE_PURPOSES, "court or counsel"),
    mode: z.enum(BUNDLE_MODES, "decrypted or reencrypted"),
    recipient: z.preprocess((v) => (v === "" ? undefined : v), z.string().trim().max(200).optional()),
  })
  .refine((v) => v.mode === "decrypted" || v.recipient !== undefined, { path: ["recipient"], message: "give the court's or counsel's age recipient (age1…)" })
  .refine((v) => v.mode === "reencrypted" || v.recipient === undefined, { path: ["recipient"], message: "a recipient is only for re-encrypted bundles" });

/** Exhibits whose witness has not consented to this use: the bundle is refused and says which. */
export class ConsentMissing extends VigilError {
  readonly status = 409;
  readonly code = "consent-missing";
  constructor(readonly missing: { exhibit: string; party: string; scope: ConsentScope; state: "never-given" | "withdrawn" }[]) {
    super(`consent is missing for ${missing.map((m) => `exhibit ${m.exhibit} (${m.party} has ${m.state === "withdrawn" ? "withdrawn" : "not given"} consent to ${m.scope})`).join("; ")}: nothing was exported`);
  }
}

/** An exhibit whose encrypted file is gone from the blob store: nothing is exported. */
export class ExhibitMissing extends VigilError {
  readonly status = 409;
  readonly code = "exhibit-missing";
  constructor(readonly exhibits: string[]) {
    super(`the file of exhibit ${exhibits.join(", ")} is missing from the vault's store: nothing was exported`);
  }
}

export interface BundleText {
  index: BundleIndexLabels;
  verifier: VerifierLabels;
  lang: string;
  dir: "ltr" | "rtl";
}

export interface CustodyProof {
  index: number;
  /** The leaf bytes (RFC 8785 JSON of the event), base64. */
  leaf: string;
  proof: string[];
}

export interface ManifestExhibit {
  label: string;
  description: string;
  evidence: string;
  party: string | null;
  consent: { scope: ConsentScope; givenAt: string } | null;
  path: string;
  /** "original": the decrypted file; "age": re-encrypted to the bundle's recipient. */
  form: "original" | "age";
  fileSha256: string;
  fileSize: number;
  plaintextSha256: string;
  plaintextSize: number;
  mediaType: string;
  originalFilename: string | null;
  receivedAt: string;
  commitment: string;
  salt: string;
  capture: unknown;
  metadata: unknown;
  custody: CustodyProof[];
}

export interface BundleManifest {
  format: typeof BUNDLE_FORMAT;
  bundle: string;
  createdAt: string;
  createdBy: string;
  purpose: "court" | "counsel";
  mode: "decrypted" | "reencrypted";
  recipient: string | null;
  case: { id: string; name: string | null; forum: string | null; court: string | null; caseNumber: string | null; jurisdiction: string | null; claims: string[]; defendants: string[] };
  ledger: { origin: string; verifierKey: string; checkpoint: string; size: number; rootHash: string };
  commitmentLabel: string;
  exhibits: ManifestExhibit[];
}

export interface CourtBundle {
  id: string;
  fileName: string;
  /** The ZIP as it is made; it errors (and stops) if an exhibit fails on the way. */
  stream: Readable;
  /** Resolves with the manifest once the whole bundle was written. */
  finished: Promise<BundleManifest>;
}

interface Planned {
  exhibitId: string;
  label: string;
  description: string;
  partyLabel: string | null;
  consent: { scope: ConsentScope; givenAt: string } | null;
  evidenceId: string;
  ciphertextSha256: string;
  ciphertextSize: number;
  plaintextSize: number;
  mediaType: string;
  receivedAt: Date;
  commitment: string;
  metadata: EvidenceMetadata;
}

const EXTENSIONS: Record<string, string> = {
  "image/jpeg": ".jpg", "image/png": ".png", "image/gif": ".gif", "image/webp": ".webp", "image/tiff": ".tif", "image/heic": ".heic",
  "video/mp4": ".mp4", "video/quicktime": ".mov", "video/webm": ".webm", "audio/mpeg": ".mp3", "audio/ogg": ".ogg", "audio/wav": ".wav",
  "application/pdf": ".pdf", "text/plain": ".txt", "text/html": ".html", "application/warc": ".warc",
};

function extensionOf(mediaType: string, filename: string | null): string {
  const known = EXTENSIONS[mediaType];
  if (known) return known;
  const fromName = filename ? /(\.[A-Za-z0-9]{1,8})$/.exec(filename)?.[1] : undefined;
  return fromName ? fromName.toLowerCase() : ".bin";
}

/**
 * Checks everything that can refuse the export, then records it (an "exported" custody event per
 * exhibit, the bundle row, the audit event) and signs a checkpoint that includes those events, and
 * starts streaming the ZIP.
 */
export async function exportCourtBundle(services: Services, origin: Origin, actor: Actor, pseudonym: string, caseId: string, raw: unknown, text: BundleText, options: { store?: BlobStore } = {}): Promise<CourtBundle> {
  await caseForChange(services, origin, actor, caseId, "case.export");
  await requirePermission(services, origin, can(actor, "evidence.read", { kind: "evidence", orgId: actor.orgId }), actor, "evidence.read", { type: "legal-case", id: caseId });
  const input = parseInput(BundleRequestSchema, await inputOf(raw));
  let recipient: X25519Recipient | null = null;
  if (input.mode === "reencrypted") {
    try {
      recipient = parseX25519Recipient(input.recipient!);
    } catch {
      throw new Invalid("some fields are not valid", { recipient: "not an age X25519 recipient: it starts with age1 and is 62 characters" });
    }
  }
  const db = services.db;
  const rows = await db
    .selectFrom("legal_case_exhibits as x")
    .innerJoin("evidence as ev", "ev.id", "x.evidence_id")
    .select(["x.id", "x.label", "x.description", "x.party_id", "ev.id as evidence_id", "ev.ciphertext_sha256", "ev.ciphertext_size", "ev.plaintext_size", "ev.media_type", "ev.received_at", "ev.commitment", "ev.metadata_enc"])
    .where("x.case_id", "=", caseId)
    .where("x.org_id", "=", actor.orgId)
    .where("x.id", "in", input.exhibits)
    .execute();
  const unknown = input.exhibits.filter((id) => !rows.some((r) => r.id === id));
  if (unknown.length > 0) throw new Invalid("some exhibits are not exhibits of this case", Object.fromEntries(unknown.map((id) => [`exhibits.${input.exhibits.indexOf(id)}`, "not an exhibit of this case"])));
  rows.sort((a, b) => a.label.localeCompare(b.label, "en", { numeric: true }));

  // Consent: each exhibit that is a party's testimony or material leaves only with their consent to this use.
  const scope = CONSENT_FOR_PURPOSE[input.purpose];
  const partyIds = [...new Set(rows.map((r) => r.party_id).filter((p): p is string => p !== null))];
  const parties = partyIds.length ? await db.selectFrom("legal_case_parties").select(["id", "label"]).where("id", "in", partyIds).execute() : [];
  const history = await consentHistory(db, partyIds);
  const missing: ConstructorParameters<typeof ConsentMissing>[0] = [];
  const consentOf = new Map<string, { scope: ConsentScope; givenAt: string }>();
  for (const row of rows) {
    if (!row.party_id) continue;
    const own = history.filter((h) => h.partyId === row.party_id);
    const party = parties.find((p) => p.id === row.party_id)?.label ?? row.party_id;
    if (!holdsConsent(own, scope)) {
      missing.push({ exhibit: row.label, party, scope, state: own.some((h) => h.scope === scope) ? "withdrawn" : "never-given" });
    } else {
      const given = [...own].reverse().find((h) => h.scope === scope)!;
      consentOf.set(row.id, { scope, givenAt: given.effectiveAt.toISOString() });
    }
  }
  if (missing.length > 0) throw new ConsentMissing(missing);

  const identity = requireIdentity(services, actor.orgId);
  const store = options.store ?? BlobStore.forDataDir(services.config.dataDir);
  const gone: string[] = [];
  for (const row of rows) {
    const found = await stat(store.pathOf(row.ciphertext_sha256)).catch(() => null);
    if (!found || found.size !== row.ciphertext_size) gone.push(row.label);
  }
  if (gone.length > 0) throw new ExhibitMissing(gone);
  if (!existsSync(services.config.chromiumPath)) throw new Invalid("the bundle's PDF index cannot be made on this server: set VIGIL_CHROMIUM");

  const planned: Planned[] = [];
  for (const row of rows) {
    const metadata = JSON.parse((await decryptBytes([identity], row.metadata_enc)).toString("utf8")) as EvidenceMetadata;
    planned.push({
      exhibitId: row.id,
      label: row.label,
      description: row.description,
      partyLabel: row.party_id ? (parties.find((p) => p.id === row.party_id)?.label ?? null) : null,
      consent: consentOf.get(row.id) ?? null,
      evidenceId: row.evidence_id,
      ciphertextSha256: row.ciphertext_sha256,
      ciphertextSize: row.ciphertext_size,
      plaintextSize: row.plaintext_size,
      mediaType: row.media_type,
      receivedAt: row.received_at,
      commitment: row.commitment,
      metadata,
    });
  }

  const id = randomUUID();
  const now = services.now();
  await db.transaction().execute(async (tx) => {
    let first = -1;
    for (const item of planned) {
      const index = await appendCustodyEvent(tx, services, {
        kind: "exported",
        orgId: actor.orgId,
        subject: item.evidenceId,
        actorPseudonym: pseudonym,
        details: { record: caseId, bundle: id, exhibit: item.exhibitId, purpose: input.purpose, mode: input.mode, ...(input.recipient ? { recipient: input.recipient } : {}) },
      });
      if (first < 0) first = index;
    }
    await tx
      .insertInto("court_bundles")
      .values({ id, org_id: actor.orgId, case_id: caseId, purpose: input.purpose, mode: input.mode, recipient: input.recipient ?? null, exhibit_ids: JSON.stringify(planned.map((p) => p.exhibitId)), ledger_index: first, created_by: actor.userId, created_at: now })
      .execute();
    await recordAudit(tx, origin, { orgId: actor.orgId, actorId: actor.userId, action: "case.bundle.export", targetType: "legal-case", targetId: caseId, details: { bundle: id, purpose: input.purpose, mode: input.mode, exhibits: planned.length, ledgerIndex: first } });
  });

  // One checkpoint, signed now, includes the export's own events; every proof is against it.
  const log = await ensureLog(services, actor.orgId);
  const signed = await signCheckpointNow(services, actor.orgId);
  const checkpoint = parseCheckpoint(signed.note.slice(0, signed.note.indexOf("\n\n") + 1));
  const view = await getEntity(services, origin, actor, caseId);
  const defendantCaptions = await captionsOf(services, actor, view.properties.defendants ?? []);
  const first = (p: string) => view.properties[p]?.[0] ?? null;
  const manifest: BundleManifest = {
    format: BUNDLE_FORMAT,
    bundle: id,
    createdAt: now.toISOString(),
    createdBy: pseudonym,
    purpose: input.purpose,
    mode: input.mode,
    recipient: input.recipient ?? null,
    case: {
      id: caseId,
      name: first("name"),
      forum: first("forum"),
      court: first("court"),
      caseNumber: first("caseNumber"),
      jurisdiction: first("jurisdiction"),
      claims: view.properties.claims ?? [],
      defendants: (view.properties.defendants ?? []).map((d) => defendantCaptions.get(d)?.caption ?? d),
    },
    ledger: { origin: log.origin, verifierKey: log.verifierKey, checkpoint: signed.note, size: checkpoint.size, rootHash: encodeHash(checkpoint.rootHash) },
    commitmentLabel: COMMITMENT_LABEL,
    exhibits: [],
  };
  const custody = new Map<string, CustodyProof[]>();
  for (const item of planned) custody.set(item.evidenceId, await custodyProofs(services, actor.orgId, item.evidenceId, checkpoint.size));

  const out = new PassThrough({ highWaterMark: 1 << 20 });
  const finished = writeBundle(out, planned, manifest, custody, identity, recipient, store, services, text).then(
    () => manifest,
    (error: unknown) => {
      services.log.error({ bundle: id, err: { message: (error as Error).message } }, "court bundle failed while streaming");
      out.destroy(error as Error);
      throw error;
    },
  );
  // The caller reads the stream; a failure is told there, and through `finished`.
  finished.catch(() => undefined);
  return { id, fileName: `court-bundle-${id.slice(0, 8)}.zip`, stream: out, finished };
}

/**
 * Every leaf about the item (its own events, and the "redacted" event of the original that made
 * it, for a derivative) in the tree of `size` leaves, each with its inclusion proof.
 */
async function custodyProofs(services: Services, orgId: string, evidenceId: string, size: number): Promise<CustodyProof[]> {
  const rows = await services.db
    .selectFrom("ledger_leaves")
    .select(["idx", "data"])
    .where("org_id", "=", orgId)
    .where("idx", "<", size)
    .where(sql<boolean>`position(convert_to(${JSON.stringify(evidenceId)}, 'UTF8') in data) > 0`)
    .orderBy("idx")
    .limit(2000)
    .execute();
  const hashes = new DbHashReader(services.db, orgId);
  const proofs: CustodyProof[] = [];
  for (const row of rows) {
    const bytes = Buffer.from(row.data);
    const event: CustodyEvent = decodeLeaf(bytes);
    if (event.subject !== evidenceId && event.details.derivative !== evidenceId) continue;
    proofs.push({ index: row.idx, leaf: bytes.toString("base64"), proof: (await proveInclusion(row.idx, size, hashes)).map(encodeHash) });
  }
  return proofs;
}

async function writeBundle(
  out: Writable,
  planned: Planned[],
  manifest: BundleManifest,
  custody: Map<string, CustodyProof[]>,
  identity: ReturnType<typeof requireIdentity>,
  recipient: X25519Recipient | null,
  store: BlobStore,
  services: Services,
  text: BundleText,
): Promise<void> {
  const zip = new ZipWriter(out);
  const modified = new Date(manifest.createdAt);
  for (const item of planned) {
    const path = `exhibits/${item.label}${extensionOf(item.mediaType, item.metadata.filename)}${recipient ? ".age" : ""}`;
    const plain = new PassThrough({ highWaterMark: 1 << 20 });
    const decrypted = decryptStream([identity], store.read(item.ciphertextSha256), plain);
    let fileSha256: string;
    let fileSize: number;
    if (recipient) {
      const sealed = new PassThrough({ highWaterMark: 1 << 20 });
      const encrypted = encryptStream([recipient], plain, sealed);
      const [, result, opened] = await Promise.all([zip.addFile(path, sealed, { modified, compress: false }), encrypted, decrypted]);
      if (opened.plaintextSha256 !== item.metadata.plaintextSha256) throw new Error(`exhibit ${item.label}: the blob does not hold the file it was received as`);
      fileSha256 = result.ciphertextSha256;
      fileSize = result.ciphertextSize;
    } else {
      const [, opened] = await Promise.all([zip.addFile(path, plain, { modified, compress: false }), decrypted]);
      if (opened.plaintextSha256 !== item.metadata.plaintextSha256) throw new Error(`exhibit ${item.label}: the blob does not hold the file it was received as`);
      fileSha256 = opened.plaintextSha256;
      fileSize = opened.plaintextSize;
    }
    manifest.exhibits.push({
      label: item.label,
      description: item.description,
      evidence: item.evidenceId,
      party: item.partyLabel,
      consent: item.consent,
      path,
      form: recipient ? "age" : "original",
      fileSha256,
      fileSize,
      plaintextSha256: item.metadata.plaintextSha256,
      plaintextSize: item.plaintextSize,
      mediaType: item.mediaType,
      originalFilename: item.metadata.filename,
      receivedAt: item.receivedAt.toISOString(),
      commitment: item.commitment,
      salt: item.metadata.salt,
      capture: item.metadata.capture ?? null,
      metadata: item.metadata.tags ?? null,
      custody: custody.get(item.evidenceId) ?? [],
    });
  }
  await zip.addFile("manifest.json", `${JSON.stringify(manifest, null, 2)}\n`, { modified, compress: true });
  await zip.addFile("verify.html", verifierPage(text.verifier, text.lang, text.dir), { modified, compress: true });
  const pdf = await printHtmlToPdf(bundleIndexHtml(manifest, text.index, text.lang, text.dir), services.config.chromiumPath, { hint: "export the bundle again once Chromium works" });
  await zip.addFile("index.pdf", pdf, { modified, compress: false });
  await zip.finish();
}
