// Supplier screening benchmark: a company's list of 10,000 suppliers screened against a registry of
// generated companies tied by an ownership network (each company owned by one or two others, with
// cycles, some of them in the complicity registry), following ownership up to 3 hops, as
// `vigil suppliers screen` does. The reference, in the same run, is the names engine's plain bulk
// screening (`vigil screen`) of the same names as companies, without ownership, lists or evidence:
// the ratio is what the ownership walk and the report add. Target: under 30 s on PostgreSQL.
// Run: BENCH_DATABASE_URL=postgres://… node --import tsx bench/supplier-screening.ts   (PostgreSQL)
//      node --import tsx bench/supplier-screening.ts                                    (PGlite)
// BENCH_COMPANIES (default 100,000 on PostgreSQL, 20,000 on PGlite), BENCH_SUPPLIERS (10,000) and
// BENCH_HOPS (3) override the sizes. Records go straight into the tables, with the names index built
// by the index's own indexEntries, as bench/match.ts does.
import { randomUUID } from "node:crypto";
import { performance } from "node:perf_hooks";
import { sql, type Kysely } from "kysely";
import pino from "pino";
import type { Services } from "../src/context.ts";
import type { Schema } from "../src/db/index.ts";
import { migrate, openDatabase } from "../src/db/index.ts";
import { ENGINE_VERSION } from "../src/names/index.ts";
import { indexEntries, screenCsv } from "../src/screening/index.ts";
import { screenSuppliers } from "../src/accountability/index.ts";
import { createServerDatabase } from "./lib/server-database.ts";

// A deterministic generator, so two runs screen the same data.
let seed = 20261125;
function random(): number {
  seed = (seed * 1103515245 + 12345) & 0x7fffffff;
  return seed / 0x7fffffff;
}
const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;

const PLACES = ["Kashgar", "Aksu", "Hotan", "Turpan", "Hami", "Urumqi", "Korla", "Yining", "Changji", "Shihezi", "Karamay", "Altay", "Bortala", "Kizilsu", "Lanzhou", "Xi'an", "Chengdu", "Shenzhen", "Guangzhou", "Ningbo", "Wuxi", "Suzhou", "Qingdao", "Jinan", "Tianjin", "Dalian", "Harbin", "Hefei", "Nanjing", "Hangzhou", "Xiamen", "Fuzhou", "Kunming", "Nanning", "Wuhan", "Changsha", "Zhengzhou", "Shijiazhuang", "Taiyuan", "Hohhot", "Yinchuan", "Xining", "Lhasa", "Guiyang", "Nanchang", "Dongguan", "Foshan", "Zhuhai", "Shantou", "Yantai"];
const CORES = ["Golden", "Silk Road", "Tianshan", "Oasis", "Great Wall", "Red Star", "Harmony", "New Era", "Evergreen", "Sunrise", "Pioneer", "Unity", "Prosperity", "Jade", "Phoenix", "Dragon", "Horizon", "Summit", "Bright", "Eastern", "Western", "Northern", "Southern", "Central", "Apex", "Crystal", "Diamond", "Everbright", "Fortune", "Glory", "Heaven", "Lotus", "Meridian", "Orient", "Pearl", "Rainbow", "Sapphire", "Triumph", "Victory", "Zenith"];
const TRADES = ["Textile", "Cotton", "Garment", "Polysilicon", "Solar", "Electronics", "Vision Technology", "Security Systems", "Tomato Products", "Agriculture", "Logistics", "Construction", "Engineering", "Mining", "Chemical", "Steel", "Aluminium", "Plastics", "Paper", "Food", "Pharmaceutical", "Machinery", "Auto Parts", "Batteries", "Yarn", "Knitting", "Dyeing", "Footwear", "Leather", "Trading"];
const FORMS = ["Co., Ltd.", "Group Co., Ltd.", "Industrial Co., Ltd.", "Holdings", "Corporation", "Limited"];

function companyName(): string {
  return `${pick(PLACES)} ${pick(CORES)} ${pick(TRADES)} ${pick(FORMS)}`;
}

/** A supplier list writes a company's name its own way: another legal form, upper case, no form at all. */
function asSupplierWrites(name: string): string {
  const bare = name.replace(/ (Group |Industrial )?(Co\., Ltd\.|Holdings|Corporation|Limited)$/, "");
  const r = random();
  return r < 0.3 ? name : r < 0.55 ? name.toUpperCase() : r < 0.8 ? `${bare} Company Limited` : bare;
}

async function main() {
  const serverUrl = process.env.BENCH_DATABASE_URL;
  const companies = Number(process.env.BENCH_COMPANIES ?? (serverUrl ? 100_000 : 20_000));
  const supplierCount = Number(process.env.BENCH_SUPPLIERS ?? 10_000);
  const hops = Number(process.env.BENCH_HOPS ?? 3);
  const server = serverUrl ? await createServerDatabase(serverUrl) : null;
  const database = await openDatabase(server ? { databaseUrl: server.url, maxConnections: 4 } : {});
  await migrate(database.db);
  const db = database.db as Kysely<Schema>;
  const orgId = randomUUID();
  await db.insertInto("organisations").values({ id: orgId, slug: "bench", name: "Bench" }).execute();

  const started = performance.now();
  const ids: string[] = [];
  const names: string[] = [];
  type Statement = { id: string; org_id: string; entity_id: string; property: string; value: string; sensitivity: string; revision: number; ref_id: string | null };
  const json = (rows: unknown[]) => JSON.stringify(rows);
  async function insert(entities: { id: string; org_id: string; schema: string }[], statements: Statement[], keys: unknown[] = [], features: unknown[] = []) {
    await sql`INSERT INTO entities (id, org_id, schema) SELECT id, org_id, schema FROM json_populate_recordset(null::entities, ${json(entities)}::json)`.execute(db);
    await sql`INSERT INTO statements (id, org_id, entity_id, property, value, sensitivity, revision, ref_id) SELECT id, org_id, entity_id, property, value, sensitivity, revision, ref_id FROM json_populate_recordset(null::statements, ${json(statements)}::json)`.execute(db);
    if (keys.length) await sql`INSERT INTO name_keys (org_id, entity_id, key, decade) SELECT org_id, entity_id, key, decade FROM json_populate_recordset(null::name_keys, ${json(keys)}::json)`.execute(db);
    if (features.length) await sql`INSERT INTO name_features SELECT * FROM json_populate_recordset(null::name_features, ${json(features)}::json)`.execute(db);
  }
  const statement = (entity: string, property: string, value: string, ref: string | null = null): Statement => ({ id: randomUUID(), org_id: orgId, entity_id: entity, property, value, sensitivity: "internal", revision: 1, ref_id: ref });

  // Companies, with their names indexed.
  const BATCH = 2000;
  for (let done = 0; done < companies; done += BATCH) {
    const entities = [];
    const statements: Statement[] = [];
    const keys = [];
    const features = [];
    for (let i = 0; i < Math.min(BATCH, companies - done); i++) {
      const id = randomUUID();
      const name = companyName();
      ids.push(id);
      names.push(name);
      entities.push({ id, org_id: orgId, schema: "Company" });
      const own = [statement(id, "name", name), statement(id, "country", "cn")];
      statements.push(...own);
      const entries = indexEntries("Company", own);
      for (const k of entries.keys) keys.push({ org_id: orgId, entity_id: id, ...k });
      if (entries.features) features.push({ entity_id: id, org_id: orgId, engine: ENGINE_VERSION, guarded: entries.features.guarded, features: entries.features.prepared });
    }
    await insert(entities, statements, keys, features);
  }
  // Ownership: every company but the first 5% has one owner among all the companies (cycles
  // happen), a third a second one; 2% of the companies are in the complicity registry.
  let links = 0;
  const ownership: { entities: { id: string; org_id: string; schema: string }[]; statements: Statement[] } = { entities: [], statements: [] };
  const flush = async () => {
    if (ownership.entities.length) await insert(ownership.entities, ownership.statements);
    ownership.entities = [];
    ownership.statements = [];
  };
  for (let i = Math.floor(companies * 0.05); i < companies; i++) {
    for (let n = 0; n < (random() < 0.33 ? 2 : 1); n++) {
      const owner = ids[Math.floor(random() * companies)]!;
      if (owner === ids[i]) continue;
      const id = randomUUID();
      ownership.entities.push({ id, org_id: orgId, schema: "Ownership" });
      ownership.statements.push(statement(id, "owner", owner, owner), statement(id, "asset", ids[i]!, ids[i]!), statement(id, "percentage", String(10 + Math.floor(random() * 90))));
      links++;
      if (ownership.entities.length >= BATCH) await flush();
    }
  }
  let registered = 0;
  for (let i = 0; i < companies; i++) {
    if (random() >= 0.02) continue;
    const id = randomUUID();
    ownership.entities.push({ id, org_id: orgId, schema: "Complicity" });
    ownership.statements.push(statement(id, "organization", ids[i]!, ids[i]!), statement(id, "complicityType", pick(["surveillance-technology", "forced-labour-supply-chain", "facilities", "financing"])));
    registered++;
    if (ownership.entities.length >= BATCH) await flush();
  }
  await flush();
  await sql`VACUUM ANALYZE`.execute(db);
  const loadSeconds = (performance.now() - started) / 1000;
  console.error(`loaded ${companies.toLocaleString("en")} companies, ${links.toLocaleString("en")} ownership links, ${registered} registered in ${loadSeconds.toFixed(0)} s`);

  // The supplier list: 60% companies of the registry as a supplier list writes them, 40% unknown.
  const suppliers = Array.from({ length: supplierCount }, (_, i) => (i % 5 < 3 ? asSupplierWrites(names[Math.floor(random() * companies)]!) : `${companyName()} ${pick(["Trading", "Import Export", "Supply"])}`));
  const quote = (v: string) => `"${v.replace(/"/g, '""')}"`;
  const supplierCsv = ["Supplier name,Address,Country", ...suppliers.map((s, i) => `${quote(s)},${quote(`${i + 1} Industrial Road`)},China`)].join("\n");
  const plainCsv = ["name,schema,country", ...suppliers.map((s) => `${quote(s)},Company,cn`)].join("\n");

  const services = { db, dbKind: database.kind, now: () => new Date(), appKey: Buffer.alloc(32), log: pino({ level: "silent" }) } as unknown as Services;
  const actor = { userId: randomUUID(), orgId, role: "admin" as const, scopes: null };
  const origin = { requestId: null, ip: null, userAgent: "bench" };

  // Warm-up (the JIT, the database's caches) on a few hundred names; then the reference is run
  // before and after the supplier screening and averaged, so that neither side gains from going second.
  await screenCsv(services, origin, actor, plainCsv.split("\n").slice(0, 300).join("\n"));
  const timed = async <T>(run: () => Promise<T>): Promise<[T, number]> => {
    const t0 = performance.now();
    const result = await run();
    return [result, (performance.now() - t0) / 1000];
  };
  const [plain, plainBefore] = await timed(() => screenCsv(services, origin, actor, plainCsv));
  const memory0 = process.memoryUsage().rss;
  const [report, supplierSeconds] = await timed(() => screenSuppliers(services, origin, actor, supplierCsv, { hops }));
  const rssMb = (process.memoryUsage().rss - memory0) / 2 ** 20;
  const [, plainAfter] = await timed(() => screenCsv(services, origin, actor, plainCsv));
  const plainSeconds = (plainBefore + plainAfter) / 2;

  const byHops = new Map<number, number>();
  for (const f of report.findings) byHops.set(f.hops, (byHops.get(f.hops) ?? 0) + 1);
  console.log(`database ${database.kind}; ${companies.toLocaleString("en")} companies, ${links.toLocaleString("en")} ownership links, ${registered} in the complicity registry; ${supplierCount.toLocaleString("en")} suppliers, ownership followed up to ${hops} hops; target under 30 s on PostgreSQL`);
  console.log("| measure | supplier screening (names + ownership + evidence) | plain bulk screening (names only) | ratio (supplier / plain) |");
  console.log("| --- | ---: | ---: | ---: |");
  console.log(`| wall time (s) | ${supplierSeconds.toFixed(1)} | ${plainSeconds.toFixed(1)} | ${(supplierSeconds / plainSeconds).toFixed(2)} |`);
  console.log(`| suppliers/s | ${(supplierCount / supplierSeconds).toFixed(0)} | ${(supplierCount / plainSeconds).toFixed(0)} | ${(plainSeconds / supplierSeconds).toFixed(2)} |`);
  console.log(`suppliers matched to a record: ${plain.rows.filter((r) => r.matches.some((m) => m.result.match)).length}; flagged: ${report.flagged} (${report.findings.length} findings; by hops ${[...byHops].sort((a, b) => a[0] - b[0]).map(([h, n]) => `${h}: ${n}`).join(", ")}); rejected ${report.rejected.length}; RSS added ${rssMb.toFixed(0)} MB`);
  await database.close();
  await server?.drop();
}

await main();
