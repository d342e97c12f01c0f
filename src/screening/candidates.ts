// The index provider, behind an interface as yente's provider/base.py is: given each query's
// blocking keys and birth decades, which records to score, with their prepared match features.
// Scoring never sees SQL. Two round trips per batch of queries, however many queries it holds:
// one counts each block (up to just over what a query could take from it, countLimit), one reads
// the chosen blocks with the records' features, through the records service's own visibility rule.
import { sql, type RawBuilder } from "kysely";
import { can, type Actor } from "../core/index.ts";
import type { Tx } from "../context.ts";
import { visibleTo } from "../records/index.ts";
import { countLimit, ENGINE_VERSION, planCandidateKeys, preparedFromJson, UNKNOWN_DECADE, type PreparedEntity } from "../names/index.ts";

/** The most records a query ever scores. Blocks are counted only up to one more than its budget. */
export const CANDIDATE_BUDGET = 500;
/** Candidates read per result asked for, as yente asks its index for `limit × MATCH_CANDIDATES`. */
const CANDIDATES_PER_RESULT = 20;
const MIN_BUDGET = 100;

/**
 * How many records a query that wants `limit` results scores: 20 per result, at least 100 and at
 * most CANDIDATE_BUDGET. A block larger than that is a crowd of one name (18,000 people called
 * Muhemmed Abdulla in a million records): it is read only in part, and the answer says so.
 */
export function candidateBudget(limit: number): number {
  return Math.max(MIN_BUDGET, Math.min(CANDIDATE_BUDGET, limit * CANDIDATES_PER_RESULT));
}

export interface CandidateScope {
  orgId: string;
  /** A named list's id: only its members are candidates. null: every record of the organisation. */
  listId: string | null;
}

export interface QueryBlocking {
  keys: readonly string[];
  /** The query's birth decades, or null to read every decade. */
  decades: readonly number[] | null;
}

/** A record the index proposes, as far as the index knows it. */
export interface IndexedRecord {
  id: string;
  schema: string;
  restricted: boolean;
  /** It has restricted values among what the matcher reads: read it through the records service. */
  guarded: boolean;
  /** Its public and internal match features; null when missing or prepared by another engine version. */
  prepared: PreparedEntity | null;
}

export interface Candidates {
  /** The keys looked up for the query. */
  keys: Set<string>;
  /** The records reached through them. */
  ids: string[];
  /** A block was larger than the budget and was read only in part. */
  truncated: boolean;
}

export interface CandidateBatch {
  perQuery: Candidates[];
  records: Map<string, IndexedRecord>;
}

export interface CandidateProvider {
  candidates(actor: Actor, scope: CandidateScope, queries: readonly QueryBlocking[], budget?: number): Promise<CandidateBatch>;
}

/** One block to read: a key, in one decade or (decade null) in all of them. */
interface Unit {
  key: string;
  decade: number | null;
}

const unitId = (u: Unit) => `${u.decade ?? "*"}\u0000${u.key}`;

function unitsOf(query: QueryBlocking, key: string): Unit[] {
  return query.decades ? [...query.decades, UNKNOWN_DECADE].map((decade) => ({ key, decade })) : [{ key, decade: null }];
}

/** The list condition on `name_keys n`, when the scope is a list. */
function inScope(scope: CandidateScope): RawBuilder<unknown> {
  return scope.listId === null
    ? sql``
    : sql`AND EXISTS (SELECT 1 FROM entity_list_members m WHERE m.list_id = ${scope.listId} AND m.entity_id = n.entity_id AND m.removed_at IS NULL)`;
}

// Blocks are read by one lateral index scan each, bounded by LIMIT: a block of 200,000 records costs
// what a block of `budget` costs. Blocks of one decade and blocks of every decade are read by two
// arms so that each uses the (org_id, key, decade, entity_id) index as far as it can.
function unitArrays(units: readonly Unit[], limits: readonly number[]) {
  const dated = { keys: [] as string[], decades: [] as number[], limits: [] as number[], ids: [] as number[] };
  const any = { keys: [] as string[], limits: [] as number[], ids: [] as number[] };
  units.forEach((u, i) => {
    if (u.decade === null) {
      any.keys.push(u.key);
      any.limits.push(limits[i]!);
      any.ids.push(i);
    } else {
      dated.keys.push(u.key);
      dated.decades.push(u.decade);
      dated.limits.push(limits[i]!);
      dated.ids.push(i);
    }
  });
  return { dated, any };
}

/** Each unit's block size, counted up to its cap (a size equal to the cap means "at least"). */
async function countBlocks(db: Tx, scope: CandidateScope, units: readonly Unit[], caps: readonly number[]): Promise<number[]> {
  const { dated, any } = unitArrays(units, caps);
  const { rows } = await sql<{ i: number; n: number }>`
    SELECT u.i, (SELECT count(*)::int FROM (SELECT 1 FROM name_keys n WHERE n.org_id = ${scope.orgId} AND n.key = u.key AND n.decade = u.decade ${inScope(scope)} LIMIT u.lim) c) AS n
      FROM unnest(${dated.keys}::text[], ${dated.decades}::int[], ${dated.limits}::int[], ${dated.ids}::int[]) AS u(key, decade, lim, i)
    UNION ALL
    SELECT u.i, (SELECT count(*)::int FROM (SELECT 1 FROM name_keys n WHERE n.org_id = ${scope.orgId} AND n.key = u.key ${inScope(scope)} LIMIT u.lim) c) AS n
      FROM unnest(${any.keys}::text[], ${any.limits}::int[], ${any.ids}::int[]) AS u(key, lim, i)`.execute(db);
  const sizes = units.map(() => 0);
  for (const r of rows) sizes[r.i] = r.n;
  return sizes;
}

interface FetchedRow {
  entity_id: string;
  via: number[];
  schema: string;
  restricted: boolean;
  guarded: boolean | null;
  engine: string | null;
  features: unknown;
}

async function readBlocks(db: Tx, actor: Actor, scope: CandidateScope, units: readonly Unit[], limits: readonly number[]): Promise<FetchedRow[]> {
  const { dated, any } = unitArrays(units, limits);
  const hits = sql<{ entity_id: string; via: number[] }>`(
    SELECT h.entity_id, array_agg(h.i) AS via FROM (
      SELECT u.i, b.entity_id
        FROM unnest(${dated.keys}::text[], ${dated.decades}::int[], ${dated.limits}::int[], ${dated.ids}::int[]) AS u(key, decade, lim, i)
        CROSS JOIN LATERAL (SELECT n.entity_id FROM name_keys n WHERE n.org_id = ${scope.orgId} AND n.key = u.key AND n.decade = u.decade ${inScope(scope)} LIMIT u.lim) b
      UNION ALL
      SELECT u.i, b.entity_id
        FROM unnest(${any.keys}::text[], ${any.limits}::int[], ${any.ids}::int[]) AS u(key, lim, i)
        CROSS JOIN LATERAL (SELECT n.entity_id FROM name_keys n WHERE n.org_id = ${scope.orgId} AND n.key = u.key ${inScope(scope)} LIMIT u.lim) b
    ) h GROUP BY h.entity_id)`;
  return db
    .selectFrom(hits.as("f"))
    .innerJoin("entities as e", "e.id", "f.entity_id")
    .leftJoin("name_features as x", "x.entity_id", "f.entity_id")
    .select(["f.entity_id", "f.via", "e.schema", "e.restricted", "x.guarded", "x.engine", "x.features"])
    .where((eb) => visibleTo(actor)(eb as never))
    .where("e.archived_at", "is", null)
    .execute() as Promise<FetchedRow[]>;
}

export function sqlCandidates(db: Tx): CandidateProvider {
  return {
    async candidates(actor, scope, queries, budget = CANDIDATE_BUDGET) {
      const units: Unit[] = [];
      const index = new Map<string, number>();
      const unitsOfKey = queries.map((q) =>
        q.keys.map((key) =>
          unitsOf(q, key).map((u) => {
            const id = unitId(u);
            let i = index.get(id);
            if (i === undefined) index.set(id, (i = units.push(u) - 1));
            return i;
          }),
        ),
      );
      const empty = (): CandidateBatch => ({ perQuery: queries.map(() => ({ keys: new Set(), ids: [], truncated: false })), records: new Map() });
      // Nothing is read for a caller who may not know of an ordinary record of the organisation.
      if (units.length === 0 || !can(actor, "record.list", { kind: "records", orgId: scope.orgId })) return empty();
      // Each unit is counted up to one more than the most any query would take from it.
      const caps = units.map(() => 0);
      queries.forEach((q, qi) => q.keys.forEach((key, ki) => {
        const cap = countLimit(key, q.keys, budget);
        for (const u of unitsOfKey[qi]![ki]!) caps[u] = Math.max(caps[u]!, cap);
      }));
      const sizes = await countBlocks(db, scope, units, caps);
      // Each query's plan, in units: how many records to read from each.
      const limits = units.map(() => 0);
      const plans = queries.map((q, qi) => {
        const plan = planCandidateKeys(q.keys, (key) => {
          const us = unitsOfKey[qi]![q.keys.indexOf(key)]!;
          return { size: us.reduce((a, u) => a + sizes[u]!, 0), capped: us.some((u) => sizes[u]! >= caps[u]!) };
        }, budget);
        const chosen: number[] = [];
        for (const { key, limit } of plan.keys) {
          let left = limit;
          for (const u of unitsOfKey[qi]![q.keys.indexOf(key)]!) {
            const take = Math.min(sizes[u]!, left);
            if (take <= 0) continue;
            limits[u] = Math.max(limits[u]!, take);
            chosen.push(u);
            left -= take;
          }
        }
        return { keys: new Set(plan.keys.map((k) => k.key)), units: chosen, truncated: plan.truncated };
      });
      const read = units.map((u, i) => ({ u, i, limit: limits[i]! })).filter((x) => x.limit > 0);
      if (read.length === 0) return empty();
      const rows = await readBlocks(db, actor, scope, read.map((x) => x.u), read.map((x) => x.limit));
      const records = new Map<string, IndexedRecord>();
      const byUnit = new Map<number, string[]>();
      for (const row of rows) {
        const prepared = row.engine === ENGINE_VERSION ? preparedFromJson(typeof row.features === "string" ? JSON.parse(row.features) : row.features) : null;
        records.set(row.entity_id, { id: row.entity_id, schema: row.schema, restricted: row.restricted, guarded: row.guarded !== false, prepared });
        for (const r of row.via) {
          const u = read[r]!.i;
          (byUnit.get(u) ?? byUnit.set(u, []).get(u)!).push(row.entity_id);
        }
      }
      return {
        perQuery: plans.map((p) => ({ keys: p.keys, ids: [...new Set(p.units.flatMap((u) => byUnit.get(u) ?? []))], truncated: p.truncated })),
        records,
      };
    },
  };
}
