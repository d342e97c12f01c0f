import { randomUUID } from "node:crypto";
import { sql } from "kysely";
import { can, Conflict, Forbidden, Invalid, type Actor, type FieldErrors } from "../core/index.ts";
import type { Origin, Services, Tx } from "../context.ts";
import type { EntityRow, StatementRow } from "../db/index.ts";
import { recordAudit, requirePermission } from "../audit/index.ts";
import { parseInput } from "../accounts/index.ts";
import { refreshNameKeys } from "../screening/index.ts";
import { refreshSearchDocuments } from "../search/index.ts";
import { refreshNameSortKeys } from "./name-sort-key.ts";
import { recordsChanged } from "./changes.ts";
import { anyRecord, loadRecord, onAccessListOf, recordSubject, requireOnRecord, visibleIds, visibleRecords } from "./access.ts";
import { isCreatableSchema, findSchema, schemaAndDescendants } from "./model.ts";
import { checkRelationshipRules } from "./relationships.ts";
import { revealSecretValues } from "./secret-values.ts";
import {
  countByProperty, DEFAULT_SENSITIVITY, deriveProperties, insertStatements, liveStatements, planProperties, readableBy, requireProperties, viewStatement,
  type PlannedStatement, type StatementView,
} from "./statements.ts";
import { ArchiveSchema, EntityCreateSchema, EntityListSchema, EntityUpdateSchema, HistoryQuerySchema } from "./input.ts";

export type { StatementView } from "./statements.ts";

/** An entity in FollowTheMoney's JSON shape, with the statements its properties are derived from. */
export interface EntityView {
  id: string;
  schema: string;
  /** The current view: every distinct value the caller may see, conflicting values side by side. */
  properties: Record<string, string[]>;
  statements: StatementView[];
  revision: number;
  restricted: boolean;
  createdAt: Date;
  updatedAt: Date;
  archived: { at: Date; reason: string } | null;
  /** The record this one was merged into (it is then a redirect), when the caller may see that record. */
  mergedInto: string | null;
  /** Working marks, not statements: they are not part of revisions. */
  tags: string[];
  assignee: string | null;
}

export type RevisionKind = "create" | "update" | "archive" | "restore" | "merge" | "unmerge";

export interface RevisionView {
  number: number;
  kind: RevisionKind;
  author: string | null;
  authorName: string | null;
  reason: string;
  createdAt: Date;
  summary: Record<string, unknown>;
}

export interface HistoryView {
  revisions: RevisionView[];
  /** What differs between revision `from` and revision `to` (from 0: everything up to `to`). */
  diff: { from: number; to: number; added: StatementView[]; removed: StatementView[] };
}

export interface EntityPage {
  entities: EntityView[];
  nextCursor: string | null;
}

/**
 * Input a service reads only after it has checked permission: the web layer passes a request body
 * this way, so a refused caller is told 403, not what was wrong with a body nobody would read.
 */
export type LazyInput = () => Promise<unknown>;

export async function inputOf(raw: unknown): Promise<unknown> {
  return typeof raw === "function" ? (raw as LazyInput)() : raw;
}

// ---------------------------------------------------------------------------------------------
// Views

interface Marks {
  tags: Map<string, string[]>;
  assignees: Map<string, string>;
  mergedInto: Map<string, string>;
}

/** Tags, assignees and visible merge targets of a page of records, in three queries. */
async function marksOf(db: Tx, actor: Actor, rows: readonly EntityRow[]): Promise<Marks> {
  const ids = rows.map((r) => r.id);
  const marks: Marks = { tags: new Map(), assignees: new Map(), mergedInto: new Map() };
  if (ids.length === 0) return marks;
  const tags = await db.selectFrom("entity_tags").select(["entity_id", "tag"]).where("entity_id", "in", ids).where("removed_at", "is", null).orderBy("tag").execute();
  for (const t of tags) (marks.tags.get(t.entity_id) ?? marks.tags.set(t.entity_id, []).get(t.entity_id)!).push(t.tag);
  const assigned = await db.selectFrom("entity_assignments").select(["entity_id", "user_id"]).where("entity_id", "in", ids).where("ended_at", "is", null).execute();
  for (const a of assigned) marks.assignees.set(a.entity_id, a.user_id);
  const merged = rows.filter((r) => r.merged_into !== null);
  if (merged.length > 0) {
    // Where a record went is said only to those who may see where it went.
    const visible = await visibleIds(db, actor, merged.map((r) => r.merged_into!));
    for (const r of merged) if (visible.has(r.merged_into!)) marks.mergedInto.set(r.id, r.merged_into!);
  }
  return marks;
}

function entityView(row: EntityRow, statements: StatementView[], marks: Marks): EntityView {
  return {
    id: row.id,
    schema: row.schema,
    properties: deriveProperties(statements),
    statements,
    revision: row.revision,
    restricted: row.restricted,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    archived: row.archived_at ? { at: row.archived_at, reason: row.archive_reason ?? "" } : null,
    mergedInto: marks.mergedInto.get(row.id) ?? null,
    tags: marks.tags.get(row.id) ?? [],
    assignee: marks.assignees.get(row.id) ?? null,
  };
}

/** Views of rows the actor may see, with only the statements it may read. */
async function viewsOf(services: Services, actor: Actor, rows: readonly EntityRow[]): Promise<EntityView[]> {
  const onList = await onAccessListOf(services.db, actor.userId, rows.filter((r) => r.restricted).map((r) => r.id));
  const byEntity = new Map<string, StatementRow[]>();
  for (const s of await liveStatements(services.db, rows.map((r) => r.id))) (byEntity.get(s.entity_id) ?? byEntity.set(s.entity_id, []).get(s.entity_id)!).push(s);
  const marks = await marksOf(services.db, actor, rows);
  return rows.map((row) => {
    const readable = readableBy(actor, recordSubject(row, onList.has(row.id)));
    return entityView(row, (byEntity.get(row.id) ?? []).filter(readable).map((s) => viewStatement(services, s, false)), marks);
  });
}

// ---------------------------------------------------------------------------------------------
// The use cases

function valuesOf(statements: readonly { property: string; value: string | null }[]): Map<string, string[]> {
  const values = new Map<string, string[]>();
  for (const s of statements) if (s.value !== null) (values.get(s.property) ?? values.set(s.property, []).get(s.property)!).push(s.value);
  return values;
}

/** A new record, checked and planned outside any transaction, ready to be written inside one. */
export interface PlannedEntity {
  id: string;
  schema: string;
  restricted: boolean;
  reason: string;
  added: PlannedStatement[];
}

/**
 * Checks permission and input for a new record and plans its statements, writing nothing: for a
 * service that writes the record in its own transaction together with other changes (a web
 * capture writes its Source with the captured files), through `writeEntityCreation`.
 */
export async function planEntityCreation(services: Services, origin: Origin, actor: Actor, raw: unknown): Promise<PlannedEntity> {
  await requirePermission(services, origin, can(actor, "record.create", { kind: "records", orgId: actor.orgId }), actor, "record.create", { type: "entity", id: null });
  const input = parseInput(EntityCreateSchema, await inputOf(raw));
  if (!isCreatableSchema(input.schema)) {
    throw new Invalid(`"${input.schema.slice(0, 64)}" is not a schema records can have`, { schema: "unknown schema" });
  }
  const id = randomUUID();
  // The creator of a restricted record is on its access list, or they would lose it at once.
  const plans = await planProperties(services, actor, input.schema, input.properties, { mayWriteRestricted: actor.role === "admin" || input.restricted === true, selfId: id });
  const added = [...plans.values()].flatMap((p) => p.add);
  if ([...plans.values()].some((p) => p.keep.length > 0)) throw new Invalid("a new record has no statements to keep", { properties: "use values, not statement ids" });
  requireProperties(input.schema, new Set(added.map((s) => s.property)));
  await checkRelationshipRules(services.db, actor, input.schema, valuesOf(added), id);
  return { id, schema: input.schema, restricted: input.restricted ?? false, reason: input.reason ?? "created", added };
}

/** Writes a planned record, its first revision and its audit event inside the caller's transaction. */
export async function writeEntityCreation(tx: Tx, services: Services, origin: Origin, actor: Actor, plan: PlannedEntity): Promise<void> {
  const { id, added } = plan;
  const now = services.now();
  await tx.insertInto("entities").values({ id, org_id: actor.orgId, schema: plan.schema, restricted: plan.restricted, created_by: actor.userId, created_at: now, updated_at: now }).execute();
  if (plan.restricted) await tx.insertInto("entity_access").values({ entity_id: id, user_id: actor.userId, granted_by: actor.userId, granted_at: now }).execute();
  await insertStatements(tx, services, actor, id, 1, added);
  await refreshNameSortKeys(tx, [id]);
  await refreshNameKeys(tx, id);
  await refreshSearchDocuments(tx, [id]);
  await recordsChanged(tx, [id]);
  await tx.insertInto("entity_revisions").values({ entity_id: id, number: 1, kind: "create", author_id: actor.userId, reason: plan.reason, created_at: now, summary: JSON.stringify({ added: countByProperty(added), retracted: {} }) }).execute();
  await recordAudit(tx, origin, { orgId: actor.orgId, actorId: actor.userId, action: "record.create", targetType: "entity", targetId: id, details: { schema: plan.schema } });
}

export async function createEntity(services: Services, origin: Origin, actor: Actor, raw: unknown): Promise<EntityView> {
  const plan = await planEntityCreation(services, origin, actor, raw);
  await services.db.transaction().execute((tx) => writeEntityCreation(tx, services, origin, actor, plan));
  return getEntity(services, origin, actor, plan.id);
}

export async function getEntity(services: Services, origin: Origin, actor: Actor, id: string, options: { revealSecrets?: boolean } = {}): Promise<EntityView> {
  await requirePermission(services, origin, can(actor, "record.view", anyRecord(actor)), actor, "record.view", { type: "entity", id: null });
  const record = await loadRecord(services, actor, id);
  if (options.revealSecrets) await requireOnRecord(services, origin, actor, "record.reveal-secret", record);
  const rows = (await liveStatements(services.db, [record.row.id])).filter(readableBy(actor, record.subject));
  const secrets = rows.filter((r) => r.sensitivity === "secret");
  // Every read of a secret value is audited and is a custody-ledger event (src/records/secret-values.ts).
  const revealed = options.revealSecrets && secrets.length > 0 ? await revealSecretValues(services, origin, actor, record.row.id, secrets) : false;
  return entityView(record.row, rows.map((r) => viewStatement(services, r, revealed)), await marksOf(services.db, actor, [record.row]));
}

export async function updateEntity(services: Services, origin: Origin, actor: Actor, id: string, raw: unknown): Promise<EntityView> {
  await requirePermission(services, origin, can(actor, "record.edit", anyRecord(actor)), actor, "record.edit", { type: "entity", id: null });
  const record = await loadRecord(services, actor, id);
  await requireOnRecord(services, origin, actor, "record.edit", record);
  const input = parseInput(EntityUpdateSchema, await inputOf(raw));
  if (input.restricted !== undefined && input.restricted !== record.row.restricted && !can(actor, "record.manage-access", record.subject)) {
    throw new Forbidden("only an administrator, or an editor on its access list, may change whether a record is restricted");
  }
  if (record.row.merged_into) throw new Conflict("the record was merged into another: edit that one, or undo the merge");
  if (record.row.archived_at) throw new Conflict("the record is archived: restore it before editing");
  const mayReadRestricted = can(actor, "record.read-restricted", record.subject);
  const live = await liveStatements(services.db, [record.row.id]);
  const existing = new Set(live.filter((s) => s.value !== null).map((s) => `${s.property}\u0000${s.value}`));
  const plans = await planProperties(services, actor, record.row.schema, input.properties ?? {}, { mayWriteRestricted: mayReadRestricted, selfId: record.row.id, existing });
  const liveById = new Map(live.map((s) => [s.id, s]));
  const errors: FieldErrors = {};
  const retract = new Set<string>();
  const keepIds = new Set<string>();
  (input.retract ?? []).forEach((statementId, index) => {
    const row = liveById.get(statementId.toLowerCase());
    if (!row || (row.sensitivity === "restricted" && !mayReadRestricted)) errors[`retract.${index}`] = "no such statement on this record";
    else retract.add(row.id);
  });
  const added: PlannedStatement[] = [];
  for (const [property, plan] of plans) {
    plan.keep.forEach((k, index) => {
      const row = liveById.get(k.keep);
      if (!row || row.property !== property || (row.sensitivity === "restricted" && !mayReadRestricted)) errors[`properties.${property}.${index}`] = "no such statement of this property";
      else keepIds.add(row.id);
    });
    const current = live.filter((s) => s.property === property && (s.sensitivity !== "restricted" || mayReadRestricted));
    const matches = (s: StatementRow, p: PlannedStatement) =>
      s.value === p.value && s.lang === p.lang && s.script === p.script && s.source_id === p.source && s.confidence === p.confidence && s.sensitivity === p.sensitivity;
    for (const planned of plan.add) {
      // A plain value keeps every statement with that value, whatever its source; a detailed value keeps its exact twin.
      const plain = plan.keepValues.includes(planned.value) && planned.lang === null && planned.source === null && planned.sensitivity === DEFAULT_SENSITIVITY;
      const twins = current.filter((s) => s.sensitivity !== "secret" && (plain ? s.value === planned.value : matches(s, planned)));
      if (twins.length > 0) twins.forEach((s) => keepIds.add(s.id));
      else added.push(planned);
    }
    // Secret values are never replaced by omission, only retracted by id: a caller may not have been shown them.
    for (const s of current) if (!keepIds.has(s.id) && s.sensitivity !== "secret") retract.add(s.id);
  }
  if (Object.keys(errors).length > 0) throw new Invalid("some statements are not valid", errors);
  const remainingStatements = [...live.filter((s) => !retract.has(s.id)), ...added];
  requireProperties(record.row.schema, new Set(remainingStatements.map((s) => s.property)));
  const restrictedChange = input.restricted !== undefined && input.restricted !== record.row.restricted;
  if (added.length === 0 && retract.size === 0 && !restrictedChange) return getEntity(services, origin, actor, id);
  await checkRelationshipRules(services.db, actor, record.row.schema, valuesOf(remainingStatements), record.row.id);
  const now = services.now();
  const retracted = live.filter((s) => retract.has(s.id));
  await services.db.transaction().execute(async (tx) => {
    // Optimistic concurrency: the row moves only from the revision the caller edited.
    const moved = await tx
      .updateTable("entities")
      .set({ revision: sql<number>`revision + 1`, updated_at: now, ...(restrictedChange ? { restricted: input.restricted! } : {}) })
      .where("id", "=", record.row.id)
      .where("revision", "=", input.revision)
      .where("archived_at", "is", null)
      .returning("revision")
      .executeTakeFirst();
    if (!moved) {
      const current = await tx.selectFrom("entities").select("revision").where("id", "=", record.row.id).executeTakeFirstOrThrow();
      throw new Conflict(`the record is at revision ${current.revision}, not ${input.revision}: someone changed it since you opened it; reload it and apply your change again`);
    }
    const revision = moved.revision;
    if (retracted.length > 0) {
      await tx.updateTable("statements").set({ retracted_at: now, retracted_by: actor.userId, retracted_revision: revision }).where("id", "in", retracted.map((s) => s.id)).where("retracted_at", "is", null).execute();
    }
    await insertStatements(tx, services, actor, record.row.id, revision, added);
    await refreshNameSortKeys(tx, [record.row.id]);
    await refreshNameKeys(tx, record.row.id);
    await refreshSearchDocuments(tx, [record.row.id]);
    await recordsChanged(tx, [record.row.id]);
    if (restrictedChange && input.restricted) {
      await tx.insertInto("entity_access").values({ entity_id: record.row.id, user_id: actor.userId, granted_by: actor.userId, granted_at: now }).onConflict((oc) => oc.columns(["entity_id", "user_id"]).doUpdateSet({ direct: true })).execute();
    }
    const summary = { added: countByProperty(added), retracted: countByProperty(retracted), ...(restrictedChange ? { restricted: input.restricted } : {}) };
    await tx.insertInto("entity_revisions").values({ entity_id: record.row.id, number: revision, kind: "update", author_id: actor.userId, reason: input.reason, created_at: now, summary: JSON.stringify(summary) }).execute();
    await recordAudit(tx, origin, { orgId: actor.orgId, actorId: actor.userId, action: "record.update", targetType: "entity", targetId: record.row.id, details: { revision } });
  });
  return getEntity(services, origin, actor, id);
}

/**
 * Archives (or restores) one record already checked, inside the caller's transaction, from the
 * revision the caller read: a record changed meanwhile is refused, never overwritten.
 */
export async function archiveInTransaction(tx: Tx, origin: Origin, actor: Actor, row: EntityRow, archived: boolean, reason: string, now: Date): Promise<number | null> {
  const moved = await tx
    .updateTable("entities")
    .set(archived ? { revision: sql<number>`revision + 1`, updated_at: now, archived_at: now, archived_by: actor.userId, archive_reason: reason } : { revision: sql<number>`revision + 1`, updated_at: now, archived_at: null, archived_by: null, archive_reason: null })
    .where("id", "=", row.id)
    .where("revision", "=", row.revision)
    .where("merged_into", "is", null)
    .where("archived_at", archived ? "is" : "is not", null)
    .returning("revision")
    .executeTakeFirst();
  if (!moved) return null;
  await refreshNameKeys(tx, row.id);
  await refreshSearchDocuments(tx, [row.id]);
  await recordsChanged(tx, [row.id]);
  await tx.insertInto("entity_revisions").values({ entity_id: row.id, number: moved.revision, kind: archived ? "archive" : "restore", author_id: actor.userId, reason, created_at: now, summary: JSON.stringify({ added: {}, retracted: {} }) }).execute();
  await recordAudit(tx, origin, { orgId: actor.orgId, actorId: actor.userId, action: archived ? "record.archive" : "record.restore", targetType: "entity", targetId: row.id, details: { reason } });
  return moved.revision;
}

/** Archiving is how a record is deleted: it leaves lists, keeps everything, and can be undone. */
export async function setArchived(services: Services, origin: Origin, actor: Actor, id: string, archived: boolean, raw: unknown): Promise<EntityView> {
  await requirePermission(services, origin, can(actor, "record.archive", anyRecord(actor)), actor, "record.archive", { type: "entity", id: null });
  const record = await loadRecord(services, actor, id);
  await requireOnRecord(services, origin, actor, "record.archive", record);
  const input = parseInput(ArchiveSchema, await inputOf(raw));
  if (record.row.merged_into) throw new Conflict("the record was merged into another: undo the merge to bring it back");
  if ((record.row.archived_at !== null) === archived) throw new Conflict(archived ? "the record is already archived" : "the record is not archived");
  if (input.revision !== undefined && input.revision !== record.row.revision) {
    throw new Conflict(`the record is at revision ${record.row.revision}, not ${input.revision}: someone changed it since you opened it; reload it and try again`);
  }
  const now = services.now();
  await services.db.transaction().execute(async (tx) => {
    const moved = await archiveInTransaction(tx, origin, actor, record.row, archived, input.reason, now);
    if (moved === null) throw new Conflict("the record changed while it was being archived: reload it and try again");
  });
  return getEntity(services, origin, actor, id);
}

async function revisionsOf(db: Tx, entityId: string): Promise<RevisionView[]> {
  const rows = await db
    .selectFrom("entity_revisions as r")
    .leftJoin("users as u", "u.id", "r.author_id")
    .selectAll("r")
    .select("u.name as author_name")
    .where("r.entity_id", "=", entityId)
    .orderBy("r.number", "desc")
    .execute();
  return rows.map((r) => ({ number: r.number, kind: r.kind, author: r.author_id, authorName: r.author_name, reason: r.reason, createdAt: r.created_at, summary: r.summary }));
}

export async function entityHistory(services: Services, origin: Origin, actor: Actor, id: string, query: unknown = {}): Promise<HistoryView> {
  await requirePermission(services, origin, can(actor, "record.view", anyRecord(actor)), actor, "record.view", { type: "entity", id: null });
  const record = await loadRecord(services, actor, id);
  const range = parseInput(HistoryQuerySchema, query);
  const to = Math.min(range.to ?? record.row.revision, record.row.revision);
  const from = range.from ?? Math.max(to - 1, 0);
  if (from >= to) throw new Invalid("compare an earlier revision with a later one", { from: `must be below ${to}` });
  const revisions = await revisionsOf(services.db, record.row.id);
  // A statement belongs to revision r when it was added at or before r and not retracted by r.
  const rows = await services.db
    .selectFrom("statements")
    .selectAll()
    .where("entity_id", "=", record.row.id)
    .where((eb) => eb.or([eb.and([eb("revision", ">", from), eb("revision", "<=", to)]), eb.and([eb("retracted_revision", ">", from), eb("retracted_revision", "<=", to)])]))
    .orderBy("property")
    .orderBy("seq")
    .execute();
  const visible = rows.filter(readableBy(actor, record.subject));
  return {
    revisions,
    diff: {
      from,
      to,
      added: visible.filter((s) => aliveAt(s, to) && !aliveAt(s, from)).map((s) => viewStatement(services, s, false)),
      removed: visible.filter((s) => aliveAt(s, from) && !aliveAt(s, to)).map((s) => viewStatement(services, s, false)),
    },
  };
}

function aliveAt(s: Pick<StatementRow, "revision" | "retracted_revision">, r: number): boolean {
  return s.revision <= r && (s.retracted_revision === null || s.retracted_revision > r);
}

/**
 * A record as it stood at a past revision: the statements it had then (those the reader may read
 * now), and whether it was archived or restricted then, rebuilt from the revisions. Tags and the
 * assignee are today's: they are not part of revisions.
 */
export async function getEntityAt(services: Services, origin: Origin, actor: Actor, id: string, revision: number): Promise<EntityView & { revisionKind: RevisionKind }> {
  await requirePermission(services, origin, can(actor, "record.view", anyRecord(actor)), actor, "record.view", { type: "entity", id: null });
  const record = await loadRecord(services, actor, id);
  if (!Number.isInteger(revision) || revision < 1 || revision > record.row.revision) {
    throw new Invalid(`the record has revisions 1 to ${record.row.revision}`, { revision: `must be between 1 and ${record.row.revision}` });
  }
  const rows = await services.db
    .selectFrom("statements")
    .selectAll()
    .where("entity_id", "=", record.row.id)
    .where("revision", "<=", revision)
    .where((eb) => eb.or([eb("retracted_revision", "is", null), eb("retracted_revision", ">", revision)]))
    .orderBy("property")
    .orderBy("seq")
    .execute();
  const revisions = (await revisionsOf(services.db, record.row.id)).reverse();
  const then = revisions.filter((r) => r.number <= revision);
  const at = then[then.length - 1]!;
  let archived: { at: Date; reason: string } | null = null;
  for (const r of then) {
    if (r.kind === "archive" || (r.kind === "merge" && typeof r.summary.mergedInto === "string")) archived = { at: r.createdAt, reason: r.reason };
    if (r.kind === "restore" || (r.kind === "unmerge" && typeof r.summary.mergedInto === "string")) archived = null;
  }
  // Whether it was restricted: the last change at or before the revision, or else the opposite of the first one after it.
  const changes = revisions.filter((r) => typeof r.summary.restricted === "boolean");
  const before = changes.filter((r) => r.number <= revision).pop();
  const after = changes.find((r) => r.number > revision);
  const restricted = before ? (before.summary.restricted as boolean) : after ? !(after.summary.restricted as boolean) : record.row.restricted;
  const statements = rows.filter(readableBy(actor, record.subject)).map((s) => viewStatement(services, s, false));
  const view = entityView({ ...record.row, restricted, revision, updated_at: at.createdAt, archived_at: archived?.at ?? null, archive_reason: archived?.reason ?? null }, statements, await marksOf(services.db, actor, [record.row]));
  return { ...view, revisionKind: at.kind };
}

function encodeCursor(row: { created_at: Date; id: string }): string {
  return Buffer.from(JSON.stringify([row.created_at.toISOString(), row.id])).toString("base64url");
}

function decodeCursor(cursor: string): { createdAt: Date; id: string } {
  try {
    const [at, id] = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")) as [unknown, unknown];
    const createdAt = new Date(String(at));
    if (typeof at === "string" && typeof id === "string" && !Number.isNaN(createdAt.getTime()) && /^[0-9a-f-]{36}$/.test(id)) return { createdAt, id };
  } catch {
    // fall through to the refusal
  }
  throw new Invalid("the cursor is not one this server gave", { cursor: "not a valid cursor" });
}

/** Views of the records among `ids` the actor may list and see (live ones only), with only the statements it may read; for other services that found the ids themselves (the names index). */
export async function viewEntities(services: Services, actor: Actor, ids: readonly string[]): Promise<EntityView[]> {
  if (ids.length === 0 || !can(actor, "record.list", { kind: "records", orgId: actor.orgId })) return [];
  const rows = await visibleRecords(services.db, actor).where("e.id", "in", [...ids]).where("e.archived_at", "is", null).execute();
  return viewsOf(services, actor, rows);
}

/** The filter of a records list, as the list API, the pages and bulk actions take it. */
export type EntityFilter = ReturnType<typeof EntityListSchema.parse>;

/**
 * Applies a list filter (schema, archived, tag, assignee) to a query over `entities as e`. `after`,
 * when the query walks records by id from a cursor (bulk batches), is repeated inside the tag and
 * assignee subqueries so that the planner starts them at the cursor too, not at the first id.
 */
export function applyEntityFilter<Q extends ReturnType<typeof visibleRecords>>(query: Q, actor: Actor, filter: Omit<EntityFilter, "cursor" | "limit">, options: { after?: string } = {}): Q {
  let q = query;
  if (filter.schema !== undefined) {
    if (!findSchema(filter.schema)) throw new Invalid(`"${filter.schema.slice(0, 64)}" is not a schema`, { schema: "unknown schema" });
    q = q.where("e.schema", "in", schemaAndDescendants(filter.schema)) as Q;
  }
  if (filter.archived === "exclude") q = q.where("e.archived_at", "is", null) as Q;
  if (filter.archived === "only") q = q.where("e.archived_at", "is not", null) as Q;
  if (filter.tag !== undefined) {
    const tag = filter.tag;
    q = q.where((eb) =>
      eb.exists(eb.selectFrom("entity_tags as t").select("t.id").whereRef("t.entity_id", "=", "e.id").where("t.tag", "=", tag).where("t.removed_at", "is", null).$if(options.after !== undefined, (t) => t.where("t.entity_id", ">", options.after!))),
    ) as Q;
  }
  if (filter.assignee !== undefined) {
    const assignee = filter.assignee === "me" ? actor.userId : filter.assignee;
    q = q.where((eb) =>
      eb.exists(eb.selectFrom("entity_assignments as x").select("x.id").whereRef("x.entity_id", "=", "e.id").where("x.user_id", "=", assignee).where("x.ended_at", "is", null).$if(options.after !== undefined, (x) => x.where("x.entity_id", ">", options.after!))),
    ) as Q;
  }
  return q;
}

/**
 * Lists records newest first, a page at a time. A restricted record the actor may not see is left
 * out of the query itself, so neither pages nor their sizes reveal it.
 */
export async function listEntities(services: Services, origin: Origin, actor: Actor, raw: unknown): Promise<EntityPage> {
  await requirePermission(services, origin, can(actor, "record.list", { kind: "records", orgId: actor.orgId }), actor, "record.list", { type: "entity", id: null });
  const filter = parseInput(EntityListSchema, raw);
  let query = applyEntityFilter(visibleRecords(services.db, actor), actor, filter);
  if (filter.cursor) {
    const after = decodeCursor(filter.cursor);
    query = query.where((eb) => eb(eb.refTuple("e.created_at", "e.id"), "<", eb.tuple(after.createdAt, after.id)));
  }
  const rows = await query.orderBy("e.created_at", "desc").orderBy("e.id", "desc").limit(filter.limit + 1).execute();
  const page = rows.slice(0, filter.limit);
  return {
    entities: await viewsOf(services, actor, page),
    nextCursor: rows.length > filter.limit ? encodeCursor(page[page.length - 1]!) : null,
  };
}


