import { AgeError } from "./errors.ts";

// C2SP age, "Conventions": standard base64 without padding; encoders MUST be canonical and
// decoders MUST reject non-canonical encodings and `=` padding. Node's decoder is lenient (it
// ignores stray bits and characters), so we re-encode and compare.
const BASE64_CHARS = /^[A-Za-z0-9+/]*$/;

export function encodeBase64(data: Uint8Array): string {
  return Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString("base64").replace(/=+$/, "");
}

export function decodeBase64(text: string, what: string): Buffer {
  if (!BASE64_CHARS.test(text) || text.length % 4 === 1) {
    throw new AgeError("malformed", `${what}: not unpadded base64`);
  }
  const out = Buffer.from(text, "base64");
  if (encodeBase64(out) !== text) throw new AgeError("malformed", `${what}: non-canonical base64`);
  return out;
}
