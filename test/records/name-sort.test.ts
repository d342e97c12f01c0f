import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { sql } from "kysely";
import type { Actor } from "../../src/core/index.ts";
import type { Origin } from "../../src/context.ts";
import { browseRecords, createEntity, getEntity, mergeEntities, undoMerge, updateEntity } from "../../src/records/index.ts";
import { databaseTargets, openTestServices, type TestServices } from "../helpers/database.ts";
import { addMember, sessionFor, setUpOrganisation } from "../helpers/fixtures.ts";

const FROM: Origin = { requestId: "req-name-sort", ip: "203.0.113.9", userAgent: "test" };

for (const target of databaseTargets()) {
  describe(`lists sorted by name on ${target.name}`, () => {
    let services: TestServices;
    let admin: Actor;
    let editor: Actor;
    let viewer: Actor;
    before(async () => {
      services = await openTestServices(target);
      const org = await setUpOrganisation(services);
      const adminSession = await sessionFor(services, org.adminEmail);
      admin = adminSession.principal.actor;
      editor = (await addMember(services, adminSession.principal, "editor", "editor@watch.example")).principal.actor;
      viewer = (await addMember(services, adminSession.principal, "viewer", "viewer@watch.example")).principal.actor;
    });
    after(async () => {
      await services.close();
    });

    const labels = new Map<string, string>();

    /** The people list sorted by name, page after page of two, each record by its label. */
    async function byName(actor: Actor = viewer): Promise<string[]> {
      const names: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await browseRecords(services, FROM, actor, { sort: "name", limit: 2, ...(cursor ? { cursor } : {}) }, ["Person"]);
        names.push(...page.records.map((r) => labels.get(r.id) ?? r.id));
        cursor = page.nextCursor ?? undefined;
      } while (cursor);
      return names;
    }

    /** Records whose stored key differs from the one recomputed from their statements. */
    async function staleKeys(): Promise<string[]> {
      const rows = await sql<{ id: string }>`SELECT e.id FROM entities e WHERE e.org_id = ${admin.orgId} AND e.name_key <> COALESCE((
          SELECT left(min(lower(s.value)), 200) FROM statements s WHERE s.entity_id = e.id AND s.retracted_at IS NULL
            AND s.sensitivity IN ('public', 'internal') AND s.property IN ('name', 'alias', 'weakAlias', 'previousName', 'full', 'firstName', 'lastName')), '')`.execute(services.db);
      return rows.rows.map((r) => r.id);
    }

    it("orders by the first open name, kept in step as names are added, corrected, merged and unmerged, across cursor pages", async () => {
      const zeynep = await createEntity(services, FROM, editor, { schema: "Person", properties: { name: ["Zeynep Kerim"] } });
      const alim = await createEntity(services, FROM, editor, { schema: "Person", properties: { name: ["alim Qasim"] } });
      const bilal = await createEntity(services, FROM, editor, { schema: "Person", properties: { name: ["Bilal Nazim"] } });
      // A name only administrators may read: the record is nameless to the list.
      const hidden = await createEntity(services, FROM, admin, { schema: "Person", properties: { name: [{ value: "Zz hidden", sensitivity: "restricted" }] } });
      for (const [record, label] of [[zeynep, "Zeynep Kerim"], [alim, "alim Qasim"], [bilal, "Bilal Nazim"], [hidden, "(nameless)"]] as const) labels.set(record.id, label);
      assert.deepEqual(await byName(), ["(nameless)", "alim Qasim", "Bilal Nazim", "Zeynep Kerim"], "case does not order; nameless first");

      // An alias earlier in the alphabet moves the record; a restricted or secret name does not.
      await updateEntity(services, FROM, editor, zeynep.id, { revision: 1, reason: "alias from a testimony", properties: { alias: ["Aynur"] } });
      await updateEntity(services, FROM, admin, bilal.id, { revision: 1, reason: "hidden alias", properties: { alias: [{ value: "Aaron", sensitivity: "restricted" }, { value: "Aa", sensitivity: "secret" }] } });
      assert.deepEqual(await byName(), ["(nameless)", "alim Qasim", "Zeynep Kerim", "Bilal Nazim"]);
      assert.deepEqual(await byName(admin), await byName(viewer), "a hidden name never orders the list, whoever reads it");

      // Correcting the alias away puts the record back.
      const current = await getEntity(services, FROM, editor, zeynep.id);
      const alias = current.statements.find((s) => s.property === "alias")!;
      await updateEntity(services, FROM, editor, zeynep.id, { revision: current.revision, reason: "wrong person", retract: [alias.id] });
      assert.deepEqual(await byName(), ["(nameless)", "alim Qasim", "Bilal Nazim", "Zeynep Kerim"]);

      // Merged: the survivor takes the lower name, the redirect leaves the list; undone, both are back.
      const merge = await mergeEntities(services, FROM, editor, zeynep.id, { duplicate: alim.id, reason: "same person", revision: 3, duplicateRevision: 1 });
      assert.deepEqual(await byName(), ["(nameless)", "Zeynep Kerim", "Bilal Nazim"]);
      await undoMerge(services, FROM, editor, merge.id, { reason: "two people" });
      assert.deepEqual(await byName(), ["(nameless)", "alim Qasim", "Bilal Nazim", "Zeynep Kerim"]);
      assert.deepEqual(await staleKeys(), []);
    });

    it("orders a very long name by its first 200 characters and pages through it", async () => {
      const long = `${"Z".repeat(370)} long name`;
      const record = await createEntity(services, FROM, editor, { schema: "Person", properties: { name: [long] } });
      const row = await services.db.selectFrom("entities").select("name_key").where("id", "=", record.id).executeTakeFirstOrThrow();
      assert.equal(row.name_key, "z".repeat(200));
      labels.set(record.id, "long");
      assert.equal((await byName()).at(-1), "long", "after every other name");
      assert.deepEqual(await staleKeys(), []);
    });
  });
}
