// Migration 0023: the row-level trigger functions run with sequential scans off, so that their
// lookups by key never scan. PL/pgSQL keeps a query's plan for the life of a connection, and one
// made while a table was empty scans the whole table; a connection that had updated records while search_documents was empty then scanned every
// search document for every record it archived. These tests reproduce that sequence in one
// transaction and count the scans through the transaction's own statistics.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { sql, type Kysely } from "kysely";
import { migrate, type Database, type Schema } from "../../src/db/index.ts";
import { databaseTargets } from "../helpers/database.ts";

for (const target of databaseTargets()) {
  describe(`trigger plans on ${target.name}`, () => {
    let database: Database;
    let db: Kysely<Schema>;

    before(async () => {
      database = await target.open();
      await migrate(database.db);
      db = database.db as Kysely<Schema>;
    });
    after(async () => {
      await database.close();
    });

    it("looks a record's search document up by key after the table has grown, whatever plans the connection made while it was empty", async () => {
      await db.transaction().execute(async (tx) => {
        const org = randomUUID();
        const user = randomUUID();
        const first = randomUUID();
        await tx.insertInto("organisations").values({ id: org, slug: "plans", name: "Plans" }).execute();
        await tx.insertInto("users").values({ id: user, email: "plans@watch.example", name: "Editor", password_hash: "-", pseudonym: "p-plans" }).execute();
        await tx.insertInto("entities").values({ id: first, org_id: org, schema: "Person", created_by: user }).execute();
        const documents = async () => Number((await sql<{ n: number }>`SELECT count(*)::int AS n FROM search_documents`.execute(tx)).rows[0]!.n);
        assert.equal(await documents(), 0);
        // Statistics taken while the table was empty, as autovacuum or a bulk load's ANALYZE leaves them.
        await sql`ANALYZE search_documents`.execute(tx);
        // More than five updates while search_documents is empty: enough for PL/pgSQL to settle on a plan.
        for (let i = 0; i < 8; i++) await sql`UPDATE entities SET restricted = NOT restricted WHERE id = ${first}`.execute(tx);
        await sql`INSERT INTO entities (id, org_id, schema, created_by) SELECT gen_random_uuid(), ${org}, 'Person', ${user} FROM generate_series(1, 3000)`.execute(tx);
        await sql`INSERT INTO search_documents (entity_id, org_id, schema, restricted, archived, level, tsv, violations, places, years, has_restricted, filters)
          SELECT id, org_id, schema, restricted, false, 1, ''::tsvector, '{}', '{}', '{}', false, ARRAY['l:1', 's:Person'] FROM entities WHERE org_id = ${org}`.execute(tx);
        assert.equal(await documents(), 3001);
        const scans = async () => Number((await sql<{ n: number }>`SELECT coalesce(seq_scan, 0)::int AS n FROM pg_stat_xact_user_tables WHERE relname = 'search_documents'`.execute(tx)).rows[0]?.n ?? 0);
        const before = await scans();
        const archived = await sql`UPDATE entities SET archived_at = now(), archived_by = ${user}, archive_reason = 'entered twice'
          WHERE id IN (SELECT id FROM entities WHERE org_id = ${org} ORDER BY id LIMIT 50)`.execute(tx);
        const scanned = (await scans()) - before;
        assert.equal(Number(archived.numAffectedRows), 50);
        // Each archived record's document followed it, found through the primary key: no scan of the table.
        assert.equal(scanned, 0, "the search documents were scanned whole");
        assert.equal(Number((await sql<{ n: number }>`SELECT count(*)::int AS n FROM search_documents WHERE archived`.execute(tx)).rows[0]!.n), 50);
      });
    });

    it("runs every row-level trigger function that queries with sequential scans off", async () => {
      const { rows } = await sql<{ name: string; config: string[] | null }>`
        SELECT DISTINCT p.proname AS name, p.proconfig AS config FROM pg_trigger t JOIN pg_proc p ON p.oid = t.tgfoid
         WHERE NOT t.tgisinternal AND (t.tgtype & 1) = 1 AND p.prosrc ~* '\\m(select|update|insert|delete)\\M' ORDER BY 1`.execute(db);
      assert.ok(rows.length >= 3, `found ${rows.map((r) => r.name).join(", ")}`);
      for (const row of rows) assert.ok((row.config ?? []).includes("enable_seqscan=off"), `${row.name} may scan whole tables`);
    });
  });
}
