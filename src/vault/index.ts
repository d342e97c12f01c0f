// The evidence vault's age core: the only door other folders use.
export { AgeError, type AgeErrorCode } from "./errors.ts";
export { Bech32Error, decodeBech32, encodeBech32 } from "./bech32.ts";
export { armor, dearmor } from "./armor.ts";
export {
  decryptBytes,
  decryptStream,
  encryptBytes,
  encryptStream,
  rewrapHeader,
  type Identity,
  type Recipient,
  type StreamOptions,
  type StreamResult,
} from "./age.ts";
export { asBuffer, WRITES_THROUGH, type ByteSink, type ByteSource } from "./io.ts";
export { DEFAULT_SCRYPT_LOG_N, MAX_SCRYPT_LOG_N, type ScryptPassphrase } from "./scrypt.ts";
export {
  formatX25519Identity,
  formatX25519IdentityFile,
  formatX25519Recipient,
  generateX25519Identity,
  parseX25519Identity,
  parseX25519IdentityFile,
  parseX25519Recipient,
  toX25519Recipient,
  type X25519Identity,
  type X25519Recipient,
} from "./x25519.ts";
export { commitToPlaintext, COMMITMENT_LABEL, verifyCommitment, type PlaintextCommitment } from "./commitment.ts";
export { combineShares, decodeShare, encodeShare, ShareError, splitSecret, type Share } from "./shamir.ts";
export {
  sealIdentity,
  sealIdentityShares,
  unsealWithPassphrase,
  unsealWithShares,
  type KeyHolder,
  type SealedShare,
  type SealOptions,
} from "./keyring.ts";
