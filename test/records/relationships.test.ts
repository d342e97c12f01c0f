import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { Invalid, NotFound, type Actor } from "../../src/core/index.ts";
import type { Origin } from "../../src/context.ts";
import { createEntity, grantAccess, listRelationships, setArchived, updateEntity } from "../../src/records/index.ts";
import { databaseTargets, openTestServices, type TestServices } from "../helpers/database.ts";
import { addMember, addOrganisation, sessionFor, setUpOrganisation } from "../helpers/fixtures.ts";

const FROM: Origin = { requestId: "req-relationships", ip: "203.0.113.9", userAgent: "test" };

async function refusal(promise: Promise<unknown>): Promise<Invalid> {
  const error = await promise.then(() => assert.fail("expected a refusal"), (e: unknown) => e);
  assert.ok(error instanceof Invalid, `expected Invalid, got ${String(error)}`);
  return error;
}

for (const target of databaseTargets()) {
  describe(`relationships on ${target.name}`, () => {
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

    const person = (name: string, restricted = false) => createEntity(services, FROM, editor, { schema: "Person", restricted, properties: { name: [name] } });
    const unit = (name: string) => createEntity(services, FROM, editor, { schema: "PublicBody", properties: { name: [name] } });

    it("records membership, employment, post occupancy and family with their ends checked by schema", async () => {
      const official = await person("Chen Quanguo");
      const bureau = await unit("Regional Public Security Bureau");
      const post = await createEntity(services, FROM, editor, { schema: "Position", properties: { name: ["Party Secretary of the Region"] } });
      const occupancy = await createEntity(services, FROM, editor, { schema: "Occupancy", properties: { holder: [official.id], post: [post.id], startDate: ["2016-08"], endDate: ["2021-12"] } });
      assert.deepEqual(occupancy.properties.holder, [official.id]);
      const employment = await createEntity(services, FROM, editor, { schema: "Employment", properties: { employee: [official.id], employer: [bureau.id], role: ["director"] } });
      assert.deepEqual(employment.properties.employer, [bureau.id]);
      const wrong = await refusal(createEntity(services, FROM, editor, { schema: "Occupancy", properties: { holder: [bureau.id], post: [official.id] } }));
      assert.match(wrong.fields["properties.holder.0"]!, /must be a Person record, not a PublicBody/);
      assert.match(wrong.fields["properties.post.0"]!, /must be a Position record/);
      const missing = await refusal(createEntity(services, FROM, editor, { schema: "Membership", properties: { member: [official.id] } }));
      assert.equal(missing.fields["properties.organization"], "required");
    });

    it("refuses a person as their own relative, on creation and on update", async () => {
      const mother = await person("Mother");
      const son = await person("Son");
      const self = await refusal(createEntity(services, FROM, editor, { schema: "Family", properties: { person: [mother.id], relative: [mother.id], relationship: ["mother"] } }));
      assert.equal(self.message, "a person cannot be their own relative");
      assert.equal(self.fields["properties.relative"], "a person cannot be their own relative");
      const family = await createEntity(services, FROM, editor, { schema: "Family", properties: { person: [mother.id], relative: [son.id], relationship: ["son"] } });
      await refusal(updateEntity(services, FROM, editor, family.id, { revision: 1, reason: "typo", properties: { relative: [mother.id] } }));
      const selfMember = await refusal(createEntity(services, FROM, editor, { schema: "Membership", properties: { member: [son.id], organization: [son.id] } }));
      assert.match(selfMember.fields["properties.member.0"] ?? selfMember.fields["properties.organization.0"] ?? "", /must be a Organization record|itself/);
    });

    it("refuses a membership chain that would make an organisation its own ancestor", async () => {
      const ministry = await unit("Ministry of Public Security");
      const bureau = await unit("Provincial bureau");
      const station = await unit("Local station");
      await createEntity(services, FROM, editor, { schema: "Membership", properties: { member: [bureau.id], organization: [ministry.id] } });
      const link = await createEntity(services, FROM, editor, { schema: "Membership", properties: { member: [station.id], organization: [bureau.id] } });
      const cycle = await refusal(createEntity(services, FROM, editor, { schema: "Membership", properties: { member: [ministry.id], organization: [station.id] } }));
      assert.match(cycle.fields["properties.organization"]!, /its own ancestor/);
      const direct = await refusal(createEntity(services, FROM, editor, { schema: "Membership", properties: { member: [ministry.id], organization: [ministry.id] } }));
      assert.equal(direct.message, "an organisation cannot be a member of itself");
      // Changing an existing link into a loop is refused too; archiving a link opens the way again.
      await refusal(updateEntity(services, FROM, editor, link.id, { revision: 1, reason: "x", properties: { member: [ministry.id] } }));
      await setArchived(services, FROM, editor, link.id, true, { reason: "wrong link" });
      await createEntity(services, FROM, editor, { schema: "Membership", properties: { member: [ministry.id], organization: [station.id] } });
    });

    it("lists a record's relationships in both directions, with the other ends", async () => {
      const place = await createEntity(services, FROM, editor, { schema: "Address", properties: { full: ["Detention centre No. 3"], placeType: ["detention-facility"] } });
      const incident = await createEntity(services, FROM, editor, { schema: "Incident", properties: { name: ["Detention of a teacher"], place: [place.id] } });
      const victim = await person("Teacher");
      const perpetrator = await unit("County police");
      const asVictim = await createEntity(services, FROM, editor, { schema: "Involvement", properties: { incident: [incident.id], participant: [victim.id], role: ["victim"] } });
      const asPerpetrator = await createEntity(services, FROM, editor, { schema: "Involvement", properties: { incident: [incident.id], participant: [perpetrator.id], role: ["alleged perpetrator"] } });
      const ofIncident = await listRelationships(services, FROM, viewer, incident.id);
      assert.deepEqual(
        ofIncident.edges.map((e) => [e.relationship.id, e.property, e.relationship.properties.role, e.others.map((o) => [o.property, o.record.id, o.record.caption])]),
        [
          [asVictim.id, "incident", ["victim"], [["participant", victim.id, "Teacher"]]],
          [asPerpetrator.id, "incident", ["alleged-perpetrator"], [["participant", perpetrator.id, "County police"]]],
        ],
      );
      assert.deepEqual(ofIncident.links.map((l) => [l.direction, l.property, l.record.id, l.record.caption]), [["outgoing", "place", place.id, "Detention centre No. 3"]]);
      const ofPlace = await listRelationships(services, FROM, viewer, place.id);
      assert.deepEqual(ofPlace.links.map((l) => [l.direction, l.property, l.record.id]), [["incoming", "place", incident.id]]);
      const limited = await listRelationships(services, FROM, viewer, incident.id, { limit: "1" });
      assert.deepEqual([limited.edges.length, limited.truncated], [1, true]);
      await assert.rejects(listRelationships(services, FROM, outsider, incident.id), NotFound);
      await assert.rejects(listRelationships(services, FROM, viewer, incident.id, { limit: "0" }), Invalid);
    });

    it("leaves out relationships through a record, a value or an end the reader may not see", async () => {
      const incident = await createEntity(services, FROM, editor, { schema: "Incident", properties: { name: ["Raid on a mosque"] } });
      const witness = await person("Protected witness", true);
      const imam = await person("Imam");
      await createEntity(services, FROM, editor, { schema: "Involvement", properties: { incident: [incident.id], participant: [witness.id], role: ["witness"] } });
      const hiddenEdge = await createEntity(services, FROM, editor, { schema: "Involvement", restricted: true, properties: { incident: [incident.id], participant: [imam.id], role: ["victim"] } });
      const seenBy = async (actor: Actor) => (await listRelationships(services, FROM, actor, incident.id)).edges.map((e) => e.others[0]?.record.caption).sort();
      assert.deepEqual(await seenBy(editor), ["Imam", "Protected witness"]);
      assert.deepEqual(await seenBy(admin), ["Imam", "Protected witness"]);
      assert.deepEqual(await seenBy(researcher), [], "neither the restricted witness nor the restricted involvement");
      await grantAccess(services, FROM, editor, hiddenEdge.id, { user: researcher.userId });
      assert.deepEqual(await seenBy(researcher), ["Imam"]);
      assert.deepEqual((await listRelationships(services, FROM, researcher, imam.id)).edges.length, 1);
      assert.deepEqual((await listRelationships(services, FROM, viewer, imam.id)).edges.length, 0);
    });
  });
}
