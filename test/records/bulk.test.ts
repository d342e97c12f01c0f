import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { Conflict, Forbidden, Invalid, NotFound, type Actor } from "../../src/core/index.ts";
import type { Origin } from "../../src/context.ts";
import { changeRole } from "../../src/accounts/index.ts";
import {
  cancelBulkOperation, createEntity, entityHistory, getBulkOperation, getEntity, listAssignees, listEntities, listTags, runBulkBatch, runBulkOperation, startBulkOperation, updateEntity, BULK_JOB,
} from "../../src/records/index.ts";
import { databaseTargets, openTestServices, type TestServices } from "../helpers/database.ts";
import { addMember, addOrganisation, sessionFor, setUpOrganisation } from "../helpers/fixtures.ts";
import type { Principal } from "../../src/accounts/index.ts";
import { cancelOwnJob, JobRunner, readJob } from "../../src/jobs/index.ts";
import { JOB_DEFINITIONS } from "../../src/workers.ts";

const FROM: Origin = { requestId: "req-bulk", ip: "203.0.113.9", userAgent: "test" };

for (const target of databaseTargets()) {
  describe(`bulk actions on ${target.name}`, () => {
    let services: TestServices;
    let adminPrincipal: Principal;
    let admin: Actor;
    let editor: Actor;
    let researcher: Actor;
    let viewer: Actor;
    let outsider: Actor;
    const people: string[] = [];
    before(async () => {
      services = await openTestServices(target);
      const org = await setUpOrganisation(services);
      const adminSession = await sessionFor(services, org.adminEmail);
      adminPrincipal = adminSession.principal;
      admin = adminPrincipal.actor;
      editor = (await addMember(services, adminPrincipal, "editor", "editor@watch.example")).principal.actor;
      researcher = (await addMember(services, adminPrincipal, "researcher", "researcher@watch.example")).principal.actor;
      viewer = (await addMember(services, adminPrincipal, "viewer", "viewer@watch.example")).principal.actor;
      outsider = (await sessionFor(services, (await addOrganisation(services, "elsewhere")).adminEmail)).principal.actor;
      for (let i = 0; i < 25; i++) {
        services.clock.advanceSeconds(1);
        people.push((await createEntity(services, FROM, editor, { schema: "Person", properties: { name: [`Detainee ${i}`] } })).id);
      }
    });
    after(async () => {
      await services.close();
    });

    const tagged = async (actor: Actor, tag: string) => (await listEntities(services, FROM, actor, { tag, limit: 200 })).entities.map((e) => e.id).sort();

    it("tags a filter's records batch by batch, resumes where it stopped, and does not tag twice", async () => {
      const operation = await startBulkOperation(services, FROM, editor, { action: "tag", tag: "Urgent Action", filter: { schema: "Person" } });
      assert.deepEqual([operation.status, operation.total, operation.processed], ["pending", 25, 0]);
      // A run interrupted after the first batch of ten resumes from the last record done.
      const first = await runBulkBatch(services, FROM, operation.id, 10);
      assert.deepEqual([first.status, first.processed, first.changed], ["running", 10, 10]);
      const done = await runBulkOperation(services, FROM, operation.id, 10);
      assert.deepEqual([done.status, done.processed, done.changed], ["done", 25, 25]);
      assert.deepEqual(await tagged(viewer, "urgent action"), [...people].sort());
      assert.deepEqual((await getEntity(services, FROM, viewer, people[0]!)).tags, ["urgent action"]);
      // Tags are marks, not statements: no revision moved.
      assert.equal((await getEntity(services, FROM, viewer, people[0]!)).revision, 1);
      const again = await runBulkOperation(services, FROM, (await startBulkOperation(services, FROM, editor, { action: "tag", tag: "urgent action", ids: people.slice(0, 3) })).id);
      assert.deepEqual([again.processed, again.changed], [3, 0]);
      const untag = await runBulkOperation(services, FROM, (await startBulkOperation(services, FROM, editor, { action: "untag", tag: "urgent action", ids: people.slice(0, 5) })).id);
      assert.equal(untag.changed, 5);
      assert.equal((await tagged(viewer, "urgent action")).length, 20);
      const removed = await services.db.selectFrom("entity_tags").select("removed_by").where("entity_id", "=", people[0]!).executeTakeFirstOrThrow();
      assert.equal(removed.removed_by, editor.userId, "an untagged mark is kept with who removed it");
      assert.deepEqual(await listTags(services, FROM, viewer), [{ tag: "urgent action", records: 20 }]);
      assert.deepEqual(await listTags(services, FROM, outsider), [], "another organisation's tags are not offered");
      const batches = await services.db.selectFrom("audit_events").select("details").where("action", "=", "record.bulk.tag.batch").execute();
      assert.equal(batches.flatMap((b) => b.details.entities as string[]).length, 25);
    });

    it("assigns records to a member who may see them, skipping restricted ones off their list", async () => {
      const secret = await createEntity(services, FROM, editor, { schema: "Person", restricted: true, properties: { name: ["Restricted detainee"] } });
      const operation = await startBulkOperation(services, FROM, editor, { action: "assign", user: researcher.userId, ids: [people[0]!, people[1]!, secret.id] });
      const done = await runBulkOperation(services, FROM, operation.id);
      assert.deepEqual([done.processed, done.changed], [3, 2]);
      const mine = await listEntities(services, FROM, researcher, { assignee: "me", limit: 200 });
      assert.deepEqual(mine.entities.map((e) => e.id).sort(), [people[0]!, people[1]!].sort());
      assert.equal((await getEntity(services, FROM, editor, secret.id)).assignee, null);
      const reassigned = await runBulkOperation(services, FROM, (await startBulkOperation(services, FROM, editor, { action: "assign", user: viewer.userId, ids: [people[0]!] })).id);
      assert.equal(reassigned.changed, 1);
      assert.equal((await getEntity(services, FROM, viewer, people[0]!)).assignee, viewer.userId);
      const unassigned = await runBulkOperation(services, FROM, (await startBulkOperation(services, FROM, editor, { action: "unassign", ids: [people[0]!, people[1]!] })).id);
      assert.equal(unassigned.changed, 2);
      await assert.rejects(startBulkOperation(services, FROM, editor, { action: "assign", user: outsider.userId, ids: [people[0]!] }), NotFound);
      const assignees = (await listAssignees(services, FROM, editor)).map((a) => a.id);
      assert.ok(assignees.includes(researcher.userId) && assignees.includes(viewer.userId) && !assignees.includes(outsider.userId));
      await assert.rejects(listAssignees(services, FROM, viewer), Forbidden);
    });

    it("archives with a reason, a revision per record, so an editor holding the old revision is told", async () => {
      const victims = people.slice(20, 25);
      const operation = await startBulkOperation(services, FROM, researcher, { action: "archive", reason: "imported twice by mistake", ids: victims });
      assert.equal(operation.total, 5);
      const done = await runBulkOperation(services, FROM, operation.id, 2);
      assert.deepEqual([done.status, done.changed], ["done", 5]);
      const history = await entityHistory(services, FROM, viewer, victims[0]!);
      assert.deepEqual(history.revisions.map((r) => [r.kind, r.reason, r.author]), [["archive", "imported twice by mistake", researcher.userId], ["create", "created", editor.userId]]);
      await assert.rejects(updateEntity(services, FROM, editor, victims[0]!, { revision: 1, reason: "late edit", properties: { name: ["x"] } }), Conflict);
      const listed = (await listEntities(services, FROM, viewer, { schema: "Person", limit: 200 })).entities.map((e) => e.id);
      assert.ok(victims.every((id) => !listed.includes(id)));
      assert.deepEqual(await services.db.selectFrom("name_keys").select("key").where("entity_id", "in", victims).execute(), [], "archived records leave the names index");
    });

    it("refuses bad requests and callers who may not act, and never touches what the caller cannot see", async () => {
      const bad = async (body: unknown) => {
        const error = await startBulkOperation(services, FROM, editor, body).catch((e: unknown) => e);
        assert.ok(error instanceof Invalid, `expected Invalid for ${JSON.stringify(body)}`);
        return error.fields;
      };
      assert.ok((await bad({ action: "tag", ids: [people[0]] })).tag);
      assert.ok((await bad({ action: "archive", ids: [people[0]] })).reason);
      assert.ok((await bad({ action: "tag", tag: "x", ids: [people[0]], filter: {} })).ids);
      assert.ok((await bad({ action: "tag", tag: "x" })).ids);
      assert.ok((await bad({ action: "explode", ids: [people[0]] })).action);
      assert.ok((await bad({ action: "tag", tag: "<script>", ids: [people[0]] })).tag);
      assert.ok((await bad({ action: "tag", tag: "x", ids: Array.from({ length: 10_001 }, () => people[0]) })).ids);
      assert.ok((await bad({ action: "assign", user: "not-an-id", ids: [people[0]] })).user);
      await assert.rejects(startBulkOperation(services, FROM, viewer, { action: "tag", tag: "x", ids: [people[0]] }), Forbidden);
      // An outsider's selection of our ids finds nothing to act on.
      const theirs = await startBulkOperation(services, FROM, outsider, { action: "tag", tag: "x", ids: people });
      assert.deepEqual([theirs.total, theirs.status], [0, "done"]);
      await assert.rejects(getBulkOperation(services, FROM, outsider, (await startBulkOperation(services, FROM, editor, { action: "tag", tag: "y", ids: [people[0]!] })).id), NotFound);
      // A restricted record the caller may not see is not part of their selection.
      const secret = await createEntity(services, FROM, admin, { schema: "Incident", restricted: true, properties: { name: ["Hidden"] } });
      const attempt = await startBulkOperation(services, FROM, researcher, { action: "archive", reason: "x", ids: [secret.id] });
      assert.equal(attempt.total, 0);
      assert.equal((await getEntity(services, FROM, admin, secret.id)).archived, null);
    });

    it("runs an operation larger than one request as a background job, reporting progress to its author", async () => {
      const operation = await startBulkOperation(services, FROM, editor, { action: "tag", tag: "in background", filter: { schema: "Person" } }, { inlineLimit: 10 });
      const queued = await services.db.selectFrom("jobs").selectAll().where("kind", "=", BULK_JOB).where("unique_key", "=", operation.id).executeTakeFirstOrThrow();
      assert.deepEqual([queued.state, queued.owner_id], ["queued", editor.userId]);
      // Small operations run in the request: no job for them.
      const small = await startBulkOperation(services, FROM, editor, { action: "tag", tag: "inline", ids: [people[0]!] });
      assert.equal(await services.db.selectFrom("jobs").select("id").where("unique_key", "=", small.id).executeTakeFirst(), undefined);
      const runner = new JobRunner(services, JOB_DEFINITIONS);
      assert.equal(await runner.drain(), 1);
      const job = await readJob(services, editor, queued.id);
      assert.deepEqual([job.state, job.progress.done, job.progress.total], ["succeeded", operation.total, operation.total]);
      const done = await getBulkOperation(services, FROM, editor, operation.id);
      assert.deepEqual([done.status, done.processed], ["done", operation.total]);
      assert.equal((await tagged(editor, "in background")).length, operation.total);
    });

    it("stops a run whose author lost the right to act, and says why", async () => {
      const demoted = await addMember(services, adminPrincipal, "editor", "soon-viewer@watch.example");
      const operation = await startBulkOperation(services, FROM, demoted.principal.actor, { action: "tag", tag: "review", filter: { schema: "Person" } });
      await changeRole(services, FROM, adminPrincipal, demoted.userId, { role: "viewer" });
      const stopped = await runBulkOperation(services, FROM, operation.id);
      assert.deepEqual([stopped.status, stopped.processed], ["failed", 0]);
      assert.match(stopped.error!, /may no longer/);
      assert.deepEqual(await tagged(viewer, "review"), []);
      assert.equal((await getBulkOperation(services, FROM, admin, operation.id)).status, "failed");
    });

    async function jobOf(operationId: string) {
      return services.db.selectFrom("jobs").selectAll().where("kind", "=", BULK_JOB).where("unique_key", "=", operationId).executeTakeFirstOrThrow();
    }

    it("cancels a background operation part-way: it ends as cancelled with the count done so far, and nothing more is changed", async () => {
      const operation = await startBulkOperation(services, FROM, editor, { action: "tag", tag: "cancel me", filter: { schema: "Person" } }, { inlineLimit: 5 });
      // One batch of 10 done, then the cancellation arrives as a worker takes the job on.
      const first = await runBulkBatch(services, FROM, operation.id, 10);
      assert.deepEqual([first.status, first.processed], ["running", 10]);
      await services.db.updateTable("jobs").set({ cancel_requested: true }).where("id", "=", (await jobOf(operation.id)).id).execute();
      const runner = new JobRunner(services, JOB_DEFINITIONS);
      await runner.drain();
      assert.equal((await jobOf(operation.id)).state, "cancelled");
      const cancelled = await getBulkOperation(services, FROM, editor, operation.id);
      assert.deepEqual([cancelled.status, cancelled.processed, cancelled.changed], ["cancelled", 10, 10]);
      assert.ok(cancelled.finishedAt);
      assert.equal((await tagged(editor, "cancel me")).length, 10, "the batch being written when it stopped was rolled back");
      // Running it again does nothing, and it cannot be cancelled twice.
      const again = await runBulkOperation(services, FROM, operation.id);
      assert.deepEqual([again.status, again.processed], ["cancelled", 10]);
      await assert.rejects(cancelBulkOperation(services, FROM, editor, operation.id), /already ended: it cannot be cancelled now/);
    });

    it("cancels a queued operation at once through its own door or the job's, and refuses others", async () => {
      const operation = await startBulkOperation(services, FROM, editor, { action: "tag", tag: "never", filter: { schema: "Person" } }, { inlineLimit: 5 });
      await assert.rejects(cancelBulkOperation(services, FROM, researcher, operation.id), NotFound, "only its author and administrators know of it");
      await assert.rejects(cancelBulkOperation(services, FROM, outsider, operation.id), NotFound);
      await assert.rejects(cancelBulkOperation(services, FROM, editor, "not-an-id"), NotFound);
      const cancelled = await cancelBulkOperation(services, FROM, editor, operation.id);
      assert.deepEqual([cancelled.status, cancelled.processed], ["cancelled", 0]);
      assert.equal((await jobOf(operation.id)).state, "cancelled");
      assert.equal(await new JobRunner(services, JOB_DEFINITIONS).drain(), 0);
      assert.deepEqual(await tagged(editor, "never"), []);
      const audit = await services.db.selectFrom("audit_events").select("actor_id").where("action", "=", "record.bulk.cancel").where("target_id", "=", operation.id).execute();
      assert.deepEqual(audit.map((a) => a.actor_id), [editor.userId]);
      // Cancelled as a job (the jobs API): the operation says so when next read.
      const other = await startBulkOperation(services, FROM, editor, { action: "tag", tag: "never", filter: { schema: "Person" } }, { inlineLimit: 5 });
      await cancelOwnJob(services, admin, (await jobOf(other.id)).id);
      assert.equal((await getBulkOperation(services, FROM, admin, other.id)).status, "cancelled");
      // A finished operation is not cancelled.
      const done = await startBulkOperation(services, FROM, editor, { action: "tag", tag: "small", ids: [people[0]!] });
      await runBulkOperation(services, FROM, done.id);
      await assert.rejects(cancelBulkOperation(services, FROM, editor, done.id), Conflict);
    });
  });
}
