import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { buildClusterIndex, clustersIn, decodeArc, isOneSpot, levelFor, MAX_CLUSTER_ZOOM, project, ringOf, unproject, zoomToFit } from "../../client/map.core.js";

/** A deterministic generator, so that a failure can be replayed. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const close = (a: number, b: number, epsilon = 1e-9) => Math.abs(a - b) <= epsilon;

describe("the map's projection", () => {
  it("puts the equator and the prime meridian in the middle, and the edges where Web Mercator has them", () => {
    assert.deepEqual(project(0, 0), [0.5, 0.5]);
    const [x0, y0] = project(-180, 85.0511287798);
    assert.ok(close(x0, 0) && close(y0, 0, 1e-9));
    const [x1, y1] = project(180, -85.0511287798);
    assert.ok(close(x1, 1) && close(y1, 1, 1e-9));
  });

  it("clamps latitudes beyond the map's edge instead of going to infinity", () => {
    assert.deepEqual(project(10, 90), project(10, 89));
    assert.ok(Number.isFinite(project(10, -90)[1]));
  });

  it("goes back and forth between degrees and the world's coordinates", () => {
    const next = random(1);
    for (let i = 0; i < 200; i++) {
      const lon = next() * 360 - 180;
      const lat = next() * 170 - 85;
      const [x, y] = project(lon, lat);
      const [lon2, lat2] = unproject(x, y);
      assert.ok(close(lon, lon2, 1e-9) && close(lat, lat2, 1e-9), `${lon},${lat}`);
    }
  });

  it("fits a box to a view: a quarter of the world across 1024 pixels is zoom 4", () => {
    assert.ok(close(zoomToFit(0.25, 0.25, 0.5, 0.3, 1024, 1024, 16), 4));
    assert.equal(zoomToFit(0.5, 0.5, 0.5, 0.5, 1024, 768, 16), 16, "a single point is shown at the deepest zoom");
    assert.equal(zoomToFit(0, 0, 1, 1, 100, 100, 16), 0, "never shallower than the whole world");
  });
});

describe("the basemap's arcs", () => {
  it("decodes delta-encoded hundredths of a degree", () => {
    assert.deepEqual([...decodeArc([7599, 3947, 100, -50, -1, 2], 100)], [75.99, 39.47, 76.99, 38.97, 76.98, 38.99]);
  });

  it("joins a ring's arcs in order, walking ~i backwards, each junction once", () => {
    const a = Float64Array.from([0, 0, 1, 0, 1, 1]);
    const b = Float64Array.from([0, 0, 0, 1, 1, 1]);
    assert.deepEqual([...ringOf([0, ~1], [a, b])], [0, 0, 1, 0, 1, 1, 0, 1]);
  });
});

describe("clustering", () => {
  /** Points around Kashgar, Urumqi and Hotan, in world coordinates, with a weight each. */
  function sample(n: number, seed: number) {
    const next = random(seed);
    const centres = [[75.99, 39.47], [87.62, 43.83], [79.92, 37.11]] as const;
    const xs = new Float64Array(n);
    const ys = new Float64Array(n);
    const ws = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const [lon, lat] = centres[i % 3]!;
      [xs[i], ys[i]] = project(lon + (next() - 0.5) * 2, lat + (next() - 0.5) * 2);
      ws[i] = 1 + Math.floor(next() * 5);
    }
    return { xs, ys, ws };
  }

  it("keeps every point and every incident at every zoom: counts and weights add up, no point twice", () => {
    const { xs, ys, ws } = sample(3000, 7);
    const index = buildClusterIndex(xs, ys, ws);
    const total = ws.reduce((a, b) => a + b, 0);
    assert.equal(index.levels.length, MAX_CLUSTER_ZOOM + 1);
    for (const level of index.levels) {
      assert.equal(level.count.reduce((a, b) => a + b, 0), 3000);
      assert.equal(level.weight.reduce((a, b) => a + b, 0), total);
    }
  });

  it("merges as one zooms out: fewer clusters at each shallower zoom, one or two for the world", () => {
    const { xs, ys, ws } = sample(3000, 11);
    const index = buildClusterIndex(xs, ys, ws);
    for (let z = 1; z <= MAX_CLUSTER_ZOOM; z++) assert.ok(index.levels[z - 1]!.x.length <= index.levels[z]!.x.length, `zoom ${z}`);
    assert.ok(index.levels[0]!.x.length <= 2, "the whole world at zoom 0: these points are within one cell's width");
    assert.ok(index.levels[MAX_CLUSTER_ZOOM]!.x.length > 2900, "at the deepest zoom almost every point stands alone");
  });

  it("places a cluster at the centre of its points, inside the box that holds them", () => {
    const { xs, ys, ws } = sample(600, 3);
    const index = buildClusterIndex(xs, ys, ws);
    for (const level of index.levels) {
      for (let i = 0; i < level.x.length; i++) {
        assert.ok(level.minX[i]! <= level.x[i]! && level.x[i]! <= level.maxX[i]! && level.minY[i]! <= level.y[i]! && level.y[i]! <= level.maxY[i]!);
      }
    }
    const two = buildClusterIndex([0.3, 0.32], [0.5, 0.5], [1, 3]).levels[0]!;
    assert.equal(two.x.length, 1);
    assert.ok(close(two.x[0]!, 0.31), "centred by places, not pulled by incidents");
    assert.equal(two.weight[0], 4);
  });

  it("never parts points at one spot, and says so, so that a click can list them instead", () => {
    const [x, y] = project(87.6, 43.83);
    const [x2, y2] = project(87.61, 43.83);
    const index = buildClusterIndex([x, x, x2], [y, y, y2], [1, 1, 1]);
    const deepest = index.levels[MAX_CLUSTER_ZOOM]!;
    assert.equal(deepest.x.length, 2);
    const spot = [...deepest.count].indexOf(2);
    assert.ok(spot >= 0 && isOneSpot(deepest, spot));
    assert.ok(!isOneSpot(index.levels[8]!, 0), "two spots a kilometre apart are one cluster at zoom 8, but not one spot");
    assert.equal(levelFor(index, 99), deepest, "closer than the deepest level shows the deepest");
    assert.equal(levelFor(index, 3.7), index.levels[3]);
  });

  it("takes in a neighbour across a cell's edge when their centres are within half a cell", () => {
    // At zoom 0 a cell is 48 of 256 pixels: 95 and 97 pixels lie on either side of the edge at 96.
    const level = buildClusterIndex([95 / 256, 97 / 256, 150 / 256], [0.5, 0.5, 0.5], [1, 1, 1], { maxZoom: 0 }).levels[0]!;
    assert.deepEqual([...level.count].sort(), [1, 2]);
    assert.ok(close(level.x[[...level.count].indexOf(2)]!, 96 / 256));
  });

  it("finds the clusters whose centre lies in a box", () => {
    const index = buildClusterIndex([0.1, 0.5, 0.9], [0.1, 0.5, 0.9], [1, 2, 3]);
    const level = index.levels[10]!;
    const found = clustersIn(level, 0.4, 0.4, 1, 1).map((i) => level.weight[i]).sort();
    assert.deepEqual(found, [2, 3]);
    assert.deepEqual(clustersIn(level, 0.2, 0.2, 0.3, 0.3), []);
  });

  it("builds only the zooms asked for, as the server does for the one it draws", () => {
    const { xs, ys, ws } = sample(300, 5);
    const index = buildClusterIndex(xs, ys, ws, { maxZoom: 6, minZoom: 6, radius: 44 });
    assert.equal(index.levels[5], undefined);
    assert.equal(index.levels[6]!.count.reduce((a, b) => a + b, 0), 300);
  });
});
