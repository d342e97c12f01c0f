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
  /** The organisation whose evidence or record the event is about: the event goes to its log, and into the leaf as details.org. */
  orgId: string;
  /** Opaque id of the evidence item or record (a UUID, a blob's SHA-256…), never a name. */
  subject: string;
  /** The acting user's `pseudonym`, or a process label such as "system:vigil". */
  actorPseudonym: string;
  /** Small, non-identifying facts (sizes, hashes, formats). The key `org` is reserved. */
  details?: JsonObject;
}

/**
 * Class of the advisory locks that serialise appends to one organisation's log across every
 * process sharing the database: a leaf index is the tree size read under the lock, so two
 * writers never take the same one. The second key is hashtext(org id); a collision between two
 * organisations only makes them queue together.
 */
export const APPEND_LOCK = 0x5649_4731; // "VIG1"

// 3 parameters per row: stays far below PostgreSQL's 65,535 bind parameters.
const ROWS_PER_INSERT = 5_000;

/** Number of leaves in an organisation's log, as seen by this transaction. */
export async function ledgerSize(db: Tx, orgId: string): Promise<number> {
  const row = await db
    .selectFrom("ledger_leaves")
    .select(sql<number | null>`max(idx)`.as("last"))
    .where("org_id", "=", orgId)
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
  // Each organisation's events go to its own log; lock the logs in one order so two writers cannot deadlock.
  const orgIds = [...new Set(events.map((event) => event.orgId))].sort();
  const indexOf = new Map<number, number>();
  for (const orgId of orgIds) {
    const positions = events.flatMap((event, i) => (event.orgId === orgId ? [i] : []));
    const first = await appendToLog(tx, orgId, positions.map((i) => leaves[i]!));
    positions.forEach((position, k) => indexOf.set(position, first + k));
  }
  return events.map((_, i) => indexOf.get(i)!);
}

/** Appends leaves to one organisation's log under its lock; returns the index of the first. */
async function appendToLog(tx: Tx, orgId: string, leaves: readonly Uint8Array[]): Promise<number> {
  await sql`SELECT pg_advisory_xact_lock(${APPEND_LOCK}, hashtext(${orgId}))`.execute(tx);
  const size = await ledgerSize(tx, orgId);
  const written = await storedHashesForAppend(size, leaves.map(hashLeaf), new DbHashReader(tx, orgId));
  const leafRows = leaves.map((data, i) => ({ org_id: orgId, idx: size + i, data: Buffer.from(data) }));
  for (let i = 0; i < leafRows.length; i += ROWS_PER_INSERT) {
    await tx.insertInto("ledger_leaves").values(leafRows.slice(i, i + ROWS_PER_INSERT)).execute();
  }
  const hashRows = written.hashes.map((hash, i) => ({ org_id: orgId, idx: written.firstIndex + i, hash: Buffer.from(hash) }));
  for (let i = 0; i < hashRows.length; i += ROWS_PER_INSERT) {
    await tx.insertInto("ledger_hashes").values(hashRows.slice(i, i + ROWS_PER_INSERT)).execute();
  }
  return size;
}

/** The single-event door the vault and the record services call. */
export async function appendCustodyEvent(tx: Tx, services: Services, event: CustodyEventInput): Promise<number> {
  const [index] = await appendCustodyEvents(tx, services, [event]);
  return index!;
}
