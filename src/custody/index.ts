// The custody ledger with I/O: appends inside the caller's transaction, signed checkpoints,
// proofs and tiles from the database, and full verification. The pure engine is src/ledger.
export { appendCustodyEvent, appendCustodyEvents, ledgerSize, type CustodyEventInput } from "./append.ts";
export { DbHashReader } from "./hash-reader.ts";
