// Browsing records as the list pages and the record pickers show them: filters (kind, violation,
// dates, place, role, sensitivity, tag, assignee, words of a name), sorting, cursor pages and
// counts. Every query starts from the one visibility rule, and every condition on a statement
// reads only statements the reader may read, so neither the rows, nor their order, nor the counts
// reveal a restricted record or a restricted value.
import { sql, type RawBuilder } from "kysely";
import { z } from "zod";
import { can, Invalid, parseEdtf, type Actor } from "../core/index.ts";
import type { Origin, Services, Tx } from "../context.ts";
import type { StatementRow } from "../db/index.ts";
import { requirePermission } from "../audit/index.ts";
import { parseInput } from "../accounts/index.ts";
import { onAccessListOf, recordSubject, visibleRecords, visibleTo, UUID } from "./access.ts";
import { applyEntityFilter } from "./entities.ts";
import { findSchema, schemaAndDescendants } from "./model.ts";
import { NAME_PROPERTIES } from "./name-sort-key.ts";
import { liveStatements, readableBy } from "./statements.ts";
import { SENSITIVITIES, TagSchema, type Sensitivity } from "./input.ts";

export const RECORD_SORTS = ["newest", "oldest", "updated", "name", "date", "date-desc"] as const;
export type RecordSort = (typeof RECORD_SORTS)[number];

/** Lists count at most this many records; beyond, they say "more than". */
export const COUNT_CAP = 10_000;

export { NAME_PROPERTIES } from "./name-sort-key.ts";

const CODE = z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/, "not a vocabulary code");
const EDTF_FILTER = z.string().max(64, "at most 64 characters");

export const BrowseSchema = z.strictObject({
  schema: z.string().max(64).optional(),
  /** Words of a name, in any script: every word must appear in one of the record's names. */
  q: z.string().max(200, "at most 200 characters").optional(),
  violation: CODE.optional(),
  role: CODE.optional(),
  place: z.uuid("not the id of a record").optional(),
  /** EDTF dates: records with a dated value that can fall between the first day of `from` and the last of `to`. */
  from: EDTF_FILTER.optional(),
  to: EDTF_FILTER.optional(),
  sensitivity: z.enum(SENSITIVITIES).optional(),
  tag: TagSchema.optional(),
  assignee: z.union([z.literal("me"), z.uuid()]).optional(),
  archived: z.enum(["exclude", "include", "only"]).default("exclude"),
  sort: z.enum(RECORD_SORTS).default("newest"),
  cursor: z.string().max(400).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});
export type BrowseFilter = z.output<typeof BrowseSchema>;

/** A value of a listed record, as the reader may read it (never a secret one). */
export interface ListedValue {
  value: string;
  lang: string | null;
  script: string | null;
  source: string | null;
  sensitivity: Sensitivity;
  dateEarliest: string | null;
  dateLatest: string | null;
}

export interface ListedRecord {
  id: string;
  schema: string;
  revision: number;
  restricted: boolean;
  archived: boolean;
  merged: boolean;
  createdAt: Date;
  updatedAt: Date;
  /** Readable values by property; long texts are left out of lists. */
  values: Record<string, ListedValue[]>;
  tags: string[];
  assignee: { id: string; name: string } | null;
}

export interface RecordList {
  records: ListedRecord[];
  nextCursor: string | null;
  /** How many records match, counted the way the rows are found; `more` when past COUNT_CAP. */
  count: { value: number; more: boolean };
}

/** A record in a few words, for links, pickers and captions: its first readable name. */
export interface RecordCaption {
  id: string;
  schema: string;
  caption: string | null;
  lang: string | null;
  script: string | null;
  archived: boolean;
  restricted: boolean;
}

type EntitiesQuery = ReturnType<typeof visibleRecords>;

/** The condition "statement `alias` of record `entity` may be read by the actor", in SQL. */
function readableStatement(actor: Actor, alias: string, entity: string): RawBuilder<unknown> {
  if (actor.role === "admin") return sql`true`;
  return sql`(${sql.ref(`${alias}.sensitivity`)} <> 'restricted' OR EXISTS (SELECT 1 FROM entity_access ra WHERE ra.entity_id = ${sql.ref(entity)} AND ra.user_id = ${actor.userId}))`;
}

/**
 * A live statement of the listed record `e`, readable by the actor, meeting `condition` (on `s`).
 * Correlated through s.entity_id alone, so the planner can turn it into a semi-join driven by an
 * index on the condition (ref_id, dates) instead of a lookup per listed record.
 */
function hasStatement(actor: Actor, condition: RawBuilder<unknown>): RawBuilder<boolean> {
  return sql<boolean>`EXISTS (SELECT 1 FROM statements s WHERE s.entity_id = e.id AND s.retracted_at IS NULL AND ${condition} AND ${readableStatement(actor, "s", "s.entity_id")})`;
}

function likePattern(word: string): string {
  return `%${word.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

interface DateRange {
  from: string;
  to: string;
}

/** The EDTF bounds of a filter, each read as the whole span it can mean; both problems reported at once. */
function dateRange(filter: BrowseFilter): DateRange | null {
  if (!filter.from && !filter.to) return null;
  const errors: Record<string, string> = {};
  const from = filter.from ? parseEdtf(filter.from) : null;
  const to = filter.to ? parseEdtf(filter.to) : null;
  if (from && !from.ok) errors.from = `is not a valid EDTF date: ${from.error}`;
  if (to && !to.ok) errors.to = `is not a valid EDTF date: ${to.error}`;
  if (Object.keys(errors).length > 0) throw new Invalid("some fields are not valid", errors);
  const range = { from: from?.ok ? from.value.earliest : "0000-01-01", to: to?.ok ? to.value.latest : "9999-12-31" };
  if (range.from > range.to) throw new Invalid("the dates are the wrong way round", { to: "must not be before the first date" });
  return range;
}

/** The schemata a list may show: exactly those of the page, narrowed by the filter's own (and its descendants among them). */
function schemataOf(scope: readonly string[] | undefined, wanted: string | undefined): string[] | null {
  if (wanted === undefined) return scope ? [...scope] : null;
  if (!findSchema(wanted)) throw new Invalid(`"${wanted.slice(0, 64)}" is not a schema`, { schema: "unknown schema" });
  const narrowed = schemaAndDescendants(wanted).filter((s) => scope === undefined || scope.includes(s));
  if (narrowed.length === 0) throw new Invalid(`"${wanted}" records are not listed here`, { schema: "not a kind of record listed here" });
  return narrowed;
}

/**
 * The sensitivity a reader sees a record at, as search reports it: the most sensitive value they
 * may know of (a restricted record counts as restricted, a restricted value only for those who read it).
 */
function sensitivityCondition(actor: Actor, level: Sensitivity): RawBuilder<boolean> {
  const has = (s: Sensitivity) => hasStatement(actor, sql`s.sensitivity = ${s}`);
  const restricted = sql<boolean>`(e.restricted OR ${has("restricted")})`;
  switch (level) {
    case "secret":
      return has("secret");
    case "restricted":
      return sql<boolean>`(NOT ${has("secret")} AND ${restricted})`;
    case "internal":
      return sql<boolean>`(NOT ${has("secret")} AND NOT ${restricted} AND ${has("internal")})`;
    case "public":
      return sql<boolean>`(NOT ${has("secret")} AND NOT ${restricted} AND NOT ${has("internal")})`;
  }
}

/** Records at either end of a visible Involvement that gives this role. */
function roleCondition(actor: Actor, role: string): RawBuilder<boolean> {
  const involvements = schemaAndDescendants("Involvement");
  const visible = actor.role === "admin" ? sql`true` : sql`(NOT i.restricted OR EXISTS (SELECT 1 FROM entity_access ia WHERE ia.entity_id = i.id AND ia.user_id = ${actor.userId}))`;
  return sql<boolean>`EXISTS (
    SELECT 1 FROM statements p
    JOIN entities i ON i.id = p.entity_id
    JOIN statements r ON r.entity_id = i.id AND r.property = 'role' AND r.value = ${role} AND r.retracted_at IS NULL
    WHERE p.ref_id = e.id AND p.retracted_at IS NULL AND p.property IN ('participant', 'incident')
      AND i.org_id = e.org_id AND i.archived_at IS NULL AND i.schema IN (${sql.join(involvements)}) AND ${visible}
      AND ${readableStatement(actor, "p", "i.id")} AND ${readableStatement(actor, "r", "i.id")})`;
}

/** Applies every filter but the cursor; the query is over `entities as e`, already limited to what the actor may see. */
function applyBrowseFilter(query: EntitiesQuery, actor: Actor, filter: BrowseFilter, scope: readonly string[] | undefined): EntitiesQuery {
  let q = applyEntityFilter(query, actor, { archived: filter.archived, tag: filter.tag, assignee: filter.assignee });
  const schemata = schemataOf(scope, filter.schema);
  if (schemata) q = q.where("e.schema", "in", schemata);
  const words = (filter.q ?? "").normalize("NFC").trim().split(/\s+/).filter(Boolean).slice(0, 8);
  for (const word of words) q = q.where(hasStatement(actor, sql`s.property IN (${sql.join([...NAME_PROPERTIES])}) AND s.value ILIKE ${likePattern(word)}`));
  if (filter.violation) q = q.where(hasStatement(actor, sql`s.property = 'violation' AND s.value = ${filter.violation}`));
  if (filter.place) q = q.where(hasStatement(actor, sql`s.ref_id = ${filter.place.toLowerCase()}`));
  const range = dateRange(filter);
  if (range) q = q.where(hasStatement(actor, sql`s.date_earliest IS NOT NULL AND s.date_earliest <= ${range.to} AND s.date_latest >= ${range.from}`));
  if (filter.role) q = q.where(roleCondition(actor, filter.role));
  if (filter.sensitivity) q = q.where(sensitivityCondition(actor, filter.sensitivity));
  return q;
}

// ---------------------------------------------------------------------------------------------
// Sorting and cursors

/**
 * The sort keys of a date sort, for every record of the organisation in one grouped pass over its
 * statements (a hash aggregate, not a lookup per record): the earliest (latest) date. Open values
 * only, so a hidden value never orders a list. The name sort reads the stored entities.name_key.
 */
function dateKeys(db: Tx, orgId: string, sort: "date" | "date-desc") {
  return db
    .selectFrom("statements as k")
    .select("k.entity_id")
    .where("k.org_id", "=", orgId)
    .where("k.retracted_at", "is", null)
    .where("k.sensitivity", "in", ["public", "internal"])
    .groupBy("k.entity_id")
    .select((sort === "date" ? sql<string>`min(k.date_earliest)` : sql<string>`max(k.date_latest)`).as("key"))
    .where("k.date_earliest", "is not", null);
}

/** What an undated record sorts as: last. */
const FALLBACK: Record<"date" | "date-desc", string> = { date: "9999-12-31", "date-desc": "0000-01-01" };

interface Cursor {
  sort: RecordSort;
  key: string;
  id: string;
}

function encodeCursor(cursor: Cursor): string {
  return Buffer.from(JSON.stringify([cursor.sort, cursor.key, cursor.id])).toString("base64url");
}

function decodeCursor(raw: string, sort: RecordSort): Cursor {
  try {
    const [s, key, id] = JSON.parse(Buffer.from(raw, "base64url").toString("utf8")) as unknown[];
    if (s === sort && typeof key === "string" && typeof id === "string" && UUID.test(id) && key.length <= 300) {
      if ((sort === "newest" || sort === "oldest" || sort === "updated") && Number.isNaN(Date.parse(key))) throw new Error("bad time");
      return { sort, key, id };
    }
  } catch {
    // refused below
  }
  throw new Invalid("the cursor is not one this server gave", { cursor: "not a valid cursor" });
}

function ordered(db: Tx, actor: Actor, query: EntitiesQuery, sort: RecordSort, cursor: Cursor | null) {
  if (sort === "name") {
    // The stored key, nameless records ('') first: an index walk in (org_id[, schema], name_key, id) order.
    let q = query.select(sql<string>`e.name_key`.as("sort_key"));
    if (cursor) q = q.where((eb) => eb(eb.refTuple("e.name_key", "e.id"), ">", eb.tuple(cursor.key, cursor.id)));
    return q.orderBy("e.name_key", "asc").orderBy("e.id", "asc");
  }
  if (sort === "date" || sort === "date-desc") {
    const descending = sort === "date-desc";
    const key = sql<string>`COALESCE(sk.key, ${FALLBACK[sort]})`;
    let q = query.leftJoin(dateKeys(db, actor.orgId, sort).as("sk"), "sk.entity_id", "e.id").select(key.as("sort_key"));
    if (cursor) q = q.where(sql<boolean>`(${key}, e.id) ${sql.raw(descending ? "<" : ">")} (${cursor.key}, ${cursor.id}::uuid)`);
    return q.orderBy(key, descending ? "desc" : "asc").orderBy("e.id", descending ? "desc" : "asc");
  }
  const column = sort === "updated" ? "e.updated_at" : "e.created_at";
  const descending = sort !== "oldest";
  let q = query.select(sql<string>`''`.as("sort_key"));
  if (cursor) q = q.where((eb) => eb(eb.refTuple(column, "e.id"), descending ? "<" : ">", eb.tuple(new Date(cursor.key), cursor.id)));
  return q.orderBy(column, descending ? "desc" : "asc").orderBy("e.id", descending ? "desc" : "asc");
}

function cursorOf(sort: RecordSort, row: { id: string; created_at: Date; updated_at: Date; sort_key: string }): string {
  const key = sort === "updated" ? row.updated_at.toISOString() : sort === "newest" || sort === "oldest" ? row.created_at.toISOString() : row.sort_key;
  return encodeCursor({ sort, key, id: row.id });
}

// ---------------------------------------------------------------------------------------------
// Reading what a list shows

const LONG_TEXT = new Set(["text", "html"]);

async function valuesOf(db: Tx, actor: Actor, rows: readonly { id: string; org_id: string; restricted: boolean; schema: string }[]): Promise<Map<string, Record<string, ListedValue[]>>> {
  const onList = await onAccessListOf(db, actor.userId, rows.filter((r) => r.restricted).map((r) => r.id));
  const readable = new Map(rows.map((r) => [r.id, readableBy(actor, recordSubject(r, onList.has(r.id)))]));
  const schemaOf = new Map(rows.map((r) => [r.id, findSchema(r.schema)]));
  const values = new Map<string, Record<string, ListedValue[]>>(rows.map((r) => [r.id, {}]));
  for (const s of await liveStatements(db, rows.map((r) => r.id))) {
    if (s.value === null || !readable.get(s.entity_id)!(s)) continue;
    const type = schemaOf.get(s.entity_id)?.getProperties().get(s.property)?.type.name;
    if (type && LONG_TEXT.has(type)) continue;
    const own = values.get(s.entity_id)!;
    (own[s.property] ??= []).push(listedValue(s));
  }
  return values;
}

function listedValue(s: StatementRow): ListedValue {
  return { value: s.value!, lang: s.lang, script: s.script, source: s.source_id, sensitivity: s.sensitivity, dateEarliest: s.date_earliest, dateLatest: s.date_latest };
}

async function marksOf(db: Tx, ids: readonly string[]) {
  if (ids.length === 0) return { tags: new Map<string, string[]>(), assignees: new Map<string, { id: string; name: string }>() };
  const tags = new Map<string, string[]>();
  for (const t of await db.selectFrom("entity_tags").select(["entity_id", "tag"]).where("entity_id", "in", [...ids]).where("removed_at", "is", null).orderBy("tag").execute()) {
    (tags.get(t.entity_id) ?? tags.set(t.entity_id, []).get(t.entity_id)!).push(t.tag);
  }
  const assignees = new Map<string, { id: string; name: string }>();
  const rows = await db
    .selectFrom("entity_assignments as x")
    .innerJoin("users as u", "u.id", "x.user_id")
    .select(["x.entity_id", "u.id", "u.name"])
    .where("x.entity_id", "in", [...ids])
    .where("x.ended_at", "is", null)
    .execute();
  for (const r of rows) assignees.set(r.entity_id, { id: r.id, name: r.name });
  return { tags, assignees };
}

async function requireListing(services: Services, origin: Origin, actor: Actor): Promise<void> {
  await requirePermission(services, origin, can(actor, "record.list", { kind: "records", orgId: actor.orgId }), actor, "record.list", { type: "entity", id: null });
}

/**
 * A page of records matching a filter, in the order asked, with the number that match. `scope`
 * is the list's own schemata, exactly (a page of organisations lists Organization, Company and
 * PublicBody records); the filter's `schema` narrows within it.
 */
export async function browseRecords(services: Services, origin: Origin, actor: Actor, raw: unknown, scope?: readonly string[]): Promise<RecordList> {
  await requireListing(services, origin, actor);
  const filter = parseInput(BrowseSchema, raw);
  const db = services.db;
  const filtered = applyBrowseFilter(visibleRecords(db, actor), actor, filter, scope);
  const cursor = filter.cursor ? decodeCursor(filter.cursor, filter.sort) : null;
  const rows = await ordered(db, actor, filtered, filter.sort, cursor).limit(filter.limit + 1).execute();
  const page = rows.slice(0, filter.limit);
  // Counted over the same visible, filtered records; capped so a large organisation's list stays quick.
  const counted = await db
    .selectFrom(filtered.clearSelect().select("e.id").limit(COUNT_CAP + 1).as("m"))
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .executeTakeFirstOrThrow();
  const total = Number(counted.n);
  const values = await valuesOf(db, actor, page);
  const marks = await marksOf(db, page.map((r) => r.id));
  return {
    records: page.map((r) => ({
      id: r.id,
      schema: r.schema,
      revision: r.revision,
      restricted: r.restricted,
      archived: r.archived_at !== null,
      merged: r.merged_into !== null,
      createdAt: r.created_at,
      updatedAt: r.updated_at,
      values: values.get(r.id)!,
      tags: marks.tags.get(r.id) ?? [],
      assignee: marks.assignees.get(r.id) ?? null,
    })),
    nextCursor: rows.length > filter.limit ? cursorOf(filter.sort, page[page.length - 1]!) : null,
    count: { value: Math.min(total, COUNT_CAP), more: total > COUNT_CAP },
  };
}

/** How many live records of each schema the reader may see (a restricted record the reader may not see is not counted). */
export async function countRecordsBySchema(services: Services, origin: Origin, actor: Actor): Promise<Record<string, number>> {
  await requireListing(services, origin, actor);
  const rows = await services.db
    .selectFrom("entities as e")
    .select(["e.schema", sql<number>`count(*)`.as("n")])
    .where(visibleTo(actor))
    .where("e.archived_at", "is", null)
    .groupBy("e.schema")
    .execute();
  return Object.fromEntries(rows.map((r) => [r.schema, Number(r.n)]));
}

/**
 * Captions of the records among `ids` that the reader may see, with their first readable name and
 * its language; records the reader may not see are simply absent from the answer.
 */
export async function captionsOf(services: Services, actor: Actor, ids: readonly string[]): Promise<Map<string, RecordCaption>> {
  const wanted = [...new Set(ids.map((id) => id.toLowerCase()))].filter((id) => UUID.test(id));
  const captions = new Map<string, RecordCaption>();
  if (wanted.length === 0 || !can(actor, "record.list", { kind: "records", orgId: actor.orgId })) return captions;
  const rows = await visibleRecords(services.db, actor).where("e.id", "in", wanted).execute();
  const values = await valuesOf(services.db, actor, rows);
  for (const row of rows) {
    const shown = values.get(row.id)!;
    const schema = findSchema(row.schema);
    const first = [...(schema?.caption ?? []), ...NAME_PROPERTIES].map((p) => shown[p]?.[0]).find((v) => v !== undefined);
    captions.set(row.id, { id: row.id, schema: row.schema, caption: first?.value ?? null, lang: first?.lang ?? null, script: first?.script ?? null, archived: row.archived_at !== null, restricted: row.restricted });
  }
  return captions;
}

/** Live records the reader may see that cite `sourceId` for a value the reader may read, newest first: what a source supports. */
export async function citingRecords(services: Services, origin: Origin, actor: Actor, sourceId: string, limit = 200): Promise<{ records: RecordCaption[]; more: boolean }> {
  await requireListing(services, origin, actor);
  if (!UUID.test(sourceId)) return { records: [], more: false };
  const rows = await visibleRecords(services.db, actor)
    .clearSelect()
    .select("e.id")
    .where("e.archived_at", "is", null)
    .where(hasStatement(actor, sql`s.source_id = ${sourceId}`))
    .orderBy("e.created_at", "desc")
    .orderBy("e.id", "desc")
    .limit(limit + 1)
    .execute();
  const captions = await captionsOf(services, actor, rows.slice(0, limit).map((r) => r.id));
  return { records: rows.slice(0, limit).map((r) => captions.get(r.id)).filter((c): c is RecordCaption => c !== undefined), more: rows.length > limit };
}
