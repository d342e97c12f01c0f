import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { Conflict, Forbidden, Invalid, NotFound, type Actor } from "../../src/core/index.ts";
import type { Origin } from "../../src/context.ts";
import { createEntity, entityHistory, getEntity, grantAccess, listEntities, setArchived, updateEntity, type EntityView } from "../../src/records/index.ts";
import { databaseTargets, openTestServices, type TestServices } from "../helpers/database.ts";
import { addMember, addOrganisation, sessionFor, setUpOrganisation } from "../helpers/fixtures.ts";

const FROM: Origin = { requestId: "req-records", ip: "203.0.113.9", userAgent: "test" };

async function invalidFields(promise: Promise<unknown>): Promise<Record<string, string>> {
  const error = await promise.then(() => assert.fail("expected a refusal"), (e: unknown) => e);
  assert.ok(error instanceof Invalid, `expected Invalid, got ${String(error)}`);
  return error.fields;
}

for (const target of databaseTargets()) {
  describe(`documentation records on ${target.name}`, () => {
    let services: TestServices;
    let admin: Actor;
    let editor: Actor;
    let researcher: Actor;
    let viewer: Actor;
    let partner: Actor;
    let outsider: Actor;
    let testimony: EntityView;
    let courtDocument: EntityView;
    before(async () => {
      services = await openTestServices(target);
      const org = await setUpOrganisation(services);
      const adminSession = await sessionFor(services, org.adminEmail);
      admin = adminSession.principal.actor;
      editor = (await addMember(services, adminSession.principal, "editor", "editor@watch.example")).principal.actor;
      researcher = (await addMember(services, adminSession.principal, "researcher", "researcher@watch.example")).principal.actor;
      viewer = (await addMember(services, adminSession.principal, "viewer", "viewer@watch.example")).principal.actor;
      partner = (await addMember(services, adminSession.principal, "partner", "partner@watch.example")).principal.actor;
      const other = await addOrganisation(services, "elsewhere");
      outsider = (await sessionFor(services, other.adminEmail)).principal.actor;
      testimony = await createEntity(services, FROM, editor, { schema: "Source", properties: { name: ["Testimony T-12"], sourceType: ["testimony"] } });
      courtDocument = await createEntity(services, FROM, editor, { schema: "Source", properties: { name: ["Court document D-3"], sourceType: ["document"] } });
    });
    after(async () => {
      await services.close();
    });

    it("creates a person in the FtM shape, with statements citing their sources", async () => {
      const person = await createEntity(services, FROM, editor, {
        schema: "Person",
        properties: {
          name: ["Ilham Tohti", { value: "ئىلھام توختى", lang: "ug", script: "Arab", source: testimony.id }],
          birthDate: [{ value: "1969", source: testimony.id }, { value: "1970", source: courtDocument.id, confidence: 0.9 }],
        },
      });
      assert.equal(person.schema, "Person");
      assert.equal(person.revision, 1);
      assert.deepEqual(person.properties, { birthDate: ["1969", "1970"], name: ["Ilham Tohti", "ئىلھام توختى"] });
      const uyghur = person.statements.find((s) => s.value === "ئىلھام توختى")!;
      assert.deepEqual([uyghur.lang, uyghur.script, uyghur.source, uyghur.sensitivity], ["ug", "Arab", testimony.id, "internal"]);
      // Conflicting birth dates stay side by side, each with its source and its range.
      const births = person.statements.filter((s) => s.property === "birthDate").map((s) => [s.value, s.source, s.dateEarliest, s.dateLatest]);
      assert.deepEqual(births, [["1969", testimony.id, "1969-01-01", "1969-12-31"], ["1970", courtDocument.id, "1970-01-01", "1970-12-31"]]);
      const audit = await services.db.selectFrom("audit_events").selectAll().where("action", "=", "record.create").where("target_id", "=", person.id).execute();
      assert.equal(audit.length, 1);
    });

    it("refuses unknown schemata and properties, bad dates, huge values and wrong references, naming each", async () => {
      assert.ok("schema" in (await invalidFields(createEntity(services, FROM, editor, { schema: "Spaceship", properties: {} }))));
      assert.ok("schema" in (await invalidFields(createEntity(services, FROM, editor, { schema: "Thing", properties: { name: ["x"] } }))));
      const fields = await invalidFields(
        createEntity(services, FROM, editor, {
          schema: "Person",
          properties: { name: ["Someone"], favouriteColour: ["blue"], birthDate: ["1969-02-30"], deathDate: ["2019/2017"], nationality: ["atlantis"] },
        }),
      );
      assert.match(fields["properties.favouriteColour"]!, /Person has no property "favouriteColour"/);
      assert.match(fields["properties.birthDate.0"]!, /February has 28 days, not 30/);
      assert.match(fields["properties.deathDate.0"]!, /before it begins/);
      assert.match(fields["properties.nationality.0"]!, /not a known country/);
      const huge = await invalidFields(createEntity(services, FROM, editor, { schema: "Person", properties: { name: ["x".repeat(100_000)] } }));
      assert.match(huge["properties.name.0"]!, /at most 65000 characters/);
      const long = await invalidFields(createEntity(services, FROM, editor, { schema: "Person", properties: { name: ["x".repeat(1000)] } }));
      assert.match(long["properties.name.0"]!, /longer than 384/);
      const missing = await invalidFields(createEntity(services, FROM, editor, { schema: "Person", properties: { birthDate: ["1970"] } }));
      assert.equal(missing["properties.name"], "required");
      const person = await createEntity(services, FROM, editor, { schema: "Person", properties: { name: ["Not a source"] } });
      const refs = await invalidFields(
        createEntity(services, FROM, editor, {
          schema: "Involvement",
          properties: { incident: [person.id], participant: ["00000000-0000-4000-8000-000000000000"], role: [{ value: "victim", source: person.id }] },
        }),
      );
      assert.match(refs["properties.incident.0"]!, /must be a Incident record, not a Person/);
      assert.equal(refs["properties.participant.0"], "no such record");
      assert.match(refs["properties.role.0.source"]!, /must be a Source record/);
      const count = await services.db.selectFrom("entities").select((eb) => eb.fn.countAll<number>().as("n")).where("schema", "=", "Involvement").executeTakeFirstOrThrow();
      assert.equal(Number(count.n), 0, "nothing half-written");
    });

    it("links an incident, its victim and a perpetrator unit through involvements", async () => {
      const place = await createEntity(services, FROM, researcher, { schema: "Address", properties: { full: ["Urumqi detention centre"], country: ["cn"] } });
      const incident = await createEntity(services, FROM, researcher, { schema: "Incident", properties: { name: ["Arrest at the market"], violation: ["arbitrary-arrest"], date: ["2017-06~"], place: [place.id] } });
      const victim = await createEntity(services, FROM, researcher, { schema: "Person", properties: { name: ["Victim One"] } });
      const unit = await createEntity(services, FROM, researcher, { schema: "PublicBody", properties: { name: ["Police unit 7"] } });
      for (const [participant, role] of [[victim.id, "victim"], [unit.id, "alleged perpetrator"]] as const) {
        const involvement = await createEntity(services, FROM, researcher, { schema: "Involvement", properties: { incident: [incident.id], participant: [participant], role: [role] } });
        assert.deepEqual(involvement.properties.participant, [participant]);
      }
      assert.deepEqual(incident.statements.find((s) => s.property === "date")?.dateLatest, "2017-06-30");
      const fields = await invalidFields(createEntity(services, FROM, researcher, { schema: "Incident", properties: { name: ["x"], involvements: [incident.id] } }));
      assert.match(fields["properties.involvements"]!, /reverse of a relationship/);
    });

    it("updates with the revision edited, records why, and refuses a stale revision instead of overwriting", async () => {
      const person = await createEntity(services, FROM, editor, { schema: "Person", properties: { name: ["Gulnar"], birthDate: ["1980"] } });
      const updated = await updateEntity(services, FROM, editor, person.id, { revision: 1, reason: "the testimony gives 1981", properties: { birthDate: [{ value: "1981", source: testimony.id }] } });
      assert.equal(updated.revision, 2);
      assert.deepEqual(updated.properties, { birthDate: ["1981"], name: ["Gulnar"] });
      // A second editor still holding revision 1 must not overwrite the first one's change.
      await assert.rejects(updateEntity(services, FROM, researcher, person.id, { revision: 1, reason: "typo", properties: { name: ["Gulnara"] } }), (e: unknown) => e instanceof Conflict && /at revision 2, not 1/.test(e.message));
      const after = await getEntity(services, FROM, viewer, person.id);
      assert.deepEqual(after.properties.name, ["Gulnar"]);
      assert.equal(after.revision, 2);
      await assert.rejects(updateEntity(services, FROM, editor, person.id, { revision: 2, reason: "  ", properties: {} }), Invalid);
    });

    it("keeps a plain value's sourced statements, and keeps history of every retraction", async () => {
      const person = await createEntity(services, FROM, editor, { schema: "Person", properties: { name: [{ value: "Mehmet", source: testimony.id }], alias: ["Memet", "Mamat"] } });
      const updated = await updateEntity(services, FROM, editor, person.id, { revision: 1, reason: "Mamat was another person", properties: { name: ["Mehmet"], alias: ["Memet"] } });
      assert.equal(updated.statements.find((s) => s.property === "name")?.source, testimony.id, "the sourced statement is kept, not replaced");
      assert.deepEqual(updated.properties.alias, ["Memet"]);
      const history = await entityHistory(services, FROM, viewer, person.id);
      assert.deepEqual(history.revisions.map((r) => [r.number, r.kind, r.reason]), [[2, "update", "Mamat was another person"], [1, "create", "created"]]);
      assert.deepEqual(history.diff.removed.map((s) => s.value), ["Mamat"]);
      assert.deepEqual(history.diff.added, []);
      const retracted = await services.db.selectFrom("statements").selectAll().where("entity_id", "=", person.id).where("value", "=", "Mamat").executeTakeFirstOrThrow();
      assert.equal(retracted.retracted_revision, 2, "retracted, not deleted");
      const whole = await entityHistory(services, FROM, viewer, person.id, { from: "0", to: "1" });
      assert.deepEqual(whole.diff.added.map((s) => s.value).sort(), ["Mamat", "Mehmet", "Memet"]);
      await assert.rejects(entityHistory(services, FROM, viewer, person.id, { from: "2", to: "1" }), Invalid);
    });

    it("archives and restores with a reason, leaving lists but losing nothing", async () => {
      const person = await createEntity(services, FROM, editor, { schema: "Person", properties: { name: ["Entered twice"] } });
      await assert.rejects(setArchived(services, FROM, editor, person.id, true, {}), Invalid);
      const archived = await setArchived(services, FROM, editor, person.id, true, { reason: "duplicate of another record" });
      assert.deepEqual([archived.revision, archived.archived?.reason], [2, "duplicate of another record"]);
      const listed = await listEntities(services, FROM, viewer, { schema: "Person", limit: "200" });
      assert.ok(!listed.entities.some((e) => e.id === person.id));
      const only = await listEntities(services, FROM, viewer, { archived: "only" });
      assert.deepEqual(only.entities.map((e) => e.id), [person.id]);
      await assert.rejects(updateEntity(services, FROM, editor, person.id, { revision: 2, reason: "x", properties: { name: ["y"] } }), Conflict);
      const restored = await setArchived(services, FROM, editor, person.id, false, { reason: "not a duplicate after all" });
      assert.deepEqual([restored.revision, restored.archived, restored.properties.name], [3, null, ["Entered twice"]]);
      const kinds = (await entityHistory(services, FROM, viewer, person.id)).revisions.map((r) => r.kind);
      assert.deepEqual(kinds, ["restore", "archive", "create"]);
    });

    it("lets viewers read and refuses them writing; partners and other organisations see nothing", async () => {
      await assert.rejects(createEntity(services, FROM, viewer, { schema: "Person", properties: { name: ["x"] } }), Forbidden);
      await assert.rejects(updateEntity(services, FROM, viewer, testimony.id, { revision: 1, reason: "x", properties: {} }), Forbidden);
      await assert.rejects(setArchived(services, FROM, viewer, testimony.id, true, { reason: "x" }), Forbidden);
      await assert.rejects(listEntities(services, FROM, partner, {}), Forbidden);
      await assert.rejects(getEntity(services, FROM, outsider, testimony.id), NotFound);
      await assert.rejects(updateEntity(services, FROM, outsider, testimony.id, { revision: 1, reason: "x", properties: {} }), NotFound);
      assert.deepEqual((await listEntities(services, FROM, outsider, {})).entities, []);
      const denied = await services.db.selectFrom("audit_events").select("action").where("actor_id", "=", viewer.userId).where("outcome", "=", "denied").execute();
      assert.ok(denied.some((d) => d.action === "record.create"));
    });

    it("hides a restricted record from everyone off its access list, in gets, lists and references", async () => {
      const incident = await createEntity(services, FROM, editor, { schema: "Incident", restricted: true, properties: { name: ["Sensitive case"] } });
      assert.equal(incident.restricted, true);
      await assert.rejects(getEntity(services, FROM, researcher, incident.id), NotFound);
      await assert.rejects(getEntity(services, FROM, viewer, incident.id), NotFound);
      const seen = async (actor: Actor) => (await listEntities(services, FROM, actor, { schema: "Incident", limit: 200 })).entities.some((e) => e.id === incident.id);
      assert.deepEqual([await seen(editor), await seen(admin), await seen(researcher), await seen(viewer)], [true, true, false, false]);
      const victim = await createEntity(services, FROM, researcher, { schema: "Person", properties: { name: ["Someone"] } });
      const fields = await invalidFields(createEntity(services, FROM, researcher, { schema: "Involvement", properties: { incident: [incident.id], participant: [victim.id] } }));
      assert.equal(fields["properties.incident.0"], "no such record", "a reference does not confirm the record exists");
      await assert.rejects(grantAccess(services, FROM, researcher, incident.id, { user: researcher.userId }), Forbidden);
      await grantAccess(services, FROM, editor, incident.id, { user: viewer.userId });
      assert.deepEqual((await getEntity(services, FROM, viewer, incident.id)).properties.name, ["Sensitive case"]);
      assert.equal(await seen(viewer), true);
    });

    it("shows restricted statements only to the access list and administrators", async () => {
      const person = await createEntity(services, FROM, admin, { schema: "Person", properties: { name: ["Public name", { value: "Hidden alias", sensitivity: "restricted" }] } });
      assert.deepEqual((await getEntity(services, FROM, admin, person.id)).properties.name, ["Public name", "Hidden alias"]);
      const asViewer = await getEntity(services, FROM, viewer, person.id);
      assert.deepEqual(asViewer.properties.name, ["Public name"]);
      assert.equal(asViewer.statements.length, 1);
      const fields = await invalidFields(updateEntity(services, FROM, editor, person.id, { revision: 1, reason: "x", properties: { alias: [{ value: "y", sensitivity: "restricted" }] } }));
      assert.match(fields["properties.alias.0"]!, /access list/);
      // An editor who cannot see the restricted name does not remove it by rewriting the names.
      const updated = await updateEntity(services, FROM, editor, person.id, { revision: 1, reason: "spelling", properties: { name: ["Public Name"] } });
      assert.equal(updated.revision, 2);
      assert.deepEqual((await getEntity(services, FROM, admin, person.id)).properties.name!.sort(), ["Hidden alias", "Public Name"]);
    });

    it("seals secret values with the application key, reveals them on request only, and audits every read", async () => {
      const source = await createEntity(services, FROM, editor, { schema: "Source", properties: { name: ["Witness W-1"], author: [{ value: "Real name of the witness", sensitivity: "secret" }] } });
      const stored = await services.db.selectFrom("statements").selectAll().where("entity_id", "=", source.id).where("property", "=", "author").executeTakeFirstOrThrow();
      assert.equal(stored.value, null);
      assert.ok(stored.value_sealed && !stored.value_sealed.toString("latin1").includes("Real name"));
      const plain = await getEntity(services, FROM, editor, source.id);
      const sealed = plain.statements.find((s) => s.property === "author")!;
      assert.deepEqual([sealed.value, sealed.sealed], [null, true]);
      assert.equal(plain.properties.author, undefined);
      await assert.rejects(getEntity(services, FROM, viewer, source.id, { revealSecrets: true }), Forbidden);
      const before = await services.db.selectFrom("audit_events").select("id").where("action", "=", "record.secret.read").execute();
      const revealed = await getEntity(services, FROM, editor, source.id, { revealSecrets: true });
      assert.deepEqual(revealed.properties.author, ["Real name of the witness"]);
      const reads = await services.db.selectFrom("audit_events").selectAll().where("action", "=", "record.secret.read").execute();
      assert.equal(reads.length, before.length + 1);
      assert.equal(reads.at(-1)!.target_id, stored.id);
      assert.equal(reads.at(-1)!.actor_id, editor.userId);
      // The value is bound to its row: moved to another statement, it no longer opens.
      const other = await createEntity(services, FROM, editor, { schema: "Source", properties: { name: ["Witness W-2"], author: [{ value: "Someone else", sensitivity: "secret" }] } });
      await services.db.updateTable("statements").set({ value_sealed: stored.value_sealed }).where("entity_id", "=", other.id).where("property", "=", "author").execute();
      await assert.rejects(getEntity(services, FROM, editor, other.id, { revealSecrets: true }));
      // Rewriting the visible values keeps the secret; only an explicit retraction removes it.
      const updated = await updateEntity(services, FROM, editor, source.id, { revision: 1, reason: "rename", properties: { name: ["Witness W-1 (2019)"], author: [] } });
      assert.equal(updated.statements.filter((s) => s.property === "author").length, 1);
      const retracted = await updateEntity(services, FROM, editor, source.id, { revision: 2, reason: "the witness asked", retract: [stored.id] });
      assert.equal(retracted.statements.filter((s) => s.property === "author").length, 0);
    });

    it("pages through a list with a cursor, newest first, filtered by schema and its descendants", async () => {
      const names = ["Page A", "Page B", "Page C", "Page D", "Page E"];
      for (const name of names) {
        services.clock.advanceSeconds(1);
        await createEntity(services, FROM, editor, { schema: "Company", properties: { name: [name] } });
      }
      const seen: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await listEntities(services, FROM, viewer, { schema: "Company", limit: 2, ...(cursor ? { cursor } : {}) });
        assert.ok(page.entities.length <= 2);
        seen.push(...page.entities.map((e) => e.properties.name![0]!));
        cursor = page.nextCursor ?? undefined;
      } while (cursor);
      assert.deepEqual(seen, [...names].reverse());
      const legal = await listEntities(services, FROM, viewer, { schema: "LegalEntity", limit: 200 });
      assert.ok(legal.entities.some((e) => e.schema === "Company") && legal.entities.some((e) => e.schema === "Person"));
      assert.ok(!legal.entities.some((e) => e.schema === "Source"));
      await assert.rejects(listEntities(services, FROM, viewer, { cursor: "bm9wZQ" }), Invalid);
      await assert.rejects(listEntities(services, FROM, viewer, { schema: "Spaceship" }), Invalid);
    });
  });
}
