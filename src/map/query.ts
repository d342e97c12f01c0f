// The SQL behind the map and the timeline. Permission is part of every query: a record the caller
// may not know of, and a restricted value of a record it may not read, is never matched, counted
// or placed. The rule is src/records' (visibleTo, readableBy, the hub's record.read-restricted),
// written here as SQL fragments because these queries aggregate over statements.
import { sql, type RawBuilder } from "kysely";
import type { Actor } from "../core/index.ts";
import { findSchema, schemaAndDescendants } from "../records/index.ts";
import type { MapFilter } from "./filter.ts";

type Fragment = RawBuilder<unknown>;

/** Whether the actor may read the restricted part of record `alias`: administrators and its access list. */
export function readsRestricted(actor: Actor, alias: string): Fragment {
  if (actor.role === "admin") return sql`true`;
  return sql`EXISTS (SELECT 1 FROM entity_access a WHERE a.entity_id = ${sql.ref(`${alias}.id`)} AND a.user_id = ${actor.userId})`;
}

/** Whether the actor may know of record `alias` at all (src/records' visibleTo), and it is live. */
export function knownLive(actor: Actor, alias: string): Fragment {
  return sql`${sql.ref(`${alias}.org_id`)} = ${actor.orgId} AND ${sql.ref(`${alias}.archived_at`)} IS NULL AND (NOT ${sql.ref(`${alias}.restricted`)} OR ${readsRestricted(actor, alias)})`;
}

/** Whether statement `s` of record `alias` is one the actor may read (secret values have no value at all). */
function readable(actor: Actor, s: string, alias: string): Fragment {
  return sql`(${sql.ref(`${s}.sensitivity`)} <> 'restricted' OR ${readsRestricted(actor, alias)})`;
}

/** A coordinate as FtM's number type stores it ("43.8", "43,8"), or null when it is not a plain number. */
function coordinate(value: Fragment): Fragment {
  return sql`CASE WHEN replace(${value}, ',', '.') ~ '^\\s*-?[0-9]+(\\.[0-9]+)?\\s*$' THEN replace(${value}, ',', '.')::double precision END`;
}

/**
 * The first coordinate value of place `p` the actor may read and that lies in range: a place with
 * conflicting coordinates is drawn where the first one entered puts it.
 */
function firstCoordinate(actor: Actor, property: "latitude" | "longitude"): Fragment {
  const limit = property === "latitude" ? 90 : 180;
  const value = coordinate(sql.ref("s.value"));
  return sql`(SELECT ${value} FROM statements s
    WHERE s.entity_id = p.id AND s.property = ${property} AND s.retracted_at IS NULL AND s.value IS NOT NULL AND ${readable(actor, "s", "p")}
      AND ${value} BETWEEN ${-limit} AND ${limit}
    ORDER BY s.seq LIMIT 1)`;
}

/** Sensitivity as search and the list pages give it: the most closely held value the record has (restricted counted only for those who read it). */
function levelOf(actor: Actor, alias: string): Fragment {
  return sql`GREATEST(CASE WHEN ${sql.ref(`${alias}.restricted`)} THEN 2 ELSE 0 END, COALESCE((SELECT max(CASE l.sensitivity WHEN 'public' THEN 0 WHEN 'internal' THEN 1 WHEN 'secret' THEN 3 ELSE CASE WHEN ${readsRestricted(actor, alias)} THEN 2 ELSE 0 END END)
    FROM statements l WHERE l.entity_id = ${sql.ref(`${alias}.id`)} AND l.retracted_at IS NULL), 0))`;
}

const LEVELS = { public: 0, internal: 1, restricted: 2, secret: 3 } as const;

const INCIDENT_SCHEMATA = schemaAndDescendants("Incident");
export const PLACE_SCHEMATA = schemaAndDescendants("Address");
/** The properties that date an incident: FtM's temporal extent of the schema (date, startDate, endDate). */
const incident = findSchema("Incident")!;
export const DATE_PROPERTIES = [...new Set([...incident.temporalStart, ...incident.temporalEnd])];

/** The first and last day an incident's readable dates can mean, for `alias`. */
export function spanOf(actor: Actor, alias: string, end: "earliest" | "latest"): Fragment {
  const column = end === "earliest" ? sql`min(d.date_earliest)` : sql`max(d.date_latest)`;
  return sql`(SELECT ${column} FROM statements d WHERE d.entity_id = ${sql.ref(`${alias}.id`)} AND d.property = ANY(${DATE_PROPERTIES}::text[]) AND d.retracted_at IS NULL AND d.date_earliest IS NOT NULL AND ${readable(actor, "d", alias)})`;
}

/** The conditions on incident `i` (a live Incident the actor may know of, matching the filter). */
export function incidentConditions(actor: Actor, filter: MapFilter, options: { places?: boolean } = {}): Fragment {
  const parts: Fragment[] = [sql`i.schema = ANY(${INCIDENT_SCHEMATA}::text[])`, knownLive(actor, "i")];
  if (filter.violation.length > 0) {
    parts.push(sql`EXISTS (SELECT 1 FROM statements v WHERE v.entity_id = i.id AND v.property = 'violation' AND v.retracted_at IS NULL AND v.value = ANY(${filter.violation}::text[]) AND ${readable(actor, "v", "i")})`);
  }
  if (filter.from) parts.push(sql`${spanOf(actor, "i", "latest")} >= ${filter.from.earliest}`);
  if (filter.to) parts.push(sql`${spanOf(actor, "i", "earliest")} <= ${filter.to.latest}`);
  if (filter.sensitivity.length > 0) parts.push(sql`${levelOf(actor, "i")} = ANY(${filter.sensitivity.map((s) => LEVELS[s])}::int[])`);
  if (options.places !== false && filter.place.length > 0) {
    parts.push(sql`EXISTS (SELECT 1 FROM statements pf WHERE pf.entity_id = i.id AND pf.property = 'place' AND pf.retracted_at IS NULL AND pf.ref_id = ANY(${filter.place}::uuid[]) AND ${readable(actor, "pf", "i")})`);
  }
  return sql.join(parts, sql` AND `);
}

export interface PlaceRow {
  id: string;
  lat: number;
  lon: number;
  /** Incidents matching the filter at this place. */
  n: number;
}

/**
 * One batch of places with coordinates, by id after `after`: the places the actor may know of,
 * each with the number of matching incidents there. Incidents an actor may not know of, or whose
 * link to the place is a restricted value it may not read, are not counted.
 */
export function placesBatch(actor: Actor, filter: MapFilter, after: string, size: number, box?: { west: number; south: number; east: number; north: number }): RawBuilder<PlaceRow> {
  const conditions: Fragment[] = [sql`p.schema = ANY(${PLACE_SCHEMATA}::text[])`, knownLive(actor, "p"), sql`p.id > ${after}`];
  if (filter.place.length > 0) conditions.push(sql`p.id = ANY(${filter.place}::uuid[])`);
  if (filter.kind === "places" && filter.sensitivity.length > 0) conditions.push(sql`${levelOf(actor, "p")} = ANY(${filter.sensitivity.map((s) => LEVELS[s])}::int[])`);
  const located: Fragment[] = [sql`c.lat IS NOT NULL`, sql`c.lon IS NOT NULL`];
  if (box) located.push(sql`c.lat BETWEEN ${box.south} AND ${box.north}`, sql`c.lon BETWEEN ${box.west} AND ${box.east}`);
  // For the places layer, the count is of every incident there the actor may know of, unfiltered.
  const counted = filter.kind === "places" ? { ...filter, violation: [], from: undefined, to: undefined, sensitivity: [], place: [] } : filter;
  return sql<PlaceRow>`
    SELECT q.id, q.lat, q.lon,
      (SELECT count(DISTINCT i.id)::int FROM statements ps JOIN entities i ON i.id = ps.entity_id
        WHERE ps.ref_id = q.id AND ps.property = 'place' AND ps.retracted_at IS NULL AND ${readable(actor, "ps", "i")} AND ${incidentConditions(actor, counted, { places: false })}) AS n
    FROM (
      SELECT p.id, c.lat, c.lon FROM entities p
      CROSS JOIN LATERAL (SELECT ${firstCoordinate(actor, "latitude")} AS lat, ${firstCoordinate(actor, "longitude")} AS lon) c
      WHERE ${sql.join(conditions, sql` AND `)} AND ${sql.join(located, sql` AND `)}
      ORDER BY p.id LIMIT ${size}
    ) q
    ORDER BY q.id`;
}

export interface IncidentAtRow {
  incident: string;
  place: string;
  lat: number;
  lon: number;
}

/** Matching incidents at the given places (or at places in a box), a page at a time, by (incident, place). */
export function incidentsAt(actor: Actor, filter: MapFilter, where: { box?: { west: number; south: number; east: number; north: number }; places?: string[] }, after: [string, string] | null, limit: number): RawBuilder<IncidentAtRow> {
  const conditions: Fragment[] = [sql`p.schema = ANY(${PLACE_SCHEMATA}::text[])`, knownLive(actor, "p"), sql`c.lat IS NOT NULL`, sql`c.lon IS NOT NULL`, incidentConditions(actor, filter)];
  if (where.box) conditions.push(sql`c.lat BETWEEN ${where.box.south} AND ${where.box.north}`, sql`c.lon BETWEEN ${where.box.west} AND ${where.box.east}`);
  if (where.places) conditions.push(sql`p.id = ANY(${where.places}::uuid[])`);
  if (after) conditions.push(sql`(i.id, p.id) > (${after[0]}::uuid, ${after[1]}::uuid)`);
  return sql<IncidentAtRow>`
    SELECT i.id AS incident, p.id AS place, c.lat, c.lon
    FROM entities p
    CROSS JOIN LATERAL (SELECT ${firstCoordinate(actor, "latitude")} AS lat, ${firstCoordinate(actor, "longitude")} AS lon) c
    JOIN statements ps ON ps.ref_id = p.id AND ps.property = 'place' AND ps.retracted_at IS NULL
    JOIN entities i ON i.id = ps.entity_id AND ${readable(actor, "ps", "i")}
    WHERE ${sql.join(conditions, sql` AND `)}
    GROUP BY i.id, p.id, c.lat, c.lon
    ORDER BY i.id, p.id
    LIMIT ${limit}`;
}

export interface TimelineRow {
  id: string;
  earliest: string | null;
  latest: string | null;
}

/** Sort key of an undated incident: after every date (YYYY-MM-DD sorts as text; "~" after digits). */
export const UNDATED = "~";

/** Matching incidents in order of their earliest, then latest day, undated ones last; a page after a cursor. */
export function timelinePage(actor: Actor, filter: MapFilter, after: [string, string, string] | null, limit: number): RawBuilder<TimelineRow> {
  const cursor = after ? sql`AND (t.k1, t.k2, t.id) > (${after[0]}, ${after[1]}, ${after[2]}::uuid)` : sql``;
  return sql<TimelineRow>`
    SELECT t.id, t.earliest, t.latest FROM (
      SELECT i.id, s.earliest, s.latest, COALESCE(s.earliest, ${UNDATED}) AS k1, COALESCE(s.latest, ${UNDATED}) AS k2
      FROM entities i
      CROSS JOIN LATERAL (SELECT ${spanOf(actor, "i", "earliest")} AS earliest, ${spanOf(actor, "i", "latest")} AS latest) s
      WHERE ${incidentConditions(actor, filter)}
    ) t
    WHERE true ${cursor}
    ORDER BY t.k1, t.k2, t.id
    LIMIT ${limit}`;
}
