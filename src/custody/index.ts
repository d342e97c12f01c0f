// The custody ledger with I/O: appends inside the caller's transaction, one log per organisation,
// signed checkpoints, proofs and tiles from the database, and full verification.
// The pure engine (hashing, proofs, notes, tiles) is src/ledger.
export { appendCustodyEvent, appendCustodyEvents, ledgerSize, type CustodyEventInput } from "./append.ts";
export { latestCheckpoint, signCheckpointNow, signGrownLogs, startCheckpointSigner, type StoredCheckpoint } from "./checkpoints.ts";
export { DbHashReader } from "./hash-reader.ts";
export { ensureLog, orgIdForCommand, orgIdForSlug, type CustodyLog } from "./log.ts";
export {
  consistencyProof,
  inclusionProof,
  ledgerOverview,
  readCheckpoint,
  readEntryBundle,
  readTile,
  setLedgerPublic,
  type LedgerOverview,
  type ProofAnswer,
  type Reader,
  type ServedTile,
} from "./read.ts";
export { describeVerification, verifyLedger, type LedgerVerification } from "./verify.ts";
