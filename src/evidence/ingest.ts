import { randomUUID } from "node:crypto";
import { open, type FileHandle } from "node:fs/promises";
import { join } from "node:path";
import type { Writable } from "node:stream";
import { recordAudit } from "../audit/index.ts";
import { Conflict, Invalid } from "../core/index.ts";
import type { Origin, Services } from "../context.ts";
import { appendCustodyEvent } from "../custody/index.ts";
import { commitToPlaintext, encryptBytes, encryptStream, type ByteSource, type X25519Recipient } from "../vault/index.ts";
import { BlobStore } from "./blob-store.ts";
import { auditActor, authorizeCaller, ledgerActor, orgOf, type Caller } from "./caller.ts";
import { TooLarge } from "./errors.ts";
import { mediaTypeOf, readTags, withPrivateDirectory, type Tags } from "./exiftool.ts";
import { currentRecipient } from "./vault-keys.ts";

/** What the encrypted metadata of a blob holds; readable only with the organisation's identity. */
export interface EvidenceMetadata {
  version: 1;
  /** The name the uploader gave, if any: it may identify a source, so it is never stored in the clear. */
  filename: string | null;
  /** The type the uploader claimed (header or form); the stored type comes from the content. */
  claimedType: string | null;
  plaintextSha256: string;
  /** The commitment's salt, hex. */
  salt: string;
  tags: Tags;
}

export interface IncomingFile {
  source: ByteSource;
  filename: string | null;
  claimedType: string | null;
  /** The length the client declared, to refuse an oversized upload before reading it. */
  declaredSize?: number | null;
}

export interface ReceivedEvidence {
  id: string;
  /** SHA-256 of the stored age file: the blob's name. */
  sha256: string;
  size: number;
  mediaType: string;
  ledgerIndex: number;
}

export interface IngestOptions {
  store?: BlobStore;
  derivedFrom?: string;
}

// ExifTool reads metadata from the head of the file for the formats that matter here; a bounded
// sample keeps a 4 GiB upload from also costing a 4 GiB plaintext copy on disk.
const SAMPLE_BYTES = 32 << 20;

/** Counts bytes against the limit and copies the head of the plaintext into the private sample file. */
async function* measured(source: ByteSource, limit: number, sample: FileHandle, counter: { size: number; sampled: number }): AsyncGenerator<Uint8Array> {
  for await (const chunk of source) {
    counter.size += chunk.byteLength;
    if (counter.size > limit) throw new TooLarge(limit);
    if (counter.sampled < SAMPLE_BYTES) {
      const part = chunk.subarray(0, SAMPLE_BYTES - counter.sampled);
      await sample.write(part);
      counter.sampled += part.byteLength;
    }
    yield chunk;
  }
}

/** Refuses (and audits) a caller who may not upload, before the body is read. */
export async function authorizeUpload(services: Services, origin: Origin, caller: Caller): Promise<void> {
  await authorizeCaller(services, origin, caller, "evidence.upload", { kind: "evidence", orgId: orgOf(caller) }, { type: "evidence", id: null });
}

export function checkDeclaredSize(services: Services, declared: number | null | undefined): void {
  if (declared !== null && declared !== undefined && declared > services.config.maxUploadBytes) throw new TooLarge(services.config.maxUploadBytes);
}

/**
 * Receives one evidence file: streams it through age encryption to the organisation's recipient
 * into the blob store (no key needed, so this works while sealed), reads its technical metadata,
 * and records it with its custody-ledger event and audit event in one transaction. On any failure
 * (a client that goes away, the size limit, a full disk) the partial blob is removed and nothing
 * is recorded.
 */
export async function receiveEvidence(services: Services, origin: Origin, caller: Caller, file: IncomingFile, options: IngestOptions = {}): Promise<ReceivedEvidence> {
  const orgId = orgOf(caller);
  await authorizeCaller(services, origin, caller, options.derivedFrom ? "evidence.redact" : "evidence.upload", { kind: "evidence", orgId }, { type: "evidence", id: options.derivedFrom ?? null });
  checkDeclaredSize(services, file.declaredSize);
  const filename = cleanName(file.filename);
  const claimedType = file.claimedType && file.claimedType.length <= 200 ? file.claimedType : null;
  const key = await currentRecipient(services.db, orgId);
  if (!key) throw new Conflict("this organisation has no keys yet: an administrator must create them first");
  const store = options.store ?? BlobStore.forDataDir(services.config.dataDir);

  return withPrivateDirectory(async (dir) => {
    const samplePath = join(dir, "sample");
    const sample = await open(samplePath, "wx", 0o600);
    const counter = { size: 0, sampled: 0 };
    let written: Awaited<ReturnType<typeof encryptStream>>;
    try {
      written = await store.put((sink: Writable) => encryptStream([key.recipient], measured(file.source, services.config.maxUploadBytes, sample, counter), sink));
    } finally {
      await sample.close();
    }
    try {
      if (written.plaintextSize === 0) throw new Invalid("the file is empty", { file: "the file is empty" });
      const tags = await readTags(samplePath);
      return await record(services, origin, caller, { orgId, key: key.recipient, keyText: key.text, written, tags, filename, claimedType, derivedFrom: options.derivedFrom ?? null });
    } catch (error) {
      await store.remove(written.ciphertextSha256);
      throw error;
    }
  });
}

function cleanName(name: string | null): string | null {
  if (!name) return null;
  // Keep the last path segment only, without control characters; names are for people, not paths.
  // eslint-disable-next-line no-control-regex
  const base = name.split(/[/\\]/).pop()!.replace(/[\u0000-\u001f\u007f]/g, "").trim();
  return base ? base.slice(0, 255) : null;
}

async function record(
  services: Services,
  origin: Origin,
  caller: Caller,
  input: {
    orgId: string;
    key: X25519Recipient;
    keyText: string;
    written: { plaintextSha256: string; ciphertextSha256: string; plaintextSize: number; ciphertextSize: number };
    tags: Tags;
    filename: string | null;
    claimedType: string | null;
    derivedFrom: string | null;
  },
): Promise<ReceivedEvidence> {
  const { written, orgId } = input;
  const commitment = commitToPlaintext(written.plaintextSha256);
  const mediaType = mediaTypeOf(input.tags);
  const metadata: EvidenceMetadata = {
    version: 1,
    filename: input.filename,
    claimedType: input.claimedType,
    plaintextSha256: written.plaintextSha256,
    salt: commitment.salt,
    tags: input.tags,
  };
  const metadataEnc = await encryptBytes([input.key], Buffer.from(JSON.stringify(metadata), "utf8"));
  const id = randomUUID();
  const ledgerIndex = await services.db.transaction().execute(async (tx) => {
    // Keys rotated while this file streamed: it is encrypted to a key that is gone. Refuse it.
    const ring = await tx.selectFrom("vault_keyrings").select("recipient").where("org_id", "=", orgId).forShare().executeTakeFirst();
    if (ring?.recipient !== input.keyText) throw new Conflict("the organisation's keys changed during the upload: send the file again");
    const kind = input.derivedFrom ? "redacted" : "received";
    const index = await appendCustodyEvent(tx, services, {
      kind,
      orgId,
      subject: input.derivedFrom ?? id,
      actorPseudonym: ledgerActor(caller),
      details: {
        ...(input.derivedFrom ? { derivative: id } : {}),
        commitment: commitment.commitment,
        ciphertextSha256: written.ciphertextSha256,
        size: written.plaintextSize,
        mediaType,
      },
    });
    await tx
      .insertInto("evidence")
      .values({
        id,
        org_id: orgId,
        ciphertext_sha256: written.ciphertextSha256,
        ciphertext_size: written.ciphertextSize,
        plaintext_size: written.plaintextSize,
        media_type: mediaType,
        commitment: commitment.commitment,
        metadata_enc: metadataEnc,
        derived_from: input.derivedFrom,
        ledger_index: index,
        received_by: caller.kind === "person" ? caller.actor.userId : null,
        received_at: services.now(),
      })
      .execute();
    await recordAudit(tx, origin, {
      orgId,
      ...auditActor(caller),
      action: input.derivedFrom ? "evidence.redact" : "evidence.receive",
      targetType: "evidence",
      targetId: id,
      details: { size: written.plaintextSize, mediaType, ledgerIndex: index, ...(input.derivedFrom ? { original: input.derivedFrom } : {}) },
    });
    return index;
  });
  return { id, sha256: written.ciphertextSha256, size: written.plaintextSize, mediaType, ledgerIndex };
}
