// The map's worker: fetches the points (GET /api/v1/map/points, the page's filters), projects them
// and builds every zoom level of clusters, off the page's thread so that 100,000 points never
// freeze it. It hands back typed arrays, transferred, not copied.
/* global self, performance */
import { buildClusterIndex, project } from "./map.core.js";

self.addEventListener("message", async (event) => {
  try {
    const started = performance.now();
    const response = await fetch(event.data.url, { credentials: "same-origin", headers: { accept: "application/json" } });
    if (!response.ok) throw new Error(`the points could not be read (${response.status})`);
    const data = await response.json();
    const fetched = performance.now();
    const values = data.points;
    const n = values.length / 3;
    const xs = new Float64Array(n);
    const ys = new Float64Array(n);
    const weights = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const [x, y] = project(values[3 * i + 1] / data.precision, values[3 * i] / data.precision);
      xs[i] = x;
      ys[i] = y;
      // The places layer counts places; the incidents layer counts incidents.
      weights[i] = data.kind === "places" ? 1 : values[3 * i + 2];
    }
    const index = buildClusterIndex(xs, ys, weights, { radius: event.data.radius });
    const buffers = index.levels.flatMap((level) => Object.values(level).map((array) => array.buffer));
    self.postMessage(
      { index, places: data.places, incidents: data.incidents, timings: { fetch: fetched - started, cluster: performance.now() - fetched } },
      buffers,
    );
  } catch (error) {
    self.postMessage({ error: String(error && error.message ? error.message : error) });
  }
});
