import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { sql } from "kysely";
import type { Actor } from "../../src/core/index.ts";
import { NO_ORIGIN } from "../../src/context.ts";
import { createEntity, grantAccess } from "../../src/records/index.ts";
import { addProofOfLife, addStatusChange, facilitySilence, listSilence, recordDetention, updateRules, urgencyOf, type SilencePage } from "../../src/monitor/index.ts";
import { databaseTargets, openTestServices, type TestServices } from "../helpers/database.ts";
import { addMember, addOrganisation, sessionFor, setUpOrganisation } from "../helpers/fixtures.ts";
import { Client } from "../helpers/http.ts";

const DAY = 86_400_000;

interface Row {
  person: string | null;
  facility: string | null;
  status: string | null;
  lastProofOfLife: string | null;
  silenceDays?: number;
  ongoing?: boolean;
  archived?: boolean;
  guarded?: boolean;
}

/**
 * Detainees seen on 2026-06-01 (the TestClock's day), with the default 90-day window unless said:
 *   never    Ilham Tohti, no proof of life ever, at Kashgar                   never
 *   old      Gulshan Abbas, 2026-01-01 (151 days), at Kashgar                 overdue
 *   middle   Rahile Dawut, 2026-03-20 (73 days), at Urumqi                    approaching (73 ≥ 67.5)
 *   own      Ekpar Asat, 2026-05-01 (31 days), own window 30, at Urumqi      overdue
 *   fresh    Mahira Yakub, 2026-05-20 (12 days), at Urumqi                    recent
 *   secret   a restricted detention, 2025-06-01: an administrator's only
 *   guarded  a detention whose person is restricted (the row is guarded), 2025-12-01
 *   archived / ended: left out for everyone
 */
async function buildWorld(services: TestServices) {
  const org = await setUpOrganisation(services);
  const { principal } = await sessionFor(services, org.adminEmail);
  const admin = principal.actor;
  const viewer = (await addMember(services, principal, "viewer", "viewer@watch.example")).principal.actor;
  await addMember(services, principal, "partner", "partner@watch.example");
  const other = await addOrganisation(services, "elsewhere");
  const outsider = (await sessionFor(services, other.adminEmail)).principal.actor;
  const create = async (actor: Actor, body: Record<string, unknown>) => (await createEntity(services, NO_ORIGIN, actor, body)).id;
  const kashgar = await create(admin, { schema: "Address", properties: { name: ["Kashgar city prison"], placeType: ["prison"], latitude: ["39.47"], longitude: ["75.99"] } });
  const urumqi = await create(admin, { schema: "Address", properties: { name: ["Urumqi No. 3 detention centre"], placeType: ["detention-facility"], latitude: ["43.83"], longitude: ["87.62"] } });
  const ids: Record<string, string> = { kashgar, urumqi };
  const upsert = async (orgId: string, detention: string, row: Row) => {
    await sql`INSERT INTO monitor_detentions (detention_id, org_id, person_id, facility_id, status, last_proof_of_life, ongoing, silence_days, guarded, archived)
      VALUES (${detention}, ${orgId}, ${row.person}, ${row.facility}, ${row.status}, ${row.lastProofOfLife}, ${row.ongoing ?? true}, ${row.silenceDays ?? null}, ${row.guarded ?? false}, ${row.archived ?? false})
      ON CONFLICT (detention_id) DO UPDATE SET person_id = EXCLUDED.person_id, facility_id = EXCLUDED.facility_id, status = EXCLUDED.status, last_proof_of_life = EXCLUDED.last_proof_of_life,
        ongoing = EXCLUDED.ongoing, silence_days = EXCLUDED.silence_days, guarded = EXCLUDED.guarded, archived = EXCLUDED.archived`.execute(services.db);
  };
  const detainee = async (key: string, name: string | null, row: Omit<Row, "person">, options: { restricted?: boolean; personRestricted?: boolean; actor?: Actor; orgId?: string } = {}) => {
    const actor = options.actor ?? admin;
    const person = await create(actor, { schema: "Person", restricted: options.personRestricted ?? false, properties: { name: [name ?? key] } });
    const detention = await create(actor, {
      schema: "Detention",
      restricted: options.restricted ?? false,
      properties: { person: [person], ...(row.facility ? { facility: [row.facility] } : {}), startDate: ["2025-01-10"], ...(row.silenceDays ? { silenceDays: [String(row.silenceDays)] } : {}) },
    });
    ids[key] = detention;
    ids[`${key}Person`] = person;
    await upsert(options.orgId ?? org.orgId, detention, { ...row, person });
  };
  await detainee("never", "Ilham Tohti", { facility: kashgar, status: "incommunicado", lastProofOfLife: null });
  await detainee("old", "Gulshan Abbas", { facility: kashgar, status: "sentenced", lastProofOfLife: "2026-01-01" });
  await detainee("middle", "Rahile Dawut", { facility: urumqi, status: "sentenced", lastProofOfLife: "2026-03-20" });
  await detainee("own", "Ekpar Asat", { facility: urumqi, status: "in-custody", lastProofOfLife: "2026-05-01", silenceDays: 30 });
  await detainee("fresh", "Mahira Yakub", { facility: urumqi, status: "in-custody", lastProofOfLife: "2026-05-20" });
  await detainee("secret", "Restricted case", { facility: kashgar, status: "disappeared", lastProofOfLife: "2025-06-01", guarded: true }, { restricted: true });
  await detainee("guarded", "Hidden person", { facility: urumqi, status: "in-custody", lastProofOfLife: "2025-12-01", guarded: true }, { personRestricted: true });
  await detainee("archived", "Archived case", { facility: kashgar, status: "in-custody", lastProofOfLife: null, archived: true });
  await detainee("ended", "Released person", { facility: kashgar, status: "released", lastProofOfLife: null, ongoing: false });
  await detainee("theirs", "Their detainee", { facility: null, status: "in-custody", lastProofOfLife: null }, { actor: outsider, orgId: other.orgId });
  return { admin, viewer, outsider, ids };
}

for (const target of databaseTargets()) {
  describe(`the silence dashboard on ${target.name}`, () => {
    let services: TestServices;
    let world: Awaited<ReturnType<typeof buildWorld>>;
    const order = (page: SilencePage) => page.items.map((i) => Object.entries(world.ids).find(([, id]) => id === i.detention)?.[0]);

    before(async () => {
      services = await openTestServices(target);
      world = await buildWorld(services);
    });
    after(async () => {
      await services.close();
    });

    it("orders by silence, never heard from first, and leaves out archived, ended and hidden detentions", async () => {
      const viewer = await listSilence(services, NO_ORIGIN, world.viewer, {});
      assert.deepEqual(order(viewer), ["never", "old", "middle", "own", "fresh"]);
      assert.deepEqual(viewer.counts, { never: 1, overdue: 2, approaching: 1, recent: 1 });
      assert.equal(viewer.total, 5);
      const admin = await listSilence(services, NO_ORIGIN, world.admin, {});
      assert.deepEqual(order(admin), ["never", "secret", "guarded", "old", "middle", "own", "fresh"]);
      const first = admin.items[0]!;
      assert.equal(first.person?.name.text, "Ilham Tohti");
      assert.equal(first.facility?.name.text, "Kashgar city prison");
      assert.equal(first.status?.code, "incommunicado");
      assert.equal(first.urgency, "never");
      assert.equal(first.lastProofOfLife, null);
      const old = admin.items.find((i) => i.detention === world.ids.old)!;
      assert.deepEqual({ days: old.days, window: old.window, urgency: old.urgency }, { days: 151, window: 90, urgency: "overdue" });
      const own = admin.items.find((i) => i.detention === world.ids.own)!;
      assert.deepEqual({ days: own.days, window: own.window, urgency: own.urgency }, { days: 31, window: 30, urgency: "overdue" });
      const outsider = await listSilence(services, NO_ORIGIN, world.outsider, {});
      assert.deepEqual(order(outsider), ["theirs"]);
    });

    it("filters by status, facility, urgency, minimum days and name, and counts what matches", async () => {
      const ask = async (query: Record<string, unknown>) => order(await listSilence(services, NO_ORIGIN, world.viewer, query));
      assert.deepEqual(await ask({ status: "sentenced" }), ["old", "middle"]);
      assert.deepEqual(await ask({ status: ["sentenced", "incommunicado"] }), ["never", "old", "middle"]);
      assert.deepEqual(await ask({ facility: world.ids.urumqi }), ["middle", "own", "fresh"]);
      assert.deepEqual(await ask({ urgency: "overdue" }), ["old", "own"]);
      assert.deepEqual(await ask({ urgency: ["never", "approaching"] }), ["never", "middle"]);
      assert.deepEqual(await ask({ minDays: "60" }), ["never", "old", "middle"]);
      assert.deepEqual(await ask({ name: "ilham" }), ["never"]);
      assert.deepEqual(await ask({ name: "Dawut", facility: world.ids.urumqi }), ["middle"]);
      // A name the viewer may not read matches nothing.
      assert.deepEqual(await ask({ name: "Hidden person" }), []);
      const filtered = await listSilence(services, NO_ORIGIN, world.viewer, { facility: world.ids.urumqi, urgency: "overdue" });
      assert.deepEqual(filtered.counts, { never: 0, overdue: 1, approaching: 1, recent: 1 });
      assert.equal(filtered.total, 1);
    });

    it("refuses malformed filters with the field named, and a facility the caller may not see", async () => {
      for (const [query, field] of [
        [{ urgency: "soon" }, "urgency.0"],
        [{ minDays: "-1" }, "minDays"],
        [{ limit: "0" }, "limit"],
        [{ status: "not-a-status" }, "status"],
        [{ facility: "nope" }, "facility.0"],
        [{ cursor: "garbage" }, "cursor"],
        [{ colour: "red" }, "_"],
      ] as const) {
        await assert.rejects(listSilence(services, NO_ORIGIN, world.viewer, query), (error: { status: number; fields: Record<string, string> }) => {
          assert.equal(error.status, 422);
          assert.ok(Object.keys(error.fields).some((k) => k === field || k.startsWith(field)), `${JSON.stringify(query)}: ${JSON.stringify(error.fields)}`);
          return true;
        });
      }
      await assert.rejects(listSilence(services, NO_ORIGIN, world.outsider, { facility: world.ids.kashgar }), { status: 422 });
    });

    it("pages with a cursor through the same order, across the never-heard-from", async () => {
      const seen: (string | undefined)[] = [];
      let cursor: string | undefined;
      let pages = 0;
      do {
        const page = await listSilence(services, NO_ORIGIN, world.admin, { limit: "2", ...(cursor ? { cursor } : {}) });
        seen.push(...order(page));
        cursor = page.nextCursor ?? undefined;
        pages++;
      } while (cursor);
      assert.equal(pages, 4);
      assert.deepEqual(seen, ["never", "secret", "guarded", "old", "middle", "own", "fresh"]);
    });

    it("moves a case from approaching to overdue the day after its window, under the test clock", async () => {
      assert.equal(urgencyOf(90, 90), "approaching");
      assert.equal(urgencyOf(91, 90), "overdue");
      assert.equal(urgencyOf(67, 90), "recent");
      assert.equal(urgencyOf(68, 90), "approaching");
      const urgencyOfMiddle = async () => (await listSilence(services, NO_ORIGIN, world.viewer, {})).items.find((i) => i.detention === world.ids.middle)!;
      const start = services.clock.now().getTime();
      try {
        // 2026-03-20 + 90 days = 2026-06-18: still within the window; a day later, overdue.
        services.clock.advance(17 * DAY);
        assert.deepEqual({ days: (await urgencyOfMiddle()).days, urgency: (await urgencyOfMiddle()).urgency }, { days: 90, urgency: "approaching" });
        assert.deepEqual(order(await listSilence(services, NO_ORIGIN, world.viewer, { urgency: "overdue" })), ["old", "own"]);
        services.clock.advance(DAY);
        assert.deepEqual({ days: (await urgencyOfMiddle()).days, urgency: (await urgencyOfMiddle()).urgency }, { days: 91, urgency: "overdue" });
        assert.deepEqual(order(await listSilence(services, NO_ORIGIN, world.viewer, { urgency: "overdue" })), ["old", "middle", "own"]);
      } finally {
        services.clock.advance(start - services.clock.now().getTime());
      }
    });

    it("measures cases without a window of their own against the organisation's silence rule, as the alerts do", async () => {
      const urgencies = async () => Object.fromEntries((await listSilence(services, NO_ORIGIN, world.viewer, {})).items.map((i) => [Object.entries(world.ids).find(([, id]) => id === i.detention)?.[0], `${i.urgency}/${i.window}`]));
      const before = await urgencies();
      assert.equal(before.middle, "approaching/90");
      try {
        await updateRules(services, NO_ORIGIN, world.admin, { rules: [{ rule: "silence", enabled: true, windowDays: 60 }] });
        const after = await urgencies();
        assert.equal(after.middle, "overdue/60", "73 days of silence is past a 60-day window");
        assert.equal(after.fresh, "recent/60");
        assert.equal(after.own, before.own, "a case with its own window keeps it");
        const counts = (await listSilence(services, NO_ORIGIN, world.viewer, { urgency: "overdue" })).counts;
        assert.equal(counts.overdue, (await listSilence(services, NO_ORIGIN, world.viewer, { urgency: "overdue" })).items.length);
        assert.ok(order(await listSilence(services, NO_ORIGIN, world.viewer, { urgency: "overdue" })).includes("middle"));
      } finally {
        await updateRules(services, NO_ORIGIN, world.admin, { rules: [{ rule: "silence", enabled: true, windowDays: 90 }] });
      }
    });

    it("shows a restricted detention to a viewer put on its access list", async () => {
      const page = await listSilence(services, NO_ORIGIN, world.viewer, {});
      assert.ok(!page.items.some((i) => i.detention === world.ids.secret));
      await grantAccess(services, NO_ORIGIN, world.admin, world.ids.secret!, { user: world.viewer.userId });
      try {
        const after = await listSilence(services, NO_ORIGIN, world.viewer, {});
        assert.deepEqual(order(after), ["never", "secret", "old", "middle", "own", "fresh"]);
        assert.equal(after.items[1]!.restricted, true);
      } finally {
        await sql`DELETE FROM entity_access WHERE entity_id = ${world.ids.secret} AND user_id = ${world.viewer.userId}`.execute(services.db);
      }
    });

    it("shows a detention recorded through the monitor, its transfer and its proof of life, as the projection keeps them", async () => {
      const source = (await createEntity(services, NO_ORIGIN, world.admin, { schema: "Source", properties: { name: ["Family testimony"] } })).id;
      const person = (await createEntity(services, NO_ORIGIN, world.admin, { schema: "Person", properties: { name: ["Abdurehim Heyit"] } })).id;
      const { detention } = await recordDetention(services, NO_ORIGIN, world.admin, { person, startDate: "2025-10-01", source });
      await addStatusChange(services, NO_ORIGIN, world.admin, detention.id, { status: "transferred", date: "2025-11-02", source, facility: world.ids.urumqi });
      const find = async () => (await listSilence(services, NO_ORIGIN, world.viewer, { name: "Heyit" })).items;
      const never = await find();
      assert.deepEqual(never.map((i) => [i.person?.name.text, i.status?.code, i.facility?.id, i.urgency]), [["Abdurehim Heyit", "transferred", world.ids.urumqi, "never"]]);
      await addProofOfLife(services, NO_ORIGIN, world.admin, detention.id, { date: "2026-05-25", source, kind: "visited" });
      const heard = await find();
      assert.deepEqual(heard.map((i) => [i.lastProofOfLife, i.days, i.urgency]), [["2026-05-25", 7, "recent"]]);
      const map = await facilitySilence(services, NO_ORIGIN, world.viewer, { name: "Heyit" });
      assert.deepEqual(map.facilities.map((f) => [f.id, f.held, f.level]), [[world.ids.urumqi, 1, "recent"]]);
      await sql`DELETE FROM monitor_detentions WHERE detention_id = ${detention.id}`.execute(services.db);
    });

    it("colours each facility by the most urgent silence among those held there", async () => {
      const viewer = await facilitySilence(services, NO_ORIGIN, world.viewer, {});
      assert.deepEqual(
        viewer.facilities.map((f) => ({ id: f.id, held: f.held, level: f.level, lat: f.lat, lon: f.lon, overdue: f.overdue, never: f.never })),
        [
          { id: world.ids.kashgar, held: 2, level: "never", lat: 39.47, lon: 75.99, overdue: 1, never: 1 },
          { id: world.ids.urumqi, held: 3, level: "overdue", lat: 43.83, lon: 87.62, overdue: 1, never: 0 },
        ],
      );
      assert.equal(viewer.facilities[1]!.longestDays, 73);
      const approaching = await facilitySilence(services, NO_ORIGIN, world.viewer, { urgency: ["approaching", "recent"] });
      assert.deepEqual(approaching.facilities.map((f) => [f.id, f.held, f.level]), [[world.ids.urumqi, 2, "approaching"]]);
      const admin = await facilitySilence(services, NO_ORIGIN, world.admin, {});
      assert.deepEqual(admin.facilities.map((f) => f.held), [3, 4]);
      const outsider = await facilitySilence(services, NO_ORIGIN, world.outsider, {});
      assert.deepEqual({ facilities: outsider.facilities.length, unplaced: outsider.unplaced }, { facilities: 0, unplaced: 1 });
    });
  });

  describe(`the silence pages and API on ${target.name}`, () => {
    let services: TestServices;
    let world: Awaited<ReturnType<typeof buildWorld>>;
    let viewer: Client;
    let partner: Client;

    before(async () => {
      services = await openTestServices(target);
      world = await buildWorld(services);
      viewer = Client.for(services);
      await viewer.signIn("viewer@watch.example");
      partner = Client.for(services);
      await partner.signIn("partner@watch.example");
    });
    after(async () => {
      await services.close();
    });

    it("answers the API as JSON with the same filters, and refuses a partner and a bad filter", async () => {
      const res = await viewer.get("/api/v1/monitor/silence?urgency=overdue&limit=1");
      assert.equal(res.status, 200);
      const body = (await res.json()) as { total: number; counts: Record<string, number>; items: { detention: string; person: { name: string } | null; urgency: string; days: number }[]; nextCursor: string | null };
      assert.equal(body.total, 2);
      assert.deepEqual(body.items.map((i) => [i.person?.name, i.urgency, i.days]), [["Gulshan Abbas", "overdue", 151]]);
      const next = (await (await viewer.get(`/api/v1/monitor/silence?urgency=overdue&limit=1&cursor=${body.nextCursor}`)).json()) as typeof body;
      assert.deepEqual(next.items.map((i) => i.person?.name), ["Ekpar Asat"]);
      assert.equal(next.nextCursor, null);
      const bad = await viewer.get("/api/v1/monitor/silence?minDays=many");
      assert.equal(bad.status, 422);
      assert.match(bad.headers.get("content-type") ?? "", /problem\+json/);
      assert.equal((await partner.get("/api/v1/monitor/silence")).status, 403);
      assert.equal((await partner.get("/api/v1/monitor/silence/facilities")).status, 403);
      assert.equal((await Client.for(services).get("/api/v1/monitor/silence")).status, 401);
    });

    it("serves the facilities as GeoJSON points", async () => {
      const res = await viewer.get("/api/v1/monitor/silence/facilities");
      assert.equal(res.status, 200);
      assert.match(res.headers.get("content-type") ?? "", /application\/geo\+json/);
      const body = (await res.json()) as { type: string; features: { id: string; geometry: { type: string; coordinates: number[] }; properties: { held: number; level: string } }[] };
      assert.equal(body.type, "FeatureCollection");
      assert.deepEqual(body.features.map((f) => [f.id, f.geometry.coordinates, f.properties.held, f.properties.level]), [
        [world.ids.kashgar, [75.99, 39.47], 2, "never"],
        [world.ids.urumqi, [87.62, 43.83], 3, "overdue"],
      ]);
    });

    it("renders the dashboard without JavaScript, in English, Uyghur (right to left) and Chinese", async () => {
      const english = await (await viewer.get("/monitor")).text();
      assert.match(english, /Who has gone silent/);
      assert.ok(english.indexOf("Ilham Tohti") < english.indexOf("Gulshan Abbas") && english.indexOf("Gulshan Abbas") < english.indexOf("Mahira Yakub"));
      assert.ok(!english.includes("Restricted case") && !english.includes("Hidden person") && !english.includes("Archived case") && !english.includes("Released person"));
      assert.match(english, /<form method="get" action="\/monitor"/);
      assert.match(english, /href="\/monitor"[^>]*aria-current="page"/);
      const client = Client.for(services);
      await client.signIn("viewer@watch.example");
      await client.get("/language/ug");
      const uyghur = await (await client.get("/monitor")).text();
      assert.match(uyghur, /<html[^>]*lang="ug"[^>]*dir="rtl"|<html[^>]*dir="rtl"[^>]*lang="ug"/);
      assert.match(uyghur, /كىملەر جىمىپ كەتتى/);
      assert.match(uyghur, /ھايات ئىسپاتى يوق/);
      await client.get("/language/zh-Hans");
      const chinese = await (await client.get("/monitor?urgency=overdue")).text();
      assert.match(chinese, /谁已失去音讯/);
      assert.match(chinese, /已逾期/);
      assert.ok(chinese.includes("Gulshan Abbas") && !chinese.includes("Ilham Tohti"));
      assert.match(chinese, /href="\/monitor\/map\?urgency=overdue"/, "the map view keeps the filters");
      const chineseRefusal = await client.get("/monitor?minDays=many");
      assert.equal(chineseRefusal.status, 422);
      assert.match(await chineseRefusal.text(), /0 到 36500 之间的整数天数/);
      const refused = await viewer.get("/monitor?minDays=many");
      assert.equal(refused.status, 422);
      assert.match(await refused.text(), /error-summary/);
      assert.equal((await partner.get("/monitor")).status, 403);
    });

    it("draws the facility map as SVG, each facility coloured and linked to the people held there, with a legend", async () => {
      const res = await viewer.get("/monitor/map");
      assert.equal(res.status, 200);
      const html = await res.text();
      assert.match(html, /<svg class="cluster-map silence-map"/);
      assert.match(html, /class="map-land"/);
      assert.match(html, new RegExp(`<a href="/monitor/facilities/${world.ids.kashgar}" aria-label="Kashgar city prison: 2 held[^"]*"><circle class="silence-point silence-never"`));
      assert.match(html, new RegExp(`<a href="/monitor/facilities/${world.ids.urumqi}" aria-label="[^"]*"><circle class="silence-point silence-overdue"`));
      assert.match(html, /class="silence-legend"/);
      const listed = await (await viewer.get(`/monitor?facility=${world.ids.urumqi}`)).text();
      assert.ok(listed.includes("Rahile Dawut") && !listed.includes("Gulshan Abbas"));
    });
  });
}
