// Keeping the names index: for each live record, the blocking keys of its names by birth decade, and
// its match features prepared once (name_features), rewritten in the transaction that changes the
// record, and rebuilt for a whole organisation on demand.
import { birthDecades, blockingKeys, ENGINE_VERSION, prepareEntity, preparedToJson, UNKNOWN_DECADE, type PreparedJson } from "../names/index.ts";
import { sql, type RawBuilder } from "kysely";
import type { Services, Tx } from "../context.ts";
import { arrayLiteral } from "../db/index.ts";
import { entityNames, indexableNames, isMatchable, MATCH_PROPERTIES, namesOf } from "./entity-names.ts";

export interface MatchStatement {
  property: string;
  /** null for a sealed (secret) value, which never reaches the index. */
  value: string | null;
  sensitivity: string;
}

export interface IndexEntries {
  keys: { key: string; decade: number }[];
  /** null when the record has no name the engine can read. */
  features: { guarded: boolean; prepared: PreparedJson } | null;
}

function propertiesOf(statements: readonly MatchStatement[], keep: (s: MatchStatement) => boolean): Record<string, string[]> {
  const properties: Record<string, string[]> = {};
  for (const s of statements) if (s.value !== null && keep(s)) (properties[s.property] ??= []).push(s.value);
  return properties;
}

/**
 * What the index holds for one record, from its live statements. Keys come from every plain value
 * (secret values are sealed); whether a caller may read the name a key came from is decided at query
 * time. The birth decade comes from birth dates nobody is kept from reading: a restricted birth date
 * makes the record undated in the index, so no query can learn its decade by being refused. The
 * features hold only public and internal values; `guarded` marks a record that also has restricted
 * ones, whose candidates are then read through the records service.
 */
export function indexEntries(schema: string, statements: readonly MatchStatement[]): IndexEntries {
  if (!isMatchable(schema)) return { keys: [], features: null };
  const all = propertiesOf(statements, () => true);
  const restricted = statements.some((s) => s.value !== null && s.sensitivity === "restricted" && MATCH_PROPERTIES.includes(s.property));
  const datesRestricted = statements.some((s) => s.property === "birthDate" && s.sensitivity !== "public" && s.sensitivity !== "internal");
  const decades = (datesRestricted ? null : birthDecades(all.birthDate ?? [])) ?? [UNKNOWN_DECADE];
  const keys = blockingKeys(indexableNames(schema, namesOf(all))).flatMap((key) => decades.map((decade) => ({ key, decade })));
  const open = propertiesOf(statements, (s) => s.sensitivity === "public" || s.sensitivity === "internal");
  const prepared = prepareEntity(entityNames(schema, open));
  return { keys, features: prepared.names.length > 0 || restricted ? { guarded: restricted, prepared: preparedToJson(prepared) } : null };
}

async function matchStatements(tx: Tx, entityIds: string[]): Promise<(MatchStatement & { entity_id: string })[]> {
  return tx
    .selectFrom("statements")
    .select(["entity_id", "property", "value", "sensitivity"])
    .where("entity_id", "in", entityIds)
    .where("retracted_at", "is", null)
    .where("property", "in", [...MATCH_PROPERTIES])
    .orderBy("seq")
    .execute();
}

async function rewriteIndex(tx: Tx, entities: readonly { id: string; org_id: string; schema: string; archived_at: Date | null }[]): Promise<number> {
  if (entities.length === 0) return 0;
  const ids = entities.map((e) => e.id);
  await tx.deleteFrom("name_keys").where("entity_id", "in", ids).execute();
  await tx.deleteFrom("name_features").where("entity_id", "in", ids).execute();
  const live = entities.filter((e) => e.archived_at === null && isMatchable(e.schema));
  if (live.length === 0) return 0;
  const byEntity = new Map<string, MatchStatement[]>();
  for (const s of await matchStatements(tx, live.map((e) => e.id))) (byEntity.get(s.entity_id) ?? byEntity.set(s.entity_id, []).get(s.entity_id)!).push(s);
  const keyRows: { org_id: string; entity_id: string; key: string; decade: number }[] = [];
  const featureRows: { entity_id: string; org_id: string; engine: string; guarded: boolean; features: string }[] = [];
  for (const e of live) {
    const entries = indexEntries(e.schema, byEntity.get(e.id) ?? []);
    for (const k of entries.keys) keyRows.push({ org_id: e.org_id, entity_id: e.id, ...k });
    if (entries.features) featureRows.push({ entity_id: e.id, org_id: e.org_id, engine: ENGINE_VERSION, guarded: entries.features.guarded, features: JSON.stringify(entries.features.prepared) });
  }
  // Chunked: PostgreSQL allows 65,535 parameters per statement.
  for (let i = 0; i < keyRows.length; i += 5000) await tx.insertInto("name_keys").values(keyRows.slice(i, i + 5000)).execute();
  for (let i = 0; i < featureRows.length; i += 2000) await tx.insertInto("name_features").values(featureRows.slice(i, i + 2000)).execute();
  return keyRows.length;
}

/** Rewrites one record's index entries; called by src/records inside the transaction of every create, update, archive, restore and merge. */
export async function refreshNameKeys(tx: Tx, entityId: string): Promise<void> {
  const entity = await tx.selectFrom("entities").select(["id", "org_id", "schema", "archived_at"]).where("id", "=", entityId).executeTakeFirst();
  if (entity) await rewriteIndex(tx, [entity]);
}

/** Rebuilds an organisation's index from its records, a batch per transaction; returns the number of records and keys. */
export async function reindexNames(services: Services, orgId: string): Promise<{ records: number; keys: number }> {
  let after = "00000000-0000-0000-0000-000000000000";
  let records = 0;
  let keys = 0;
  for (;;) {
    const batch = await services.db.selectFrom("entities").select(["id", "org_id", "schema", "archived_at"]).where("org_id", "=", orgId).where("id", ">", after).orderBy("id").limit(500).execute();
    if (batch.length === 0) break;
    keys += await services.db.transaction().execute((tx) => rewriteIndex(tx, batch));
    records += batch.length;
    after = batch[batch.length - 1]!.id;
  }
  return { records, keys };
}

/** Rewrites the index entries of many records at once, in the caller's transaction (an import's batch). */
export async function refreshNameKeysOf(tx: Tx, entityIds: readonly string[]): Promise<void> {
  if (entityIds.length === 0) return;
  const entities = await tx.selectFrom("entities").select(["id", "org_id", "schema", "archived_at"]).where("id", "in", [...entityIds]).execute();
  await rewriteIndex(tx, entities);
}

/** A record created in the caller's transaction, with its live statements in the order they were written. */
export interface NewIndexedRecord {
  id: string;
  org_id: string;
  schema: string;
  statements: readonly MatchStatement[];
}

/** The index rows of records being created, as columns: prepared in memory, written by newNameIndexInserts. */
export interface NewNameIndex {
  keys: { org: string[]; entity: string[]; key: string[]; decade: number[] };
  features: { entity: string[]; org: string[]; guarded: boolean[]; prepared: string[] };
}

/**
 * What the index holds for records just created (an import's batch), from the statements the caller
 * is writing: the same entries rewriteIndex would read back, computed without a query. A pure
 * function, so that an import prepares the next batch while the database writes this one.
 */
export function newNameIndex(records: readonly NewIndexedRecord[]): NewNameIndex {
  const index: NewNameIndex = { keys: { org: [], entity: [], key: [], decade: [] }, features: { entity: [], org: [], guarded: [], prepared: [] } };
  for (const r of records) {
    if (!isMatchable(r.schema)) continue;
    const entries = indexEntries(r.schema, r.statements.filter((s) => MATCH_PROPERTIES.includes(s.property)));
    for (const k of entries.keys) {
      index.keys.org.push(r.org_id);
      index.keys.entity.push(r.id);
      index.keys.key.push(k.key);
      index.keys.decade.push(k.decade);
    }
    if (entries.features) {
      index.features.entity.push(r.id);
      index.features.org.push(r.org_id);
      index.features.guarded.push(entries.features.guarded);
      index.features.prepared.push(JSON.stringify(entries.features.prepared));
    }
  }
  return index;
}

/**
 * Puts columns of blocking-key rows in the order of the key tables' primary keys (key, then
 * decade): a batch's keys then land on neighbouring index pages one after another. Returns the
 * function that reorders any column of the same rows.
 */
export function inKeyOrder(keys: readonly string[], decades: readonly number[]): <T>(values: readonly T[]) => T[] {
  const order = keys.map((_, i) => i).sort((a, b) => (keys[a]! < keys[b]! ? -1 : keys[a]! > keys[b]! ? 1 : decades[a]! - decades[b]!));
  return (values) => order.map((i) => values[i]!);
}

/**
 * The INSERTs writing the entries of records created in the caller's transaction (nothing to
 * delete, one INSERT per table), as statements that can run alone or as data-modifying parts of a
 * larger one.
 */
export function newNameIndexInserts(index: NewNameIndex): RawBuilder<unknown>[] {
  const { keys, features } = index;
  const inserts: RawBuilder<unknown>[] = [];
  if (keys.key.length > 0) {
    const by = inKeyOrder(keys.key, keys.decade);
    inserts.push(sql`INSERT INTO name_keys (org_id, entity_id, key, decade)
      SELECT * FROM unnest(${arrayLiteral(by(keys.org))}::uuid[], ${arrayLiteral(by(keys.entity))}::uuid[], ${arrayLiteral(by(keys.key))}::text[], ${arrayLiteral(by(keys.decade))}::smallint[])`);
  }
  if (features.entity.length > 0) {
    inserts.push(sql`INSERT INTO name_features (entity_id, org_id, engine, guarded, features)
      SELECT t.entity_id, t.org_id, ${ENGINE_VERSION}, t.guarded, t.features::json
      FROM unnest(${arrayLiteral(features.entity)}::uuid[], ${arrayLiteral(features.org)}::uuid[], ${arrayLiteral(features.guarded)}::boolean[], ${arrayLiteral(features.prepared)}::text[]) AS t(entity_id, org_id, guarded, features)`);
  }
  return inserts;
}
