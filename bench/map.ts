// Map benchmark: 100,000 incidents, each at a place of its own (the worst case for the map: no two
// share coordinates), most around cities of East Turkestan, the rest across Eurasia; one in twenty
// restricted, hidden from the viewer who reads the map.
//
// Server: GET /api/v1/map/points as that viewer (permission in the SQL, batches of places, streamed,
// gzipped) beside the same points read by one plain SQL query without the permission layer and
// encoded alike; and the map page drawn without JavaScript (its SVG clustered on the server).
// Browser (Debian's Chromium through playwright-core): the map page until its canvas has drawn
// everything, then per-frame time while panning and zooming, beside the same points drawn
// unclustered as one SVG <circle> each, and as one absolutely positioned <div> each (how
// marker-per-point maps such as Leaflet's default draw), panned the same way.
//
// Run: node --import tsx bench/map.ts                                (PGlite)
//      BENCH_DATABASE_URL=postgres://… node --import tsx bench/map.ts   (PostgreSQL)
// BENCH_POINTS overrides the number of incidents (default 100,000).
import { mkdtempSync } from "node:fs";
import { get } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { gunzipSync } from "node:zlib";
import { sql, type Kysely } from "kysely";
import type { Page } from "playwright-core";
import { acceptInvitation, createAdministrator, inviteMember, principalFromSession, signIn } from "../src/accounts/index.ts";
import { boot, createLogger } from "../src/boot.ts";
import { loadConfig } from "../src/config.ts";
import { NO_ORIGIN } from "../src/context.ts";
import type { Schema } from "../src/db/index.ts";
import { startServer } from "../src/web/server.ts";
import { project, TILE_SIZE } from "../client/map.core.js";
import { launchChromium } from "../test/helpers/browser.ts";
import { createServerDatabase } from "./lib/server-database.ts";

const POINTS = Number(process.env.BENCH_POINTS ?? 100_000);
const PASSWORD = "quiet harbour lanterns 1987";
const RUNS = 3;
const FRAMES = 120;
/** The view every browser row draws and pans: Eurasia at zoom 3, 1200 × 700 pixels. */
const VIEW = { lon: 80, lat: 40, zoom: 3, width: 1200, height: 700 };

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const percentile = (values: number[], p: number) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor((p / 100) * values.length))]!;

/** The incidents and their places, made in the database: the load is not what is measured. */
async function seed(db: Kysely<Schema>, orgId: string, userId: string): Promise<void> {
  const cities = [[39.47, 75.99], [43.83, 87.62], [37.11, 79.92], [41.17, 80.26], [44.0, 81.3], [42.95, 89.19], [40.14, 94.66], [41.72, 86.15], [45.6, 84.87], [36.85, 81.67], [39.0, 88.0], [43.9, 81.3]];
  const lats = `ARRAY[${cities.map((c) => c[0]).join(",")}]::float8[]`;
  const lons = `ARRAY[${cities.map((c) => c[1]).join(",")}]::float8[]`;
  await sql`SELECT setseed(0.42)`.execute(db);
  await sql.raw(`CREATE TEMP TABLE bench_points AS
    SELECT g AS n, gen_random_uuid() AS place, gen_random_uuid() AS incident,
      CASE WHEN g % 10 < 6 THEN (${lats})[1 + g % 12] + (random() + random() - 1) * 1.2 ELSE 10 + random() * 50 END AS lat,
      CASE WHEN g % 10 < 6 THEN (${lons})[1 + g % 12] + (random() + random() - 1) * 1.6 ELSE -10 + random() * 140 END AS lon,
      (DATE '2014-01-01' + (random() * 3650)::int) AS day
    FROM generate_series(1, ${POINTS}) g`).execute(db);
  await sql`INSERT INTO entities (id, org_id, schema, created_by, restricted)
    SELECT place, ${orgId}::uuid, 'Address', ${userId}::uuid, false FROM bench_points
    UNION ALL SELECT incident, ${orgId}::uuid, 'Incident', ${userId}::uuid, n % 20 = 0 FROM bench_points`.execute(db);
  await sql`INSERT INTO statements (id, org_id, entity_id, property, value, sensitivity, revision, author_id, date_earliest, date_latest, ref_id)
    SELECT gen_random_uuid(), ${orgId}::uuid, place, 'name', 'Place ' || n, 'internal', 1, ${userId}::uuid, NULL, NULL, NULL::uuid FROM bench_points
    UNION ALL SELECT gen_random_uuid(), ${orgId}::uuid, place, 'latitude', round(lat::numeric, 5)::text, 'internal', 1, ${userId}::uuid, NULL, NULL, NULL FROM bench_points
    UNION ALL SELECT gen_random_uuid(), ${orgId}::uuid, place, 'longitude', round(lon::numeric, 5)::text, 'internal', 1, ${userId}::uuid, NULL, NULL, NULL FROM bench_points
    UNION ALL SELECT gen_random_uuid(), ${orgId}::uuid, incident, 'name', 'Incident ' || n, 'internal', 1, ${userId}::uuid, NULL, NULL, NULL FROM bench_points
    UNION ALL SELECT gen_random_uuid(), ${orgId}::uuid, incident, 'violation', (ARRAY['arbitrary-detention','torture','enforced-disappearance','arbitrary-arrest'])[1 + n % 4], 'internal', 1, ${userId}::uuid, NULL, NULL, NULL FROM bench_points
    UNION ALL SELECT gen_random_uuid(), ${orgId}::uuid, incident, 'date', to_char(day, 'YYYY-MM-DD'), 'internal', 1, ${userId}::uuid, to_char(day, 'YYYY-MM-DD'), to_char(day, 'YYYY-MM-DD'), NULL FROM bench_points
    UNION ALL SELECT gen_random_uuid(), ${orgId}::uuid, incident, 'place', place::text, 'internal', 1, ${userId}::uuid, NULL, NULL, place FROM bench_points`.execute(db);
  await sql`ANALYZE`.execute(db);
}

/** The reference for the server: the same points by one plain query, no permission, no batches, encoded alike. */
async function plainPoints(db: Kysely<Schema>): Promise<string> {
  const { rows } = await sql<{ lat: number; lon: number; n: number }>`
    SELECT la.value::float8 AS lat, lo.value::float8 AS lon, count(ps.entity_id)::int AS n
    FROM statements la
    JOIN statements lo ON lo.entity_id = la.entity_id AND lo.property = 'longitude' AND lo.retracted_at IS NULL
    JOIN statements ps ON ps.ref_id = la.entity_id AND ps.property = 'place' AND ps.retracted_at IS NULL
    WHERE la.property = 'latitude' AND la.retracted_at IS NULL
    GROUP BY la.entity_id, la.value, lo.value`.execute(db);
  return `{"kind":"incidents","precision":100000,"points":[${rows.map((r) => `${Math.round(r.lat * 1e5)},${Math.round(r.lon * 1e5)},${r.n}`).join(",")}]}`;
}

/** A GET whose body is read as sent, compressed or not (fetch would decompress it). */
function rawGet(url: string, headers: Record<string, string>): Promise<{ status: number; encoding: string | undefined; body: Buffer }> {
  return new Promise((resolve, reject) => {
    get(url, { headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, encoding: res.headers["content-encoding"], body: Buffer.concat(chunks) }));
      res.on("error", reject);
    }).on("error", reject);
  });
}

/**
 * Frame intervals (requestAnimationFrame to requestAnimationFrame) while `step` runs at every frame.
 * The page script is a string: a function handed to evaluate would carry tsx's name helpers.
 */
async function frameIntervals(page: Page, step: string): Promise<number[]> {
  const script = `new Promise((resolve) => {
    const act = new Function("frame", ${JSON.stringify(step)});
    const intervals = [];
    let last = 0;
    let frame = 0;
    const tick = (now) => {
      if (last) intervals.push(now - last);
      last = now;
      if (frame === ${FRAMES}) return resolve(intervals);
      act(frame++);
      requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  })`;
  return (await page.evaluate(script)) as number[];
}

// Pan right 80 px a frame, and every 30th frame zoom in or out by half a level around the centre.
const PAN_CANVAS = `const c = document.querySelector("canvas.map-canvas");
  c.dispatchEvent(new KeyboardEvent("keydown", { key: frame % 60 < 30 ? "ArrowRight" : "ArrowLeft", bubbles: true }));
  if (frame % 30 === 29) { const r = c.getBoundingClientRect(); c.dispatchEvent(new WheelEvent("wheel", { deltaY: frame % 60 < 30 ? -100 : 100, clientX: r.left + r.width / 2, clientY: r.top + r.height / 2, bubbles: true, cancelable: true })); }`;
const PAN_LAYER = `const g = document.getElementById("layer");
  window.__x = (window.__x ?? 0) + (frame % 60 < 30 ? -80 : 80);
  if (frame % 30 === 29) window.__s = (window.__s ?? 1) * (frame % 60 < 30 ? 1.41 : 0.71);
  g.setAttribute("transform", "translate(" + window.__x + " 0) scale(" + (window.__s ?? 1) + ")");`;
const PAN_DIVS = `const g = document.getElementById("layer");
  window.__x = (window.__x ?? 0) + (frame % 60 < 30 ? -80 : 80);
  if (frame % 30 === 29) window.__s = (window.__s ?? 1) * (frame % 60 < 30 ? 1.41 : 0.71);
  g.style.transform = "translate(" + window.__x + "px, 0) scale(" + (window.__s ?? 1) + ")";`;

/** The same points as the map's view draws them, in its pixels. */
function pixels(points: number[]): [number, number][] {
  const scale = TILE_SIZE * 2 ** VIEW.zoom;
  const [cx, cy] = project(VIEW.lon, VIEW.lat);
  const out: [number, number][] = [];
  for (let i = 0; i < points.length; i += 3) {
    const [x, y] = project(points[i + 1]! / 1e5, points[i]! / 1e5);
    out.push([Math.round(((x - cx) * scale + VIEW.width / 2) * 10) / 10, Math.round(((y - cy) * scale + VIEW.height / 2) * 10) / 10]);
  }
  return out;
}

interface BrowserRow {
  name: string;
  firstRenderMs: number;
  frames: number[];
  drawMs?: number[];
}

async function main() {
  const serverUrl = process.env.BENCH_DATABASE_URL;
  const server = serverUrl ? await createServerDatabase(serverUrl) : null;
  const dataDir = mkdtempSync(join(tmpdir(), "vigil-bench-map-"));
  const config = { ...loadConfig({ VIGIL_DATA_DIR: dataDir, DATABASE_URL: server?.url, VIGIL_LOG_LEVEL: "warn" }), port: 0 };
  const booted = await boot(config, createLogger("warn"));
  const services = booted.services;
  const http = await startServer(services, null);
  const lines: string[] = [];
  try {
    const admin = await createAdministrator(services, NO_ORIGIN, { email: "admin@bench.example", name: "Bench Admin", password: PASSWORD, organisation: "bench", organisationName: "Bench" });
    const adminPrincipal = (await principalFromSession(services, (await signIn(services, NO_ORIGIN, { email: "admin@bench.example", password: PASSWORD })).token))!;
    const invitation = await inviteMember(services, NO_ORIGIN, adminPrincipal, { email: "viewer@bench.example", role: "viewer" });
    await acceptInvitation(services, NO_ORIGIN, invitation.token, { name: "Bench Viewer", password: PASSWORD });
    const session = (await signIn(services, NO_ORIGIN, { email: "viewer@bench.example", password: PASSWORD })).token;
    const db = services.db as Kysely<Schema>;
    let t0 = performance.now();
    await seed(db, admin.orgId, admin.userId);
    console.log(`seeded ${POINTS.toLocaleString("en")} incidents at as many places on ${services.dbKind} in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    const cookie = `vigil_session=${session}`;

    // --- the server
    const api: number[] = [];
    let zipped = 0;
    let body = "";
    for (let run = 0; run < RUNS; run++) {
      t0 = performance.now();
      const res = await rawGet(`${http.url}/api/v1/map/points`, { cookie, "accept-encoding": "gzip" });
      api.push(performance.now() - t0);
      if (res.status !== 200) throw new Error(`points answered ${res.status}`);
      zipped = res.body.length;
      body = res.encoding === "gzip" ? gunzipSync(res.body).toString("utf8") : res.body.toString("utf8");
    }
    const answer = JSON.parse(body) as { points: number[]; places: number; incidents: number };
    const expected = POINTS - Math.floor(POINTS / 20);
    if (answer.incidents !== expected) throw new Error(`the viewer was shown ${answer.incidents} incidents, not ${expected}`);
    const plain: number[] = [];
    let plainBody = "";
    for (let run = 0; run < RUNS; run++) {
      t0 = performance.now();
      plainBody = await plainPoints(db);
      plain.push(performance.now() - t0);
    }
    const page: number[] = [];
    let pageBytes = 0;
    for (let run = 0; run < RUNS; run++) {
      t0 = performance.now();
      const res = await fetch(`${http.url}/map?lat=${VIEW.lat}&lon=${VIEW.lon}&z=${VIEW.zoom}`, { headers: { cookie } });
      pageBytes = (await res.arrayBuffer()).byteLength;
      page.push(performance.now() - t0);
      if (res.status !== 200) throw new Error(`the map page answered ${res.status}`);
    }
    lines.push(
      `| ${services.dbKind} | GET /api/v1/map/points (viewer, ${answer.places.toLocaleString("en")} points) | ${median(api).toFixed(0)} | ${(body.length / 1e6).toFixed(2)} MB, ${(zipped / 1e6).toFixed(2)} MB gzip | plain SQL, no permission, same encoding: ${median(plain).toFixed(0)} ms, ${(plainBody.length / 1e6).toFixed(2)} MB | ${(median(api) / median(plain)).toFixed(2)} |`,
      `| ${services.dbKind} | GET /map, no JavaScript (SVG clustered on the server) | ${median(page).toFixed(0)} | ${(pageBytes / 1e3).toFixed(0)} kB | — | — |`,
    );
    console.log(lines.join("\n"));

    // --- the browser
    const browser = await launchChromium();
    const rows: BrowserRow[] = [];
    try {
      const context = await browser.newContext({ viewport: { width: VIEW.width + 80, height: 1400 } });
      await context.addCookies([{ name: "vigil_session", value: session, url: http.url }]);
      const tab = await context.newPage();
      t0 = performance.now();
      await tab.goto(`${http.url}/map?lat=${VIEW.lat}&lon=${VIEW.lon}&z=${VIEW.zoom}`);
      await tab.locator("#incident-map[data-state=ready]").waitFor({ timeout: 120_000 });
      const wall = performance.now() - t0;
      const ready = await tab.evaluate(() => performance.getEntriesByName("vigil-map-ready")[0]!.startTime);
      await tab.evaluate(() => performance.clearMeasures("vigil-map-frame"));
      const frames = await frameIntervals(tab, PAN_CANVAS);
      const draws = await tab.evaluate(() => performance.getEntriesByName("vigil-map-frame").map((e) => e.duration));
      rows.push({ name: "Vigil: canvas, clusters from the worker", firstRenderMs: ready, frames, drawMs: draws });
      console.log(`Vigil's map: ready ${ready.toFixed(0)} ms after navigation (${wall.toFixed(0)} ms by the wall clock, HTML with the server's SVG included)`);
      await context.close();

      const xy = pixels(answer.points);
      const svg = `<!doctype html><svg width="${VIEW.width}" height="${VIEW.height}" style="background:#dfe8ef"><g id="layer">${xy.map(([x, y]) => `<circle cx="${x}" cy="${y}" r="4" fill="#0b5cad"/>`).join("")}</g></svg>`;
      const divs = `<!doctype html><style>.m{position:absolute;width:8px;height:8px;margin:-4px 0 0 -4px;border-radius:4px;background:#0b5cad}#box{position:relative;width:${VIEW.width}px;height:${VIEW.height}px;overflow:hidden;background:#dfe8ef}</style><div id="box"><div id="layer">${xy.map(([x, y]) => `<div class="m" style="left:${x}px;top:${y}px"></div>`).join("")}</div></div>`;
      for (const [name, html, pan] of [["Reference: one SVG <circle> per point, unclustered", svg, PAN_LAYER], ["Reference: one positioned <div> per point (marker per point)", divs, PAN_DIVS]] as const) {
        const ref = await browser.newPage({ viewport: { width: VIEW.width + 80, height: 1400 } });
        t0 = performance.now();
        await ref.setContent(html, { timeout: 300_000 });
        await ref.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
        const first = performance.now() - t0;
        rows.push({ name, firstRenderMs: first, frames: await frameIntervals(ref, pan) });
        await ref.close();
      }
    } finally {
      await browser.close();
    }
    const ours = rows[0]!;
    for (const row of rows) {
      const p50 = percentile(row.frames, 50);
      const p95 = percentile(row.frames, 95);
      const draw = row.drawMs ? ` (drawing: p50 ${percentile(row.drawMs, 50).toFixed(1)}, p95 ${percentile(row.drawMs, 95).toFixed(1)})` : "";
      lines.push(
        `| ${services.dbKind} | browser: ${row.name} | first render ${row.firstRenderMs.toFixed(0)} ms | frame p50 ${p50.toFixed(1)} ms, p95 ${p95.toFixed(1)} ms, max ${Math.max(...row.frames).toFixed(0)} ms${draw} | ratio to Vigil: first render ${(row.firstRenderMs / ours.firstRenderMs).toFixed(2)}, frame p95 ${(p95 / percentile(ours.frames, 95)).toFixed(2)} | |`,
      );
    }
  } finally {
    await http.close();
    await booted.close();
    await server?.drop();
  }
  console.log(`\n${POINTS.toLocaleString("en")} incidents, each at its own place; view ${VIEW.width}×${VIEW.height} at zoom ${VIEW.zoom}; ${FRAMES} frames panned and zoomed\n`);
  console.log("| database | measure | ms | size / frames | reference | ratio |");
  console.log("| --- | --- | ---: | --- | --- | ---: |");
  for (const line of lines) console.log(line);
}

await main();
