// Silence dashboard benchmark: "Who has gone silent" as a viewer asks for it (listSilence: the
// permission check, the filter's checks, the visibility rule on every row, a page of 50 in order of
// silence with its counts by urgency, then the people's and facilities' readable names and the
// status labels), beside the same ordering and counts asked as plain SQL over the projection with no
// permission layer, in the same run, over 100,000 detentions. p50 and p95 over the repetitions.
// Run: node --import tsx bench/silence.ts                              (PGlite)
//      BENCH_DATABASE_URL=postgres://… node --import tsx bench/silence.ts  (PostgreSQL)
// BENCH_RECORDS overrides the number of detentions (default 100,000); BENCH_REPEAT the repetitions (default 20).
import { randomUUID } from "node:crypto";
import { performance } from "node:perf_hooks";
import { sql, type Kysely, type RawBuilder } from "kysely";
import pino from "pino";
import type { Services } from "../src/context.ts";
import type { Schema } from "../src/db/index.ts";
import { migrate, openDatabase } from "../src/db/index.ts";
import { facilitySilence, listSilence } from "../src/monitor/index.ts";
import { createServerDatabase } from "./lib/server-database.ts";

const STATUSES = ["taken", "incommunicado", "in-custody", "charged", "tried", "sentenced", "transferred", "disappeared", "unknown"];
const FACILITIES = 200;
const TODAY = "2026-11-25";

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
}

async function main() {
  const serverUrl = process.env.BENCH_DATABASE_URL;
  const count = Number(process.env.BENCH_RECORDS ?? 100_000);
  const repeat = Number(process.env.BENCH_REPEAT ?? 20);
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
  const loadStarted = performance.now();
  // Generated in the database: the load is not what is measured. 200 facilities with coordinates;
  // a Person and a Detention per detainee; every hundredth detention restricted (the viewer is not
  // on its list, and its row is guarded); the projection's rows: 5% never heard from, the others a
  // last proof of life in the 400 days before today, a tenth with their own window, 4% ended, 1% archived.
  await sql`INSERT INTO entities (id, org_id, schema, created_by, created_at, updated_at)
    SELECT gen_random_uuid(), ${orgId}, 'Address', ${editor}, now(), now() FROM generate_series(1, ${FACILITIES}) g`.execute(db);
  await sql`CREATE TEMP TABLE facilities AS SELECT id, row_number() OVER (ORDER BY id) - 1 AS n FROM entities WHERE schema = 'Address'`.execute(db);
  await sql`INSERT INTO statements (id, org_id, entity_id, property, value, sensitivity, revision, author_id)
    SELECT gen_random_uuid(), ${orgId}, f.id, p.property, p.value, 'internal', 1, ${editor}
    FROM facilities f CROSS JOIN LATERAL (VALUES ('name', 'Facility ' || f.n), ('latitude', (36 + (f.n % 10) * 0.8)::text), ('longitude', (75 + (f.n / 10) * 0.7)::text)) p(property, value)`.execute(db);
  await sql`CREATE TEMP TABLE detainees AS SELECT g AS n, gen_random_uuid() AS person, gen_random_uuid() AS detention FROM generate_series(1, ${count}) g`.execute(db);
  await sql`INSERT INTO entities (id, org_id, schema, restricted, created_by, created_at, updated_at)
    SELECT person, ${orgId}::uuid, 'Person', false, ${editor}::uuid, now(), now() FROM detainees
    UNION ALL SELECT detention, ${orgId}::uuid, 'Detention', n % 100 = 0, ${editor}::uuid, now(), now() FROM detainees`.execute(db);
  await sql`INSERT INTO entity_access (entity_id, user_id, granted_by) SELECT id, ${editor}, ${editor} FROM entities WHERE restricted`.execute(db);
  await sql`INSERT INTO statements (id, org_id, entity_id, property, value, sensitivity, revision, author_id)
    SELECT gen_random_uuid(), ${orgId}, person, 'name', 'Detainee ' || n || ' ' || (ARRAY['Tohti', 'Abbas', 'Dawut', 'Asat', 'Yakub', 'Ablimit', 'Memet', 'Tursun'])[1 + n % 8], 'internal', 1, ${editor} FROM detainees`.execute(db);
  await sql`INSERT INTO statements (id, org_id, entity_id, property, value, ref_id, sensitivity, revision, author_id)
    SELECT gen_random_uuid(), ${orgId}, detention, 'person', person::text, person, 'internal', 1, ${editor} FROM detainees`.execute(db);
  await sql`INSERT INTO monitor_detentions (detention_id, org_id, person_id, facility_id, status, started_earliest, started_latest, last_proof_of_life, ongoing, silence_days, guarded, archived)
    SELECT d.detention, ${orgId}, d.person, f.id, (${STATUSES}::text[])[1 + d.n % 9], '2018-01-01', '2018-01-01',
      CASE WHEN d.n % 20 = 7 THEN NULL ELSE (${TODAY}::date - (d.n * 7919 % 400))::text END,
      d.n % 25 <> 3, CASE WHEN d.n % 10 = 1 THEN (ARRAY[30, 60, 180])[1 + d.n % 3] END, d.n % 100 = 0, d.n % 100 = 50
    FROM detainees d JOIN facilities f ON f.n = d.n % ${FACILITIES}`.execute(db);
  // As autovacuum leaves settled tables (and so that it does not run during the measures): the page
  // and its counts are index-only scans, which read the visibility map.
  await sql`VACUUM ANALYZE`.execute(db);
  const loadSeconds = (performance.now() - loadStarted) / 1000;
  const facility = (await sql<{ id: string }>`SELECT id FROM facilities WHERE n = 7`.execute(db)).rows[0]!.id;

  const services = { db, dbKind: database.kind, now: () => new Date(`${TODAY}T12:00:00Z`), appKey: Buffer.alloc(32), log: pino({ level: "silent" }) } as unknown as Services;
  const actor = { userId: viewer, orgId, role: "viewer" as const, scopes: null };
  const origin = { requestId: null, ip: null, userAgent: "bench" };

  /** The reference: the same order, filter and counts straight from the projection, no permission layer, no names. */
  const urgency = sql`CASE WHEN last_proof_of_life IS NULL THEN 'never' WHEN (${TODAY}::date - last_proof_of_life::date) > COALESCE(silence_days, 90) THEN 'overdue'
    WHEN (${TODAY}::date - last_proof_of_life::date) * 4 >= COALESCE(silence_days, 90) * 3 THEN 'approaching' ELSE 'recent' END`;
  async function plain(where: RawBuilder<unknown>, urgencies: string[] = []): Promise<number> {
    const chosen = urgencies.length > 0 ? sql`AND ${urgency} = ANY(${urgencies}::text[])` : sql``;
    const base = sql`FROM monitor_detentions WHERE org_id = ${orgId} AND ongoing AND NOT archived AND ${where}`;
    await sql`SELECT detention_id, person_id, facility_id, status, last_proof_of_life ${base} ${chosen} ORDER BY last_proof_of_life NULLS FIRST, detention_id LIMIT 51`.execute(db);
    const counted = await sql<{ u: string; n: string }>`SELECT ${urgency} AS u, count(*) AS n ${base} GROUP BY 1`.execute(db);
    return counted.rows.filter((r) => urgencies.length === 0 || urgencies.includes(r.u)).reduce((sum, r) => sum + Number(r.n), 0);
  }
  const cases: { name: string; filter: Record<string, unknown>; plain: () => Promise<number> }[] = [
    { name: "first page", filter: {}, plain: () => plain(sql`true`) },
    { name: "status = disappeared", filter: { status: "disappeared" }, plain: () => plain(sql`status = 'disappeared'`) },
    { name: "overdue only", filter: { urgency: "overdue" }, plain: () => plain(sql`true`, ["overdue"]) },
    { name: "one facility", filter: { facility }, plain: () => plain(sql`facility_id = ${facility}`) },
    { name: "at least 180 days", filter: { minDays: "180" }, plain: () => plain(sql`(last_proof_of_life IS NULL OR last_proof_of_life <= (${TODAY}::date - 180)::text)`) },
    {
      name: "name contains \"detainee 4242\" (11 people in 100,000)",
      filter: { name: "Detainee 4242" },
      plain: () => plain(sql`person_id IN (SELECT entity_id FROM statements WHERE property = 'name' AND retracted_at IS NULL AND lower(value) LIKE '%detainee 4242%')`),
    },
    {
      name: "name contains \"abbas\" (1 person in 8)",
      filter: { name: "abbas" },
      plain: () => plain(sql`person_id IN (SELECT entity_id FROM statements WHERE property = 'name' AND retracted_at IS NULL AND lower(value) LIKE '%abbas%')`),
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
      const page = await listSilence(services, origin, actor, { ...c.filter, limit: "50" });
      const a = performance.now() - t0;
      t0 = performance.now();
      plainCount = await c.plain();
      const b = performance.now() - t0;
      shown = page.total;
      // The first run warms caches for both; it is not counted.
      if (i > 0) {
        ours.push(a);
        theirs.push(b);
      }
    }
    ours.sort((x, y) => x - y);
    theirs.sort((x, y) => x - y);
    const [p50, p95, q50, q95] = [percentile(ours, 0.5), percentile(ours, 0.95), percentile(theirs, 0.5), percentile(theirs, 0.95)];
    rows.push(`| ${database.kind} | ${c.name} | ${shown.toLocaleString("en")} / ${plainCount.toLocaleString("en")} | ${p50.toFixed(1)} | ${p95.toFixed(1)} | ${q50.toFixed(1)} | ${q95.toFixed(1)} | ${(p95 / q95).toFixed(2)} |`);
  }
  const mapTimes: number[] = [];
  for (let i = 0; i < Math.max(3, Math.floor(repeat / 4)) + 1; i++) {
    const t0 = performance.now();
    await facilitySilence(services, origin, actor, {});
    if (i > 0) mapTimes.push(performance.now() - t0);
  }
  mapTimes.sort((x, y) => x - y);

  console.log(`database ${database.kind}, ${count.toLocaleString("en")} detentions at ${FACILITIES} facilities (1% restricted and hidden from the viewer, 4% ended, 1% archived, 5% never heard from), loaded in ${loadSeconds.toFixed(1)} s; ${repeat} repetitions after one warm-up`);
  console.log("Vigil: listSilence as a viewer, a page of 50 with its counts by urgency and the readable names; plain: the same order, page and counts over the projection in SQL, no permission layer, no names");
  console.log("| database | page | matching (Vigil / plain) | Vigil p50 (ms) | Vigil p95 (ms) | plain p50 (ms) | plain p95 (ms) | p95 ratio |");
  console.log("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |");
  for (const row of rows) console.log(row);
  console.log(`facility map (${FACILITIES} facilities, every detention grouped): p50 ${percentile(mapTimes, 0.5).toFixed(1)} ms, p95 ${percentile(mapTimes, 0.95).toFixed(1)} ms`);
  await database.close();
  await server?.drop();
}

await main();
