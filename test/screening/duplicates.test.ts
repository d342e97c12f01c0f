import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { Forbidden, Invalid, type Actor } from "../../src/core/index.ts";
import type { Origin } from "../../src/context.ts";
import { createEntity, getEntity } from "../../src/records/index.ts";
import { acceptDuplicate, findDuplicates, rejectDuplicate } from "../../src/screening/index.ts";
import { databaseTargets, openTestServices, type TestServices } from "../helpers/database.ts";
import { addMember, sessionFor, setUpOrganisation } from "../helpers/fixtures.ts";
import { Client } from "../helpers/http.ts";

const FROM: Origin = { requestId: "req-dupes", ip: null, userAgent: "test" };

for (const target of databaseTargets()) {
  describe(`probable duplicates on ${target.name}`, () => {
    let services: TestServices;
    let admin: Actor;
    let researcher: Actor;
    let viewer: Actor;
    const ids: Record<string, string> = {};
    const body = (value: unknown) => async () => value;
    const pairsOf = async (actor: Actor) => (await findDuplicates(services, FROM, actor, {})).pairs.map((p) => [p.a.id, p.b.id].sort().join("|"));
    const pair = (x: string, y: string) => [ids[x]!, ids[y]!].sort().join("|");

    before(async () => {
      services = await openTestServices(target);
      const org = await setUpOrganisation(services);
      const adminSession = await sessionFor(services, org.adminEmail);
      admin = adminSession.principal.actor;
      researcher = (await addMember(services, adminSession.principal, "researcher", "researcher@watch.example")).principal.actor;
      viewer = (await addMember(services, adminSession.principal, "viewer", "viewer@watch.example")).principal.actor;
      // One man entered three times from three sources, in three scripts; a different man of a near name.
      ids.uey = (await createEntity(services, FROM, admin, { schema: "Person", properties: { name: ["ئىلھام توختى"], birthDate: ["1969-10-25"] } })).id;
      ids.latin = (await createEntity(services, FROM, admin, { schema: "Person", properties: { name: ["Ilham Tohti"], birthDate: ["1969"] } })).id;
      ids.han = (await createEntity(services, FROM, admin, { schema: "Person", properties: { name: ["伊力哈木·土赫提"] } })).id;
      ids.other = (await createEntity(services, FROM, admin, { schema: "Person", properties: { name: ["Ilham Tursun"], birthDate: ["1985"] } })).id;
      // A restricted record, and a record whose name is restricted, that look like one another.
      ids.hidden = (await createEntity(services, FROM, admin, { schema: "Person", restricted: true, properties: { name: ["Mihrigul Tursun"] } })).id;
      ids.open = (await createEntity(services, FROM, admin, { schema: "Person", properties: { name: ["Mihrigul Tursun"] } })).id;
      ids.alias = (await createEntity(services, FROM, admin, { schema: "Person", properties: { name: ["Witness Nine"], alias: [{ value: "Mihrigul Tursun", sensitivity: "restricted" }] } })).id;
    });
    after(async () => {
      await services.close();
    });

    it("proposes each probable duplicate pair once, with its score and explanation", async () => {
      const page = await findDuplicates(services, FROM, researcher, {});
      const found = page.pairs.map((p) => [p.a.id, p.b.id].sort().join("|"));
      for (const [x, y] of [["uey", "latin"], ["uey", "han"], ["latin", "han"]]) assert.ok(found.includes(pair(x!, y!)), `${x} ~ ${y}`);
      assert.equal(new Set(found).size, found.length, "no pair twice");
      assert.ok(!found.some((p) => p.includes(ids.other!)), "a near name with another birth date is not proposed");
      const best = page.pairs.find((p) => [p.a.id, p.b.id].sort().join("|") === pair("uey", "latin"))!;
      assert.ok(best.result.score >= 0.8);
      assert.ok(best.result.explanation.some((line) => /birth dates/.test(line)), best.result.explanation.join("; "));
      assert.equal(page.checked, 6, "every record the researcher may see, and no other");
    });

    it("never shows a pair involving a record, or quoting a name, the caller may not see", async () => {
      const asAdmin = await pairsOf(admin);
      assert.ok(asAdmin.includes(pair("hidden", "open")));
      assert.ok(asAdmin.includes(pair("alias", "open")) || asAdmin.includes(pair("alias", "hidden")));
      const asResearcher = await findDuplicates(services, FROM, researcher, {});
      const seen = JSON.stringify(asResearcher.pairs);
      assert.ok(!seen.includes(ids.hidden!), "the restricted record");
      assert.ok(!seen.includes(ids.alias!), "the record matched only through a restricted name");
      await assert.rejects(findDuplicates(services, FROM, viewer, {}), Forbidden);
    });

    it("remembers a rejected pair and never proposes it again", async () => {
      await assert.rejects(rejectDuplicate(services, FROM, researcher, body({ a: ids.latin, b: ids.han })), Invalid, "a reason is required");
      await assert.rejects(rejectDuplicate(services, FROM, researcher, body({ a: ids.latin, b: ids.hidden, reason: "x" })), Invalid, "a record it may not see");
      await assert.rejects(rejectDuplicate(services, FROM, researcher, body({ a: ids.latin, b: ids.latin, reason: "x" })), Invalid);
      await rejectDuplicate(services, FROM, researcher, body({ a: ids.latin, b: ids.han, reason: "the Chinese record is his namesake from Ghulja" }));
      await rejectDuplicate(services, FROM, researcher, body({ a: ids.han, b: ids.latin, reason: "twice is harmless" }));
      assert.ok(!(await pairsOf(researcher)).includes(pair("latin", "han")));
      assert.ok((await pairsOf(researcher)).includes(pair("uey", "han")), "other pairs of the same records stay");
      const rows = await services.db.selectFrom("duplicate_rejections").selectAll().execute();
      assert.equal(rows.length, 1);
      assert.equal(rows[0]!.reason, "the Chinese record is his namesake from Ghulja");
    });

    it("merges an accepted pair through the records service, refusing a stale revision", async () => {
      const [keep, merge] = [await getEntity(services, FROM, researcher, ids.uey!), await getEntity(services, FROM, researcher, ids.latin!)];
      await assert.rejects(acceptDuplicate(services, FROM, researcher, body({ keep: keep.id, merge: merge.id, keepRevision: keep.revision + 1, mergeRevision: merge.revision, reason: "same man" })), /revision/);
      const done = await acceptDuplicate(services, FROM, researcher, body({ keep: keep.id, merge: merge.id, keepRevision: keep.revision, mergeRevision: merge.revision, reason: "same man, same birth date" }));
      assert.equal(done.kept, keep.id);
      const merged = await getEntity(services, FROM, researcher, ids.latin!);
      assert.equal(merged.mergedInto, ids.uey);
      assert.ok(!(await pairsOf(researcher)).some((p) => p.includes(ids.latin!)), "a merged record is no longer proposed");
      await assert.rejects(acceptDuplicate(services, FROM, viewer, body({ keep: keep.id, merge: ids.han, keepRevision: 1, mergeRevision: 1, reason: "x" })), Forbidden);
    });

    it("serves the page: pairs with explanations, reject and merge forms", async () => {
      const client = Client.for(services);
      await client.signIn("researcher@watch.example");
      const page = await client.get("/duplicates");
      assert.equal(page.status, 200);
      const html = await page.text();
      assert.match(html, /伊力哈木·土赫提/);
      assert.match(html, /phonetic keys agree/);
      assert.doesNotMatch(html, new RegExp(ids.hidden!));
      assert.match(html, /action="\/duplicates\/reject"/);
      assert.match(html, /action="\/duplicates\/merge"/);
      const rejected = await client.submit("/duplicates", "/duplicates/reject", { a: ids.uey!, b: ids.han!, reason: "", back: "/duplicates" });
      assert.equal(rejected.status, 422, "a reason is required");
      const ok = await client.submit("/duplicates", "/duplicates/reject", { a: ids.uey!, b: ids.han!, reason: "not him", back: "https://evil.example/" });
      assert.equal(ok.status, 303);
      assert.equal(ok.headers.get("location"), "/duplicates?done=rejected");
      const viewerClient = Client.for(services);
      await viewerClient.signIn("viewer@watch.example");
      assert.equal((await viewerClient.get("/duplicates")).status, 403);
    });
  });
}
