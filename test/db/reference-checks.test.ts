// Migration 0021 replaced the row-level foreign keys of statements, records and revisions with
// checks run once per INSERT over the rows it wrote (and per row on an UPDATE that moves a
// reference), and made the rows they point at undeletable. These tests hold the rules the foreign
// keys held: every reference must exist, a statement belongs to its record's organisation, a bad
// row anywhere in a many-row INSERT refuses the whole INSERT, and nothing pointed at can go away.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { sql, type Kysely } from "kysely";
import { arrayLiteral, migrate, type Database, type Schema } from "../../src/db/index.ts";
import { databaseTargets } from "../helpers/database.ts";

async function refused(promise: Promise<unknown>, code: string, pattern: RegExp): Promise<void> {
  await assert.rejects(promise, (error: Error & { code?: string }) => {
    assert.equal(error.code, code, error.message);
    assert.match(error.message, pattern);
    return true;
  });
}

for (const target of databaseTargets()) {
  describe(`reference checks on ${target.name}`, () => {
    let database: Database;
    let db: Kysely<Schema>;
    const org = randomUUID();
    const otherOrg = randomUUID();
    const user = randomUUID();
    const person = randomUUID();
    const source = randomUUID();
    const foreign = randomUUID();

    const statement = (over: Record<string, unknown> = {}) => ({
      id: randomUUID(), org_id: org, entity_id: person, property: "name", value: "Ekpar Asat", sensitivity: "internal" as const, revision: 1, author_id: user, ...over,
    });
    const statementCount = async () => Number((await sql<{ n: number }>`SELECT count(*)::int AS n FROM statements`.execute(db)).rows[0]!.n);

    before(async () => {
      database = await target.open();
      await migrate(database.db);
      db = database.db as Kysely<Schema>;
      await db.insertInto("organisations").values([{ id: org, slug: "watch", name: "Watch" }, { id: otherOrg, slug: "other", name: "Other" }]).execute();
      await db.insertInto("users").values({ id: user, email: "editor@watch.example", name: "Editor", password_hash: "-", pseudonym: "p-editor" }).execute();
      await db.insertInto("entities").values([
        { id: person, org_id: org, schema: "Person", created_by: user },
        { id: source, org_id: org, schema: "Source", created_by: user },
        { id: foreign, org_id: otherOrg, schema: "Person", created_by: user },
      ]).execute();
    });
    after(async () => {
      await database.close();
    });

    it("accepts statements whose references all hold, in one INSERT of many rows", async () => {
      const before = await statementCount();
      await db.insertInto("statements").values([statement({ source_id: source }), statement({ property: "notes", value: "seen", ref_id: null }), statement({ property: "birthPlace", value: source, ref_id: source })]).execute();
      assert.equal(await statementCount(), before + 3);
    });

    it("refuses a whole INSERT when one of its rows names a record that does not exist, and writes none of it", async () => {
      const before = await statementCount();
      const rows = [statement(), statement({ entity_id: randomUUID() }), statement()];
      await refused(db.insertInto("statements").values(rows).execute(), "23503", /not a record of its organisation/);
      assert.equal(await statementCount(), before);
    });

    it("refuses a statement filed under another organisation than its record's", async () => {
      await refused(db.insertInto("statements").values(statement({ entity_id: foreign })).execute(), "23503", /not a record of its organisation/);
      await refused(db.insertInto("statements").values(statement({ org_id: otherOrg })).execute(), "23503", /not a record of its organisation/);
    });

    it("refuses a missing source, target record, author, retractor or original", async () => {
      await refused(db.insertInto("statements").values(statement({ source_id: randomUUID() })).execute(), "23503", /cites source/);
      await refused(db.insertInto("statements").values(statement({ ref_id: randomUUID() })).execute(), "23503", /points at record/);
      await refused(db.insertInto("statements").values(statement({ author_id: randomUUID() })).execute(), "23503", /author or retractor/);
      await refused(db.insertInto("statements").values(statement({ copied_from: randomUUID() })).execute(), "23503", /copied from/);
    });

    it("checks the same rules in the unnest() INSERTs an import sends", async () => {
      const ids = [randomUUID(), randomUUID()];
      const insert = (entities: string[]) => sql`INSERT INTO statements (id, org_id, entity_id, property, value, sensitivity, revision, author_id)
        SELECT t.id, ${org}::uuid, t.entity_id, 'name', 'Zumret', 'internal', 1, ${user}::uuid FROM unnest(${arrayLiteral(ids)}::uuid[], ${arrayLiteral(entities)}::uuid[]) AS t(id, entity_id)`.execute(db);
      await refused(insert([person, randomUUID()]), "23503", /not a record of its organisation/);
      await insert([person, source]);
      assert.equal((await db.selectFrom("statements").select("id").where("id", "in", ids).execute()).length, 2);
    });

    it("checks an UPDATE that moves a reference, and lets other updates through", async () => {
      const row = statement({ source_id: source });
      await db.insertInto("statements").values(row).execute();
      await refused(db.updateTable("statements").set({ source_id: randomUUID() }).where("id", "=", row.id).execute(), "23503", /cites source/);
      await refused(db.updateTable("statements").set({ retracted_at: new Date(), retracted_by: randomUUID(), retracted_revision: 2 }).where("id", "=", row.id).execute(), "23503", /author or retractor/);
      await db.updateTable("statements").set({ retracted_at: new Date(), retracted_by: user, retracted_revision: 2 }).where("id", "=", row.id).execute();
      const after = await db.selectFrom("statements").select(["source_id", "retracted_by"]).where("id", "=", row.id).executeTakeFirstOrThrow();
      assert.deepEqual(after, { source_id: source, retracted_by: user });
    });

    it("refuses records and revisions whose organisation, creator or record does not exist", async () => {
      await refused(db.insertInto("entities").values({ id: randomUUID(), org_id: randomUUID(), schema: "Person", created_by: user }).execute(), "23503", /does not exist/);
      await refused(db.insertInto("entities").values({ id: randomUUID(), org_id: org, schema: "Person", created_by: randomUUID() }).execute(), "23503", /does not exist/);
      await refused(db.updateTable("entities").set({ archived_at: new Date(), archived_by: randomUUID(), archive_reason: "duplicate" }).where("id", "=", person).execute(), "23503", /does not exist/);
      await refused(db.insertInto("entity_revisions").values({ entity_id: randomUUID(), number: 1, kind: "create", author_id: user, reason: "r", summary: "{}" }).execute(), "23503", /does not exist/);
      await refused(db.insertInto("entity_revisions").values({ entity_id: person, number: 1, kind: "create", author_id: randomUUID(), reason: "r", summary: "{}" }).execute(), "23503", /does not exist/);
      const live = await db.selectFrom("entities").select("archived_at").where("id", "=", person).executeTakeFirstOrThrow();
      assert.equal(live.archived_at, null);
    });

    it("never deletes what statements point at, nor lets its id change", async () => {
      await refused(db.deleteFrom("entities").where("id", "=", source).execute(), "23001", /never deleted/);
      await refused(db.deleteFrom("users").where("id", "=", user).execute(), "23001", /never deleted/);
      await refused(db.deleteFrom("statements").execute(), "23001", /never deleted/);
      await refused(db.deleteFrom("organisations").where("id", "=", otherOrg).execute(), "23001", /never deleted/);
      await refused(db.updateTable("entities").set({ id: randomUUID() }).where("id", "=", source).execute(), "23001", /never changes/);
      await refused(db.updateTable("entities").set({ org_id: otherOrg }).where("id", "=", source).execute(), "23001", /never changes/);
      await refused(db.updateTable("users").set({ id: randomUUID() }).where("id", "=", user).execute(), "23001", /never changes/);
      assert.ok(await db.selectFrom("entities").select("id").where("id", "=", source).executeTakeFirst());
    });
  });
}
