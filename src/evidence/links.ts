import { randomUUID } from "node:crypto";
import { z } from "zod";
import { parseInput } from "../accounts/index.ts";
import { recordAudit } from "../audit/index.ts";
import { Conflict, Forbidden, NotFound, type Actor } from "../core/index.ts";
import type { Origin, Services, Tx } from "../context.ts";
import { appendCustodyEvent } from "../custody/index.ts";
import { loadRecord, requireOnRecord, visibleIds, type LoadedRecord } from "../records/index.ts";
import { auditActor, authorizeCaller, ledgerActor, orgOf, type Caller } from "./caller.ts";
import { authorizeUpload, receiveEvidence, type IncomingFile, type ReceivedEvidence } from "./ingest.ts";
import { findEvidenceRow, summarise, SUMMARY_COLUMNS, type EvidenceSummary } from "./read.ts";

/**
 * Evidence linked to the records it supports. A link is asked of both ends: the caller must be
 * allowed to link evidence (those who document) and to edit the record; a record the caller may
 * not know of (another organisation's, or restricted without them on its list) is not found, so
 * neither linking to it nor listing its evidence confirms that it exists. Links are never
 * deleted: withdrawing one stamps it with its author and reason, and each end is a custody-ledger
 * event on the evidence, with the audit event, in the same transaction.
 */

export interface EvidenceLinkView {
  id: string;
  evidenceId: string;
  entityId: string;
  reason: string;
  linkedBy: string | null;
  /** The member's name, for pages (filled by the listings). */
  linkedByName?: string | null;
  linkedAt: Date;
  ledgerIndex: number;
  unlinked: { at: Date; by: string | null; byName?: string | null; reason: string; ledgerIndex: number } | null;
}

/** A request body read only once permission is granted: a refused caller learns nothing about input handling. */
export type LazyBody = unknown | (() => Promise<unknown>);

async function bodyOf(raw: LazyBody): Promise<unknown> {
  return typeof raw === "function" ? (raw as () => Promise<unknown>)() : raw;
}

const ReasonSchema = z.string().trim().min(1, "say why").max(2000, "at most 2000 characters");
export const LinkEvidenceSchema = z.strictObject({ evidence: z.uuid("the id of an evidence item"), reason: ReasonSchema });
export const UnlinkEvidenceSchema = z.strictObject({ reason: ReasonSchema });

type LinkRow = {
  id: string;
  evidence_id: string;
  entity_id: string;
  reason: string;
  linked_by: string | null;
  linked_at: Date;
  ledger_index: number;
  unlinked_at: Date | null;
  unlinked_by: string | null;
  unlink_reason: string | null;
  unlink_ledger_index: number | null;
};

function linkView(row: LinkRow): EvidenceLinkView {
  return {
    id: row.id,
    evidenceId: row.evidence_id,
    entityId: row.entity_id,
    reason: row.reason,
    linkedBy: row.linked_by,
    linkedAt: row.linked_at,
    ledgerIndex: row.ledger_index,
    unlinked: row.unlinked_at ? { at: row.unlinked_at, by: row.unlinked_by, reason: row.unlink_reason ?? "", ledgerIndex: row.unlink_ledger_index ?? 0 } : null,
  };
}

const LINK_COLUMNS = ["id", "evidence_id", "entity_id", "reason", "linked_by", "linked_at", "ledger_index", "unlinked_at", "unlinked_by", "unlink_reason", "unlink_ledger_index"] as const;

function personOf(caller: Caller): Actor {
  // Records are read through a person's access; the console operator has no place on an access list.
  if (caller.kind !== "person") throw new Forbidden("linking evidence to records is done by a person");
  return caller.actor;
}

/**
 * Refuses, before anything is read or written, a caller who may not link evidence to the record:
 * the role first (403, audited), then whether the record exists for them (404), then whether they
 * may edit it (403, audited). A record merged into another takes no new links.
 */
export async function authorizeLinking(services: Services, origin: Origin, caller: Caller, entityId: string): Promise<LoadedRecord> {
  const actor = personOf(caller);
  await authorizeCaller(services, origin, caller, "evidence.link", { kind: "evidence", orgId: actor.orgId }, { type: "entity", id: null });
  const record = await loadRecord(services, actor, entityId);
  await requireOnRecord(services, origin, actor, "record.edit", record);
  if (record.row.merged_into) throw new Conflict("the record was merged into another: link the evidence to that one");
  return record;
}

/**
 * Links an item to a record INSIDE the caller's transaction, once both ends are known to be the
 * caller's to link (an upload to a record, a web capture and `linkEvidence` all come here).
 */
export async function linkInTransaction(tx: Tx, services: Services, origin: Origin, caller: Caller, input: { evidenceId: string; entityId: string; reason: string }): Promise<EvidenceLinkView> {
  const orgId = orgOf(caller);
  const live = await tx.selectFrom("evidence_links").select("id").where("evidence_id", "=", input.evidenceId).where("entity_id", "=", input.entityId).where("unlinked_at", "is", null).executeTakeFirst();
  if (live) throw new Conflict("this evidence is already linked to the record");
  const id = randomUUID();
  const ledgerIndex = await appendCustodyEvent(tx, services, { kind: "linked", orgId, subject: input.evidenceId, actorPseudonym: ledgerActor(caller), details: { entity: input.entityId, link: id } });
  const row = await tx
    .insertInto("evidence_links")
    .values({ id, org_id: orgId, evidence_id: input.evidenceId, entity_id: input.entityId, reason: input.reason, linked_by: caller.kind === "person" ? caller.actor.userId : null, linked_at: services.now(), ledger_index: ledgerIndex })
    .returning([...LINK_COLUMNS])
    .executeTakeFirstOrThrow();
  await recordAudit(tx, origin, { orgId, ...auditActor(caller), action: "evidence.link", targetType: "evidence", targetId: input.evidenceId, details: { entity: input.entityId, link: id, ledgerIndex } });
  return linkView(row);
}

/**
 * Receives a file straight onto a record: both ends are checked before the body is read (`file`
 * is called only then), and the item, its "received" and "linked" events and both audit events
 * commit together or not at all.
 */
export async function receiveEvidenceForRecord(services: Services, origin: Origin, caller: Caller, entityId: string, file: () => Promise<IncomingFile>): Promise<ReceivedEvidence & { link: EvidenceLinkView }> {
  await authorizeUpload(services, origin, caller);
  const record = await authorizeLinking(services, origin, caller, entityId);
  let link: EvidenceLinkView | undefined;
  const received = await receiveEvidence(services, origin, caller, await file(), {
    within: async (tx, item) => {
      link = await linkInTransaction(tx, services, origin, caller, { evidenceId: item.id, entityId: record.row.id, reason: "uploaded to this record" });
    },
  });
  return { ...received, link: link! };
}

/** Links an existing item of the vault to a record, with the reason it supports it. */
export async function linkEvidence(services: Services, origin: Origin, caller: Caller, entityId: string, raw: LazyBody): Promise<EvidenceLinkView> {
  const record = await authorizeLinking(services, origin, caller, entityId);
  const input = parseInput(LinkEvidenceSchema, await bodyOf(raw));
  const evidence = await findEvidenceRow(services, orgOf(caller), input.evidence);
  return services.db.transaction().execute((tx) => linkInTransaction(tx, services, origin, caller, { evidenceId: evidence.id, entityId: record.row.id, reason: input.reason }));
}

/** Withdraws a link, with a reason; linking the same item again later makes a new link beside it. */
export async function unlinkEvidence(services: Services, origin: Origin, caller: Caller, linkId: string, raw: LazyBody): Promise<EvidenceLinkView> {
  const actor = personOf(caller);
  await authorizeCaller(services, origin, caller, "evidence.link", { kind: "evidence", orgId: actor.orgId }, { type: "evidence-link", id: null });
  const link = z.uuid().safeParse(linkId).success
    ? await services.db.selectFrom("evidence_links").select([...LINK_COLUMNS]).where("id", "=", linkId).where("org_id", "=", actor.orgId).executeTakeFirst()
    : undefined;
  if (!link) throw new NotFound("no such link");
  // The link of a record the caller may not know of is not found either.
  const record = await loadRecord(services, actor, link.entity_id).catch((error: unknown) => {
    throw error instanceof NotFound ? new NotFound("no such link") : error;
  });
  await requireOnRecord(services, origin, actor, "record.edit", record);
  const input = parseInput(UnlinkEvidenceSchema, await bodyOf(raw));
  return services.db.transaction().execute(async (tx) => {
    const current = await tx.selectFrom("evidence_links").select("unlinked_at").where("id", "=", link.id).forUpdate().executeTakeFirstOrThrow();
    if (current.unlinked_at) throw new Conflict("this link was already withdrawn");
    const ledgerIndex = await appendCustodyEvent(tx, services, { kind: "unlinked", orgId: actor.orgId, subject: link.evidence_id, actorPseudonym: ledgerActor(caller), details: { entity: link.entity_id, link: link.id } });
    const row = await tx
      .updateTable("evidence_links")
      .set({ unlinked_at: services.now(), unlinked_by: actor.userId, unlink_reason: input.reason, unlink_ledger_index: ledgerIndex })
      .where("id", "=", link.id)
      .returning([...LINK_COLUMNS])
      .executeTakeFirstOrThrow();
    await recordAudit(tx, origin, { orgId: actor.orgId, ...auditActor(caller), action: "evidence.unlink", targetType: "evidence", targetId: link.evidence_id, details: { entity: link.entity_id, link: link.id, ledgerIndex } });
    return linkView(row);
  });
}

/** Names of the members who linked and withdrew, for the listings: people read who did what, not ids. */
async function withNames<T extends EvidenceLinkView>(services: Services, orgId: string, links: T[]): Promise<T[]> {
  const ids = [...new Set(links.flatMap((l) => [l.linkedBy, l.unlinked?.by ?? null]).filter((id): id is string => id !== null))];
  if (ids.length === 0) return links;
  const rows = await services.db.selectFrom("users as u").innerJoin("memberships as m", "m.user_id", "u.id").select(["u.id", "u.name"]).where("m.org_id", "=", orgId).where("u.id", "in", ids).execute();
  const names = new Map(rows.map((r) => [r.id, r.name]));
  return links.map((l) => ({
    ...l,
    linkedByName: l.linkedBy ? (names.get(l.linkedBy) ?? null) : null,
    unlinked: l.unlinked ? { ...l.unlinked, byName: l.unlinked.by ? (names.get(l.unlinked.by) ?? null) : null } : null,
  }));
}

export interface LinkedEvidence {
  link: EvidenceLinkView;
  evidence: EvidenceSummary;
}

/**
 * The evidence linked to a record the caller may see, newest link first; withdrawn links too when
 * asked (the record's history of its evidence). Needs the right to see evidence and the record.
 */
export async function listRecordEvidence(services: Services, origin: Origin, caller: Caller, entityId: string, options: { withdrawn?: boolean; limit?: number } = {}): Promise<LinkedEvidence[]> {
  const actor = personOf(caller);
  await authorizeCaller(services, origin, caller, "evidence.view", { kind: "evidence", orgId: actor.orgId }, { type: "entity", id: null });
  const record = await loadRecord(services, actor, entityId);
  let query = services.db.selectFrom("evidence_links").select([...LINK_COLUMNS]).where("entity_id", "=", record.row.id).where("org_id", "=", actor.orgId);
  if (!options.withdrawn) query = query.where("unlinked_at", "is", null);
  const links = await query.orderBy("linked_at", "desc").orderBy("id").limit(Math.min(options.limit ?? 200, 500)).execute();
  if (links.length === 0) return [];
  const items = await services.db.selectFrom("evidence").select([...SUMMARY_COLUMNS]).where("id", "in", [...new Set(links.map((l) => l.evidence_id))]).where("org_id", "=", actor.orgId).execute();
  const byId = new Map(items.map((row) => [row.id, summarise(row)]));
  const named = await withNames(services, actor.orgId, links.map(linkView));
  return named.flatMap((link) => {
    const evidence = byId.get(link.evidenceId);
    return evidence ? [{ link, evidence }] : [];
  });
}

/** The records an item is linked to, among those the caller may know of: the others are left out, uncounted. */
export async function listEvidenceLinks(services: Services, origin: Origin, caller: Caller, evidenceId: string, options: { withdrawn?: boolean } = {}): Promise<(EvidenceLinkView & { schema: string })[]> {
  const actor = personOf(caller);
  await authorizeCaller(services, origin, caller, "evidence.view", { kind: "evidence", orgId: actor.orgId }, { type: "evidence", id: evidenceId });
  const evidence = await findEvidenceRow(services, actor.orgId, evidenceId);
  let query = services.db
    .selectFrom("evidence_links as l")
    .innerJoin("entities as n", "n.id", "l.entity_id")
    .select(LINK_COLUMNS.map((c) => `l.${c}` as const))
    .select("n.schema")
    .where("l.evidence_id", "=", evidence.id)
    .where("l.org_id", "=", actor.orgId);
  if (!options.withdrawn) query = query.where("l.unlinked_at", "is", null);
  const rows = await query.orderBy("l.linked_at", "desc").orderBy("l.id").limit(500).execute();
  const visible = await visibleIds(services.db, actor, rows.map((r) => r.entity_id));
  return withNames(services, actor.orgId, rows.filter((r) => visible.has(r.entity_id)).map((r) => ({ ...linkView(r), schema: r.schema })));
}
