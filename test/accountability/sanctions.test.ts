import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { Forbidden, Invalid, NotFound, type Actor } from "../../src/core/index.ts";
import type { Origin } from "../../src/context.ts";
import { createEntity } from "../../src/records/index.ts";
import {
  decideMatch, documentedResponsibility, gapCsv, gapTable, getMatch, getSanctionsStatus, importListFile, listMatches, matchListEntries, screenRecords,
} from "../../src/accountability/index.ts";
import { databaseTargets, openTestServices, type TestServices } from "../helpers/database.ts";
import { addMember, addOrganisation, sessionFor, setUpOrganisation } from "../helpers/fixtures.ts";
import { ftmLines, sdnXml, ukCsv } from "./list-fixtures.ts";

const FROM: Origin = { requestId: "req-sanctions-match", ip: null, userAgent: "test" };
const file = (text: string) => ({ source: [Buffer.from(text)], filename: "list" });

for (const target of databaseTargets()) {
  describe(`sanctions matching and the gap table on ${target.name}`, () => {
    let services: TestServices;
    let admin: Actor;
    let researcher: Actor;
    let viewer: Actor;
    let outsider: Actor;
    const ids = {} as Record<"chen" | "zhu" | "tohti" | "hik" | "secret", string>;

    const involve = async (person: string, name: string, violation: string) => {
      const incident = (await createEntity(services, FROM, admin, { schema: "Incident", properties: { name: [name], violation: [violation] } })).id;
      await createEntity(services, FROM, admin, { schema: "Involvement", properties: { incident: [incident], participant: [person], role: ["alleged-perpetrator"] } });
    };

    before(async () => {
      services = await openTestServices(target);
      const org = await setUpOrganisation(services);
      const adminSession = await sessionFor(services, org.adminEmail);
      admin = adminSession.principal.actor;
      researcher = (await addMember(services, adminSession.principal, "researcher", "researcher@watch.example")).principal.actor;
      viewer = (await addMember(services, adminSession.principal, "viewer", "viewer@watch.example")).principal.actor;
      const other = await addOrganisation(services, "elsewhere");
      outsider = (await sessionFor(services, other.adminEmail)).principal.actor;
      ids.chen = (await createEntity(services, FROM, admin, { schema: "Person", properties: { name: ["陈全国"], birthDate: ["1955-11"] } })).id;
      ids.zhu = (await createEntity(services, FROM, admin, { schema: "Person", properties: { name: ["Zhu Hailun"] } })).id;
      ids.tohti = (await createEntity(services, FROM, admin, { schema: "Person", properties: { name: ["Ilham Tohti"] } })).id;
      ids.hik = (await createEntity(services, FROM, admin, { schema: "Company", properties: { name: ["Hikvision Digital Technology Co., Ltd."] } })).id;
      ids.secret = (await createEntity(services, FROM, admin, { schema: "Person", restricted: true, properties: { name: ["Wang Mingshan"] } })).id;
      await involve(ids.chen, "Beatings at the Urumqi camp", "torture");
      await involve(ids.zhu, "Mass detentions in Kashgar", "arbitrary-detention");
      await involve(ids.zhu, "Detentions in Hotan", "arbitrary-detention");
      await importListFile(services, FROM, admin, { list: "sdn", format: "sdn-xml" }, file(sdnXml("07/31/2020", [
        { uid: "28000", type: "Individual", firstName: "Quanguo", lastName: "CHEN", programs: ["GLOMAG"], dob: "Nov 1955" },
        { uid: "28001", type: "Entity", lastName: "HANGZHOU HIKVISION DIGITAL TECHNOLOGY CO., LTD.", programs: ["CMIC"] },
        { uid: "28002", type: "Individual", firstName: "Mingshan", lastName: "WANG", programs: ["GLOMAG"] },
      ])));
      await importListFile(services, FROM, admin, { list: "uk", format: "uk-csv" }, file(ukCsv("22/03/2021", [
        { "Name 6": "ZHU", "Name 1": "Hailun", "Group Type": "Individual", "Alias Type": "Primary name", Regime: "Global Human Rights", "Group ID": "14070" },
      ])));
      await importListFile(services, FROM, admin, { list: "eu", format: "ftm", jurisdictions: ["EU"] }, file(ftmLines([{ id: "EU-1", schema: "Person", properties: { name: ["Somebody Else"] } }])));
    });
    after(async () => {
      await services.close();
    });

    it("proposes candidates across scripts through the names engine, never to a viewer", async () => {
      await assert.rejects(screenRecords(services, FROM, viewer), Forbidden);
      const outcome = await screenRecords(services, FROM, researcher);
      assert.equal(outcome.candidates, 3);
      const page = await listMatches(services, FROM, researcher, {});
      const pairs = page.items.map((m) => [m.entity.id, m.entry.sourceId, m.list.name]).sort();
      assert.deepEqual(pairs, [[ids.chen, "28000", "sdn"], [ids.hik, "28001", "sdn"], [ids.zhu, "14070", "uk"]].sort());
      assert.ok(page.items.every((m) => m.status === "candidate" && m.score >= 0.7 && m.explanation.length > 0));
      // Run again: nothing new, the undecided ones rescored.
      const again = await screenRecords(services, FROM, researcher);
      assert.deepEqual([again.candidates, again.updated], [0, 3]);
    });

    it("keeps a restricted official's matches from whoever may not know of them", async () => {
      const adminView = await screenRecords(services, FROM, admin);
      assert.equal(adminView.candidates, 1);
      assert.equal((await listMatches(services, FROM, admin, { entity: ids.secret })).total, 1);
      assert.equal((await listMatches(services, FROM, viewer, { entity: ids.secret })).total, 0);
      assert.equal((await listMatches(services, FROM, outsider, {})).total, 0);
    });

    it("confirms and rejects with a reason, reversibly, and reads the status per jurisdiction", async () => {
      const byEntity = async (id: string) => (await listMatches(services, FROM, researcher, { entity: id, status: "all" })).items[0]!;
      const chen = await byEntity(ids.chen);
      await assert.rejects(decideMatch(services, FROM, viewer, chen.id, { status: "confirmed", reason: "same person" }), Forbidden);
      await assert.rejects(decideMatch(services, FROM, researcher, chen.id, { status: "confirmed", reason: " " }), Invalid);
      await assert.rejects(decideMatch(services, FROM, researcher, chen.id, { status: "maybe", reason: "x" }), Invalid);
      await assert.rejects(decideMatch(services, FROM, outsider, chen.id, { status: "confirmed", reason: "x" }), NotFound);
      await decideMatch(services, FROM, researcher, chen.id, { status: "confirmed", reason: "same birth month, Party Secretary of Xinjiang 2016–2021" });
      await decideMatch(services, FROM, researcher, (await byEntity(ids.zhu)).id, { status: "confirmed", reason: "same post" });
      const hik = await byEntity(ids.hik);
      await decideMatch(services, FROM, researcher, hik.id, { status: "rejected", reason: "the listed entity is the Hangzhou parent" });
      const reopened = await decideMatch(services, FROM, researcher, hik.id, { status: "candidate", reason: "the parent is the same company after all" });
      assert.equal(reopened.status, "candidate");
      assert.deepEqual(reopened.decisions.map((d) => d.status), ["rejected", "candidate"]);
      const chenStatus = await getSanctionsStatus(services, FROM, viewer, ids.chen);
      assert.deepEqual([chenStatus.byJurisdiction.US, chenStatus.byJurisdiction.UK, chenStatus.byJurisdiction.EU], ["sanctioned", "none", "none"]);
      assert.deepEqual(chenStatus.lists.map((l) => [l.name, l.programs]), [["sdn", ["GLOMAG"]]]);
      assert.equal((await getSanctionsStatus(services, FROM, viewer, ids.hik)).byJurisdiction.US, "candidate");
      await assert.rejects(getSanctionsStatus(services, FROM, outsider, ids.chen), NotFound);
      const audited = await services.db.selectFrom("audit_events").select("action").where("target_id", "=", hik.id).orderBy("id").execute();
      assert.deepEqual(audited.map((a) => a.action), ["sanctions.match.reject", "sanctions.match.reopen"]);
      assert.equal((await getMatch(services, FROM, viewer, chen.id)).decided?.reason, "same birth month, Party Secretary of Xinjiang 2016–2021");
    });

    it("ranks officials by documented responsibility against where they are sanctioned", async () => {
      const responsibility = await documentedResponsibility(services, viewer, [ids.chen, ids.zhu, ids.tohti]);
      assert.deepEqual(responsibility.get(ids.zhu), { direct: 2, command: 0, gravity: 6 });
      assert.deepEqual(responsibility.get(ids.chen), { direct: 1, command: 0, gravity: 4 });
      const table = await gapTable(services, FROM, viewer, {});
      assert.deepEqual(table.jurisdictions, ["US", "UK", "EU"]);
      assert.deepEqual(table.rows.map((r) => [r.person.id, r.gravity, r.sanctionedBy, r.notSanctionedBy]), [
        [ids.zhu, 6, ["UK"], ["US", "EU"]],
        [ids.chen, 4, ["US"], ["UK", "EU"]],
      ]);
      const notUk = await gapTable(services, FROM, viewer, { notBy: "UK" });
      assert.deepEqual(notUk.rows.map((r) => r.person.id), [ids.chen]);
      const byUs = await gapTable(services, FROM, viewer, { by: "US", jurisdictions: "US,UK" });
      assert.deepEqual([byUs.jurisdictions, byUs.rows.map((r) => r.person.id)], [["US", "UK"], [ids.chen]]);
      assert.deepEqual((await gapTable(services, FROM, viewer, { minGravity: "5" })).rows.map((r) => r.person.id), [ids.zhu]);
      await assert.rejects(gapTable(services, FROM, viewer, { minGravity: "-1" }), Invalid);
      await assert.rejects(gapTable(services, FROM, viewer, { notBy: "XX" }), Invalid);
      await assert.rejects(gapTable(services, FROM, viewer, { sort: "name" }), Invalid);
      assert.equal((await gapTable(services, FROM, outsider, {})).rows.length, 0);
      const csv = await gapCsv(services, FROM, viewer, {});
      const lines = csv.trim().split("\r\n");
      assert.equal(lines[0], "rank,person_id,name,incidents_direct,incidents_command,gravity,status_US,status_UK,status_EU,sanctioned_by,not_sanctioned_by,lists,gap");
      assert.equal(lines[1], `1,${ids.zhu},Zhu Hailun,2,0,6,none,sanctioned,none,UK,US;EU,uk,"sanctioned by UK, not by US or EU"`);
    });

    it("marks an official delisted when a newer list no longer holds them", async () => {
      await importListFile(services, FROM, admin, { list: "sdn", format: "sdn-xml" }, file(sdnXml("08/31/2020", [
        { uid: "28001", type: "Entity", lastName: "HANGZHOU HIKVISION DIGITAL TECHNOLOGY CO., LTD.", programs: ["CMIC"] },
        { uid: "28002", type: "Individual", firstName: "Mingshan", lastName: "WANG", programs: ["GLOMAG"] },
      ])));
      assert.equal((await getSanctionsStatus(services, FROM, viewer, ids.chen)).byJurisdiction.US, "delisted");
    });

    it("matches names in bulk against every list for supplier screening", async () => {
      const [hik, nobody, chen] = await matchListEntries(services.db, viewer, [
        { name: "Hikvision Digital Technology", country: "China" },
        { name: "Acme Textiles Ltd" },
        { name: "Chen Quanguo", schema: "Person" },
      ]);
      assert.deepEqual(hik!.map((m) => [m.sourceId, m.list.name, m.jurisdictions]), [["28001", "sdn", ["US"]]]);
      assert.deepEqual(nobody, []);
      assert.deepEqual(chen!.map((m) => [m.sourceId, m.delisted]), [["28000", true]]);
      await assert.rejects(matchListEntries(services.db, viewer, [{ name: "" }]), Invalid);
      await assert.rejects(matchListEntries(services.db, viewer, [{ name: "!!!" }]), Invalid);
      await assert.rejects(matchListEntries(services.db, { ...viewer, role: "partner" }, [{ name: "Hikvision" }]), Forbidden);
      assert.deepEqual(await matchListEntries(services.db, outsider, [{ name: "Hikvision Digital Technology" }]), [[]]);
    });
  });
}
