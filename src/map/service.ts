// The map and the timeline as use cases: permission first, then the input, then the queries of
// query.ts. Whoever may list records reads the map, of the records they may see.
import { can, Invalid, type Actor } from "../core/index.ts";
import type { Origin, Services } from "../context.ts";
import { requirePermission } from "../audit/index.ts";
import { parseInput } from "../accounts/index.ts";
import { findSchema, loadVocabularies, viewEntities, type EntityView, type TermView } from "../records/index.ts";
import { filterOf, MapFilterSchema, MapListSchema, TimelineSchema, type Box, type MapFilter, type TimelineQuery } from "./filter.ts";
import { DATE_PROPERTIES, incidentsAt, placesBatch, timelinePage, UNDATED, type PlaceRow } from "./query.ts";

/** Places read per query while streaming points: a bounded amount of memory whatever the total. */
export const PLACE_BATCH = 2_000;
const FIRST_ID = "00000000-0000-0000-0000-000000000000";

export async function requireMapReading(services: Services, origin: Origin, actor: Actor): Promise<void> {
  await requirePermission(services, origin, can(actor, "record.list", { kind: "records", orgId: actor.orgId }), actor, "record.list", { type: "entity", id: null });
}

/**
 * Every place with coordinates the actor may know of, in batches: for the incidents layer only
 * places with a matching incident (n ≥ 1), for the places layer every place (n: its incidents).
 */
export async function* placeBatches(services: Services, actor: Actor, filter: MapFilter, box?: Box): AsyncGenerator<PlaceRow[]> {
  let after = FIRST_ID;
  for (;;) {
    const { rows } = await placesBatch(actor, filter, after, PLACE_BATCH, box).execute(services.db);
    if (rows.length === 0) return;
    after = rows[rows.length - 1]!.id;
    const kept = filter.kind === "incidents" ? rows.filter((r) => r.n > 0) : rows;
    if (kept.length > 0) yield kept.map((r) => ({ id: r.id, lat: Number(r.lat), lon: Number(r.lon), n: Number(r.n) }));
    if (rows.length < PLACE_BATCH) return;
  }
}

/** GET /api/v1/map/points: permission and input checked before the first byte, then batches as they are read. */
export async function mapPoints(services: Services, origin: Origin, actor: Actor, raw: unknown): Promise<{ filter: MapFilter; batches: AsyncGenerator<PlaceRow[]> }> {
  await requireMapReading(services, origin, actor);
  const filter = parseInput(MapFilterSchema, raw);
  return { filter, batches: placeBatches(services, actor, filter) };
}

/** All the points at once, for the page drawn on the server. */
export async function collectPoints(services: Services, actor: Actor, filter: MapFilter, box?: Box): Promise<PlaceRow[]> {
  const all: PlaceRow[] = [];
  for await (const batch of placeBatches(services, actor, filter, box)) all.push(...batch);
  return all;
}

// ---------------------------------------------------------------------------------------------
// Incidents as a list: at a spot, in a box, in a region; and the timeline

export interface Caption {
  text: string;
  lang: string | null;
}

export interface IncidentItem {
  id: string;
  caption: Caption;
  /** The dates as written (EDTF), by property. */
  dates: { property: string; value: string }[];
  earliest: string | null;
  latest: string | null;
  violations: { code: string; term: TermView | null }[];
  restricted: boolean;
  places: { id: string; caption: Caption; lat: number | null; lon: number | null }[];
}

export interface IncidentPage {
  items: IncidentItem[];
  nextCursor: string | null;
}

function captionOf(view: EntityView): Caption {
  const name = view.statements.find((s) => s.property === "name" && s.value !== null);
  if (name) return { text: name.value!, lang: name.lang };
  for (const property of findSchema(view.schema)?.caption ?? []) {
    const value = view.properties[property]?.[0];
    if (value) return { text: value, lang: null };
  }
  return { text: findSchema(view.schema)?.label ?? view.schema, lang: null };
}

function encodeCursor(parts: string[]): string {
  return Buffer.from(JSON.stringify(parts)).toString("base64url");
}

function decodeCursor(cursor: string, length: number): string[] {
  try {
    const parts = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")) as unknown;
    if (Array.isArray(parts) && parts.length === length && parts.every((p) => typeof p === "string" && p.length <= 64)) return parts as string[];
  } catch {
    // refused below
  }
  throw new Invalid("the cursor is not one this server gave", { cursor: "not a valid cursor" });
}

interface DescribeRow {
  incident: string;
  /** The places to show it at; when absent, the places its own (readable) statements name. */
  places?: { id: string; lat: number; lon: number }[];
  earliest?: string | null;
  latest?: string | null;
}

/** Incidents and their places as the actor may read them: the visible ones, with readable values only. */
async function describe(services: Services, actor: Actor, rows: DescribeRow[]): Promise<IncidentItem[]> {
  if (rows.length === 0) return [];
  const incidents = new Map((await viewEntities(services, actor, rows.map((r) => r.incident))).map((v) => [v.id, v]));
  const placesOf = (row: DescribeRow) => row.places ?? (incidents.get(row.incident)?.properties.place ?? []).map((id) => ({ id, lat: null, lon: null }));
  const places = new Map((await viewEntities(services, actor, [...new Set(rows.flatMap((r) => placesOf(r).map((p) => p.id)))])).map((v) => [v.id, v]));
  const vocabularies = await loadVocabularies(services.db, actor.orgId);
  return rows.flatMap((row) => {
    const view = incidents.get(row.incident);
    if (!view) return [];
    const dated = view.statements.filter((s) => DATE_PROPERTIES.includes(s.property) && s.value !== null);
    const spans = dated.filter((s) => s.dateEarliest !== null);
    return [{
      id: view.id,
      caption: captionOf(view),
      dates: dated.map((s) => ({ property: s.property, value: s.value! })),
      earliest: row.earliest !== undefined ? row.earliest : spans.reduce<string | null>((m, s) => (m === null || s.dateEarliest! < m ? s.dateEarliest : m), null),
      latest: row.latest !== undefined ? row.latest : spans.reduce<string | null>((m, s) => (m === null || s.dateLatest! > m ? s.dateLatest : m), null),
      violations: (view.properties.violation ?? []).map((code) => ({ code, term: vocabularies.find("violation-types", code) ?? null })),
      restricted: view.restricted,
      places: placesOf(row).flatMap((p) => {
        const place = places.get(p.id);
        return place ? [{ id: p.id, caption: captionOf(place), lat: p.lat, lon: p.lon }] : [];
      }),
    }];
  });
}

/** Incidents in a box (GET /api/v1/map/incidents), or at given places (a region), a page at a time. */
export async function listIncidentsAt(services: Services, actor: Actor, filter: MapFilter, where: { box?: Box; places?: string[] }, cursor: string | undefined, limit: number): Promise<IncidentPage> {
  const after = cursor ? (decodeCursor(cursor, 2) as [string, string]) : null;
  if (where.places && where.places.length === 0) return { items: [], nextCursor: null };
  const { rows } = await incidentsAt(actor, filter, where, after, limit + 1).execute(services.db);
  const page = rows.slice(0, limit);
  const grouped = new Map<string, { incident: string; places: { id: string; lat: number; lon: number }[] }>();
  for (const r of page) {
    const entry = grouped.get(r.incident) ?? grouped.set(r.incident, { incident: r.incident, places: [] }).get(r.incident)!;
    entry.places.push({ id: r.place, lat: Number(r.lat), lon: Number(r.lon) });
  }
  const last = page[page.length - 1];
  return { items: await describe(services, actor, [...grouped.values()]), nextCursor: rows.length > limit && last ? encodeCursor([last.incident, last.place]) : null };
}

export async function listIncidents(services: Services, origin: Origin, actor: Actor, raw: unknown): Promise<IncidentPage> {
  await requireMapReading(services, origin, actor);
  const query = parseInput(MapListSchema, raw);
  return listIncidentsAt(services, actor, filterOf(query), { box: query.bbox! }, query.cursor, query.limit);
}

export interface TimelinePage extends IncidentPage {
  query: TimelineQuery;
}

/** GET /timeline: matching incidents by their earliest, then latest day; undated ones last. */
export async function timeline(services: Services, origin: Origin, actor: Actor, raw: unknown): Promise<TimelinePage> {
  await requireMapReading(services, origin, actor);
  const query = parseInput(TimelineSchema, raw);
  const after = query.cursor ? (decodeCursor(query.cursor, 3) as [string, string, string]) : null;
  const { rows } = await timelinePage(actor, filterOf(query), after, query.limit + 1).execute(services.db);
  const page = rows.slice(0, query.limit);
  const items = await describe(services, actor, page.map((r) => ({ incident: r.id, earliest: r.earliest, latest: r.latest })));
  const last = page[page.length - 1];
  return {
    query,
    items,
    nextCursor: rows.length > query.limit && last ? encodeCursor([last.earliest ?? UNDATED, last.latest ?? UNDATED, last.id]) : null,
  };
}
