import { createCipheriv, createDecipheriv, hkdfSync } from "node:crypto";

// C2SP age "Payload": a 16-byte nonce, then STREAM over 64 KiB chunks with ChaCha20-Poly1305.
export const CHUNK_SIZE = 64 * 1024;
export const TAG_SIZE = 16;
export const SEALED_CHUNK_SIZE = CHUNK_SIZE + TAG_SIZE;
export const PAYLOAD_NONCE_SIZE = 16;

/** payload key = HKDF-SHA-256(ikm = file key, salt = nonce, info = "payload"). */
export function payloadKey(fileKey: Uint8Array, nonce: Uint8Array): Buffer {
  return Buffer.from(hkdfSync("sha256", fileKey, nonce, "payload", 32));
}

/**
 * The per-chunk AEAD nonce: an 11-byte big-endian chunk counter, then 0x01 on the final chunk and
 * 0x00 before it. One instance walks one file's chunks in order.
 */
class ChunkNonce {
  readonly bytes = Buffer.alloc(12);

  next(last: boolean): Buffer {
    this.bytes[11] = last ? 1 : 0;
    return this.bytes;
  }

  advance(): void {
    for (let i = 10; i >= 0; i--) {
      const v = ((this.bytes[i] as number) + 1) & 0xff;
      this.bytes[i] = v;
      if (v !== 0) return;
    }
    throw new RangeError("STREAM chunk counter overflow");
  }
}

export class ChunkSealer {
  private readonly nonce = new ChunkNonce();
  private done = false;

  constructor(private readonly key: Buffer) {}

  /** Encrypts one chunk (at most 64 KiB); returns ciphertext and tag as two buffers to avoid a copy. */
  seal(plaintext: Buffer, last: boolean): [Buffer, Buffer] {
    if (this.done) throw new Error("STREAM: chunk after the final chunk");
    const c = createCipheriv("chacha20-poly1305", this.key, this.nonce.next(last), { authTagLength: TAG_SIZE });
    const ct = c.update(plaintext);
    c.final();
    if (last) this.done = true;
    else this.nonce.advance();
    return [ct, c.getAuthTag()];
  }
}

export class ChunkOpener {
  private readonly nonce = new ChunkNonce();

  constructor(private readonly key: Buffer) {}

  /** Decrypts one sealed chunk; null if its tag does not verify under this position and flag. */
  open(sealed: Buffer, last: boolean): Buffer | null {
    const d = createDecipheriv("chacha20-poly1305", this.key, this.nonce.next(last), { authTagLength: TAG_SIZE });
    d.setAuthTag(sealed.subarray(sealed.length - TAG_SIZE));
    const pt = d.update(sealed.subarray(0, sealed.length - TAG_SIZE));
    try {
      d.final();
    } catch {
      return null;
    }
    if (!last) this.nonce.advance();
    return pt;
  }
}
