import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { Invalid, NotFound, type Actor } from "../../src/core/index.ts";
import type { Origin } from "../../src/context.ts";
import { createEntity, entityHistory, getEntityAt, setArchived, updateEntity } from "../../src/records/index.ts";
import { databaseTargets, openTestServices, type TestServices } from "../helpers/database.ts";
import { addMember, addOrganisation, sessionFor, setUpOrganisation } from "../helpers/fixtures.ts";

const FROM: Origin = { requestId: "req-history", ip: "203.0.113.9", userAgent: "test" };

for (const target of databaseTargets()) {
  describe(`reading past revisions on ${target.name}`, () => {
    let services: TestServices;
    let admin: Actor;
    let editor: Actor;
    let viewer: Actor;
    let outsider: Actor;
    before(async () => {
      services = await openTestServices(target);
      const org = await setUpOrganisation(services);
      const adminSession = await sessionFor(services, org.adminEmail);
      admin = adminSession.principal.actor;
      editor = (await addMember(services, adminSession.principal, "editor", "editor@watch.example")).principal.actor;
      viewer = (await addMember(services, adminSession.principal, "viewer", "viewer@watch.example")).principal.actor;
      outsider = (await sessionFor(services, (await addOrganisation(services, "elsewhere")).adminEmail)).principal.actor;
    });
    after(async () => {
      await services.close();
    });

    it("rebuilds a record as it stood at each revision, archived state and restriction included", async () => {
      const incident = await createEntity(services, FROM, editor, { schema: "Incident", properties: { name: ["Arrest"], date: ["2017"] } });
      services.clock.advanceSeconds(10);
      await updateEntity(services, FROM, editor, incident.id, { revision: 1, reason: "the court document gives the day", properties: { date: ["2017-04-03"] } });
      services.clock.advanceSeconds(10);
      await setArchived(services, FROM, editor, incident.id, true, { reason: "wrong case" });
      services.clock.advanceSeconds(10);
      await setArchived(services, FROM, editor, incident.id, false, { reason: "right case after all", revision: 3 });
      await updateEntity(services, FROM, admin, incident.id, { revision: 4, reason: "need to know", restricted: true });

      const first = await getEntityAt(services, FROM, admin, incident.id, 1);
      assert.deepEqual([first.properties.date, first.archived, first.restricted, first.revision, first.revisionKind], [["2017"], null, false, 1, "create"]);
      const second = await getEntityAt(services, FROM, admin, incident.id, 2);
      assert.deepEqual([second.properties.date, second.archived, second.revisionKind], [["2017-04-03"], null, "update"]);
      const third = await getEntityAt(services, FROM, admin, incident.id, 3);
      assert.deepEqual([third.archived?.reason, third.properties.name], ["wrong case", ["Arrest"]]);
      assert.equal((await getEntityAt(services, FROM, admin, incident.id, 4)).archived, null);
      assert.equal((await getEntityAt(services, FROM, admin, incident.id, 5)).restricted, true);

      const diff = await entityHistory(services, FROM, admin, incident.id, { from: "1", to: "2" });
      assert.deepEqual([diff.diff.added.map((s) => s.value), diff.diff.removed.map((s) => s.value)], [["2017-04-03"], ["2017"]]);
      assert.deepEqual(diff.revisions.map((r) => [r.number, r.kind, r.authorName]), [[5, "update", "Ayla Admin"], [4, "restore", "editor person"], [3, "archive", "editor person"], [2, "update", "editor person"], [1, "create", "editor person"]]);
    });

    it("refuses revisions that do not exist, and hides the past of records the reader may not see", async () => {
      const person = await createEntity(services, FROM, editor, { schema: "Person", properties: { name: ["Someone"] } });
      await assert.rejects(getEntityAt(services, FROM, viewer, person.id, 2), Invalid);
      await assert.rejects(getEntityAt(services, FROM, viewer, person.id, 0), Invalid);
      await assert.rejects(getEntityAt(services, FROM, outsider, person.id, 1), NotFound);
      const hidden = await createEntity(services, FROM, editor, { schema: "Person", restricted: true, properties: { name: ["Hidden"], alias: [{ value: "Restricted alias", sensitivity: "restricted" }] } });
      await assert.rejects(getEntityAt(services, FROM, viewer, hidden.id, 1), NotFound);
      const open = await createEntity(services, FROM, admin, { schema: "Person", properties: { name: ["Open"], alias: [{ value: "Restricted alias", sensitivity: "restricted" }] } });
      assert.deepEqual((await getEntityAt(services, FROM, viewer, open.id, 1)).properties, { name: ["Open"] });
    });
  });
}
