import { createHmac, hkdfSync, timingSafeEqual } from "node:crypto";
import { decodeBase64, encodeBase64 } from "./base64.ts";
import { AgeError } from "./errors.ts";

/** One recipient stanza: `-> type args…` and its binary body. */
export interface Stanza {
  type: string;
  args: string[];
  body: Buffer;
}

export interface ParsedHeader {
  stanzas: Stanza[];
  /** The header bytes the MAC covers: everything up to and including `---`. */
  macInput: Buffer;
  mac: Buffer;
  /** Total header length in bytes, including the MAC line's LF. */
  length: number;
}

export const VERSION_LINE = "age-encryption.org/v1";
const VERSION_PREFIX = "age-encryption.org/";
// Header lines we accept can't be longer than a stanza line with very many arguments; a hostile
// header that never ends must not grow memory without bound.
export const MAX_HEADER_BYTES = 1 << 20;
const BODY_COLUMNS = 64;

function isVchar(c: number): boolean {
  return c >= 0x21 && c <= 0x7e;
}

function checkArgument(arg: string): void {
  if (arg.length === 0) throw new AgeError("malformed", "header: empty stanza argument");
  for (let i = 0; i < arg.length; i++) {
    // C2SP age ABNF: argument = 1*VCHAR.
    if (!isVchar(arg.charCodeAt(i))) throw new AgeError("malformed", "header: invalid character in stanza argument");
  }
}

/**
 * Finds where the header ends in `data` (the index just past the MAC line's LF), or -1 if the MAC
 * line has not arrived yet. The MAC line is the first line starting with `---`: stanza bodies are
 * base64 and argument lines start with `->`, so neither can be mistaken for it.
 */
export function findHeaderEnd(data: Buffer): number {
  const mark = data.indexOf("\n---", 0, "latin1");
  if (mark < 0) return -1;
  const lf = data.indexOf(0x0a, mark + 1);
  return lf < 0 ? -1 : lf + 1;
}

/** Throws `unsupported` for another age version and `malformed` for anything that is not age. */
export function checkVersionPrefix(data: Buffer): void {
  const n = Math.min(data.length, VERSION_PREFIX.length);
  if (data.subarray(0, n).toString("latin1") !== VERSION_PREFIX.slice(0, n)) {
    throw new AgeError("malformed", "not an age file: missing age-encryption.org version line");
  }
  const lf = data.indexOf(0x0a);
  if (lf >= 0 && data.subarray(0, lf).toString("latin1") !== VERSION_LINE) {
    throw new AgeError("unsupported", `unsupported age version ${JSON.stringify(data.subarray(0, lf).toString("latin1"))}`);
  }
}

/** Parses a complete header (C2SP age "ABNF definition of file header"); `data` may run on past it. */
export function parseHeader(data: Buffer): ParsedHeader {
  checkVersionPrefix(data);
  const end = findHeaderEnd(data);
  if (end < 0) throw new AgeError("truncated", "header: no MAC line");
  const text = data.subarray(0, end).toString("latin1");
  const lines = text.split("\n");
  lines.pop(); // the empty string after the final LF
  if (lines[0] !== VERSION_LINE) throw new AgeError("malformed", "header: bad version line");
  const stanzas: Stanza[] = [];
  let i = 1;
  while (i < lines.length && (lines[i] as string).startsWith("-> ")) {
    const args = (lines[i] as string).slice(3).split(" ");
    args.forEach(checkArgument);
    i++;
    let body = "";
    for (;;) {
      const line = lines[i];
      if (line === undefined || line.startsWith("-> ") || line.startsWith("---")) {
        throw new AgeError("malformed", "header: stanza body missing its final short line");
      }
      if (line.length > BODY_COLUMNS) throw new AgeError("malformed", "header: stanza body line over 64 columns");
      body += line;
      i++;
      if (line.length < BODY_COLUMNS) break;
    }
    stanzas.push({ type: args[0] as string, args: args.slice(1), body: decodeBase64(body, "stanza body") });
  }
  if (stanzas.length === 0) throw new AgeError("malformed", "header: no recipient stanza");
  const macLine = lines[i];
  if (i !== lines.length - 1 || macLine === undefined || !macLine.startsWith("--- ")) {
    throw new AgeError("malformed", "header: expected the MAC line");
  }
  const macText = macLine.slice(4);
  if (macText.length !== 43) throw new AgeError("malformed", "header: MAC is not 32 bytes");
  const mac = decodeBase64(macText, "header MAC");
  const macInputLength = end - macLine.length - 1 + 3;
  return { stanzas, macInput: data.subarray(0, macInputLength), mac, length: end };
}

/** C2SP age "Header MAC": HMAC-SHA-256 keyed with HKDF(file key, salt = empty, info = "header"). */
export function headerMac(fileKey: Uint8Array, macInput: Uint8Array): Buffer {
  const key = Buffer.from(hkdfSync("sha256", fileKey, Buffer.alloc(0), "header", 32));
  return createHmac("sha256", key).update(macInput).digest();
}

export function verifyHeaderMac(fileKey: Uint8Array, header: ParsedHeader): void {
  if (!timingSafeEqual(headerMac(fileKey, header.macInput), header.mac)) {
    throw new AgeError("bad_mac", "header MAC does not verify: the header was altered");
  }
}

/** Writes the header for these stanzas and seals it with the file key's MAC. */
export function encodeHeader(stanzas: Stanza[], fileKey: Uint8Array): Buffer {
  let text = VERSION_LINE + "\n";
  for (const s of stanzas) {
    [s.type, ...s.args].forEach(checkArgument);
    text += `-> ${[s.type, ...s.args].join(" ")}\n`;
    const body = encodeBase64(s.body);
    // The body ends with a line shorter than 64 columns, which is empty when the body fills
    // whole lines (C2SP age "Recipient stanza").
    for (let at = 0; ; at += BODY_COLUMNS) {
      const line = body.slice(at, at + BODY_COLUMNS);
      text += line + "\n";
      if (line.length < BODY_COLUMNS) break;
    }
  }
  text += "---";
  const macInput = Buffer.from(text, "latin1");
  return Buffer.concat([macInput, Buffer.from(` ${encodeBase64(headerMac(fileKey, macInput))}\n`, "latin1")]);
}
