// The SQL of the silence dashboard and its facility map, over the monitor_detentions projection.
// Permission is part of every query: a detention the caller may not know of (src/records'
// visibleTo on its record) is never listed or counted, and a guarded row (something in it is
// restricted) only for who may read the detention's restricted part: administrators and its access
// list. Names match only through values the caller may read.
import { sql, type Expression, type RawBuilder, type SqlBool } from "kysely";
import type { Actor } from "../core/index.ts";
import type { Tx } from "../context.ts";
import { visibleTo } from "../records/index.ts";
import { addDays, type SilenceFilter, type Urgency } from "./silence-input.ts";

type Fragment = RawBuilder<unknown>;

/** Whether the actor may read the restricted part of the record with id column `ref`. */
function readsRestricted(actor: Actor, ref: string): Fragment {
  if (actor.role === "admin") return sql`true`;
  return sql`EXISTS (SELECT 1 FROM entity_access a WHERE a.entity_id = ${sql.ref(ref)} AND a.user_id = ${actor.userId})`;
}

/**
 * The last days of proof of life that make row `m` overdue (strictly before) and approaching (on
 * or before), as YYYY-MM-DD text: computed once for the organisation's window (`window`, set on the alert rules page), per row only
 * for a case with its own. Text compares as dates do, so the counts read the index and parse nothing.
 */
function cutoffs(today: string, window: number): { overdue: Fragment; approaching: Fragment } {
  // urgencyOf: overdue when days > window, i.e. the proof of life is before today - window; approaching
  // when 4·days ≥ 3·window, i.e. days ≥ ceil(3·window / 4).
  const own = (days: Fragment) => sql`to_char(${today}::date - ${days}, 'YYYY-MM-DD')`;
  return {
    overdue: sql`CASE WHEN m.silence_days IS NULL THEN ${addDays(today, -window)} ELSE ${own(sql`m.silence_days`)} END`,
    approaching: sql`CASE WHEN m.silence_days IS NULL THEN ${addDays(today, -Math.ceil((3 * window) / 4))} ELSE ${own(sql`((3 * m.silence_days + 3) / 4)`)} END`,
  };
}

/** Whether row `m` has the given urgency on `today`, as urgencyOf decides it. */
function urgencyIs(urgency: Urgency, today: string, window: number): Fragment {
  const cut = cutoffs(today, window);
  switch (urgency) {
    case "never":
      return sql`m.last_proof_of_life IS NULL`;
    case "overdue":
      return sql`m.last_proof_of_life < ${cut.overdue}`;
    case "approaching":
      return sql`(m.last_proof_of_life >= ${cut.overdue} AND m.last_proof_of_life <= ${cut.approaching})`;
    case "recent":
      return sql`m.last_proof_of_life > ${cut.approaching}`;
  }
}

/**
 * The live rows of the actor's organisation it may see, matching the filter (administrators see
 * every row: restricted records included, by the records' rule). `urgency: false`
 * leaves the urgency filter out (the counts by urgency are of every level).
 */
export function silenceBase(db: Tx, actor: Actor, filter: SilenceFilter, today: string, window: number, options: { urgency?: boolean; facility?: boolean } = {}) {
  let q = db.selectFrom("monitor_detentions as m").where("m.org_id", "=", actor.orgId).where("m.ongoing", "=", true).where("m.archived", "=", false);
  if (actor.role !== "admin") {
    // The projection marks a row guarded whenever the detention's record is restricted (or anything
    // in the row is), so an unguarded row is one every reader of the organisation may know of and is
    // decided from the index alone. A guarded row asks the records' own rule (visibleTo) of the
    // detention's record, and that the actor may read its restricted part.
    q = q.where((eb) =>
      eb.or([
        eb("m.guarded", "=", false),
        eb.and([
          sql<SqlBool>`${readsRestricted(actor, "m.detention_id")}`,
          eb.exists(
            db
              .selectFrom("entities as e")
              .select("e.id")
              .where(sql<SqlBool>`e.id = m.detention_id`)
              .where("e.archived_at", "is", null)
              .where((inner) => visibleTo(actor)(inner as never) as Expression<SqlBool>),
          ),
        ]),
      ]),
    );
  }
  if (filter.status.length > 0) q = q.where("m.status", "in", filter.status);
  if (options.facility !== false && filter.facility.length > 0) q = q.where("m.facility_id", "in", filter.facility);
  if (filter.minDays !== undefined) {
    const cutoff = sql`(${today}::date - ${filter.minDays}::int)::text`;
    q = q.where(sql<SqlBool>`(m.last_proof_of_life IS NULL OR m.last_proof_of_life <= ${cutoff})`);
  }
  if (filter.name !== undefined) {
    // Readable name statements of people the actor may know of; the trigram index of migration 0015 finds them.
    const pattern = `%${filter.name.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    q = q.where(sql<SqlBool>`m.person_id IN (
      SELECT s.entity_id FROM statements s JOIN entities p ON p.id = s.entity_id
      WHERE s.property = 'name' AND s.retracted_at IS NULL AND s.value IS NOT NULL AND lower(s.value) LIKE ${pattern}
        AND s.org_id = ${actor.orgId} AND p.org_id = ${actor.orgId} AND p.archived_at IS NULL
        AND (NOT p.restricted OR ${readsRestricted(actor, "p.id")})
        AND (s.sensitivity <> 'restricted' OR ${readsRestricted(actor, "p.id")}))`);
  }
  if (options.urgency !== false && filter.urgency.length > 0) q = q.where(sql<SqlBool>`(${sql.join(filter.urgency.map((u) => urgencyIs(u, today, window)), sql` OR `)})`);
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
export async function silencePage(db: Tx, actor: Actor, filter: SilenceFilter, today: string, window: number, after: [string, string] | null, limit: number): Promise<SilenceRow[]> {
  let q = silenceBase(db, actor, filter, today, window);
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
export async function silenceCounts(db: Tx, actor: Actor, filter: SilenceFilter, today: string, window: number): Promise<UrgencyCounts> {
  const cut = cutoffs(today, window);
  const row = await silenceBase(db, actor, filter, today, window, { urgency: false })
    .select([
      sql<string>`count(*)`.as("all"),
      sql<string>`count(*) FILTER (WHERE m.last_proof_of_life IS NULL)`.as("never"),
      sql<string>`count(*) FILTER (WHERE m.last_proof_of_life < ${cut.overdue})`.as("overdue"),
      sql<string>`count(*) FILTER (WHERE m.last_proof_of_life <= ${cut.approaching})`.as("early"),
    ])
    .executeTakeFirstOrThrow();
  const [all, never, overdue, early] = [row.all, row.never, row.overdue, row.early].map(Number) as [number, number, number, number];
  // Every row with a proof of life is overdue, approaching or recent; "early" counts the first two.
  return { never, overdue, approaching: early - overdue, recent: all - never - early };
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
export async function silenceByFacility(db: Tx, actor: Actor, filter: SilenceFilter, today: string, window: number): Promise<FacilityAggregate[]> {
  const cut = cutoffs(today, window);
  const rows = await silenceBase(db, actor, filter, today, window)
    .select([
      "m.facility_id",
      sql<string>`count(*)`.as("held"),
      sql<string>`count(*) FILTER (WHERE m.last_proof_of_life IS NULL)`.as("never"),
      sql<string>`count(*) FILTER (WHERE m.last_proof_of_life < ${cut.overdue})`.as("overdue"),
      sql<string>`count(*) FILTER (WHERE m.last_proof_of_life >= ${cut.overdue} AND m.last_proof_of_life <= ${cut.approaching})`.as("approaching"),
      sql<string | null>`min(m.last_proof_of_life)`.as("oldest"),
    ])
    .groupBy("m.facility_id")
    .execute();
  return rows.map((r) => ({ facility_id: r.facility_id, held: Number(r.held), never: Number(r.never), overdue: Number(r.overdue), approaching: Number(r.approaching), oldest: r.oldest }));
}
