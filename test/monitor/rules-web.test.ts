import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { sql } from "kysely";
import { NO_ORIGIN } from "../../src/context.ts";
import type { Actor } from "../../src/core/index.ts";
import { createEntity } from "../../src/records/index.ts";
import { evaluateAlerts, subscribe } from "../../src/monitor/index.ts";
import { databaseTargets, openTestServices, type TestServices } from "../helpers/database.ts";
import { addMember, sessionFor, setUpOrganisation } from "../helpers/fixtures.ts";
import { Client } from "../helpers/http.ts";

interface Row {
  status: string;
  facility?: string | null;
  sentenceEnd?: string | null;
  ongoing?: boolean;
  lastProofOfLife?: string | null;
}

for (const target of databaseTargets()) {
  describe(`alert rules and pages on ${target.name}`, () => {
    let services: TestServices;
    let admin: Actor;
    let editor: Actor;
    let adminEmail = "";
    let facilityId = "";

    async function detention(name: string, row: Row) {
      const person = await createEntity(services, NO_ORIGIN, editor, { schema: "Person", properties: { name: [name] } });
      const d = await createEntity(services, NO_ORIGIN, editor, { schema: "Detention", properties: { person: [person.id], startDate: ["2025-01-01"] } });
      await sql`
        insert into monitor_detentions (detention_id, org_id, person_id, facility_id, status, status_earliest, status_latest, started_latest, last_proof_of_life, sentence_end, ongoing)
        values (${d.id}, ${editor.orgId}, ${person.id}, ${row.facility ?? null}, ${row.status}, '2026-05-01', '2026-05-01', '2025-01-01', ${row.lastProofOfLife === undefined ? "2026-05-20" : row.lastProofOfLife}, ${row.sentenceEnd ?? null}, ${row.ongoing ?? true})
        on conflict (detention_id) do update set facility_id = excluded.facility_id, status = excluded.status, status_earliest = excluded.status_earliest, status_latest = excluded.status_latest,
          started_latest = excluded.started_latest, last_proof_of_life = excluded.last_proof_of_life, sentence_end = excluded.sentence_end, ongoing = excluded.ongoing`.execute(services.db);
      return d.id;
    }

    async function evaluate() {
      return services.db.transaction().execute((tx) => evaluateAlerts(services, tx));
    }

    before(async () => {
      services = await openTestServices(target);
      const org = await setUpOrganisation(services);
      adminEmail = org.adminEmail;
      const adminPrincipal = (await sessionFor(services, org.adminEmail)).principal;
      admin = adminPrincipal.actor;
      editor = (await addMember(services, adminPrincipal, "editor", "editor@watch.example")).principal.actor;
      facilityId = (await createEntity(services, NO_ORIGIN, editor, { schema: "Address", properties: { full: ["Camp No. 3, Dabancheng"] } })).id;
    });
    after(async () => {
      await services.close();
    });

    it("raises death, unknown transfer and overdue sentence alerts once each, and status changes from new CustodyStatus records only", async () => {
      const died = await detention("Abdulla", { status: "died-in-custody", ongoing: false, lastProofOfLife: "2026-05-30" });
      const vanished = await detention("Buzeynep", { status: "disappeared" });
      const movedNowhere = await detention("Chimen", { status: "transferred" });
      const movedToCamp = await detention("Dilnur", { status: "transferred", facility: facilityId });
      const overdue = await detention("Ekber", { status: "sentenced", sentenceEnd: "2026-05-31", facility: facilityId });
      const notYet = await detention("Ferhat", { status: "sentenced", sentenceEnd: "2026-06-01", facility: facilityId });
      // Evaluated on 2026-06-01 (the test clock), before any status record exists: the cursor starts now.
      const first = await evaluate();
      assert.deepEqual(first.raised, { silence: 0, "sentence-overdue": 1, death: 1, "unknown-transfer": 2, "status-change": 0 });
      const byRule = async (rule: string) => (await services.db.selectFrom("alerts").select("detention_id").where("rule", "=", rule).execute()).map((r) => r.detention_id).sort();
      assert.deepEqual(await byRule("death"), [died]);
      assert.deepEqual(await byRule("unknown-transfer"), [vanished, movedNowhere].sort());
      assert.deepEqual(await byRule("sentence-overdue"), [overdue]);
      assert.ok(!(await byRule("unknown-transfer")).includes(movedToCamp));
      assert.ok(!(await byRule("sentence-overdue")).includes(notYet));

      // A status change recorded after the cursor: one alert; evaluated again, none.
      services.clock.advance(60_000);
      const status = await createEntity(services, NO_ORIGIN, editor, { schema: "CustodyStatus", properties: { detention: [notYet], status: ["released"], date: ["2026-06-01"] } });
      services.clock.advance(60_000);
      const second = await evaluate();
      assert.equal(second.raised["status-change"], 1);
      const change = await services.db.selectFrom("alerts").selectAll().where("rule", "=", "status-change").executeTakeFirstOrThrow();
      assert.deepEqual([change.detention_id, change.fact, change.status], [notYet, `status:${status.id}`, "released"]);
      const third = await evaluate();
      assert.deepEqual(Object.values(third.raised), [0, 0, 0, 0, 0], "nothing is raised twice");
    });

    it("fans an alert out to a facility's watchers and a saved search, but not to a watcher of another case", async () => {
      const reader = (await addMember(services, (await sessionFor(services, adminEmail)).principal, "viewer", "viewer@watch.example")).principal.actor;
      await subscribe(services, NO_ORIGIN, reader, { kind: "facility", target: facilityId, email: false });
      await subscribe(services, NO_ORIGIN, admin, { kind: "search", label: "Silent people", rules: ["silence"], email: false });
      const elsewhere = await detention("Gulnar", { status: "in-custody" });
      await subscribe(services, NO_ORIGIN, editor, { kind: "detention", target: elsewhere, email: false });
      const silent = await detention("Hasan", { status: "in-custody", facility: facilityId, lastProofOfLife: "2026-01-01" });
      const result = await evaluate();
      assert.equal(result.raised.silence, 1);
      const alert = await services.db.selectFrom("alerts").select("id").where("detention_id", "=", silent).where("rule", "=", "silence").executeTakeFirstOrThrow();
      const reached = (await services.db.selectFrom("alert_notifications").select("user_id").where("alert_id", "=", alert.id).execute()).map((r) => r.user_id).sort();
      assert.deepEqual(reached, [reader.userId, admin.userId].sort());
    });

    it("shows the inbox count in the header, and refuses a nonsensical window on the rules page with a clear message", async () => {
      const client = Client.for(services);
      await client.signIn(adminEmail);
      const home = await (await client.get("/alerts")).text();
      assert.match(home, /Alerts[^<]*<span class="badge"> \(1 unread\)/);
      const refused = await client.submit("/alerts/rules", "/alerts/rules", { enabled: ["silence", "death"], windowDays: "0" });
      assert.equal(refused.status, 422);
      assert.match(await refused.text(), /The window must be at least 1 day/);
      const tooLong = await client.submit("/alerts/rules", "/alerts/rules", { enabled: ["silence"], windowDays: "99999" });
      assert.match(await tooLong.text(), /at most 3650 days/);
      const saved = await client.submit("/alerts/rules", "/alerts/rules", { enabled: ["silence", "death"], windowDays: "45" });
      assert.equal(saved.status, 303);
      const rules = await services.db.selectFrom("alert_rules").select(["rule", "enabled", "window_days"]).orderBy("rule").execute();
      assert.deepEqual(rules.find((r) => r.rule === "silence"), { rule: "silence", enabled: true, window_days: 45 });
      assert.equal(rules.find((r) => r.rule === "status-change")?.enabled, false);
      // The API says the same in problem+json.
      const token = /name="_csrf" value="([^"]*)"/.exec(await (await client.get("/alerts/rules")).text())![1]!;
      const api = await client.request("/api/v1/alert-rules", { method: "POST", body: JSON.stringify({ rules: [{ rule: "silence", enabled: true, windowDays: -3 }] }), headers: { "content-type": "application/json", "x-csrf-token": token, origin: "http://vigil.test" } });
      assert.equal(api.status, 422);
      assert.equal(api.headers.get("content-type"), "application/problem+json");
    });

    it("serves a feed at its secret address as Atom, and nothing once revoked", async () => {
      const client = Client.for(services);
      await client.signIn(adminEmail);
      const made = await client.submit("/alerts/watch", "/alerts/feeds", { title: "Desk feed" });
      const address = /<code dir="ltr">http:\/\/vigil\.test(\/feeds\/vgf_[A-Za-z0-9_-]{43})<\/code>/.exec(await made.text())?.[1];
      assert.ok(address, "the address is shown once");
      const feed = await Client.for(services).get(address);
      assert.equal(feed.status, 200);
      assert.equal(feed.headers.get("content-type"), "application/atom+xml; charset=utf-8");
      assert.match(await feed.text(), /<feed xmlns="http:\/\/www.w3.org\/2005\/Atom">/);
      const id = (await services.db.selectFrom("alert_feeds").select("id").where("title", "=", "Desk feed").executeTakeFirstOrThrow()).id;
      await client.submit("/alerts/watch", `/alerts/feeds/${id}/revoke`, {});
      assert.equal((await Client.for(services).get(address)).status, 404);
    });
  });
}
