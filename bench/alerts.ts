// Alert evaluation benchmark: 100,000 ongoing detentions in the monitor_detentions projection (one
// in five restricted-guarded, about 45% silent beyond the 90-day window, a few dead, disappeared or
// past their sentence), generated directly in bulk: the load is not what is measured.
//
// Measured: evaluateAlerts in one transaction, as the scheduled job runs it — every rule's
// set-based statement and the fan-out of the new alerts to an administrator subscribed to the
// whole organisation (inbox rows) and to one webhook (a delivery and its job per alert):
//   first run  — every silent detainee is new: the worst case, once per installation;
//   steady run — nothing new: what every five-minute evaluation costs afterwards;
//   rules only — the first run with nobody subscribed and no webhook: the rules' statements alone.
// Reference: one plain SQL query computing the same silent set (no insert, no fan-out).
//
// Run: BENCH_DATABASE_URL=postgres://… node --import tsx bench/alerts.ts   (PostgreSQL; the target)
//      node --import tsx bench/alerts.ts                                  (PGlite)
// BENCH_DETAINEES overrides the number of detentions (default 100,000).
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { sql, type Kysely } from "kysely";
import { createAdministrator } from "../src/accounts/index.ts";
import { boot, createLogger } from "../src/boot.ts";
import { loadConfig } from "../src/config.ts";
import { NO_ORIGIN } from "../src/context.ts";
import type { Schema } from "../src/db/index.ts";
import { evaluateAlerts } from "../src/monitor/index.ts";
import { createServerDatabase } from "./lib/server-database.ts";

const DETAINEES = Number(process.env.BENCH_DETAINEES ?? 100_000);
const RUNS = 3;
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

async function seed(db: Kysely<Schema>, orgId: string, userId: string): Promise<void> {
  await sql`SELECT setseed(0.17)`.execute(db);
  await sql.raw(`CREATE TEMP TABLE bench_detainees AS
    SELECT g AS n, gen_random_uuid() AS person, gen_random_uuid() AS detention,
      (DATE '2026-06-01' - (random() * 200)::int) AS pol
    FROM generate_series(1, ${DETAINEES}) g`).execute(db);
  await sql`INSERT INTO entities (id, org_id, schema, created_by, restricted)
    SELECT person, ${orgId}::uuid, 'Person', ${userId}::uuid, false FROM bench_detainees
    UNION ALL SELECT detention, ${orgId}::uuid, 'Detention', ${userId}::uuid, n % 5 = 0 FROM bench_detainees`.execute(db);
  await sql`INSERT INTO statements (id, org_id, entity_id, property, value, sensitivity, revision, author_id)
    SELECT gen_random_uuid(), ${orgId}::uuid, person, 'name', 'Detainee ' || n, 'internal', 1, ${userId}::uuid FROM bench_detainees`.execute(db);
  await sql`INSERT INTO monitor_detentions (detention_id, org_id, person_id, status, status_earliest, status_latest, started_earliest, started_latest, last_proof_of_life, sentence_end, ongoing, silence_days, guarded)
    SELECT detention, ${orgId}::uuid, person,
      CASE WHEN n % 500 = 0 THEN 'died-in-custody' WHEN n % 300 = 0 THEN 'disappeared' WHEN n % 7 = 0 THEN 'sentenced' ELSE 'in-custody' END,
      '2024-01-01', '2024-01-01', '2023-06-01', '2023-06-01',
      CASE WHEN n % 50 = 0 THEN NULL ELSE to_char(pol, 'YYYY-MM-DD') END,
      CASE WHEN n % 7 = 0 THEN to_char(DATE '2025-01-01' + (n % 1000), 'YYYY-MM-DD') END,
      n % 500 <> 0, CASE WHEN n % 11 = 0 THEN 30 END, n % 5 = 0
    FROM bench_detainees`.execute(db);
  await sql`ANALYZE`.execute(db);
}

/** The reference: the silent set by one plain query. */
async function plainSilentSet(db: Kysely<Schema>): Promise<number> {
  const { rows } = await sql<{ n: number }>`
    SELECT count(*)::int AS n FROM monitor_detentions
    WHERE ongoing AND NOT archived
      AND (coalesce(last_proof_of_life, started_latest) IS NULL
        OR DATE '2026-06-01' - coalesce(last_proof_of_life, started_latest)::date > coalesce(silence_days, 90))`.execute(db);
  return rows[0]!.n;
}

async function reset(db: Kysely<Schema>): Promise<void> {
  await sql`DELETE FROM jobs WHERE kind LIKE 'alerts.%'`.execute(db);
  await sql`DELETE FROM alert_delivery_attempts`.execute(db);
  await sql`DELETE FROM alert_deliveries`.execute(db);
  await sql`DELETE FROM alert_notifications`.execute(db);
  await sql`DELETE FROM alerts`.execute(db);
  await sql`VACUUM ANALYZE alerts`.execute(db);
}

async function main() {
  const serverUrl = process.env.BENCH_DATABASE_URL;
  const server = serverUrl ? await createServerDatabase(serverUrl) : null;
  const dataDir = mkdtempSync(join(tmpdir(), "vigil-bench-alerts-"));
  const config = loadConfig({ VIGIL_DATA_DIR: dataDir, DATABASE_URL: server?.url, VIGIL_LOG_LEVEL: "warn" });
  const booted = await boot(config, createLogger("warn"));
  const services = { ...booted.services, now: () => new Date("2026-06-01T12:00:00Z") };
  try {
    const admin = await createAdministrator(services, NO_ORIGIN, { email: "admin@bench.example", name: "Bench Admin", password: "quiet harbour lanterns 1987", organisation: "bench", organisationName: "Bench" });
    const db = services.db as Kysely<Schema>;
    let t0 = performance.now();
    await seed(db, admin.orgId, admin.userId);
    console.log(`seeded ${DETAINEES.toLocaleString("en")} detentions on ${services.dbKind} in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    const watch = async (on: boolean) => {
      await sql`DELETE FROM alert_subscriptions`.execute(db);
      await sql`DELETE FROM alert_webhooks`.execute(db);
      if (!on) return;
      await sql`INSERT INTO alert_subscriptions (id, org_id, user_id, kind, email, created_at) VALUES (gen_random_uuid(), ${admin.orgId}::uuid, ${admin.userId}::uuid, 'organisation', true, now())`.execute(db);
      await sql`INSERT INTO alert_webhooks (id, org_id, url, secret_sealed, created_at) VALUES (gen_random_uuid(), ${admin.orgId}::uuid, 'https://hooks.bench.example/vigil', '\\x00'::bytea, now())`.execute(db);
    };

    const reference: number[] = [];
    let silent = 0;
    for (let run = 0; run < RUNS; run++) {
      t0 = performance.now();
      silent = await plainSilentSet(db);
      reference.push(performance.now() - t0);
    }
    const first: number[] = [];
    const steady: number[] = [];
    const rulesOnly: number[] = [];
    let raised = 0;
    let fanned = { notified: 0, deliveries: 0 };
    for (let run = 0; run < RUNS; run++) {
      await watch(false);
      await reset(db);
      t0 = performance.now();
      await db.transaction().execute((tx) => evaluateAlerts(services, tx));
      rulesOnly.push(performance.now() - t0);
      await watch(true);
      await reset(db);
      t0 = performance.now();
      const result = await db.transaction().execute((tx) => evaluateAlerts(services, tx));
      first.push(performance.now() - t0);
      raised = result.raised.silence;
      fanned = { notified: result.notified, deliveries: result.deliveries };
      t0 = performance.now();
      const again = await db.transaction().execute((tx) => evaluateAlerts(services, tx));
      steady.push(performance.now() - t0);
      if (Object.values(again.raised).some((n) => n > 0)) throw new Error("the steady run raised alerts again");
    }
    if (raised !== silent) throw new Error(`the silence rule raised ${raised} alerts; the plain query finds ${silent} silent`);
    const ref = median(reference);
    console.log(`\n${DETAINEES.toLocaleString("en")} detentions on ${services.dbKind}; ${silent.toLocaleString("en")} silent; first run fans out ${fanned.notified.toLocaleString("en")} inbox rows and ${fanned.deliveries.toLocaleString("en")} webhook deliveries (median of ${RUNS})\n`);
    console.log("| row | ms | ratio to the plain query | target |");
    console.log("| --- | ---: | ---: | --- |");
    console.log(`| plain SQL: the silent set (reference) | ${ref.toFixed(0)} | 1.00 | — |`);
    console.log(`| evaluation, first run (every rule, insert, fan-out, jobs) | ${median(first).toFixed(0)} | ${(median(first) / ref).toFixed(1)} | < 10 s: ${median(first) < 10_000 ? "met" : "NOT met"} |`);
    console.log(`| evaluation, rules only (first run, nobody to notify) | ${median(rulesOnly).toFixed(0)} | ${(median(rulesOnly) / ref).toFixed(1)} | < 10 s: ${median(rulesOnly) < 10_000 ? "met" : "NOT met"} |`);
    console.log(`| evaluation, steady run (nothing new) | ${median(steady).toFixed(0)} | ${(median(steady) / ref).toFixed(1)} | < 10 s: ${median(steady) < 10_000 ? "met" : "NOT met"} |`);
  } finally {
    await booted.close();
    await server?.drop();
  }
}

await main();
