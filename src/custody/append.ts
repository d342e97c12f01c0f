import { sql } from "kysely";
import {
  encodeLeaf,
  hashLeaf,
  newCustodyEvent,
  storedHashesForAppend,
  type CustodyEventKind,
  type JsonObject,
} from "../ledger/index.ts";
import type { Services, Tx } from "../context.ts";
import { DbHashReader } from "./hash-reader.ts";

/** One event for the custody ledger, as a service knows it. */
export interface CustodyEventInput {
  kind: CustodyEventKind;
  /** The organisation whose evidence or record the event is about; written into the leaf as details.org. */
  orgId: string;
  /** Opaque id of the evidence item or record (a UUID, a blob's SHA-256…), never a name. */
  subject: string;
  /** The acting user's `pseudonym`, or a process label such as "system:vigil". */
  actorPseudonym: string;
  /** Small, non-identifying facts (sizes, hashes, formats). The key `org` is reserved. */
  details?: JsonObject;
}

/**
 * Key of the advisory lock that serialises appends across every process sharing the database:
 * a leaf index is the tree size read under it, so two writers never take the same one.
 */
export const APPEND_LOCK = 0x5649_4731; // "VIG1"

// 3 parameters per leaf row and 2 per hash row: stays far below PostgreSQL's 65,535 bind parameters.
const ROWS_PER_INSERT = 5_000;

/** Number of leaves in the log, as seen by this transaction. */
export async function ledgerSize(db: Tx): Promise<number> {
  const row = await db
    .selectFrom("ledger_leaves")
    .select(sql<number | null>`max(idx)`.as("last"))
    .executeTakeFirstOrThrow();
  return row.last === null ? 0 : Number(row.last) + 1;
}

/**
 * Appends events to the custody ledger INSIDE the caller's transaction: the change and its
 * ledger events commit together or not at all. Returns the leaf index of each event, in order.
 * Holding the append lock until commit means concurrent writers queue here, so keep the
 * transaction short after calling this. Called with the plain database, it opens its own.
 */
export async function appendCustodyEvents(
  tx: Tx,
  services: Services,
  events: readonly CustodyEventInput[],
): Promise<number[]> {
  if (events.length === 0) return [];
  if (!tx.isTransaction) return tx.transaction().execute((own) => appendCustodyEvents(own, services, events));
  const time = services.now();
  // Encode (and so validate) before taking the lock: a bad event costs nobody else any waiting.
  const leaves = events.map((event) =>
    encodeLeaf(
      newCustodyEvent({
        kind: event.kind,
        subject: event.subject,
        actor: event.actorPseudonym,
        time,
        details: { ...event.details, org: event.orgId },
      }),
    ),
  );
  await sql`SELECT pg_advisory_xact_lock(${APPEND_LOCK})`.execute(tx);
  const size = await ledgerSize(tx);
  const written = await storedHashesForAppend(size, leaves.map(hashLeaf), new DbHashReader(tx));
  const leafRows = leaves.map((data, i) => ({ idx: size + i, org_id: events[i]!.orgId, data: Buffer.from(data) }));
  for (let i = 0; i < leafRows.length; i += ROWS_PER_INSERT) {
    await tx.insertInto("ledger_leaves").values(leafRows.slice(i, i + ROWS_PER_INSERT)).execute();
  }
  const hashRows = written.hashes.map((hash, i) => ({ idx: written.firstIndex + i, hash: Buffer.from(hash) }));
  for (let i = 0; i < hashRows.length; i += ROWS_PER_INSERT) {
    await tx.insertInto("ledger_hashes").values(hashRows.slice(i, i + ROWS_PER_INSERT)).execute();
  }
  return leafRows.map((row) => row.idx);
}

/** The single-event door the vault and the record services call. */
export async function appendCustodyEvent(tx: Tx, services: Services, event: CustodyEventInput): Promise<number> {
  const [index] = await appendCustodyEvents(tx, services, [event]);
  return index!;
}
