import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { Conflict, Forbidden, Invalid, NotFound, type Actor } from "../../src/core/index.ts";
import type { Origin } from "../../src/context.ts";
import {
  addTeamMember, createEntity, createTeam, entityHistory, getAccessList, getEntity, getMerge, grantAccess, listEntities, listRelationships, mergeEntities, runBulkOperation,
  setArchived, startBulkOperation, undoMerge, updateEntity, type EntityView,
} from "../../src/records/index.ts";
import { databaseTargets, openTestServices, type TestServices } from "../helpers/database.ts";
import { addMember, addOrganisation, sessionFor, setUpOrganisation } from "../helpers/fixtures.ts";

const FROM: Origin = { requestId: "req-merge", ip: "203.0.113.9", userAgent: "test" };

/** What a statement says, without the ids and revisions a merge and its undoing renumber. */
function said(entity: EntityView) {
  return entity.statements
    .map((s) => [s.property, s.value, s.lang, s.script, s.source, s.confidence, s.sensitivity, s.author, s.createdAt.toISOString()].join("|"))
    .sort();
}

for (const target of databaseTargets()) {
  describe(`merging records on ${target.name}`, () => {
    let services: TestServices;
    let admin: Actor;
    let editor: Actor;
    let researcher: Actor;
    let viewer: Actor;
    let outsider: Actor;
    let testimony: EntityView;
    before(async () => {
      services = await openTestServices(target);
      const org = await setUpOrganisation(services);
      const adminSession = await sessionFor(services, org.adminEmail);
      admin = adminSession.principal.actor;
      editor = (await addMember(services, adminSession.principal, "editor", "editor@watch.example")).principal.actor;
      researcher = (await addMember(services, adminSession.principal, "researcher", "researcher@watch.example")).principal.actor;
      viewer = (await addMember(services, adminSession.principal, "viewer", "viewer@watch.example")).principal.actor;
      outsider = (await sessionFor(services, (await addOrganisation(services, "elsewhere")).adminEmail)).principal.actor;
      testimony = await createEntity(services, FROM, editor, { schema: "Source", properties: { name: ["Testimony T-12"], sourceType: ["testimony"] } });
    });
    after(async () => {
      await services.close();
    });

    async function nameKeys(entityId: string): Promise<string[]> {
      // A key is stored once per birth decade the record may have; the set of keys is what leads to it.
      return (await services.db.selectFrom("name_keys").select("key").distinct().where("entity_id", "=", entityId).execute()).map((r) => r.key).sort();
    }

    async function ledgerSize(): Promise<number> {
      const row = await services.db.selectFrom("ledger_leaves").select((eb) => eb.fn.countAll<number>().as("n")).where("org_id", "=", admin.orgId).executeTakeFirstOrThrow();
      return Number(row.n);
    }

    it("merges a person entered twice, keeping every statement with its source, and undoes it exactly", async () => {
      const a = await createEntity(services, FROM, editor, { schema: "Person", properties: { name: ["Ilham Tohti"], birthDate: [{ value: "1969", source: testimony.id }] } });
      services.clock.advanceSeconds(5);
      const b = await createEntity(services, FROM, researcher, {
        schema: "Person",
        properties: {
          name: [{ value: "ئىلھام توختى", lang: "ug", script: "Arab", source: testimony.id, confidence: 0.8 }],
          birthDate: [{ value: "1970", source: testimony.id }],
          notes: [{ value: "Address of a relative", sensitivity: "secret" }],
        },
      });
      const incident = await createEntity(services, FROM, editor, { schema: "Incident", properties: { name: ["Arrest in Beijing"], violation: ["arbitrary-arrest"], date: ["2014-01-15"] } });
      const involvement = await createEntity(services, FROM, editor, { schema: "Involvement", properties: { incident: [incident.id], participant: [b.id], role: ["victim"] } });
      const [aBefore, bBefore, aKeys, bKeys, leaves] = [await getEntity(services, FROM, admin, a.id), await getEntity(services, FROM, admin, b.id), await nameKeys(a.id), await nameKeys(b.id), await ledgerSize()];
      assert.ok(bKeys.length > 0);

      services.clock.advanceSeconds(60);
      const merge = await mergeEntities(services, FROM, researcher, a.id, { duplicate: b.id, reason: "the same man: same birthplace and family", revision: 1, duplicateRevision: 1 });
      assert.deepEqual(merge.moved, { statements: 3, references: 1, citations: 0 });
      assert.deepEqual([merge.target, merge.merged, merge.targetRevision, merge.mergedRevision], [a.id, b.id, 2, 2]);

      const merged = await getEntity(services, FROM, editor, a.id, { revealSecrets: true });
      assert.deepEqual(merged.properties.name, ["Ilham Tohti", "ئىلھام توختى"]);
      assert.deepEqual(merged.properties.birthDate, ["1969", "1970"], "conflicting values stay side by side");
      assert.deepEqual(merged.properties.notes, ["Address of a relative"], "a secret value moves sealed and still opens");
      const moved = merged.statements.find((s) => s.value === "ئىلھام توختى")!;
      assert.deepEqual([moved.source, moved.author, moved.lang, moved.script, moved.confidence, moved.revision], [testimony.id, researcher.userId, "ug", "Arab", 0.8, 2]);
      assert.ok(moved.copiedFrom && bBefore.statements.some((s) => s.id === moved.copiedFrom), "provenance: the statement it was copied from");
      assert.equal(moved.createdAt.toISOString(), bBefore.statements.find((s) => s.id === moved.copiedFrom)!.createdAt.toISOString());

      // B is a redirect: it says where it went, leaves lists, and cannot be edited or restored.
      const redirect = await getEntity(services, FROM, viewer, b.id);
      assert.equal(redirect.mergedInto, a.id);
      assert.ok(redirect.archived);
      assert.deepEqual(redirect.statements, []);
      assert.ok(!(await listEntities(services, FROM, viewer, { schema: "Person", limit: 200 })).entities.some((e) => e.id === b.id));
      await assert.rejects(updateEntity(services, FROM, editor, b.id, { revision: 2, reason: "x", properties: { name: ["y"] } }), Conflict);
      await assert.rejects(setArchived(services, FROM, editor, b.id, false, { reason: "bring back" }), /undo the merge/);

      // What pointed at B points at A, in a revision of its own.
      const repointed = await getEntity(services, FROM, viewer, involvement.id);
      assert.deepEqual([repointed.properties.participant, repointed.revision], [[a.id], 2]);
      assert.equal((await entityHistory(services, FROM, viewer, involvement.id)).revisions[0]!.kind, "merge");
      const relationships = await listRelationships(services, FROM, viewer, a.id);
      assert.deepEqual(relationships.edges.map((e) => [e.relationship.id, e.property, e.others.map((o) => o.record.id)]), [[involvement.id, "participant", [incident.id]]]);

      // Both histories say what happened, why, and by whom.
      const historyA = await entityHistory(services, FROM, viewer, a.id);
      assert.deepEqual([historyA.revisions[0]!.kind, historyA.revisions[0]!.reason, historyA.revisions[0]!.author], ["merge", "the same man: same birthplace and family", researcher.userId]);
      assert.equal(historyA.revisions[0]!.summary.mergedFrom, b.id);
      assert.equal(historyA.diff.added.length, 3);
      const historyB = await entityHistory(services, FROM, viewer, b.id);
      assert.deepEqual([historyB.revisions[0]!.kind, historyB.diff.removed.length], ["merge", 3]);
      const audit = await services.db.selectFrom("audit_events").selectAll().where("action", "=", "record.merge").execute();
      assert.deepEqual(audit.map((e) => [e.target_id, e.details.merged, e.actor_id]), [[a.id, b.id, researcher.userId]]);
      // The merge, and the reading of the secret value above ("viewed"): both custody-ledger events.
      assert.equal(await ledgerSize(), leaves + 2, "a merge is a custody-ledger event");

      // The names index follows the names: B's keys now lead to A.
      assert.deepEqual(await nameKeys(b.id), []);
      assert.deepEqual(await nameKeys(a.id), [...new Set([...aKeys, ...bKeys])].sort());

      services.clock.advanceSeconds(60);
      const undone = await undoMerge(services, FROM, researcher, merge.id, { reason: "two different men after all" });
      assert.equal(undone.undone?.reason, "two different men after all");
      const [aAfter, bAfter] = [await getEntity(services, FROM, admin, a.id), await getEntity(services, FROM, admin, b.id)];
      assert.deepEqual(said(aAfter), said(aBefore));
      assert.deepEqual(said(bAfter), said(bBefore));
      assert.deepEqual([bAfter.archived, bAfter.mergedInto, aAfter.properties, bAfter.properties], [null, null, aBefore.properties, bBefore.properties]);
      assert.deepEqual((await getEntity(services, FROM, admin, b.id, { revealSecrets: true })).properties.notes, ["Address of a relative"]);
      assert.deepEqual((await getEntity(services, FROM, viewer, involvement.id)).properties.participant, [b.id]);
      assert.deepEqual([await nameKeys(a.id), await nameKeys(b.id)], [aKeys, bKeys]);
      assert.deepEqual((await entityHistory(services, FROM, viewer, b.id)).revisions.map((r) => r.kind), ["unmerge", "merge", "create"]);
      // The merge, its undoing, and two readings of the secret value.
      assert.equal(await ledgerSize(), leaves + 4);
      await assert.rejects(undoMerge(services, FROM, researcher, merge.id, { reason: "again" }), /already undone/);
    });

    it("re-points citations when two sources are one, and puts them back on undo", async () => {
      const first = await createEntity(services, FROM, editor, { schema: "Source", properties: { name: ["Report, English edition"], sourceType: ["ngo-report"] } });
      const second = await createEntity(services, FROM, editor, { schema: "Source", properties: { name: ["Report, Uyghur edition"], sourceType: ["ngo-report"] } });
      const person = await createEntity(services, FROM, editor, { schema: "Person", properties: { name: [{ value: "Gulshan Abbas", source: second.id }] } });
      const merge = await mergeEntities(services, FROM, editor, first.id, { duplicate: second.id, reason: "two editions of one report", revision: 1, duplicateRevision: 1 });
      assert.equal(merge.moved.citations, 1);
      const cited = await getEntity(services, FROM, viewer, person.id);
      assert.deepEqual([cited.statements[0]!.source, cited.revision], [first.id, 1]);
      await undoMerge(services, FROM, editor, merge.id, { reason: "they differ" });
      assert.equal((await getEntity(services, FROM, viewer, person.id)).statements[0]!.source, second.id);
    });

    it("keeps edits made to the surviving record after the merge when the merge is undone", async () => {
      const a = await createEntity(services, FROM, editor, { schema: "Person", properties: { name: ["Rahile Dawut"] } });
      const b = await createEntity(services, FROM, editor, { schema: "Person", properties: { name: ["Rahila Dawut"], nationality: ["cn"] } });
      const merge = await mergeEntities(services, FROM, editor, a.id, { duplicate: b.id, reason: "same scholar", revision: 1, duplicateRevision: 1 });
      const edited = await updateEntity(services, FROM, editor, a.id, { revision: 2, reason: "profession from the report", properties: { position: ["Professor"] } });
      // A merge made from a stale view is refused, like any edit.
      const c = await createEntity(services, FROM, editor, { schema: "Person", properties: { name: ["R. Dawut"] } });
      await assert.rejects(mergeEntities(services, FROM, editor, a.id, { duplicate: c.id, reason: "x", revision: 2, duplicateRevision: 1 }), /revision 3, not 2/);
      await undoMerge(services, FROM, editor, merge.id, { reason: "split again" });
      const after = await getEntity(services, FROM, viewer, a.id);
      assert.deepEqual(after.properties, { name: ["Rahile Dawut"], position: ["Professor"] });
      assert.equal(after.revision, edited.revision + 1);
      assert.deepEqual((await getEntity(services, FROM, viewer, b.id)).properties, { name: ["Rahila Dawut"], nationality: ["cn"] });
    });

    it("refuses nonsense merges with a clear message, writing nothing", async () => {
      const person = await createEntity(services, FROM, editor, { schema: "Person", properties: { name: ["One person"] } });
      const organisation = await createEntity(services, FROM, editor, { schema: "Organization", properties: { name: ["A bureau"] } });
      const company = await createEntity(services, FROM, editor, { schema: "Company", properties: { name: ["A company"] } });
      const body = (duplicate: string) => ({ duplicate, reason: "same", revision: 1, duplicateRevision: 1 });
      const intoItself = await mergeEntities(services, FROM, editor, person.id, body(person.id)).catch((e: unknown) => e);
      assert.ok(intoItself instanceof Invalid && /into itself/.test(intoItself.message));
      const across = await mergeEntities(services, FROM, editor, person.id, body(organisation.id)).catch((e: unknown) => e);
      assert.ok(across instanceof Invalid && /not the same kind of record/.test(across.message));
      const wrongWay = await mergeEntities(services, FROM, editor, organisation.id, body(company.id)).catch((e: unknown) => e);
      assert.ok(wrongWay instanceof Invalid && /merge this record into the Company instead/.test(wrongWay.message));
      const archived = await createEntity(services, FROM, editor, { schema: "Person", properties: { name: ["Archived one"] } });
      await setArchived(services, FROM, editor, archived.id, true, { reason: "entered by mistake" });
      await assert.rejects(mergeEntities(services, FROM, editor, person.id, { ...body(archived.id), duplicateRevision: 2 }), /archived: restore it/);
      await assert.rejects(mergeEntities(services, FROM, editor, person.id, body("00000000-0000-4000-8000-000000000000")), Invalid);
      const missing = await mergeEntities(services, FROM, editor, person.id, { duplicate: "nope" }).catch((e: unknown) => e);
      assert.ok(missing instanceof Invalid && missing.fields.duplicate && missing.fields.reason);
      const merges = await services.db.selectFrom("entity_merges").select("id").where("target_id", "in", [person.id, organisation.id]).execute();
      assert.deepEqual(merges, []);
    });

    it("rolls back a merge that would make a person their own relative, leaving both records as they were", async () => {
      const a = await createEntity(services, FROM, editor, { schema: "Person", properties: { name: ["Father"] } });
      const b = await createEntity(services, FROM, editor, { schema: "Person", properties: { name: ["Father (again)"] } });
      const family = await createEntity(services, FROM, editor, { schema: "Family", properties: { person: [a.id], relative: [b.id], relationship: ["brother"] } });
      const refused = await mergeEntities(services, FROM, editor, a.id, { duplicate: b.id, reason: "same", revision: 1, duplicateRevision: 1 }).catch((e: unknown) => e);
      assert.ok(refused instanceof Conflict && /relating a record to itself/.test(refused.message), String(refused));
      const [aNow, bNow, familyNow] = [await getEntity(services, FROM, admin, a.id), await getEntity(services, FROM, admin, b.id), await getEntity(services, FROM, admin, family.id)];
      assert.deepEqual([aNow.revision, aNow.statements.length, bNow.revision, bNow.archived, familyNow.revision, familyNow.properties.relative], [1, 1, 1, null, 1, [b.id]]);
      const rows = await services.db.selectFrom("statements").select("id").where("entity_id", "=", a.id).execute();
      assert.equal(rows.length, 1, "no copied statement left behind");
    });

    it("refuses callers without permission on both records, and outsiders find neither", async () => {
      const a = await createEntity(services, FROM, editor, { schema: "Person", properties: { name: ["Open record"] } });
      const hidden = await createEntity(services, FROM, editor, { schema: "Person", restricted: true, properties: { name: ["Restricted record"] } });
      const open = await createEntity(services, FROM, editor, { schema: "Person", properties: { name: ["Another open record"] } });
      await assert.rejects(mergeEntities(services, FROM, viewer, a.id, { duplicate: open.id, reason: "x", revision: 1, duplicateRevision: 1 }), Forbidden);
      const notFound = await mergeEntities(services, FROM, researcher, a.id, { duplicate: hidden.id, reason: "x", revision: 1, duplicateRevision: 1 }).catch((e: unknown) => e);
      assert.ok(notFound instanceof Invalid && notFound.fields.duplicate === "no such record", "a restricted record is not confirmed to exist");
      await assert.rejects(mergeEntities(services, FROM, researcher, hidden.id, { duplicate: a.id, reason: "x", revision: 1, duplicateRevision: 1 }), NotFound);
      await assert.rejects(mergeEntities(services, FROM, outsider, a.id, { duplicate: open.id, reason: "x", revision: 1, duplicateRevision: 1 }), NotFound);
      // A restricted duplicate would be shown to everyone through an open record: refused even to its list.
      await assert.rejects(mergeEntities(services, FROM, editor, a.id, { duplicate: hidden.id, reason: "x", revision: 1, duplicateRevision: 1 }), /restrict this record first/);

      const merge = await mergeEntities(services, FROM, editor, a.id, { duplicate: open.id, reason: "same", revision: 1, duplicateRevision: 1 });
      await assert.rejects(undoMerge(services, FROM, viewer, merge.id, { reason: "x" }), Forbidden);
      await assert.rejects(undoMerge(services, FROM, outsider, merge.id, { reason: "x" }), NotFound);
      await assert.rejects(getMerge(services, FROM, outsider, merge.id), NotFound);
      assert.equal((await getMerge(services, FROM, viewer, merge.id)).merged, open.id);
      const missingReason = await undoMerge(services, FROM, editor, merge.id, {}).catch((e: unknown) => e);
      assert.ok(missingReason instanceof Invalid);
      const denied = await services.db.selectFrom("audit_events").select("action").where("actor_id", "=", viewer.userId).where("outcome", "=", "denied").where("action", "=", "record.merge").execute();
      assert.equal(denied.length, 2);
    });

    it("merges restricted records only when no one gains sight of restricted values", async () => {
      const a = await createEntity(services, FROM, editor, { schema: "Person", restricted: true, properties: { name: ["Witness A"] } });
      const b = await createEntity(services, FROM, editor, { schema: "Person", restricted: true, properties: { name: ["Witness A (duplicate)"] } });
      await grantAccess(services, FROM, editor, a.id, { user: researcher.userId });
      await assert.rejects(mergeEntities(services, FROM, editor, a.id, { duplicate: b.id, reason: "same", revision: 1, duplicateRevision: 1 }), /align the two access lists/);
      await grantAccess(services, FROM, editor, b.id, { user: researcher.userId });
      const merge = await mergeEntities(services, FROM, editor, a.id, { duplicate: b.id, reason: "same", revision: 1, duplicateRevision: 1 });
      assert.equal(merge.moved.statements, 1);
      // The viewer, on neither list, learns nothing of the redirect.
      await assert.rejects(getEntity(services, FROM, viewer, b.id), NotFound);
    });

    it("refuses new references to a merged record, naming the field", async () => {
      const a = await createEntity(services, FROM, editor, { schema: "Person", properties: { name: ["Kept"] } });
      const b = await createEntity(services, FROM, editor, { schema: "Person", properties: { name: ["Merged away"] } });
      const incident = await createEntity(services, FROM, editor, { schema: "Incident", properties: { name: ["An incident"] } });
      await mergeEntities(services, FROM, editor, a.id, { duplicate: b.id, reason: "same", revision: 1, duplicateRevision: 1 });
      const error = await createEntity(services, FROM, editor, { schema: "Involvement", properties: { incident: [incident.id], participant: [b.id] } }).catch((e: unknown) => e);
      assert.ok(error instanceof Invalid);
      assert.match(error.fields["properties.participant.0"]!, /merged into another/);
    });

    /** A record's live tags and assignee, as the marks tables hold them. */
    async function marksOf(id: string) {
      const tags = (await services.db.selectFrom("entity_tags").select("tag").where("entity_id", "=", id).where("removed_at", "is", null).orderBy("tag").execute()).map((r) => r.tag);
      const assigned = await services.db.selectFrom("entity_assignments").select("user_id").where("entity_id", "=", id).where("ended_at", "is", null).executeTakeFirst();
      return { tags, assignee: assigned?.user_id ?? null };
    }

    async function mark(actor: Actor, ids: string[], body: Record<string, string>) {
      const started = await startBulkOperation(services, FROM, actor, { ids, ...body });
      await runBulkOperation(services, FROM, started.id);
    }

    /** Who is on a record's list, and how: "direct", "team" or "both". */
    async function listing(actor: Actor, id: string) {
      const list = await getAccessList(services, FROM, actor, id);
      return {
        users: Object.fromEntries(list.users.map((u) => [u.id, u.direct ? (u.teams.length > 0 ? "both" : "direct") : "team"])),
        teams: list.teams.map((t) => t.id).sort(),
      };
    }

    it("carries the duplicate's tags and assignment to the record that stays, and undoing takes off exactly those", async () => {
      const a = await createEntity(services, FROM, editor, { schema: "Person", properties: { name: ["Abdurehim Heyit"] } });
      const b = await createEntity(services, FROM, editor, { schema: "Person", properties: { name: ["Abdurehim Heyit (2)"] } });
      await mark(editor, [a.id, b.id], { action: "tag", tag: "musician" });
      await mark(editor, [b.id], { action: "tag", tag: "needs-source" });
      await mark(editor, [b.id], { action: "assign", user: researcher.userId });
      await mark(editor, [a.id], { action: "tag", tag: "verified" });
      const [aBefore, bBefore] = [await marksOf(a.id), await marksOf(b.id)];
      assert.deepEqual(aBefore, { tags: ["musician", "verified"], assignee: null });

      const merge = await mergeEntities(services, FROM, editor, a.id, { duplicate: b.id, reason: "same man", revision: 1, duplicateRevision: 1 });
      assert.deepEqual(await marksOf(a.id), { tags: ["musician", "needs-source", "verified"], assignee: researcher.userId }, "a tag both had is not doubled");
      const listed = await listEntities(services, FROM, researcher, { limit: 200, assignee: "me" });
      assert.deepEqual(listed.entities.map((e) => e.id), [a.id], "the survivor is on the assignee's list, the redirect is not");
      const audit = await services.db.selectFrom("audit_events").select("details").where("action", "=", "record.merge").where("target_id", "=", a.id).executeTakeFirstOrThrow();
      assert.deepEqual((audit.details as { carried: unknown }).carried, { tags: ["needs-source"], assignee: researcher.userId, users: [], teams: [] });

      await undoMerge(services, FROM, editor, merge.id, { reason: "not the same man" });
      assert.deepEqual(await marksOf(a.id), aBefore);
      assert.deepEqual(await marksOf(b.id), bBefore);
    });

    it("keeps the survivor's own assignment and marks changed since the merge when undoing it", async () => {
      const a = await createEntity(services, FROM, editor, { schema: "Person", properties: { name: ["Rahile Dawut"] } });
      const b = await createEntity(services, FROM, editor, { schema: "Person", properties: { name: ["Rahile Dawut (2)"] } });
      await mark(editor, [a.id], { action: "assign", user: editor.userId });
      await mark(editor, [b.id], { action: "assign", user: researcher.userId });
      await mark(editor, [b.id], { action: "tag", tag: "scholar" });
      const merge = await mergeEntities(services, FROM, editor, a.id, { duplicate: b.id, reason: "same scholar", revision: 1, duplicateRevision: 1 });
      assert.deepEqual(await marksOf(a.id), { tags: ["scholar"], assignee: editor.userId }, "the survivor's assignment wins");
      // Someone takes the carried tag off and puts it back: the new tag is theirs, not the merge's.
      await mark(editor, [a.id], { action: "untag", tag: "scholar" });
      await mark(editor, [a.id], { action: "tag", tag: "scholar" });
      await undoMerge(services, FROM, editor, merge.id, { reason: "two people" });
      assert.deepEqual(await marksOf(a.id), { tags: ["scholar"], assignee: editor.userId });
      assert.deepEqual(await marksOf(b.id), { tags: ["scholar"], assignee: researcher.userId });
    });

    it("carries the duplicate's access list, members and teams, and undoing restores both lists exactly", async () => {
      const team = await createTeam(services, FROM, admin, { name: "Merge testers" });
      await addTeamMember(services, FROM, admin, team.id, { user: viewer.userId });
      const a = await createEntity(services, FROM, admin, { schema: "Person", restricted: true, properties: { name: ["Gulshan Abbas"] } });
      const b = await createEntity(services, FROM, admin, { schema: "Person", restricted: true, properties: { name: ["Gulshan Abbas (2)"], notes: [{ value: "Held in Urumqi", sensitivity: "restricted" }] } });
      await grantAccess(services, FROM, admin, a.id, { team: team.id });
      await grantAccess(services, FROM, admin, b.id, { user: researcher.userId });
      await grantAccess(services, FROM, admin, b.id, { user: viewer.userId });
      const other = await createTeam(services, FROM, admin, { name: "Merge testers 2" });
      await addTeamMember(services, FROM, admin, other.id, { user: editor.userId });
      await grantAccess(services, FROM, admin, b.id, { team: other.id });
      await mark(admin, [b.id], { action: "assign", user: viewer.userId });
      const [aBefore, bBefore] = [await listing(admin, a.id), await listing(admin, b.id)];
      assert.deepEqual(aBefore.users, { [admin.userId]: "direct", [viewer.userId]: "team" });

      const merge = await mergeEntities(services, FROM, admin, a.id, { duplicate: b.id, reason: "same woman", revision: 1, duplicateRevision: 1 });
      const after = await listing(admin, a.id);
      assert.deepEqual(after.teams, [team.id, other.id].sort());
      assert.deepEqual(after.users, { [admin.userId]: "direct", [viewer.userId]: "both", [researcher.userId]: "direct", [editor.userId]: "team" });
      const seen = await getEntity(services, FROM, researcher, a.id);
      assert.deepEqual(seen.properties.notes, ["Held in Urumqi"], "whoever read the duplicate's restricted value still reads it");
      assert.equal((await marksOf(a.id)).assignee, viewer.userId);

      await undoMerge(services, FROM, admin, merge.id, { reason: "two women" });
      assert.deepEqual(await listing(admin, a.id), aBefore);
      assert.deepEqual(await listing(admin, b.id), bBefore);
      assert.equal((await marksOf(a.id)).assignee, null);
      await assert.rejects(getEntity(services, FROM, researcher, a.id), NotFound, "the survivor is hidden again from whom the merge had let in");
    });

    it("lets only someone who may manage the survivor's access list carry newcomers onto it, writing nothing otherwise", async () => {
      const a = await createEntity(services, FROM, editor, { schema: "Person", restricted: true, properties: { name: ["Witness C"] } });
      const b = await createEntity(services, FROM, editor, { schema: "Person", restricted: true, properties: { name: ["Witness C (2)"] } });
      for (const id of [a.id, b.id]) await grantAccess(services, FROM, editor, id, { user: researcher.userId });
      await grantAccess(services, FROM, editor, b.id, { user: viewer.userId });
      await mark(editor, [b.id], { action: "tag", tag: "witness" });
      const refused = await mergeEntities(services, FROM, researcher, a.id, { duplicate: b.id, reason: "same", revision: 1, duplicateRevision: 1 }).catch((e: unknown) => e);
      assert.ok(refused instanceof Conflict && /only an administrator, or an editor on this record's list/.test(refused.message));
      assert.deepEqual(await marksOf(a.id), { tags: [], assignee: null });
      assert.deepEqual(Object.keys((await listing(editor, a.id)).users).sort(), [editor.userId, researcher.userId].sort());
      assert.equal((await getEntity(services, FROM, editor, b.id)).revision, 1);
      await mergeEntities(services, FROM, editor, a.id, { duplicate: b.id, reason: "same", revision: 1, duplicateRevision: 1 });
      assert.deepEqual(await marksOf(a.id), { tags: ["witness"], assignee: null });
      assert.deepEqual(Object.keys((await listing(editor, a.id)).users).sort(), [editor.userId, researcher.userId, viewer.userId].sort());
    });
  });
}
