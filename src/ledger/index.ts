// The custody ledger engine: RFC 6962 Merkle tree, C2SP checkpoints, signed notes and tiles.
// Pure and storage-agnostic: the database implements HashReader and writes what
// storedHashesForAppend returns.
export { canonicalize, canonicalizeToBytes, type JsonObject, type JsonValue } from "./canonical-json.ts";
export { LedgerError, type LedgerErrorCode } from "./errors.ts";
export { decodeHash, emptyTreeHash, encodeHash, hashChildren, hashLeaf, HASH_SIZE, type Hash } from "./hash.ts";
export {
  storedHashCount,
  storedHashesForAppend,
  storedHashIndex,
  type HashReader,
  type StoredHashesToWrite,
  type StoredIndex,
} from "./stored-hashes.ts";
export { MemoryHashStore } from "./memory-store.ts";
export {
  merkleRoot,
  proveConsistency,
  proveInclusion,
  treeHash,
  verifyConsistency,
  verifyInclusion,
} from "./merkle.ts";
export {
  formatVerifierKey,
  generateNoteKey,
  openNote,
  parseSignerKey,
  parseVerifierKey,
  signNote,
  type NoteSignature,
  type NoteSigner,
  type NoteVerifier,
  type OpenedNote,
} from "./note.ts";
export {
  formatCheckpoint,
  openCheckpoint,
  parseCheckpoint,
  signCheckpoint,
  type Checkpoint,
  type SignedCheckpoint,
} from "./checkpoint.ts";
export {
  decodeEntryBundle,
  encodeEntryBundle,
  MAX_ENTRY_SIZE,
  parseTilePath,
  readHashTile,
  tilePath,
  tileWidthAt,
  TILE_HEIGHT,
  TILE_WIDTH,
  type TileAddress,
} from "./tiles.ts";
export {
  CUSTODY_EVENT_KINDS,
  decodeLeaf,
  encodeLeaf,
  newCustodyEvent,
  type CustodyEvent,
  type CustodyEventKind,
} from "./event.ts";
export { detectFork, verifyLog, type ForkCheck, type FullVerification } from "./verify.ts";
