import { AgeError } from "./errors.ts";

// C2SP age "ASCII armor": strict PEM (RFC 7468 §3) with the label "AGE ENCRYPTED FILE", padded
// base64 in 64-column lines. Only whitespace may surround the block, and LF or CRLF line ends.
const BEGIN = "-----BEGIN AGE ENCRYPTED FILE-----";
const END = "-----END AGE ENCRYPTED FILE-----";
const COLUMNS = 64;
const PADDED_BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

export function isArmored(start: Buffer): boolean {
  const text = start.subarray(0, 64).toString("latin1").trimStart();
  return text.startsWith("-----BEGIN");
}

export function armor(data: Uint8Array): string {
  const b64 = Buffer.from(data).toString("base64");
  let out = BEGIN + "\n";
  for (let at = 0; at < b64.length; at += COLUMNS) out += b64.slice(at, at + COLUMNS) + "\n";
  return out + END + "\n";
}

export function dearmor(text: string): Buffer {
  const lines = text.trim().split(/\r?\n/);
  if (lines[0] !== BEGIN) throw new AgeError("malformed", "armor: missing or wrong BEGIN line");
  if (lines.length < 3 || lines[lines.length - 1] !== END) throw new AgeError("malformed", "armor: missing END line");
  const body = lines.slice(1, -1);
  body.forEach((line, i) => {
    const last = i === body.length - 1;
    if (!PADDED_BASE64.test(line) || (last ? line.length === 0 || line.length > COLUMNS : line.length !== COLUMNS)) {
      throw new AgeError("malformed", "armor: bad base64 line");
    }
    if (!last && line.includes("=")) throw new AgeError("malformed", "armor: padding before the last line");
  });
  const b64 = body.join("");
  if (b64.length % 4 !== 0) throw new AgeError("malformed", "armor: base64 length is not a multiple of 4");
  const out = Buffer.from(b64, "base64");
  if (out.toString("base64") !== b64) throw new AgeError("malformed", "armor: non-canonical base64");
  return out;
}
