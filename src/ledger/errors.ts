/**
 * One error type for the whole ledger engine: callers (services, the HTTP router, the CLI)
 * switch on `code` rather than on message text, and map it to their own typed errors.
 */
export type LedgerErrorCode =
  | "non-canonical-json"
  | "invalid-event"
  | "leaf-too-large"
  | "malformed-key"
  | "malformed-note"
  | "unverified-note"
  | "invalid-signature"
  | "malformed-checkpoint"
  | "malformed-tile-path"
  | "malformed-bundle"
  | "out-of-range"
  | "store";

export class LedgerError extends Error {
  readonly code: LedgerErrorCode;

  constructor(code: LedgerErrorCode, message: string) {
    super(message);
    this.name = "LedgerError";
    this.code = code;
  }
}
