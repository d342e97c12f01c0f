// The projection monitor_detentions (migration 0011): one row per Detention record, recomputed
// from the records inside the transaction that changed them (registered as a records-changed
// listener in src/listeners.ts), and from scratch by `vigil monitor rebuild`. Alert rules and the
// silence dashboard read it; nothing here is a source of truth.
import { sql } from "kysely";
import type { Services, Tx } from "../context.ts";
import type { StatementRow } from "../db/index.ts";
import type { CreatedRecord, RecordsChange } from "../records/index.ts";
import { summariseDetention, type DatedValue, type DetentionFacts, type StatusFacts } from "./summary.ts";

const CHILD_SCHEMATA = ["CustodyStatus", "ProofOfLife"] as const;
const DETENTION_PROPERTIES = ["person", "facility", "startDate", "date", "silenceDays"];
const CHILD_PROPERTIES = ["status", "date", "facility", "sentenceEnd"];
const BATCH = 500;

type FactStatement = Pick<StatementRow, "entity_id" | "property" | "value" | "sensitivity" | "date_earliest" | "date_latest" | "seq">;

export function datedValue(s: FactStatement | undefined): DatedValue | null {
  if (!s) return null;
  return { value: s.value, earliest: s.date_earliest, latest: s.date_latest, sensitive: s.sensitivity === "restricted" || s.sensitivity === "secret" };
}

function groupByEntity(rows: readonly FactStatement[]): Map<string, Map<string, FactStatement>> {
  const out = new Map<string, Map<string, FactStatement>>();
  // The first value of each property as entered (statements come in seq order).
  for (const s of rows) {
    const props = out.get(s.entity_id) ?? out.set(s.entity_id, new Map()).get(s.entity_id)!;
    if (!props.has(s.property)) props.set(s.property, s);
  }
  return out;
}

/** The Detention records among `changed`, and those a changed record belongs to or names. */
export async function detentionsAffectedBy(tx: Tx, changed: readonly string[]): Promise<string[]> {
  if (changed.length === 0) return [];
  const ids = [...new Set(changed)];
  const found = new Set<string>();
  const own = await tx.selectFrom("entities").select("id").where("id", "in", ids).where("schema", "=", "Detention").execute();
  for (const r of own) found.add(r.id);
  // A status, proof of life or treatment report: the detentions it points at, now or ever (an edit may have moved it).
  const parents = await tx.selectFrom("statements").select("ref_id").distinct().where("entity_id", "in", ids).where("property", "=", "detention").where("ref_id", "is not", null).execute();
  for (const r of parents) found.add(r.ref_id!);
  // A person: their detentions (restricting the person guards them; a merge moves them).
  const ofPeople = await tx
    .selectFrom("statements as s")
    .innerJoin("entities as e", "e.id", "s.entity_id")
    .select("s.entity_id")
    .distinct()
    .where("s.ref_id", "in", ids)
    .where("s.property", "=", "person")
    .where("e.schema", "=", "Detention")
    .execute();
  for (const r of ofPeople) found.add(r.entity_id);
  const rows = await tx.selectFrom("monitor_detentions").select("detention_id").where("person_id", "in", ids).execute();
  for (const r of rows) found.add(r.detention_id);
  return [...found].sort();
}

/** Recomputes the rows of these detentions from their records; a record that is not a Detention loses its row. */
export async function refreshDetentions(tx: Tx, detentionIds: readonly string[]): Promise<void> {
  for (let i = 0; i < detentionIds.length; i += BATCH) await refreshBatch(tx, detentionIds.slice(i, i + BATCH));
}

async function refreshBatch(tx: Tx, ids: readonly string[]): Promise<void> {
  if (ids.length === 0) return;
  const detentions = await tx.selectFrom("entities").select(["id", "org_id", "restricted", "archived_at"]).where("id", "in", [...ids]).where("schema", "=", "Detention").execute();
  const gone = ids.filter((id) => !detentions.some((d) => d.id === id));
  if (gone.length > 0) await tx.deleteFrom("monitor_detentions").where("detention_id", "in", gone).execute();
  if (detentions.length === 0) return;
  const detentionIdsFound = detentions.map((d) => d.id);
  const columns = ["entity_id", "property", "value", "sensitivity", "date_earliest", "date_latest", "seq"] as const;
  const own = groupByEntity(
    await tx.selectFrom("statements").select(columns).where("entity_id", "in", detentionIdsFound).where("retracted_at", "is", null).where("property", "in", DETENTION_PROPERTIES).orderBy("seq").execute(),
  );
  const children = await tx
    .selectFrom("statements as s")
    .innerJoin("entities as e", "e.id", "s.entity_id")
    .select(["e.id", "e.schema", "e.restricted", "e.created_at", "s.ref_id"])
    .where("s.property", "=", "detention")
    .where("s.retracted_at", "is", null)
    .where("s.ref_id", "in", detentionIdsFound)
    .where("e.schema", "in", [...CHILD_SCHEMATA])
    .where("e.archived_at", "is", null)
    .execute();
  const childIds = [...new Set(children.map((c) => c.id))];
  const childStatements = childIds.length
    ? groupByEntity(await tx.selectFrom("statements").select(columns).where("entity_id", "in", childIds).where("retracted_at", "is", null).where("property", "in", CHILD_PROPERTIES).orderBy("seq").execute())
    : new Map<string, Map<string, FactStatement>>();
  const personIds = [...new Set([...own.values()].map((p) => p.get("person")?.value).filter((v): v is string => !!v))];
  const restrictedPeople = new Set(
    personIds.length ? (await tx.selectFrom("entities").select("id").where("id", "in", personIds).where("restricted", "=", true).execute()).map((r) => r.id) : [],
  );
  const existing = new Set(personIds.length ? (await tx.selectFrom("entities").select("id").where("id", "in", personIds).execute()).map((r) => r.id) : []);

  const rows = detentions.map((d) => {
    const props = own.get(d.id) ?? new Map<string, FactStatement>();
    const mine = children.filter((c) => c.ref_id === d.id);
    const statuses: StatusFacts[] = mine
      .filter((c) => c.schema === "CustodyStatus")
      .map((c) => {
        const p = childStatements.get(c.id) ?? new Map<string, FactStatement>();
        return { id: c.id, restricted: c.restricted, createdAt: c.created_at, status: datedValue(p.get("status")), date: datedValue(p.get("date")), facility: datedValue(p.get("facility")), sentenceEnd: datedValue(p.get("sentenceEnd")) };
      });
    const proofs = mine.filter((c) => c.schema === "ProofOfLife").map((c) => ({ id: c.id, restricted: c.restricted, date: datedValue(childStatements.get(c.id)?.get("date")) }));
    const person = datedValue(props.get("person"));
    const facts: DetentionFacts = {
      restricted: d.restricted,
      person,
      personRestricted: person?.value ? restrictedPeople.has(person.value) : false,
      facility: datedValue(props.get("facility")),
      start: datedValue(props.get("startDate") ?? props.get("date")),
      silenceDays: datedValue(props.get("silenceDays")),
      statuses,
      proofs,
    };
    const s = summariseDetention(facts);
    return {
      detention_id: d.id,
      org_id: d.org_id,
      person_id: s.personId && existing.has(s.personId) ? s.personId : null,
      facility_id: s.facilityId,
      status: s.status,
      status_earliest: s.statusEarliest,
      status_latest: s.statusLatest,
      started_earliest: s.startedEarliest,
      started_latest: s.startedLatest,
      last_proof_of_life: s.lastProofOfLife,
      sentence_end: s.sentenceEnd,
      ongoing: s.ongoing,
      silence_days: s.silenceDays,
      guarded: s.guarded,
      archived: d.archived_at !== null,
    };
  });
  const facilities = [...new Set(rows.map((r) => r.facility_id).filter((v): v is string => v !== null))];
  const known = new Set(facilities.length ? (await tx.selectFrom("entities").select("id").where("id", "in", facilities).execute()).map((r) => r.id) : []);
  for (const r of rows) if (r.facility_id && !known.has(r.facility_id)) r.facility_id = null;
  await tx
    .insertInto("monitor_detentions")
    .values(rows)
    .onConflict((oc) =>
      oc.column("detention_id").doUpdateSet((eb) => ({
        org_id: eb.ref("excluded.org_id"),
        person_id: eb.ref("excluded.person_id"),
        facility_id: eb.ref("excluded.facility_id"),
        status: eb.ref("excluded.status"),
        status_earliest: eb.ref("excluded.status_earliest"),
        status_latest: eb.ref("excluded.status_latest"),
        started_earliest: eb.ref("excluded.started_earliest"),
        started_latest: eb.ref("excluded.started_latest"),
        last_proof_of_life: eb.ref("excluded.last_proof_of_life"),
        sentence_end: eb.ref("excluded.sentence_end"),
        ongoing: eb.ref("excluded.ongoing"),
        silence_days: eb.ref("excluded.silence_days"),
        guarded: eb.ref("excluded.guarded"),
        archived: eb.ref("excluded.archived"),
        updated_at: sql`now()`,
      })),
    )
    .execute();
}

/**
 * The Detention records among records just created, and those their values name as their detention,
 * known from what is being written (see RecordsChange): no query. Nothing else can point at a record
 * no one could name yet, so no other detention is touched.
 */
export function detentionsOfCreated(created: readonly CreatedRecord[]): string[] {
  const found = new Set<string>();
  for (const r of created) {
    if (r.schema === "Detention") found.add(r.id);
    for (const v of r.refs) if (v.property === "detention") found.add(v.ref);
  }
  return [...found].sort();
}

/** The records-changed listener: the rows of every detention the change touched. */
export async function refreshDetentionsAfterChange(tx: Tx, changed: readonly string[], change: RecordsChange = {}): Promise<void> {
  await refreshDetentions(tx, change.created ? detentionsOfCreated(change.created) : await detentionsAffectedBy(tx, changed));
}

/** Recomputes every row of an organisation (or of all), a batch per transaction; rows of records no longer Detentions go. */
export async function rebuildDetentions(services: Services, orgId: string | null): Promise<{ detentions: number }> {
  let after = "00000000-0000-0000-0000-000000000000";
  let detentions = 0;
  for (;;) {
    const batch = await services.db
      .selectFrom("entities")
      .select("id")
      .where("schema", "=", "Detention")
      .$if(orgId !== null, (q) => q.where("org_id", "=", orgId!))
      .where("id", ">", after)
      .orderBy("id")
      .limit(BATCH)
      .execute();
    if (batch.length === 0) break;
    await services.db.transaction().execute((tx) => refreshDetentions(tx, batch.map((b) => b.id)));
    detentions += batch.length;
    after = batch[batch.length - 1]!.id;
  }
  await services.db
    .deleteFrom("monitor_detentions")
    .$if(orgId !== null, (q) => q.where("org_id", "=", orgId!))
    .where((eb) => eb.not(eb.exists(eb.selectFrom("entities as e").select("e.id").whereRef("e.id", "=", "monitor_detentions.detention_id").where("e.schema", "=", "Detention"))))
    .execute();
  return { detentions };
}
