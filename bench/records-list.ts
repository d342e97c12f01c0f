// Records list benchmark: a page of 50 incidents with its count, as the list pages ask for it
// (browseRecords: the visibility rule, readable-statement checks inside every filter, the count
// capped at 10,000, the page's values, tags and assignees), beside the same page and count asked as
// plain SQL with no permission layer at all, in the same run, over 100,000 incidents of which 1%
// are restricted and hidden from the reader (a viewer). p50 and p95 over the repetitions.
// Run: node --import tsx bench/records-list.ts                              (PGlite)
//      BENCH_DATABASE_URL=postgres://… node --import tsx bench/records-list.ts  (PostgreSQL)
// BENCH_RECORDS overrides the number of incidents (default 100,000); BENCH_REPEAT the repetitions (default 15).
import { randomUUID } from "node:crypto";
import { performance } from "node:perf_hooks";
import { sql, type Kysely } from "kysely";
import pino from "pino";
import type { Services } from "../src/context.ts";
import type { Schema } from "../src/db/index.ts";
import { migrate, openDatabase } from "../src/db/index.ts";
import { browseRecords } from "../src/records/index.ts";
import { createServerDatabase } from "./lib/server-database.ts";

const VIOLATIONS = ["killing", "torture", "arbitrary-detention", "enforced-disappearance", "forced-labour"];

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
}

async function main() {
  const serverUrl = process.env.BENCH_DATABASE_URL;
  const count = Number(process.env.BENCH_RECORDS ?? 100_000);
  const repeat = Number(process.env.BENCH_REPEAT ?? 15);
  const server = serverUrl ? await createServerDatabase(serverUrl) : null;
  const database = await openDatabase(server ? { databaseUrl: server.url, maxConnections: 4 } : {});
  await migrate(database.db);
  const db = database.db as Kysely<Schema>;

  const orgId = randomUUID();
  const editor = randomUUID();
  const viewer = randomUUID();
  await db.insertInto("organisations").values({ id: orgId, slug: "bench", name: "bench" }).execute();
  for (const [id, role] of [[editor, "editor"], [viewer, "viewer"]] as const) {
    await db.insertInto("users").values({ id, email: `${role}@bench.example`, name: role, password_hash: "-", pseudonym: `p-${role}` }).execute();
    await db.insertInto("memberships").values({ user_id: id, org_id: orgId, role }).execute();
  }
  // Generated in the database: the load is not what is measured. 100 places; incidents with a name,
  // a violation, a date in 2010–2019 and a place; every hundredth restricted (the viewer is not on its list).
  await sql`INSERT INTO entities (id, org_id, schema, created_by, created_at, updated_at)
    SELECT gen_random_uuid(), ${orgId}, 'Address', ${editor}, now() - make_interval(secs => ${count} + g), now() FROM generate_series(1, 100) g`.execute(db);
  await sql`INSERT INTO statements (id, org_id, entity_id, property, value, sensitivity, revision, author_id)
    SELECT gen_random_uuid(), org_id, id, 'full', 'Place ' || left(id::text, 8), 'internal', 1, created_by FROM entities WHERE schema = 'Address'`.execute(db);
  await sql`INSERT INTO entities (id, org_id, schema, restricted, created_by, created_at, updated_at)
    SELECT gen_random_uuid(), ${orgId}, 'Incident', g % 100 = 0, ${editor}, now() - make_interval(secs => g), now() FROM generate_series(1, ${count}) g`.execute(db);
  await sql`INSERT INTO entity_access (entity_id, user_id, granted_by) SELECT id, ${editor}, ${editor} FROM entities WHERE restricted`.execute(db);
  await sql`CREATE TEMP TABLE places AS SELECT id, row_number() OVER (ORDER BY id) - 1 AS n FROM entities WHERE schema = 'Address'`.execute(db);
  await sql`CREATE TEMP TABLE incidents AS SELECT id, row_number() OVER (ORDER BY id) AS n FROM entities WHERE schema = 'Incident'`.execute(db);
  await sql`INSERT INTO statements (id, org_id, entity_id, property, value, sensitivity, revision, author_id)
    SELECT gen_random_uuid(), ${orgId}, i.id, 'name', 'Incident ' || i.n, 'internal', 1, ${editor} FROM incidents i`.execute(db);
  await sql`INSERT INTO statements (id, org_id, entity_id, property, value, sensitivity, revision, author_id)
    SELECT gen_random_uuid(), ${orgId}, i.id, 'violation', (${VIOLATIONS}::text[])[1 + i.n % 5], 'internal', 1, ${editor} FROM incidents i`.execute(db);
  await sql`INSERT INTO statements (id, org_id, entity_id, property, value, sensitivity, revision, author_id, date_earliest, date_latest)
    SELECT gen_random_uuid(), ${orgId}, i.id, 'date', d::text, 'internal', 1, ${editor}, d::text, d::text
    FROM (SELECT id, n, (date '2010-01-01' + (n * 37 % 3650)::int) AS d FROM incidents) i`.execute(db);
  await sql`INSERT INTO statements (id, org_id, entity_id, property, value, ref_id, sensitivity, revision, author_id)
    SELECT gen_random_uuid(), ${orgId}, i.id, 'place', p.id::text, p.id, 'internal', 1, ${editor} FROM incidents i JOIN places p ON p.n = i.n % 100`.execute(db);
  // The stored name key, as the records service keeps it (refreshNameSortKeys): each record has one open name.
  await sql`UPDATE entities e SET name_key = left(lower(s.value), 200) FROM statements s WHERE s.entity_id = e.id AND s.property IN ('name', 'full')`.execute(db);
  await sql`ANALYZE`.execute(db);
  const place = (await sql<{ id: string }>`SELECT id FROM places WHERE n = 7`.execute(db)).rows[0]!.id;

  const services = { db, dbKind: database.kind, now: () => new Date(), appKey: Buffer.alloc(32), log: pino({ level: "silent" }) } as unknown as Services;
  const actor = { userId: viewer, orgId, role: "viewer" as const, scopes: null };
  const origin = { requestId: null, ip: null, userAgent: "bench" };

  /** The plain page: the same order and filter, no visibility, no readable-statement checks, the page's values, a capped count. */
  async function plain(where: ReturnType<typeof sql>, order: ReturnType<typeof sql>, join: ReturnType<typeof sql> = sql``): Promise<number> {
    const page = await sql<{ id: string }>`SELECT e.id FROM entities e ${join} WHERE e.org_id = ${orgId} AND e.archived_at IS NULL AND e.schema = 'Incident' AND ${where} ORDER BY ${order} LIMIT 51`.execute(db);
    const counted = await sql<{ n: number }>`SELECT count(*) AS n FROM (SELECT 1 FROM entities e WHERE e.org_id = ${orgId} AND e.archived_at IS NULL AND e.schema = 'Incident' AND ${where} LIMIT 10001) m`.execute(db);
    const ids = page.rows.slice(0, 50).map((r) => r.id);
    if (ids.length) await sql`SELECT * FROM statements WHERE entity_id IN (${sql.join(ids)}) AND retracted_at IS NULL`.execute(db);
    return Number(counted.rows[0]!.n);
  }
  const has = (condition: ReturnType<typeof sql>) => sql`EXISTS (SELECT 1 FROM statements s WHERE s.entity_id = e.id AND s.retracted_at IS NULL AND ${condition})`;
  const newest = sql`e.created_at DESC, e.id DESC`;
  const cases: { name: string; filter: Record<string, unknown>; plain: () => Promise<number> }[] = [
    { name: "newest first", filter: {}, plain: () => plain(sql`true`, newest) },
    { name: "violation = torture", filter: { violation: "torture" }, plain: () => plain(has(sql`s.property = 'violation' AND s.value = 'torture'`), newest) },
    { name: "dated 2015 (EDTF range)", filter: { from: "2015", to: "2015" }, plain: () => plain(has(sql`s.date_earliest IS NOT NULL AND s.date_earliest <= '2015-12-31' AND s.date_latest >= '2015-01-01'`), newest) },
    { name: "at one place", filter: { place }, plain: () => plain(has(sql`s.ref_id = ${place}`), newest) },
    {
      name: "by name",
      filter: { sort: "name" },
      // As plain SQL would, on the stored name key (migration 0017).
      plain: () => plain(sql`true`, sql`e.name_key, e.id`),
    },
  ];

  const rows: string[] = [];
  for (const c of cases) {
    const ours: number[] = [];
    const theirs: number[] = [];
    let shown = 0;
    let plainCount = 0;
    for (let i = 0; i < repeat + 1; i++) {
      let t0 = performance.now();
      const list = await browseRecords(services, origin, actor, { ...c.filter, limit: 50 }, ["Incident"]);
      const a = performance.now() - t0;
      t0 = performance.now();
      plainCount = await c.plain();
      const b = performance.now() - t0;
      shown = list.count.more ? 10_001 : list.count.value;
      // The first run warms caches for both; it is not counted.
      if (i > 0) {
        ours.push(a);
        theirs.push(b);
      }
    }
    ours.sort((x, y) => x - y);
    theirs.sort((x, y) => x - y);
    const [p50, p95, q50, q95] = [percentile(ours, 0.5), percentile(ours, 0.95), percentile(theirs, 0.5), percentile(theirs, 0.95)];
    const counts = `${shown > 10_000 ? ">10,000" : shown.toLocaleString("en")} / ${plainCount > 10_000 ? ">10,000" : plainCount.toLocaleString("en")}`;
    rows.push(`| ${database.kind} | ${c.name} | ${counts} | ${p50.toFixed(1)} | ${p95.toFixed(1)} | ${q50.toFixed(1)} | ${q95.toFixed(1)} | ${(p95 / q95).toFixed(2)} |`);
  }

  console.log(`database ${database.kind}, ${count.toLocaleString("en")} incidents (1% restricted, hidden from the viewer), 4 statements each, ${repeat} repetitions after one warm-up`);
  console.log("Vigil: browseRecords as a viewer, a page of 50 with its values, tags and assignees, count capped at 10,000; plain: the same page, count and values in SQL with no permission layer");
  console.log("| database | list | count (Vigil / plain) | Vigil p50 (ms) | Vigil p95 (ms) | plain p50 (ms) | plain p95 (ms) | p95 ratio |");
  console.log("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |");
  for (const row of rows) console.log(row);
  await database.close();
  await server?.drop();
}

await main();
