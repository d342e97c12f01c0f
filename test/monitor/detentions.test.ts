import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { Conflict, Forbidden, Invalid, NotFound, type Actor } from "../../src/core/index.ts";
import { NO_ORIGIN } from "../../src/context.ts";
import { commitImport, createEntity, getImport, grantAccess, importJob, receiveImport, setArchived, setImportMapping, type EntityView } from "../../src/records/index.ts";
import { JobRunner } from "../../src/jobs/index.ts";
import { addProofOfLife, addStatusChange, addTreatmentReport, getDetention, getFacility, listFacilities, personDetentions, recordDetention } from "../../src/monitor/index.ts";
import { databaseTargets, openTestServices, type TestServices } from "../helpers/database.ts";
import { addMember, addOrganisation, sessionFor, setUpOrganisation } from "../helpers/fixtures.ts";

const QUIET = { leaseMs: 60_000, heartbeatMs: 3_600_000, pollMs: 3_600_000 };

for (const target of databaseTargets()) {
  describe(`the monitoring service on ${target.name}`, () => {
    let services: TestServices;
    let admin: Actor;
    let editor: Actor;
    let researcher: Actor;
    let viewer: Actor;
    let partner: Actor;
    let outsider: Actor;
    let source: EntityView;
    let camp: EntityView;
    let village: EntityView;
    before(async () => {
      services = await openTestServices(target);
      const org = await setUpOrganisation(services);
      const adminSession = await sessionFor(services, org.adminEmail);
      admin = adminSession.principal.actor;
      editor = (await addMember(services, adminSession.principal, "editor", "editor@watch.example")).principal.actor;
      researcher = (await addMember(services, adminSession.principal, "researcher", "researcher@watch.example")).principal.actor;
      viewer = (await addMember(services, adminSession.principal, "viewer", "viewer@watch.example")).principal.actor;
      partner = (await addMember(services, adminSession.principal, "partner", "partner@watch.example")).principal.actor;
      outsider = (await sessionFor(services, (await addOrganisation(services, "elsewhere")).adminEmail)).principal.actor;
      source = await createEntity(services, NO_ORIGIN, editor, { schema: "Source", properties: { name: ["Testimony T-9"] } });
      camp = await createEntity(services, NO_ORIGIN, editor, { schema: "Address", properties: { full: ["Kashgar camp 3"], placeType: ["internment-camp"], latitude: ["39.4"], longitude: ["76.0"] } });
      village = await createEntity(services, NO_ORIGIN, editor, { schema: "Address", properties: { full: ["Yengisheher village"], placeType: ["village"] } });
    });
    after(async () => {
      await services.close();
    });

    const person = (name: string, by: Actor = editor) => createEntity(services, NO_ORIGIN, by, { schema: "Person", properties: { name: [name] } });
    const count = async (schema: string) => Number((await services.db.selectFrom("entities").select((eb) => eb.fn.countAll<string>().as("n")).where("schema", "=", schema).executeTakeFirstOrThrow()).n);
    /** Asserts the call is refused with a 422 naming `field` with a message matching `message`, and that no record was written. */
    async function refused(call: () => Promise<unknown>, field: string, message: RegExp) {
      const before = await services.db.selectFrom("entities").select((eb) => eb.fn.countAll<string>().as("n")).executeTakeFirstOrThrow();
      await assert.rejects(call, (error: unknown) => {
        assert.ok(error instanceof Invalid, `an Invalid, not ${String(error)}`);
        assert.match(error.fields[field] ?? "", message, JSON.stringify(error.fields));
        return true;
      });
      const after = await services.db.selectFrom("entities").select((eb) => eb.fn.countAll<string>().as("n")).executeTakeFirstOrThrow();
      assert.equal(Number(after.n), Number(before.n), "nothing was written");
    }

    it("gives a person's detentions with full timelines in date order, with their sources", async () => {
      const p = await person("Ilham Tohti");
      const d = await recordDetention(services, NO_ORIGIN, researcher, { person: p.id, startDate: "2014-01-15", grounds: "separatism", source: source.id });
      services.clock.advanceSeconds(1);
      await addProofOfLife(services, NO_ORIGIN, editor, d.detention.id, { date: "2016-05", source: source.id, kind: "visited", reporter: "his sister", reporterSensitivity: "secret" });
      await addStatusChange(services, NO_ORIGIN, editor, d.detention.id, { status: "sentenced", date: "2014-09-23", source: source.id, court: "Urumqi Intermediate People's Court", term: "life" });
      await addTreatmentReport(services, NO_ORIGIN, editor, d.detention.id, { treatment: "denial-of-family-visits", date: "2017", source: source.id });
      await addStatusChange(services, NO_ORIGIN, editor, d.detention.id, { status: "transferred", date: "2014-11", source: source.id, facility: camp.id });
      const [view] = await personDetentions(services, NO_ORIGIN, viewer, p.id);
      assert.ok(view);
      assert.deepEqual(view.timeline.map((e) => [e.kind, e.date]), [["detained", "2014-01-15"], ["status", "2014-09-23"], ["status", "2014-11"], ["proof-of-life", "2016-05"], ["treatment", "2017"]]);
      assert.ok(view.timeline.filter((e) => e.kind !== "detained").every((e) => e.record.statements.every((s) => s.source === source.id)), "every value cites its source");
      assert.equal(view.summary.status, "transferred");
      assert.equal(view.summary.facilityId, camp.id);
      assert.equal(view.summary.lastProofOfLife, "2016-05-31");
      const proof = view.proofsOfLife[0]!;
      assert.equal(proof.statements.find((s) => s.property === "reporter")!.value, null, "who reported is sealed as secret");
      const facility = await getFacility(services, NO_ORIGIN, viewer, camp.id);
      assert.deepEqual(facility.heldNow.map((v) => v.detention.id), [d.detention.id]);
      const listed = await listFacilities(services, NO_ORIGIN, viewer);
      assert.deepEqual(listed.map((f) => [f.facility.id, f.heldNow]), [[camp.id, 1]], "a village is not a facility");
      // Released: held there before, not now.
      await addStatusChange(services, NO_ORIGIN, editor, d.detention.id, { status: "released", date: "2024-01", source: source.id });
      const after = await getFacility(services, NO_ORIGIN, viewer, camp.id);
      assert.deepEqual([after.heldNow.length, after.heldBefore.map((v) => v.detention.id)], [0, [d.detention.id]]);
      await assert.rejects(getFacility(services, NO_ORIGIN, viewer, village.id), NotFound);
    });

    it("refuses bad input with a clear message for the field, and writes nothing", async () => {
      const p = await person("Rahile Dawut");
      const d = await recordDetention(services, NO_ORIGIN, editor, { person: p.id, startDate: "2017-12-05", source: source.id });
      const id = d.detention.id;
      await refused(() => addStatusChange(services, NO_ORIGIN, editor, id, { status: "released", date: "2017-11-30", source: source.id }), "date", /before the detention began \(2017-12-05\)/);
      await refused(() => addStatusChange(services, NO_ORIGIN, editor, id, { status: "charged", date: "2018-01" }), "source", /cite the Source/);
      await refused(() => addStatusChange(services, NO_ORIGIN, editor, id, { status: "pardoned", date: "2018-01", source: source.id }), "status", /pardoned|term|vocabulary/);
      await refused(() => addStatusChange(services, NO_ORIGIN, editor, id, { status: "charged", date: "early 2018", source: source.id }), "date", /not an EDTF date/);
      await refused(() => addStatusChange(services, NO_ORIGIN, editor, id, { status: "transferred", date: "2018-02", source: source.id, facility: village.id }), "facility", /not a facility/);
      await refused(() => addStatusChange(services, NO_ORIGIN, editor, id, { status: "transferred", date: "2018-02", source: source.id, facility: "00000000-0000-4000-8000-000000000000" }), "facility", /no such facility/);
      await refused(() => addStatusChange(services, NO_ORIGIN, editor, id, { status: "transferred", date: "2018-02", source: source.id, facility: source.id }), "facility", /must be a facility/);
      // Today is 2026-06-01 by the test clock.
      await refused(() => addProofOfLife(services, NO_ORIGIN, editor, id, { date: "2026-06-02", source: source.id }), "date", /in the future: today is 2026-06-01/);
      await addProofOfLife(services, NO_ORIGIN, editor, id, { date: "2026-06", source: source.id }); // may mean today
      await addStatusChange(services, NO_ORIGIN, editor, id, { status: "released", date: "2019", source: source.id });
      await refused(() => addStatusChange(services, NO_ORIGIN, editor, id, { status: "released-restricted", date: "2020", source: source.id }), "status", /already recorded as released/);
      await refused(() => recordDetention(services, NO_ORIGIN, editor, { person: p.id, startDate: "2018-06", source: source.id }), "confirmOverlap", /overlaps the detention/);
      await refused(() => recordDetention(services, NO_ORIGIN, editor, { person: p.id, startDate: "2020", silenceDays: 0 }), "silenceDays", /between 1 and 3650/);
      await refused(() => recordDetention(services, NO_ORIGIN, editor, { person: p.id, startDate: "2020", silenceDays: 3651 }), "silenceDays", /between 1 and 3650/);
      await refused(() => recordDetention(services, NO_ORIGIN, editor, { person: camp.id, startDate: "2020" }), "person", /must be a Person/);
      await refused(() => recordDetention(services, NO_ORIGIN, editor, { person: p.id, startDate: "2020", facility: village.id }), "facility", /not a facility/);
      await refused(() => recordDetention(services, NO_ORIGIN, editor, { person: p.id, startDate: "2020-13-01" }), "startDate", /not an EDTF date/);
      // A second detention after the release is fine; one that overlaps an ongoing one needs confirming.
      const again = await recordDetention(services, NO_ORIGIN, editor, { person: p.id, startDate: "2021-03", source: source.id });
      await refused(() => recordDetention(services, NO_ORIGIN, editor, { person: p.id, startDate: "2022", source: source.id }), "confirmOverlap", /already recorded as detained \(since 2021-03-01/);
      const confirmed = await recordDetention(services, NO_ORIGIN, editor, { person: p.id, startDate: "2022", source: source.id, confirmOverlap: true });
      assert.notEqual(confirmed.detention.id, again.detention.id);
      // An archived detention takes nothing more.
      await setArchived(services, NO_ORIGIN, editor, confirmed.detention.id, true, { reason: "entered twice" });
      const before = await count("CustodyStatus");
      await assert.rejects(addStatusChange(services, NO_ORIGIN, editor, confirmed.detention.id, { status: "charged", date: "2022-05", source: source.id }), Conflict);
      assert.equal(await count("CustodyStatus"), before);
    });

    it("lets viewers read, those who document write, and refuses partners and other organisations", async () => {
      const p = await person("Ekpar Asat");
      const d = await recordDetention(services, NO_ORIGIN, editor, { person: p.id, startDate: "2016-04", source: source.id });
      const id = d.detention.id;
      assert.equal((await getDetention(services, NO_ORIGIN, viewer, id)).detention.id, id);
      const before = await count("CustodyStatus");
      await assert.rejects(addStatusChange(services, NO_ORIGIN, viewer, id, { status: "charged", date: "2016-05", source: source.id }), Forbidden);
      await assert.rejects(recordDetention(services, NO_ORIGIN, viewer, { person: p.id, startDate: "2016-04" }), Forbidden);
      await assert.rejects(getDetention(services, NO_ORIGIN, partner, id), Forbidden);
      await assert.rejects(listFacilities(services, NO_ORIGIN, partner), Forbidden);
      await assert.rejects(addProofOfLife(services, NO_ORIGIN, partner, id, { date: "2016-05", source: source.id }), Forbidden);
      await assert.rejects(getDetention(services, NO_ORIGIN, outsider, id), NotFound);
      await assert.rejects(addStatusChange(services, NO_ORIGIN, outsider, id, { status: "charged", date: "2016-05", source: source.id }), NotFound);
      await assert.rejects(personDetentions(services, NO_ORIGIN, outsider, p.id), NotFound);
      assert.deepEqual(await listFacilities(services, NO_ORIGIN, outsider), []);
      assert.equal(await count("CustodyStatus"), before);
      await addStatusChange(services, NO_ORIGIN, researcher, id, { status: "charged", date: "2016-05", source: source.id });
      assert.equal(await count("CustodyStatus"), before + 1);
    });

    it("hides restricted detentions and restricted steps from who may not read them, and their summary too", async () => {
      const p = await person("Gulshan Abbas");
      const secretCase = await recordDetention(services, NO_ORIGIN, admin, { person: p.id, startDate: "2018-09", source: source.id, restricted: true });
      await assert.rejects(getDetention(services, NO_ORIGIN, researcher, secretCase.detention.id), NotFound);
      assert.deepEqual(await personDetentions(services, NO_ORIGIN, researcher, p.id), []);
      const q = await person("Abduqadir Jalalidin");
      const open = await recordDetention(services, NO_ORIGIN, editor, { person: q.id, startDate: "2018-01", source: source.id });
      await addStatusChange(services, NO_ORIGIN, admin, open.detention.id, { status: "transferred", date: "2019-02", source: source.id, facility: camp.id, sensitivity: "restricted" });
      const seen = await getDetention(services, NO_ORIGIN, viewer, open.detention.id);
      assert.deepEqual(seen.statuses[0]!.statements.filter((s) => s.property === "facility" || s.property === "status"), [], "restricted values are not shown");
      assert.equal(seen.summary.facilityId, null, "nor used for the summary");
      assert.ok(!(await getFacility(services, NO_ORIGIN, viewer, camp.id)).heldNow.some((v) => v.detention.id === open.detention.id));
      const row = await services.db.selectFrom("monitor_detentions").selectAll().where("detention_id", "=", open.detention.id).executeTakeFirstOrThrow();
      assert.deepEqual([row.facility_id, row.guarded], [camp.id, true], "the projection knows, and is guarded");
      // Who may read restricted values (an administrator here) sees where the person is.
      assert.equal((await getDetention(services, NO_ORIGIN, admin, open.detention.id)).summary.facilityId, camp.id);
      // On the restricted detention's access list, a researcher knows of it.
      await grantAccess(services, NO_ORIGIN, admin, secretCase.detention.id, { user: researcher.userId });
      assert.equal((await personDetentions(services, NO_ORIGIN, researcher, p.id)).length, 1);
    });

    it("keeps the projection up to date through an import", async () => {
      const runner = new JobRunner(services, [importJob], { ...QUIET, workerId: "test" });
      const lines = [
        { id: "p", schema: "Person", properties: { name: ["Imported Person"] } },
        { id: "d", schema: "Detention", properties: { person: ["p"], startDate: ["2019-03"], silenceDays: ["45"] } },
        { id: "s", schema: "CustodyStatus", properties: { detention: ["d"], status: ["incommunicado"], date: ["2019-04"] } },
        { id: "l", schema: "ProofOfLife", properties: { detention: ["d"], date: ["2019-05-02"] } },
      ].map((l) => JSON.stringify(l));
      const started = await receiveImport(services, NO_ORIGIN, editor, { source: [Buffer.from(lines.join("\n"))], filename: "detentions.jsonl", format: "ftm" });
      await commitImport(services, NO_ORIGIN, editor, started.id);
      await runner.drain();
      const { recordIdFor } = await import("../../src/records/import-ftm.ts");
      const row = await services.db.selectFrom("monitor_detentions").selectAll().where("detention_id", "=", recordIdFor(started.id, "d")).executeTakeFirst();
      assert.ok(row, "the imported detention has its row");
      assert.deepEqual([row.person_id, row.status, row.last_proof_of_life, row.silence_days, row.ongoing], [recordIdFor(started.id, "p"), "incommunicado", "2019-05-02", 45, true]);
    });

    it("keeps the projection up to date through CSV imports of detentions and of their statuses", async () => {
      const runner = new JobRunner(services, [importJob], { ...QUIET, workerId: "test" });
      const csvImport = async (text: string, mapping: unknown) => {
        const started = await receiveImport(services, NO_ORIGIN, editor, { source: [Buffer.from(text)], filename: "rows.csv", format: "csv" });
        await setImportMapping(services, NO_ORIGIN, editor, started.id, { mapping });
        await commitImport(services, NO_ORIGIN, editor, started.id);
        await runner.drain();
        const done = await getImport(services, NO_ORIGIN, editor, started.id);
        assert.equal(done.state, "imported", done.error ?? "");
        return done;
      };
      const p = await person("Rahile Dawut");
      const before = await services.db.selectFrom("monitor_detentions").select("detention_id").execute();
      await csvImport(`Person,Started,Silence\n${p.id},2020-01,30\n`, { schema: "Detention", columns: { Person: "person", Started: "startDate", Silence: "silenceDays" } });
      const rows = await services.db.selectFrom("monitor_detentions").selectAll().where("detention_id", "not in", before.map((r) => r.detention_id)).execute();
      assert.equal(rows.length, 1, "the imported detention has its row");
      assert.deepEqual([rows[0]!.person_id, rows[0]!.silence_days, rows[0]!.ongoing, rows[0]!.status], [p.id, 30, true, null]);
      const detentionId = rows[0]!.detention_id;
      // A status imported later names the detention by its id: the detention's row follows.
      await csvImport(`Detention,Status,Date\n${detentionId},incommunicado,2020-06\n`, { schema: "CustodyStatus", columns: { Detention: "detention", Status: "status", Date: "date" } });
      const row = await services.db.selectFrom("monitor_detentions").selectAll().where("detention_id", "=", detentionId).executeTakeFirstOrThrow();
      assert.deepEqual([row.person_id, row.status, row.silence_days], [p.id, "incommunicado", 30]);
      // Importing people touches no detention row.
      const snapshot = await services.db.selectFrom("monitor_detentions").select(["detention_id", "updated_at"]).orderBy("detention_id").execute();
      await csvImport("Name\nNew Person\n", { schema: "Person", columns: { Name: "name" } });
      assert.deepEqual(await services.db.selectFrom("monitor_detentions").select(["detention_id", "updated_at"]).orderBy("detention_id").execute(), snapshot);
    });
  });
}
