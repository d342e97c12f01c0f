// Screening benchmark: single-query latency (p50/p95) of the names index over generated records,
// beside the pg_trgm baseline (similarity(name, $1) > 0.3 with a GIN trigram index) on the same
// data in the same run, and bulk screening throughput in names per second.
// Run: node --import tsx bench/match.ts                      (PGlite, 100,000 records)
//      BENCH_DATABASE_URL=postgres://… node --import tsx bench/match.ts   (PostgreSQL, 1,000,000)
// BENCH_RECORDS overrides the count. Records are inserted in bulk straight into the tables.
import { randomUUID } from "node:crypto";
import { performance } from "node:perf_hooks";
import { sql } from "kysely";
import pino from "pino";
import type { Services } from "../src/context.ts";
import { migrate, openDatabase } from "../src/db/index.ts";
import { blockingKeys } from "../src/names/index.ts";
import { matchQueries, screenCsv } from "../src/screening/index.ts";
import { createServerDatabase } from "./lib/server-database.ts";

// Real name parts, as bench/names.ts draws them (Zipf-distributed so common names are common).
const UYGHUR = ["muhemmed", "abdulla", "gulnar", "ehmet", "memet", "abdurehim", "ayshem", "tursun", "rahile", "ilham", "erkin", "gulbahar", "dilnur", "nurmemet", "abdukerim", "patigul", "qurban", "mahire", "yasin", "rozi", "hesen", "nurgul", "adil", "mutellip", "zulpiye", "ablet", "ghopur", "abduweli", "mihrigul", "parhat", "reyhan", "tahir", "sadiq", "alim", "ekber", "zohre", "mirzat", "yalqun", "qeyser", "arzugul", "eysa", "nijat", "tursunay", "rushen", "ekpar", "dilshat", "muyesser", "abdusalam", "gheyret", "kamil", "ablikim", "ruqiye", "memtimin", "nurbiye", "ismayil", "salih"];
const HAN_SURNAMES = Array.from("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁");
const HAN_GIVEN = Array.from("伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英建华国全海仑君正龙春贤兴瑞永康克志乐际");
const UEY: [string, string][] = [["ch", "چ"], ["gh", "غ"], ["sh", "ش"], ["a", "ا"], ["e", "ە"], ["b", "ب"], ["p", "پ"], ["t", "ت"], ["j", "ج"], ["x", "خ"], ["d", "د"], ["r", "ر"], ["z", "ز"], ["s", "س"], ["q", "ق"], ["k", "ك"], ["g", "گ"], ["l", "ل"], ["m", "م"], ["n", "ن"], ["h", "ھ"], ["o", "و"], ["u", "ۇ"], ["w", "ۋ"], ["i", "ى"], ["y", "ي"]];

let seed = 20240601;
function random(): number {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
function zipf<T>(items: readonly T[]): () => T {
  const total = items.reduce((a, _, i) => a + 1 / (i + 1), 0);
  return () => {
    let r = random() * total;
    for (let i = 0; i < items.length; i++) if ((r -= 1 / (i + 1)) <= 0) return items[i]!;
    return items[items.length - 1]!;
  };
}
const uyghur = zipf(UYGHUR);
const surname = zipf(HAN_SURNAMES);
const given = zipf(HAN_GIVEN);
const toUey = (w: string) => (/^[aeiou]/.test(w) ? "ئ" : "") + w.replace(/ch|gh|sh|./g, (c) => UEY.find(([f]) => f === c)?.[1] ?? c);
const capital = (w: string) => w.charAt(0).toUpperCase() + w.slice(1);

function generateName(): string {
  if (random() < 0.6) {
    const [a, b] = [uyghur(), uyghur()];
    return random() < 0.35 ? `${toUey(a)} ${toUey(b)}` : `${capital(a)} ${capital(b)}`;
  }
  return surname() + given() + (random() < 0.7 ? given() : "");
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function main() {
  const serverUrl = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL;
  const count = Number(process.env.BENCH_RECORDS ?? (serverUrl ? 1_000_000 : 100_000));
  const server = serverUrl ? await createServerDatabase(serverUrl) : null;
  const database = await openDatabase(server ? { databaseUrl: server.url, maxConnections: 4 } : {});
  await migrate(database.db);
  const db = database.db;
  const orgId = randomUUID();
  await db.insertInto("organisations").values({ id: orgId, slug: "bench", name: "Bench" }).execute();
  await sql`CREATE TABLE trgm_names (entity_id uuid NOT NULL, name text NOT NULL)`.execute(db);

  const started = performance.now();
  const names: string[] = [];
  const BATCH = 2000;
  for (let done = 0; done < count; done += BATCH) {
    const n = Math.min(BATCH, count - done);
    const entities = Array.from({ length: n }, () => ({ id: randomUUID(), org_id: orgId, schema: "Person" }));
    const batchNames = entities.map(() => generateName());
    names.push(...batchNames.slice(0, 5));
    await db.insertInto("entities").values(entities).execute();
    await db.insertInto("statements").values(entities.map((e, i) => ({ id: randomUUID(), org_id: orgId, entity_id: e.id, property: "name", value: batchNames[i]!, sensitivity: "internal", revision: 1 }))).execute();
    const keys = entities.flatMap((e, i) => blockingKeys([batchNames[i]!]).map((key) => ({ org_id: orgId, entity_id: e.id, key })));
    for (let k = 0; k < keys.length; k += 5000) await db.insertInto("name_keys").values(keys.slice(k, k + 5000)).execute();
    const trgm = entities.map((e, i) => ({ entity_id: e.id, name: batchNames[i]! }));
    await sql`INSERT INTO trgm_names SELECT * FROM json_populate_recordset(null::trgm_names, ${JSON.stringify(trgm)}::json)`.execute(db);
  }
  await sql`CREATE INDEX trgm_names_gin ON trgm_names USING gin (name gin_trgm_ops)`.execute(db);
  await sql`ANALYZE`.execute(db);
  const loadSeconds = (performance.now() - started) / 1000;

  const services = { db, dbKind: database.kind, now: () => new Date(), appKey: Buffer.alloc(32), log: pino({ level: "silent" }) } as unknown as Services;
  const actor = { userId: randomUUID(), orgId, role: "admin" as const, scopes: null };
  const origin = { requestId: null, ip: null, userAgent: "bench" };
  // Queries: stored names respelled (case, order) and fresh names from the same distribution.
  const queries = Array.from({ length: 200 }, (_, i) => (i % 2 === 0 ? names[(i * 7) % names.length]!.split(" ").reverse().join(" ").toUpperCase() : generateName()));

  const ours: number[] = [];
  const trgm: number[] = [];
  for (const [i, q] of queries.entries()) {
    let t = performance.now();
    await matchQueries(services, origin, actor, "default", { limit: "10" }, async () => ({ queries: { q: { schema: "Person", properties: { name: [q] } } } }));
    if (i >= 10) ours.push(performance.now() - t);
    t = performance.now();
    await sql`SELECT entity_id, similarity(name, ${q}) AS s FROM trgm_names WHERE similarity(name, ${q}) > 0.3 ORDER BY s DESC LIMIT 10`.execute(db);
    if (i >= 10) trgm.push(performance.now() - t);
  }
  ours.sort((a, b) => a - b);
  trgm.sort((a, b) => a - b);

  const rows = Array.from({ length: 2000 }, () => generateName());
  const t0 = performance.now();
  const report = await screenCsv(services, origin, actor, rows.join("\n"));
  const perSecond = report.rows.length / ((performance.now() - t0) / 1000);

  const fmt = (ms: number) => ms.toFixed(2);
  console.log(`database ${database.kind}, ${count.toLocaleString("en")} records, loaded in ${loadSeconds.toFixed(0)} s`);
  console.log(`names index  p50 ${fmt(percentile(ours, 50))} ms  p95 ${fmt(percentile(ours, 95))} ms`);
  console.log(`pg_trgm      p50 ${fmt(percentile(trgm, 50))} ms  p95 ${fmt(percentile(trgm, 95))} ms`);
  console.log(`ratio (pg_trgm / index)  p50 ${(percentile(trgm, 50) / percentile(ours, 50)).toFixed(1)}×  p95 ${(percentile(trgm, 95) / percentile(ours, 95)).toFixed(1)}×`);
  console.log(`bulk screening: ${report.rows.length} names in one CSV, ${perSecond.toFixed(0)} names/s (target ≥ 500)`);
  await database.close();
  await server?.drop();
}

await main();
