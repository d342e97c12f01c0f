// Searching the records a caller may see: full text over every searchable value (names, statements,
// source texts) merged with the names engine's cross-script matches, in one ranked list, with
// facets and highlighted snippets. Permission is part of the SQL itself: a restricted record, or a
// restricted value, the caller may not read is never matched, counted, faceted or ranked on.
import { sql, type RawBuilder } from "kysely";
import { can, Invalid, type Actor } from "../core/index.ts";
import type { Origin, Services } from "../context.ts";
import { requirePermission } from "../audit/index.ts";
import { parseInput } from "../accounts/index.ts";
import { findSchema, loadVocabularies, schemaAndDescendants, visibleRecords, type Sensitivity, type TermView } from "../records/index.ts";
import { DEFAULT_LIST, matchPrepared, prepareQuery } from "../screening/index.ts";
import { MAX_NAME_CHARS } from "../names/index.ts";
import { LEVELS, searchedValue } from "./documents.ts";
import { parseQuery, MAX_QUERY_TERMS, type ParsedQuery, type QueryProblem } from "./query.ts";
import { bestSnippet, matchSpans, snippetOf, type Snippet, type SnippetPart } from "./snippet.ts";
import { MAX_RANKED, QUERY_TOO_LONG, SearchParamsSchema, type SearchParams } from "./input.ts";

/**
 * Text matches read per search. Past it the ranking and the counts cover the first ones found (the
 * answer says "more than"): each match read is a row fetched and ranked, and at 5,000 those
 * dominated a search of a common word.
 */
export const MATCH_CAP = 2_000;
/** Name matches taken from the names engine, and the score they need. */
const NAME_HITS = 50;
export const NAME_HIT_THRESHOLD = 0.7;
// A person's name query also reaches records of the general LegalEntity; an organisation's reaches every kind of organisation.
const NAME_SCHEMATA = ["Person", "Organization"] as const;

export interface NameMatch {
  score: number;
  explanation: string[];
}

export interface SearchHit {
  id: string;
  schema: string;
  caption: string;
  /** The caption's language, when its statement gives one (names carry their language and script). */
  captionLang: string | null;
  /** The caption, with the query's words marked. */
  title: SnippetPart[];
  restricted: boolean;
  archived: boolean;
  score: number;
  snippet: Snippet | null;
  nameMatch: NameMatch | null;
}

export interface FacetValue {
  value: string;
  count: number;
}

export interface SearchFacets {
  schema: FacetValue[];
  /** Violation types, with the organisation's term (labels in every language) when it has one. */
  violation: (FacetValue & { term: TermView | null })[];
  /** Places the caller may see, with their names; places it may not see are left out. */
  place: (FacetValue & { label: string })[];
  year: FacetValue[];
  sensitivity: FacetValue[];
}

export interface SearchResult {
  query: string;
  /** Records found; a lower bound when `relation` is "gte" (more than MATCH_CAP text matches). */
  total: number;
  relation: "eq" | "gte";
  page: number;
  limit: number;
  /** Pages that can be shown: the first MAX_RANKED results. */
  pages: number;
  hits: SearchHit[];
  facets: SearchFacets;
  params: SearchParams;
}

const PROBLEMS: Record<QueryProblem, string> = {
  empty: "type words to search for",
  "too-long": QUERY_TOO_LONG,
  "no-words": "the search has no letters or digits to look for",
  "too-many-words": `a search has at most ${MAX_QUERY_TERMS} words`,
};

const LEVEL_NAMES = Object.fromEntries(Object.entries(LEVELS).map(([name, level]) => [level, name])) as Record<number, Sensitivity>;

/** Cross-script name matches among the live records the caller may see, through the names engine: as a person's name and as an organisation's. */
async function nameMatches(services: Services, actor: Actor, words: string): Promise<Map<string, NameMatch>> {
  const found = new Map<string, NameMatch>();
  if (words.length > MAX_NAME_CHARS) return found;
  const queries = NAME_SCHEMATA.flatMap((schema) => prepareQuery({ schema, properties: { name: [words] } }, "q", {}) ?? []);
  if (queries.length === 0) return found;
  for (const matches of await matchPrepared(services, actor, DEFAULT_LIST, queries, { threshold: NAME_HIT_THRESHOLD, limit: NAME_HITS })) {
    for (const r of matches.results) {
      if (r.result.score >= NAME_HIT_THRESHOLD && r.result.score > (found.get(r.id)?.score ?? 0)) found.set(r.id, { score: r.result.score, explanation: r.result.explanation });
    }
  }
  return found;
}

interface Ranked {
  text_count: number;
  top: [string, number][];
  schemata: [string, number][];
  violations: [string, number][];
  places: [string, number][];
  years: [number, number][];
  levels: [number, number][];
}

/** A document's facets and text score as one caller sees it. */
interface DocumentFacets {
  entity_id: string;
  schema: string;
  violations: string[];
  places: string[];
  years: number[];
  level: number;
  text_score: number;
}

// How many values of each facet are counted and shown, and in which order.
const FACET_LIMITS = { schemata: 30, violations: 30, places: 15, years: 40, levels: 4 } as const;

interface QueryOptions {
  /** The benchmark's reference: no organisation, archive or permission condition. */
  plain?: boolean;
  /** Read the table in order rather than through the text index (see isCommonQuery). */
  sequential?: boolean;
}

/**
 * What both queries share: the caller's view of a document (its facets, its level, its text score)
 * and the conditions a document must meet. `rr` is the caller's right to read a document's
 * restricted part: the same rule as src/records' visibleTo and the hub's record.read-restricted
 * (administrators, and the record's access list).
 */
function documentQuery(actor: Actor, query: ParsedQuery, params: SearchParams, options: QueryOptions) {
  const plain = options.plain === true;
  const rr = plain || actor.role === "admin" ? sql`true` : sql`EXISTS (SELECT 1 FROM entity_access a WHERE a.entity_id = d.entity_id AND a.user_id = ${actor.userId})`;
  const tsq = sql`${query.tsquery}::tsquery`;
  const levelOf = sql`GREATEST(d.level, CASE WHEN d.restricted OR (d.has_restricted AND ${rr}) THEN 2 ELSE 0 END)`;
  const visible = (column: string, type: string) =>
    sql`CASE WHEN d.has_restricted AND ${rr} THEN ARRAY(SELECT DISTINCT unnest(${sql.ref(`d.${column}`)} || ${sql.ref(`d.r_${column}`)})) ELSE ${sql.ref(`d.${column}`)} END::${sql.raw(type)}`;
  const overlaps = (column: string, values: unknown[], type: string) =>
    sql`(${sql.ref(`d.${column}`)} && ${values}::${sql.raw(type)} OR (d.has_restricted AND ${sql.ref(`d.r_${column}`)} && ${values}::${sql.raw(type)} AND ${rr}))`;
  const conditions: RawBuilder<unknown>[] = [];
  if (!plain) {
    conditions.push(sql`d.org_id = ${actor.orgId}`, sql`(NOT d.restricted OR ${rr})`);
    if (params.archived === "exclude") conditions.push(sql`NOT d.archived`);
    if (params.archived === "only") conditions.push(sql`d.archived`);
  }
  // Each filter twice: its keys, which the filters index answers together with the text index,
  // then the exact condition on what this caller may see of the record.
  const keys = (prefix: string, values: readonly (string | number)[]) => sql`d.filters && ${values.map((v) => `${prefix}:${v}`)}::text[]`;
  if (params.schema.length > 0) {
    const schemata = [...new Set(params.schema.flatMap((s) => schemaAndDescendants(s)))];
    conditions.push(keys("s", schemata), sql`d.schema = ANY(${schemata}::text[])`);
  }
  if (params.violation.length > 0) conditions.push(keys("v", params.violation), overlaps("violations", params.violation, "text[]"));
  if (params.place.length > 0) conditions.push(keys("p", params.place), overlaps("places", params.place, "uuid[]"));
  if (params.year.length > 0) conditions.push(keys("y", params.year), overlaps("years", params.year, "smallint[]"));
  if (params.sensitivity.length > 0) {
    const levels = params.sensitivity.map((s) => LEVELS[s]);
    conditions.push(keys("l", levels), sql`${levelOf} = ANY(${levels}::int[])`);
  }
  return {
    where: conditions.length > 0 ? sql.join(conditions, sql` AND `) : sql`true`,
    textMatch: sql`(${options.sequential ? sql`(d.tsv || ''::tsvector)` : sql`d.tsv`} @@ ${tsq} OR (d.r_tsv @@ ${tsq} AND ${rr}))`,
    columns: sql`d.entity_id, d.schema, ${visible("violations", "text[]")} AS violations, ${visible("places", "uuid[]")} AS places, ${visible("years", "smallint[]")} AS years,
      ${levelOf} AS level,
      GREATEST(ts_rank(d.tsv, ${tsq}, 33), CASE WHEN d.r_tsv IS NOT NULL AND ${rr} THEN ts_rank(d.r_tsv, ${tsq}, 33) ELSE 0 END) AS text_score`,
  };
}

/** The text search in one query: matches (at most MATCH_CAP), permission, filters, ranking, count and facets. */
export function rankedQuery(actor: Actor, query: ParsedQuery, params: SearchParams, options: QueryOptions = {}): RawBuilder<Ranked> {
  const { where, textMatch, columns } = documentQuery(actor, query, params, options);
  // m holds one row per record and each array holds a value once, so a plain count counts records.
  const facet = (expr: RawBuilder<unknown>, from: RawBuilder<unknown>, order: RawBuilder<unknown>, limit: number) =>
    sql`(SELECT coalesce(json_agg(json_build_array(v, n) ORDER BY ${order}), '[]') FROM (SELECT ${expr} AS v, count(*)::int AS n FROM ${from} GROUP BY 1 ORDER BY ${order} LIMIT ${limit}) t)`;
  return sql<Ranked>`
    WITH m AS MATERIALIZED (SELECT ${columns} FROM search_documents d WHERE ${where} AND ${textMatch} LIMIT ${MATCH_CAP})
    SELECT
      (SELECT count(*)::int FROM m) AS text_count,
      (SELECT coalesce(json_agg(json_build_array(entity_id, text_score) ORDER BY text_score DESC, entity_id), '[]') FROM (SELECT entity_id, text_score FROM m ORDER BY text_score DESC, entity_id LIMIT ${MAX_RANKED}) t) AS top,
      ${facet(sql`m.schema`, sql`m`, sql`n DESC, v`, FACET_LIMITS.schemata)} AS schemata,
      ${facet(sql`x`, sql`m CROSS JOIN unnest(m.violations) AS x`, sql`n DESC, v`, FACET_LIMITS.violations)} AS violations,
      ${facet(sql`x`, sql`m CROSS JOIN unnest(m.places) AS x`, sql`n DESC, v`, FACET_LIMITS.places)} AS places,
      ${facet(sql`x`, sql`m CROSS JOIN unnest(m.years) AS x`, sql`v DESC`, FACET_LIMITS.years)} AS years,
      ${facet(sql`m.level`, sql`m`, sql`v`, FACET_LIMITS.levels)} AS levels`;
}

/** The names engine's records as the caller sees them under the same conditions, and whether each also matched the text. */
function namedDocumentsQuery(actor: Actor, query: ParsedQuery, params: SearchParams, ids: readonly string[]): RawBuilder<DocumentFacets & { matches: boolean }> {
  const { where, textMatch, columns } = documentQuery(actor, query, params, {});
  return sql`SELECT ${columns}, ${textMatch} AS matches FROM search_documents d WHERE ${where} AND d.entity_id = ANY(${[...ids]}::uuid[])`;
}

function addCounts<V extends string | number>(list: [V, number][], values: readonly V[], order: (a: [V, number], b: [V, number]) => number, limit: number): [V, number][] {
  if (values.length === 0) return list;
  const counts = new Map(list);
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  return [...counts].sort(order).slice(0, limit);
}

const byCount = <V extends string | number>(a: [V, number], b: [V, number]) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0);

/**
 * Adds the names engine's matches to the text search's answer: each scores its name match on top of
 * its text rank, and one the text did not match is counted and faceted too.
 */
function withNameMatches(ranked: Ranked, named: readonly (DocumentFacets & { matches: boolean })[], names: ReadonlyMap<string, NameMatch>): Ranked & { total: number } {
  if (named.length === 0) return { ...ranked, total: ranked.text_count };
  const scores = new Map(ranked.top);
  for (const d of named) scores.set(d.entity_id, d.text_score + names.get(d.entity_id)!.score);
  const top = [...scores].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, MAX_RANKED);
  const only = named.filter((d) => !d.matches);
  return {
    ...ranked,
    top,
    total: ranked.text_count + only.length,
    schemata: addCounts(ranked.schemata, only.map((d) => d.schema), byCount, FACET_LIMITS.schemata),
    violations: addCounts(ranked.violations, only.flatMap((d) => d.violations), byCount, FACET_LIMITS.violations),
    places: addCounts(ranked.places, only.flatMap((d) => d.places), byCount, FACET_LIMITS.places),
    years: addCounts(ranked.years, only.flatMap((d) => d.years), (a, b) => b[0] - a[0], FACET_LIMITS.years),
    levels: addCounts(ranked.levels, only.map((d) => d.level), (a, b) => a[0] - b[0], FACET_LIMITS.levels),
  };
}

/** The same search as plain SQL, with no permission, organisation or archive condition: the benchmark's reference. */
export function plainQuery(query: ParsedQuery, params: SearchParams, sequential = false): RawBuilder<Ranked> {
  return rankedQuery({ userId: "", orgId: "", role: "admin", scopes: null }, query, params, { plain: true, sequential });
}

// A word in most records is found faster by reading records in order until MATCH_CAP have matched
// than by building the index's bitmap of all of them (measured at 200,000 records: "the", in 60%,
// 15 ms against 88 ms; "police", in 25%, 21 against 53; but "night", in 10%, 133 against 41).
// Which words those are, PostgreSQL's own statistics say (ANALYZE keeps the commonest lexemes of
// the column with their share of rows); they are read again every few minutes.
const COMMON_SHARE = 0.2;
const STATS_TTL_MS = 5 * 60_000;
const lexemeStats = new WeakMap<object, { at: number; shares: Map<string, number> }>();

async function lexemeShares(services: Services): Promise<Map<string, number>> {
  const cached = lexemeStats.get(services.db);
  const now = services.now().getTime();
  if (cached && now - cached.at < STATS_TTL_MS) return cached.shares;
  const { rows } = await sql<{ elems: string[] | null; freqs: number[] | null }>`
    SELECT most_common_elems::text::text[] AS elems, most_common_elem_freqs::real[] AS freqs
      FROM pg_stats WHERE schemaname = current_schema() AND tablename = 'search_documents' AND attname = 'tsv'`.execute(services.db);
  const shares = new Map<string, number>();
  const { elems, freqs } = rows[0] ?? { elems: null, freqs: null };
  elems?.forEach((lexeme, i) => shares.set(lexeme, freqs![i]!));
  lexemeStats.set(services.db, { at: now, shares });
  return shares;
}

/** Whether the query's words together are in so many records that reading in order beats the index. Filters have their own index: never then. */
export async function isCommonQuery(services: Services, query: ParsedQuery, params: SearchParams): Promise<boolean> {
  if (!query.terms || params.schema.length + params.violation.length + params.place.length + params.year.length + params.sensitivity.length > 0) return false;
  const shares = await lexemeShares(services);
  const share = query.terms.reduce((product, spellings) => product * Math.min(1, spellings.reduce((sum, l) => sum + (shares.get(l) ?? 0), 0)), 1);
  return share >= COMMON_SHARE;
}

interface PageRecord {
  id: string;
  schema: string;
  restricted: boolean;
  archived: boolean;
  values: { property: string; value: string; lang: string | null; long: boolean; name: boolean }[];
}

/** What the caller may read of a page of records: visible records (checked again), readable, searchable values. */
async function readRecords(services: Services, actor: Actor, ids: readonly string[]): Promise<Map<string, PageRecord>> {
  const out = new Map<string, PageRecord>();
  if (ids.length === 0) return out;
  // The records checked again against the visibility rule (the ranked query was a moment ago), with
  // whether the caller is on each one's access list.
  const rows = await visibleRecords(services.db, actor)
    .leftJoin("entity_access as me", (join) => join.onRef("me.entity_id", "=", "e.id").on("me.user_id", "=", actor.userId))
    .select("me.user_id as listed")
    .where("e.id", "in", [...ids])
    .execute();
  if (rows.length === 0) return out;
  const statements = await services.db
    .selectFrom("statements")
    .select(["entity_id", "property", "value", "lang", "sensitivity"])
    .where("entity_id", "in", rows.map((r) => r.id))
    .where("retracted_at", "is", null)
    .where("value", "is not", null)
    .orderBy("seq")
    .execute();
  const readsRestricted = new Map(rows.map((r) => [r.id, can(actor, "record.read-restricted", { kind: "record", orgId: r.org_id, restricted: r.restricted, onAccessList: r.listed !== null })]));
  for (const row of rows) out.set(row.id, { id: row.id, schema: row.schema, restricted: row.restricted, archived: row.archived_at !== null, values: [] });
  for (const s of statements) {
    const record = out.get(s.entity_id);
    // Secret values are sealed (no value here); restricted ones only for those who may read them.
    if (!record || s.value === null || s.sensitivity === "secret") continue;
    if (s.sensitivity === "restricted" && !readsRestricted.get(s.entity_id)) continue;
    const kind = searchedValue(record.schema, s.property);
    if (kind) record.values.push({ property: s.property, value: s.value, lang: s.lang, long: kind.long, name: kind.name });
  }
  return out;
}

function captionOf(record: PageRecord): { caption: string; lang: string | null } {
  const schema = findSchema(record.schema);
  for (const property of ["name", ...(schema?.caption ?? [])]) {
    const value = record.values.find((v) => v.property === property);
    if (value) return { caption: value.value, lang: value.lang };
  }
  const name = record.values.find((v) => v.name);
  return name ? { caption: name.value, lang: name.lang } : { caption: schema?.label ?? record.schema, lang: null };
}

function hitOf(record: PageRecord, score: number, query: ParsedQuery, nameMatch: NameMatch | null): SearchHit {
  const { caption, lang } = captionOf(record);
  const title = snippetOf("name", caption, matchSpans(caption, query)).parts;
  return {
    id: record.id,
    schema: record.schema,
    caption,
    captionLang: lang,
    title,
    restricted: record.restricted,
    archived: record.archived,
    score: Number(score.toFixed(4)),
    snippet: bestSnippet(record.values.filter((v) => !v.name), query) ?? bestSnippet(record.values.filter((v) => v.name && v.value !== caption), query),
    nameMatch,
  };
}

export async function requireSearching(services: Services, origin: Origin, actor: Actor): Promise<void> {
  await requirePermission(services, origin, can(actor, "record.list", { kind: "records", orgId: actor.orgId }), actor, "record.list", { type: "entity", id: null });
}

/** GET /api/v1/search and the /search page: permission first, then the query, then one ranked query. */
export async function searchRecords(services: Services, origin: Origin, actor: Actor, raw: unknown): Promise<SearchResult> {
  await requireSearching(services, origin, actor);
  const params = parseInput(SearchParamsSchema, raw);
  const parsed = parseQuery(params.q);
  if (!parsed.ok) throw new Invalid(PROBLEMS[parsed.problem], { q: PROBLEMS[parsed.problem] });
  for (const s of params.schema) if (!findSchema(s)) throw new Invalid(`"${s}" is not a schema`, { schema: "unknown schema" });
  const query = parsed.query;
  const sequential = await isCommonQuery(services, query, params);
  // The names engine and the text search run side by side (on a server, on two connections); the
  // names engine's records are then read under the same conditions and merged in. Archived records
  // are not in the names index: an archive-only search is a text search.
  const [names, text] = await Promise.all([
    params.archived === "only" ? new Map<string, NameMatch>() : nameMatches(services, actor, query.words),
    rankedQuery(actor, query, params, { sequential }).execute(services.db),
  ]);
  const named = names.size > 0 ? (await namedDocumentsQuery(actor, query, params, [...names.keys()]).execute(services.db)).rows : [];
  const ranked = withNameMatches(text.rows[0]!, named, names);
  const offset = (params.page - 1) * params.limit;
  const page = ranked.top.slice(offset, offset + params.limit);
  const placeIds = ranked.places.map(([id]) => id);
  const records = await readRecords(services, actor, [...page.map(([id]) => id), ...placeIds]);
  const hits = page.flatMap(([id, score]) => {
    const record = records.get(id);
    return record ? [hitOf(record, score, query, names.get(id) ?? null)] : [];
  });
  const pair = ([value, count]: [string | number, number]) => ({ value: String(value), count });
  const vocabularies = ranked.violations.length > 0 ? await loadVocabularies(services.db, actor.orgId) : null;
  return {
    query: params.q,
    total: ranked.total,
    relation: ranked.text_count >= MATCH_CAP ? "gte" : "eq",
    page: params.page,
    limit: params.limit,
    pages: Math.max(1, Math.ceil(Math.min(ranked.total, MAX_RANKED) / params.limit)),
    hits,
    facets: {
      schema: ranked.schemata.map(pair),
      violation: ranked.violations.map(([code, count]) => ({ value: code, count, term: vocabularies?.find("violation-types", code) ?? null })),
      place: ranked.places.flatMap(([id, count]) => {
        const place = records.get(id);
        return place ? [{ value: id, count, label: captionOf(place).caption }] : [];
      }),
      year: ranked.years.map(pair),
      sensitivity: ranked.levels.map(([level, count]) => ({ value: LEVEL_NAMES[level]!, count })),
    },
    params,
  };
}
