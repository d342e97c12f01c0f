// What the map and the timeline are asked: the same filters as the list pages and search (violation
// types, places, sensitivity) plus a date range, a view (centre and zoom) or a box. Parsed once,
// here, for the pages and the API alike: anything malformed or out of range is refused (422) with
// the field named, never silently ignored.
import { z } from "zod";
import { parseEdtf } from "../core/index.ts";
import { SENSITIVITIES } from "../records/index.ts";
import { MAX_CLUSTER_ZOOM, MAX_LATITUDE } from "../../client/map.core.js";

const MAX_FILTER_VALUES = 20;

/** A query string parameter given once is a string, given several times an array: both are lists here. */
const list = <T extends z.ZodType>(item: T) =>
  z.preprocess((v) => (v === undefined || v === "" ? [] : Array.isArray(v) ? v.filter((x) => x !== "") : [v]), z.array(item).max(MAX_FILTER_VALUES, `at most ${MAX_FILTER_VALUES} values`));

/** One value: the first when a parameter is repeated; an empty form field is no value. */
const one = <T extends z.ZodType>(item: T) => z.preprocess((v) => (Array.isArray(v) ? v[0] : v === "" ? undefined : v), item.optional());

const number = (min: number, max: number, message: string) =>
  z.preprocess((v) => (typeof v === "string" && /^\s*-?\d+(\.\d+)?\s*$/.test(v) ? Number(v) : v), z.number(message).min(min, message).max(max, message));

const EdtfBound = z.string().max(64).transform((value, ctx) => {
  const date = parseEdtf(value);
  if (!date.ok) {
    ctx.addIssue({ code: "custom", message: "not an EDTF date (2017, 2017-06, 2017-06-30…)" });
    return z.NEVER;
  }
  return { text: date.value.text, earliest: date.value.earliest, latest: date.value.latest };
});

export const MAP_KINDS = ["incidents", "places"] as const;
export type MapKind = (typeof MAP_KINDS)[number];

const filterShape = {
  kind: one(z.enum(MAP_KINDS, "incidents or places")).transform((v) => v ?? "incidents"),
  /** Incidents whose dates reach into [from, to]: an EDTF value each, its earliest and latest day used. */
  from: one(EdtfBound),
  to: one(EdtfBound),
  violation: list(z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/, "not a vocabulary code")),
  place: list(z.uuid("not the id of a record")),
  sensitivity: list(z.enum(SENSITIVITIES, "public, internal, restricted or secret")),
};

/** Unknown parameters are refused, not ignored: a misspelt filter must not silently show everything. */
const strict = { error: (issue: { code?: string }) => (issue.code === "unrecognized_keys" ? "an unknown parameter" : undefined) };

export const MapFilterSchema = z.strictObject(filterShape, strict).refine((f) => !f.from || !f.to || f.from.earliest <= f.to.latest, { message: "must not be before the first date", path: ["to"] });
export type MapFilter = z.output<typeof MapFilterSchema>;

// The map's own edge is at ±85.05° (Web Mercator); the message rounds it.
const latitude = number(-MAX_LATITUDE, MAX_LATITUDE, "a latitude between -85 and 85");
const longitude = number(-180, 180, "a longitude between -180 and 180");

/**
 * A box west,south,east,north in degrees (what is at one spot, or in one cluster). West may be
 * greater than east only across the antimeridian, which the map does not draw: refused.
 */
const BoxSchema = z
  .string()
  .max(200)
  .transform((value, ctx) => {
    const parts = value.split(",").map((p) => p.trim());
    const numbers = parts.map((p) => (/^-?\d+(\.\d+)?$/.test(p) ? Number(p) : NaN));
    if (numbers.length !== 4 || numbers.some((n) => Number.isNaN(n))) {
      ctx.addIssue({ code: "custom", message: "four numbers: west,south,east,north" });
      return z.NEVER;
    }
    const [west, south, east, north] = numbers as [number, number, number, number];
    if (west < -180 || east > 180 || south < -90 || north > 90) {
      ctx.addIssue({ code: "custom", message: "longitudes between -180 and 180, latitudes between -90 and 90" });
      return z.NEVER;
    }
    if (west > east || south > north) {
      ctx.addIssue({ code: "custom", message: "west must not exceed east, nor south north" });
      return z.NEVER;
    }
    return { west, south, east, north };
  });
export type Box = z.output<typeof BoxSchema>;

/** The map page: filters, and the view (centre and zoom) or a box whose incidents are listed. */
export const MapPageSchema = z
  .strictObject({
    ...filterShape,
    lat: one(latitude),
    lon: one(longitude),
    z: one(number(0, MAX_CLUSTER_ZOOM, `a zoom between 0 and ${MAX_CLUSTER_ZOOM}`)),
    /** A region of the basemap (Natural Earth's adm1_code, such as CHN-1756): its incidents are listed. */
    region: one(z.string().regex(/^[A-Z]{3}(-[0-9]{1,6}|\+00\?)$/, "not a region of the basemap")),
    bbox: one(BoxSchema),
    cursor: one(z.string().max(200)),
  }, strict)
  .refine((f) => (f.lat === undefined) === (f.lon === undefined), { message: "give both lat and lon, or neither", path: ["lon"] })
  .refine((f) => !f.from || !f.to || f.from.earliest <= f.to.latest, { message: "must not be before the first date", path: ["to"] });
export type MapPageQuery = z.output<typeof MapPageSchema>;

const limit = z.coerce.number("a number from 1 to 200").int("a number from 1 to 200").min(1, "a number from 1 to 200").max(200, "a number from 1 to 200");

/** GET /api/v1/map/incidents: what lies in a box, a page at a time. */
export const MapListSchema = z
  .strictObject({ ...filterShape, bbox: one(BoxSchema), cursor: one(z.string().max(200)), limit: one(limit).transform((v) => v ?? 50) }, strict)
  .refine((f) => f.bbox !== undefined, { message: "say which box: bbox=west,south,east,north", path: ["bbox"] })
  .refine((f) => !f.from || !f.to || f.from.earliest <= f.to.latest, { message: "must not be before the first date", path: ["to"] });
export type MapListQuery = z.output<typeof MapListSchema>;

/** The timeline: filters, and where the page starts. */
export const TimelineSchema = z
  .strictObject({ ...filterShape, cursor: one(z.string().max(200)), limit: one(limit).transform((v) => v ?? 50) }, strict)
  .refine((f) => !f.from || !f.to || f.from.earliest <= f.to.latest, { message: "must not be before the first date", path: ["to"] });
export type TimelineQuery = z.output<typeof TimelineSchema>;

/** The filter part of any of the above, for the points query. */
export function filterOf(query: MapFilter | MapPageQuery | MapListQuery | TimelineQuery): MapFilter {
  return { kind: query.kind, from: query.from, to: query.to, violation: query.violation, place: query.place, sensitivity: query.sensitivity };
}

/** The filter as query string parameters, as the forms and links carry it. */
export function filterParams(filter: MapFilter): URLSearchParams {
  const params = new URLSearchParams();
  if (filter.kind !== "incidents") params.set("kind", filter.kind);
  if (filter.from) params.set("from", filter.from.text);
  if (filter.to) params.set("to", filter.to.text);
  for (const v of filter.violation) params.append("violation", v);
  for (const p of filter.place) params.append("place", p);
  for (const s of filter.sensitivity) params.append("sensitivity", s);
  return params;
}
