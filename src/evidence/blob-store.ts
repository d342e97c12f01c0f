import { randomUUID } from "node:crypto";
import { createReadStream } from "node:fs";
import { mkdir, open, readdir, rename, rm, type FileHandle } from "node:fs/promises";
import { dirname, join } from "node:path";
import type { Readable, Writable } from "node:stream";

/**
 * Evidence blobs on disk: `<dataDir>/blobs/<2 hex>/<64 hex>.age`, named by the SHA-256 of the
 * age file itself. A blob is written to `incoming/` on the same file system, synced, then renamed
 * into place, so a reader never sees half a blob and a failed write leaves nothing behind.
 */
const NAME = /^[0-9a-f]{64}$/;

/** Opens the sink a blob is written through; tests pass one that fails to play a full disk. */
export type SinkFactory = (file: FileHandle) => Writable;

const defaultSink: SinkFactory = (file) => file.createWriteStream({ autoClose: false, highWaterMark: 1 << 20 });

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
