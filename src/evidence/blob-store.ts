import { randomUUID } from "node:crypto";
import { createReadStream } from "node:fs";
import { mkdir, open, readdir, rename, rm, type FileHandle } from "node:fs/promises";
import { dirname, join } from "node:path";
import { Writable, type Readable } from "node:stream";
import { WRITES_THROUGH } from "../vault/index.ts";

/**
 * Evidence blobs on disk: `<dataDir>/blobs/<2 hex>/<64 hex>.age`, named by the SHA-256 of the
 * age file itself. A blob is written to `incoming/` on the same file system, synced, then renamed
 * into place, so a reader never sees half a blob and a failed write leaves nothing behind.
 */
const NAME = /^[0-9a-f]{64}$/;

/** Opens the sink a blob is written through; tests pass one that fails to play a full disk. */
export type SinkFactory = (file: FileHandle) => Writable;

// Every this many bytes the sink asks the kernel to write what it has so far (fdatasync on a
// threadpool thread, not awaited), so the disk works while the rest is still being encrypted.
// Otherwise a large upload sits in the page cache until the final fsync, and the time to answer
// is encryption time plus the whole disk write instead of about the larger of the two (this disk:
// 1 GiB to the page cache in 0.8 s, then 3.5 s more to make it durable).
const WRITEBACK_BYTES = 32 << 20;

/**
 * Writes a blob through the file handle with writev, one call per batch the producer corks,
 * and starts writeback in the background as it goes. A failed background sync fails the next
 * write or the end, so a blob is never reported written when the disk refused it.
 */
class BlobFileSink extends Writable {
  // Each write calls back after writev returned: the buffer is no longer needed (see WRITES_THROUGH).
  readonly [WRITES_THROUGH] = true;
  private unsynced = 0;
  private syncing: Promise<void> | null = null;
  private syncError: Error | null = null;

  constructor(private readonly file: FileHandle) {
    super({ highWaterMark: 4 << 20 });
  }

  override _writev(chunks: { chunk: Buffer }[], callback: (error?: Error | null) => void): void {
    this.writeAll(chunks.map((c) => c.chunk)).then(() => callback(), callback);
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.writeAll([chunk]).then(() => callback(), callback);
  }

  private async writeAll(buffers: Buffer[]): Promise<void> {
    if (this.syncError) throw this.syncError;
    let total = buffers.reduce((n, b) => n + b.length, 0);
    let pending = buffers;
    // writev may write less than asked (a signal, a nearly full disk): write the rest.
    for (;;) {
      const { bytesWritten } = await this.file.writev(pending);
      total -= bytesWritten;
      this.unsynced += bytesWritten;
      if (total === 0) break;
      if (bytesWritten === 0) throw Object.assign(new Error("the disk accepted no more bytes"), { code: "ENOSPC" });
      pending = remainderOf(pending, bytesWritten);
    }
    if (this.unsynced >= WRITEBACK_BYTES && !this.syncing) {
      this.unsynced = 0;
      this.syncing = this.file.datasync().then(
        () => void (this.syncing = null),
        (error: Error) => void ((this.syncError = error), (this.syncing = null)),
      );
    }
  }

  override _final(callback: (error?: Error | null) => void): void {
    Promise.resolve(this.syncing).then(() => callback(this.syncError), callback);
  }
}

function remainderOf(buffers: Buffer[], skip: number): Buffer[] {
  const rest: Buffer[] = [];
  for (const b of buffers) {
    if (skip >= b.length) skip -= b.length;
    else {
      rest.push(skip > 0 ? b.subarray(skip) : b);
      skip = 0;
    }
  }
  return rest;
}

const defaultSink: SinkFactory = (file) => new BlobFileSink(file);

export class BlobStore {
  constructor(
    readonly root: string,
    private readonly openSink: SinkFactory = defaultSink,
  ) {}

  static forDataDir(dataDir: string, openSink?: SinkFactory): BlobStore {
    return new BlobStore(join(dataDir, "blobs"), openSink);
  }

  pathOf(ciphertextSha256: string): string {
    if (!NAME.test(ciphertextSha256)) throw new RangeError("a blob is named by 64 lowercase hex digits");
    return join(this.root, ciphertextSha256.slice(0, 2), `${ciphertextSha256}.age`);
  }

  /**
   * Runs `write` against a fresh temporary file and, once it resolves with the ciphertext hash,
   * syncs the file and moves it to its name. On any failure the temporary file is removed.
   */
  async put<R extends { ciphertextSha256: string }>(write: (sink: Writable) => Promise<R>): Promise<R> {
    const incoming = join(this.root, "incoming");
    await mkdir(incoming, { recursive: true, mode: 0o700 });
    const temporary = join(incoming, `${randomUUID()}.part`);
    const file = await open(temporary, "wx", 0o600);
    let result: R;
    const sink = this.openSink(file);
    try {
      result = await write(sink);
      await file.sync();
    } catch (error) {
      await release(sink, file);
      await rm(temporary, { force: true });
      throw error;
    }
    await release(sink, file);
    const final = this.pathOf(result.ciphertextSha256);
    try {
      await mkdir(dirname(final), { recursive: true, mode: 0o700 });
      await rename(temporary, final);
      await syncDirectory(dirname(final));
    } catch (error) {
      await rm(temporary, { force: true });
      throw error;
    }
    return result;
  }

  read(ciphertextSha256: string): Readable {
    return createReadStream(this.pathOf(ciphertextSha256), { highWaterMark: 1 << 20 });
  }

  async remove(ciphertextSha256: string): Promise<void> {
    await rm(this.pathOf(ciphertextSha256), { force: true });
  }

  /** Every file under the store, for tests and the operator's checks. */
  async listFiles(): Promise<string[]> {
    try {
      return (await readdir(this.root, { recursive: true, withFileTypes: true })).filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
      throw error;
    }
  }
}

// A stream over a FileHandle holds it until the stream is destroyed (close() would wait for ever),
// and destroying it may close the handle itself.
async function release(sink: Writable, file: FileHandle): Promise<void> {
  sink.destroy();
  await new Promise((resolve) => setImmediate(resolve));
  await file.close().catch(() => undefined);
}

// A rename is durable only once its directory is synced.
async function syncDirectory(path: string): Promise<void> {
  const dir = await open(path, "r");
  try {
    await dir.sync();
  } finally {
    await dir.close();
  }
}
