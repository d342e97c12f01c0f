import { open, type FileHandle } from "node:fs/promises";
import { Readable, Transform, type Writable } from "node:stream";
import { crc32, createDeflateRaw, createInflateRaw, deflateRawSync } from "node:zlib";

/**
 * ZIP archives (PKWARE APPNOTE 6.3.x), written as a stream and read from a file: court bundles,
 * referral dossiers and exports hold exhibits of many GiB, so nothing here holds a whole entry in
 * memory unless it was given as a Buffer. Names are UTF-8 (general purpose bit 11). Entries of
 * unknown size carry a ZIP64 extra field and a ZIP64 data descriptor (APPNOTE §4.3.9.2), so an
 * entry may exceed 4 GiB; the central directory uses ZIP64 only where a value overflows.
 */

const LOCAL_HEADER = 0x04034b50;
const DATA_DESCRIPTOR = 0x08074b50;
const CENTRAL_HEADER = 0x02014b50;
const END_OF_CENTRAL = 0x06054b50;
const ZIP64_END = 0x06064b50;
const ZIP64_LOCATOR = 0x07064b50;
const ZIP64_EXTRA = 0x0001;
const FLAG_DESCRIPTOR = 0x0008;
const FLAG_UTF8 = 0x0800;
const STORED = 0;
const DEFLATED = 8;
const MAX32 = 0xffffffff;
const MAX16 = 0xffff;

export class ZipError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ZipError";
  }
}

export interface ZipFileOptions {
  /** The entry's modification time (DOS time has a 2-second resolution and no zone). */
  modified?: Date;
  /** Deflate the entry. Default: yes for text and Buffers, no for streams (exhibits are mostly compressed media). */
  compress?: boolean;
}

interface CentralEntry {
  name: Buffer;
  flags: number;
  method: number;
  time: number;
  date: number;
  crc: number;
  compressed: number;
  size: number;
  offset: number;
}

function dosDateTime(at: Date): { time: number; date: number } {
  const year = Math.min(Math.max(at.getUTCFullYear(), 1980), 2107);
  return {
    time: (at.getUTCHours() << 11) | (at.getUTCMinutes() << 5) | (at.getUTCSeconds() >> 1),
    date: ((year - 1980) << 9) | ((at.getUTCMonth() + 1) << 5) | at.getUTCDate(),
  };
}

function entryName(name: string): Buffer {
  // Forward slashes only, relative, no traversal: an archive we write must be safe to extract.
  if (name === "" || name.startsWith("/") || name.includes("\\") || name.split("/").some((part) => part === ".." || part === "." || part === "") || name.includes("\0")) {
    throw new ZipError(`not a safe entry name: ${JSON.stringify(name)}`);
  }
  const bytes = Buffer.from(name, "utf8");
  if (bytes.length > MAX16) throw new ZipError("entry name too long");
  return bytes;
}

/** Writes a ZIP archive to a stream, one entry after another, honouring back-pressure. */
export class ZipWriter {
  readonly #sink: Writable;
  readonly #entries: CentralEntry[] = [];
  readonly #names = new Set<string>();
  #offset = 0;
  #busy = false;
  #finished = false;

  constructor(sink: Writable) {
    this.#sink = sink;
  }

  /** Bytes written so far. */
  get size(): number {
    return this.#offset;
  }

  async #write(chunk: Buffer): Promise<void> {
    if (chunk.length === 0) return;
    this.#offset += chunk.length;
    if (!this.#sink.write(chunk)) {
      await new Promise<void>((resolve, reject) => {
        const done = (error?: Error) => {
          this.#sink.off("drain", onDrain);
          this.#sink.off("error", done);
          this.#sink.off("close", onClose);
          if (error) reject(error);
          else resolve();
        };
        const onDrain = () => done();
        const onClose = () => done(new ZipError("the output closed before the archive was written"));
        this.#sink.once("drain", onDrain);
        this.#sink.once("error", done);
        this.#sink.once("close", onClose);
      });
    }
  }

  async addFile(name: string, content: Buffer | string | Readable | AsyncIterable<Uint8Array>, options: ZipFileOptions = {}): Promise<void> {
    if (this.#finished) throw new ZipError("the archive is already finished");
    if (this.#busy) throw new ZipError("add one entry at a time");
    const nameBytes = entryName(name);
    if (this.#names.has(name)) throw new ZipError(`duplicate entry: ${name}`);
    this.#names.add(name);
    const { time, date } = dosDateTime(options.modified ?? new Date());
    this.#busy = true;
    try {
      if (typeof content === "string" || Buffer.isBuffer(content)) {
        await this.#addBuffer(nameBytes, typeof content === "string" ? Buffer.from(content, "utf8") : content, time, date, options.compress ?? true);
      } else {
        await this.#addStream(nameBytes, content, time, date, options.compress ?? false);
      }
    } finally {
      this.#busy = false;
    }
  }

  async #addBuffer(name: Buffer, data: Buffer, time: number, date: number, compress: boolean): Promise<void> {
    const crc = crc32(data);
    let body = data;
    let method = STORED;
    if (compress) {
      const deflated = deflateRawSync(data);
      if (deflated.length < data.length) {
        body = deflated;
        method = DEFLATED;
      }
    }
    const large = data.length >= MAX32 || body.length >= MAX32;
    const offset = this.#offset;
    const extra = large ? zip64Extra([data.length, body.length]) : Buffer.alloc(0);
    const header = Buffer.alloc(30);
    header.writeUInt32LE(LOCAL_HEADER, 0);
    header.writeUInt16LE(large ? 45 : 20, 4);
    header.writeUInt16LE(FLAG_UTF8, 6);
    header.writeUInt16LE(method, 8);
    header.writeUInt16LE(time, 10);
    header.writeUInt16LE(date, 12);
    header.writeUInt32LE(crc, 14);
    header.writeUInt32LE(large ? MAX32 : body.length, 18);
    header.writeUInt32LE(large ? MAX32 : data.length, 22);
    header.writeUInt16LE(name.length, 26);
    header.writeUInt16LE(extra.length, 28);
    await this.#write(Buffer.concat([header, name, extra]));
    await this.#write(body);
    this.#entries.push({ name, flags: FLAG_UTF8, method, time, date, crc, compressed: body.length, size: data.length, offset });
  }

  async #addStream(name: Buffer, content: Readable | AsyncIterable<Uint8Array>, time: number, date: number, compress: boolean): Promise<void> {
    const offset = this.#offset;
    const flags = FLAG_UTF8 | FLAG_DESCRIPTOR;
    const method = compress ? DEFLATED : STORED;
    // Sizes unknown until the end: zero here, a ZIP64 extra so the descriptor carries 8-byte sizes.
    const extra = zip64Extra([0, 0]);
    const header = Buffer.alloc(30);
    header.writeUInt32LE(LOCAL_HEADER, 0);
    header.writeUInt16LE(45, 4);
    header.writeUInt16LE(flags, 6);
    header.writeUInt16LE(method, 8);
    header.writeUInt16LE(time, 10);
    header.writeUInt16LE(date, 12);
    header.writeUInt32LE(MAX32, 18);
    header.writeUInt32LE(MAX32, 22);
    header.writeUInt16LE(name.length, 26);
    header.writeUInt16LE(extra.length, 28);
    await this.#write(Buffer.concat([header, name, extra]));

    let crc = 0;
    let size = 0;
    let compressed = 0;
    const source = content instanceof Readable ? content : Readable.from(content);
    if (compress) {
      const deflate = createDeflateRaw();
      const feeding = (async () => {
        try {
          for await (const chunk of source) {
            const bytes = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array);
            crc = crc32(bytes, crc);
            size += bytes.length;
            if (!deflate.write(bytes)) await new Promise((resolve) => deflate.once("drain", resolve));
          }
          deflate.end();
        } catch (error) {
          deflate.destroy(error as Error);
        }
      })();
      for await (const chunk of deflate) {
        compressed += (chunk as Buffer).length;
        await this.#write(chunk as Buffer);
      }
      await feeding;
    } else {
      for await (const chunk of source) {
        const bytes = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array);
        crc = crc32(bytes, crc);
        size += bytes.length;
        await this.#write(bytes);
      }
      compressed = size;
    }
    const descriptor = Buffer.alloc(24);
    descriptor.writeUInt32LE(DATA_DESCRIPTOR, 0);
    descriptor.writeUInt32LE(crc, 4);
    descriptor.writeBigUInt64LE(BigInt(compressed), 8);
    descriptor.writeBigUInt64LE(BigInt(size), 16);
    await this.#write(descriptor);
    this.#entries.push({ name, flags, method, time, date, crc, compressed, size, offset });
  }

  /** Writes the central directory and ends the sink. */
  async finish(): Promise<void> {
    if (this.#finished) throw new ZipError("the archive is already finished");
    if (this.#busy) throw new ZipError("an entry is still being written");
    this.#finished = true;
    const start = this.#offset;
    for (const entry of this.#entries) {
      const overflow = [entry.size, entry.compressed, entry.offset].map((v) => v >= MAX32);
      const zip64Values = [entry.size, entry.compressed, entry.offset].filter((_, i) => overflow[i]);
      const extra = zip64Values.length > 0 ? zip64Extra(zip64Values) : Buffer.alloc(0);
      const header = Buffer.alloc(46);
      header.writeUInt32LE(CENTRAL_HEADER, 0);
      header.writeUInt16LE((3 << 8) | 45, 4); // made by: Unix, 4.5
      header.writeUInt16LE(zip64Values.length > 0 || entry.flags & FLAG_DESCRIPTOR ? 45 : 20, 6);
      header.writeUInt16LE(entry.flags, 8);
      header.writeUInt16LE(entry.method, 10);
      header.writeUInt16LE(entry.time, 12);
      header.writeUInt16LE(entry.date, 14);
      header.writeUInt32LE(entry.crc, 16);
      header.writeUInt32LE(overflow[1] ? MAX32 : entry.compressed, 20);
      header.writeUInt32LE(overflow[0] ? MAX32 : entry.size, 24);
      header.writeUInt16LE(entry.name.length, 28);
      header.writeUInt16LE(extra.length, 30);
      header.writeUInt32LE((0o100644 << 16) >>> 0, 38); // a regular file, rw-r--r--
      header.writeUInt32LE(overflow[2] ? MAX32 : entry.offset, 42);
      await this.#write(Buffer.concat([header, entry.name, extra]));
    }
    const end = this.#offset;
    const count = this.#entries.length;
    const cdSize = end - start;
    if (count >= MAX16 || start >= MAX32 || cdSize >= MAX32) {
      const record = Buffer.alloc(56);
      record.writeUInt32LE(ZIP64_END, 0);
      record.writeBigUInt64LE(44n, 4);
      record.writeUInt16LE(45, 12);
      record.writeUInt16LE(45, 14);
      record.writeBigUInt64LE(BigInt(count), 24);
      record.writeBigUInt64LE(BigInt(count), 32);
      record.writeBigUInt64LE(BigInt(cdSize), 40);
      record.writeBigUInt64LE(BigInt(start), 48);
      const locator = Buffer.alloc(20);
      locator.writeUInt32LE(ZIP64_LOCATOR, 0);
      locator.writeBigUInt64LE(BigInt(end), 8);
      locator.writeUInt32LE(1, 16);
      await this.#write(Buffer.concat([record, locator]));
    }
    const eocd = Buffer.alloc(22);
    eocd.writeUInt32LE(END_OF_CENTRAL, 0);
    eocd.writeUInt16LE(Math.min(count, MAX16), 8);
    eocd.writeUInt16LE(Math.min(count, MAX16), 10);
    eocd.writeUInt32LE(Math.min(cdSize, MAX32), 12);
    eocd.writeUInt32LE(Math.min(start, MAX32), 16);
    await this.#write(eocd);
    await new Promise<void>((resolve, reject) => {
      this.#sink.once("error", reject);
      this.#sink.end(() => resolve());
    });
  }
}

function zip64Extra(values: number[]): Buffer {
  const extra = Buffer.alloc(4 + values.length * 8);
  extra.writeUInt16LE(ZIP64_EXTRA, 0);
  extra.writeUInt16LE(values.length * 8, 2);
  values.forEach((value, i) => extra.writeBigUInt64LE(BigInt(value), 4 + i * 8));
  return extra;
}

export interface ZipEntry {
  name: string;
  /** Uncompressed size in bytes. */
  size: number;
  compressedSize: number;
  crc32: number;
  modified: Date;
}

export interface ZipArchive {
  entries: ZipEntry[];
  /** The whole entry in memory, its CRC-32 checked: for manifests and small files. */
  read(name: string): Promise<Buffer>;
  /** The entry as a stream; a CRC-32 mismatch ends it with an error. */
  stream(name: string): Readable;
  close(): Promise<void>;
}

interface IndexedEntry extends ZipEntry {
  method: number;
  offset: number;
}

async function readAt(file: FileHandle, position: number, length: number): Promise<Buffer> {
  const buffer = Buffer.alloc(length);
  const { bytesRead } = await file.read(buffer, 0, length, position);
  if (bytesRead !== length) throw new ZipError("the archive is truncated");
  return buffer;
}

/** Opens a ZIP file and reads its central directory; entries are read on demand. */
export async function openZip(path: string): Promise<ZipArchive> {
  const file = await open(path, "r");
  try {
    const { size: fileSize } = await file.stat();
    const tailLength = Math.min(fileSize, 22 + MAX16);
    const tail = await readAt(file, fileSize - tailLength, tailLength);
    let at = -1;
    for (let i = tail.length - 22; i >= 0; i--) {
      if (tail.readUInt32LE(i) === END_OF_CENTRAL) {
        at = i;
        break;
      }
    }
    if (at < 0) throw new ZipError("not a ZIP archive: no end of central directory");
    let count = tail.readUInt16LE(at + 10);
    let cdSize = tail.readUInt32LE(at + 12);
    let cdStart = tail.readUInt32LE(at + 16);
    const eocdPosition = fileSize - tailLength + at;
    if ((count === MAX16 || cdSize === MAX32 || cdStart === MAX32) && eocdPosition >= 20) {
      const locator = await readAt(file, eocdPosition - 20, 20);
      if (locator.readUInt32LE(0) !== ZIP64_LOCATOR) throw new ZipError("ZIP64 locator missing");
      const record = await readAt(file, Number(locator.readBigUInt64LE(8)), 56);
      if (record.readUInt32LE(0) !== ZIP64_END) throw new ZipError("ZIP64 end record missing");
      count = Number(record.readBigUInt64LE(32));
      cdSize = Number(record.readBigUInt64LE(40));
      cdStart = Number(record.readBigUInt64LE(48));
    }
    if (cdStart + cdSize > fileSize) throw new ZipError("the archive is truncated");
    const directory = await readAt(file, cdStart, cdSize);
    const entries: IndexedEntry[] = [];
    let p = 0;
    for (let n = 0; n < count; n++) {
      if (p + 46 > directory.length || directory.readUInt32LE(p) !== CENTRAL_HEADER) throw new ZipError("damaged central directory");
      const method = directory.readUInt16LE(p + 10);
      const time = directory.readUInt16LE(p + 12);
      const date = directory.readUInt16LE(p + 14);
      const crc = directory.readUInt32LE(p + 16);
      let compressedSize = directory.readUInt32LE(p + 20);
      let size = directory.readUInt32LE(p + 24);
      const nameLength = directory.readUInt16LE(p + 28);
      const extraLength = directory.readUInt16LE(p + 30);
      const commentLength = directory.readUInt16LE(p + 32);
      let offset = directory.readUInt32LE(p + 42);
      const name = directory.subarray(p + 46, p + 46 + nameLength).toString("utf8");
      const extra = directory.subarray(p + 46 + nameLength, p + 46 + nameLength + extraLength);
      for (let e = 0; e + 4 <= extra.length; ) {
        const id = extra.readUInt16LE(e);
        const length = extra.readUInt16LE(e + 2);
        if (id === ZIP64_EXTRA) {
          let q = e + 4;
          // APPNOTE §4.5.3: only the overflowing fields are present, in this order.
          if (size === MAX32) { size = Number(extra.readBigUInt64LE(q)); q += 8; }
          if (compressedSize === MAX32) { compressedSize = Number(extra.readBigUInt64LE(q)); q += 8; }
          if (offset === MAX32) { offset = Number(extra.readBigUInt64LE(q)); q += 8; }
        }
        e += 4 + length;
      }
      if (method !== STORED && method !== DEFLATED) throw new ZipError(`${name}: unsupported compression method ${method}`);
      const modified = new Date(Date.UTC(1980 + (date >> 9), ((date >> 5) & 15) - 1, date & 31, time >> 11, (time >> 5) & 63, (time & 31) * 2));
      entries.push({ name, size, compressedSize, crc32: crc, modified, method, offset });
      p += 46 + nameLength + extraLength + commentLength;
    }
    const byName = new Map(entries.map((entry) => [entry.name, entry]));
    const find = (name: string): IndexedEntry => {
      const entry = byName.get(name);
      if (!entry) throw new ZipError(`no entry named ${name}`);
      return entry;
    };
    const dataStart = async (entry: IndexedEntry): Promise<number> => {
      const header = await readAt(file, entry.offset, 30);
      if (header.readUInt32LE(0) !== LOCAL_HEADER) throw new ZipError(`${entry.name}: damaged local header`);
      return entry.offset + 30 + header.readUInt16LE(26) + header.readUInt16LE(28);
    };
    const stream = (name: string): Readable => {
      const entry = find(name);
      let crc = 0;
      const check = new Transform({
        transform(chunk: Buffer, _encoding, callback) {
          crc = crc32(chunk, crc);
          callback(null, chunk);
        },
        flush(callback) {
          callback(crc === entry.crc32 ? null : new ZipError(`${entry.name}: CRC-32 mismatch, the entry is damaged`));
        },
      });
      const raw = Readable.from(
        (async function* () {
          let position = await dataStart(entry);
          let left = entry.compressedSize;
          while (left > 0) {
            const length = Math.min(left, 1 << 16);
            yield await readAt(file, position, length);
            position += length;
            left -= length;
          }
        })(),
      );
      const forward = (error: Error) => check.destroy(error);
      raw.on("error", forward);
      if (entry.method === DEFLATED) {
        const inflate = createInflateRaw();
        inflate.on("error", forward);
        return raw.pipe(inflate).pipe(check);
      }
      return raw.pipe(check);
    };
    return {
      entries: entries.map(({ name, size, compressedSize, crc32: crc, modified }) => ({ name, size, compressedSize, crc32: crc, modified })),
      stream,
      async read(name: string): Promise<Buffer> {
        const chunks: Buffer[] = [];
        for await (const chunk of stream(name)) chunks.push(chunk as Buffer);
        return Buffer.concat(chunks);
      },
      close: () => file.close(),
    };
  } catch (error) {
    await file.close();
    throw error;
  }
}
