import { decodeHash, encodeHash, isHash, type Hash } from "./hash.ts";
import { LedgerError } from "./errors.ts";
import { openNote, signNote, type NoteSignature, type NoteSigner, type NoteVerifier } from "./note.ts";

/** A C2SP tlog-checkpoint (c2sp.org/tlog-checkpoint): the log's identity, size and root. */
export interface Checkpoint {
  readonly origin: string;
  readonly size: number;
  readonly rootHash: Hash;
  /** Opaque extension lines (tlog-checkpoint §"Note text" 4); not recommended, kept for round trips. */
  readonly extensions?: readonly string[];
}

export interface SignedCheckpoint {
  readonly checkpoint: Checkpoint;
  /** The checkpoint body exactly as signed. */
  readonly text: string;
  readonly verified: readonly NoteSignature[];
  readonly unknown: readonly NoteSignature[];
}

function malformed(reason: string): never {
  throw new LedgerError("malformed-checkpoint", reason);
}

/** tlog-checkpoint §"Note text": origin, decimal size, base64 root, then extension lines, each ending in a newline. */
export function formatCheckpoint(checkpoint: Checkpoint): string {
  const { origin, size, rootHash, extensions = [] } = checkpoint;
  if (origin.length === 0 || origin.includes("\n")) malformed("the origin is one non-empty line");
  if (!Number.isSafeInteger(size) || size < 0) malformed(`${size} is not a tree size`);
  if (!isHash(rootHash)) malformed("the root hash is 32 bytes");
  if (extensions.some((line) => line.length === 0 || line.includes("\n"))) malformed("extension lines are non-empty single lines");
  return [origin, String(size), encodeHash(rootHash), ...extensions].map((line) => `${line}\n`).join("");
}

export function parseCheckpoint(text: string): Checkpoint {
  if (!text.endsWith("\n")) malformed("a checkpoint ends with a newline");
  const lines = text.slice(0, -1).split("\n");
  if (lines.length < 3 || lines.some((line) => line.length === 0)) malformed("a checkpoint is at least three non-empty lines");
  const [origin, sizeText, rootText, ...extensions] = lines as [string, string, string, ...string[]];
  // "no leading zeroes (unless the tree is empty)": the decimal form must round-trip.
  const size = Number(sizeText);
  if (!/^(0|[1-9][0-9]*)$/.test(sizeText) || !Number.isSafeInteger(size)) malformed(`tree size ${JSON.stringify(sizeText)}`);
  const rootHash = decodeHash(rootText);
  if (!rootHash) malformed("the root hash is base64 of 32 bytes");
  return extensions.length > 0 ? { origin, size, rootHash, extensions } : { origin, size, rootHash };
}

/** Formats and signs a checkpoint: the log's own signature, to which cosigners may add theirs. */
export function signCheckpoint(checkpoint: Checkpoint, signers: readonly NoteSigner[]): string {
  if (signers.length === 0) malformed("a checkpoint needs at least one signer");
  return signNote(formatCheckpoint(checkpoint), signers);
}

/**
 * Opens a signed checkpoint: signature checks first (the text means nothing until then), then
 * the body. `origin`, when given, must match: a checkpoint from another log is not ours.
 */
export function openCheckpoint(
  note: string | Uint8Array,
  verifiers: readonly NoteVerifier[],
  origin?: string,
): SignedCheckpoint {
  const opened = openNote(note, verifiers);
  const checkpoint = parseCheckpoint(opened.text);
  if (origin !== undefined && checkpoint.origin !== origin) {
    malformed(`checkpoint of ${JSON.stringify(checkpoint.origin)}, expected ${JSON.stringify(origin)}`);
  }
  return { checkpoint, text: opened.text, verified: opened.verified, unknown: opened.unknown };
}
