import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import type { Actor } from "../../src/core/index.ts";
import type { Origin } from "../../src/context.ts";
import { blockingKeys, ENGINE_VERSION, matchNames, prepareEntity, preparedFromJson } from "../../src/names/index.ts";
import { createEntity, setArchived, updateEntity } from "../../src/records/index.ts";
import { matchPrepared, prepareQuery, reindexNames, sqlCandidates } from "../../src/screening/index.ts";
import { databaseTargets, openTestServices, type TestServices } from "../helpers/database.ts";
import { sessionFor, setUpOrganisation } from "../helpers/fixtures.ts";

const FROM: Origin = { requestId: "req-index", ip: null, userAgent: "test" };

for (const target of databaseTargets()) {
  describe(`the names index on ${target.name}`, () => {
    let services: TestServices;
    let admin: Actor;
    before(async () => {
      services = await openTestServices(target);
      const org = await setUpOrganisation(services);
      admin = (await sessionFor(services, org.adminEmail)).principal.actor;
    });
    after(async () => {
      await services.close();
    });

    const keysOf = async (id: string) =>
      (await services.db.selectFrom("name_keys").select("key").where("entity_id", "=", id).orderBy("key").execute()).map((r) => r.key);

    it("keys a new record's names and aliases in the same transaction as the record", async () => {
      const person = await createEntity(services, FROM, admin, { schema: "Person", properties: { name: ["Ilham Tohti"], alias: ["ئىلھام توختى"] } });
      assert.deepEqual(await keysOf(person.id), blockingKeys(["Ilham Tohti", "ئىلھام توختى"]).sort());
    });

    it("follows updates, archives and restores", async () => {
      const person = await createEntity(services, FROM, admin, { schema: "Person", properties: { name: ["Rahile Dawut"] } });
      const before = await keysOf(person.id);
      await updateEntity(services, FROM, admin, person.id, { revision: 1, reason: "correct the name", properties: { name: ["Gulmira Imin"] } });
      const updated = await keysOf(person.id);
      assert.deepEqual(updated, blockingKeys(["Gulmira Imin"]).sort());
      assert.notDeepEqual(updated, before);
      await setArchived(services, FROM, admin, person.id, true, { reason: "entered twice" });
      assert.deepEqual(await keysOf(person.id), []);
      await setArchived(services, FROM, admin, person.id, false, { reason: "it was not" });
      assert.deepEqual(await keysOf(person.id), updated);
    });

    it("keys a company without its legal form and never keys a secret value", async () => {
      const company = await createEntity(services, FROM, admin, { schema: "Company", properties: { name: ["Xinjiang Huafu Co., Ltd."] } });
      assert.deepEqual(await keysOf(company.id), blockingKeys(["Xinjiang Huafu"]).sort());
      const witness = await createEntity(services, FROM, admin, { schema: "Person", properties: { name: ["Witness W-7", { value: "Mihrigul Tursun", sensitivity: "secret" }] } });
      assert.deepEqual(await keysOf(witness.id), blockingKeys(["Witness W-7"]).sort());
    });

    it("keys by birth decade and keeps the record's match features prepared", async () => {
      const person = await createEntity(services, FROM, admin, { schema: "Person", properties: { name: ["Ilham Tohti"], birthDate: ["1969-10-25"], nationality: ["cn"] } });
      const rows = await services.db.selectFrom("name_keys").select(["key", "decade"]).where("entity_id", "=", person.id).execute();
      assert.deepEqual(new Set(rows.map((r) => r.decade)), new Set([196]));
      assert.deepEqual(rows.map((r) => r.key).sort(), blockingKeys(["Ilham Tohti"]).sort());
      const features = await services.db.selectFrom("name_features").selectAll().where("entity_id", "=", person.id).executeTakeFirstOrThrow();
      assert.equal(features.engine, ENGINE_VERSION);
      assert.equal(features.guarded, false);
      const restored = preparedFromJson(features.features);
      assert.ok(restored);
      assert.deepEqual(restored.entity.birthDate, ["1969-10-25"]);
      // Restored features score exactly as freshly prepared ones.
      const query = prepareEntity({ schema: "Person", names: ["ئىلھام توختى"], birthDate: ["1969"] });
      assert.deepEqual(matchNames(query, restored), matchNames(query, prepareEntity(restored.entity)));
    });

    it("keeps restricted values out of the features, and out of the decade", async () => {
      const person = await createEntity(services, FROM, admin, {
        schema: "Person",
        properties: { name: ["Witness Four", { value: "Gulbahar Jelil", sensitivity: "restricted" }], birthDate: [{ value: "1964", sensitivity: "restricted" }] },
      });
      const features = await services.db.selectFrom("name_features").selectAll().where("entity_id", "=", person.id).executeTakeFirstOrThrow();
      assert.equal(features.guarded, true);
      assert.doesNotMatch(JSON.stringify(features.features), /Gulbahar|1964/);
      const decades = await services.db.selectFrom("name_keys").select("decade").distinct().where("entity_id", "=", person.id).execute();
      assert.deepEqual(decades.map((d) => d.decade), [-1], "a restricted birth date must not steer which queries reach the record");
    });

    it("still matches a record whose features an older engine prepared, through the records service", async () => {
      const person = await createEntity(services, FROM, admin, { schema: "Person", properties: { name: ["Abduweli Ayup"] } });
      await services.db.updateTable("name_features").set({ engine: "vigil-names-0" }).where("entity_id", "=", person.id).execute();
      const [found] = await matchPrepared(services, admin, "default", [prepareQuery({ schema: "Person", properties: { name: ["Abduweli Ayup"] } }, "q", {})!], { threshold: 0.8, limit: 5 });
      assert.equal(found!.results[0]?.id, person.id);
      await services.db.deleteFrom("name_features").where("entity_id", "=", person.id).execute();
      const [again] = await matchPrepared(services, admin, "default", [prepareQuery({ schema: "Person", properties: { name: ["Abduweli Ayup"] } }, "q", {})!], { threshold: 0.8, limit: 5 });
      assert.equal(again!.results[0]?.id, person.id);
    });

    it("reads at most the budget from a block larger than it, and says so", async () => {
      for (let i = 0; i < 12; i++) await createEntity(services, FROM, admin, { schema: "Person", properties: { name: ["Muhemmed Abdulla"], birthDate: [i % 2 ? "1970" : "1990"] } });
      const provider = sqlCandidates(services.db);
      const scope = { orgId: admin.orgId, listId: null };
      const keys = blockingKeys(["Muhemmed Abdulla"]);
      const small = await provider.candidates(admin, scope, [{ keys, decades: null }], 5);
      assert.ok(small.perQuery[0]!.ids.length <= 5, `${small.perQuery[0]!.ids.length} candidates`);
      assert.equal(small.perQuery[0]!.truncated, true);
      const whole = await provider.candidates(admin, scope, [{ keys, decades: null }], 50);
      assert.equal(whole.perQuery[0]!.ids.length, 12);
      assert.equal(whole.perQuery[0]!.truncated, false);
      // A birth date reads its decade and the undated only.
      const dated = await provider.candidates(admin, scope, [{ keys, decades: [197] }], 50);
      assert.equal(dated.perQuery[0]!.ids.length, 6);
      // However long the name, a query looks up a bounded number of keys and reads a bounded block.
      const long = Array.from({ length: 40 }, (_, i) => ["Muhemmed", "Abdulla", "Tursun", "Ehmet"][i % 4]).join(" ");
      const longKeys = blockingKeys([long]);
      assert.ok(longKeys.length <= 64);
      const bounded = await provider.candidates(admin, scope, [{ keys: longKeys, decades: null }], 5);
      assert.ok(bounded.perQuery[0]!.ids.length <= 5);
    });

    it("rebuilds an organisation's index from its records", async () => {
      const before = await services.db.selectFrom("name_keys").select(["entity_id", "key", "decade"]).orderBy("entity_id").orderBy("key").orderBy("decade").execute();
      const features = await services.db.selectFrom("name_features").select(["entity_id", "guarded", "features"]).orderBy("entity_id").execute();
      await services.db.deleteFrom("name_keys").execute();
      await services.db.deleteFrom("name_features").execute();
      const result = await reindexNames(services, admin.orgId);
      const after = await services.db.selectFrom("name_keys").select(["entity_id", "key", "decade"]).orderBy("entity_id").orderBy("key").orderBy("decade").execute();
      assert.deepEqual(after, before);
      const rebuilt = await services.db.selectFrom("name_features").select(["entity_id", "guarded", "features"]).orderBy("entity_id").execute();
      // The record whose features were deleted above by hand is prepared again.
      assert.ok(rebuilt.length >= features.length);
      for (const f of features) assert.deepEqual(rebuilt.find((r) => r.entity_id === f.entity_id), f);
      assert.equal(result.keys, before.length);
      assert.ok(result.records >= 4);
    });
  });
}
