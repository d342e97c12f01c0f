// Keeping the search documents: one row per record, rewritten from its live statements in the
// transaction that changes the record (src/records calls refreshSearchDocuments beside the names
// index), and rebuilt for a whole organisation on demand (`vigil search reindex`).
import { sql, type RawBuilder } from "kysely";
import type { Property } from "@alephdata/followthemoney";
import type { Services, Tx } from "../context.ts";
import { DEFAULT_TERMS, findProperty, findSchema, vocabularyOfProperty, type Sensitivity } from "../records/index.ts";
import { buildTsvector, type Weight, type WeightedText } from "./analyse.ts";

/** Sensitivity levels as stored: the order in which they are more closely held. */
export const LEVELS: Record<Sensitivity, number> = { public: 0, internal: 1, restricted: 2, secret: 3 };

// Values that are codes or pointers, not words: entity ids, dates (they have the year facet),
// web addresses, and FtM's closed code lists.
const UNSEARCHED_TYPES = new Set(["entity", "date", "url", "country", "language", "gender", "topic", "checksum", "json", "mimetype", "ip"]);
// Name parts are FtM strings, but they are names: they rank with names.
const NAME_PARTS = new Set(["firstName", "secondName", "middleName", "fatherName", "motherName", "lastName", "nameSuffix"]);
// A date range wider than this ("19XX") says nothing about a year.
const MAX_YEAR_SPAN = 30;

export interface DocumentStatement {
  entity_id: string;
  property: string;
  value: string | null;
  sensitivity: Sensitivity;
  date_earliest: string | null;
  date_latest: string | null;
  ref_id: string | null;
}

interface Layer {
  texts: WeightedText[];
  violations: Set<string>;
  places: Set<string>;
  starts: { from: number; to: number }[];
  ends: { from: number; to: number }[];
}

function emptyLayer(): Layer {
  return { texts: [], violations: new Set(), places: new Set(), starts: [], ends: [] };
}

/** Whether a property's values are searched as words, and as what: a name, long text, or a short value. */
export function searchedValue(schemaName: string, propertyName: string): { name: boolean; long: boolean } | null {
  const schema = findSchema(schemaName);
  const property = schema ? findProperty(schema, propertyName) : undefined;
  if (!property || UNSEARCHED_TYPES.has(property.type.name) || vocabularyOfProperty(property.qname)) return null;
  const weight = weightOf(property);
  return { name: weight === "A", long: weight === "C" };
}

function weightOf(property: Property): Weight {
  if (property.type.name === "name" || NAME_PARTS.has(property.name)) return "A";
  if (property.type.name === "text") return "C";
  if (property.type.name === "string" || property.type.name === "address") return "B";
  return "D";
}

/** What a vocabulary code is searched under: its words and its default labels in every language. */
function vocabularyText(vocabulary: NonNullable<ReturnType<typeof vocabularyOfProperty>>, code: string): string {
  const term = DEFAULT_TERMS[vocabulary].find((t) => t.code === code);
  return term ? [code, term.labels.en, term.labels.ug, term.labels["zh-Hans"]].join(" ") : code;
}

function yearsOf(layer: Layer): number[] {
  const years = new Set<number>();
  const add = (from: number, to: number) => {
    if (to - from <= MAX_YEAR_SPAN) for (let y = from; y <= to; y++) years.add(y);
  };
  for (const d of [...layer.starts, ...layer.ends]) add(d.from, d.to);
  // An incident from 2017 to 2019 happened in 2018 too.
  if (layer.starts.length > 0 && layer.ends.length > 0) add(Math.min(...layer.starts.map((d) => d.from)), Math.max(...layer.ends.map((d) => d.to)));
  return [...years].sort((a, b) => a - b);
}

function year(date: string | null): number | null {
  return date === null ? null : Number(date.slice(0, 4));
}

export interface DocumentRow {
  entity_id: string;
  org_id: string;
  schema: string;
  restricted: boolean;
  archived: boolean;
  level: number;
  tsv: string;
  violations: string[];
  places: string[];
  years: number[];
  has_restricted: boolean;
  r_tsv: string | null;
  r_violations: string[] | null;
  r_places: string[] | null;
  r_years: number[] | null;
  filters: string[];
}

/** The keys the facet filters look up: a superset of what any caller may filter the record by, checked exactly at query time. */
function filtersOf(schema: string, level: number, guarded: boolean, layers: readonly { violations: Iterable<string>; places: Iterable<string>; years: Iterable<number> }[]): string[] {
  const keys = new Set([`s:${schema}`, `l:${level}`]);
  if (guarded) keys.add("l:2");
  for (const layer of layers) {
    for (const v of layer.violations) keys.add(`v:${v}`);
    for (const p of layer.places) keys.add(`p:${p}`);
    for (const y of layer.years) keys.add(`y:${y}`);
  }
  return [...keys].sort();
}

/** The document of one record from its live statements: a pure function, so that tests and the bench build the same rows. */
export function documentOf(entity: { id: string; org_id: string; schema: string; restricted: boolean; archived_at: Date | null }, statements: readonly DocumentStatement[]): DocumentRow {
  const schema = findSchema(entity.schema);
  const open = emptyLayer();
  const restricted = emptyLayer();
  let level = 0;
  let hasRestricted = false;
  for (const s of statements) {
    if (s.sensitivity === "restricted") hasRestricted = true;
    else level = Math.max(level, LEVELS[s.sensitivity]);
    // Secret values are sealed (value is null): nothing of them is indexed.
    if (s.value === null || s.sensitivity === "secret") continue;
    const property = schema ? findProperty(schema, s.property) : undefined;
    if (!property) continue;
    const layer = s.sensitivity === "restricted" ? restricted : open;
    const vocabulary = vocabularyOfProperty(property.qname);
    if (vocabulary === "violation-types") layer.violations.add(s.value);
    if (property.type.name === "entity" && s.ref_id !== null && property.hasRange && property.getRange().isA("Address")) layer.places.add(s.ref_id);
    if (property.type.name === "date" && s.date_earliest !== null) {
      const range = { from: year(s.date_earliest)!, to: year(s.date_latest) ?? year(s.date_earliest)! };
      if (schema!.temporalStart.includes(property.name)) layer.starts.push(range);
      if (schema!.temporalEnd.includes(property.name)) layer.ends.push(range);
    }
    if (UNSEARCHED_TYPES.has(property.type.name)) continue;
    layer.texts.push({ text: vocabulary ? vocabularyText(vocabulary, s.value) : s.value, weight: vocabulary ? "B" : weightOf(property) });
  }
  // Names first: their positions stay low, and a document cut for size keeps them.
  const ordered = (texts: WeightedText[]) => [...texts].sort((a, b) => a.weight.localeCompare(b.weight));
  const openFacets = { violations: open.violations, places: open.places, years: yearsOf(open) };
  const restrictedFacets = { violations: restricted.violations, places: restricted.places, years: yearsOf(restricted) };
  return {
    entity_id: entity.id,
    org_id: entity.org_id,
    schema: entity.schema,
    restricted: entity.restricted,
    archived: entity.archived_at !== null,
    level,
    tsv: buildTsvector(ordered(open.texts)) ?? "",
    violations: [...open.violations].sort(),
    places: [...open.places].sort(),
    years: openFacets.years,
    has_restricted: hasRestricted,
    r_tsv: hasRestricted ? buildTsvector(ordered(restricted.texts)) : null,
    r_violations: hasRestricted ? [...restricted.violations].sort() : null,
    r_places: hasRestricted ? [...restricted.places].sort() : null,
    r_years: hasRestricted ? restrictedFacets.years : null,
    filters: filtersOf(entity.schema, level, entity.restricted || hasRestricted, hasRestricted ? [openFacets, restrictedFacets] : [openFacets]),
  };
}

/** Writes documents, replacing any there were. */
export async function writeDocuments(tx: Tx, rows: readonly DocumentRow[]): Promise<void> {
  for (const insert of documentInserts(rows)) await insert.execute(tx);
}

/**
 * The INSERTs writing search documents, each carrying at most 1,000 of them and about 4 MB of JSON
 * (well under what a single parameter carries comfortably), as statements that can run alone or as
 * data-modifying parts of a larger one. They replace a record's document, unless `fresh` says the
 * records are new (an import's batch).
 */
export function documentInserts(rows: readonly DocumentRow[], options: { fresh?: boolean } = {}): RawBuilder<unknown>[] {
  const inserts: RawBuilder<unknown>[] = [];
  for (let i = 0; i < rows.length; ) {
    let size = 0;
    const batch: DocumentRow[] = [];
    while (i < rows.length && (batch.length === 0 || size < 4_000_000) && batch.length < 1000) {
      size += rows[i]!.tsv.length + (rows[i]!.r_tsv?.length ?? 0) + 300;
      batch.push(rows[i]!);
      i++;
    }
    // The row type does the parsing: tsvector text through tsvector's input, JSON arrays into arrays.
    if (options.fresh) {
      // Records created in the caller's transaction have no document yet: a plain INSERT, without
      // the speculative insertion an upsert costs per row.
      inserts.push(sql`INSERT INTO search_documents SELECT * FROM json_populate_recordset(null::search_documents, ${JSON.stringify(batch)}::json)`);
      continue;
    }
    inserts.push(sql`
      INSERT INTO search_documents
      SELECT * FROM json_populate_recordset(null::search_documents, ${JSON.stringify(batch)}::json)
      ON CONFLICT (entity_id) DO UPDATE SET
        org_id = excluded.org_id, schema = excluded.schema, restricted = excluded.restricted, archived = excluded.archived, level = excluded.level,
        tsv = excluded.tsv, violations = excluded.violations, places = excluded.places, years = excluded.years,
        has_restricted = excluded.has_restricted, r_tsv = excluded.r_tsv, r_violations = excluded.r_violations, r_places = excluded.r_places, r_years = excluded.r_years,
        filters = excluded.filters
    `);
  }
  return inserts;
}

async function documentsFor(tx: Tx, entities: readonly { id: string; org_id: string; schema: string; restricted: boolean; archived_at: Date | null }[]): Promise<DocumentRow[]> {
  if (entities.length === 0) return [];
  const statements = await tx
    .selectFrom("statements")
    .select(["entity_id", "property", "value", "sensitivity", "date_earliest", "date_latest", "ref_id"])
    .where("entity_id", "in", entities.map((e) => e.id))
    .where("retracted_at", "is", null)
    .orderBy("seq")
    .execute();
  const byEntity = new Map<string, DocumentStatement[]>();
  for (const s of statements) (byEntity.get(s.entity_id) ?? byEntity.set(s.entity_id, []).get(s.entity_id)!).push(s);
  return entities.map((e) => documentOf(e, byEntity.get(e.id) ?? []));
}

/** Rewrites the documents of records just changed; src/records calls it inside the transaction of every change. */
export async function refreshSearchDocuments(tx: Tx, entityIds: readonly string[]): Promise<void> {
  const ids = [...new Set(entityIds)];
  for (let i = 0; i < ids.length; i += 500) {
    const entities = await tx.selectFrom("entities").select(["id", "org_id", "schema", "restricted", "archived_at"]).where("id", "in", ids.slice(i, i + 500)).execute();
    await writeDocuments(tx, await documentsFor(tx, entities));
  }
}

/** Rebuilds an organisation's documents from its records, a batch per transaction. */
export async function reindexSearch(services: Services, orgId: string, options: { batch?: number } = {}): Promise<{ records: number }> {
  const size = options.batch ?? 500;
  let after = "00000000-0000-0000-0000-000000000000";
  let records = 0;
  for (;;) {
    const batch = await services.db.selectFrom("entities").select(["id", "org_id", "schema", "restricted", "archived_at"]).where("org_id", "=", orgId).where("id", ">", after).orderBy("id").limit(size).execute();
    if (batch.length === 0) break;
    await services.db.transaction().execute(async (tx) => writeDocuments(tx, await documentsFor(tx, batch)));
    records += batch.length;
    after = batch[batch.length - 1]!.id;
  }
  return { records };
}
