// Keeping the names index: the blocking keys of each live record's names, rewritten in the
// transaction that changes the record, and rebuilt for a whole organisation on demand.
import { blockingKeys } from "../names/index.ts";
import type { Services, Tx } from "../context.ts";
import { INDEXED_PROPERTIES, indexableNames, namesOf } from "./entity-names.ts";

interface NameStatement {
  entity_id: string;
  property: string;
  value: string | null;
}

function keysOf(schema: string, statements: readonly NameStatement[]): string[] {
  const properties: Record<string, string[]> = {};
  for (const s of statements) if (s.value !== null) (properties[s.property] ??= []).push(s.value);
  return blockingKeys(indexableNames(schema, namesOf(properties)));
}

async function nameStatements(tx: Tx, entityIds: string[]): Promise<NameStatement[]> {
  // Secret values are sealed (value is null) and never reach the index.
  return tx
    .selectFrom("statements")
    .select(["entity_id", "property", "value"])
    .where("entity_id", "in", entityIds)
    .where("retracted_at", "is", null)
    .where("property", "in", [...INDEXED_PROPERTIES])
    .where("value", "is not", null)
    .orderBy("seq")
    .execute();
}

async function rewriteKeys(tx: Tx, entities: readonly { id: string; org_id: string; schema: string; archived_at: Date | null }[]): Promise<number> {
  if (entities.length === 0) return 0;
  await tx.deleteFrom("name_keys").where("entity_id", "in", entities.map((e) => e.id)).execute();
  const live = entities.filter((e) => e.archived_at === null);
  if (live.length === 0) return 0;
  const byEntity = new Map<string, NameStatement[]>();
  for (const s of await nameStatements(tx, live.map((e) => e.id))) (byEntity.get(s.entity_id) ?? byEntity.set(s.entity_id, []).get(s.entity_id)!).push(s);
  const rows = live.flatMap((e) => keysOf(e.schema, byEntity.get(e.id) ?? []).map((key) => ({ org_id: e.org_id, entity_id: e.id, key })));
  // Chunked: PostgreSQL allows 65,535 parameters per statement.
  for (let i = 0; i < rows.length; i += 5000) await tx.insertInto("name_keys").values(rows.slice(i, i + 5000)).execute();
  return rows.length;
}

/** Rewrites one record's keys; called by src/records inside the transaction of every create, update, archive and restore. */
export async function refreshNameKeys(tx: Tx, entityId: string): Promise<void> {
  const entity = await tx.selectFrom("entities").select(["id", "org_id", "schema", "archived_at"]).where("id", "=", entityId).executeTakeFirst();
  if (entity) await rewriteKeys(tx, [entity]);
}

/** Rebuilds an organisation's index from its records, a batch per transaction; returns the number of records and keys. */
export async function reindexNames(services: Services, orgId: string): Promise<{ records: number; keys: number }> {
  let after = "00000000-0000-0000-0000-000000000000";
  let records = 0;
  let keys = 0;
  for (;;) {
    const batch = await services.db.selectFrom("entities").select(["id", "org_id", "schema", "archived_at"]).where("org_id", "=", orgId).where("id", ">", after).orderBy("id").limit(500).execute();
    if (batch.length === 0) break;
    keys += await services.db.transaction().execute((tx) => rewriteKeys(tx, batch));
    records += batch.length;
    after = batch[batch.length - 1]!.id;
  }
  return { records, keys };
}
