// Merging two records that are one (the same person entered twice), and undoing it.
//
// Merging B into A copies every live statement of B onto A, each with its source, author and time
// and a pointer to the statement it came from (copied_from); B's statements are retracted, so both
// histories read exactly. Statements of other records that pointed at B are replaced by ones that
// point at A (a revision on each such record); statements citing B as their source are re-pointed
// in place. B stays as an archived redirect to A. Every move is written down (entity_merge_moves),
// so undoing the merge puts back exactly what B had and what pointed at it. B's tags, assignment
// and access list are carried to A too (merge-marks.ts). One transaction each.
import { randomUUID } from "node:crypto";
import { sql } from "kysely";
import { z } from "zod";
import { can, Conflict, Invalid, NotFound, type Actor } from "../core/index.ts";
import type { Origin, Services, Tx } from "../context.ts";
import type { EntityMergeRow, EntityRow, StatementRow } from "../db/index.ts";
import { recordAudit, requirePermission } from "../audit/index.ts";
import { parseInput } from "../accounts/index.ts";
import { appendCustodyEvent } from "../custody/index.ts";
import { refreshNameKeys } from "../screening/index.ts";
import { refreshSearchDocuments } from "../search/index.ts";
import { recordsChanged } from "./changes.ts";
import { anyRecord, loadRecord, requireOnRecord, UUID, type LoadedRecord } from "./access.ts";
import { inputOf } from "./entities.ts";
import { findSchema } from "./model.ts";
import { carryMarks, uncarryMarks } from "./merge-marks.ts";
import { refreshNameSortKeys } from "./name-sort-key.ts";
import { isAncestor } from "./relationships.ts";
import { copyOf, countByProperty, insertStatementRows, statementRow } from "./statements.ts";
import { ReasonSchema } from "./input.ts";

export const MergeSchema = z.strictObject({
  /** The record entered twice, merged into the one named in the path. */
  duplicate: z.uuid("the id of the record to merge into this one"),
  reason: ReasonSchema,
  /** The revisions the caller saw of this record and of the duplicate: a record changed since is refused (409). */
  revision: z.number().int().min(1),
  duplicateRevision: z.number().int().min(1),
});

export const UndoMergeSchema = z.strictObject({ reason: ReasonSchema });

export interface MergeView {
  id: string;
  /** The record that stayed. */
  target: string;
  /** The record merged into it, now a redirect. */
  merged: string;
  reason: string;
  author: string | null;
  createdAt: Date;
  targetRevision: number;
  mergedRevision: number;
  moved: { statements: number; references: number; citations: number };
  undone: { at: Date; by: string | null; reason: string } | null;
}

/** Rows of both records locked in id order, so two merges over the same pair cannot deadlock. */
async function lockRows(tx: Tx, ids: readonly string[]): Promise<Map<string, EntityRow>> {
  const rows = await tx.selectFrom("entities").selectAll().where("id", "in", [...ids]).orderBy("id").forUpdate().execute();
  return new Map(rows.map((r) => [r.id, r]));
}

/** Bumps the revision of each record, returning the new revision of each. */
async function nextRevisions(tx: Tx, ids: readonly string[], now: Date): Promise<Map<string, number>> {
  if (ids.length === 0) return new Map();
  const rows = await tx.updateTable("entities").set({ revision: sql<number>`revision + 1`, updated_at: now }).where("id", "in", [...ids]).returning(["id", "revision"]).execute();
  return new Map(rows.map((r) => [r.id, r.revision]));
}

/** Retracts statements, each at its own record's revision (just bumped in this transaction). */
async function retractAtCurrentRevision(tx: Tx, actor: Actor, ids: readonly string[], now: Date): Promise<void> {
  for (let i = 0; i < ids.length; i += 5000) {
    await tx
      .updateTable("statements")
      .set({ retracted_at: now, retracted_by: actor.userId, retracted_revision: sql<number>`(select e.revision from entities e where e.id = statements.entity_id)` })
      .where("id", "in", ids.slice(i, i + 5000))
      .where("retracted_at", "is", null)
      .execute();
  }
}

async function pseudonymOf(tx: Tx, userId: string): Promise<string> {
  const row = await tx.selectFrom("users").select("pseudonym").where("id", "=", userId).executeTakeFirstOrThrow();
  return row.pseudonym;
}

function mergeView(row: EntityMergeRow, counts: MergeView["moved"]): MergeView {
  return {
    id: row.id,
    target: row.target_id,
    merged: row.merged_id,
    reason: row.reason,
    author: row.author_id,
    createdAt: row.created_at,
    targetRevision: row.target_revision,
    mergedRevision: row.merged_revision,
    moved: counts,
    undone: row.undone_at ? { at: row.undone_at, by: row.undone_by, reason: row.undo_reason ?? "" } : null,
  };
}

/** Users who may read restricted values of a record: its access list (administrators read everything anyway). */
async function accessList(tx: Tx, entityId: string): Promise<Set<string>> {
  return new Set((await tx.selectFrom("entity_access").select("user_id").where("entity_id", "=", entityId).execute()).map((r) => r.user_id));
}

/**
 * The checks made before anything is written, in the order a person would want to hear them.
 * Refuses: a record into itself, records of schemata that are not one kind of thing, archived or
 * merged records, stale revisions, and a merge that would show restricted values of the duplicate
 * to someone who could not read them before.
 */
async function checkMergeable(tx: Tx, target: EntityRow, duplicate: EntityRow, input: z.infer<typeof MergeSchema>): Promise<void> {
  for (const [row, label] of [[target, "this record"], [duplicate, "the duplicate"]] as const) {
    if (row.merged_into) throw new Conflict(`${label} was already merged into another record`);
    if (row.archived_at) throw new Conflict(`${label} is archived: restore it before merging`);
  }
  const targetSchema = findSchema(target.schema)!;
  if (!targetSchema.isA(duplicate.schema)) {
    if (findSchema(duplicate.schema)!.isA(target.schema)) {
      throw new Invalid(`a ${duplicate.schema} cannot be merged into a ${target.schema}, which is less specific: merge this record into the ${duplicate.schema} instead`, { duplicate: "merge the other way round" });
    }
    throw new Invalid(`a ${duplicate.schema} cannot be merged into a ${target.schema}: they are not the same kind of record`, { duplicate: `must be a ${target.schema} record` });
  }
  if (target.revision !== input.revision) throw new Conflict(`this record is at revision ${target.revision}, not ${input.revision}: someone changed it since you opened it; reload it and try again`);
  if (duplicate.revision !== input.duplicateRevision) {
    throw new Conflict(`the duplicate is at revision ${duplicate.revision}, not ${input.duplicateRevision}: someone changed it since you opened it; reload it and try again`);
  }
  const hasRestrictedValues = await tx.selectFrom("statements").select("id").where("entity_id", "=", duplicate.id).where("retracted_at", "is", null).where("sensitivity", "=", "restricted").limit(1).executeTakeFirst();
  if (duplicate.restricted || hasRestrictedValues) {
    if (duplicate.restricted && !target.restricted) {
      throw new Conflict("the duplicate is restricted and this record is not: merging would show it to everyone; restrict this record first");
    }
    const [targetList, duplicateList] = [await accessList(tx, target.id), await accessList(tx, duplicate.id)];
    if ([...targetList].some((user) => !duplicateList.has(user))) {
      throw new Conflict("merging would show the duplicate's restricted values to people on this record's access list who are not on the duplicate's: align the two access lists first");
    }
  }
}

export async function mergeEntities(services: Services, origin: Origin, actor: Actor, targetId: string, raw: unknown): Promise<MergeView> {
  await requirePermission(services, origin, can(actor, "record.merge", anyRecord(actor)), actor, "record.merge", { type: "entity", id: null });
  const target = await loadRecord(services, actor, targetId);
  await requireOnRecord(services, origin, actor, "record.merge", target);
  const input = parseInput(MergeSchema, await inputOf(raw));
  const duplicateId = input.duplicate.toLowerCase();
  if (duplicateId === target.row.id) throw new Invalid("a record cannot be merged into itself", { duplicate: "must be another record" });
  let duplicate: LoadedRecord;
  try {
    duplicate = await loadRecord(services, actor, duplicateId);
  } catch (error) {
    if (error instanceof NotFound) throw new Invalid("there is no such record to merge", { duplicate: "no such record" });
    throw error;
  }
  await requireOnRecord(services, origin, actor, "record.merge", duplicate);
  const now = services.now();
  const mergeId = randomUUID();
  const view = await services.db.transaction().execute(async (tx) => {
    const locked = await lockRows(tx, [target.row.id, duplicate.row.id]);
    const a = locked.get(target.row.id)!;
    const b = locked.get(duplicate.row.id)!;
    await checkMergeable(tx, a, b, input);

    const own = await tx.selectFrom("statements").selectAll().where("entity_id", "=", b.id).where("retracted_at", "is", null).orderBy("seq").execute();
    const selfReference = own.find((s) => s.ref_id === a.id);
    if (selfReference) throw new Conflict(`the duplicate points at this record through "${selfReference.property}": remove that link before merging, or it would point at itself`);
    const references = await tx
      .selectFrom("statements")
      .selectAll()
      .where("ref_id", "=", b.id)
      .where("retracted_at", "is", null)
      .where("entity_id", "<>", b.id)
      .orderBy("seq")
      .execute();
    const fromTarget = references.find((s) => s.entity_id === a.id);
    if (fromTarget) throw new Conflict(`this record points at the duplicate through "${fromTarget.property}": remove that link before merging, or it would point at itself`);

    const referring = [...new Set(references.map((s) => s.entity_id))].sort();
    if (referring.length > 0) await tx.selectFrom("entities").select("id").where("id", "in", referring).orderBy("id").forUpdate().execute();
    const revisions = await nextRevisions(tx, [a.id, b.id, ...referring], now);
    const targetRevision = revisions.get(a.id)!;
    const mergedRevision = revisions.get(b.id)!;
    await tx
      .insertInto("entity_merges")
      .values({ id: mergeId, org_id: actor.orgId, target_id: a.id, merged_id: b.id, reason: input.reason, author_id: actor.userId, created_at: now, target_revision: targetRevision, merged_revision: mergedRevision })
      .execute();

    // B's tags, assignment and access list onto A, read while B's restricted values are still its own.
    const carried = await carryMarks(tx, actor, mergeId, a, b, now);
    // B's statements onto A, with their provenance.
    const copies = own.map((s) => copyOf(services, s));
    await insertStatementRows(tx, copies.map((c) => statementRow(services, actor, a.id, targetRevision, c, now)));
    // The other records' references to B, replaced by references to A.
    const repointed = references.map((s) => ({ from: s, to: copyOf(services, s, { value: a.id, ref: a.id }) }));
    await insertStatementRows(tx, repointed.map((r) => statementRow(services, actor, r.from.entity_id, revisions.get(r.from.entity_id)!, r.to, now)));
    await retractAtCurrentRevision(tx, actor, [...own.map((s) => s.id), ...references.map((s) => s.id)], now);
    // Statements citing B as their source now cite A: the same source, known under one id.
    const citations = await tx.updateTable("statements").set({ source_id: a.id }).where("source_id", "=", b.id).where("retracted_at", "is", null).returning(["id", "entity_id"]).execute();

    const moves = [
      ...own.map((s, i) => ({ merge_id: mergeId, kind: "statement" as const, entity_id: a.id, from_statement: s.id, to_statement: copies[i]!.id })),
      ...repointed.map((r) => ({ merge_id: mergeId, kind: "reference" as const, entity_id: r.from.entity_id, from_statement: r.from.id, to_statement: r.to.id })),
      ...citations.map((c) => ({ merge_id: mergeId, kind: "citation" as const, entity_id: c.entity_id, from_statement: c.id, to_statement: null })),
    ];
    for (let i = 0; i < moves.length; i += 5000) await tx.insertInto("entity_merge_moves").values(moves.slice(i, i + 5000)).execute();

    await checkRepointedRelationships(tx, actor, a.id, references);

    await tx
      .updateTable("entities")
      .set({ merged_into: a.id, merge_id: mergeId, archived_at: now, archived_by: actor.userId, archive_reason: `merged into another record: ${input.reason}`.slice(0, 2000) })
      .where("id", "=", b.id)
      .execute();
    const revisionRows = [
      { entity_id: a.id, number: targetRevision, summary: { merge: mergeId, mergedFrom: b.id, added: countByProperty(own), retracted: {} } },
      { entity_id: b.id, number: mergedRevision, summary: { merge: mergeId, mergedInto: a.id, added: {}, retracted: countByProperty(own) } },
      ...referring.map((id) => ({ entity_id: id, number: revisions.get(id)!, summary: { merge: mergeId, repointed: countByProperty(references.filter((s) => s.entity_id === id)) } })),
    ];
    await tx
      .insertInto("entity_revisions")
      .values(revisionRows.map((r) => ({ entity_id: r.entity_id, number: r.number, kind: "merge" as const, author_id: actor.userId, reason: input.reason, created_at: now, summary: JSON.stringify(r.summary) })))
      .execute();
    await refreshNameSortKeys(tx, [a.id, b.id]);
    await refreshNameKeys(tx, a.id);
    await refreshNameKeys(tx, b.id);
    await refreshSearchDocuments(tx, [a.id, b.id]);
    await recordsChanged(tx, [a.id, b.id, ...referring]);
    const counts = { statements: own.length, references: references.length, citations: citations.length };
    await recordAudit(tx, origin, { orgId: actor.orgId, actorId: actor.userId, action: "record.merge", targetType: "entity", targetId: a.id, details: { merge: mergeId, merged: b.id, ...counts, carried } });
    await appendCustodyEvent(tx, services, { kind: "merged", orgId: actor.orgId, subject: b.id, actorPseudonym: await pseudonymOf(tx, actor.userId), details: { into: a.id, merge: mergeId } });
    const row = await tx.selectFrom("entity_merges").selectAll().where("id", "=", mergeId).executeTakeFirstOrThrow();
    return mergeView(row, counts);
  });
  return view;
}

/**
 * After references to B point at A, relationships must still make sense: no relationship whose two
 * ends are now one record, and no membership chain that now loops. Throwing here rolls the merge back.
 */
async function checkRepointedRelationships(tx: Tx, actor: Actor, targetId: string, references: readonly StatementRow[]): Promise<void> {
  const relationships = [...new Set(references.map((s) => s.entity_id))];
  if (relationships.length === 0) return;
  const rows = await tx.selectFrom("entities").select(["id", "schema"]).where("id", "in", relationships).execute();
  const statements = await tx.selectFrom("statements").select(["entity_id", "property", "ref_id"]).where("entity_id", "in", relationships).where("retracted_at", "is", null).where("ref_id", "is not", null).execute();
  for (const row of rows) {
    const edge = findSchema(row.schema)?.edge;
    if (!edge?.source || !edge.target) continue;
    const ends = (property: string) => statements.filter((s) => s.entity_id === row.id && s.property === property).map((s) => s.ref_id!);
    const [sources, targets] = [ends(edge.source), ends(edge.target)];
    if (sources.some((s) => targets.includes(s))) {
      throw new Conflict(`merging would leave a ${row.schema} relating a record to itself: archive or change that relationship first`);
    }
    if (findSchema(row.schema)!.isA("Membership")) {
      for (const member of sources) {
        for (const organisation of targets) {
          if ((member === targetId || organisation === targetId) && (await isAncestor(tx, actor, member, organisation, row.id))) {
            throw new Conflict("merging would make an organisation its own ancestor through memberships: change those memberships first");
          }
        }
      }
    }
  }
}

async function loadMerge(services: Services, actor: Actor, mergeId: string, db: Tx = services.db): Promise<{ row: EntityMergeRow; target: LoadedRecord; merged: LoadedRecord }> {
  const row = UUID.test(mergeId) ? await db.selectFrom("entity_merges").selectAll().where("id", "=", mergeId).where("org_id", "=", actor.orgId).executeTakeFirst() : undefined;
  if (!row) throw new NotFound("no such merge");
  try {
    // A merge is known only to whoever may know of both records.
    return { row, target: await loadRecord(services, actor, row.target_id, db), merged: await loadRecord(services, actor, row.merged_id, db) };
  } catch (error) {
    if (error instanceof NotFound) throw new NotFound("no such merge");
    throw error;
  }
}

async function countMoves(db: Tx, mergeId: string): Promise<MergeView["moved"]> {
  const rows = await db.selectFrom("entity_merge_moves").select(["kind", (eb) => eb.fn.countAll<number>().as("n")]).where("merge_id", "=", mergeId).groupBy("kind").execute();
  const of = (kind: string) => Number(rows.find((r) => r.kind === kind)?.n ?? 0);
  return { statements: of("statement"), references: of("reference"), citations: of("citation") };
}

export async function getMerge(services: Services, origin: Origin, actor: Actor, mergeId: string): Promise<MergeView> {
  await requirePermission(services, origin, can(actor, "record.view", anyRecord(actor)), actor, "record.view", { type: "entity", id: null });
  const { row } = await loadMerge(services, actor, mergeId);
  return mergeView(row, await countMoves(services.db, row.id));
}

/**
 * Undoes a merge: B gets back every statement it had (copies of the originals, pointing at them),
 * the copies on A that are still there are retracted, references re-pointed to A that are still
 * there point at B again, citations cite B again, and B is a live record once more. Changes made to
 * A since the merge stay. Refused when A has itself been merged away since (undo that first).
 */
export async function undoMerge(services: Services, origin: Origin, actor: Actor, mergeId: string, raw: unknown): Promise<MergeView> {
  await requirePermission(services, origin, can(actor, "record.merge", anyRecord(actor)), actor, "record.merge", { type: "entity", id: null });
  const merge = await loadMerge(services, actor, mergeId);
  await requireOnRecord(services, origin, actor, "record.merge", merge.target);
  await requireOnRecord(services, origin, actor, "record.merge", merge.merged);
  const input = parseInput(UndoMergeSchema, await inputOf(raw));
  const now = services.now();
  return services.db.transaction().execute(async (tx) => {
    const locked = await lockRows(tx, [merge.row.target_id, merge.row.merged_id]);
    const a = locked.get(merge.row.target_id)!;
    const b = locked.get(merge.row.merged_id)!;
    const current = await tx.selectFrom("entity_merges").selectAll().where("id", "=", merge.row.id).forUpdate().executeTakeFirstOrThrow();
    if (current.undone_at) throw new Conflict("this merge was already undone");
    if (b.merge_id !== current.id) throw new Conflict("the merged record is no longer this merge's redirect");
    if (a.merged_into) throw new Conflict("the record it was merged into has itself been merged into another since: undo that merge first");

    const moves = await tx.selectFrom("entity_merge_moves").selectAll().where("merge_id", "=", current.id).execute();
    const statementMoves = moves.filter((m) => m.kind === "statement");
    const referenceMoves = moves.filter((m) => m.kind === "reference");
    const citationMoves = moves.filter((m) => m.kind === "citation");
    const ids = [...new Set(moves.flatMap((m) => [m.from_statement, ...(m.to_statement ? [m.to_statement] : [])]))];
    const byId = new Map<string, StatementRow>();
    for (let i = 0; i < ids.length; i += 5000) for (const s of await tx.selectFrom("statements").selectAll().where("id", "in", ids.slice(i, i + 5000)).execute()) byId.set(s.id, s);

    // References still as the merge left them go back to B; ones changed since stay as they are.
    const liveReferences = referenceMoves.filter((m) => byId.get(m.to_statement!)!.retracted_at === null);
    const referring = [...new Set(liveReferences.map((m) => m.entity_id))].sort();
    if (referring.length > 0) await tx.selectFrom("entities").select("id").where("id", "in", referring).orderBy("id").forUpdate().execute();
    const revisions = await nextRevisions(tx, [a.id, b.id, ...referring], now);
    const liveCopies = statementMoves.filter((m) => byId.get(m.to_statement!)!.retracted_at === null);
    await retractAtCurrentRevision(tx, actor, [...liveCopies.map((m) => m.to_statement!), ...liveReferences.map((m) => m.to_statement!)], now);
    const restored = statementMoves.map((m) => copyOf(services, byId.get(m.from_statement)!));
    await insertStatementRows(tx, restored.map((c) => statementRow(services, actor, b.id, revisions.get(b.id)!, c, now)));
    const pointedBack = liveReferences.map((m) => ({ entity: m.entity_id, write: copyOf(services, byId.get(m.from_statement)!) }));
    await insertStatementRows(tx, pointedBack.map((r) => statementRow(services, actor, r.entity, revisions.get(r.entity)!, r.write, now)));
    if (citationMoves.length > 0) {
      const citing = citationMoves.map((m) => m.from_statement);
      for (let i = 0; i < citing.length; i += 5000) await tx.updateTable("statements").set({ source_id: b.id }).where("id", "in", citing.slice(i, i + 5000)).where("source_id", "=", a.id).execute();
    }
    await uncarryMarks(tx, actor, current.id, a.id, now);
    await tx.updateTable("entities").set({ merged_into: null, merge_id: null, archived_at: null, archived_by: null, archive_reason: null }).where("id", "=", b.id).execute();
    await tx.updateTable("entity_merges").set({ undone_at: now, undone_by: actor.userId, undo_reason: input.reason }).where("id", "=", current.id).execute();
    const retractedOnA = liveCopies.map((m) => byId.get(m.to_statement!)!);
    const revisionRows = [
      { entity_id: a.id, summary: { merge: current.id, mergedFrom: b.id, added: {}, retracted: countByProperty(retractedOnA) } },
      { entity_id: b.id, summary: { merge: current.id, mergedInto: a.id, added: countByProperty(restored), retracted: {} } },
      ...referring.map((id) => ({ entity_id: id, summary: { merge: current.id, repointed: countByProperty(pointedBack.filter((r) => r.entity === id).map((r) => r.write)) } })),
    ];
    await tx
      .insertInto("entity_revisions")
      .values(revisionRows.map((r) => ({ entity_id: r.entity_id, number: revisions.get(r.entity_id)!, kind: "unmerge" as const, author_id: actor.userId, reason: input.reason, created_at: now, summary: JSON.stringify(r.summary) })))
      .execute();
    await refreshNameSortKeys(tx, [a.id, b.id]);
    await refreshNameKeys(tx, a.id);
    await refreshNameKeys(tx, b.id);
    await refreshSearchDocuments(tx, [a.id, b.id]);
    await recordsChanged(tx, [a.id, b.id, ...referring]);
    await recordAudit(tx, origin, { orgId: actor.orgId, actorId: actor.userId, action: "record.unmerge", targetType: "entity", targetId: a.id, details: { merge: current.id, merged: b.id } });
    await appendCustodyEvent(tx, services, { kind: "merged", orgId: actor.orgId, subject: b.id, actorPseudonym: await pseudonymOf(tx, actor.userId), details: { undone: current.id, from: a.id } });
    const row = await tx.selectFrom("entity_merges").selectAll().where("id", "=", current.id).executeTakeFirstOrThrow();
    return mergeView(row, await countMoves(tx, current.id));
  });
}
