// The basemap Vigil ships (src/map/basemap.json, built from Natural Earth by basemap-build.ts):
// what the browser is sent, which first-level region a point lies in, and the map drawn as SVG
// paths for the pages that work without JavaScript.
import { readFileSync } from "node:fs";
import { createHash } from "node:crypto";
import { gzipSync } from "node:zlib";
import { decodeArc, project, ringOf, TILE_SIZE } from "../../client/map.core.js";

interface BasemapFile {
  format: string;
  attribution: string;
  precision: number;
  arcs: number[][];
  countries: { name: string; polygons: number[][][] }[];
  regions: { id: string; code: string; country: string; name: string; names: Record<string, string>; label: [number, number]; polygons: number[][][] }[];
  internal: number[];
}

export interface Region {
  id: string;
  /** ISO 3166-2 where Natural Earth has it. */
  code: string;
  /** ISO 3166-1 alpha-2 of its country. */
  country: string;
  name: string;
  /** The name in other languages, by language code (zh). */
  names: Record<string, string>;
}

interface Ring {
  /** Longitude, latitude pairs. */
  points: Float64Array;
  minLon: number;
  minLat: number;
  maxLon: number;
  maxLat: number;
}

interface ProjectedRing {
  /** World coordinates (0–1), x then y. */
  points: Float64Array;
  minX: number;
  minY: number;
  maxX: number;
  maxY: number;
}

interface Loaded {
  file: BasemapFile;
  regions: Region[];
  regionRings: Ring[][][];
  /** Region indexes by 2° cell of longitude and latitude. */
  grid: Map<number, number[]>;
  land: ProjectedRing[];
  inner: ProjectedRing[];
}

const FILE = new URL("./basemap.json", import.meta.url);
const CELL_DEGREES = 2;

let loaded: Loaded | null = null;

function boxOf<T extends { points: Float64Array }>(points: Float64Array, make: (points: Float64Array, box: [number, number, number, number]) => T): T {
  let minA = Infinity;
  let minB = Infinity;
  let maxA = -Infinity;
  let maxB = -Infinity;
  for (let i = 0; i < points.length; i += 2) {
    const a = points[i]!;
    const b = points[i + 1]!;
    if (a < minA) minA = a;
    if (a > maxA) maxA = a;
    if (b < minB) minB = b;
    if (b > maxB) maxB = b;
  }
  return make(points, [minA, minB, maxA, maxB]);
}

function projected(lonLat: Float64Array): ProjectedRing {
  const points = new Float64Array(lonLat.length);
  for (let i = 0; i < lonLat.length; i += 2) {
    const [x, y] = project(lonLat[i]!, lonLat[i + 1]!);
    points[i] = x;
    points[i + 1] = y;
  }
  return boxOf(points, (p, [minX, minY, maxX, maxY]) => ({ points: p, minX, minY, maxX, maxY }));
}

/** Read and decoded once, on first use: about 170,000 points. */
function basemap(): Loaded {
  if (loaded) return loaded;
  const file = JSON.parse(readFileSync(FILE, "utf8")) as BasemapFile;
  const arcs = file.arcs.map((a) => decodeArc(a, file.precision));
  const regionRings = file.regions.map((r) =>
    r.polygons.map((rings) => rings.map((refs) => boxOf(ringOf(refs, arcs), (points, [minLon, minLat, maxLon, maxLat]) => ({ points, minLon, minLat, maxLon, maxLat })))),
  );
  const grid = new Map<number, number[]>();
  regionRings.forEach((polygons, index) => {
    const rings = polygons.flat();
    if (rings.length === 0) return;
    const minLon = Math.min(...rings.map((r) => r.minLon));
    const maxLon = Math.max(...rings.map((r) => r.maxLon));
    const minLat = Math.min(...rings.map((r) => r.minLat));
    const maxLat = Math.max(...rings.map((r) => r.maxLat));
    for (let cx = Math.floor(minLon / CELL_DEGREES); cx <= Math.floor(maxLon / CELL_DEGREES); cx++) {
      for (let cy = Math.floor(minLat / CELL_DEGREES); cy <= Math.floor(maxLat / CELL_DEGREES); cy++) {
        const key = cellKey(cx, cy);
        const list = grid.get(key);
        if (list) list.push(index);
        else grid.set(key, [index]);
      }
    }
  });
  loaded = {
    file,
    regions: file.regions.map(({ id, code, country, name, names }) => ({ id, code, country, name, names })),
    regionRings,
    grid,
    land: file.countries.flatMap((c) => c.polygons.flatMap((rings) => rings.map((refs) => projected(ringOf(refs, arcs))))),
    inner: file.internal.map((i) => projected(arcs[i]!)),
  };
  return loaded;
}

function cellKey(cx: number, cy: number): number {
  return (cx + 200) * 1000 + (cy + 200);
}

// ---------------------------------------------------------------------------------------------
// What the browser is sent

export interface ClientBasemap {
  json: Buffer;
  gzip: Buffer;
  etag: string;
}

let client: ClientBasemap | null = null;

/** The part the browser draws: countries, and the inner borders between regions of a country; arcs renumbered. */
export function clientBasemap(): ClientBasemap {
  if (client) return client;
  const { file } = basemap();
  const used = new Map<number, number>();
  const arcs: number[][] = [];
  const renumber = (ref: number) => {
    const index = ref < 0 ? ~ref : ref;
    let to = used.get(index);
    if (to === undefined) {
      to = arcs.length;
      used.set(index, to);
      arcs.push(file.arcs[index]!);
    }
    return ref < 0 ? ~to : to;
  };
  const countries = file.countries.map((c) => c.polygons.map((rings) => rings.map((ring) => ring.map(renumber))));
  const internal = file.internal.map(renumber);
  const json = Buffer.from(JSON.stringify({ format: file.format, attribution: file.attribution, precision: file.precision, arcs, countries, internal }));
  client = { json, gzip: gzipSync(json, { level: 9 }), etag: `"${createHash("sha256").update(json).digest("base64url").slice(0, 22)}"` };
  return client;
}

export function basemapAttribution(): string {
  return basemap().file.attribution;
}

// ---------------------------------------------------------------------------------------------
// Regions

function inRing(ring: Ring, lon: number, lat: number): boolean {
  if (lon < ring.minLon || lon > ring.maxLon || lat < ring.minLat || lat > ring.maxLat) return false;
  const p = ring.points;
  let inside = false;
  for (let i = 0, j = p.length - 2; i < p.length; j = i, i += 2) {
    const xi = p[i]!;
    const yi = p[i + 1]!;
    const xj = p[j]!;
    const yj = p[j + 1]!;
    if (yi > lat !== yj > lat && lon < ((xj - xi) * (lat - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

/**
 * The first-level region a point lies in, or null (at sea, or in a region too small to survive the
 * basemap's simplification). Borders are those of the simplified basemap, about a kilometre off.
 */
export function regionAt(lon: number, lat: number): Region | null {
  const map = basemap();
  for (const index of map.grid.get(cellKey(Math.floor(lon / CELL_DEGREES), Math.floor(lat / CELL_DEGREES))) ?? []) {
    // Even-odd over a polygon's rings: a hole takes its area back out.
    for (const rings of map.regionRings[index]!) {
      let inside = false;
      for (const ring of rings) if (inRing(ring, lon, lat)) inside = !inside;
      if (inside) return map.regions[index]!;
    }
  }
  return null;
}

export function findRegion(id: string): Region | null {
  return basemap().regions.find((r) => r.id === id) ?? null;
}

// ---------------------------------------------------------------------------------------------
// SVG paths for a view

/** A view of the map: the world coordinates at its top-left corner, its zoom, its size in pixels. */
export interface View {
  x: number;
  y: number;
  zoom: number;
  width: number;
  height: number;
}

export function worldScale(zoom: number): number {
  return TILE_SIZE * 2 ** zoom;
}

/** Sutherland–Hodgman: a ring of pixel coordinates cut to a rectangle (here the view with a margin). */
function clipRing(points: number[], minX: number, minY: number, maxX: number, maxY: number): number[] {
  const edges: [(x: number, y: number) => boolean, (ax: number, ay: number, bx: number, by: number) => [number, number]][] = [
    [(x) => x >= minX, (ax, ay, bx, by) => [minX, ay + ((by - ay) * (minX - ax)) / (bx - ax)]],
    [(x) => x <= maxX, (ax, ay, bx, by) => [maxX, ay + ((by - ay) * (maxX - ax)) / (bx - ax)]],
    [(_, y) => y >= minY, (ax, ay, bx, by) => [ax + ((bx - ax) * (minY - ay)) / (by - ay), minY]],
    [(_, y) => y <= maxY, (ax, ay, bx, by) => [ax + ((bx - ax) * (maxY - ay)) / (by - ay), maxY]],
  ];
  let input = points;
  for (const [inside, cross] of edges) {
    if (input.length === 0) break;
    const output: number[] = [];
    for (let i = 0; i < input.length; i += 2) {
      const cx = input[i]!;
      const cy = input[i + 1]!;
      const j = (i + input.length - 2) % input.length;
      const px = input[j]!;
      const py = input[j + 1]!;
      const cin = inside(cx, cy);
      const pin = inside(px, py);
      if (cin) {
        if (!pin) output.push(...cross(px, py, cx, cy));
        output.push(cx, cy);
      } else if (pin) output.push(...cross(px, py, cx, cy));
    }
    input = output;
  }
  return input;
}

/** A pair of numbers as SVG path data writes them: a minus sign separates as well as a space. */
function pair(a: number, b: number): string {
  return `${a}${b < 0 ? "" : " "}${b}`;
}

/**
 * Path data of the points in whole pixels, relative after the first (`M10 20l2-1 3 4`), a point
 * within a pixel of the last one kept dropped.
 */
function pathOf(points: number[], close: boolean): string {
  let d = "";
  let lx = 0;
  let ly = 0;
  let kept = 0;
  for (let i = 0; i < points.length; i += 2) {
    const x = Math.round(points[i]!);
    const y = Math.round(points[i + 1]!);
    if (kept > 0 && Math.abs(x - lx) <= 1 && Math.abs(y - ly) <= 1 && i < points.length - 2) continue;
    if (kept === 0) d = `M${pair(x, y)}l`;
    else d += `${kept > 1 && x - lx >= 0 ? " " : ""}${pair(x - lx, y - ly)}`;
    lx = x;
    ly = y;
    kept++;
  }
  if (kept < (close ? 3 : 2)) return "";
  return close ? `${d}z` : d;
}

export interface BasemapPaths {
  land: string;
  inner: string;
}

const pathCache = new Map<string, BasemapPaths>();
const PATH_CACHE_SIZE = 64;

/** The land (countries) and the inner borders of regions in a view, as SVG path data in its pixels. */
export function basemapPaths(view: View): BasemapPaths {
  const key = `${view.x.toFixed(6)}/${view.y.toFixed(6)}/${view.zoom.toFixed(3)}/${view.width}x${view.height}`;
  const cached = pathCache.get(key);
  if (cached) return cached;
  const map = basemap();
  const scale = worldScale(view.zoom);
  const margin = 4 / scale;
  const minX = view.x - margin;
  const minY = view.y - margin;
  const maxX = view.x + view.width / scale + margin;
  const maxY = view.y + view.height / scale + margin;
  const toPixels = (ring: ProjectedRing) => {
    const out = new Array<number>(ring.points.length);
    for (let i = 0; i < ring.points.length; i += 2) {
      out[i] = (ring.points[i]! - view.x) * scale;
      out[i + 1] = (ring.points[i + 1]! - view.y) * scale;
    }
    return out;
  };
  const overlaps = (r: ProjectedRing) => r.maxX >= minX && r.minX <= maxX && r.maxY >= minY && r.minY <= maxY;
  const pixelMargin = 4;
  let land = "";
  for (const ring of map.land) {
    if (!overlaps(ring)) continue;
    // A ring smaller than a pixel is not drawn.
    if ((ring.maxX - ring.minX) * scale < 1 && (ring.maxY - ring.minY) * scale < 1) continue;
    land += pathOf(clipRing(toPixels(ring), -pixelMargin, -pixelMargin, view.width + pixelMargin, view.height + pixelMargin), true);
  }
  let inner = "";
  // Inner borders only once a region is big enough on screen to matter.
  if (view.zoom >= 2.5) {
    for (const arc of map.inner) {
      if (!overlaps(arc)) continue;
      const px = toPixels(arc);
      let run: number[] = [];
      const flush = () => {
        if (run.length >= 4) inner += pathOf(run, false);
        run = [];
      };
      for (let i = 0; i < px.length - 2; i += 2) {
        const ax = px[i]!;
        const ay = px[i + 1]!;
        const bx = px[i + 2]!;
        const by = px[i + 3]!;
        const visible = Math.max(ax, bx) >= -pixelMargin && Math.min(ax, bx) <= view.width + pixelMargin && Math.max(ay, by) >= -pixelMargin && Math.min(ay, by) <= view.height + pixelMargin;
        if (visible) {
          if (run.length === 0) run.push(ax, ay);
          run.push(bx, by);
        } else flush();
      }
      flush();
    }
  }
  const paths = { land, inner };
  if (pathCache.size >= PATH_CACHE_SIZE) pathCache.delete(pathCache.keys().next().value!);
  pathCache.set(key, paths);
  return paths;
}
