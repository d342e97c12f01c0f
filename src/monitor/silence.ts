// "Who has gone silent": people in detention by days since the last proof of life, and the
// facilities coloured by the silence of those held there. Permission first, then the input, then
// the queries of silence-query.ts; names, statuses and places as the caller may read them.
import { can, Invalid, type Actor } from "../core/index.ts";
import { sql } from "kysely";
import type { Origin, Services, Tx } from "../context.ts";
import { requirePermission } from "../audit/index.ts";
import { parseInput } from "../accounts/index.ts";
import { findSchema, loadVocabularies, viewEntities, visibleIds, type EntityView, type TermView } from "../records/index.ts";
import {
  FacilitySilenceQuerySchema, SilenceQuerySchema, URGENCIES, dayOf, daysBetween, urgencyOf,
  type SilenceFilter, type SilenceQuery, type Urgency,
} from "./silence-input.ts";
import { NEVER, silenceByFacility, silenceCounts, silencePage, type UrgencyCounts } from "./silence-query.ts";
import { silenceWindow } from "./alerts-rules.ts";

export interface Caption {
  text: string;
  lang: string | null;
}

export interface SilenceItem {
  detention: string;
  /** The person as the caller may read them: null when none is recorded or the caller may not know of them. */
  person: { id: string; name: Caption } | null;
  /** Whether a person is recorded whom the caller may not know of. */
  personHidden: boolean;
  status: { code: string; term: TermView | null; since: string | null } | null;
  facility: { id: string; name: Caption } | null;
  facilityHidden: boolean;
  heldSince: string | null;
  lastProofOfLife: string | null;
  /** Days since the last proof of life; with none ever, days since the detention began at the latest (null: unknown). */
  days: number | null;
  /** The window this case is measured against: its own, or the organisation's default. */
  window: number;
  urgency: Urgency;
  restricted: boolean;
}

export interface SilencePage {
  query: SilenceQuery;
  today: string;
  items: SilenceItem[];
  counts: UrgencyCounts;
  /** Matching every filter, urgency included. */
  total: number;
  nextCursor: string | null;
}

export async function requireSilenceReading(services: Services, origin: Origin, actor: Actor): Promise<void> {
  await requirePermission(services, origin, can(actor, "monitor.read-silence", { kind: "records", orgId: actor.orgId }), actor, "monitor.read-silence", { type: "entity", id: null });
}

/**
 * Runs the dashboard's reads with PostgreSQL's JIT compiler off. Counting every live row makes the
 * planner's estimate cross jit_above_cost, and compiling then takes several times longer than the
 * index-only scan it would speed up (measured: 680 ms of compiling for a 50 ms scan).
 */
async function withoutJit<T>(services: Services, read: (tx: Tx) => Promise<T>): Promise<T> {
  return services.db.transaction().execute(async (tx) => {
    await sql`SET LOCAL jit = off`.execute(tx);
    return read(tx);
  });
}

function encodeCursor(parts: [string, string]): string {
  return Buffer.from(JSON.stringify(parts)).toString("base64url");
}

function decodeCursor(cursor: string): [string, string] {
  try {
    const parts = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")) as unknown;
    if (Array.isArray(parts) && parts.length === 2 && (parts[0] === NEVER || /^\d{4}-\d{2}-\d{2}$/.test(String(parts[0]))) && /^[0-9a-f-]{36}$/.test(String(parts[1]))) return parts as [string, string];
  } catch {
    // refused below
  }
  throw new Invalid("the cursor is not one this server gave", { cursor: "not a valid cursor" });
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

/** Status codes must be the vocabulary's and facilities records the caller may know of: anything else is a mistake, said so. */
async function checkFilter(services: Services, actor: Actor, filter: SilenceFilter): Promise<void> {
  const errors: Record<string, string> = {};
  if (filter.status.length > 0) {
    const vocabularies = await loadVocabularies(services.db, actor.orgId);
    if (filter.status.some((code) => !vocabularies.find("custody-statuses", code))) errors.status = "not a custody status";
  }
  if (filter.facility.length > 0) {
    const known = await visibleIds(services.db, actor, filter.facility);
    if (filter.facility.some((id) => !known.has(id))) errors.facility = "not a facility you may see";
  }
  if (Object.keys(errors).length > 0) throw new Invalid("some fields are not valid", errors);
}

/** GET /monitor and /api/v1/monitor/silence: a page of the silent, longest silence first, with the counts. */
export async function listSilence(services: Services, origin: Origin, actor: Actor, raw: unknown): Promise<SilencePage> {
  await requireSilenceReading(services, origin, actor);
  const query = parseInput(SilenceQuerySchema, raw);
  const after = query.cursor ? decodeCursor(query.cursor) : null;
  await checkFilter(services, actor, query);
  const today = dayOf(services.now());
  const orgWindow = await silenceWindow(services.db, actor.orgId);
  const { rows, counts } = await withoutJit(services, async (tx) => ({ rows: await silencePage(tx, actor, query, today, orgWindow, after, query.limit + 1), counts: await silenceCounts(tx, actor, query, today, orgWindow) }));
  const page = rows.slice(0, query.limit);
  const views = new Map(
    (await viewEntities(services, actor, [...new Set(page.flatMap((r) => [r.person_id, r.facility_id].filter((id): id is string => id !== null)))])).map((v) => [v.id, v]),
  );
  const vocabularies = await loadVocabularies(services.db, actor.orgId);
  const items = page.map((r): SilenceItem => {
    const person = r.person_id ? views.get(r.person_id) : undefined;
    const facility = r.facility_id ? views.get(r.facility_id) : undefined;
    const window = r.silence_days ?? orgWindow;
    const since = r.last_proof_of_life ?? r.started_latest;
    return {
      detention: r.detention_id,
      person: person ? { id: person.id, name: captionOf(person) } : null,
      personHidden: r.person_id !== null && !person,
      status: r.status ? { code: r.status, term: vocabularies.find("custody-statuses", r.status) ?? null, since: r.status_earliest } : null,
      facility: facility ? { id: facility.id, name: captionOf(facility) } : null,
      facilityHidden: r.facility_id !== null && !facility,
      heldSince: r.started_earliest,
      lastProofOfLife: r.last_proof_of_life,
      days: since ? Math.max(0, daysBetween(since, today)) : null,
      window,
      urgency: urgencyOf(r.last_proof_of_life ? daysBetween(r.last_proof_of_life, today) : null, window),
      restricted: r.guarded,
    };
  });
  const last = page[page.length - 1];
  const chosen: readonly Urgency[] = query.urgency.length > 0 ? query.urgency : URGENCIES;
  return {
    query,
    today,
    items,
    counts,
    total: chosen.reduce<number>((sum, u) => sum + counts[u], 0),
    nextCursor: rows.length > query.limit && last ? encodeCursor([last.last_proof_of_life ?? NEVER, last.detention_id]) : null,
  };
}

export interface FacilitySilence {
  id: string;
  name: Caption;
  lat: number | null;
  lon: number | null;
  held: number;
  never: number;
  overdue: number;
  approaching: number;
  /** Days since the oldest last proof of life there (null when no one there has any). */
  longestDays: number | null;
  /** The most urgent level among those held there: the facility's colour. */
  level: Urgency;
}

export interface FacilitySilenceMap {
  filter: SilenceFilter;
  today: string;
  facilities: FacilitySilence[];
  /** Matching detentions with no facility recorded, or one the caller may not know of. */
  unplaced: number;
}

function coordinate(values: string[] | undefined, limit: number): number | null {
  for (const value of values ?? []) {
    const text = value.replace(",", ".").trim();
    if (!/^-?\d+(\.\d+)?$/.test(text)) continue;
    const n = Number(text);
    if (n >= -limit && n <= limit) return n;
  }
  return null;
}

/** GET /monitor/facilities and /api/v1/monitor/facilities: every facility holding someone who matches, by its worst silence. */
export async function facilitySilence(services: Services, origin: Origin, actor: Actor, raw: unknown): Promise<FacilitySilenceMap> {
  await requireSilenceReading(services, origin, actor);
  const filter = parseInput(FacilitySilenceQuerySchema, raw);
  await checkFilter(services, actor, filter);
  const today = dayOf(services.now());
  const orgWindow = await silenceWindow(services.db, actor.orgId);
  const groups = await withoutJit(services, (tx) => silenceByFacility(tx, actor, filter, today, orgWindow));
  const views = new Map((await viewEntities(services, actor, groups.flatMap((g) => (g.facility_id ? [g.facility_id] : [])))).map((v) => [v.id, v]));
  let unplaced = 0;
  const facilities: FacilitySilence[] = [];
  for (const g of groups) {
    const view = g.facility_id ? views.get(g.facility_id) : undefined;
    if (!view) {
      unplaced += g.held;
      continue;
    }
    const level: Urgency = g.never > 0 ? "never" : g.overdue > 0 ? "overdue" : g.approaching > 0 ? "approaching" : "recent";
    facilities.push({
      id: view.id,
      name: captionOf(view),
      lat: coordinate(view.properties.latitude, 90),
      lon: coordinate(view.properties.longitude, 180),
      held: g.held,
      never: g.never,
      overdue: g.overdue,
      approaching: g.approaching,
      longestDays: g.oldest ? daysBetween(g.oldest, today) : null,
      level,
    });
  }
  const rank = (f: FacilitySilence) => URGENCIES.indexOf(f.level);
  facilities.sort((a, b) => rank(a) - rank(b) || b.never + b.overdue - (a.never + a.overdue) || (b.longestDays ?? 0) - (a.longestDays ?? 0) || a.id.localeCompare(b.id));
  return { filter, today, facilities, unplaced };
}

