// The evidence vault's service: the only door routes and commands use.
export { BlobStore, type SinkFactory } from "./blob-store.ts";
export { operatorCaller, personCaller, type Caller } from "./caller.ts";
export { TooLarge } from "./errors.ts";
export {
  authorizeUpload, checkDeclaredSize, receiveEvidence, storeEvidenceBlob, recordStoredEvidence, discardStoredEvidence,
  type ArrivalEvent, type EvidenceMetadata, type IncomingFile, type ReceivedEvidence, type StoredEvidence,
} from "./ingest.ts";
export {
  authorizeLinking, linkEvidence, linkInTransaction, listEvidenceLinks, listRecordEvidence, receiveEvidenceForRecord, unlinkEvidence, LinkEvidenceSchema, UnlinkEvidenceSchema,
  type EvidenceLinkView, type LazyBody, type LinkedEvidence,
} from "./links.ts";
export { findEvidenceRow, getEvidence, listEvidence, openEvidenceContent, readEvidenceMetadata, redactEvidence, type EvidenceContent, type EvidenceSummary } from "./read.ts";
export {
  exportSealedIdentity,
  exportVaultIdentity,
  initVaultKeys,
  moveSecretValues,
  rotateVaultKeys,
  sealVault,
  unsealVault,
  vaultStatus,
  type KeyOptions,
  type SealPlan,
  type UnsealInput,
  type VaultStatus,
} from "./vault-keys.ts";
export { custodyHistory, type CustodyEntry } from "./history.ts";
export { currentRecipient, requireIdentity } from "./vault-keys.ts";
export { withPrivateDirectory } from "./exiftool.ts";
