import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import type { Actor } from "../../src/core/index.ts";
import type { Origin } from "../../src/context.ts";
import { blockingKeys } from "../../src/names/index.ts";
import { createEntity, setArchived, updateEntity } from "../../src/records/index.ts";
import { reindexNames } from "../../src/screening/index.ts";
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

    it("rebuilds an organisation's index from its records", async () => {
      const before = await services.db.selectFrom("name_keys").select(["entity_id", "key"]).orderBy("entity_id").orderBy("key").execute();
      await services.db.deleteFrom("name_keys").execute();
      const result = await reindexNames(services, admin.orgId);
      const after = await services.db.selectFrom("name_keys").select(["entity_id", "key"]).orderBy("entity_id").orderBy("key").execute();
      assert.deepEqual(after, before);
      assert.equal(result.keys, before.length);
      assert.ok(result.records >= 4);
    });
  });
}
