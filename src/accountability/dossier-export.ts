// A referral dossier leaving Vigil: the printable HTML, the PDF (headless Chromium), the editable
// OpenDocument text, and the package (a ZIP of both with the decrypted exhibits and a manifest of
// their SHA-256). Every export is in the dossier's history and the audit trail; every exhibit put
// in a package is an "exported" custody-ledger event of its own, committed before its first byte.
import { createHash } from "node:crypto";
import { PassThrough, Transform, type Writable } from "node:stream";
import { can, Sealed, ZipWriter, type Actor } from "../core/index.ts";
import type { Origin, Services } from "../context.ts";
import { requirePermission } from "../audit/index.ts";
import { openEvidenceContent, type Caller } from "../evidence/index.ts";
import { printHtmlToPdf } from "../pdf/index.ts";
import { composeDossier, type DossierDocument } from "./dossier-content.ts";
import { dossierHtml, dossierOdtParts } from "./dossier-render.ts";
import { getDossier, logDossierExport, requireDossierAction, type DossierView } from "./dossiers.ts";

export type DossierFormat = "print" | "pdf" | "odt" | "package";

export interface PreparedDossier {
  dossier: DossierView;
  document: DossierDocument;
}

/** Reads the dossier and composes its document for an export, and logs the export (a package logs itself once written). */
export async function prepareDossierExport(services: Services, origin: Origin, actor: Actor, caller: Caller, id: string, format: DossierFormat, options: { log?: boolean } = {}): Promise<PreparedDossier> {
  await requireDossierAction(services, origin, actor, "dossier.export", id);
  const dossier = await getDossier(services, origin, actor, id);
  const document = await composeDossier(services, actor, caller, dossier);
  // The dossier's own page shows the document without it leaving Vigil: not an export.
  if (format !== "package" && options.log !== false) {
    await services.db.transaction().execute((tx) => logDossierExport(tx, services, origin, actor, dossier.id, { format, acts: document.acts.length, exhibits: 0, includesRestricted: dossier.fields.includeRestricted }));
  }
  return { dossier, document };
}

/** A file name from the reference alone: nothing of the case goes into a name that lands in download folders. */
export function dossierFileName(dossier: DossierView, extension: string): string {
  return `${dossier.reference.replace(/[^A-Za-z0-9-]/g, "")}.${extension}`;
}

export async function dossierPdf(services: Services, document: DossierDocument): Promise<Buffer> {
  return printHtmlToPdf(dossierHtml(document, { inline: true }), services.config.chromiumPath);
}

async function writeOdt(document: DossierDocument, sink: Writable): Promise<void> {
  const zip = new ZipWriter(sink);
  const modified = new Date(document.generatedAt);
  for (const part of dossierOdtParts(document)) await zip.addFile(part.name, part.content, { modified, compress: part.compress });
  await zip.finish();
}

/** The editable document as an .odt file (OpenDocument Text: LibreOffice, Word and Google Docs edit it). */
export async function dossierOdt(document: DossierDocument): Promise<Buffer> {
  const chunks: Buffer[] = [];
  const sink = new PassThrough();
  sink.on("data", (c: Buffer) => chunks.push(c));
  await writeOdt(document, sink);
  sink.end();
  return Buffer.concat(chunks);
}

const EXTENSIONS: Record<string, string> = {
  "image/jpeg": "jpg", "image/png": "png", "image/gif": "gif", "image/webp": "webp", "image/tiff": "tif", "application/pdf": "pdf", "video/mp4": "mp4", "video/webm": "webm",
  "audio/mpeg": "mp3", "audio/ogg": "ogg", "audio/wav": "wav", "text/plain": "txt", "application/zip": "zip", "application/warc": "warc",
};

/**
 * Writes the package to `sink`: the PDF, the editable document, each exhibit decrypted, and a
 * manifest. Refused before anything is written while the vault is sealed (the exhibits cannot be
 * decrypted) or when the reader may not read evidence.
 */
export async function startDossierPackage(services: Services, origin: Origin, actor: Actor, caller: Caller, id: string): Promise<{ prepared: PreparedDossier; write: (sink: Writable) => Promise<void> }> {
  await requireDossierAction(services, origin, actor, "dossier.export", id);
  await requirePermission(services, origin, can(actor, "evidence.read", { kind: "evidence", orgId: actor.orgId }), actor, "evidence.read", { type: "referral-dossier", id });
  if (!services.keyring.identity(actor.orgId)) {
    throw new Sealed("the vault is sealed, so the exhibits cannot be decrypted: an administrator must unseal it first; the PDF and the editable document can still be downloaded alone");
  }
  const prepared = await prepareDossierExport(services, origin, actor, caller, id, "package");
  const { dossier, document } = prepared;
  // Made before the first byte, so that a missing browser fails the request rather than the archive.
  const pdf = await dossierPdf(services, document);
  const odt = await dossierOdt(document);
  const write = async (sink: Writable) => {
    const zip = new ZipWriter(sink);
    const modified = new Date(document.generatedAt);
    await zip.addFile(dossierFileName(dossier, "pdf"), pdf, { modified, compress: false });
    await zip.addFile(dossierFileName(dossier, "odt"), odt, { modified, compress: false });
    const exhibits: { number: number; file: string; evidenceId: string; sha256: string; size: number; mediaType: string; supports: string[] }[] = [];
    for (const e of document.exhibits) {
      const content = await openEvidenceContent(services, origin, caller, e.evidenceId, "export", { details: { dossier: dossier.reference } });
      const hash = createHash("sha256");
      let size = 0;
      const counted = new Transform({
        transform(chunk: Buffer, _encoding, done) {
          hash.update(chunk);
          size += chunk.length;
          done(null, chunk);
        },
      });
      const file = `exhibits/E-${e.number}.${EXTENSIONS[e.mediaType] ?? "bin"}`;
      content.stream.on("error", (error) => counted.destroy(error));
      await zip.addFile(file, content.stream.pipe(counted), { modified });
      exhibits.push({ number: e.number, file, evidenceId: e.evidenceId, sha256: hash.digest("hex"), size, mediaType: e.mediaType, supports: e.supports });
    }
    const manifest = { reference: dossier.reference, title: document.fields.title, generatedAt: document.generatedAt, subject: document.subject.name, acts: document.acts.length, exhibits };
    await zip.addFile("manifest.json", `${JSON.stringify(manifest, null, 2)}\n`, { modified });
    await zip.finish();
    await services.db.transaction().execute((tx) => logDossierExport(tx, services, origin, actor, dossier.id, { format: "package", acts: document.acts.length, exhibits: exhibits.length, includesRestricted: dossier.fields.includeRestricted, evidence: exhibits.map((x) => x.evidenceId) }));
  };
  return { prepared, write };
}
