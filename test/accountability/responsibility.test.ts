import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { Forbidden, Invalid, NotFound, type Actor } from "../../src/core/index.ts";
import { NO_ORIGIN } from "../../src/context.ts";
import { createEntity, getEntity, grantAccess, updateEntity, type EntityView } from "../../src/records/index.ts";
import { addStatusChange, recordDetention } from "../../src/monitor/index.ts";
import { documentedResponsibility, getUnit, officialCareer, recordPost, responsibilityMap, reviewLink, setParentUnit, VIOLATION_GRAVITY, DETENTION_GRAVITY } from "../../src/accountability/index.ts";
import { databaseTargets, openTestServices, type TestServices } from "../helpers/database.ts";
import { addMember, addOrganisation, sessionFor, setUpOrganisation } from "../helpers/fixtures.ts";

for (const target of databaseTargets()) {
  describe(`officials, units and responsibility on ${target.name}`, () => {
    let services: TestServices;
    let admin: Actor;
    let editor: Actor;
    let researcher: Actor;
    let viewer: Actor;
    let partner: Actor;
    let outsider: Actor;
    let source: EntityView;
    let prefecture: EntityView;
    let county: EntityView;
    let station: EntityView;
    let otherBureau: EntityView;
    let camp: EntityView;
    let official: EntityView;
    const org = (name: string, schema = "PublicBody", parent?: string) =>
      createEntity(services, NO_ORIGIN, editor, { schema, properties: { name: [name], ...(parent ? { parentUnit: [{ value: parent, source: source.id }] } : {}) } });

    before(async () => {
      services = await openTestServices(target);
      const o = await setUpOrganisation(services);
      const adminSession = await sessionFor(services, o.adminEmail);
      admin = adminSession.principal.actor;
      editor = (await addMember(services, adminSession.principal, "editor", "editor@watch.example")).principal.actor;
      researcher = (await addMember(services, adminSession.principal, "researcher", "researcher@watch.example")).principal.actor;
      viewer = (await addMember(services, adminSession.principal, "viewer", "viewer@watch.example")).principal.actor;
      partner = (await addMember(services, adminSession.principal, "partner", "partner@watch.example")).principal.actor;
      outsider = (await sessionFor(services, (await addOrganisation(services, "elsewhere")).adminEmail)).principal.actor;
      source = await createEntity(services, NO_ORIGIN, editor, { schema: "Source", properties: { name: ["Leaked personnel roster"] } });
      prefecture = await org("Kashgar Prefecture Public Security Bureau");
      county = await org("Yengisheher County Public Security Bureau", "PublicBody", prefecture.id);
      station = await org("Township police station 4", "PublicBody", county.id);
      otherBureau = await org("Hotan Prefecture Public Security Bureau");
      camp = await createEntity(services, NO_ORIGIN, editor, { schema: "Address", properties: { full: ["Yengisheher internment camp"], placeType: ["internment-camp"], operator: [{ value: station.id, source: source.id }] } });
      official = await createEntity(services, NO_ORIGIN, editor, { schema: "Person", properties: { name: ["Wang Jianguo"] } });
    });
    after(async () => {
      await services.close();
    });

    it("keeps the hierarchy of units and refuses a cycle with a clear 422, through the records editor too", async () => {
      const unit = await getUnit(services, NO_ORIGIN, viewer, prefecture.id);
      assert.deepEqual(unit.below.map((u) => u.chain.map((c) => c.name)), [
        ["Kashgar Prefecture Public Security Bureau", "Yengisheher County Public Security Bureau"],
        ["Kashgar Prefecture Public Security Bureau", "Yengisheher County Public Security Bureau", "Township police station 4"],
      ]);
      assert.deepEqual(unit.places.map((p) => p.name), ["Yengisheher internment camp"]);
      assert.deepEqual((await getUnit(services, NO_ORIGIN, viewer, station.id)).above.map((a) => a.name), ["Kashgar Prefecture Public Security Bureau", "Yengisheher County Public Security Bureau"]);
      const fresh = await getEntity(services, NO_ORIGIN, editor, prefecture.id);
      await assert.rejects(setParentUnit(services, NO_ORIGIN, editor, prefecture.id, { parent: station.id, revision: fresh.revision, reason: "reorganised" }), (e: unknown) => e instanceof Invalid && e.status === 422 && /cycle/.test(e.message));
      await assert.rejects(setParentUnit(services, NO_ORIGIN, editor, prefecture.id, { parent: prefecture.id, revision: fresh.revision, reason: "typo" }), (e: unknown) => e instanceof Invalid && /cycle/.test(e.message));
      await assert.rejects(updateEntity(services, NO_ORIGIN, editor, county.id, { revision: (await getEntity(services, NO_ORIGIN, editor, county.id)).revision, reason: "x", properties: { name: ["Yengisheher County Public Security Bureau"], parentUnit: [station.id] } }), (e: unknown) => e instanceof Invalid && /cycle/.test(e.message));
      assert.equal((await getEntity(services, NO_ORIGIN, editor, prefecture.id)).revision, fresh.revision, "nothing was written");
      await assert.rejects(setParentUnit(services, NO_ORIGIN, editor, camp.id, { parent: null, revision: 1, reason: "x" }), NotFound);
    });

    it("records posts with EDTF dates and shows the career as a timeline; refuses bad dates and unknown officials", async () => {
      await recordPost(services, NO_ORIGIN, researcher, official.id, { title: "Party secretary", unit: county.id, country: "cn", startDate: "2016-08", endDate: "2019?", source: source.id });
      const career = await recordPost(services, NO_ORIGIN, researcher, official.id, { title: "Director", unit: otherBureau.id, startDate: "2019-09", source: source.id });
      assert.deepEqual(career.entries.map((e) => [e.position?.name, e.unit?.name, e.start.text, e.end.text]), [
        ["Party secretary", "Yengisheher County Public Security Bureau", "2016-08", "2019?"],
        ["Director", "Hotan Prefecture Public Security Bureau", "2019-09", null],
      ]);
      assert.deepEqual(career.entries[0]!.unitChain.map((u) => u.name), ["Kashgar Prefecture Public Security Bureau"]);
      assert.ok(career.entries[0]!.sources.includes(source.id));
      const count = async () => Number((await services.db.selectFrom("entities").select((eb) => eb.fn.countAll<string>().as("n")).executeTakeFirstOrThrow()).n);
      const before = await count();
      await assert.rejects(recordPost(services, NO_ORIGIN, researcher, official.id, { title: "Chief", unit: county.id, startDate: "spring 2017" }), (e: unknown) => e instanceof Invalid && /EDTF/.test(e.fields.startDate ?? ""));
      await assert.rejects(recordPost(services, NO_ORIGIN, researcher, official.id, { title: "Chief", unit: county.id, startDate: "2018", endDate: "2017" }), (e: unknown) => e instanceof Invalid && /before/.test(e.fields.endDate ?? ""));
      await assert.rejects(recordPost(services, NO_ORIGIN, researcher, official.id, { title: "Chief", unit: camp.id }), (e: unknown) => e instanceof Invalid && /organisation or unit/.test(e.fields.unit ?? ""));
      await assert.rejects(recordPost(services, NO_ORIGIN, researcher, official.id, { unit: county.id }), Invalid);
      await assert.rejects(recordPost(services, NO_ORIGIN, researcher, "00000000-0000-4000-8000-000000000000", { title: "Chief" }), NotFound);
      await assert.rejects(recordPost(services, NO_ORIGIN, researcher, county.id, { title: "Chief" }), NotFound);
      await assert.rejects(officialCareer(services, NO_ORIGIN, viewer, "00000000-0000-4000-8000-000000000000"), NotFound);
      await assert.rejects(recordPost(services, NO_ORIGIN, viewer, official.id, { title: "Chief" }), Forbidden);
      await assert.rejects(officialCareer(services, NO_ORIGIN, partner, official.id), Forbidden);
      await assert.rejects(officialCareer(services, NO_ORIGIN, outsider, official.id), NotFound);
      assert.equal(await count(), before, "nothing was written");
    });

    it("links what happened under the official's command while they held the post, apart from what names them, each with its reasoning", async () => {
      const victim = await createEntity(services, NO_ORIGIN, editor, { schema: "Person", properties: { name: ["Abdurehim Heyit"] } });
      const during = await createEntity(services, NO_ORIGIN, editor, { schema: "Incident", properties: { name: ["Beating at the camp"], violation: ["torture"], date: ["2017-05-02"], place: [{ value: camp.id, source: source.id }] } });
      await createEntity(services, NO_ORIGIN, editor, { schema: "Incident", properties: { name: ["Before his time"], violation: ["killing"], date: ["2015-01"], place: [camp.id] } });
      const uncertain = await createEntity(services, NO_ORIGIN, editor, { schema: "Incident", properties: { name: ["Disappearance around 2019"], violation: ["enforced-disappearance"], date: ["2019"], place: [camp.id] } });
      const named = await createEntity(services, NO_ORIGIN, editor, { schema: "Incident", properties: { name: ["Raid on a wedding"], violation: ["arbitrary-arrest"], date: ["2020-06"] } });
      await createEntity(services, NO_ORIGIN, editor, { schema: "Involvement", properties: { incident: [named.id], participant: [{ value: official.id, source: source.id }], role: ["alleged-perpetrator"] } });
      const detention = await recordDetention(services, NO_ORIGIN, editor, { person: victim.id, startDate: "2018-02", facility: camp.id, source: source.id });
      const map = await responsibilityMap(services, NO_ORIGIN, viewer, official.id);
      assert.deepEqual(map.direct.map((l) => [l.record.name, l.via, l.role]), [["Raid on a wedding", "involvement", "alleged-perpetrator"]]);
      assert.deepEqual(map.command.map((l) => [l.kind, l.record.date, l.overlap]), [["incident", "2017-05-02", "certain"], ["detention", "2018-02", "possible"], ["incident", "2019", "possible"]]);
      const beating = map.command.find((l) => l.record.id === during.id)!;
      assert.equal(beating.via, "place");
      assert.equal(beating.post?.positionName, "Party secretary");
      assert.deepEqual(beating.chain.map((c) => c.name), ["Yengisheher County Public Security Bureau", "Township police station 4"]);
      assert.equal(beating.place?.name, "Yengisheher internment camp");
      assert.deepEqual(beating.sources.map((s) => s.name), ["Leaked personnel roster"]);
      assert.equal(beating.gravity, VIOLATION_GRAVITY.torture);
      const held = map.command.find((l) => l.record.id === detention.detention.id)!;
      assert.equal(held.kind, "detention");
      assert.equal(held.gravity, DETENTION_GRAVITY);
      assert.ok(map.command.some((l) => l.record.id === uncertain.id && l.overlap === "possible"));
      assert.ok(!map.command.some((l) => l.record.name === "Before his time"), "an incident before the post is not linked");
      await addStatusChange(services, NO_ORIGIN, editor, detention.detention.id, { status: "released", date: "2018-03", source: source.id });
      assert.ok((await responsibilityMap(services, NO_ORIGIN, viewer, official.id)).command.some((l) => l.record.id === detention.detention.id), "a released detention during the post stays linked");
    });

    it("never shows a restricted incident to a reader not on its access list, nor counts it for them", async () => {
      const secret = await createEntity(services, NO_ORIGIN, editor, { schema: "Incident", restricted: true, properties: { name: ["Death in custody, witness protected"], violation: ["death-in-custody"], date: ["2017-11"], place: [camp.id] } });
      const seen = (await responsibilityMap(services, NO_ORIGIN, viewer, official.id)).command.map((l) => l.record.id);
      assert.ok(!seen.includes(secret.id));
      assert.ok((await responsibilityMap(services, NO_ORIGIN, editor, official.id)).command.some((l) => l.record.id === secret.id), "its creator is on its access list");
      assert.ok((await responsibilityMap(services, NO_ORIGIN, admin, official.id)).command.some((l) => l.record.id === secret.id));
      const forViewer = (await documentedResponsibility(services, viewer, [official.id])).get(official.id)!;
      const forAdmin = (await documentedResponsibility(services, admin, [official.id])).get(official.id)!;
      assert.equal(forAdmin.command, forViewer.command + 1);
      assert.equal(forAdmin.gravity, forViewer.gravity + VIOLATION_GRAVITY["death-in-custody"]!);
      await grantAccess(services, NO_ORIGIN, admin, secret.id, { user: viewer.userId });
      assert.ok((await responsibilityMap(services, NO_ORIGIN, viewer, official.id)).command.some((l) => l.record.id === secret.id));
      // A restricted value (the place) of an ordinary incident makes no link for a reader who may not read it.
      const hidden = await createEntity(services, NO_ORIGIN, admin, { schema: "Incident", properties: { name: ["Interrogation"], violation: ["ill-treatment"], date: ["2017-03"], place: [{ value: camp.id, sensitivity: "restricted" }] } });
      assert.ok(!(await responsibilityMap(services, NO_ORIGIN, researcher, official.id)).command.some((l) => l.record.id === hidden.id));
      assert.ok((await responsibilityMap(services, NO_ORIGIN, admin, official.id)).command.some((l) => l.record.id === hidden.id));
    });

    it("lets an analyst confirm or dismiss a link with a reason, audited and reversible, and counts only what is not dismissed", async () => {
      const map = await responsibilityMap(services, NO_ORIGIN, researcher, official.id);
      const link = map.command.find((l) => l.record.name === "Beating at the camp")!;
      const before = (await documentedResponsibility(services, researcher, [official.id])).get(official.id)!;
      await assert.rejects(reviewLink(services, NO_ORIGIN, researcher, official.id, { link: link.key, decision: "dismissed" }), (e: unknown) => e instanceof Invalid && e.fields.reason === "say why");
      await assert.rejects(reviewLink(services, NO_ORIGIN, researcher, official.id, { link: link.key, decision: "dismissed", reason: "   " }), Invalid);
      await assert.rejects(reviewLink(services, NO_ORIGIN, viewer, official.id, { link: link.key, decision: "dismissed", reason: "wrong camp" }), Forbidden);
      await assert.rejects(reviewLink(services, NO_ORIGIN, outsider, official.id, { link: link.key, decision: "dismissed", reason: "wrong camp" }), NotFound);
      await assert.rejects(reviewLink(services, NO_ORIGIN, researcher, official.id, { link: `direct:${link.record.id}`, decision: "confirmed" }), NotFound);
      await assert.rejects(reviewLink(services, NO_ORIGIN, researcher, official.id, { link: "nonsense", decision: "confirmed" }), Invalid);
      assert.equal(await services.db.selectFrom("responsibility_reviews").selectAll().execute().then((r) => r.length), 0, "nothing half-written");
      const dismissed = await reviewLink(services, NO_ORIGIN, researcher, official.id, { link: link.key, decision: "dismissed", reason: "the beating was at another camp of the same name" });
      assert.equal(dismissed.review?.decision, "dismissed");
      assert.equal(dismissed.review?.reason, "the beating was at another camp of the same name");
      const after = (await documentedResponsibility(services, researcher, [official.id])).get(official.id)!;
      assert.equal(after.command, before.command - 1);
      assert.equal(after.gravity, before.gravity - VIOLATION_GRAVITY.torture!);
      await assert.rejects(reviewLink(services, NO_ORIGIN, researcher, official.id, { link: link.key, decision: "dismissed", reason: "again" }), Invalid);
      const reopened = await reviewLink(services, NO_ORIGIN, editor, official.id, { link: link.key, decision: "reopened", reason: "the roster places him there after all" });
      assert.equal(reopened.review, null);
      assert.deepEqual(reopened.history.map((h) => h.decision), ["dismissed", "reopened"]);
      const confirmed = await reviewLink(services, NO_ORIGIN, editor, official.id, { link: link.key, decision: "confirmed" });
      assert.equal(confirmed.review?.decision, "confirmed");
      assert.deepEqual((await documentedResponsibility(services, researcher, [official.id])).get(official.id), before);
      const audit = await services.db.selectFrom("audit_events").select("action").where("action", "like", "responsibility.%").orderBy("id").execute();
      assert.deepEqual(audit.map((a) => a.action).filter((a) => !["responsibility.review", "responsibility.view"].includes(a)), ["responsibility.dismiss", "responsibility.reopen", "responsibility.confirm"]);
    });

    it("gives documented responsibility only for people the actor may know of", async () => {
      const unknown = "00000000-0000-4000-8000-000000000000";
      const result = await documentedResponsibility(services, viewer, [official.id, unknown, county.id]);
      assert.deepEqual([...result.keys()], [official.id]);
      const r = result.get(official.id)!;
      assert.equal(r.direct, 1);
      assert.ok(r.command >= 2);
      assert.equal((await documentedResponsibility(services, outsider, [official.id])).size, 0);
      assert.equal((await documentedResponsibility(services, partner, [official.id])).size, 0);
    });
  });
}
