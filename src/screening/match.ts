// Matching queries against the records the caller may see: the index provider proposes candidates,
// src/records decides what the caller sees of them, src/names scores. The service behind
// POST /api/v1/match/{dataset}, the screening page and `vigil screen`.
import { can, Invalid, NotFound, type Actor, type FieldErrors } from "../core/index.ts";
import type { Origin, Services } from "../context.ts";
import { requirePermission } from "../audit/index.ts";
import { parseInput } from "../accounts/index.ts";
import { viewEntities, type EntityView } from "../records/index.ts";
import { blockingKeys, DEFAULT_THRESHOLD, MAX_NAME_CHARS, matchNames, normalizeName, prepareEntity, type EntitySchema, type MatchResult, type PreparedEntity } from "../names/index.ts";
import { sqlCandidates, type CandidateScope } from "./candidates.ts";
import { answersQuery, entityNames, indexableNames, isMatchable, namesOf, NAME_PROPERTIES } from "./entity-names.ts";
import { MatchBodySchema, MatchParamsSchema, NAME_LIMIT_MESSAGE, type EntityExample } from "./input.ts";

export const DEFAULT_LIST = "default";
const MAX_VALUE_CHARS = 500;

export interface ScoredRecord {
  entity: EntityView;
  caption: string;
  result: MatchResult;
}

export interface QueryMatches {
  results: ScoredRecord[];
  /** Every candidate the caller may see that scored above zero; never counts what it may not see. */
  total: number;
}

export interface MatchOptions {
  threshold: number;
  limit: number;
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
  const prepared = prepareEntity(entityNames(schema, example.properties));
  if (prepared.names.length === 0) {
    errors[`${path}.properties.name`] = "no name is left to match once legal forms are set aside";
    return null;
  }
  return { example, prepared, keys: blockingKeys(indexableNames(schema, names)) };
}

function caption(entity: EntityView): string {
  return entity.properties.name?.[0] ?? namesOf(entity.properties)[0] ?? entity.id;
}

async function resolveScope(services: Services, actor: Actor, list: string): Promise<CandidateScope> {
  if (list === DEFAULT_LIST) return { orgId: actor.orgId, listId: null };
  const row = /^[a-z0-9][a-z0-9_-]{0,63}$/.test(list)
    ? await services.db.selectFrom("entity_lists").select("id").where("org_id", "=", actor.orgId).where("name", "=", list).executeTakeFirst()
    : undefined;
  if (!row) throw new NotFound(`no list named "${list.slice(0, 64)}": use "default" for every record you may see`);
  return { orgId: actor.orgId, listId: row.id };
}

export async function requireMatching(services: Services, origin: Origin, actor: Actor): Promise<void> {
  await requirePermission(services, origin, can(actor, "names.match", { kind: "records", orgId: actor.orgId }), actor, "names.match", { type: "entity", id: null });
}

/** Scores prepared queries against the records the caller may see, in one pass over the index. */
export async function matchPrepared(services: Services, actor: Actor, list: string, queries: readonly PreparedQuery[], options: MatchOptions): Promise<QueryMatches[]> {
  const scope = await resolveScope(services, actor, list);
  const found = await sqlCandidates(services.db).candidates(scope, queries.map((q) => q.keys));
  // What the caller may see of every candidate, in one call to the records service: a record it
  // may not see is absent here, a restricted statement it may not read is absent from the view.
  const views = new Map((await viewEntities(services, actor, [...new Set(found.flatMap((f) => f.ids))])).map((v) => [v.id, v]));
  const prepared = new Map<string, { entity: PreparedEntity; keys: Set<string> } | null>();
  return queries.map((query, i) => {
    const scored: ScoredRecord[] = [];
    const { ids, keys } = found[i]!;
    for (const id of ids) {
      const entity = views.get(id);
      if (!entity || !isMatchable(entity.schema) || !answersQuery(query.prepared.entity.schema, entity.schema)) continue;
      let candidate = prepared.get(id);
      if (candidate === undefined) {
        const names = entityNames(entity.schema, entity.properties);
        const ready = prepareEntity(names);
        // The keys of the names the caller sees: the index also holds keys of names it may not read.
        candidate = ready.names.length > 0 ? { entity: ready, keys: new Set(blockingKeys(indexableNames(entity.schema, names.names))) } : null;
        prepared.set(id, candidate);
      }
      // A record reached only through a name the caller may not read is not a candidate for it.
      if (!candidate || ![...keys].some((k) => candidate.keys.has(k))) continue;
      const result = matchNames(query.prepared, candidate.entity, { threshold: options.threshold });
      if (result.score > 0) scored.push({ entity, caption: caption(entity), result });
    }
    scored.sort((a, b) => b.result.score - a.result.score || a.entity.id.localeCompare(b.entity.id));
    return { results: scored.slice(0, options.limit), total: scored.length };
  });
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
  const matches = await matchPrepared(services, actor, list, prepared as PreparedQuery[], options);
  return {
    queries: Object.fromEntries(names.map((name, i) => [name, { example: body.queries[name]!, matches: matches[i]! }])),
    options: { ...options, algorithm: "vigil-names-v1" },
  };
}
