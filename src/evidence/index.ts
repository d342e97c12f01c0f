// The evidence vault's service: the only door routes and commands use.
export { BlobStore, type SinkFactory } from "./blob-store.ts";
export { operatorCaller, personCaller, type Caller } from "./caller.ts";
export { TooLarge } from "./errors.ts";
export { authorizeUpload, checkDeclaredSize, receiveEvidence, type EvidenceMetadata, type IncomingFile, type ReceivedEvidence } from "./ingest.ts";
export { getEvidence, listEvidence, openEvidenceContent, readEvidenceMetadata, redactEvidence, type EvidenceContent, type EvidenceSummary } from "./read.ts";
export {
  exportVaultIdentity,
  initVaultKeys,
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
