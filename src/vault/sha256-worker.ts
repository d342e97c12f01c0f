import { createHash, type Hash } from "node:crypto";
import { Worker } from "node:worker_threads";

/**
 * A running SHA-256 fed through a ring of bytes. The producer either copies bytes in (`update`)
 * or writes straight into the ring's memory and publishes them (`room`, `publish`), so a chunk
 * read once can be hashed and encrypted from the same place. Methods that may wait return a
 * promise only when they must, so the common path costs no microtask.
 */
export interface Sha256Stream {
  /** Copies `data` (then `more`) in. The caller awaits a returned promise before calling again. */
  update(data: Buffer, more?: Buffer): Promise<void> | undefined;
  /** The ring's memory: byte at stream position p lives at `bytes[p % bytes.length]`. */
  readonly bytes: Buffer;
  /** Stream position of the next byte to publish. */
  readonly position: number;
  /** How many bytes may be written from `position` on without overwriting bytes not yet hashed. */
  room(): number;
  /** Resolves once `room()` is at least `n` (at most the ring's size). */
  waitForRoom(n: number): Promise<void>;
  /** Hands the next `n` bytes (written in place, contiguous in the ring) to the hash. */
  publish(n: number): void;
  /**
   * Makes a second reader of the ring (a file writer) hold its bytes too: `released()` is the
   * stream position up to which that reader is done, and `whenReleased()` resolves when it moves.
   */
  hold(released: () => number, whenReleased: () => Promise<void>): void;
  digest(): Promise<Buffer>;
}

/** Hashes on the calling thread as bytes are published; its ring only has to hold what the caller reuses. */
class InlineSha256 implements Sha256Stream {
  private readonly hash: Hash = createHash("sha256");
  readonly bytes: Buffer;
  position = 0;

  constructor(ringBytes: number) {
    this.bytes = Buffer.allocUnsafe(ringBytes);
  }

  update(data: Buffer, more?: Buffer): undefined {
    this.hash.update(data);
    if (more) this.hash.update(more);
    this.position += data.length + (more ? more.length : 0);
    return undefined;
  }

  room(): number {
    return this.bytes.length;
  }

  waitForRoom(): Promise<void> {
    return Promise.resolve();
  }

  publish(n: number): void {
    const at = this.position % this.bytes.length;
    this.hash.update(this.bytes.subarray(at, at + n));
    this.position += n;
  }

  hold(): void {
    throw new Error("an inline hash's ring is not shared with other readers");
  }

  digest(): Promise<Buffer> {
    return Promise.resolve(this.hash.digest());
  }
}

// The ring shared with a hashing worker. A power of two, so positions can wrap at 2^32 in an
// Int32Array and still map onto the ring; 4 MiB keeps the worker busy through scheduling delays.
const RING_BYTES = 4 << 20;
const MASK = RING_BYTES - 1;
// The worker hashes what is published in updates of up to this many bytes: OpenSSL's SHA-256 runs
// ~1.3× faster on 256 KiB updates than on 64 KiB ones (per-call overhead), and READ still moves
// often enough that the producer rarely waits for room.
const MAX_UPDATE = 256 << 10;
// A waiting worker is woken once this much is unread (or at the end), not on every publish:
// each wake-up is a futex call and, on two busy cores, often a context switch.
const WAKE_BYTES = 256 << 10;
// Control words: WRITTEN and READ are byte positions modulo 2^32; CLOSED ends input. SEQ changes
// whenever the producer wakes the worker, so the worker's Atomics.wait on it cannot miss a
// wake-up. IDLE says the worker is about to wait (or waits), PRODUCER_WAITS that the producer
// waits for room: each side notifies the other only then. Atomics are sequentially consistent,
// so of "worker sets IDLE, then reads WRITTEN" and "producer sets WRITTEN, then reads IDLE", at
// least one sees the other's store.
const SEQ = 0;
const READ = 1;
const CLOSED = 2;
const WRITTEN = 3;
const IDLE = 4;
const PRODUCER_WAITS = 5;

// The worker body is plain JavaScript evaluated in the worker, not a module file: Vigil loads its
// TypeScript through tsx's in-process hook, which worker threads do not inherit.
const WORKER_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
const { createHash } = require("node:crypto");
const ctrl = new Int32Array(workerData.control);
const bytes = Buffer.from(workerData.data);
parentPort.on("message", () => {
  const hash = createHash("sha256");
  let read = 0;
  for (;;) {
    const available = (Atomics.load(ctrl, ${WRITTEN}) - read) | 0;
    if (available > 0) {
      const at = read & ${MASK};
      const n = Math.min(available, ${RING_BYTES} - at, ${MAX_UPDATE});
      hash.update(bytes.subarray(at, at + n));
      read = (read + n) | 0;
      Atomics.store(ctrl, ${READ}, read);
      if (Atomics.load(ctrl, ${PRODUCER_WAITS}) === 1) Atomics.notify(ctrl, ${READ});
      continue;
    }
    if (Atomics.load(ctrl, ${CLOSED}) === 1) break;
    const seq = Atomics.load(ctrl, ${SEQ});
    Atomics.store(ctrl, ${IDLE}, 1);
    if (Atomics.load(ctrl, ${WRITTEN}) === read && Atomics.load(ctrl, ${CLOSED}) === 0) Atomics.wait(ctrl, ${SEQ}, seq);
    Atomics.store(ctrl, ${IDLE}, 0);
  }
  parentPort.postMessage(hash.digest());
});
`;

// Atomics.waitAsync is in Node 16+ but only in TypeScript's ES2024 library.
const waitAsync = (Atomics as unknown as {
  waitAsync(array: Int32Array, index: number, value: number): { async: boolean; value: unknown };
}).waitAsync;

class HashWorker {
  readonly control = new Int32Array(new SharedArrayBuffer(24));
  readonly data = Buffer.from(new SharedArrayBuffer(RING_BYTES));
  readonly worker: Worker;

  constructor() {
    this.worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { control: this.control.buffer, data: this.data.buffer } });
    this.worker.unref();
  }
}

// Idle workers are kept for the next file: starting one costs tens of milliseconds.
const idle: HashWorker[] = [];
const MAX_IDLE = 4;

class WorkerSha256 implements Sha256Stream {
  position = 0;
  private written = 0;
  private holder: { released: () => number; whenReleased: () => Promise<void> } | null = null;
  private readonly result: Promise<Buffer>;
  readonly bytes: Buffer;

  constructor(private readonly w: HashWorker) {
    this.bytes = w.data;
    Atomics.store(w.control, READ, 0);
    Atomics.store(w.control, WRITTEN, 0);
    Atomics.store(w.control, CLOSED, 0);
    Atomics.store(w.control, PRODUCER_WAITS, 0);
    w.worker.ref();
    this.result = new Promise<Buffer>((resolve, reject) => {
      const fail = (err: Error) => {
        w.worker.off("message", done);
        reject(err);
      };
      const done = (digest: Uint8Array) => {
        w.worker.off("error", fail);
        w.worker.unref();
        if (idle.length < MAX_IDLE) idle.push(w);
        else void w.worker.terminate();
        resolve(Buffer.from(digest));
      };
      w.worker.once("message", done);
      w.worker.once("error", fail);
    });
    // A failed job must not surface as an unhandled rejection before digest() is awaited.
    this.result.catch(() => undefined);
    w.worker.postMessage("start");
  }

  hold(released: () => number, whenReleased: () => Promise<void>): void {
    this.holder = { released, whenReleased };
  }

  /** Bytes the other reader has not released yet (0 without one). */
  private held(): number {
    return this.holder ? this.position - this.holder.released() : 0;
  }

  room(): number {
    return RING_BYTES - Math.max((this.written - Atomics.load(this.w.control, READ)) | 0, this.held());
  }

  async waitForRoom(n: number): Promise<void> {
    const ctrl = this.w.control;
    for (;;) {
      const read = Atomics.load(ctrl, READ);
      const unhashed = (this.written - read) | 0;
      if (RING_BYTES - Math.max(unhashed, this.held()) >= n) return;
      if (RING_BYTES - unhashed >= n) {
        // The hash has room; the other reader holds the bytes.
        await this.holder!.whenReleased();
        continue;
      }
      // The worker may be idle short of WAKE_BYTES: wake it, then wait for it to make room.
      this.wake();
      Atomics.store(ctrl, PRODUCER_WAITS, 1);
      const wait = waitAsync(ctrl, READ, read);
      if (wait.async) await wait.value;
      Atomics.store(ctrl, PRODUCER_WAITS, 0);
    }
  }

  publish(n: number): void {
    this.written = (this.written + n) | 0;
    this.position += n;
    Atomics.store(this.w.control, WRITTEN, this.written);
    if (Atomics.load(this.w.control, IDLE) === 1 && ((this.written - Atomics.load(this.w.control, READ)) | 0) >= WAKE_BYTES) this.wake();
  }

  private wake(): void {
    Atomics.add(this.w.control, SEQ, 1);
    Atomics.notify(this.w.control, SEQ);
  }

  update(data: Buffer, more?: Buffer): Promise<void> | undefined {
    const total = data.length + (more ? more.length : 0);
    if (total <= this.room()) {
      this.copyIn(data);
      if (more) this.copyIn(more);
      return undefined;
    }
    return this.updateSlowly(more ? [data, more] : [data]);
  }

  /** Copies bytes that fit into the ring (wrapping at its end) and publishes them. */
  private copyIn(data: Buffer): void {
    let from = 0;
    while (from < data.length) {
      const at = this.written & MASK;
      const n = Math.min(data.length - from, RING_BYTES - at);
      data.copy(this.bytes, at, from, from + n);
      from += n;
      this.publish(n);
    }
  }

  private async updateSlowly(parts: Buffer[]): Promise<void> {
    for (const part of parts) {
      for (let at = 0; at < part.length; ) {
        const n = Math.min(part.length - at, RING_BYTES / 2);
        await this.waitForRoom(n);
        this.copyIn(part.subarray(at, at + n));
        at += n;
      }
    }
  }

  async digest(): Promise<Buffer> {
    Atomics.store(this.w.control, CLOSED, 1);
    this.wake();
    return this.result;
  }
}

/**
 * A SHA-256 on this thread, or on a pooled worker thread when `parallel` is set. `ringBytes` is
 * the least ring an inline hash needs (a worker's ring is always RING_BYTES, a multiple of it).
 */
export function createSha256(parallel: boolean, ringBytes = 128 << 10): Sha256Stream {
  if (!parallel) return new InlineSha256(ringBytes);
  if (RING_BYTES % ringBytes !== 0) throw new RangeError("ring size must divide the worker's ring");
  return new WorkerSha256(idle.pop() ?? new HashWorker());
}
