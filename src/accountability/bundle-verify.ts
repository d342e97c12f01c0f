// `vigil verify BUNDLE.zip`: the checks verify.html makes (the same code, verifier/verify-bundle.js,
// on Node's WebCrypto), over the ZIP or the folder it was extracted to, with no database and no
// Vigil server. Pinning the verifier key (--key) checks the bundle against the key the
// organisation published, rather than the one the bundle carries.
import { readFile, stat } from "node:fs/promises";
import { join, normalize } from "node:path";
import { openZip } from "../core/index.ts";
import { verifyBundle, type BundleCheck } from "./verifier/verify-bundle.js";

export interface BundleVerification {
  ok: boolean;
  checks: BundleCheck[];
}

interface Reader {
  read(name: string): Promise<Uint8Array | null>;
  close(): Promise<void>;
}

async function readerFor(path: string): Promise<Reader> {
  if ((await stat(path)).isDirectory()) {
    return {
      async read(name) {
        const file = normalize(name);
        if (file.startsWith("..") || file.startsWith("/")) return null;
        return readFile(join(path, file)).catch(() => null);
      },
      close: async () => {},
    };
  }
  const zip = await openZip(path);
  const names = new Set(zip.entries.map((e) => e.name));
  return { read: async (name) => (names.has(name) ? zip.read(name) : null), close: () => zip.close() };
}

export async function verifyBundleFile(path: string, options: { key?: string } = {}): Promise<BundleVerification> {
  const reader = await readerFor(path);
  const result = await verifyBundle(reader).finally(() => reader.close());
  const checks = [...result.checks];
  if (options.key !== undefined) {
    const manifest = result.manifest as { ledger?: { verifierKey?: string } } | null;
    const carried = manifest?.ledger?.verifierKey ?? "";
    checks.push({ subject: "ledger", check: "verifier key pinned", ok: carried === options.key.trim(), detail: carried === options.key.trim() ? "the bundle's key is the one given" : `the bundle carries ${carried || "no key"}` });
  }
  return { ok: checks.length > 0 && checks.every((c) => c.ok), checks };
}
