// The map's pure core, shared by the browser (client/map.js and its worker) and the server
// (src/map, for the map drawn without JavaScript): the projection, the basemap's arcs, and the
// clustering. No DOM, no I/O. Types: client/map.core.d.ts.

/** Web Mercator stops short of the poles; beyond this latitude points are drawn on the edge. */
export const MAX_LATITUDE = 85.0511287798;
/** Pixels of the whole world at zoom 0; each zoom level doubles it. */
export const TILE_SIZE = 256;
/** The deepest zoom with clusters of its own; closer than this, its clusters are shown. */
export const MAX_CLUSTER_ZOOM = 16;

/** Longitude and latitude in degrees → world coordinates, 0 to 1 from west to east and north to south. */
export function project(lon, lat) {
  const clamped = Math.max(-MAX_LATITUDE, Math.min(MAX_LATITUDE, lat));
  const sin = Math.sin((clamped * Math.PI) / 180);
  return [(lon + 180) / 360, 0.5 - Math.log((1 + sin) / (1 - sin)) / (4 * Math.PI)];
}

/** World coordinates → longitude and latitude in degrees. */
export function unproject(x, y) {
  const lat = (Math.atan(Math.sinh(Math.PI * (1 - 2 * y))) * 180) / Math.PI;
  return [x * 360 - 180, lat];
}

/** One arc of the basemap, delta-encoded hundredths of a degree → [lon, lat, lon, lat, …] in degrees. */
export function decodeArc(arc, precision) {
  const out = new Float64Array(arc.length);
  let x = 0;
  let y = 0;
  for (let i = 0; i < arc.length; i += 2) {
    x += arc[i];
    y += arc[i + 1];
    out[i] = x / precision;
    out[i + 1] = y / precision;
  }
  return out;
}

/** The points of a ring given as arc references (~i: arc i backwards), each junction once. */
export function ringOf(refs, arcs) {
  const parts = [];
  let length = 0;
  for (const ref of refs) {
    const arc = arcs[ref < 0 ? ~ref : ref];
    parts.push([arc, ref < 0]);
    length += arc.length - 2;
  }
  const out = new Float64Array(Math.max(length, 0));
  let at = 0;
  for (const [arc, backwards] of parts) {
    const points = arc.length / 2;
    // The last point of each arc is the first of the next: written once.
    for (let k = 0; k < points - 1; k++) {
      const i = backwards ? points - 1 - k : k;
      out[at++] = arc[2 * i];
      out[at++] = arc[2 * i + 1];
    }
  }
  return out;
}

/**
 * Hierarchical grid clustering. Points (world coordinates, with a weight: the incidents at that
 * place) are binned into cells of `radius` pixels at the deepest zoom; each shallower zoom bins the
 * clusters of the one below by their centre. A level holds, per cluster: its centre, its weight,
 * how many points it holds, and the box around them (to zoom to it, or list what is there).
 * Built bottom-up, each level from the one below, so a cluster is the union of clusters beneath it.
 */
export function buildClusterIndex(xs, ys, weights, options = {}) {
  const radius = options.radius ?? 48;
  const maxZoom = options.maxZoom ?? MAX_CLUSTER_ZOOM;
  // The server draws one zoom only: it asks for that level alone (shallower ones are left undefined).
  const minZoom = options.minZoom ?? 0;
  const n = xs.length;
  let below = {
    x: Float64Array.from(xs),
    y: Float64Array.from(ys),
    weight: Float64Array.from(weights),
    count: new Uint32Array(n).fill(1),
    minX: Float64Array.from(xs),
    minY: Float64Array.from(ys),
    maxX: Float64Array.from(xs),
    maxY: Float64Array.from(ys),
  };
  const levels = new Array(maxZoom + 1);
  for (let z = maxZoom; z >= minZoom; z--) {
    const cell = radius / (TILE_SIZE * 2 ** z);
    const columns = Math.ceil(1 / cell) + 1;
    const slot = new Map();
    const size = below.x.length;
    const x = new Float64Array(size);
    const y = new Float64Array(size);
    const weight = new Float64Array(size);
    const count = new Uint32Array(size);
    const minX = new Float64Array(size);
    const minY = new Float64Array(size);
    const maxX = new Float64Array(size);
    const maxY = new Float64Array(size);
    let clusters = 0;
    for (let i = 0; i < size; i++) {
      const key = Math.floor(below.x[i] / cell) * columns + Math.floor(below.y[i] / cell);
      let c = slot.get(key);
      const points = below.count[i];
      if (c === undefined) {
        c = clusters++;
        slot.set(key, c);
        minX[c] = below.minX[i];
        minY[c] = below.minY[i];
        maxX[c] = below.maxX[i];
        maxY[c] = below.maxY[i];
      } else {
        if (below.minX[i] < minX[c]) minX[c] = below.minX[i];
        if (below.minY[i] < minY[c]) minY[c] = below.minY[i];
        if (below.maxX[i] > maxX[c]) maxX[c] = below.maxX[i];
        if (below.maxY[i] > maxY[c]) maxY[c] = below.maxY[i];
      }
      // Centres are weighted by points, so a cluster sits where its places are.
      x[c] += below.x[i] * points;
      y[c] += below.y[i] * points;
      count[c] += points;
      weight[c] += below.weight[i];
    }
    for (let c = 0; c < clusters; c++) {
      x[c] /= count[c];
      y[c] /= count[c];
    }
    // A grid parts neighbours that straddle a cell's edge: a cluster takes in those of the eight
    // cells around it whose centre is within half a cell of its own (each cluster merges once).
    const into = new Int32Array(clusters).fill(-1);
    const near = (cell / 2) ** 2;
    for (const [key, c] of slot) {
      if (into[c] !== -1) continue;
      const cx = Math.floor(key / columns);
      const cy = key - cx * columns;
      for (let dx = -1; dx <= 1; dx++) {
        for (let dy = -1; dy <= 1; dy++) {
          const d = slot.get((cx + dx) * columns + (cy + dy));
          if (d === undefined || d === c || into[d] !== -1 || d < c) continue;
          if ((x[d] - x[c]) ** 2 + (y[d] - y[c]) ** 2 > near) continue;
          into[d] = c;
          const total = count[c] + count[d];
          x[c] = (x[c] * count[c] + x[d] * count[d]) / total;
          y[c] = (y[c] * count[c] + y[d] * count[d]) / total;
          count[c] = total;
          weight[c] += weight[d];
          if (minX[d] < minX[c]) minX[c] = minX[d];
          if (minY[d] < minY[c]) minY[c] = minY[d];
          if (maxX[d] > maxX[c]) maxX[c] = maxX[d];
          if (maxY[d] > maxY[c]) maxY[c] = maxY[d];
        }
      }
    }
    const kept = [];
    for (let c = 0; c < clusters; c++) if (into[c] === -1) kept.push(c);
    const pick = (array, Type) => Type.from(kept, (c) => array[c]);
    below = {
      x: pick(x, Float64Array),
      y: pick(y, Float64Array),
      weight: pick(weight, Float64Array),
      count: pick(count, Uint32Array),
      minX: pick(minX, Float64Array),
      minY: pick(minY, Float64Array),
      maxX: pick(maxX, Float64Array),
      maxY: pick(maxY, Float64Array),
    };
    levels[z] = below;
  }
  return { radius, maxZoom, levels };
}

/** The level of clusters to show at a zoom (fractional zooms show the level below them). */
export function levelFor(index, zoom) {
  return index.levels[Math.max(0, Math.min(index.maxZoom, Math.floor(zoom)))];
}

/** Indexes of the level's clusters whose centre lies in the box (world coordinates). */
export function clustersIn(level, minX, minY, maxX, maxY) {
  const out = [];
  for (let i = 0; i < level.x.length; i++) {
    const x = level.x[i];
    const y = level.y[i];
    if (x >= minX && x <= maxX && y >= minY && y <= maxY) out.push(i);
  }
  return out;
}

/** Whether every point of a cluster is at one spot: zooming further would not part them. */
export function isOneSpot(level, i) {
  return level.maxX[i] - level.minX[i] < 1e-12 && level.maxY[i] - level.minY[i] < 1e-12;
}

/** The zoom at which a box of world coordinates fills a view of width × height pixels. */
export function zoomToFit(minX, minY, maxX, maxY, width, height, maxZoom) {
  const spanX = Math.max(maxX - minX, 1e-9);
  const spanY = Math.max(maxY - minY, 1e-9);
  const zoom = Math.log2(Math.min(width / (spanX * TILE_SIZE), height / (spanY * TILE_SIZE)));
  return Math.max(0, Math.min(maxZoom, zoom));
}
