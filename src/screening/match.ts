// Matching queries against the records the caller may see: the index provider proposes candidates,
// src/records decides what the caller sees of them, src/names scores. The service behind
// POST /api/v1/match/{dataset}, the screening page and `vigil screen`.
import { can, Invalid, type Actor, type FieldErrors } from "../core/index.ts";
import type { Origin, Services } from "../context.ts";
import { requirePermission } from "../audit/index.ts";
import { parseInput } from "../accounts/index.ts";
import { viewEntities, type EntityView } from "../records/index.ts";
import { birthDecades, blockingKeys, DEFAULT_THRESHOLD, MAX_NAME_CHARS, matchNames, normalizeName, prepareEntity, type EntitySchema, type MatchResult, type PreparedEntity } from "../names/index.ts";
import { candidateBudget, sqlCandidates, type CandidateBatch, type CandidateScope } from "./candidates.ts";
import { listIdByName } from "./lists.ts";
import { answersQuery, entityNames, indexableNames, isMatchable, namesOf, NAME_PROPERTIES } from "./entity-names.ts";
import { MatchBodySchema, MatchParamsSchema, NAME_LIMIT_MESSAGE, type EntityExample } from "./input.ts";

export const DEFAULT_LIST = "default";
const MAX_VALUE_CHARS = 500;

export interface ScoredRecord {
  id: string;
  schema: string;
  caption: string;
  result: MatchResult;
  /** What the caller sees of the record, when the caller asked for views (the API does; bulk screening does not). */
  entity?: EntityView;
}

export interface QueryMatches {
  results: ScoredRecord[];
  /** Every candidate the caller may see that scored above zero; never counts what it may not see. */
  total: number;
  /** Some block was too large to read whole: `total` is a lower bound. */
  truncated: boolean;
}

export interface MatchOptions {
  threshold: number;
  limit: number;
  /** Attach each result's EntityView (one more read through the records service). */
  views?: boolean;
}

/** A query checked and prepared once. */
export interface QueryEntity {
  schema: string;
  properties: Record<string, string[]>;
}

export interface PreparedQuery {
  example: QueryEntity;
  prepared: PreparedEntity;
  keys: string[];
  /** Birth decades to read, or null for all (no birth date, or an identifier that may outweigh a date). */
  decades: number[] | null;
}

/**
 * Checks one query's names and values: empty, overlong, or without a letter to match are refused
 * by field, before anything reaches the index. Errors go into `errors` under `path`.
 */
export function prepareQuery(example: QueryEntity, path: string, errors: FieldErrors): PreparedQuery | null {
  const before = Object.keys(errors).length;
  for (const [property, values] of Object.entries(example.properties)) {
    values.forEach((value, i) => {
      const limit = (NAME_PROPERTIES as readonly string[]).includes(property) ? MAX_NAME_CHARS : MAX_VALUE_CHARS;
      if (value.length > limit) errors[`${path}.properties.${property}.${i}`] = limit === MAX_NAME_CHARS ? NAME_LIMIT_MESSAGE : `a value is at most ${MAX_VALUE_CHARS} characters`;
      else if ((NAME_PROPERTIES as readonly string[]).includes(property) && normalizeName(value).readings.length === 0) errors[`${path}.properties.${property}.${i}`] = "this name has no letters or digits to match";
    });
  }
  if (Object.keys(errors).length > before) return null;
  const schema = example.schema as EntitySchema;
  const names = namesOf(example.properties);
  if (names.length === 0) {
    errors[`${path}.properties.name`] = "a query needs a name (name, alias, or firstName and lastName)";
    return null;
  }
  const entity = entityNames(schema, example.properties);
  const prepared = prepareEntity(entity);
  if (prepared.names.length === 0) {
    errors[`${path}.properties.name`] = "no name is left to match once legal forms are set aside";
    return null;
  }
  // A shared identifier adds more than a birth-date contradiction takes away: such a query reads
  // every decade, so a record with the identifier is never left out for its birth date.
  const decades = (entity.identifiers ?? []).length > 0 ? null : birthDecades(entity.birthDate ?? []);
  return { example, prepared, keys: blockingKeys(indexableNames(schema, names)), decades };
}

function captionOf(properties: Readonly<Record<string, readonly string[]>>, id: string): string {
  return properties.name?.[0] ?? namesOf(properties)[0] ?? id;
}

async function resolveScope(services: Services, actor: Actor, list: string): Promise<CandidateScope> {
  if (list === DEFAULT_LIST) return { orgId: actor.orgId, listId: null };
  return { orgId: actor.orgId, listId: await listIdByName(services, actor, list) };
}

export async function requireMatching(services: Services, origin: Origin, actor: Actor): Promise<void> {
  await requirePermission(services, origin, can(actor, "names.match", { kind: "records", orgId: actor.orgId }), actor, "names.match", { type: "entity", id: null });
}

/** A candidate as the matcher scores it: prepared features, and the keys of the names the caller may read. */
interface Scorable {
  schema: EntitySchema;
  caption: string;
  prepared: PreparedEntity;
  /** null: every key of the record comes from names anyone who sees it may read. */
  keys: Set<string> | null;
}

/**
 * What the caller may see of each candidate. A record with no restricted value among what the
 * matcher reads is scored from its prepared features; any other (a restricted record, restricted
 * names or dates, features missing or stale) is read through the records service, which leaves out
 * what the caller may not see, and prepared from that view.
 */
async function scorables(services: Services, actor: Actor, batch: CandidateBatch): Promise<Map<string, Scorable>> {
  const out = new Map<string, Scorable>();
  const throughRecords: string[] = [];
  for (const r of batch.records.values()) {
    if (!isMatchable(r.schema)) continue;
    if (r.restricted || r.guarded || !r.prepared) throughRecords.push(r.id);
    else if (r.prepared.names.length > 0) {
      out.set(r.id, { schema: r.schema, caption: r.prepared.entity.names.find((n) => n.trim() !== "") ?? r.id, prepared: r.prepared, keys: null });
    }
  }
  for (const view of await viewEntities(services, actor, throughRecords)) {
    if (!isMatchable(view.schema)) continue;
    const names = entityNames(view.schema, view.properties);
    const prepared = prepareEntity(names);
    if (prepared.names.length === 0) continue;
    // The keys of the names the caller sees: the index also holds keys of names it may not read.
    out.set(view.id, { schema: view.schema, caption: captionOf(view.properties, view.id), prepared, keys: new Set(blockingKeys(indexableNames(view.schema, names.names))) });
  }
  return out;
}

/** Scores prepared queries against the records the caller may see, in one pass over the index. */
export async function matchPrepared(services: Services, actor: Actor, list: string, queries: readonly PreparedQuery[], options: MatchOptions): Promise<QueryMatches[]> {
  const scope = await resolveScope(services, actor, list);
  const batch = await sqlCandidates(services.db).candidates(actor, scope, queries.map((q) => ({ keys: q.keys, decades: q.decades })), candidateBudget(options.limit));
  const candidates = await scorables(services, actor, batch);
  const answers = queries.map((query, i) => {
    const scored: ScoredRecord[] = [];
    const { ids, keys, truncated } = batch.perQuery[i]!;
    for (const id of ids) {
      const candidate = candidates.get(id);
      if (!candidate || !answersQuery(query.prepared.entity.schema, candidate.schema)) continue;
      // A record reached only through a name the caller may not read is not a candidate for it.
      if (candidate.keys && ![...keys].some((k) => candidate.keys!.has(k))) continue;
      const result = matchNames(query.prepared, candidate.prepared, { threshold: options.threshold });
      if (result.score > 0) scored.push({ id, schema: candidate.schema, caption: candidate.caption, result });
    }
    scored.sort((a, b) => b.result.score - a.result.score || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    return { results: scored.slice(0, options.limit), total: scored.length, truncated };
  });
  if (options.views) {
    // What the caller sees of each result, read through the records service: a record that became
    // invisible since the index was read is dropped rather than shown.
    const views = new Map((await viewEntities(services, actor, [...new Set(answers.flatMap((a) => a.results.map((r) => r.id)))])).map((v) => [v.id, v]));
    for (const a of answers) {
      const before = a.results.length;
      a.results = a.results.filter((r) => views.has(r.id)).map((r) => ({ ...r, entity: views.get(r.id)! }));
      a.total -= before - a.results.length;
    }
  }
  return answers;
}

export interface MatchResponse {
  queries: Record<string, { example: EntityExample; matches: QueryMatches }>;
  options: MatchOptions & { algorithm: string };
}

/** POST /api/v1/match/{list}: permission first, then the body (read lazily), then the index. */
export async function matchQueries(services: Services, origin: Origin, actor: Actor, list: string, params: unknown, raw: () => Promise<unknown>): Promise<MatchResponse> {
  await requireMatching(services, origin, actor);
  const query = parseInput(MatchParamsSchema, params);
  const body = parseInput(MatchBodySchema, await raw());
  const errors: FieldErrors = {};
  const names = Object.keys(body.queries);
  const prepared = names.map((name) => {
    const { schema, properties } = body.queries[name]!;
    // yente takes one value or a list for each property.
    const lists = Object.fromEntries(Object.entries(properties).map(([p, v]) => [p, Array.isArray(v) ? v : [v]]));
    return prepareQuery({ schema, properties: lists }, `queries.${name}`, errors);
  });
  if (Object.keys(errors).length > 0) throw new Invalid("some queries cannot be matched", errors);
  const options = { threshold: query.threshold ?? DEFAULT_THRESHOLD, limit: query.limit };
  const matches = await matchPrepared(services, actor, list, prepared as PreparedQuery[], { ...options, views: true });
  return {
    queries: Object.fromEntries(names.map((name, i) => [name, { example: body.queries[name]!, matches: matches[i]! }])),
    options: { ...options, algorithm: "vigil-names-v1" },
  };
}
