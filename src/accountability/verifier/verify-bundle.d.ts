// Types of verify-bundle.js, the checks shared by verify.html and `vigil verify`.
export const BUNDLE_FORMAT: "vigil-court-bundle/1";

export interface BundleCheck {
  subject: string;
  check: string;
  ok: boolean;
  detail: string;
}

export interface BundleReader {
  /** The bytes of a file of the bundle, or null when it is absent. */
  read(name: string): Promise<Uint8Array | null>;
  /** SHA-256 (hex) and size of a file, read as a stream; without it, exhibits are read whole. */
  digest?(name: string): Promise<{ sha256: string; size: number } | null>;
}

export function verifyInclusion(hash: Uint8Array, index: number, size: number, proof: readonly Uint8Array[], root: Uint8Array): Promise<boolean>;
export function verifyNote(note: string, verifierKey: string): Promise<{ ok: true; text: string; name: string } | { ok: false; detail: string }>;
export function verifyBundle(bundle: BundleReader, onCheck?: (check: BundleCheck) => void, options?: { key?: string }): Promise<{ ok: boolean; manifest: unknown; checks: BundleCheck[] }>;
