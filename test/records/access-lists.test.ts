import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { Conflict, Forbidden, Invalid, NotFound, type Actor } from "../../src/core/index.ts";
import type { Origin } from "../../src/context.ts";
import { addTeamMember, createEntity, createTeam, getAccessList, getEntity, grantAccess, listEntities, listTeams, removeTeamMember, revokeAccess } from "../../src/records/index.ts";
import { databaseTargets, openTestServices, type TestServices } from "../helpers/database.ts";
import { addMember, addOrganisation, sessionFor, setUpOrganisation } from "../helpers/fixtures.ts";

const FROM: Origin = { requestId: "req-access", ip: "203.0.113.9", userAgent: "test" };

for (const target of databaseTargets()) {
  describe(`access lists and teams on ${target.name}`, () => {
    let services: TestServices;
    let admin: Actor;
    let editor: Actor;
    let researcher: Actor;
    let viewer: Actor;
    let outsider: Actor;
    before(async () => {
      services = await openTestServices(target);
      const org = await setUpOrganisation(services);
      const adminSession = await sessionFor(services, org.adminEmail);
      admin = adminSession.principal.actor;
      editor = (await addMember(services, adminSession.principal, "editor", "editor@watch.example")).principal.actor;
      researcher = (await addMember(services, adminSession.principal, "researcher", "researcher@watch.example")).principal.actor;
      viewer = (await addMember(services, adminSession.principal, "viewer", "viewer@watch.example")).principal.actor;
      outsider = (await sessionFor(services, (await addOrganisation(services, "elsewhere")).adminEmail)).principal.actor;
    });
    after(async () => {
      await services.close();
    });

    const sees = async (actor: Actor, id: string) => (await listEntities(services, FROM, actor, { limit: 200 })).entities.some((e) => e.id === id);

    it("grants and revokes a member directly, audited, and the record appears and disappears for them", async () => {
      const incident = await createEntity(services, FROM, editor, { schema: "Incident", restricted: true, properties: { name: ["Case 1"] } });
      assert.equal(await sees(viewer, incident.id), false);
      const list = await grantAccess(services, FROM, editor, incident.id, { user: viewer.userId });
      assert.deepEqual(list.users.map((u) => [u.id, u.direct]).sort(), [[editor.userId, true], [viewer.userId, true]].sort());
      assert.equal(await sees(viewer, incident.id), true);
      await revokeAccess(services, FROM, editor, incident.id, { user: viewer.userId });
      assert.equal(await sees(viewer, incident.id), false);
      await assert.rejects(getEntity(services, FROM, viewer, incident.id), NotFound);
      await assert.rejects(revokeAccess(services, FROM, editor, incident.id, { user: viewer.userId }), NotFound);
      const events = await services.db.selectFrom("audit_events").select(["action", "details"]).where("target_id", "=", incident.id).where("action", "like", "record.access.%").orderBy("id").execute();
      assert.deepEqual(events.map((e) => [e.action, e.details]), [["record.access.grant", { user: viewer.userId }], ["record.access.revoke", { user: viewer.userId }]]);
    });

    it("puts a team on a list, so that members who join see the record and members who leave stop seeing it", async () => {
      const team = await createTeam(services, FROM, admin, { name: "Legal team" });
      await addTeamMember(services, FROM, admin, team.id, { user: researcher.userId });
      const incident = await createEntity(services, FROM, editor, { schema: "Incident", restricted: true, properties: { name: ["Case for the lawyers"] } });
      const granted = await grantAccess(services, FROM, editor, incident.id, { team: team.id });
      assert.deepEqual(granted.teams, [{ id: team.id, name: "Legal team" }]);
      assert.equal(await sees(researcher, incident.id), true);
      assert.equal(await sees(viewer, incident.id), false);
      await addTeamMember(services, FROM, admin, team.id, { user: viewer.userId });
      assert.equal(await sees(viewer, incident.id), true, "a new member sees what the team sees");
      // On the list only through the team: revoking the person alone is refused with the reason.
      await assert.rejects(revokeAccess(services, FROM, editor, incident.id, { user: viewer.userId }), /through a team/);
      await removeTeamMember(services, FROM, admin, team.id, viewer.userId);
      assert.equal(await sees(viewer, incident.id), false, "a member who leaves no longer sees it");
      // Someone on the list directly and through the team keeps access when the team goes.
      await grantAccess(services, FROM, editor, incident.id, { user: researcher.userId });
      await revokeAccess(services, FROM, editor, incident.id, { team: team.id });
      assert.equal(await sees(researcher, incident.id), true);
      const list = await getAccessList(services, FROM, admin, incident.id);
      assert.deepEqual([list.teams, list.users.find((u) => u.id === researcher.userId)?.direct], [[], true]);
      const teams = await listTeams(services, FROM, viewer);
      assert.deepEqual(teams.map((t) => [t.name, t.members.map((m) => m.id)]), [["Legal team", [researcher.userId]]]);
    });

    it("refuses lower roles, people off the list, unknown members and other organisations", async () => {
      const incident = await createEntity(services, FROM, editor, { schema: "Incident", restricted: true, properties: { name: ["Case 3"] } });
      // A researcher never manages lists; an editor off this record's list does not find the record.
      await assert.rejects(grantAccess(services, FROM, researcher, incident.id, { user: researcher.userId }), Forbidden);
      const otherEditor = await createEntity(services, FROM, admin, { schema: "Incident", restricted: true, properties: { name: ["Admin's case"] } });
      await assert.rejects(grantAccess(services, FROM, editor, otherEditor.id, { user: editor.userId }), NotFound);
      await grantAccess(services, FROM, editor, incident.id, { user: researcher.userId });
      // On the list, but a researcher does not manage the list.
      await assert.rejects(grantAccess(services, FROM, researcher, incident.id, { user: viewer.userId }), Forbidden);
      await assert.rejects(getAccessList(services, FROM, researcher, incident.id), Forbidden);
      await assert.rejects(grantAccess(services, FROM, outsider, incident.id, { user: outsider.userId }), NotFound);
      await assert.rejects(grantAccess(services, FROM, editor, incident.id, { user: outsider.userId }), /no such user in your organisation/);
      await assert.rejects(grantAccess(services, FROM, editor, incident.id, { team: "00000000-0000-4000-8000-000000000000" }), Invalid);
      await assert.rejects(grantAccess(services, FROM, editor, incident.id, { user: viewer.userId, team: viewer.userId }), Invalid);
      await assert.rejects(createTeam(services, FROM, editor, { name: "Editors' own team" }), Forbidden);
      await assert.rejects(createTeam(services, FROM, admin, { name: "  " }), Invalid);
      await createTeam(services, FROM, admin, { name: "Field team" });
      await assert.rejects(createTeam(services, FROM, admin, { name: "Field team" }), Conflict);
      const theirs = await createTeam(services, FROM, outsider, { name: "Their team" });
      await assert.rejects(addTeamMember(services, FROM, admin, theirs.id, { user: viewer.userId }), NotFound);
      await assert.rejects(addTeamMember(services, FROM, outsider, theirs.id, { user: viewer.userId }), NotFound);
      assert.deepEqual((await listTeams(services, FROM, outsider)).map((t) => t.name), ["Their team"]);
    });
  });
}
