// Documented responsibility benchmark: what the sanctions gap table asks of the accountability
// service (documentedResponsibility: for each official, their posts, the units under each post's
// unit, the facilities those units operate, the incidents and detentions there whose dates meet the
// post's, the ones naming them, the analysts' decisions, each through the records' visibility
// rules), beside the reference of reading the same officials and incidents as plain views
// (viewEntities), in the same run. Records are written through the records service.
// Run: node --import tsx bench/responsibility.ts                              (PGlite)
//      BENCH_DATABASE_URL=postgres://… node --import tsx bench/responsibility.ts  (PostgreSQL)
// BENCH_OFFICIALS (default 100) and BENCH_INCIDENTS (default 1,000) set the size.
import { randomUUID } from "node:crypto";
import { performance } from "node:perf_hooks";
import type { Kysely } from "kysely";
import pino from "pino";
import type { Services } from "../src/context.ts";
import type { Schema } from "../src/db/index.ts";
import { migrate, openDatabase } from "../src/db/index.ts";
import { createEntity, viewEntities } from "../src/records/index.ts";
import { documentedResponsibility, recordPost } from "../src/accountability/index.ts";
import { createServerDatabase } from "./lib/server-database.ts";

const VIOLATIONS = ["torture", "arbitrary-detention", "killing", "enforced-disappearance", "forced-labour", "ill-treatment"];

async function main() {
  const serverUrl = process.env.BENCH_DATABASE_URL;
  const officials = Number(process.env.BENCH_OFFICIALS ?? 100);
  const incidents = Number(process.env.BENCH_INCIDENTS ?? 1_000);
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
  const services = { db, dbKind: database.kind, now: () => new Date("2026-11-25T12:00:00Z"), appKey: Buffer.alloc(32), log: pino({ level: "silent" }) } as unknown as Services;
  const origin = { requestId: null, ip: null, userAgent: "bench" };
  const by = { userId: editor, orgId, role: "editor" as const, scopes: null };
  const actor = { userId: viewer, orgId, role: "viewer" as const, scopes: null };

  const loadStarted = performance.now();
  // One prefecture bureau, ten county bureaus under it, five stations under each, a facility per station.
  const prefecture = await createEntity(services, origin, by, { schema: "PublicBody", properties: { name: ["Prefecture bureau"] } });
  const counties = [];
  const facilities: string[] = [];
  for (let c = 0; c < 10; c++) {
    const county = await createEntity(services, origin, by, { schema: "PublicBody", properties: { name: [`County bureau ${c}`], parentUnit: [prefecture.id] } });
    counties.push(county.id);
    for (let s = 0; s < 5; s++) {
      const station = await createEntity(services, origin, by, { schema: "PublicBody", properties: { name: [`Station ${c}.${s}`], parentUnit: [county.id] } });
      facilities.push((await createEntity(services, origin, by, { schema: "Address", properties: { full: [`Facility ${c}.${s}`], placeType: ["detention-facility"], operator: [station.id] } })).id);
    }
  }
  const people: string[] = [];
  for (let i = 0; i < officials; i++) {
    const person = await createEntity(services, origin, by, { schema: "Person", properties: { name: [`Official ${i}`] } });
    people.push(person.id);
    const unit = i % 10 === 0 ? prefecture.id : counties[i % 10]!;
    await recordPost(services, origin, by, person.id, { title: i % 10 === 0 ? "Director" : "Chief", unit, startDate: `${2014 + (i % 5)}`, endDate: `${2017 + (i % 5)}` });
  }
  const incidentIds: string[] = [];
  for (let i = 0; i < incidents; i++) {
    incidentIds.push((await createEntity(services, origin, by, { schema: "Incident", properties: { name: [`Incident ${i}`], violation: [VIOLATIONS[i % VIOLATIONS.length]!], date: [`${2013 + (i % 10)}-${String(1 + (i % 12)).padStart(2, "0")}`], place: [facilities[i % facilities.length]!] } })).id);
  }
  const loadSeconds = (performance.now() - loadStarted) / 1000;

  const t0 = performance.now();
  const result = await documentedResponsibility(services, actor, people);
  const oursSeconds = (performance.now() - t0) / 1000;
  if (result.size !== officials) throw new Error(`expected ${officials} officials, got ${result.size}`);
  const linked = [...result.values()].reduce((n, r) => n + r.command + r.direct, 0);
  const t1 = performance.now();
  await viewEntities(services, actor, people);
  for (let i = 0; i < incidentIds.length; i += 500) await viewEntities(services, actor, incidentIds.slice(i, i + 500));
  const referenceSeconds = (performance.now() - t1) / 1000;

  console.log(`loaded ${officials} officials, 61 units, ${facilities.length} facilities, ${incidents} incidents through the records service in ${loadSeconds.toFixed(1)} s (${database.kind})`);
  console.log("| database | officials | incidents | links | documentedResponsibility s | per official ms | reference: viewEntities of the officials and incidents s | ratio |");
  console.log("| --- | --- | --- | --- | --- | --- | --- | --- |");
  console.log(`| ${database.kind} | ${officials} | ${incidents} | ${linked} | ${oursSeconds.toFixed(2)} | ${((oursSeconds * 1000) / officials).toFixed(0)} | ${referenceSeconds.toFixed(2)} | ${(oursSeconds / referenceSeconds).toFixed(1)} |`);
  await database.close();
  await server?.drop();
}

await main();
