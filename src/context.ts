import type { Kysely, Transaction } from "kysely";
import type { Logger } from "pino";
import type { Config } from "./config.ts";
import type { DatabaseKind, Schema } from "./db/index.ts";
import type { Keyring } from "./keys/index.ts";

/** What every service needs, built once at start and passed down. */
export interface Services {
  db: Kysely<Schema>;
  dbKind: DatabaseKind;
  config: Config;
  appKey: Buffer;
  log: Logger;
  /** The organisations' unsealed age identities, in this process's memory only. */
  keyring: Keyring;
  /** The clock, replaceable in tests. */
  now: () => Date;
}

/** Where a call came from: written to the audit trail with every change. */
export interface Origin {
  requestId: string | null;
  ip: string | null;
  userAgent: string | null;
}

export type Tx = Transaction<Schema> | Kysely<Schema>;

export const NO_ORIGIN: Origin = { requestId: null, ip: null, userAgent: null };
