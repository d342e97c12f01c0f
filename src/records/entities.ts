import { randomUUID } from "node:crypto";
import { sql } from "kysely";
import { can, Conflict, Forbidden, Invalid, NotFound, openSecret, sealSecret, type Actor, type FieldErrors, type Subject } from "../core/index.ts";
import type { Origin, Services, Tx } from "../context.ts";
import type { EntityRow, StatementRow } from "../db/index.ts";
import { recordAudit, requirePermission } from "../audit/index.ts";
import { parseInput } from "../accounts/index.ts";
import { refreshNameKeys } from "../screening/index.ts";
import { checkValue, findProperty, findSchema, isCreatableSchema, schemaAndDescendants } from "./model.ts";
import {
  ArchiveSchema, EntityCreateSchema, EntityListSchema, EntityUpdateSchema, HistoryQuerySchema,
  type Sensitivity, type StatementInput,
} from "./input.ts";

export interface StatementView {
  id: string;
  property: string;
  /** null for a secret value that was not revealed. */
  value: string | null;
  lang: string | null;
  script: string | null;
  source: string | null;
  confidence: number | null;
  sensitivity: Sensitivity;
  sealed: boolean;
  dateEarliest: string | null;
  dateLatest: string | null;
  author: string | null;
  createdAt: Date;
  revision: number;
}

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
}

export interface RevisionView {
  number: number;
  kind: "create" | "update" | "archive" | "restore";
  author: string | null;
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

const DEFAULT_SENSITIVITY: Sensitivity = "internal";

/**
 * Input a service reads only after it has checked permission: the web layer passes a request body
 * this way, so a refused caller is told 403, not what was wrong with a body nobody would read.
 */
export type LazyInput = () => Promise<unknown>;

async function inputOf(raw: unknown): Promise<unknown> {
  return typeof raw === "function" ? (raw as LazyInput)() : raw;
}

function recordSubject(actor: Actor, row: EntityRow, onAccessList: boolean): Subject {
  return { kind: "record", orgId: row.org_id, restricted: row.restricted, onAccessList };
}

/** What the actor could do to an ordinary record of its organisation: the role check made before anything is read. */
function anyRecord(actor: Actor): Subject {
  return { kind: "record", orgId: actor.orgId, restricted: false, onAccessList: false };
}

async function isOnAccessList(db: Tx, entityId: string, userId: string): Promise<boolean> {
  const row = await db.selectFrom("entity_access").select("user_id").where("entity_id", "=", entityId).where("user_id", "=", userId).executeTakeFirst();
  return row !== undefined;
}

interface LoadedRecord {
  row: EntityRow;
  subject: Subject;
}

/**
 * Finds a record the actor may know of. A record of another organisation, and a restricted record
 * the actor is not on the list of, are not found: we never confirm they exist.
 */
async function loadRecord(services: Services, actor: Actor, id: string, db: Tx = services.db): Promise<LoadedRecord> {
  const row = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(id)
    ? await db.selectFrom("entities").selectAll().where("id", "=", id).where("org_id", "=", actor.orgId).executeTakeFirst()
    : undefined;
  if (!row) throw new NotFound("no such record");
  const subject = recordSubject(actor, row, row.restricted ? await isOnAccessList(db, row.id, actor.userId) : false);
  if (!can(actor, "record.view", subject)) throw new NotFound("no such record");
  return { row, subject };
}

async function requireOnRecord(services: Services, origin: Origin, actor: Actor, action: "record.edit" | "record.archive" | "record.reveal-secret", record: LoadedRecord) {
  await requirePermission(services, origin, can(actor, action, record.subject), actor, action, { type: "entity", id: record.row.id });
}

/** The statements of one entity as the actor may see them; secret values only when revealed. */
function viewStatement(services: Services, row: StatementRow, reveal: boolean): StatementView {
  const sealed = row.sensitivity === "secret";
  return {
    id: row.id,
    property: row.property,
    value: sealed ? (reveal ? openSecret(services.appKey, row.value_sealed!, `statement:${row.id}`).toString("utf8") : null) : row.value,
    lang: row.lang,
    script: row.script,
    source: row.source_id,
    confidence: row.confidence,
    sensitivity: row.sensitivity,
    sealed: sealed && !reveal,
    dateEarliest: row.date_earliest,
    dateLatest: row.date_latest,
    author: row.author_id,
    createdAt: row.created_at,
    revision: row.revision,
  };
}

function visibleTo(actor: Actor, subject: Subject) {
  const restrictedToo = can(actor, "record.read-restricted", subject);
  return (row: StatementRow) => row.sensitivity !== "restricted" || restrictedToo;
}

function deriveProperties(statements: StatementView[]): Record<string, string[]> {
  const properties: Record<string, string[]> = {};
  for (const s of statements) {
    if (s.value === null) continue;
    const values = (properties[s.property] ??= []);
    if (!values.includes(s.value)) values.push(s.value);
  }
  return properties;
}

function entityView(row: EntityRow, statements: StatementView[]): EntityView {
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
  };
}

async function liveStatements(db: Tx, entityIds: string[]): Promise<StatementRow[]> {
  if (entityIds.length === 0) return [];
  return db
    .selectFrom("statements")
    .selectAll()
    .where("entity_id", "in", entityIds)
    .where("retracted_at", "is", null)
    .orderBy("property")
    .orderBy("seq")
    .execute();
}

/** Every read of a secret value leaves a line in the audit trail, in the same transaction as the read. */
async function auditSecretReads(tx: Tx, origin: Origin, actor: Actor, entityId: string, rows: StatementRow[]): Promise<void> {
  for (const row of rows) {
    await recordAudit(tx, origin, { orgId: actor.orgId, actorId: actor.userId, action: "record.secret.read", targetType: "statement", targetId: row.id, details: { entity: entityId, property: row.property } });
  }
}

// ---------------------------------------------------------------------------------------------
// Checking input against the model

interface PlannedStatement {
  id: string;
  property: string;
  value: string;
  lang: string | null;
  script: string | null;
  source: string | null;
  confidence: number | null;
  sensitivity: Sensitivity;
  dateEarliest: string | null;
  dateLatest: string | null;
}

type Keep = { keep: string };

interface PropertyPlan {
  add: PlannedStatement[];
  keep: Keep[];
  /** Plain values: keep every live statement that has this value. */
  keepValues: string[];
}

function normalise(input: Exclude<StatementInput, { statement: string }>) {
  return typeof input === "string"
    ? { value: input, lang: null, script: null, source: null, confidence: null, sensitivity: null }
    : { value: input.value, lang: input.lang ?? null, script: input.script ?? null, source: input.source?.toLowerCase() ?? null, confidence: input.confidence ?? null, sensitivity: input.sensitivity ?? null };
}

/**
 * Checks every value against the schema's properties and their FtM types, and every referenced
 * record (entity values, sources) against the database. All problems are reported at once, by path.
 */
async function planProperties(
  services: Services,
  actor: Actor,
  schemaName: string,
  properties: Record<string, StatementInput[]>,
  mayWriteRestricted: boolean,
  selfId: string,
): Promise<Map<string, PropertyPlan>> {
  const schema = findSchema(schemaName)!;
  const errors: FieldErrors = {};
  const plans = new Map<string, PropertyPlan>();
  const references: { path: string; id: string; range: string | null }[] = [];
  for (const [name, inputs] of Object.entries(properties)) {
    const property = findProperty(schema, name);
    if (!property) {
      errors[`properties.${name}`] = `${schemaName} has no property "${name}"`;
      continue;
    }
    if (property.stub) {
      errors[`properties.${name}`] = `"${name}" is the reverse of a relationship: set it on the other record`;
      continue;
    }
    const plan: PropertyPlan = { add: [], keep: [], keepValues: [] };
    plans.set(name, plan);
    inputs.forEach((input, index) => {
      const path = `properties.${name}.${index}`;
      if (typeof input === "object" && "statement" in input) {
        plan.keep.push({ keep: input.statement.toLowerCase() });
        return;
      }
      const given = normalise(input);
      const checked = checkValue(property, given.value);
      if (!checked.ok) {
        errors[path] = `${name} ${checked.error}`;
        return;
      }
      if (given.sensitivity === "restricted" && !mayWriteRestricted) {
        errors[path] = "only an administrator or someone on the record's access list may add a restricted value";
        return;
      }
      if (typeof input === "string") plan.keepValues.push(checked.value);
      const sensitivity = given.sensitivity ?? DEFAULT_SENSITIVITY;
      plan.add.push({
        id: randomUUID(),
        property: name,
        value: checked.value,
        lang: given.lang,
        script: given.script,
        source: given.source,
        confidence: given.confidence,
        sensitivity,
        // Nothing derived from a secret value is kept in the clear.
        dateEarliest: sensitivity === "secret" ? null : (checked.date?.earliest ?? null),
        dateLatest: sensitivity === "secret" ? null : (checked.date?.latest ?? null),
      });
      if (property.type.name === "entity") {
        if (checked.value === selfId) errors[path] = "a record cannot point at itself";
        else references.push({ path, id: checked.value, range: property.hasRange ? property.getRange().name : null });
      }
      if (given.source) references.push({ path: `${path}.source`, id: given.source, range: "Source" });
    });
  }
  // One query for every referenced record; a restricted one the actor cannot see is "not found" too.
  const ids = [...new Set(references.map((r) => r.id))];
  const found = new Map<string, { schema: string; restricted: boolean; onList: boolean }>();
  if (ids.length > 0) {
    const rows = await services.db
      .selectFrom("entities as e")
      .leftJoin("entity_access as a", (join) => join.onRef("a.entity_id", "=", "e.id").on("a.user_id", "=", actor.userId))
      .select(["e.id", "e.schema", "e.restricted", "a.user_id"])
      .where("e.org_id", "=", actor.orgId)
      .where("e.id", "in", ids)
      .execute();
    for (const row of rows) found.set(row.id, { schema: row.schema, restricted: row.restricted, onList: row.user_id !== null });
  }
  for (const ref of references) {
    const target = found.get(ref.id);
    if (!target || !can(actor, "record.view", { kind: "record", orgId: actor.orgId, restricted: target.restricted, onAccessList: target.onList })) {
      errors[ref.path] = "no such record";
    } else if (ref.range && !findSchema(target.schema)?.isA(ref.range)) {
      errors[ref.path] = `must be a ${ref.range} record, not a ${target.schema}`;
    }
  }
  if (Object.keys(errors).length > 0) throw new Invalid("some values are not valid", errors);
  return plans;
}

function requireProperties(schemaName: string, present: Set<string>): void {
  const missing = findSchema(schemaName)!.required.filter((name) => !present.has(name));
  if (missing.length > 0) {
    throw new Invalid(`a ${schemaName} needs ${missing.join(", ")}`, Object.fromEntries(missing.map((m) => [`properties.${m}`, "required"])));
  }
}

async function insertStatements(tx: Tx, services: Services, actor: Actor, entityId: string, revision: number, planned: PlannedStatement[]): Promise<void> {
  if (planned.length === 0) return;
  const now = services.now();
  await tx
    .insertInto("statements")
    .values(
      planned.map((s) => ({
        id: s.id,
        org_id: actor.orgId,
        entity_id: entityId,
        property: s.property,
        value: s.sensitivity === "secret" ? null : s.value,
        // The statement id is bound into the ciphertext: a sealed value cannot be moved to another row.
        value_sealed: s.sensitivity === "secret" ? sealSecret(services.appKey, Buffer.from(s.value, "utf8"), `statement:${s.id}`) : null,
        lang: s.lang,
        script: s.script,
        source_id: s.source,
        confidence: s.confidence,
        sensitivity: s.sensitivity,
        date_earliest: s.dateEarliest,
        date_latest: s.dateLatest,
        author_id: actor.userId,
        created_at: now,
        revision,
      })),
    )
    .execute();
}

function countByProperty(items: { property: string }[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const item of items) counts[item.property] = (counts[item.property] ?? 0) + 1;
  return counts;
}

// ---------------------------------------------------------------------------------------------
// The use cases

export async function createEntity(services: Services, origin: Origin, actor: Actor, raw: unknown): Promise<EntityView> {
  await requirePermission(services, origin, can(actor, "record.create", { kind: "records", orgId: actor.orgId }), actor, "record.create", { type: "entity", id: null });
  const input = parseInput(EntityCreateSchema, await inputOf(raw));
  if (!isCreatableSchema(input.schema)) {
    throw new Invalid(`"${input.schema.slice(0, 64)}" is not a schema records can have`, { schema: "unknown schema" });
  }
  const id = randomUUID();
  // The creator of a restricted record is on its access list, or they would lose it at once.
  const plans = await planProperties(services, actor, input.schema, input.properties, actor.role === "admin" || input.restricted === true, id);
  const added = [...plans.values()].flatMap((p) => p.add);
  if ([...plans.values()].some((p) => p.keep.length > 0)) throw new Invalid("a new record has no statements to keep", { properties: "use values, not statement ids" });
  requireProperties(input.schema, new Set(added.map((s) => s.property)));
  const now = services.now();
  const reason = input.reason ?? "created";
  await services.db.transaction().execute(async (tx) => {
    await tx.insertInto("entities").values({ id, org_id: actor.orgId, schema: input.schema, restricted: input.restricted ?? false, created_by: actor.userId, created_at: now, updated_at: now }).execute();
    if (input.restricted) await tx.insertInto("entity_access").values({ entity_id: id, user_id: actor.userId, granted_by: actor.userId, granted_at: now }).execute();
    await insertStatements(tx, services, actor, id, 1, added);
    await refreshNameKeys(tx, id);
    await tx.insertInto("entity_revisions").values({ entity_id: id, number: 1, kind: "create", author_id: actor.userId, reason, created_at: now, summary: JSON.stringify({ added: countByProperty(added), retracted: {} }) }).execute();
    await recordAudit(tx, origin, { orgId: actor.orgId, actorId: actor.userId, action: "record.create", targetType: "entity", targetId: id, details: { schema: input.schema } });
  });
  return getEntity(services, origin, actor, id);
}

export async function getEntity(services: Services, origin: Origin, actor: Actor, id: string, options: { revealSecrets?: boolean } = {}): Promise<EntityView> {
  await requirePermission(services, origin, can(actor, "record.view", anyRecord(actor)), actor, "record.view", { type: "entity", id: null });
  const record = await loadRecord(services, actor, id);
  if (options.revealSecrets) await requireOnRecord(services, origin, actor, "record.reveal-secret", record);
  const rows = (await liveStatements(services.db, [record.row.id])).filter(visibleTo(actor, record.subject));
  const secrets = rows.filter((r) => r.sensitivity === "secret");
  if (options.revealSecrets && secrets.length > 0) await auditSecretReads(services.db, origin, actor, record.row.id, secrets);
  return entityView(record.row, rows.map((r) => viewStatement(services, r, options.revealSecrets === true)));
}

export async function updateEntity(services: Services, origin: Origin, actor: Actor, id: string, raw: unknown): Promise<EntityView> {
  await requirePermission(services, origin, can(actor, "record.edit", anyRecord(actor)), actor, "record.edit", { type: "entity", id: null });
  const record = await loadRecord(services, actor, id);
  await requireOnRecord(services, origin, actor, "record.edit", record);
  const input = parseInput(EntityUpdateSchema, await inputOf(raw));
  if (input.restricted !== undefined && input.restricted !== record.row.restricted && !can(actor, "record.manage-access", record.subject)) {
    throw new Forbidden("only an administrator, or an editor on its access list, may change whether a record is restricted");
  }
  if (record.row.archived_at) throw new Conflict("the record is archived: restore it before editing");
  const mayReadRestricted = can(actor, "record.read-restricted", record.subject);
  const plans = await planProperties(services, actor, record.row.schema, input.properties ?? {}, mayReadRestricted, record.row.id);
  const live = await liveStatements(services.db, [record.row.id]);
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
  const remaining = new Set([...live.filter((s) => !retract.has(s.id)).map((s) => s.property), ...added.map((s) => s.property)]);
  requireProperties(record.row.schema, remaining);
  const restrictedChange = input.restricted !== undefined && input.restricted !== record.row.restricted;
  if (added.length === 0 && retract.size === 0 && !restrictedChange) return getEntity(services, origin, actor, id);
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
    await refreshNameKeys(tx, record.row.id);
    if (restrictedChange && input.restricted) {
      await tx.insertInto("entity_access").values({ entity_id: record.row.id, user_id: actor.userId, granted_by: actor.userId, granted_at: now }).onConflict((oc) => oc.doNothing()).execute();
    }
    const summary = { added: countByProperty(added), retracted: countByProperty(retracted), ...(restrictedChange ? { restricted: input.restricted } : {}) };
    await tx.insertInto("entity_revisions").values({ entity_id: record.row.id, number: revision, kind: "update", author_id: actor.userId, reason: input.reason, created_at: now, summary: JSON.stringify(summary) }).execute();
    await recordAudit(tx, origin, { orgId: actor.orgId, actorId: actor.userId, action: "record.update", targetType: "entity", targetId: record.row.id, details: { revision } });
  });
  return getEntity(services, origin, actor, id);
}

/** Archiving is how a record is deleted: it leaves lists, keeps everything, and can be undone. */
export async function setArchived(services: Services, origin: Origin, actor: Actor, id: string, archived: boolean, raw: unknown): Promise<EntityView> {
  await requirePermission(services, origin, can(actor, "record.archive", anyRecord(actor)), actor, "record.archive", { type: "entity", id: null });
  const record = await loadRecord(services, actor, id);
  await requireOnRecord(services, origin, actor, "record.archive", record);
  const { reason } = parseInput(ArchiveSchema, await inputOf(raw));
  if ((record.row.archived_at !== null) === archived) throw new Conflict(archived ? "the record is already archived" : "the record is not archived");
  const now = services.now();
  await services.db.transaction().execute(async (tx) => {
    const moved = await tx
      .updateTable("entities")
      .set(archived ? { revision: sql<number>`revision + 1`, updated_at: now, archived_at: now, archived_by: actor.userId, archive_reason: reason } : { revision: sql<number>`revision + 1`, updated_at: now, archived_at: null, archived_by: null, archive_reason: null })
      .where("id", "=", record.row.id)
      .where("revision", "=", record.row.revision)
      .returning("revision")
      .executeTakeFirst();
    if (!moved) throw new Conflict("the record changed while it was being archived: try again");
    await refreshNameKeys(tx, record.row.id);
    await tx.insertInto("entity_revisions").values({ entity_id: record.row.id, number: moved.revision, kind: archived ? "archive" : "restore", author_id: actor.userId, reason, created_at: now, summary: JSON.stringify({ added: {}, retracted: {} }) }).execute();
    await recordAudit(tx, origin, { orgId: actor.orgId, actorId: actor.userId, action: archived ? "record.archive" : "record.restore", targetType: "entity", targetId: record.row.id, details: { reason } });
  });
  return getEntity(services, origin, actor, id);
}

export async function entityHistory(services: Services, origin: Origin, actor: Actor, id: string, query: unknown = {}): Promise<HistoryView> {
  await requirePermission(services, origin, can(actor, "record.view", anyRecord(actor)), actor, "record.view", { type: "entity", id: null });
  const record = await loadRecord(services, actor, id);
  const range = parseInput(HistoryQuerySchema, query);
  const to = Math.min(range.to ?? record.row.revision, record.row.revision);
  const from = range.from ?? Math.max(to - 1, 0);
  if (from >= to) throw new Invalid("compare an earlier revision with a later one", { from: `must be below ${to}` });
  const revisions = await services.db.selectFrom("entity_revisions").selectAll().where("entity_id", "=", record.row.id).orderBy("number", "desc").execute();
  // A statement belongs to revision r when it was added at or before r and not retracted by r.
  const rows = await services.db
    .selectFrom("statements")
    .selectAll()
    .where("entity_id", "=", record.row.id)
    .where((eb) => eb.or([eb.and([eb("revision", ">", from), eb("revision", "<=", to)]), eb.and([eb("retracted_revision", ">", from), eb("retracted_revision", "<=", to)])]))
    .orderBy("property")
    .orderBy("seq")
    .execute();
  const visible = rows.filter(visibleTo(actor, record.subject));
  const alive = (s: StatementRow, r: number) => s.revision <= r && (s.retracted_revision === null || s.retracted_revision > r);
  return {
    revisions: revisions.map((r) => ({ number: r.number, kind: r.kind, author: r.author_id, reason: r.reason, createdAt: r.created_at, summary: r.summary })),
    diff: {
      from,
      to,
      added: visible.filter((s) => alive(s, to) && !alive(s, from)).map((s) => viewStatement(services, s, false)),
      removed: visible.filter((s) => alive(s, from) && !alive(s, to)).map((s) => viewStatement(services, s, false)),
    },
  };
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

/** The records of the actor's organisation it may know of: a restricted record not on its list is left out of the query itself. */
function visibleRecords(db: Tx, actor: Actor) {
  const query = db.selectFrom("entities as e").selectAll("e").where("e.org_id", "=", actor.orgId);
  if (actor.role === "admin") return query;
  return query.where((eb) => eb.or([eb("e.restricted", "=", false), eb.exists(eb.selectFrom("entity_access as a").select("a.user_id").whereRef("a.entity_id", "=", "e.id").where("a.user_id", "=", actor.userId))]));
}

/** Views of the records among `ids` the actor may list and see (live ones only), with only the statements it may read; for other services that found the ids themselves (the names index). */
export async function viewEntities(services: Services, actor: Actor, ids: readonly string[]): Promise<EntityView[]> {
  if (ids.length === 0 || !can(actor, "record.list", { kind: "records", orgId: actor.orgId })) return [];
  const rows = await visibleRecords(services.db, actor).where("e.id", "in", [...ids]).where("e.archived_at", "is", null).execute();
  const restrictedIds = rows.filter((r) => r.restricted).map((r) => r.id);
  const onList = new Set(
    restrictedIds.length === 0 ? [] : (await services.db.selectFrom("entity_access").select("entity_id").where("entity_id", "in", restrictedIds).where("user_id", "=", actor.userId).execute()).map((r) => r.entity_id),
  );
  const byEntity = new Map<string, StatementRow[]>();
  for (const s of await liveStatements(services.db, rows.map((r) => r.id))) (byEntity.get(s.entity_id) ?? byEntity.set(s.entity_id, []).get(s.entity_id)!).push(s);
  return rows.map((row) => {
    const visible = visibleTo(actor, recordSubject(actor, row, onList.has(row.id)));
    return entityView(row, (byEntity.get(row.id) ?? []).filter(visible).map((s) => viewStatement(services, s, false)));
  });
}

/**
 * Lists records newest first, a page at a time. A restricted record the actor may not see is left
 * out of the query itself, so neither pages nor their sizes reveal it.
 */
export async function listEntities(services: Services, origin: Origin, actor: Actor, raw: unknown): Promise<EntityPage> {
  await requirePermission(services, origin, can(actor, "record.list", { kind: "records", orgId: actor.orgId }), actor, "record.list", { type: "entity", id: null });
  const filter = parseInput(EntityListSchema, raw);
  if (filter.schema !== undefined && !findSchema(filter.schema)) throw new Invalid(`"${filter.schema.slice(0, 64)}" is not a schema`, { schema: "unknown schema" });
  let query = visibleRecords(services.db, actor);
  if (filter.schema) query = query.where("e.schema", "in", schemaAndDescendants(filter.schema));
  if (filter.archived === "exclude") query = query.where("e.archived_at", "is", null);
  if (filter.archived === "only") query = query.where("e.archived_at", "is not", null);
  if (filter.cursor) {
    const after = decodeCursor(filter.cursor);
    query = query.where((eb) => eb(eb.refTuple("e.created_at", "e.id"), "<", eb.tuple(after.createdAt, after.id)));
  }
  const rows = await query.orderBy("e.created_at", "desc").orderBy("e.id", "desc").limit(filter.limit + 1).execute();
  const page = rows.slice(0, filter.limit);
  const restrictedIds = page.filter((r) => r.restricted).map((r) => r.id);
  const onList = new Set(
    restrictedIds.length === 0 ? [] : (await services.db.selectFrom("entity_access").select("entity_id").where("entity_id", "in", restrictedIds).where("user_id", "=", actor.userId).execute()).map((r) => r.entity_id),
  );
  const statements = await liveStatements(services.db, page.map((r) => r.id));
  return {
    entities: page.map((row) => {
      const visible = visibleTo(actor, recordSubject(actor, row, onList.has(row.id)));
      return entityView(row, statements.filter((s) => s.entity_id === row.id && visible(s)).map((s) => viewStatement(services, s, false)));
    }),
    nextCursor: rows.length > filter.limit ? encodeCursor(page[page.length - 1]!) : null,
  };
}

/** Puts a member of the organisation on a restricted record's access list. */
export async function grantAccess(services: Services, origin: Origin, actor: Actor, id: string, userId: string): Promise<void> {
  const record = await loadRecord(services, actor, id);
  await requirePermission(services, origin, can(actor, "record.manage-access", record.subject), actor, "record.manage-access", { type: "entity", id: record.row.id });
  const member = await services.db.selectFrom("memberships").select("user_id").where("org_id", "=", actor.orgId).where("user_id", "=", userId).executeTakeFirst();
  if (!member) throw new NotFound("no such user in your organisation");
  await services.db.transaction().execute(async (tx) => {
    await tx.insertInto("entity_access").values({ entity_id: record.row.id, user_id: userId, granted_by: actor.userId, granted_at: services.now() }).onConflict((oc) => oc.doNothing()).execute();
    await recordAudit(tx, origin, { orgId: actor.orgId, actorId: actor.userId, action: "record.access.grant", targetType: "entity", targetId: record.row.id, details: { user: userId } });
  });
}
