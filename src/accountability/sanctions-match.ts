// Matching the organisation's officials and companies against the sanctions lists, through the
// names engine: the same normalisation, blocking keys, candidate planning and scoring as the
// screening of records (src/names, src/screening); only the index read here is the lists' own
// (sanctions_entry_keys). What it finds is a candidate until an analyst confirms or rejects it;
// every decision is kept and can be reversed. A person's sanctions status per jurisdiction is read
// from the confirmed matches.
import { randomUUID } from "node:crypto";
import { sql } from "kysely";
import { z } from "zod";
import { can, Forbidden, Invalid, NotFound, type Actor, type FieldErrors } from "../core/index.ts";
import type { Origin, Services, Tx } from "../context.ts";
import { recordAudit } from "../audit/index.ts";
import { parseInput } from "../accounts/index.ts";
import { captionsOf, inputOf, visibleTo } from "../records/index.ts";
import { answersQuery, CANDIDATE_BUDGET, prepareQuery, type PreparedQuery } from "../screening/index.ts";
import { countLimit, DEFAULT_THRESHOLD, ENGINE_VERSION, matchNames, planCandidateKeys, preparedFromJson, UNKNOWN_DECADE, type EntitySchema, type PreparedEntity } from "../names/index.ts";
import { ENTRY_SCHEMATA } from "./lists-formats.ts";
import { countryCode } from "./countries.ts";
import { JURISDICTIONS, requireSanctions, sanctionsSubject, type Jurisdiction } from "./lists.ts";

/** The records matched against the lists: officials and organisations. */
export const SCREENED_SCHEMATA = ["Person", "Company", "Organization", "PublicBody", "LegalEntity"] as const;
/** A candidate is proposed from this score. */
export const CANDIDATE_THRESHOLD = 0.7;
const RECORD_BATCH = 200;
export const MATCH_PAGE = 50;

interface Blocked {
  keys: string[];
  decades: number[] | null;
}

interface EntryCandidate {
  id: string;
  listId: string;
  listName: string;
  listTitle: string;
  jurisdictions: Jurisdiction[];
  sourceId: string;
  schema: string;
  caption: string;
  programs: string[];
  delisted: boolean;
  prepared: PreparedEntity | null;
}

/**
 * The list entries each query's blocking keys reach, planned as the records' index plans them
 * (planCandidateKeys: rare pair and joined keys first, common single names only when rare), in two
 * round trips for the whole batch.
 */
async function entryCandidates(db: Tx, orgId: string, queries: readonly Blocked[], listIds: readonly string[] | null): Promise<{ perQuery: string[][]; entries: Map<string, EntryCandidate> }> {
  const units: { q: number; key: string; decades: string; cap: number }[] = [];
  queries.forEach((query, q) => {
    for (const key of query.keys) units.push({ q, key, decades: query.decades ? [...query.decades, UNKNOWN_DECADE].join(",") : "", cap: countLimit(key, query.keys, CANDIDATE_BUDGET) });
  });
  const perQuery = queries.map(() => [] as string[]);
  if (units.length === 0) return { perQuery, entries: new Map() };
  const lists = listIds ? sql`AND EXISTS (SELECT 1 FROM sanctions_entries e WHERE e.id = k.entry_id AND e.list_id = ANY(${[...listIds]}::uuid[]))` : sql``;
  const block = (limit: RawLimit) => sql`SELECT k.entry_id FROM sanctions_entry_keys k WHERE k.org_id = ${orgId}::uuid AND k.key = u.key
    AND (u.decades = '' OR k.decade = ANY(string_to_array(u.decades, ',')::int[])) ${lists} LIMIT ${limit}`;
  type RawLimit = ReturnType<typeof sql>;
  const { rows: sizes } = await sql<{ i: number; n: number }>`
    SELECT u.i, (SELECT count(*)::int FROM (${block(sql`u.lim`)}) c) AS n
    FROM unnest(${units.map((u) => u.key)}::text[], ${units.map((u) => u.decades)}::text[], ${units.map((u) => u.cap)}::int[], ${units.map((_, i) => i)}::int[]) AS u(key, decades, lim, i)`.execute(db);
  const size = units.map(() => 0);
  for (const s of sizes) size[s.i] = s.n;
  const limits = units.map(() => 0);
  queries.forEach((query, q) => {
    const mine = units.map((u, i) => ({ u, i })).filter((x) => x.u.q === q);
    const plan = planCandidateKeys(query.keys, (key) => {
      const x = mine.find((m) => m.u.key === key)!;
      return { size: size[x.i]!, capped: size[x.i]! >= x.u.cap };
    }, CANDIDATE_BUDGET);
    for (const k of plan.keys) limits[mine.find((m) => m.u.key === k.key)!.i] = k.limit;
  });
  const read = units.map((u, i) => ({ ...u, i, limit: limits[i]! })).filter((u) => u.limit > 0);
  if (read.length === 0) return { perQuery, entries: new Map() };
  const { rows } = await sql<{ q: number; entry_id: string }>`
    SELECT u.q, b.entry_id
    FROM unnest(${read.map((u) => u.key)}::text[], ${read.map((u) => u.decades)}::text[], ${read.map((u) => u.limit)}::int[], ${read.map((u) => u.q)}::int[]) AS u(key, decades, lim, q)
    CROSS JOIN LATERAL (${block(sql`u.lim`)}) b`.execute(db);
  const ids = [...new Set(rows.map((r) => r.entry_id))];
  const entries = new Map<string, EntryCandidate>();
  for (let i = 0; i < ids.length; i += 5000) {
    const found = await db
      .selectFrom("sanctions_entries as e")
      .innerJoin("sanctions_lists as l", "l.id", "e.list_id")
      .select(["e.id", "e.list_id", "l.name", "l.title", "l.jurisdictions", "e.source_id", "e.schema", "e.caption", "e.programs", "e.delisted_in", "e.engine", "e.features", "e.properties"])
      .where("e.id", "in", ids.slice(i, i + 5000))
      .where("e.org_id", "=", orgId)
      .execute();
    for (const e of found) {
      const features = typeof e.features === "string" ? JSON.parse(e.features) : e.features;
      entries.set(e.id, {
        id: e.id, listId: e.list_id, listName: e.name, listTitle: e.title, jurisdictions: e.jurisdictions as Jurisdiction[], sourceId: e.source_id, schema: e.schema, caption: e.caption,
        programs: e.programs, delisted: e.delisted_in !== null, prepared: e.engine === ENGINE_VERSION ? preparedFromJson(features) : null,
      });
    }
  }
  for (const r of rows) if (!perQuery[r.q]!.includes(r.entry_id)) perQuery[r.q]!.push(r.entry_id);
  return { perQuery, entries };
}

export interface ListEntryMatch {
  entryId: string;
  sourceId: string;
  caption: string;
  schema: string;
  score: number;
  list: { name: string; title: string };
  jurisdictions: Jurisdiction[];
  programs: string[];
  delisted: boolean;
  explanation: string[];
}

function scoreAgainst(query: PreparedEntity, schema: EntitySchema, ids: readonly string[], entries: Map<string, EntryCandidate>, threshold: number): ListEntryMatch[] {
  const out: ListEntryMatch[] = [];
  for (const id of ids) {
    const e = entries.get(id);
    if (!e || !e.prepared || !answersQuery(schema, e.schema as EntitySchema)) continue;
    const result = matchNames(query, e.prepared);
    if (result.score < threshold) continue;
    out.push({
      entryId: e.id, sourceId: e.sourceId, caption: e.caption, schema: e.schema, score: result.score, list: { name: e.listName, title: e.listTitle },
      jurisdictions: e.jurisdictions, programs: e.programs, delisted: e.delisted, explanation: result.explanation,
    });
  }
  return out.sort((a, b) => b.score - a.score || a.caption.localeCompare(b.caption));
}

const BulkQuerySchema = z.array(
  z.strictObject({
    name: z.string().trim().min(1, "give a name").max(500, "at most 500 characters"),
    country: z.string().trim().max(100).optional(),
    schema: z.enum(ENTRY_SCHEMATA).optional(),
  }),
).max(10_000, "at most 10,000 names at a time");

export interface BulkMatchOptions {
  threshold?: number;
  /** Results kept per query. */
  limit?: number;
}

/**
 * Matches names (suppliers, officials) against every list of the caller's organisation: for each
 * query, the entries that score at least the threshold, best first, with their list and the
 * jurisdictions whose measures it carries. A query without a schema is read as a company.
 */
export async function matchListEntries(db: Tx, actor: Actor, queries: readonly { name: string; country?: string; schema?: string }[], options: BulkMatchOptions = {}): Promise<ListEntryMatch[][]> {
  if (!can(actor, "sanctions.view", sanctionsSubject(actor))) throw new Forbidden("you may not read the sanctions lists");
  const checked = parseInput(BulkQuerySchema, queries);
  const threshold = options.threshold ?? DEFAULT_THRESHOLD;
  const limit = options.limit ?? 10;
  const errors: FieldErrors = {};
  const prepared = checked.map((q, i) => {
    const code = q.country ? countryCode(q.country) : null;
    return prepareQuery({ schema: q.schema ?? "Company", properties: { name: [q.name], ...(code ? { country: [code] } : {}) } }, `${i}`, errors);
  });
  if (Object.keys(errors).length > 0) throw new Invalid("some names cannot be matched", errors);
  const out: ListEntryMatch[][] = [];
  for (let i = 0; i < prepared.length; i += RECORD_BATCH) {
    const batch = prepared.slice(i, i + RECORD_BATCH) as PreparedQuery[];
    const { perQuery, entries } = await entryCandidates(db, actor.orgId, batch, null);
    batch.forEach((q, j) => out.push(scoreAgainst(q.prepared, q.example.schema as EntitySchema, perQuery[j]!, entries, threshold).slice(0, limit)));
  }
  return out;
}

// ——— screening the organisation's records ———

export const ScreenRecordsSchema = z.strictObject({
  /** Only these lists (names); all by default. */
  lists: z.array(z.string().max(64)).max(100).optional(),
});

export interface ScreeningOutcome {
  records: number;
  candidates: number;
  updated: number;
}

/**
 * Matches every official and organisation the caller may see against the lists, and records each
 * new pair that scores at least CANDIDATE_THRESHOLD as a candidate. Pairs already decided keep
 * their decision; a candidate still undecided takes the new score.
 */
export async function screenRecords(services: Services, origin: Origin, actor: Actor, raw: unknown = {}): Promise<ScreeningOutcome> {
  await requireSanctions(services, origin, actor, "sanctions.review");
  const input = parseInput(ScreenRecordsSchema, (await inputOf(raw)) ?? {});
  let listIds: string[] | null = null;
  if (input.lists && input.lists.length > 0) {
    const rows = await services.db.selectFrom("sanctions_lists").select(["id", "name"]).where("org_id", "=", actor.orgId).where("name", "in", input.lists).execute();
    const missing = input.lists.filter((n) => !rows.some((r) => r.name === n));
    if (missing.length > 0) throw new Invalid("some lists do not exist", { lists: `no list named ${missing.join(", ")}` });
    listIds = rows.map((r) => r.id);
  }
  const outcome: ScreeningOutcome = { records: 0, candidates: 0, updated: 0 };
  let after = "00000000-0000-0000-0000-000000000000";
  for (;;) {
    const records = await services.db
      .selectFrom("entities as e")
      .innerJoin("name_features as x", "x.entity_id", "e.id")
      .select(["e.id", "e.schema", "x.engine", "x.features"])
      .where((eb) => visibleTo(actor)(eb as never))
      .where("e.archived_at", "is", null)
      .where("e.schema", "in", [...SCREENED_SCHEMATA])
      .where("e.id", ">", after)
      .orderBy("e.id")
      .limit(RECORD_BATCH)
      .execute();
    if (records.length === 0) break;
    after = records[records.length - 1]!.id;
    const keyRows = await services.db.selectFrom("name_keys").select(["entity_id", "key", "decade"]).where("entity_id", "in", records.map((r) => r.id)).execute();
    const queries = records.map((r) => {
      const mine = keyRows.filter((k) => k.entity_id === r.id);
      const decades = [...new Set(mine.map((k) => k.decade))];
      return { keys: [...new Set(mine.map((k) => k.key))], decades: decades.includes(UNKNOWN_DECADE) ? null : decades };
    });
    const { perQuery, entries } = await entryCandidates(services.db, actor.orgId, queries, listIds);
    const found: { entity: string; entry: string; score: number; explanation: string[] }[] = [];
    records.forEach((r, i) => {
      const prepared = preparedFromJson(typeof r.features === "string" ? JSON.parse(r.features) : r.features);
      if (!prepared || r.engine !== ENGINE_VERSION) return;
      for (const m of scoreAgainst(prepared, r.schema as EntitySchema, perQuery[i]!, entries, CANDIDATE_THRESHOLD)) found.push({ entity: r.id, entry: m.entryId, score: m.score, explanation: m.explanation });
    });
    outcome.records += records.length;
    if (found.length === 0) continue;
    const now = services.now();
    await services.db.transaction().execute(async (tx) => {
      const { rows } = await sql<{ inserted: boolean }>`
        INSERT INTO sanctions_matches (id, org_id, entity_id, entry_id, score, explanation, status, found_at)
        SELECT t.id, ${actor.orgId}::uuid, t.entity_id, t.entry_id, t.score, t.explanation::jsonb, 'candidate', ${now}
        FROM unnest(${found.map(() => randomUUID())}::uuid[], ${found.map((f) => f.entity)}::uuid[], ${found.map((f) => f.entry)}::uuid[], ${found.map((f) => f.score)}::real[], ${found.map((f) => JSON.stringify(f.explanation))}::text[])
          AS t(id, entity_id, entry_id, score, explanation)
        ON CONFLICT (entity_id, entry_id) DO UPDATE SET score = EXCLUDED.score, explanation = EXCLUDED.explanation WHERE sanctions_matches.status = 'candidate'
        RETURNING (xmax = 0) AS inserted`.execute(tx);
      outcome.candidates += rows.filter((r) => r.inserted).length;
      outcome.updated += rows.filter((r) => !r.inserted).length;
    });
  }
  await recordAudit(services.db, origin, { orgId: actor.orgId, actorId: actor.userId, action: "sanctions.screen", targetType: "sanctions", details: { ...outcome } });
  return outcome;
}

// ——— candidates and decisions ———

export const MATCH_STATUSES = ["candidate", "confirmed", "rejected"] as const;
export type MatchStatus = (typeof MATCH_STATUSES)[number];

export const MatchQuerySchema = z.strictObject({
  status: z.enum([...MATCH_STATUSES, "all"]).default("candidate"),
  entity: z.uuid("not a record id").optional(),
  page: z.coerce.number().int().min(1).max(10_000).default(1),
});

export const DecisionSchema = z.strictObject({
  status: z.enum(MATCH_STATUSES, "confirmed, rejected, or candidate to undo a decision"),
  reason: z.string().trim().min(1, "say why").max(2000, "at most 2000 characters"),
});

export interface MatchView {
  id: string;
  entity: { id: string; schema: string; caption: string | null };
  entry: { id: string; sourceId: string; caption: string; schema: string; programs: string[]; delisted: boolean; properties: Record<string, string[]> };
  list: { name: string; title: string; jurisdictions: Jurisdiction[] };
  score: number;
  explanation: string[];
  status: MatchStatus;
  foundAt: Date;
  decided: { by: string | null; at: Date; reason: string } | null;
  decisions: { status: MatchStatus; reason: string; by: string | null; at: Date }[];
}

function matchRows(db: Tx, actor: Actor) {
  return db
    .selectFrom("sanctions_matches as m")
    .innerJoin("entities as e", "e.id", "m.entity_id")
    .innerJoin("sanctions_entries as s", "s.id", "m.entry_id")
    .innerJoin("sanctions_lists as l", "l.id", "s.list_id")
    .select([
      "m.id", "m.entity_id", "e.schema as entity_schema", "m.entry_id", "s.source_id", "s.caption", "s.schema", "s.programs", "s.delisted_in", "s.properties", "l.name", "l.title", "l.jurisdictions",
      "m.score", "m.explanation", "m.status", "m.found_at", "m.decided_by", "m.decided_at", "m.reason",
    ])
    .where("m.org_id", "=", actor.orgId)
    // A record the caller may not know of is neither listed nor counted.
    .where((eb) => visibleTo(actor)(eb as never));
}

type MatchRow = Awaited<ReturnType<ReturnType<typeof matchRows>["execute"]>>[number];

async function viewsOf(services: Services, actor: Actor, rows: MatchRow[], withDecisions: boolean): Promise<MatchView[]> {
  const captions = await captionsOf(services, actor, rows.map((r) => r.entity_id));
  const decisions = withDecisions && rows.length > 0
    ? await services.db.selectFrom("sanctions_match_decisions").select(["match_id", "status", "reason", "decided_by", "decided_at"]).where("match_id", "in", rows.map((r) => r.id)).orderBy("decided_at").execute()
    : [];
  return rows.map((r) => ({
    id: r.id,
    entity: { id: r.entity_id, schema: r.entity_schema, caption: captions.get(r.entity_id)?.caption ?? null },
    entry: {
      id: r.entry_id, sourceId: r.source_id, caption: r.caption, schema: r.schema, programs: r.programs, delisted: r.delisted_in !== null,
      properties: (typeof r.properties === "string" ? JSON.parse(r.properties) : r.properties) as Record<string, string[]>,
    },
    list: { name: r.name, title: r.title, jurisdictions: r.jurisdictions as Jurisdiction[] },
    score: Number(r.score),
    explanation: (typeof r.explanation === "string" ? JSON.parse(r.explanation) : r.explanation) as string[],
    status: r.status,
    foundAt: r.found_at,
    decided: r.decided_at ? { by: r.decided_by, at: r.decided_at, reason: r.reason ?? "" } : null,
    decisions: decisions.filter((d) => d.match_id === r.id).map((d) => ({ status: d.status, reason: d.reason, by: d.decided_by, at: d.decided_at })),
  }));
}

export async function listMatches(services: Services, origin: Origin, actor: Actor, raw: unknown): Promise<{ items: MatchView[]; total: number; page: number }> {
  await requireSanctions(services, origin, actor, "sanctions.view");
  const query = parseInput(MatchQuerySchema, raw);
  let q = matchRows(services.db, actor);
  if (query.status !== "all") q = q.where("m.status", "=", query.status);
  if (query.entity) q = q.where("m.entity_id", "=", query.entity);
  const total = (await q.clearSelect().select(sql<number>`count(*)::int`.as("n")).executeTakeFirstOrThrow()).n;
  const rows = await q.orderBy("m.score", "desc").orderBy("m.id").limit(MATCH_PAGE).offset((query.page - 1) * MATCH_PAGE).execute();
  return { items: await viewsOf(services, actor, rows, false), total, page: query.page };
}

export async function getMatch(services: Services, origin: Origin, actor: Actor, id: string): Promise<MatchView> {
  await requireSanctions(services, origin, actor, "sanctions.view");
  const row = /^[0-9a-f-]{36}$/.test(id) ? await matchRows(services.db, actor).where("m.id", "=", id).executeTakeFirst() : undefined;
  if (!row) throw new NotFound("no such match");
  return (await viewsOf(services, actor, [row], true))[0]!;
}

/** Confirms or rejects a candidate, or puts a decision back to candidate; each step is kept and audited. */
export async function decideMatch(services: Services, origin: Origin, actor: Actor, id: string, raw: unknown): Promise<MatchView> {
  await requireSanctions(services, origin, actor, "sanctions.review");
  await getMatch(services, origin, actor, id);
  const input = parseInput(DecisionSchema, await inputOf(raw));
  const now = services.now();
  await services.db.transaction().execute(async (tx) => {
    await tx.updateTable("sanctions_matches").set({ status: input.status, decided_by: actor.userId, decided_at: now, reason: input.reason }).where("id", "=", id).execute();
    await tx.insertInto("sanctions_match_decisions").values({ id: randomUUID(), match_id: id, status: input.status, reason: input.reason, decided_by: actor.userId, decided_at: now }).execute();
    await recordAudit(tx, origin, { orgId: actor.orgId, actorId: actor.userId, action: `sanctions.match.${input.status === "candidate" ? "reopen" : input.status === "confirmed" ? "confirm" : "reject"}`, targetType: "sanctions-match", targetId: id, details: { status: input.status } });
  });
  return getMatch(services, origin, actor, id);
}

// ——— status per jurisdiction ———

export type JurisdictionStatus = "sanctioned" | "delisted" | "candidate" | "none";

export interface SanctionsStatus {
  byJurisdiction: Record<Jurisdiction, JurisdictionStatus>;
  /** The lists a confirmed match puts the record on. */
  lists: { name: string; title: string; programs: string[]; delisted: boolean }[];
}

const RANK: Record<JurisdictionStatus, number> = { none: 0, candidate: 1, delisted: 2, sanctioned: 3 };

/**
 * Each record's status per jurisdiction: sanctioned (a confirmed match on a list entry still
 * listed), delisted (confirmed only on entries since delisted), candidate (undecided matches
 * only), none. Records the caller may not know of are left out of the answer.
 */
export async function sanctionsStatusOf(db: Tx, actor: Actor, entityIds: readonly string[]): Promise<Map<string, SanctionsStatus>> {
  const out = new Map<string, SanctionsStatus>();
  for (const id of entityIds) out.set(id, { byJurisdiction: Object.fromEntries(JURISDICTIONS.map((j) => [j, "none"])) as Record<Jurisdiction, JurisdictionStatus>, lists: [] });
  if (entityIds.length === 0 || !can(actor, "sanctions.view", sanctionsSubject(actor))) return out;
  const rows = await matchRows(db, actor).where("m.entity_id", "in", [...entityIds]).where("m.status", "in", ["confirmed", "candidate"]).execute();
  for (const r of rows) {
    const status = out.get(r.entity_id)!;
    const value: JurisdictionStatus = r.status === "candidate" ? "candidate" : r.delisted_in ? "delisted" : "sanctioned";
    for (const j of r.jurisdictions as Jurisdiction[]) if (RANK[value] > RANK[status.byJurisdiction[j]]) status.byJurisdiction[j] = value;
    if (r.status === "confirmed" && !status.lists.some((l) => l.name === r.name)) status.lists.push({ name: r.name, title: r.title, programs: r.programs, delisted: r.delisted_in !== null });
  }
  return out;
}

export async function getSanctionsStatus(services: Services, origin: Origin, actor: Actor, entityId: string): Promise<SanctionsStatus & { entity: string }> {
  await requireSanctions(services, origin, actor, "sanctions.view");
  const visible = /^[0-9a-f-]{36}$/.test(entityId) ? await captionsOf(services, actor, [entityId]) : new Map();
  if (!visible.has(entityId)) throw new NotFound("no such record");
  return { entity: entityId, ...(await sanctionsStatusOf(services.db, actor, [entityId])).get(entityId)! };
}
