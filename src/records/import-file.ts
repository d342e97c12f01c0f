// An import's file on disk: received as a stream (never whole in memory), refused past the size
// limit, hashed, its text encoding found from its byte order mark and proven by decoding every
// byte, and read back later as text in pieces. Files live in <data dir>/imports, private to
// Vigil's account, and are removed once the import is done or abandoned.
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { mkdir, open, rm } from "node:fs/promises";
import { join } from "node:path";
import { Invalid, VigilError } from "../core/index.ts";
import type { Services } from "../context.ts";

export type TextEncodingName = "utf-8" | "utf-16le" | "utf-16be";

export class ImportTooLarge extends VigilError {
  readonly status = 413;
  readonly code = "too-large";
  constructor(readonly limit: number) {
    super(`the file is larger than the import limit of ${limit} bytes`);
  }
}

export function importsDirectory(services: Pick<Services, "config">): string {
  return join(services.config.dataDir, "imports");
}

export function importFilePath(services: Pick<Services, "config">, id: string, suffix: "upload" | "export" = "upload"): string {
  return join(importsDirectory(services), `${id}.${suffix}`);
}

/** Finds the encoding from the first bytes; refuses the byte order marks of encodings we do not read. */
export function sniffEncoding(head: Uint8Array): TextEncodingName {
  if (head[0] === 0xff && head[1] === 0xfe && head[2] === 0 && head[3] === 0) throw unreadable("it is UTF-32 (little-endian)");
  if (head[0] === 0 && head[1] === 0 && head[2] === 0xfe && head[3] === 0xff) throw unreadable("it is UTF-32 (big-endian)");
  if (head[0] === 0xff && head[1] === 0xfe) return "utf-16le";
  if (head[0] === 0xfe && head[1] === 0xff) return "utf-16be";
  return "utf-8";
}

function unreadable(why: string): Invalid {
  const message = `the file cannot be read: ${why}. Save it as UTF-8 ("CSV UTF-8" in spreadsheet programs) or as UTF-16 with a byte order mark, ` +
    "or convert it first, e.g. iconv -f WINDOWS-1252 -t UTF-8 (or -f GB18030 for Chinese) file.csv > file-utf8.csv";
  return new Invalid(message, { file: "save the file as CSV UTF-8 or UTF-16 with a byte order mark" });
}

export interface ReceivedFile {
  byteSize: number;
  sha256: string;
  encoding: TextEncodingName;
}

/**
 * Streams `source` to `path` (created, mode 0600), counting against `limit`, hashing, and decoding
 * as it goes with a fatal decoder so that a file in another encoding is refused with a message
 * saying how to convert it. `onText` sees the decoded text in pieces (to read the header, count
 * rows). On any failure the partial file is removed.
 */
export async function receiveImportFile(
  path: string,
  source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  limit: number,
  onText: (text: string) => void,
): Promise<ReceivedFile> {
  await mkdir(join(path, ".."), { recursive: true, mode: 0o700 });
  const file = await open(path, "wx", 0o600);
  const hash = createHash("sha256");
  let size = 0;
  let decoder: TextDecoder | null = null;
  let encoding: TextEncodingName = "utf-8";
  let pending: Buffer = Buffer.alloc(0);
  const decode = (bytes: Uint8Array, stream: boolean) => {
    try {
      const text = decoder!.decode(bytes, { stream });
      if (encoding === "utf-8" && text.includes("\u0000")) throw unreadable("it holds NUL characters, as UTF-16 without a byte order mark or a binary file does");
      if (text) onText(text);
    } catch (error) {
      if (error instanceof Invalid) throw error;
      throw unreadable(`it is not ${encoding === "utf-8" ? "UTF-8" : encoding.toUpperCase()} (invalid bytes near byte ${size})`);
    }
  };
  try {
    for await (const chunk of source) {
      size += chunk.length;
      if (size > limit) throw new ImportTooLarge(limit);
      hash.update(chunk);
      await file.write(chunk);
      if (!decoder) {
        // The byte order mark may arrive split over the first chunks: wait for four bytes.
        pending = Buffer.concat([pending, chunk]);
        if (pending.length < 4) continue;
        encoding = sniffEncoding(pending);
        decoder = new TextDecoder(encoding, { fatal: true });
        decode(pending, true);
        continue;
      }
      decode(chunk, true);
    }
    if (!decoder) {
      encoding = sniffEncoding(pending);
      decoder = new TextDecoder(encoding, { fatal: true });
      decode(pending, true);
    }
    decode(new Uint8Array(0), false);
    if (size === 0) throw new Invalid("the file is empty", { file: "the file is empty" });
    await file.sync();
  } catch (error) {
    await file.close();
    await rm(path, { force: true });
    throw error;
  }
  await file.close();
  return { byteSize: size, sha256: hash.digest("hex"), encoding };
}

/** The file's text in pieces, byte order mark removed. */
export async function* readImportText(path: string, encoding: TextEncodingName): AsyncGenerator<string> {
  const decoder = new TextDecoder(encoding, { fatal: true });
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) {
    const text = decoder.decode(chunk as Buffer, { stream: true });
    if (text) yield text;
  }
  const rest = decoder.decode();
  if (rest) yield rest;
}

export async function removeImportFile(path: string): Promise<void> {
  await rm(path, { force: true });
}
