import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import type { Actor } from "../../src/core/index.ts";
import { NO_ORIGIN } from "../../src/context.ts";
import { createEntity, mergeEntities, setArchived, undoMerge, updateEntity, type EntityView } from "../../src/records/index.ts";
import { addProofOfLife, addStatusChange, rebuildDetentions, recordDetention } from "../../src/monitor/index.ts";
import { monitorRebuildCommand } from "../../src/cli/monitor.ts";
import { databaseTargets, openTestServices, type TestServices } from "../helpers/database.ts";
import { addMember, sessionFor, setUpOrganisation } from "../helpers/fixtures.ts";

for (const target of databaseTargets()) {
  describe(`the monitor_detentions projection on ${target.name}`, () => {
    let services: TestServices;
    let admin: Actor;
    let editor: Actor;
    let source: EntityView;
    let camp: EntityView;
    let prison: EntityView;
    before(async () => {
      services = await openTestServices(target);
      const org = await setUpOrganisation(services);
      const adminSession = await sessionFor(services, org.adminEmail);
      admin = adminSession.principal.actor;
      editor = (await addMember(services, adminSession.principal, "editor", "editor@watch.example")).principal.actor;
      source = await createEntity(services, NO_ORIGIN, editor, { schema: "Source", properties: { name: ["Testimony T-7"] } });
      camp = await createEntity(services, NO_ORIGIN, editor, { schema: "Address", properties: { full: ["Dabancheng camp"], placeType: ["internment-camp"] } });
      prison = await createEntity(services, NO_ORIGIN, editor, { schema: "Address", properties: { full: ["Urumqi No. 3 prison"], placeType: ["prison"] } });
    });
    after(async () => {
      await services.close();
    });

    const row = (id: string) => services.db.selectFrom("monitor_detentions").selectAll().where("detention_id", "=", id).executeTakeFirst();
    const person = (name: string) => createEntity(services, NO_ORIGIN, editor, { schema: "Person", properties: { name: [name] } });

    it("writes a row when a detention is recorded, and follows status changes and proofs of life", async () => {
      const p = await person("Abdurehim Heyit");
      const d = await recordDetention(services, NO_ORIGIN, editor, { person: p.id, startDate: "2017-04", facility: camp.id, silenceDays: 60, source: source.id });
      let r = await row(d.detention.id);
      assert.ok(r);
      assert.equal(r.person_id, p.id);
      assert.equal(r.facility_id, camp.id);
      assert.equal(r.started_earliest, "2017-04-01");
      assert.equal(r.started_latest, "2017-04-30");
      assert.equal(r.status, null);
      assert.equal(r.ongoing, true);
      assert.equal(r.silence_days, 60);
      assert.equal(r.guarded, false);
      await addStatusChange(services, NO_ORIGIN, editor, d.detention.id, { status: "sentenced", date: "2018-02-10", source: source.id, term: "10 years", sentenceEnd: "2028-02" });
      await addStatusChange(services, NO_ORIGIN, editor, d.detention.id, { status: "transferred", date: "2018-03", source: source.id, facility: prison.id });
      await addProofOfLife(services, NO_ORIGIN, editor, d.detention.id, { date: "2019-05", source: source.id, kind: "visited" });
      await addProofOfLife(services, NO_ORIGIN, editor, d.detention.id, { date: "2018-11-02", source: source.id });
      r = await row(d.detention.id);
      assert.equal(r!.status, "transferred");
      assert.equal(r!.status_earliest, "2018-03-01");
      assert.equal(r!.facility_id, prison.id);
      assert.equal(r!.sentence_end, "2028-02-29");
      assert.equal(r!.last_proof_of_life, "2019-05-31", "the upper bound of the latest proof of life");
      // A transfer to no named facility: the place is unknown.
      await addStatusChange(services, NO_ORIGIN, editor, d.detention.id, { status: "transferred", date: "2020-01", source: source.id });
      r = await row(d.detention.id);
      assert.equal(r!.facility_id, null);
      await addStatusChange(services, NO_ORIGIN, editor, d.detention.id, { status: "released-restricted", date: "2021-06", source: source.id });
      r = await row(d.detention.id);
      assert.equal(r!.ongoing, false);
      assert.equal(r!.status, "released-restricted");
    });

    it("follows edits, archiving and restoring of the detention and of its status changes", async () => {
      const p = await person("Gulshan Abbas");
      const d = await recordDetention(services, NO_ORIGIN, editor, { person: p.id, startDate: "2018-09-11", source: source.id });
      const withStatus = await addStatusChange(services, NO_ORIGIN, editor, d.detention.id, { status: "died-in-custody", date: "2019-01", source: source.id });
      assert.equal((await row(d.detention.id))!.ongoing, false);
      const status = withStatus.statuses[0]!;
      await setArchived(services, NO_ORIGIN, editor, status.id, true, { reason: "entered in error" });
      let r = await row(d.detention.id);
      assert.equal(r!.ongoing, true, "an archived status change no longer counts");
      assert.equal(r!.status, null);
      await setArchived(services, NO_ORIGIN, editor, status.id, false, { reason: "it was right" });
      assert.equal((await row(d.detention.id))!.status, "died-in-custody");
      // An edit of the detention: its window of silence, and a restricted value guards the row.
      const current = withStatus.detention;
      await updateEntity(services, NO_ORIGIN, admin, d.detention.id, { revision: current.revision, reason: "case window", properties: { silenceDays: ["30"], startDate: [{ value: "2018-09-11", sensitivity: "restricted" }] } });
      r = await row(d.detention.id);
      assert.equal(r!.silence_days, 30);
      assert.equal(r!.guarded, true);
      await setArchived(services, NO_ORIGIN, editor, d.detention.id, true, { reason: "duplicate" });
      assert.equal((await row(d.detention.id))!.archived, true);
      await setArchived(services, NO_ORIGIN, editor, d.detention.id, false, { reason: "not a duplicate" });
      assert.equal((await row(d.detention.id))!.archived, false);
    });

    it("guards the row when the person is restricted, and moves it when two persons are merged", async () => {
      const a = await person("Ekpar Asat");
      const b = await person("Ekper Eset");
      const d = await recordDetention(services, NO_ORIGIN, editor, { person: b.id, startDate: "2016-04", source: source.id });
      assert.equal((await row(d.detention.id))!.person_id, b.id);
      const merge = await mergeEntities(services, NO_ORIGIN, editor, a.id, { duplicate: b.id, reason: "one person", revision: a.revision, duplicateRevision: b.revision });
      assert.equal((await row(d.detention.id))!.person_id, a.id, "the detention now points at the record that stayed");
      await undoMerge(services, NO_ORIGIN, editor, merge.id, { reason: "two people after all" });
      assert.equal((await row(d.detention.id))!.person_id, b.id);
      await updateEntity(services, NO_ORIGIN, admin, b.id, { revision: b.revision + 2, reason: "need to know", restricted: true });
      assert.equal((await row(d.detention.id))!.guarded, true);
    });

    it("rebuilds every row from the records", async () => {
      const p = await person("Rahile Dawut");
      const d = await recordDetention(services, NO_ORIGIN, editor, { person: p.id, startDate: "2017-12", source: source.id });
      await addProofOfLife(services, NO_ORIGIN, editor, d.detention.id, { date: "2018-01-05", source: source.id });
      const before = await row(d.detention.id);
      await services.db.deleteFrom("monitor_detentions").execute();
      const result = await rebuildDetentions(services, admin.orgId);
      assert.ok(result.detentions >= 4);
      const after = await row(d.detention.id);
      assert.deepEqual({ ...after, updated_at: null }, { ...before, updated_at: null });
      // The command does the same, for all organisations or one named.
      await services.db.deleteFrom("monitor_detentions").execute();
      const out: string[] = [];
      const io = { out: (line: string) => out.push(line), err: (line: string) => out.push(`err: ${line}`) };
      assert.equal(await monitorRebuildCommand.run(services, { org: "watch" }, "", io), 0);
      assert.deepEqual(out, [`recomputed ${result.detentions} detentions`]);
      assert.deepEqual({ ...(await row(d.detention.id)), updated_at: null }, { ...before, updated_at: null });
      assert.equal(await monitorRebuildCommand.run(services, { org: "nowhere" }, "", io), 1);
      assert.match(out.at(-1)!, /^err: vigil: no such organisation/);
    });
  });
}
