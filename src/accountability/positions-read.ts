// Reading records for the accountability pages: which records point at others through a property,
// as views the reader may see with only the values they may read. Every link the responsibility
// map or a career draws is re-checked against those readable values, so a restricted record, or a
// restricted value of an ordinary record, never makes a link for someone not on its access list.
import type { Actor } from "../core/index.ts";
import type { Services } from "../context.ts";
import { captionsOf, viewEntities, type EntityView, type StatementView } from "../records/index.ts";

/** Ids of live records of `schemata` whose `property` points at one of `refs` (any sensitivity: re-checked on the views). */
export async function referringIds(services: Services, actor: Actor, property: string, refs: Iterable<string>, schemata: readonly string[]): Promise<string[]> {
  const wanted = [...new Set(refs)];
  if (wanted.length === 0) return [];
  const rows = await services.db
    .selectFrom("statements as s")
    .innerJoin("entities as e", "e.id", "s.entity_id")
    .select("s.entity_id")
    .distinct()
    .where("s.org_id", "=", actor.orgId)
    .where("s.property", "=", property)
    .where("s.retracted_at", "is", null)
    .where("s.ref_id", "in", wanted)
    .where("e.schema", "in", [...schemata])
    .where("e.archived_at", "is", null)
    .where("e.merged_into", "is", null)
    .execute();
  return rows.map((r) => r.entity_id);
}

/** The readable statements of a property. */
export function statementsOf(entity: EntityView, property: string): StatementView[] {
  return entity.statements.filter((s) => s.property === property && s.value !== null);
}

export function valuesOf(entity: EntityView, property: string): string[] {
  return [...new Set(statementsOf(entity, property).map((s) => s.value!))];
}

/** Views of the records among `ids` that point at one of `refs` through `property` in a value the reader may read. */
export async function viewsReferring(services: Services, actor: Actor, property: string, refs: ReadonlySet<string>, schemata: readonly string[]): Promise<EntityView[]> {
  const ids = await referringIds(services, actor, property, refs, schemata);
  const views = await viewEntities(services, actor, ids);
  return views.filter((v) => valuesOf(v, property).some((ref) => refs.has(ref)));
}

export interface Dated {
  /** As written (EDTF), or null. */
  text: string | null;
  earliest: string | null;
  latest: string | null;
  source: string | null;
}

/** The first readable dated value among `properties`. */
export function dateOf(entity: EntityView, properties: readonly string[]): Dated {
  for (const p of properties) {
    const s = statementsOf(entity, p).find((st) => st.dateEarliest !== null);
    if (s) return { text: s.value, earliest: s.dateEarliest, latest: s.dateLatest, source: s.source };
  }
  return { text: null, earliest: null, latest: null, source: null };
}

/** Names of records the reader may know of: one query. */
export async function namesOf(services: Services, actor: Actor, ids: Iterable<string>): Promise<Map<string, string | null>> {
  const captions = await captionsOf(services, actor, [...new Set(ids)]);
  return new Map([...captions].map(([id, c]) => [id, c.caption]));
}

export function nameOf(entity: EntityView | undefined): string | null {
  if (!entity) return null;
  for (const p of ["name", "alias", "full"]) {
    const v = valuesOf(entity, p)[0];
    if (v) return v;
  }
  return null;
}
