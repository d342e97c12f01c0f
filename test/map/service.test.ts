import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { Forbidden, Invalid, type Actor } from "../../src/core/index.ts";
import { NO_ORIGIN } from "../../src/context.ts";
import { listIncidents, mapPoints, timeline, type IncidentPage } from "../../src/map/index.ts";
import { databaseTargets, openTestServices, type TestServices } from "../helpers/database.ts";
import { buildMapWorld, type MapWorld } from "./fixture.ts";

for (const target of databaseTargets()) {
  describe(`map points on ${target.name}`, () => {
    let services: TestServices;
    let world: MapWorld;

    before(async () => {
      services = await openTestServices(target);
      world = await buildMapWorld(services);
    });
    after(async () => {
      await services.close();
    });

    /** Points as "place name → incidents", to compare whole sets. */
    async function points(actor: Actor, params: Record<string, unknown> = {}): Promise<Record<string, { lat: number; lon: number; n: number }>> {
      const { batches } = await mapPoints(services, NO_ORIGIN, actor, params);
      const byId = Object.fromEntries(Object.entries(world.ids).map(([k, v]) => [v, k]));
      const out: Record<string, { lat: number; lon: number; n: number }> = {};
      for await (const batch of batches) for (const p of batch) out[byId[p.id] ?? p.id] = { lat: p.lat, lon: p.lon, n: p.n };
      return out;
    }
    const counts = (p: Record<string, { n: number }>) => Object.fromEntries(Object.entries(p).map(([k, v]) => [k, v.n]).sort());

    it("places each incident an administrator may see where its place is, with the place's coordinates", async () => {
      const all = await points(world.admin);
      assert.deepEqual(counts(all), { aksu: 1, hidden: 1, kashgar: 4, listedPlace: 1, secretLat: 1, urumqiA: 1, urumqiB: 1 });
      assert.deepEqual(all.kashgar, { lat: 39.47, lon: 75.99, n: 4 });
      // "43,83" is FtM's number with a decimal comma.
      assert.deepEqual(all.urumqiB, { lat: 43.83, lon: 87.62, n: 1 });
    });

    it("leaves out of the viewer's map every trace of what it may not see: restricted incidents, restricted places, restricted links and coordinates", async () => {
      const seen = await points(world.viewer);
      // urumqiA's only incident is restricted; hidden is a restricted place; the link to aksu and
      // secretLat's latitude are restricted values; listedPlace's incident has the viewer on its list.
      assert.deepEqual(counts(seen), { kashgar: 4, listedPlace: 1, urumqiB: 1 });
    });

    it("never places an archived incident, a place without coordinates or with coordinates out of range, or another organisation's records", async () => {
      const all = await points(world.admin);
      for (const missing of ["offWorld", "nowhere", "theirPlace"]) assert.ok(!(missing in all), missing);
      const theirs = await points(world.outsider);
      assert.deepEqual(counts(theirs), { theirPlace: 1 });
    });

    it("filters by violation, date range, place and sensitivity, on the values the caller may read", async () => {
      assert.deepEqual(counts(await points(world.admin, { violation: "torture" })), { kashgar: 2, listedPlace: 1, urumqiB: 1 });
      // The viewer cannot read the restricted "torture" of the police station incident.
      assert.deepEqual(counts(await points(world.viewer, { violation: "torture" })), { kashgar: 2, listedPlace: 1 });
      assert.deepEqual(counts(await points(world.admin, { violation: ["arbitrary-arrest", "enforced-disappearance"] })), { aksu: 1, kashgar: 2, urumqiA: 1 });
      // 2018: "2018?" (all of 2018), "2016/2018" and 2018-11 reach into it; 2017-03 and 2019 do not; the undated one has no date to match.
      assert.deepEqual(counts(await points(world.admin, { from: "2018", to: "2018" })), { aksu: 1, kashgar: 1, urumqiB: 1 });
      assert.deepEqual(counts(await points(world.admin, { from: "2019-05-02" })), { hidden: 1, kashgar: 1, listedPlace: 1, secretLat: 1, urumqiA: 1 });
      assert.deepEqual(counts(await points(world.admin, { place: [world.ids.kashgar, world.ids.urumqiB] })), { kashgar: 4, urumqiB: 1 });
      assert.deepEqual(counts(await points(world.admin, { sensitivity: "restricted" })), { aksu: 1, listedPlace: 1, urumqiA: 1, urumqiB: 1 });
      assert.deepEqual(counts(await points(world.viewer, { sensitivity: "restricted" })), { listedPlace: 1 });
    });

    it("shows the places layer with every place the caller may see and its incidents, filtered or not", async () => {
      const places = await points(world.viewer, { kind: "places" });
      assert.deepEqual(counts(places), { aksu: 0, kashgar: 4, listedPlace: 1, urumqiA: 0, urumqiB: 1 });
    });

    it("refuses a partner, and malformed filters with the field named", async () => {
      await assert.rejects(mapPoints(services, NO_ORIGIN, world.partner, {}), Forbidden);
      const bad: [Record<string, unknown>, string][] = [
        [{ from: "last spring" }, "from"],
        [{ to: "2019-13" }, "to"],
        [{ from: "2019", to: "2018" }, "to"],
        [{ violation: "Not A Code" }, "violation.0"],
        [{ place: "kashgar" }, "place.0"],
        [{ sensitivity: "top-secret" }, "sensitivity.0"],
        [{ kind: "people" }, "kind"],
        [{ colour: "red" }, ""],
        [{ violation: Array.from({ length: 21 }, (_, i) => `v${i}`) }, "violation"],
      ];
      for (const [params, field] of bad) {
        await assert.rejects(mapPoints(services, NO_ORIGIN, world.admin, params), (e: unknown) => {
          assert.ok(e instanceof Invalid, JSON.stringify(params));
          if (field) assert.ok(field in e.fields, `${JSON.stringify(params)}: ${JSON.stringify(e.fields)}`);
          return true;
        });
      }
    });
  });

  describe(`incidents in a box and the timeline on ${target.name}`, () => {
    let services: TestServices;
    let world: MapWorld;

    before(async () => {
      services = await openTestServices(target);
      world = await buildMapWorld(services);
    });
    after(async () => {
      await services.close();
    });

    const captions = (page: IncidentPage) => page.items.map((i) => i.caption.text).sort();
    const URUMQI = "87.6,43.8,87.7,43.9";

    it("lists what is at one spot, both places there apart, for whoever may see it", async () => {
      const admin = await listIncidents(services, NO_ORIGIN, world.admin, { bbox: URUMQI });
      assert.deepEqual(captions(admin), ["Beating at the police station", "Restricted incident in Urumqi"]);
      assert.deepEqual(admin.items.flatMap((i) => i.places.map((p) => p.caption.text)).sort(), ["Urumqi No. 3 detention centre", "Urumqi police station"]);
      const viewer = await listIncidents(services, NO_ORIGIN, world.viewer, { bbox: URUMQI });
      assert.deepEqual(captions(viewer), ["Beating at the police station"]);
      const viewerTorture = await listIncidents(services, NO_ORIGIN, world.viewer, { bbox: URUMQI, violation: "torture" });
      assert.deepEqual(captions(viewerTorture), []);
      // The viewer reads the incident's public violation only.
      assert.deepEqual(viewer.items[0]!.violations.map((v) => v.code), ["arbitrary-detention"]);
    });

    it("pages through a box with a cursor, each incident once", async () => {
      const box = "70,30,90,50";
      const seen: string[] = [];
      let cursor: string | undefined;
      let pages = 0;
      do {
        const page = await listIncidents(services, NO_ORIGIN, world.admin, { bbox: box, limit: "2", ...(cursor ? { cursor } : {}) });
        seen.push(...page.items.map((i) => i.id));
        cursor = page.nextCursor ?? undefined;
        pages++;
      } while (cursor && pages < 20);
      const expected = ["arrest", "torture", "undated", "moved", "secret", "station", "aksuLink", "atHidden", "atSecretLat", "listed"].map((k) => world.ids[k]!).sort();
      assert.deepEqual([...seen].sort(), expected);
      assert.equal(new Set(seen).size, seen.length);
    });

    it("refuses a box out of range or malformed, and a cursor it did not give", async () => {
      for (const bbox of ["70,30,90", "70,30,190,50", "70,-95,90,50", "90,30,70,50", "a,b,c,d", ""]) {
        await assert.rejects(listIncidents(services, NO_ORIGIN, world.admin, { bbox }), Invalid, bbox);
      }
      await assert.rejects(listIncidents(services, NO_ORIGIN, world.admin, { bbox: URUMQI, cursor: "bm90IGEgY3Vyc29y" }), Invalid);
    });

    it("orders the timeline by earliest then latest day, uncertain dates as their whole range, undated last", async () => {
      const page = await timeline(services, NO_ORIGIN, world.admin, { limit: "50" });
      assert.deepEqual(
        page.items.map((i) => [i.caption.text, i.earliest, i.latest]),
        [
          ["Incident in a village", "2014-01-01", "2014-12-31"],
          ["Mistyped incident", "2015-01-01", "2015-12-31"],
          ["Beating at the police station", "2016-01-01", "2018-12-31"],
          ["Arrest of a teacher in Kashgar", "2017-03-01", "2017-03-31"],
          ["Torture reported in Kashgar prison", "2018-01-01", "2018-12-31"],
          ["Disappearance from Aksu", "2018-11-01", "2018-11-30"],
          ["Incident moved from Aksu to Kashgar", "2019-01-01", "2019-12-31"],
          ["Restricted incident in Urumqi", "2019-05-02", "2019-05-02"],
          ["Detention near Hotan", "2020-01-01", "2020-12-31"],
          ["Detention at the compound", "2020-02-01", "2020-02-29"],
          ["Restricted incident the viewer may see", "2021-01-01", "2021-12-31"],
          ["Undated incident in Kashgar", null, null],
        ],
      );
      assert.deepEqual(page.items.find((i) => i.caption.text === "Torture reported in Kashgar prison")!.dates, [{ property: "date", value: "2018?" }]);
      assert.deepEqual(page.items.find((i) => i.caption.text === "Arrest of a teacher in Kashgar")!.places.map((p) => p.caption.text), ["Kashgar city prison"]);
    });

    it("pages the timeline and filters it; the viewer's timeline has no restricted incident it is not listed on", async () => {
      const first = await timeline(services, NO_ORIGIN, world.admin, { limit: "5" });
      assert.equal(first.items.length, 5);
      const second = await timeline(services, NO_ORIGIN, world.admin, { limit: "5", cursor: first.nextCursor! });
      const third = await timeline(services, NO_ORIGIN, world.admin, { limit: "5", cursor: second.nextCursor! });
      assert.equal(third.nextCursor, null);
      assert.equal(new Set([...first.items, ...second.items, ...third.items].map((i) => i.id)).size, 12);
      const viewer = await timeline(services, NO_ORIGIN, world.viewer, {});
      const shown = viewer.items.map((i) => i.caption.text);
      assert.ok(!shown.includes("Restricted incident in Urumqi"));
      assert.ok(shown.includes("Restricted incident the viewer may see"));
      // The viewer does see the Aksu incident (it is not restricted) but not its restricted place.
      assert.deepEqual(viewer.items.find((i) => i.caption.text === "Disappearance from Aksu")!.places, []);
      const in2018 = await timeline(services, NO_ORIGIN, world.admin, { from: "2018", to: "2018-12" });
      assert.deepEqual(in2018.items.map((i) => i.caption.text), ["Beating at the police station", "Torture reported in Kashgar prison", "Disappearance from Aksu"]);
      await assert.rejects(timeline(services, NO_ORIGIN, world.partner, {}), Forbidden);
      await assert.rejects(timeline(services, NO_ORIGIN, world.admin, { from: "yesterday" }), Invalid);
    });
  });
}
