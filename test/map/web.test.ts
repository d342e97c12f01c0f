import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { gunzipSync } from "node:zlib";
import { databaseTargets, openTestServices, type TestServices } from "../helpers/database.ts";
import { Client } from "../helpers/http.ts";
import { buildMapWorld } from "./fixture.ts";

/** The visible text of a page's main element, tags removed. */
function mainText(html: string): string {
  const main = /<main[^>]*>([\s\S]*?)<\/main>/.exec(html)?.[1] ?? html;
  return main.replace(/<[^>]+>/g, " ").replace(/&amp;/g, "&").replace(/\s+/g, " ");
}

for (const target of databaseTargets()) {
  describe(`map and timeline over HTTP on ${target.name}`, () => {
    let services: TestServices;
    let viewer: Client;
    let admin: Client;
    let partner: Client;
    const URUMQI = "87.6,43.8,87.7,43.9";

    before(async () => {
      services = await openTestServices(target);
      await buildMapWorld(services);
      viewer = Client.for(services);
      await viewer.signIn("viewer@watch.example");
      admin = Client.for(services);
      await admin.signIn("admin@watch.example");
      partner = Client.for(services);
      await partner.signIn("partner@watch.example");
    });
    after(async () => {
      await services.close();
    });

    async function points(client: Client, query = "", headers: Record<string, string> = {}) {
      const res = await client.get(`/api/v1/map/points${query}`, headers);
      assert.equal(res.status, 200);
      const bytes = Buffer.from(await res.arrayBuffer());
      const text = res.headers.get("content-encoding") === "gzip" ? gunzipSync(bytes).toString("utf8") : bytes.toString("utf8");
      return JSON.parse(text) as { kind: string; precision: number; points: number[]; places: number; incidents: number };
    }

    it("streams the points as compact arrays, the same with gzip, and only what the caller may see", async () => {
      const plain = await points(viewer);
      assert.equal(plain.kind, "incidents");
      assert.equal(plain.precision, 100_000);
      assert.equal(plain.points.length, 3 * plain.places);
      assert.deepEqual({ places: plain.places, incidents: plain.incidents }, { places: 3, incidents: 6 });
      const triples = Array.from({ length: plain.places }, (_, i) => plain.points.slice(3 * i, 3 * i + 3)).sort((a, b) => a[0]! - b[0]!);
      assert.deepEqual(triples, [[3947000, 7599000, 4], [4383000, 8762000, 1], [4400000, 8130000, 1]]);
      const zipped = await points(viewer, "", { "accept-encoding": "gzip, br" });
      assert.deepEqual(zipped, plain);
      const all = await points(admin);
      assert.deepEqual({ places: all.places, incidents: all.incidents }, { places: 7, incidents: 10 });
    });

    it("answers malformed filters and boxes with problem+json 422, a partner with 403 and anonymous with 401", async () => {
      for (const path of [
        "/api/v1/map/points?from=soon",
        "/api/v1/map/points?violation=Torture%20!",
        "/api/v1/map/points?sensitivity=open",
        "/api/v1/map/points?zoom=3",
        "/api/v1/map/incidents",
        "/api/v1/map/incidents?bbox=1,2,3",
        "/api/v1/map/incidents?bbox=-200,0,10,10",
        "/api/v1/map/incidents?bbox=0,95,10,96",
        `/api/v1/map/incidents?bbox=${URUMQI}&limit=0`,
      ]) {
        const res = await viewer.get(path);
        assert.equal(res.status, 422, path);
        assert.equal(res.headers.get("content-type"), "application/problem+json", path);
      }
      assert.equal((await partner.get("/api/v1/map/points")).status, 403);
      assert.equal((await partner.get(`/api/v1/map/incidents?bbox=${URUMQI}`)).status, 403);
      assert.equal((await Client.for(services).get("/api/v1/map/points")).status, 401);
    });

    it("lists what is at a spot over the API, restricted incidents only to those who may see them", async () => {
      const res = await viewer.get(`/api/v1/map/incidents?bbox=${URUMQI}`);
      const body = (await res.json()) as { incidents: { caption: string; places: { caption: string }[] }[]; nextCursor: string | null };
      assert.deepEqual(body.incidents.map((i) => i.caption), ["Beating at the police station"]);
      const theirs = (await (await admin.get(`/api/v1/map/incidents?bbox=${URUMQI}`)).json()) as { incidents: { caption: string }[] };
      assert.deepEqual(theirs.incidents.map((i) => i.caption).sort(), ["Beating at the police station", "Restricted incident in Urumqi"]);
    });

    it("draws the map without JavaScript: an SVG with clusters as links, counts, and incidents by region", async () => {
      const res = await viewer.get("/map");
      assert.equal(res.status, 200);
      const html = await res.text();
      const text = mainText(html);
      assert.match(text, /6 incidents at 3 places/);
      assert.match(html, /<svg class="cluster-map"/);
      assert.match(html, /<path class="map-land" d="M/);
      const links = [...html.matchAll(/<a href="([^"]+)" aria-label="([^"]+)">\s*<circle/g)].map((m) => ({ href: m[1]!.replace(/&amp;/g, "&"), label: m[2]! }));
      assert.ok(links.length >= 1, "at least one cluster is drawn");
      const total = links.reduce((sum, l) => sum + Number(/^(\d+)/.exec(l.label)![1]), 0);
      assert.equal(total, 6, "the clusters add up to the incidents the viewer may see");
      // The region table: Kashgar, Urumqi and Ghulja are all in Xinjiang.
      assert.match(html, /<a href="\/map\?region=CHN-1756#here"><span lang="en" dir="auto">Xinjiang<\/span><\/a>/);
      assert.doesNotMatch(text, /Restricted incident in Urumqi/);
      // No inline script or style: the CSP forbids them, and the page must not need them.
      assert.doesNotMatch(html, /<script(?![^>]*\bsrc=)[^>]*>/);
      assert.doesNotMatch(html, /\sstyle=/);
      assert.match(res.headers.get("content-security-policy") ?? "", /script-src 'self'/);
    });

    it("zooms by links, and lists a spot and a region under the map", async () => {
      const zoomed = await viewer.get("/map?lat=43.83&lon=87.62&z=12");
      const html = await zoomed.text();
      const spot = [...html.matchAll(/<a href="([^"]+)" aria-label="1 incidents at 1 places: list them">/g)].map((m) => m[1]!.replace(/&amp;/g, "&"));
      assert.equal(spot.length, 1, "the one incident the viewer may see in Urumqi, at a spot of its own");
      const listed = mainText(await (await viewer.get(spot[0]!.replace(/#here$/, ""))).text());
      assert.match(listed, /Incidents at this spot/);
      assert.match(listed, /Beating at the police station/);
      assert.doesNotMatch(listed, /Restricted incident in Urumqi/);
      const adminSpot = mainText(await (await admin.get(`/map?lat=43.83&lon=87.62&z=12&bbox=${URUMQI}`)).text());
      assert.match(adminSpot, /Beating at the police station/);
      assert.match(adminSpot, /Restricted incident in Urumqi/);
      const region = mainText(await (await viewer.get("/map?region=CHN-1756")).text());
      assert.match(region, /Incidents in Xinjiang/);
      for (const caption of ["Arrest of a teacher in Kashgar", "Beating at the police station", "Restricted incident the viewer may see"]) assert.match(region, new RegExp(caption));
      assert.doesNotMatch(region, /Restricted incident in Urumqi|Detention near Hotan|Disappearance from Aksu/);
    });

    it("shows a refused filter on the page with 422, the value kept in the form", async () => {
      for (const [query, field] of [["lat=100&lon=80", "lat"], ["z=40", "z"], ["from=whenever", "from"], ["lat=40", "lon"], ["region=XYZ-1", "region"], ["bbox=1,2", "bbox"]] as const) {
        const res = await viewer.get(`/map?${query}`);
        assert.equal(res.status, 422, query);
        const html = await res.text();
        assert.match(html, /class="error-summary"/, query);
        if (field === "from") assert.match(html, /name="from" type="text" value="whenever"/);
      }
      assert.equal((await partner.get("/map")).status, 403);
      const anonymous = await Client.for(services).get("/map");
      assert.equal(anonymous.status, 303);
      assert.match(anonymous.headers.get("location") ?? "", /^\/login/);
    });

    it("serves the basemap once, cached by its hash, and the map's scripts from this origin", async () => {
      const res = await Client.for(services).get("/map/basemap.json");
      assert.equal(res.status, 200);
      const basemap = (await res.json()) as { format: string; arcs: number[][]; countries: unknown[]; internal: number[]; attribution: string };
      assert.equal(basemap.format, "vigil-basemap/1");
      assert.ok(basemap.countries.length > 200 && basemap.arcs.length > 1000 && basemap.internal.length > 1000);
      assert.match(basemap.attribution, /Natural Earth/);
      const etag = res.headers.get("etag")!;
      assert.equal((await Client.for(services).get("/map/basemap.json", { "if-none-match": etag })).status, 304);
      for (const name of ["map.js", "map.core.js", "map.worker.js", "map.css"]) assert.equal((await viewer.get(`/static/${name}`)).status, 200, name);
    });

    it("draws the timeline without JavaScript: grouped by year and month, uncertain dates as ranges, paged", async () => {
      const res = await viewer.get("/timeline?limit=4");
      assert.equal(res.status, 200);
      const html = await res.text();
      const text = mainText(html);
      const order = ["Incident in a village", "Mistyped incident", "Beating at the police station", "Arrest of a teacher in Kashgar"].map((c) => text.indexOf(c));
      assert.ok(order.every((at, i) => at >= 0 && (i === 0 || at > order[i - 1]!)), `in date order: ${order}`);
      assert.match(text, /Sometime in 2014/);
      assert.match(text, /Between 2016 and 2018/);
      assert.match(text, /March 2017/);
      assert.match(html, /<svg class="range-bar"/);
      const next = /<a href="([^"]+)" rel="next">/.exec(html)?.[1]?.replace(/&amp;/g, "&");
      assert.ok(next, "a link to the next page");
      const second = mainText(await (await viewer.get(next)).text());
      assert.match(second, /Torture reported in Kashgar prison/);
      assert.doesNotMatch(second, /Arrest of a teacher in Kashgar/);
      const all = mainText(await (await viewer.get("/timeline")).text());
      assert.doesNotMatch(all, /Restricted incident in Urumqi/);
      assert.match(all, /Restricted incident the viewer may see/);
      const bad = await viewer.get("/timeline?from=2019&to=2018");
      assert.equal(bad.status, 422);
      assert.equal((await partner.get("/timeline")).status, 403);
    });

    it("shows the map and the timeline in Uyghur and Chinese, region names in Chinese where Natural Earth has them", async () => {
      for (const [locale, map, timeline] of [["ug", "ۋەقە خەرىتىسى", "ۋاقىت ئوقى"], ["zh-Hans", "事件地图", "时间线"]] as const) {
        const client = Client.for(services);
        await client.signIn("admin@watch.example");
        client.cookies.set("vigil_lang", locale);
        const page = await (await client.get("/map?region=CHN-1756")).text();
        assert.match(page, new RegExp(`<html lang="${locale}" dir="${locale === "ug" ? "rtl" : "ltr"}"`));
        assert.match(page, new RegExp(map));
        assert.match(page, locale === "zh-Hans" ? /新疆维吾尔自治区/ : /<span lang="en" dir="auto">Xinjiang<\/span>/);
        assert.match(await (await client.get("/timeline")).text(), new RegExp(timeline));
      }
    });
  });
}
