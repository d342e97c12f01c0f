import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { sql, type Kysely } from "kysely";
import type { Schema } from "./schema.ts";

export interface Migration {
  version: number;
  name: string;
  sql: string;
  checksum: string;
}

export class MigrationError extends Error {
  override name = "MigrationError";
}

const MIGRATIONS_DIR = new URL("./migrations/", import.meta.url);
const FILE_PATTERN = /^(\d{4})_([a-z0-9_]+)\.sql$/;
// Any constant will do: it only has to be the same in every Vigil process.
const MIGRATION_LOCK_KEY = 7_301_994_215;

export function loadMigrations(dir: URL = MIGRATIONS_DIR): Migration[] {
  const migrations = readdirSync(dir)
    .filter((file) => file.endsWith(".sql"))
    .sort()
    .map((file) => {
      const match = FILE_PATTERN.exec(file);
      if (!match) throw new MigrationError(`migration file ${file} is not named NNNN_name.sql`);
      const text = readFileSync(new URL(file, dir), "utf8");
      return {
        version: Number(match[1]),
        name: match[2]!,
        sql: text,
        checksum: createHash("sha256").update(text).digest("hex"),
      };
    });
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) throw new MigrationError(`migration ${m.version}_${m.name} is out of sequence: expected ${i + 1}`);
  });
  return migrations;
}

/**
 * Applies pending migrations, forward only, each in its own transaction with its checksum.
 * Refuses to start if an applied migration was edited since, or if the database is newer than the code.
 */
export async function migrate(db: Kysely<Schema>, migrations: Migration[] = loadMigrations()): Promise<Migration[]> {
  return db.connection().execute(async (conn) => {
    await sql`create table if not exists schema_migrations (
      version integer primary key,
      name text not null,
      checksum text not null,
      applied_at timestamptz not null default now()
    )`.execute(conn);
    // Several Vigil processes may start together against one server: one migrates, the others wait.
    await sql`select pg_advisory_lock(${MIGRATION_LOCK_KEY})`.execute(conn);
    try {
      const applied = await conn.selectFrom("schema_migrations").selectAll().orderBy("version").execute();
      for (const row of applied) {
        const known = migrations.find((m) => m.version === row.version);
        if (!known) {
          throw new MigrationError(
            `the database has migration ${row.version}_${row.name}, which this version of Vigil does not know: upgrade Vigil`,
          );
        }
        if (known.checksum !== row.checksum) {
          throw new MigrationError(
            `migration ${row.version}_${row.name} was edited after it was applied (checksum ${row.checksum.slice(0, 12)}… ≠ ${known.checksum.slice(0, 12)}…): ` +
              "never edit an applied migration, add a new one",
          );
        }
      }
      const pending = migrations.filter((m) => !applied.some((a) => a.version === m.version));
      for (const migration of pending) {
        await conn.transaction().execute(async (trx) => {
          await sql.raw(migration.sql).execute(trx);
          await trx
            .insertInto("schema_migrations")
            .values({ version: migration.version, name: migration.name, checksum: migration.checksum })
            .execute();
        });
      }
      return pending;
    } finally {
      await sql`select pg_advisory_unlock(${MIGRATION_LOCK_KEY})`.execute(conn);
    }
  });
}
