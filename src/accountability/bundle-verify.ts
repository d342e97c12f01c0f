// `vigil verify BUNDLE.zip`: the checks verify.html makes (the same code, verifier/verify-bundle.js,
// on Node's WebCrypto), over the ZIP or the folder it was extracted to, with no database and no
// Vigil server. Pinning the verifier key (--key) checks the bundle against the key the
// organisation published, rather than the one the bundle carries.
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { readFile, stat } from "node:fs/promises";
import type { Readable } from "node:stream";
import { join, normalize } from "node:path";
import { openZip } from "../core/index.ts";
import { verifyBundle, type BundleCheck, type BundleReader } from "./verifier/verify-bundle.js";

export interface BundleVerification {
  ok: boolean;
  checks: BundleCheck[];
}

interface Reader extends BundleReader {
  close(): Promise<void>;
}

/** SHA-256 and size of a stream, chunk by chunk: an exhibit is never held whole. */
async function digestOf(stream: Readable): Promise<{ sha256: string; size: number }> {
  const hash = createHash("sha256");
  let size = 0;
  for await (const chunk of stream) {
    hash.update(chunk as Buffer);
    size += (chunk as Buffer).length;
  }
  return { sha256: hash.digest("hex"), size };
}

async function readerFor(path: string): Promise<Reader> {
  if ((await stat(path)).isDirectory()) {
    const inside = (name: string) => {
      const file = normalize(name);
      return file.startsWith("..") || file.startsWith("/") ? null : join(path, file);
    };
    return {
      async read(name) {
        const file = inside(name);
        return file ? readFile(file).catch(() => null) : null;
      },
      async digest(name) {
        const file = inside(name);
        if (!file || !(await stat(file).catch(() => null))?.isFile()) return null;
        return digestOf(createReadStream(file, { highWaterMark: 1 << 20 }));
      },
      close: async () => {},
    };
  }
  const zip = await openZip(path);
  const names = new Set(zip.entries.map((e) => e.name));
  return {
    read: async (name) => (names.has(name) ? zip.read(name) : null),
    // The entry streamed (its CRC-32 checked at the end): a GiB exhibit costs a few MiB.
    digest: async (name) => (names.has(name) ? digestOf(zip.stream(name)) : null),
    close: () => zip.close(),
  };
}

export async function verifyBundleFile(path: string, options: { key?: string } = {}): Promise<BundleVerification> {
  const reader = await readerFor(path);
  const { checks } = await verifyBundle(reader, () => {}, options.key !== undefined ? { key: options.key } : {}).finally(() => reader.close());
  return { ok: checks.length > 0 && checks.every((c) => c.ok), checks };
}
