import { randomUUID } from "node:crypto";
import { open, type FileHandle } from "node:fs/promises";
import { join } from "node:path";
import type { Writable } from "node:stream";
import type { Transaction } from "kysely";
import { recordAudit } from "../audit/index.ts";
import { Conflict, Invalid } from "../core/index.ts";
import type { Origin, Services } from "../context.ts";
import { appendCustodyEvent } from "../custody/index.ts";
import type { Schema } from "../db/index.ts";
import type { JsonObject } from "../ledger/index.ts";
import { asBuffer, commitToPlaintext, encryptBytes, encryptStream, type ByteSource, type X25519Recipient } from "../vault/index.ts";
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
  /** For a file a web capture made: the address, the capture time, the page's status and response headers (src/capture). */
  capture?: JsonObject;
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
const SAMPLE_BATCH = 1 << 20;

/**
 * The head of the plaintext, written to a private file for ExifTool in 1 MiB batches (one
 * threadpool round trip per batch, not per socket read). ExifTool starts on it as soon as it is
 * complete, while the rest of a large upload is still streaming.
 */
class Sample {
  private batch: Buffer[] = [];
  private batched = 0;
  private taken = 0;
  private reading: Promise<Tags> | null = null;

  constructor(
    private readonly file: FileHandle,
    private readonly path: string,
  ) {}

  /** Keeps what belongs to the sample; returns a promise only when a batch is being written. */
  take(chunk: Buffer): Promise<void> | undefined {
    if (this.taken >= SAMPLE_BYTES) return undefined;
    // Source buffers are not reused by their producers (sockets, file streams), so holding views until the batch is written is safe.
    const part = chunk.subarray(0, SAMPLE_BYTES - this.taken);
    this.batch.push(part);
    this.batched += part.length;
    this.taken += part.length;
    if (this.taken >= SAMPLE_BYTES) return this.flush().then(() => void this.startReading());
    return this.batched >= SAMPLE_BATCH ? this.flush() : undefined;
  }

  private async flush(): Promise<void> {
    const batch = this.batch;
    this.batch = [];
    this.batched = 0;
    if (batch.length) await this.file.writev(batch);
  }

  private startReading(): Promise<Tags> {
    if (!this.reading) {
      this.reading = readTags(this.path);
      // Awaited by tags() or settle(); until then a failure must not count as unhandled.
      this.reading.catch(() => undefined);
    }
    return this.reading;
  }

  /** The tags, once the whole input has been taken. */
  async tags(): Promise<Tags> {
    await this.flush();
    return this.startReading();
  }

  /** Waits for ExifTool (if it started) so the private directory can be removed under no one. */
  async settle(): Promise<void> {
    await this.reading?.catch(() => undefined);
  }
}

/** Counts bytes against the limit and hands the head of the plaintext to the sample. */
async function* measured(source: ByteSource, limit: number, sample: Sample, counter: { size: number }): AsyncGenerator<Uint8Array> {
  for await (const input of source) {
    const chunk = asBuffer(input);
    counter.size += chunk.length;
    if (counter.size > limit) throw new TooLarge(limit);
    const wait = sample.take(chunk);
    if (wait) await wait;
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
 * is recorded. `within` runs inside that transaction after the row is written (linking the new
 * item to a record, say): if it throws, nothing is recorded either.
 */
export async function receiveEvidence(
  services: Services,
  origin: Origin,
  caller: Caller,
  file: IncomingFile,
  options: IngestOptions & { within?: (tx: Transaction<Schema>, received: ReceivedEvidence) => Promise<void> } = {},
): Promise<ReceivedEvidence> {
  const orgId = orgOf(caller);
  await authorizeCaller(services, origin, caller, options.derivedFrom ? "evidence.redact" : "evidence.upload", { kind: "evidence", orgId }, { type: "evidence", id: options.derivedFrom ?? null });
  const stored = await storeEvidenceBlob(services, caller, file, options);
  try {
    return await services.db.transaction().execute(async (tx) => {
      const received = await recordStoredEvidence(tx, services, origin, caller, stored, options.derivedFrom ? { kind: "redacted", derivedFrom: options.derivedFrom } : { kind: "received" });
      await options.within?.(tx, received);
      return received;
    });
  } catch (error) {
    await discardStoredEvidence(stored);
    throw error;
  }
}

/** A file encrypted into the blob store but not yet recorded: record it, or discard it. */
export interface StoredEvidence {
  orgId: string;
  store: BlobStore;
  key: X25519Recipient;
  keyText: string;
  written: { plaintextSha256: string; ciphertextSha256: string; plaintextSize: number; ciphertextSize: number };
  tags: Tags;
  filename: string | null;
  claimedType: string | null;
}

/**
 * The first half of receiving a file, for callers that record several files in one transaction
 * (a web capture): encrypts the file into the blob store and reads its technical metadata. The
 * caller has checked permission. Nothing is recorded; on failure nothing stays on disk.
 */
export async function storeEvidenceBlob(services: Services, caller: Caller, file: IncomingFile, options: { store?: BlobStore; limit?: number } = {}): Promise<StoredEvidence> {
  const orgId = orgOf(caller);
  const limit = options.limit ?? services.config.maxUploadBytes;
  if (file.declaredSize !== null && file.declaredSize !== undefined && file.declaredSize > limit) throw new TooLarge(limit);
  const filename = cleanName(file.filename);
  const claimedType = file.claimedType && file.claimedType.length <= 200 ? file.claimedType : null;
  const key = await currentRecipient(services.db, orgId);
  if (!key) throw new Conflict("this organisation has no keys yet: an administrator must create them first");
  const store = options.store ?? BlobStore.forDataDir(services.config.dataDir);

  return withPrivateDirectory(async (dir) => {
    const samplePath = join(dir, "sample");
    const handle = await open(samplePath, "wx", 0o600);
    const sample = new Sample(handle, samplePath);
    let written: Awaited<ReturnType<typeof encryptStream>>;
    let tags: Tags;
    try {
      written = await store.put((sink: Writable) => encryptStream([key.recipient], measured(file.source, limit, sample, { size: 0 }), sink));
      try {
        if (written.plaintextSize === 0) throw new Invalid("the file is empty", { file: "the file is empty" });
        tags = await sample.tags();
      } catch (error) {
        await store.remove(written.ciphertextSha256);
        throw error;
      }
    } finally {
      await sample.settle();
      await handle.close();
    }
    return { orgId, store, key: key.recipient, keyText: key.text, written, tags, filename, claimedType };
  });
}

/** Removes a stored file that will not be recorded. */
export async function discardStoredEvidence(stored: StoredEvidence): Promise<void> {
  await stored.store.remove(stored.written.ciphertextSha256);
}

/** How a stored file came to Vigil: each is the first custody-ledger event of the new item. */
export type ArrivalEvent =
  | { kind: "received" }
  | { kind: "redacted"; derivedFrom: string }
  /**
   * Made by a web capture: `details` (the capture's id, the artifact's role) join the leaf,
   * `metadata` the encrypted metadata. Vigil wrote the file itself, so `mediaType` (a WARC's
   * application/warc) stands where ExifTool finds no type.
   */
  | { kind: "captured"; details: JsonObject; metadata: JsonObject; mediaType: string };

function cleanName(name: string | null): string | null {
  if (!name) return null;
  // Keep the last path segment only, without control characters; names are for people, not paths.
  // eslint-disable-next-line no-control-regex
  const base = name.split(/[/\\]/).pop()!.replace(/[\u0000-\u001f\u007f]/g, "").trim();
  return base ? base.slice(0, 255) : null;
}

/**
 * The second half: writes the item's row, its custody-ledger event and its audit event INSIDE the
 * caller's transaction. The caller discards the stored file if the transaction fails.
 */
export async function recordStoredEvidence(tx: Transaction<Schema>, services: Services, origin: Origin, caller: Caller, stored: StoredEvidence, arrival: ArrivalEvent): Promise<ReceivedEvidence> {
  const { written, orgId } = stored;
  const derivedFrom = arrival.kind === "redacted" ? arrival.derivedFrom : null;
  const commitment = commitToPlaintext(written.plaintextSha256);
  const found = mediaTypeOf(stored.tags);
  const mediaType = arrival.kind === "captured" && found === "application/octet-stream" ? arrival.mediaType : found;
  const metadata: EvidenceMetadata = {
    version: 1,
    filename: stored.filename,
    claimedType: stored.claimedType,
    plaintextSha256: written.plaintextSha256,
    salt: commitment.salt,
    tags: stored.tags,
    ...(arrival.kind === "captured" ? { capture: arrival.metadata } : {}),
  };
  const metadataEnc = await encryptBytes([stored.key], Buffer.from(JSON.stringify(metadata), "utf8"));
  const id = randomUUID();
  // Keys rotated while this file streamed: it is encrypted to a key that is gone. Refuse it.
  const ring = await tx.selectFrom("vault_keyrings").select("recipient").where("org_id", "=", orgId).forShare().executeTakeFirst();
  if (ring?.recipient !== stored.keyText) throw new Conflict("the organisation's keys changed during the upload: send the file again");
  const ledgerIndex = await appendCustodyEvent(tx, services, {
    kind: arrival.kind,
    orgId,
    subject: derivedFrom ?? id,
    actorPseudonym: ledgerActor(caller),
    details: {
      ...(derivedFrom ? { derivative: id } : {}),
      ...(arrival.kind === "captured" ? arrival.details : {}),
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
      derived_from: derivedFrom,
      ledger_index: ledgerIndex,
      received_by: caller.kind === "person" ? caller.actor.userId : null,
      received_at: services.now(),
    })
    .execute();
  await recordAudit(tx, origin, {
    orgId,
    ...auditActor(caller),
    action: derivedFrom ? "evidence.redact" : arrival.kind === "captured" ? "evidence.capture" : "evidence.receive",
    targetType: "evidence",
    targetId: id,
    details: { size: written.plaintextSize, mediaType, ledgerIndex, ...(derivedFrom ? { original: derivedFrom } : {}) },
  });
  return { id, sha256: written.ciphertextSha256, size: written.plaintextSize, mediaType, ledgerIndex };
}
