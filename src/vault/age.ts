import { randomBytes } from "node:crypto";
import { dearmor, isArmored } from "./armor.ts";
import { AgeError } from "./errors.ts";
import {
  checkVersionPrefix,
  encodeHeader,
  findHeaderEnd,
  MAX_HEADER_BYTES,
  parseHeader,
  verifyHeaderMac,
  type ParsedHeader,
  type Stanza,
} from "./header.ts";
import { asBuffer, exactPieces, RingWriter, writerFor, writesThrough, type ByteSink, type ByteSource, type Writer } from "./io.ts";
import {
  CHUNK_SIZE,
  ChunkOpener,
  ChunkSealer,
  PAYLOAD_NONCE_SIZE,
  payloadKey,
  SEALED_CHUNK_SIZE,
  TAG_SIZE,
} from "./payload.ts";
import { unwrapScrypt, wrapScrypt, type ScryptPassphrase } from "./scrypt.ts";
import { createSha256, type Sha256Stream } from "./sha256-worker.ts";
import { unwrapX25519, wrapX25519, type X25519Identity, type X25519Recipient } from "./x25519.ts";

export type Recipient = X25519Recipient | ScryptPassphrase;
export type Identity = X25519Identity | ScryptPassphrase;

/** What one pass over a blob tells us; hashes are lowercase hex. */
export interface StreamResult {
  plaintextSha256: string;
  ciphertextSha256: string;
  plaintextSize: number;
  ciphertextSize: number;
}

export interface StreamOptions {
  /**
   * Hash on pooled worker threads while this thread runs ChaCha20-Poly1305: both hashes when
   * encrypting, the ciphertext's when decrypting. Default true for streams; the in-memory helpers
   * always hash inline, where a worker's round trip costs more than the hashing.
   */
  parallel?: boolean;
}

/** An armored file is buffered whole to be decoded; armor is for small texts (sealed keys). */
const MAX_ARMORED_BYTES = 16 << 20;

async function wrapFileKey(recipients: Recipient[], fileKey: Buffer): Promise<Stanza[]> {
  if (recipients.length === 0) throw new RangeError("age: at least one recipient is required");
  // C2SP age "scrypt recipient stanza": an scrypt stanza MUST be the only stanza in the header.
  if (recipients.some((r) => r.kind === "scrypt") && recipients.length > 1) {
    throw new RangeError("age: a passphrase recipient cannot be combined with other recipients");
  }
  return Promise.all(recipients.map((r) => (r.kind === "x25519" ? wrapX25519(r, fileKey) : wrapScrypt(r, fileKey))));
}

async function unwrapFileKey(header: ParsedHeader, identities: Identity[]): Promise<Buffer> {
  const hasScrypt = header.stanzas.some((s) => s.type === "scrypt");
  if (hasScrypt && header.stanzas.length > 1) {
    throw new AgeError("malformed", "header: an scrypt stanza must be alone in the header");
  }
  const x25519 = identities.filter((i): i is X25519Identity => i.kind === "x25519");
  const passphrases = identities.filter((i): i is ScryptPassphrase => i.kind === "scrypt");
  // Stanza types other than these are skipped (C2SP age "Recipient stanza": identities MUST
  // ignore unrecognized stanzas); type names are case-sensitive.
  for (const stanza of header.stanzas) {
    if (stanza.type === "X25519") {
      for (const id of x25519) {
        const key = unwrapX25519(id, stanza);
        if (key) return key;
      }
    } else if (stanza.type === "scrypt") {
      for (const p of passphrases) {
        const key = await unwrapScrypt(p, stanza);
        if (key) return key;
      }
    }
  }
  throw new AgeError("no_identity", "no identity matches any recipient stanza of this file");
}

function hexOf(digest: Buffer): string {
  return digest.toString("hex");
}

async function feed(hash: Sha256Stream, data: Buffer, more?: Buffer): Promise<void> {
  const wait = hash.update(data, more);
  if (wait) await wait;
}

/**
 * Encrypts `source` to `recipients` as an age v1 file written to `sink`, hashing plaintext and
 * ciphertext in the same pass. Each plaintext byte is copied once, into the plaintext hash's ring,
 * and both hashed and encrypted from there; with `parallel`, each hash runs on its own worker
 * while this thread encrypts, so the three passes (two SHA-256, one ChaCha20-Poly1305) use both
 * cores. Memory stays at the two 4 MiB rings and a few 64 KiB chunks.
 */
export async function encryptStream(
  recipients: Recipient[],
  source: ByteSource,
  sink: ByteSink,
  options: StreamOptions = {},
): Promise<StreamResult> {
  const fileKey = randomBytes(16);
  const header = encodeHeader(await wrapFileKey(recipients, fileKey), fileKey);
  // C2SP age "Payload": a fresh 16-byte nonce per file, and the payload key derived from it.
  const nonce = randomBytes(PAYLOAD_NONCE_SIZE);
  const sealer = new ChunkSealer(payloadKey(fileKey, nonce));
  const parallel = options.parallel ?? true;
  // Two chunk slots at least: the held chunk and the one being filled (see below).
  const plainHash = createSha256(parallel, 2 * CHUNK_SIZE);
  const cipherHash = createSha256(parallel);
  const ring = plainHash.bytes;
  // A file is written from the ciphertext hash's shared ring, where the ciphertext already is.
  // Only a sink that writes through: any other Writable (a PassThrough, a socket) may still hold
  // the view it was given after its callback, and the ring would be overwritten under it. Other
  // sinks get chunks of their own.
  const fromRing = parallel && writesThrough(sink) ? new RingWriter(cipherHash, sink) : null;
  const out = fromRing ? null : writerFor(sink);
  let ciphertextSize = header.length + nonce.length;
  const emit = async (a: Buffer, b: Buffer): Promise<void> => {
    await feed(cipherHash, a, b);
    if (fromRing) return fromRing.pump();
    await write(out!, a);
    await write(out!, b);
  };
  const seal = async (chunk: Buffer, last: boolean): Promise<void> => {
    const [ct, tag] = sealer.seal(chunk, last);
    ciphertextSize += ct.length + tag.length;
    await emit(ct, tag);
  };
  // Plaintext chunk k fills ring slot k mod (ring / 64 KiB). A full chunk is published to the
  // hash at once but sealed only when the next chunk fills, because STREAM marks the final
  // chunk. Starting a slot waits for room, i.e. until the hash has read the chunk that used it
  // before; that chunk was sealed earlier still, as at least two slots exist.
  let fill = 0;
  let held: Buffer | null = null;
  try {
    await emit(header, nonce);
    for await (const input of source) {
      const data = asBuffer(input);
      for (let from = 0; from < data.length; ) {
        if (fill === 0 && plainHash.room() < CHUNK_SIZE) await plainHash.waitForRoom(CHUNK_SIZE);
        const slot = plainHash.position % ring.length;
        const n = Math.min(CHUNK_SIZE - fill, data.length - from);
        data.copy(ring, slot + fill, from, from + n);
        fill += n;
        from += n;
        if (fill === CHUNK_SIZE) {
          if (held) await seal(held, false);
          plainHash.publish(CHUNK_SIZE);
          held = ring.subarray(slot, slot + CHUNK_SIZE);
          fill = 0;
        }
      }
    }
    if (fill > 0) {
      if (held) await seal(held, false);
      const slot = plainHash.position % ring.length;
      plainHash.publish(fill);
      await seal(ring.subarray(slot, slot + fill), true);
    } else {
      // C2SP age "Payload": empty input is one empty final chunk; otherwise the last full chunk is final.
      await seal(held ?? Buffer.alloc(0), true);
    }
    await (fromRing ?? out!).end();
  } catch (err) {
    // Collect the digests anyway, so pooled hashing workers go back to the pool.
    await Promise.allSettled([plainHash.digest(), cipherHash.digest()]);
    throw err;
  }
  const digests = await Promise.all([plainHash.digest(), cipherHash.digest()]);
  return { plaintextSha256: hexOf(digests[0]), ciphertextSha256: hexOf(digests[1]), plaintextSize: plainHash.position, ciphertextSize };
}

async function write(out: Writer, chunk: Buffer): Promise<void> {
  const wait = out.write(chunk);
  if (wait) await wait;
}

/** Reads an age file from the front: the header, the payload nonce, then the rest as a stream. */
class AgeReader {
  private readonly input: AsyncIterator<Uint8Array>;
  private pending: Buffer = Buffer.alloc(0);
  size = 0;

  constructor(
    source: ByteSource,
    private readonly hash: Sha256Stream,
  ) {
    this.input = (Symbol.asyncIterator in source ? source[Symbol.asyncIterator]() : toAsync(source)) as AsyncIterator<Uint8Array>;
  }

  private async pull(): Promise<Buffer | null> {
    const next = await this.input.next();
    if (next.done) return null;
    const data = asBuffer(next.value);
    this.size += data.length;
    await feed(this.hash, data);
    return data;
  }

  async readHeader(): Promise<{ header: ParsedHeader; armored: boolean }> {
    for (;;) {
      if (this.pending.length > 0) {
        if (isArmored(this.pending)) return { header: await this.readArmored(), armored: true };
        checkVersionPrefix(this.pending);
        const end = findHeaderEnd(this.pending);
        if (end >= 0) {
          const header = parseHeader(this.pending.subarray(0, end));
          this.pending = this.pending.subarray(end);
          return { header, armored: false };
        }
        if (this.pending.length > MAX_HEADER_BYTES) throw new AgeError("malformed", "header: longer than 1 MiB");
      }
      const data = await this.pull();
      if (!data) {
        throw new AgeError("truncated", this.size === 0 ? "empty input: not an age file" : "input ends inside the age header");
      }
      this.pending = this.pending.length === 0 ? data : Buffer.concat([this.pending, data]);
    }
  }

  private async readArmored(): Promise<ParsedHeader> {
    const parts = [this.pending];
    let length = this.pending.length;
    for (let data = await this.pull(); data; data = await this.pull()) {
      length += data.length;
      if (length > MAX_ARMORED_BYTES) throw new AgeError("unsupported", "armored age file over 16 MiB");
      parts.push(data);
    }
    const file = dearmor(Buffer.concat(parts).toString("latin1"));
    const end = findHeaderEnd(file);
    checkVersionPrefix(file);
    const header = parseHeader(file);
    this.pending = file.subarray(end);
    return header;
  }

  async readNonce(): Promise<Buffer> {
    while (this.pending.length < PAYLOAD_NONCE_SIZE) {
      const data = await this.pull();
      if (!data) throw new AgeError("truncated", "input ends before the payload nonce");
      this.pending = Buffer.concat([this.pending, data]);
    }
    const nonce = this.pending.subarray(0, PAYLOAD_NONCE_SIZE);
    this.pending = this.pending.subarray(PAYLOAD_NONCE_SIZE);
    return nonce;
  }

  /** Everything not yet consumed, as a stream. */
  async *rest(): AsyncGenerator<Buffer> {
    if (this.pending.length > 0) yield this.pending;
    this.pending = Buffer.alloc(0);
    for (let data = await this.pull(); data; data = await this.pull()) yield data;
  }
}

async function* toAsync(source: Iterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  yield* source;
}

/**
 * Decrypts an age file from `source` to `sink`. Every chunk is authenticated before it is
 * written, but a later chunk may still fail: the sink's contents count only once this resolves.
 */
export async function decryptStream(
  identities: Identity[],
  source: ByteSource,
  sink: ByteSink,
  options: StreamOptions = {},
): Promise<StreamResult> {
  // As in encryptStream: one worker, here for the ciphertext, which arrives first.
  const parallel = options.parallel ?? true;
  const cipherHash = createSha256(parallel);
  const plainHash = createSha256(false);
  const reader = new AgeReader(source, cipherHash);
  const out = writerFor(sink);
  let plaintextSize = 0;
  try {
    const { header } = await reader.readHeader();
    const fileKey = await unwrapFileKey(header, identities);
    verifyHeaderMac(fileKey, header);
    const opener = new ChunkOpener(payloadKey(fileKey, await reader.readNonce()));
    let index = 0;
    for await (const [sealed, last] of exactPieces(reader.rest(), SEALED_CHUNK_SIZE)) {
      const plain = openChunk(opener, sealed, last, index++);
      plaintextSize += plain.length;
      await feed(plainHash, plain);
      await write(out, plain);
    }
    await out.end();
  } catch (err) {
    await Promise.allSettled([plainHash.digest(), cipherHash.digest()]);
    throw err;
  }
  const digests = await Promise.all([plainHash.digest(), cipherHash.digest()]);
  return { plaintextSha256: hexOf(digests[0]), ciphertextSha256: hexOf(digests[1]), plaintextSize, ciphertextSize: reader.size };
}

function openChunk(opener: ChunkOpener, sealed: Buffer, last: boolean, index: number): Buffer {
  if (last && sealed.length < TAG_SIZE) {
    throw new AgeError("truncated", sealed.length === 0 && index === 0 ? "no payload after the nonce" : "input ends inside a chunk");
  }
  const plain = opener.open(sealed, last);
  if (plain) {
    // C2SP age "Payload": the final chunk MUST NOT be empty unless the whole payload is empty.
    if (last && plain.length === 0 && index > 0) throw new AgeError("corrupt", "empty final chunk after a full chunk");
    return plain;
  }
  if (last && sealed.length === SEALED_CHUNK_SIZE && opener.open(sealed, false)) {
    // C2SP age "Payload": streaming decryption MUST fail if the input ends without a final chunk.
    throw new AgeError("truncated", "input ends after a full chunk that is not the final chunk");
  }
  throw new AgeError("corrupt", last ? "final chunk fails authentication: corrupt or cut short" : `chunk ${index} fails authentication`);
}

/** Encrypts a small value in memory (metadata JSON, a secret field), hashing inline. */
export async function encryptBytes(recipients: Recipient[], plaintext: Uint8Array): Promise<Buffer> {
  const parts: Buffer[] = [];
  await encryptStream(recipients, [plaintext], (c) => void parts.push(c), { parallel: false });
  return Buffer.concat(parts);
}

/** Decrypts a small age file in memory, binary or ASCII-armored. */
export async function decryptBytes(identities: Identity[], file: Uint8Array): Promise<Buffer> {
  const parts: Buffer[] = [];
  await decryptStream(identities, [file], (c) => void parts.push(c), { parallel: false });
  return Buffer.concat(parts);
}

/**
 * Re-wraps the file key of an age file for `newRecipients`, rewriting only the header: the
 * payload nonce and chunks are copied byte for byte, so no payload is re-encrypted (how key
 * rotation stays cheap). The header MAC is checked before anything is written. The file's
 * ciphertext SHA-256 changes with its header; the new one is returned with the new size.
 */
export async function rewrapHeader(
  identities: Identity[],
  newRecipients: Recipient[],
  source: ByteSource,
  sink: ByteSink,
): Promise<{ ciphertextSha256: string; ciphertextSize: number }> {
  const discard = createSha256(false);
  const reader = new AgeReader(source, discard);
  const { header, armored } = await reader.readHeader();
  if (armored) throw new AgeError("unsupported", "rewrap takes binary age files, not armored ones");
  const fileKey = await unwrapFileKey(header, identities);
  verifyHeaderMac(fileKey, header);
  const newHeader = encodeHeader(await wrapFileKey(newRecipients, fileKey), fileKey);
  const hash = createSha256(false);
  const out = writerFor(sink);
  let size = newHeader.length;
  await feed(hash, newHeader);
  await write(out, newHeader);
  for await (const data of reader.rest()) {
    size += data.length;
    await feed(hash, data);
    await write(out, data);
  }
  await out.end();
  return { ciphertextSha256: hexOf(await hash.digest()), ciphertextSize: size };
}
