import { once } from "node:events";
import { WriteStream } from "node:fs";
import type { Writable } from "node:stream";

/** Where bytes come from: a Node Readable, an async generator, an array of buffers. */
export type ByteSource = AsyncIterable<Uint8Array> | Iterable<Uint8Array>;
/** Where bytes go: a Node Writable (ended by us, and awaited until flushed) or a callback. */
export type ByteSink = Writable | ((chunk: Buffer) => void | Promise<void>);

export function asBuffer(data: Uint8Array): Buffer {
  return Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
}

export interface Writer {
  /** Returns a promise only when the sink asks us to wait (backpressure). */
  write(chunk: Buffer): Promise<void> | undefined;
  end(): Promise<void>;
}

const BATCH_BYTES = 1 << 20;

export function writerFor(sink: ByteSink): Writer {
  if (typeof sink === "function") {
    return {
      write: (chunk) => {
        const r = sink(chunk);
        return r instanceof Promise ? r : undefined;
      },
      end: () => Promise.resolve(),
    };
  }
  let failure: Error | null = null;
  const remember = (err: Error) => {
    failure = err;
  };
  sink.on("error", remember);
  // Chunks are gathered into ~1 MiB batches written under cork(), so a file stream issues one
  // writev() per batch instead of a syscall (and a wait for 'drain') per 64 KiB chunk and per
  // 16-byte tag: measured 176 MB/s unbatched against 300+ batched, file to file.
  let batch: Buffer[] = [];
  let batched = 0;
  const flush = (): Promise<void> | undefined => {
    if (failure) throw failure;
    if (batch.length === 0) return undefined;
    sink.cork();
    for (const chunk of batch) sink.write(chunk);
    process.nextTick(() => sink.uncork());
    batch = [];
    batched = 0;
    return sink.writableNeedDrain ? once(sink, "drain").then(() => undefined) : undefined;
  };
  return {
    write: (chunk) => {
      batch.push(chunk);
      batched += chunk.length;
      return batched >= BATCH_BYTES ? flush() : undefined;
    },
    end: async () => {
      await flush();
      const finished = once(sink, "finish");
      sink.end();
      await finished;
      sink.off("error", remember);
    },
  };
}

/**
 * Marks a Writable whose write callback fires only once it no longer needs the buffer it was
 * given (a file sink that has handed the bytes to the kernel), so it may be given views of a
 * reused buffer. fs.WriteStream behaves so; a PassThrough or a socket does not.
 */
export const WRITES_THROUGH: unique symbol = Symbol("vigil.writesThrough");

export function writesThrough(sink: ByteSink): sink is Writable {
  return sink instanceof WriteStream || (typeof sink !== "function" && (sink as Writable & { [WRITES_THROUGH]?: boolean })[WRITES_THROUGH] === true);
}

/** The part of a hash ring a file writer needs: its memory, how far it is filled, and a hold on it. */
interface SharedRing {
  readonly bytes: Buffer;
  readonly position: number;
  hold(released: () => number, whenReleased: () => Promise<void>): void;
}

/**
 * Writes what a hash ring holds to a Writable straight from the ring's shared memory, in batches
 * of up to 1 MiB, so the ciphertext copied into the ring for hashing is not copied again, nor kept
 * as one Buffer per chunk until the disk takes it. The ring keeps each batch until its write
 * completes; that is also the backpressure (at most the ring's size in flight). The sink must
 * write through (see WRITES_THROUGH): others may keep a view of the batch after calling back.
 */
export class RingWriter {
  private start: number;
  private done: number;
  private failure: Error | null = null;
  private waiters: { resolve: () => void; reject: (error: Error) => void }[] = [];

  constructor(
    private readonly ring: SharedRing,
    private readonly sink: Writable,
  ) {
    this.start = this.done = ring.position;
    ring.hold(
      () => this.done,
      () => (this.failure ? Promise.reject(this.failure) : new Promise((resolve, reject) => this.waiters.push({ resolve, reject }))),
    );
    sink.on("error", (error: Error) => this.fail(error));
  }

  private fail(error: Error): void {
    this.failure ??= error;
    for (const w of this.waiters.splice(0)) w.reject(this.failure);
  }

  /** Hands every full batch published so far to the sink; with `all`, the rest too. */
  pump(all = false): void {
    if (this.failure) throw this.failure;
    const size = this.ring.bytes.length;
    while (this.ring.position - this.start >= BATCH_BYTES || (all && this.ring.position > this.start)) {
      const at = this.start % size;
      const end = this.start + Math.min(this.ring.position - this.start, size - at, BATCH_BYTES);
      this.sink.write(this.ring.bytes.subarray(at, at + (end - this.start)), (error) => {
        if (error) return this.fail(error);
        this.done = end;
        for (const w of this.waiters.splice(0)) w.resolve();
      });
      this.start = end;
    }
  }

  async end(): Promise<void> {
    this.pump(true);
    const finished = once(this.sink, "finish");
    this.sink.end();
    await finished;
    if (this.failure) throw this.failure;
  }
}

/**
 * Re-cuts a byte stream into pieces of exactly `size` bytes, each tagged with whether it is the
 * last piece; the last is shorter (possibly empty, for empty input) or exactly `size`. A full
 * piece is held back until more bytes or the end arrive, because STREAM marks the final chunk.
 * Pieces are views of the input when they lie inside one input buffer, copied only when they
 * straddle two, so the input buffers must not be reused by their producer.
 */
export async function* exactPieces(source: ByteSource, size: number): AsyncGenerator<[Buffer, boolean]> {
  let held: Buffer | null = null;
  let partial: Buffer | null = null;
  let partialLength = 0;
  for await (const input of source) {
    const data = asBuffer(input);
    let at = 0;
    while (at < data.length) {
      let full: Buffer;
      if (partialLength > 0 || data.length - at < size) {
        partial ??= Buffer.allocUnsafe(size);
        const n = Math.min(size - partialLength, data.length - at);
        data.copy(partial, partialLength, at, at + n);
        partialLength += n;
        at += n;
        if (partialLength < size) break;
        full = partial;
        partial = null;
        partialLength = 0;
      } else {
        full = data.subarray(at, at + size);
        at += size;
      }
      if (held) yield [held, false];
      held = full;
    }
  }
  const tail = partial ? partial.subarray(0, partialLength) : Buffer.alloc(0);
  if (held && partialLength > 0) {
    yield [held, false];
    yield [tail, true];
  } else {
    yield [held ?? tail, true];
  }
}
