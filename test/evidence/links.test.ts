import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { NO_ORIGIN } from "../../src/context.ts";
import { Conflict, Forbidden, Invalid, NotFound, type Actor } from "../../src/core/index.ts";
import {
  BlobStore,
  linkEvidence,
  listEvidenceLinks,
  listRecordEvidence,
  personCaller,
  receiveEvidence,
  receiveEvidenceForRecord,
  unlinkEvidence,
  type Caller,
} from "../../src/evidence/index.ts";
import { decodeLeaf } from "../../src/ledger/index.ts";
import { createEntity, mergeEntities } from "../../src/records/index.ts";
import { databaseTargets, openTestServices, type TestServices } from "../helpers/database.ts";
import { addMember, addOrganisation, sessionFor, setUpOrganisation } from "../helpers/fixtures.ts";
import { makeKeys, tempDir } from "./helpers.ts";

for (const target of databaseTargets()) {
  describe(`evidence linked to records on ${target.name}`, () => {
    let services: TestServices;
    let dataDir: string;
    let admin: Actor;
    let adminCaller: Caller;
    let editor: Caller;
    let editorActor: Actor;
    let viewer: Caller;
    let outsider: Caller;
    let incident: string;
    let item: string;

    async function newItem(caller: Caller = editor, text = "a witness statement"): Promise<string> {
      return (await receiveEvidence(services, NO_ORIGIN, caller, { source: [Buffer.from(text)], filename: "statement.txt", claimedType: "text/plain" })).id;
    }

    async function leavesAbout(subject: string) {
      const rows = await services.db.selectFrom("ledger_leaves").select(["idx", "data"]).orderBy("idx").execute();
      return rows.map((r) => ({ idx: r.idx, event: decodeLeaf(r.data) })).filter((r) => r.event.subject === subject);
    }

    before(async () => {
      dataDir = tempDir("vigil-links-test-");
      services = await openTestServices(target, { dataDir });
      const org = await setUpOrganisation(services);
      await makeKeys(services, org.orgId);
      const { principal } = await sessionFor(services, org.adminEmail);
      admin = principal.actor;
      adminCaller = personCaller(principal);
      const e = await addMember(services, principal, "editor", "editor@watch.example");
      editor = personCaller(e.principal);
      editorActor = e.principal.actor;
      viewer = personCaller((await addMember(services, principal, "viewer", "viewer@watch.example")).principal);
      const other = await addOrganisation(services, "elsewhere");
      await makeKeys(services, other.orgId);
      outsider = personCaller((await sessionFor(services, other.adminEmail)).principal);
      incident = (await createEntity(services, NO_ORIGIN, editorActor, { schema: "Incident", properties: { name: ["Night raid in Ghulja"] } })).id;
      item = await newItem();
    });
    after(async () => {
      await services.close();
    });

    it("links an item to a record with who, when and why, as a ledger event and an audit event", async () => {
      const link = await linkEvidence(services, NO_ORIGIN, editor, incident, { evidence: item, reason: "photographed at the scene" });
      assert.equal(link.entityId, incident);
      assert.equal(link.linkedBy, editorActor.userId);
      assert.equal(link.reason, "photographed at the scene");
      const events = await leavesAbout(item);
      assert.deepEqual(events.map((e) => e.event.kind), ["received", "linked"]);
      assert.equal(events[1]!.idx, link.ledgerIndex);
      assert.deepEqual(events[1]!.event.details, { entity: incident, link: link.id, org: admin.orgId });
      const audit = await services.db.selectFrom("audit_events").select(["action", "target_id"]).where("action", "=", "evidence.link").where("target_id", "=", item).execute();
      assert.equal(audit.length, 1);
      const listed = await listRecordEvidence(services, NO_ORIGIN, editor, incident);
      assert.deepEqual(listed.map((l) => [l.evidence.id, l.link.linkedByName]), [[item, "editor person"]]);
    });

    it("refuses to link the same item twice while the first link stands", async () => {
      await assert.rejects(linkEvidence(services, NO_ORIGIN, editor, incident, { evidence: item, reason: "again" }), Conflict);
    });

    it("withdraws a link with a reason, keeps it in the record's history, and links again afresh", async () => {
      const [current] = await listRecordEvidence(services, NO_ORIGIN, editor, incident);
      await assert.rejects(unlinkEvidence(services, NO_ORIGIN, editor, current!.link.id, { reason: "  " }), Invalid);
      const withdrawn = await unlinkEvidence(services, NO_ORIGIN, editor, current!.link.id, { reason: "the photo shows another street" });
      assert.equal(withdrawn.unlinked?.reason, "the photo shows another street");
      assert.equal(withdrawn.unlinked?.by, editorActor.userId);
      await assert.rejects(unlinkEvidence(services, NO_ORIGIN, editor, current!.link.id, { reason: "twice" }), Conflict);
      assert.deepEqual(await listRecordEvidence(services, NO_ORIGIN, editor, incident), []);
      const history = await listRecordEvidence(services, NO_ORIGIN, editor, incident, { withdrawn: true });
      assert.equal(history.length, 1);
      assert.equal(history[0]!.link.unlinked?.byName, "editor person");
      const kinds = (await leavesAbout(item)).map((e) => e.event.kind);
      assert.deepEqual(kinds, ["received", "linked", "unlinked"]);

      const again = await linkEvidence(services, NO_ORIGIN, editor, incident, { evidence: item, reason: "it was the right street after all" });
      assert.notEqual(again.id, current!.link.id);
      assert.equal((await listRecordEvidence(services, NO_ORIGIN, editor, incident, { withdrawn: true })).length, 2);
    });

    it("refuses a viewer on both ends, and leaves nothing behind", async () => {
      const other = await newItem();
      const before = await services.db.selectFrom("evidence_links").select("id").execute();
      await assert.rejects(linkEvidence(services, NO_ORIGIN, viewer, incident, { evidence: other, reason: "seen" }), Forbidden);
      const [live] = await listRecordEvidence(services, NO_ORIGIN, editor, incident);
      await assert.rejects(unlinkEvidence(services, NO_ORIGIN, viewer, live!.link.id, { reason: "no" }), Forbidden);
      assert.equal((await services.db.selectFrom("evidence_links").select("id").execute()).length, before.length);
      // A viewer reads what is linked.
      assert.equal((await listRecordEvidence(services, NO_ORIGIN, viewer, incident)).length, 1);
    });

    it("does not reveal a restricted record to someone not on its list, from either end", async () => {
      const secret = await createEntity(services, NO_ORIGIN, admin, { schema: "Source", properties: { name: ["Protected witness"] }, restricted: true });
      const photo = await newItem(adminCaller, "the witness's photo");
      await linkEvidence(services, NO_ORIGIN, adminCaller, secret.id, { evidence: photo, reason: "the witness sent it" });
      await assert.rejects(linkEvidence(services, NO_ORIGIN, editor, secret.id, { evidence: item, reason: "probing" }), NotFound);
      await assert.rejects(listRecordEvidence(services, NO_ORIGIN, editor, secret.id), NotFound);
      // From the item's end the restricted record is simply absent, not counted.
      assert.deepEqual(await listEvidenceLinks(services, NO_ORIGIN, editor, photo), []);
      assert.equal((await listEvidenceLinks(services, NO_ORIGIN, adminCaller, photo)).length, 1);
      const [link] = await listRecordEvidence(services, NO_ORIGIN, adminCaller, secret.id);
      await assert.rejects(unlinkEvidence(services, NO_ORIGIN, editor, link!.link.id, { reason: "probing" }), NotFound);
    });

    it("keeps organisations apart: another's item and record are not found", async () => {
      await assert.rejects(linkEvidence(services, NO_ORIGIN, outsider, incident, { evidence: item, reason: "x" }), NotFound);
      const theirs = await newItem(outsider, "their file");
      await assert.rejects(linkEvidence(services, NO_ORIGIN, editor, incident, { evidence: theirs, reason: "x" }), NotFound);
      await assert.rejects(listEvidenceLinks(services, NO_ORIGIN, outsider, item), NotFound);
    });

    it("receives a file straight onto a record in one transaction, or not at all", async () => {
      const store = BlobStore.forDataDir(dataDir);
      const made = await receiveEvidenceForRecord(services, NO_ORIGIN, editor, incident, async () => ({ source: [Buffer.from("testimony of the neighbour")], filename: "neighbour.txt", claimedType: null }));
      assert.equal(made.link.entityId, incident);
      assert.deepEqual((await leavesAbout(made.id)).map((e) => e.event.kind), ["received", "linked"]);

      // A record merged into another takes no new evidence: refused after the file streamed, so it must be removed.
      const a = await createEntity(services, NO_ORIGIN, editorActor, { schema: "Person", properties: { name: ["Ilham Tohti"] } });
      const b = await createEntity(services, NO_ORIGIN, editorActor, { schema: "Person", properties: { name: ["Ilham Toxti"] } });
      await mergeEntities(services, NO_ORIGIN, editorActor, a.id, { duplicate: b.id, reason: "the same man", revision: a.revision, duplicateRevision: b.revision });
      const blobs = (await store.listFiles()).length;
      const rows = (await services.db.selectFrom("evidence").select("id").execute()).length;
      let read = false;
      await assert.rejects(
        receiveEvidenceForRecord(services, NO_ORIGIN, editor, b.id, async () => {
          read = true;
          return { source: [Buffer.from("late file")], filename: "late.txt", claimedType: null };
        }),
        Conflict,
      );
      assert.equal(read, false, "refused before the body is read");
      assert.equal((await store.listFiles()).length, blobs);
      assert.equal((await services.db.selectFrom("evidence").select("id").execute()).length, rows);
      await assert.rejects(
        receiveEvidenceForRecord(services, NO_ORIGIN, viewer, incident, async () => ({ source: [Buffer.from("x")], filename: "x.txt", claimedType: null })),
        Forbidden,
      );
    });
  });
}
