// Bulk actions benchmark: tagging and archiving 100,000 records through the records service's bulk
// operation (visibility rule, a thousand records per transaction, audit per batch, a revision per
// archived record, the names index kept), beside the same change made as plain set-based SQL with
// none of that, on as many records of a second organisation, in the same run. Also the peak memory
// the run adds, to show that the selection is never held in memory.
// Run: node --import tsx bench/bulk.ts                              (PGlite)
//      BENCH_DATABASE_URL=postgres://… node --import tsx bench/bulk.ts  (PostgreSQL)
// BENCH_RECORDS overrides the number of records (default 100,000).
import { randomUUID } from "node:crypto";
import { performance } from "node:perf_hooks";
import { sql, type Kysely } from "kysely";
import pino from "pino";
import type { Services } from "../src/context.ts";
import type { Schema } from "../src/db/index.ts";
import { migrate, openDatabase } from "../src/db/index.ts";
import { runBulkOperation, startBulkOperation } from "../src/records/index.ts";
import { registerRecordListeners } from "../src/listeners.ts";
import { createServerDatabase } from "./lib/server-database.ts";
import { memoryWatch } from "./lib/memory-watch.ts";

async function organisation(db: Kysely<Schema>, slug: string, count: number): Promise<{ orgId: string; userId: string }> {
  const orgId = randomUUID();
  const userId = randomUUID();
  await db.insertInto("organisations").values({ id: orgId, slug, name: slug }).execute();
  await db.insertInto("users").values({ id: userId, email: `${slug}@bench.example`, name: "Bench editor", password_hash: "-", pseudonym: `p-${slug}` }).execute();
  await db.insertInto("memberships").values({ user_id: userId, org_id: orgId, role: "editor" }).execute();
  // Generated in the database: the load is not what is measured.
  await sql`INSERT INTO entities (id, org_id, schema, created_by, created_at, updated_at)
    SELECT gen_random_uuid(), ${orgId}, 'Person', ${userId}, now() - make_interval(secs => g), now() FROM generate_series(1, ${count}) g`.execute(db);
  await sql`INSERT INTO statements (id, org_id, entity_id, property, value, sensitivity, revision, author_id)
    SELECT gen_random_uuid(), org_id, id, 'name', 'Person ' || left(id::text, 8), 'internal', 1, created_by FROM entities WHERE org_id = ${orgId}`.execute(db);
  return { orgId, userId };
}

async function main() {
  const serverUrl = process.env.BENCH_DATABASE_URL;
  const count = Number(process.env.BENCH_RECORDS ?? 100_000);
  // As boot() does for the server: the monitor's projection follows every batch of an archive.
  registerRecordListeners();
  const server = serverUrl ? await createServerDatabase(serverUrl) : null;
  const database = await openDatabase(server ? { databaseUrl: server.url, maxConnections: 4 } : {});
  await migrate(database.db);
  const db = database.db as Kysely<Schema>;
  const vigil = await organisation(db, "vigil", count);
  const plain = await organisation(db, "plain", count);
  await sql`ANALYZE`.execute(db);

  const services = { db, dbKind: database.kind, now: () => new Date(), appKey: Buffer.alloc(32), log: pino({ level: "silent" }) } as unknown as Services;
  const actor = { userId: vigil.userId, orgId: vigil.orgId, role: "editor" as const, scopes: null };
  const origin = { requestId: null, ip: null, userAgent: "bench" };
  const rows: string[] = [];

  async function measure(action: string, ours: () => Promise<number>, theirs: () => Promise<unknown>) {
    const watch = memoryWatch();
    let t0 = performance.now();
    const changed = await ours();
    const vigilSeconds = (performance.now() - t0) / 1000;
    const memory = watch.stop();
    if (changed !== count) throw new Error(`${action}: changed ${changed} of ${count}`);
    t0 = performance.now();
    await theirs();
    const plainSeconds = (performance.now() - t0) / 1000;
    const [a, b] = [count / vigilSeconds, count / plainSeconds];
    rows.push(`| ${database.kind} | ${action} | ${count.toLocaleString("en")} | ${a.toFixed(0)} | ${b.toFixed(0)} | ${(a / b).toFixed(2)} | ${memory.rssMb.toFixed(0)} | ${memory.heapMb.toFixed(0)} |`);
  }

  const run = async (body: unknown) => {
    const started = await startBulkOperation(services, origin, actor, body);
    const done = await runBulkOperation(services, origin, started.id);
    if (done.status !== "done") throw new Error(`bulk operation ${done.status}: ${done.error}`);
    return done.changed;
  };

  await measure(
    "tag",
    () => run({ action: "tag", tag: "urgent action", filter: { schema: "Person" } }),
    () => sql`INSERT INTO entity_tags (id, org_id, entity_id, tag, added_by, added_at) SELECT gen_random_uuid(), org_id, id, 'urgent action', ${plain.userId}, now() FROM entities WHERE org_id = ${plain.orgId}`.execute(db),
  );
  await measure(
    "archive",
    () => run({ action: "archive", reason: "imported twice", filter: { schema: "Person", tag: "urgent action" } }),
    () =>
      db.transaction().execute(async (tx) => {
        await sql`UPDATE entities SET revision = revision + 1, archived_at = now(), archived_by = ${plain.userId}, archive_reason = 'imported twice' WHERE org_id = ${plain.orgId}`.execute(tx);
        await sql`INSERT INTO entity_revisions (entity_id, number, kind, author_id, reason, summary) SELECT id, revision, 'archive', ${plain.userId}, 'imported twice', '{}' FROM entities WHERE org_id = ${plain.orgId}`.execute(tx);
      }),
  );

  console.log(`database ${database.kind}, ${count.toLocaleString("en")} records per organisation; Vigil: bulk operation, 1,000 records per transaction; plain: one set-based statement per table, no permission check, no audit, no names index`);
  console.log("| database | action | records | Vigil (records/s) | plain SQL (records/s) | ratio | peak RSS added (MB) | peak JS heap added (MB) |");
  console.log("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |");
  for (const row of rows) console.log(row);
  await database.close();
  await server?.drop();
}

await main();
