import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { sql } from "kysely";
import { loadMigrations, migrate, MigrationError, type Database } from "../../src/db/index.ts";
import { databaseTargets } from "../helpers/database.ts";

function migrationsDir(files: Record<string, string>): URL {
  const dir = mkdtempSync(join(tmpdir(), "vigil-migrations-"));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return pathToFileURL(`${dir}/`);
}

for (const target of databaseTargets()) {
  describe(`migrations on ${target.name}`, () => {
    let database: Database;
    before(async () => {
      database = await target.open();
    });
    after(async () => {
      await database.close();
    });

    it("applies every migration once and records its checksum", async () => {
      const applied = await migrate(database.db);
      assert.deepEqual(applied.map((m) => m.name), loadMigrations().map((m) => m.name));
      const again = await migrate(database.db);
      assert.equal(again.length, 0);
      const rows = await database.db.selectFrom("schema_migrations").selectAll().execute();
      assert.equal(rows[0]!.checksum, loadMigrations()[0]!.checksum);
    });

    it("stops when an applied migration was edited", async () => {
      const edited = loadMigrations().map((m, i) => (i === 0 ? { ...m, checksum: "0".repeat(64) } : m));
      await assert.rejects(migrate(database.db, edited), (e: unknown) => e instanceof MigrationError && /edited after it was applied/.test(e.message));
    });

    it("stops when the database is newer than the code", async () => {
      await assert.rejects(migrate(database.db, []), (e: unknown) => e instanceof MigrationError && /does not know/.test(e.message));
    });

    it("rolls back a failing migration entirely and records nothing", async () => {
      const dir = migrationsDir({
        ...Object.fromEntries(loadMigrations().map((m) => [`${String(m.version).padStart(4, "0")}_${m.name}.sql`, m.sql])),
        [`${String(loadMigrations().length + 1).padStart(4, "0")}_broken.sql`]: "create table half_done (id int); select * from no_such_table;",
      });
      const files = loadMigrations(dir);
      await assert.rejects(migrate(database.db, files));
      const exists = await sql<{ t: string | null }>`select to_regclass('half_done')::text as t`.execute(database.db);
      assert.equal(exists.rows[0]!.t, null);
      const count = await database.db.selectFrom("schema_migrations").select((eb) => eb.fn.countAll<number>().as("n")).executeTakeFirstOrThrow();
      assert.equal(Number(count.n), loadMigrations().length);
    });

    it("refuses a migration file with a bad name or out of sequence", () => {
      assert.throws(() => loadMigrations(migrationsDir({ "1_x.sql": "" })), MigrationError);
      assert.throws(() => loadMigrations(migrationsDir({ "0001_a.sql": "", "0003_c.sql": "" })), /out of sequence/);
    });

    it("parses types the same way on both databases", async () => {
      const r = await sql<{ n: number; d: string; t: Date; num: string; j: { a: number }; arr: string[]; b: boolean }>`
        select 9007199254740991::int8 as n, '2009-07-05'::date as d, '2020-01-02T03:04:05Z'::timestamptz as t,
               12.50::numeric as num, '{"a":1}'::jsonb as j, array['x','y']::text[] as arr, true as b`.execute(database.db);
      const row = r.rows[0]!;
      assert.equal(row.n, 9007199254740991);
      assert.equal(row.d, "2009-07-05");
      assert.ok(row.t instanceof Date);
      assert.equal(row.t.toISOString(), "2020-01-02T03:04:05.000Z");
      assert.equal(row.num, "12.50");
      assert.deepEqual(row.j, { a: 1 });
      assert.deepEqual(row.arr, ["x", "y"]);
      assert.equal(row.b, true);
    });

    it("refuses a bigint beyond the safe integer range rather than rounding it", async () => {
      await assert.rejects(sql`select 9007199254740993::int8 as n`.execute(database.db), /safe integer/);
    });

    it("has the extensions the search and names engines need", async () => {
      const r = await sql<{ extname: string }>`select extname from pg_extension order by extname`.execute(database.db);
      const names = r.rows.map((x) => x.extname);
      for (const ext of ["pg_trgm", "unaccent", "fuzzystrmatch", "pgcrypto", "btree_gin"]) assert.ok(names.includes(ext), ext);
    });

    it("keeps transactions apart from concurrent queries", async () => {
      await sql`create table if not exists tx_probe (id int)`.execute(database.db);
      const inside = database.db.transaction().execute(async (tx) => {
        await sql`insert into tx_probe values (1)`.execute(tx);
        await new Promise((r) => setTimeout(r, 50));
        throw new Error("roll back");
      });
      const outside = sql<{ n: number }>`select count(*)::int as n from tx_probe`.execute(database.db);
      await assert.rejects(inside, /roll back/);
      assert.equal((await outside).rows[0]!.n, 0);
      const final = await sql<{ n: number }>`select count(*)::int as n from tx_probe`.execute(database.db);
      assert.equal(final.rows[0]!.n, 0);
    });
  });
}
