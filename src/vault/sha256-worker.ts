import { createHash } from "node:crypto";
import { Worker } from "node:worker_threads";

/**
 * A running SHA-256 that can be fed from a hot loop. `update` returns a promise only when the
 * caller must wait (the worker's ring is full), so the common path costs no microtask.
 */
export interface Sha256Stream {
  /** The caller awaits a returned promise before calling again; `data` may be reused once it returns. */
  update(data: Buffer, more?: Buffer): Promise<void> | undefined;
  digest(): Promise<Buffer>;
}

class InlineSha256 implements Sha256Stream {
  private readonly hash = createHash("sha256");

  update(data: Buffer, more?: Buffer): undefined {
    this.hash.update(data);
    if (more) this.hash.update(more);
    return undefined;
  }

  digest(): Promise<Buffer> {
    return Promise.resolve(this.hash.digest());
  }
}

// The ring between the producer (main thread) and a hashing worker: SLOTS slots of SLOT_BYTES in
// shared memory, so a chunk costs one memcpy and no message. 32 × 64 KiB keeps the worker fed
// through scheduling hiccups at 2 MiB per worker.
const SLOTS = 32;
const SLOT_BYTES = 64 * 1024 + 16;
// Control words: SEQ changes on every publish and on close, so the worker's Atomics.wait on it
// can never miss a wake-up; WRITTEN and READ count slots; CLOSED marks the end of input.
const SEQ = 0;
const READ = 1;
const CLOSED = 2;
const WRITTEN = 3;

// The worker body is plain JavaScript evaluated in the worker, not a module file: Vigil loads its
// TypeScript through tsx's in-process hook, which worker threads do not inherit.
const WORKER_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
const { createHash } = require("node:crypto");
const ctrl = new Int32Array(workerData.control);
const lengths = new Int32Array(workerData.lengths);
const bytes = Buffer.from(workerData.data);
const SLOTS = ${SLOTS}, SLOT_BYTES = ${SLOT_BYTES};
parentPort.on("message", () => {
  const hash = createHash("sha256");
  let read = 0;
  for (;;) {
    const seq = Atomics.load(ctrl, ${SEQ});
    if (read < Atomics.load(ctrl, ${WRITTEN})) {
      const at = (read % SLOTS) * SLOT_BYTES;
      hash.update(bytes.subarray(at, at + lengths[read % SLOTS]));
      read++;
      Atomics.store(ctrl, ${READ}, read);
      Atomics.notify(ctrl, ${READ});
    } else if (Atomics.load(ctrl, ${CLOSED}) === 1) {
      break;
    } else {
      Atomics.wait(ctrl, ${SEQ}, seq);
    }
  }
  parentPort.postMessage(hash.digest());
});
`;

// Atomics.waitAsync is in Node 16+ but only in TypeScript's ES2024 library.
const waitAsync = (Atomics as unknown as {
  waitAsync(array: Int32Array, index: number, value: number): { async: boolean; value: unknown };
}).waitAsync;

class HashWorker {
  readonly control = new Int32Array(new SharedArrayBuffer(16));
  readonly lengths = new Int32Array(new SharedArrayBuffer(4 * SLOTS));
  readonly data = Buffer.from(new SharedArrayBuffer(SLOTS * SLOT_BYTES));
  readonly worker: Worker;

  constructor() {
    this.worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { control: this.control.buffer, lengths: this.lengths.buffer, data: this.data.buffer },
    });
    this.worker.unref();
  }
}

// Idle workers are kept for the next file: starting one costs tens of milliseconds.
const idle: HashWorker[] = [];
const MAX_IDLE = 4;

class WorkerSha256 implements Sha256Stream {
  private written = 0;
  private readonly result: Promise<Buffer>;

  constructor(private readonly w: HashWorker) {
    Atomics.store(w.control, READ, 0);
    Atomics.store(w.control, WRITTEN, 0);
    Atomics.store(w.control, CLOSED, 0);
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

  update(data: Buffer, more?: Buffer): Promise<void> | undefined {
    const total = data.length + (more ? more.length : 0);
    if (total > SLOT_BYTES) return this.updateSlowly(data, more);
    if (this.written - Atomics.load(this.w.control, READ) >= SLOTS) return this.waitThen(data, more);
    const slot = this.written % SLOTS;
    const at = slot * SLOT_BYTES;
    data.copy(this.w.data, at);
    if (more) more.copy(this.w.data, at + data.length);
    this.w.lengths[slot] = total;
    this.publish();
    return undefined;
  }

  private publish(): void {
    this.written++;
    Atomics.store(this.w.control, WRITTEN, this.written);
    Atomics.add(this.w.control, SEQ, 1);
    Atomics.notify(this.w.control, SEQ);
  }

  private async waitForSpace(): Promise<void> {
    for (;;) {
      const read = Atomics.load(this.w.control, READ);
      if (this.written - read < SLOTS) return;
      const wait = waitAsync(this.w.control, READ, read);
      if (wait.async) await wait.value;
    }
  }

  private async waitThen(data: Buffer, more?: Buffer): Promise<void> {
    await this.waitForSpace();
    await this.update(data, more);
  }

  /** Inputs larger than a slot are split across slots. */
  private async updateSlowly(data: Buffer, more?: Buffer): Promise<void> {
    for (const part of more ? [data, more] : [data]) {
      for (let at = 0; at < part.length; at += SLOT_BYTES) {
        await this.waitForSpace();
        const piece = part.subarray(at, at + SLOT_BYTES);
        const slot = this.written % SLOTS;
        piece.copy(this.w.data, slot * SLOT_BYTES);
        this.w.lengths[slot] = piece.length;
        this.publish();
      }
    }
  }

  async digest(): Promise<Buffer> {
    Atomics.store(this.w.control, CLOSED, 1);
    Atomics.add(this.w.control, SEQ, 1);
    Atomics.notify(this.w.control, SEQ);
    return this.result;
  }
}

/** A SHA-256 on this thread, or on a pooled worker thread when `parallel` is set. */
export function createSha256(parallel: boolean): Sha256Stream {
  if (!parallel) return new InlineSha256();
  return new WorkerSha256(idle.pop() ?? new HashWorker());
}
