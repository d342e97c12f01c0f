// The SQL of the silence dashboard and its facility map, over the monitor_detentions projection.
// Permission is part of every query: a detention the caller may not know of (src/records'
// visibleTo on its record) is never listed or counted, and a guarded row (something in it is
// restricted) only for who may read the detention's restricted part: administrators and its access
// list. Names match only through values the caller may read.
import { sql, type Expression, type RawBuilder, type SqlBool } from "kysely";
import type { Actor } from "../core/index.ts";
import type { Tx } from "../context.ts";
import { visibleTo } from "../records/index.ts";
import { DEFAULT_SILENCE_DAYS, type SilenceFilter, type Urgency } from "./silence-input.ts";

type Fragment = RawBuilder<unknown>;

/** Whether the actor may read the restricted part of the record with id column `ref`. */
function readsRestricted(actor: Actor, ref: string): Fragment {
  if (actor.role === "admin") return sql`true`;
  return sql`EXISTS (SELECT 1 FROM entity_access a WHERE a.entity_id = ${sql.ref(ref)} AND a.user_id = ${actor.userId})`;
}

/** Days of silence of row `m` on `today`; null when no proof of life was ever recorded. */
export function silenceDays(today: string): Fragment {
  return sql`(${today}::date - m.last_proof_of_life::date)`;
}

/** The urgency of row `m` on `today`, as urgencyOf computes it. */
export function urgencySql(today: string): Fragment {
  const days = silenceDays(today);
  const window = sql`COALESCE(m.silence_days, ${DEFAULT_SILENCE_DAYS})`;
  return sql`CASE WHEN m.last_proof_of_life IS NULL THEN 'never' WHEN ${days} > ${window} THEN 'overdue' WHEN ${days} * 4 >= ${window} * 3 THEN 'approaching' ELSE 'recent' END`;
}

/**
 * The live rows of the actor's organisation it may see, matching the filter. `urgency: false`
 * leaves the urgency filter out (the counts by urgency are of every level).
 */
export function silenceBase(db: Tx, actor: Actor, filter: SilenceFilter, today: string, options: { urgency?: boolean; facility?: boolean } = {}) {
  let q = db
    .selectFrom("monitor_detentions as m")
    .innerJoin("entities as e", "e.id", "m.detention_id")
    .where("m.org_id", "=", actor.orgId)
    .where("m.ongoing", "=", true)
    .where("m.archived", "=", false)
    .where("e.archived_at", "is", null)
    // The records' own rule on the detention's record (same organisation; restricted only for its list).
    .where((eb) => visibleTo(actor)(eb as never) as Expression<SqlBool>);
  if (actor.role !== "admin") q = q.where(sql<SqlBool>`(NOT m.guarded OR ${readsRestricted(actor, "m.detention_id")})`);
  if (filter.status.length > 0) q = q.where("m.status", "in", filter.status);
  if (options.facility !== false && filter.facility.length > 0) q = q.where("m.facility_id", "in", filter.facility);
  if (filter.minDays !== undefined) {
    const cutoff = sql`(${today}::date - ${filter.minDays}::int)::text`;
    q = q.where(sql<SqlBool>`(m.last_proof_of_life IS NULL OR m.last_proof_of_life <= ${cutoff})`);
  }
  if (filter.name !== undefined) {
    // Readable name statements of people the actor may know of; the trigram index of migration 0016 finds them.
    const pattern = `%${filter.name.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    q = q.where(sql<SqlBool>`m.person_id IN (
      SELECT s.entity_id FROM statements s JOIN entities p ON p.id = s.entity_id
      WHERE s.property = 'name' AND s.retracted_at IS NULL AND s.value IS NOT NULL AND lower(s.value) LIKE ${pattern}
        AND s.org_id = ${actor.orgId} AND p.org_id = ${actor.orgId} AND p.archived_at IS NULL
        AND (NOT p.restricted OR ${readsRestricted(actor, "p.id")})
        AND (s.sensitivity <> 'restricted' OR ${readsRestricted(actor, "p.id")}))`);
  }
  if (options.urgency !== false && filter.urgency.length > 0) q = q.where(sql<SqlBool>`${urgencySql(today)} = ANY(${filter.urgency}::text[])`);
  return q;
}

export interface SilenceRow {
  detention_id: string;
  person_id: string | null;
  facility_id: string | null;
  status: string | null;
  status_earliest: string | null;
  started_earliest: string | null;
  started_latest: string | null;
  last_proof_of_life: string | null;
  silence_days: number | null;
  guarded: boolean;
}

/** Sort key of "never a proof of life" in a cursor: before every date. */
export const NEVER = "";

/**
 * A page in the dashboard's order: longest silence first (never any proof of life first of all),
 * then by detention id; after the cursor (its last row's key). The order is the index of
 * migration 0011 (org, last_proof_of_life NULLS FIRST, detention_id), read from the cursor on.
 */
export async function silencePage(db: Tx, actor: Actor, filter: SilenceFilter, today: string, after: [string, string] | null, limit: number): Promise<SilenceRow[]> {
  let q = silenceBase(db, actor, filter, today);
  if (after) {
    const [last, id] = after;
    q =
      last === NEVER
        ? q.where(sql<SqlBool>`((m.last_proof_of_life IS NULL AND m.detention_id > ${id}::uuid) OR m.last_proof_of_life IS NOT NULL)`)
        : q.where(sql<SqlBool>`(m.last_proof_of_life >= ${last} AND (m.last_proof_of_life > ${last} OR m.detention_id > ${id}::uuid))`);
  }
  return q
    .select(["m.detention_id", "m.person_id", "m.facility_id", "m.status", "m.status_earliest", "m.started_earliest", "m.started_latest", "m.last_proof_of_life", "m.silence_days", "m.guarded"])
    .orderBy(sql`m.last_proof_of_life ASC NULLS FIRST`)
    .orderBy("m.detention_id")
    .limit(limit)
    .execute();
}

export type UrgencyCounts = Record<Urgency, number>;

/** How many rows match the filter, by urgency (the urgency filter left out so every level is counted). */
export async function silenceCounts(db: Tx, actor: Actor, filter: SilenceFilter, today: string): Promise<UrgencyCounts> {
  const urgency = urgencySql(today);
  const row = await silenceBase(db, actor, filter, today, { urgency: false })
    .select([
      sql<string>`count(*) FILTER (WHERE ${urgency} = 'never')`.as("never"),
      sql<string>`count(*) FILTER (WHERE ${urgency} = 'overdue')`.as("overdue"),
      sql<string>`count(*) FILTER (WHERE ${urgency} = 'approaching')`.as("approaching"),
      sql<string>`count(*) FILTER (WHERE ${urgency} = 'recent')`.as("recent"),
    ])
    .executeTakeFirstOrThrow();
  return { never: Number(row.never), overdue: Number(row.overdue), approaching: Number(row.approaching), recent: Number(row.recent) };
}

export interface FacilityAggregate {
  facility_id: string | null;
  held: number;
  never: number;
  overdue: number;
  approaching: number;
  /** The earliest last proof of life among those with one. */
  oldest: string | null;
}

/** The matching rows grouped by facility (null: none recorded). */
export async function silenceByFacility(db: Tx, actor: Actor, filter: SilenceFilter, today: string): Promise<FacilityAggregate[]> {
  const urgency = urgencySql(today);
  const rows = await silenceBase(db, actor, filter, today)
    .select([
      "m.facility_id",
      sql<string>`count(*)`.as("held"),
      sql<string>`count(*) FILTER (WHERE ${urgency} = 'never')`.as("never"),
      sql<string>`count(*) FILTER (WHERE ${urgency} = 'overdue')`.as("overdue"),
      sql<string>`count(*) FILTER (WHERE ${urgency} = 'approaching')`.as("approaching"),
      sql<string | null>`min(m.last_proof_of_life)`.as("oldest"),
    ])
    .groupBy("m.facility_id")
    .execute();
  return rows.map((r) => ({ facility_id: r.facility_id, held: Number(r.held), never: Number(r.never), overdue: Number(r.overdue), approaching: Number(r.approaching), oldest: r.oldest }));
}
