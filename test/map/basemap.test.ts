import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import { BASEMAP_FILE, buildFromPackages, simplifyLine, unwrapRing } from "../../src/map/basemap-build.ts";
import { basemapPaths, clientBasemap, findRegion, PlaceMap, regionAt, viewAround } from "../../src/map/index.ts";

describe("the basemap", () => {
  it("is exactly what the builder makes from the Natural Earth packages installed (rebuild: node --import tsx src/map/basemap-build.ts)", () => {
    assert.equal(readFileSync(BASEMAP_FILE, "utf8"), buildFromPackages());
  });

  it("knows which first-level region a place is in", () => {
    const cases: [number, number, string | null][] = [
      [87.62, 43.83, "CN-XJ"], // Ürümqi
      [75.99, 39.47, "CN-XJ"], // Kashgar
      [81.3, 44.0, "CN-XJ"], // Ghulja
      [91.1, 29.65, "CN-XZ"], // Lhasa
      [116.4, 39.9, "CN-BJ"], // Beijing
      [28.97, 41.01, "TR-34"], // Istanbul
      [76.95, 43.25, "KZ-ALA"], // Almaty
      [0, 0, null], // the Gulf of Guinea
    ];
    for (const [lon, lat, code] of cases) assert.equal(regionAt(lon, lat)?.code ?? null, code, `${lon},${lat}`);
    const xinjiang = regionAt(87.62, 43.83)!;
    assert.deepEqual({ country: xinjiang.country, name: xinjiang.name, zh: xinjiang.names.zh }, { country: "CN", name: "Xinjiang", zh: "新疆维吾尔自治区" });
    assert.equal(findRegion(xinjiang.id), xinjiang);
    assert.equal(findRegion("XYZ-1"), null);
  });

  it("sends the browser only what it draws, renumbered, and the same bytes gzipped", () => {
    const sent = clientBasemap();
    const body = JSON.parse(sent.json.toString("utf8")) as { arcs: number[][]; countries: number[][][][]; internal: number[]; regions?: unknown };
    assert.equal(body.regions, undefined, "region names and outlines stay on the server");
    const used = new Set([...body.countries.flat(3).map((r) => (r < 0 ? ~r : r)), ...body.internal]);
    assert.equal(used.size, body.arcs.length, "every arc sent is drawn");
    assert.deepEqual(gunzipSync(sent.gzip), sent.json);
    assert.ok(sent.gzip.length < 400_000, `a gzipped basemap of ${sent.gzip.length} bytes`);
  });

  it("draws a view as SVG paths in its own pixels: land everywhere, inner borders only when close enough to matter", () => {
    const world = basemapPaths(viewAround(0, 0, 0, 256, 256));
    assert.match(world.land, /^M-?\d+ -?\d+l/);
    assert.equal(world.inner, "");
    const xinjiang = basemapPaths(viewAround(84, 41, 5, 800, 500));
    assert.ok(xinjiang.land.length > 1000 && xinjiang.inner.length > 1000);
    // Every absolute move lands within the view and its small margin: what is far away is clipped.
    for (const m of xinjiang.land.matchAll(/M(-?\d+)[ ]?(-?\d+)/g)) {
      const [x, y] = [Number(m[1]), Number(m[2])];
      assert.ok(x >= -5 && x <= 805 && y >= -5 && y <= 505, `${x},${y}`);
    }
  });

  it("draws a place on a small map: PlaceMap, an image with its label and a marker in the middle", async () => {
    const html = String(await PlaceMap({ lat: 39.47, lon: 75.99, label: "Kashgar city prison on the map" }));
    assert.match(html, /^<svg class="place-map" viewBox="0 0 320 200" width="320" height="200" role="img" aria-label="Kashgar city prison on the map">/);
    assert.match(html, /<circle class="map-marker" cx="160.0" cy="100.0" r="6">/);
    assert.match(html, /<path class="map-land" d="M/);
    const arctic = String(await PlaceMap({ lat: 84, lon: 10, label: "far north", zoom: 2 }));
    assert.match(arctic, /<circle class="map-marker" cx="160.0" cy="[0-9.]+"/, "near the pole the view stops at the edge and the marker moves up");
  });
});

describe("building the basemap", () => {
  it("simplifies a line within its tolerance, keeping both ends", () => {
    const line: [number, number][] = [[0, 0], [1, 0.001], [2, -0.001], [3, 0], [3, 5]];
    assert.deepEqual(simplifyLine(line, 0.01), [[0, 0], [3, 0], [3, 5]]);
    assert.deepEqual(simplifyLine(line, 0), line);
  });

  it("runs a ring on across the antimeridian instead of across the world, and closes a ring around a pole along its edge", () => {
    assert.deepEqual(unwrapRing([[179, 60], [-179, 60], [-179, 61], [179, 61]]), [[179, 60], [181, 60], [181, 61], [179, 61]]);
    const around = unwrapRing([[-180, -80], [0, -70], [179, -80]]);
    assert.deepEqual(around.slice(-2), [[179, -90], [-180, -90]]);
  });
});
