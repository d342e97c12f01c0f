// Screening benchmark: single-query latency (p50/p95) of POST /match's service over generated
// records, beside the pg_trgm baseline (similarity(name, $1) > 0.3 with a GIN trigram index, the
// usual "fuzzy name search" in PostgreSQL) on the same names in the same run; the candidates each
// query scores; and bulk screening throughput (a CSV of names, as `vigil screen` reads it) beside
// the same pg_trgm query run once per name.
// Run: node --import tsx bench/match.ts                      (PGlite, 100,000 records)
//      BENCH_DATABASE_URL=postgres://… node --import tsx bench/match.ts   (PostgreSQL, 1,000,000)
// BENCH_RECORDS, BENCH_QUERIES and BENCH_BULK override the sizes. Records go straight into the
// tables (entities, statements and the names index, built with the index's own indexEntries).
import { randomUUID } from "node:crypto";
import { performance } from "node:perf_hooks";
import { sql, type Kysely } from "kysely";
import pino from "pino";
import type { Services } from "../src/context.ts";
import type { Schema } from "../src/db/index.ts";
import { migrate, openDatabase } from "../src/db/index.ts";
import { birthDecades, blockingKeys, ENGINE_VERSION } from "../src/names/index.ts";
import { candidateBudget, indexEntries, matchQueries, screenCsv, sqlCandidates } from "../src/screening/index.ts";
import { createServerDatabase } from "./lib/server-database.ts";

// ——— Generated people ———
// Name parts are real and common (Uyghur and Kazakh given names, which also serve as patronymic
// surnames; Han surnames in order of frequency and common given-name characters), drawn with a Zipf
// distribution so that the commonest (Muhammad, Abdulla, Gulnar; 王, 李, 张) are as frequent as in
// life. Each person is written in one of the scripts our sources use, and most have a birth date.
const UYGHUR = [
  "muhemmed", "abdulla", "ehmet", "memet", "tursun", "gulnar", "abdurehim", "ayshem", "rahile", "ilham", "erkin", "gulbahar",
  "dilnur", "nurmemet", "abdukerim", "patigul", "qurban", "mahire", "yasin", "rozi", "hesen", "nurgul", "adil", "mutellip",
  "zulpiye", "ablet", "ghopur", "abduweli", "mihrigul", "parhat", "reyhan", "tahir", "sadiq", "alim", "ekber", "zohre",
  "mirzat", "yalqun", "qeyser", "arzugul", "eysa", "nijat", "tursunay", "rushen", "ekpar", "dilshat", "muyesser", "abdusalam",
  "gheyret", "kamil", "ablikim", "ruqiye", "memtimin", "nurbiye", "ismayil", "salih", "abliz", "adiljan", "aygul", "aynur",
  "barat", "bahargul", "dilbar", "dilmurat", "ekrem", "elnur", "eziz", "gulmira", "gulzar", "hajigul", "halmurat", "hebibulla",
  "helchem", "hoshur", "imin", "jalalidin", "jamal", "kerim", "kewser", "mamut", "meryem", "mesume", "mewlan", "mirehmet",
  "nezire", "nurmuhemmed", "obul", "omer", "perhat", "qadir", "qasim", "rabiye", "rehim", "rishat", "roshen", "sabir",
  "sajide", "salamet", "semet", "shirzat", "tayir", "tohti", "turghun", "ubul", "wahit", "xalide", "yaqup", "yunus",
  "yusup", "zey", "zeynep", "zunun", "abdughupur", "abdulhemit", "abdureshit", "ahmatjan", "alimjan", "anwer", "arslan",
  "batur", "dawut", "ebeydulla", "emet", "enwer", "gulshen", "hamit", "horigul", "iminjan", "isa", "kurash", "mamatjan",
];
const KAZAKH = ["nurlan", "serik", "asqar", "gulnara", "aigul", "erlan", "dauren", "sayragul", "bolat", "zhanar", "qairat", "ainur", "erbol", "marat", "saule", "baqyt", "dana", "timur", "arman", "zhanna"];
const HAN_SURNAMES = Array.from(
  "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤",
);
const HAN_GIVEN = Array.from(
  "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂建华国全海仑君正龙春贤兴瑞永康克志乐际文辉力斌鹏宇浩凯秀玲红梅燕飞琳雪晶玉萍鑫波宁婷亮林峰俊东云帅健新晨成辰阳佳子欣怡思雨轩博",
);

const ULY_TO_UEY: [string, string][] = [
  ["ch", "چ"], ["gh", "غ"], ["ng", "ڭ"], ["sh", "ش"], ["zh", "ژ"], ["a", "ا"], ["e", "ە"], ["b", "ب"], ["p", "پ"], ["t", "ت"],
  ["j", "ج"], ["x", "خ"], ["d", "د"], ["r", "ر"], ["z", "ز"], ["s", "س"], ["f", "ف"], ["q", "ق"], ["k", "ك"], ["g", "گ"],
  ["l", "ل"], ["m", "م"], ["n", "ن"], ["h", "ھ"], ["o", "و"], ["u", "ۇ"], ["w", "ۋ"], ["i", "ى"], ["y", "ي"],
];
const ULY_TO_CYR: [string, string][] = [
  ["ch", "ч"], ["gh", "ғ"], ["ng", "ң"], ["sh", "ш"], ["zh", "ж"], ["a", "а"], ["e", "ә"], ["b", "б"], ["p", "п"], ["t", "т"],
  ["j", "җ"], ["x", "х"], ["d", "д"], ["r", "р"], ["z", "з"], ["s", "с"], ["f", "ф"], ["q", "қ"], ["k", "к"], ["g", "г"],
  ["l", "л"], ["m", "м"], ["n", "н"], ["h", "һ"], ["o", "о"], ["u", "у"], ["w", "в"], ["i", "и"], ["y", "й"],
];
const PINYIN = new Map<string, string>();

function rewrite(word: string, table: [string, string][]): string {
  let out = "";
  for (let i = 0; i < word.length; ) {
    const hit = table.find(([from]) => word.startsWith(from, i));
    out += hit ? hit[1] : word[i];
    i += hit ? hit[0].length : 1;
  }
  return out;
}
const capital = (w: string) => w.charAt(0).toUpperCase() + w.slice(1);
const SCRIPTS: Record<string, (w: string) => string> = {
  uey: (w) => (/^[aeiou]/.test(w) ? "ئ" : "") + rewrite(w, ULY_TO_UEY),
  uly: capital,
  english: (w) => capital(w.replace(/x/g, "kh").replace(/q/g, "k").replace(/gh/g, "g")),
  cyrillic: (w) => capital(rewrite(w, ULY_TO_CYR)),
};

// Deterministic PRNG (mulberry32) so runs are comparable.
let seed = 20240601;
function random(): number {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
function zipf<T>(items: readonly T[]): () => T {
  const cumulative: number[] = [];
  let acc = 0;
  const total = items.reduce((a, _, i) => a + 1 / (i + 1), 0);
  for (let i = 0; i < items.length; i++) cumulative.push((acc += 1 / (i + 1) / total));
  return () => {
    const r = random();
    let lo = 0;
    let hi = cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cumulative[mid]! < r) lo = mid + 1;
      else hi = mid;
    }
    return items[lo]!;
  };
}
const uyghur = zipf(UYGHUR);
const kazakh = zipf(KAZAKH);
const hanSurname = zipf(HAN_SURNAMES);
const hanGiven = zipf(HAN_GIVEN);
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;

interface Person {
  kind: "uyghur" | "han";
  parts: string[];
  birthDate: string | null;
}

function generatePerson(): Person {
  const r = random();
  const birthDate = random() < 0.75 ? (() => {
    const year = 1940 + Math.floor(random() * 66);
    return random() < 0.7 ? `${year}-${String(1 + Math.floor(random() * 12)).padStart(2, "0")}-${String(1 + Math.floor(random() * 28)).padStart(2, "0")}` : String(year);
  })() : null;
  if (r < 0.55) return { kind: "uyghur", parts: random() < 0.15 ? [uyghur(), uyghur(), uyghur()] : [uyghur(), uyghur()], birthDate };
  if (r < 0.65) return { kind: "uyghur", parts: [kazakh(), random() < 0.5 ? kazakh() : uyghur()], birthDate };
  return { kind: "han", parts: [hanSurname(), hanGiven() + (random() < 0.7 ? hanGiven() : "")], birthDate };
}

function pinyinOf(han: string): string {
  return PINYIN.get(han) ?? han;
}

/** The person's name in one script; `avoid` is a script not to use (to respell a stored name). */
function writeName(p: Person, avoid?: string): { name: string; script: string } {
  if (p.kind === "han") {
    const scripts = ["han", "han", "pinyin", "pinyin-surname-first"].filter((s) => s !== avoid);
    const script = pick(scripts);
    const [surname, given] = p.parts as [string, string];
    if (script === "han") return { name: surname + given, script };
    const latin = [pinyinOf(surname), pinyinOf(given)].map(capital);
    return { name: script === "pinyin" ? `${latin[1]} ${latin[0]}` : `${latin[0]!.toUpperCase()}, ${latin[1]}`, script };
  }
  const script = pick(Object.keys(SCRIPTS).filter((s) => s !== avoid));
  return { name: p.parts.map(SCRIPTS[script]!).join(" "), script };
}

/** CPU seconds used so far by this database's PostgreSQL backends (0 on PGlite, which runs in this process). */
async function serverCpuSeconds(db: Kysely<Schema>, kind: string): Promise<number> {
  if (kind !== "postgres") return 0;
  const { rows } = await sql<{ pid: number }>`SELECT pid FROM pg_stat_activity WHERE datname = current_database()`.execute(db);
  const { readFileSync } = await import("node:fs");
  let ticks = 0;
  for (const { pid } of rows) {
    try {
      const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
      ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      // a backend on another host, or gone: not counted
    }
  }
  return ticks / 100;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

async function main() {
  const { pinyin } = await import("pinyin-pro");
  for (const ch of [...HAN_SURNAMES, ...HAN_GIVEN]) PINYIN.set(ch, pinyin(ch, { toneType: "none", type: "array" }).join(""));

  const serverUrl = process.env.BENCH_DATABASE_URL;
  const count = Number(process.env.BENCH_RECORDS ?? (serverUrl ? 1_000_000 : 100_000));
  const queryCount = Number(process.env.BENCH_QUERIES ?? 300);
  const bulkCount = Number(process.env.BENCH_BULK ?? 2000);
  const server = serverUrl ? await createServerDatabase(serverUrl) : null;
  const database = await openDatabase(server ? { databaseUrl: server.url, maxConnections: 4 } : {});
  await migrate(database.db);
  const db = database.db as Kysely<Schema>;
  const orgId = randomUUID();
  await db.insertInto("organisations").values({ id: orgId, slug: "bench", name: "Bench" }).execute();
  await sql`CREATE TABLE trgm_names (entity_id uuid NOT NULL, name text NOT NULL)`.execute(db);

  const started = performance.now();
  const sample: { person: Person; name: string; script: string }[] = [];
  const BATCH = 2000;
  const json = (rows: unknown[]) => JSON.stringify(rows);
  for (let done = 0; done < count; done += BATCH) {
    const n = Math.min(BATCH, count - done);
    const entities: { id: string; org_id: string; schema: string }[] = [];
    const statements: { id: string; org_id: string; entity_id: string; property: string; value: string; sensitivity: string; revision: number }[] = [];
    const keys: { org_id: string; entity_id: string; key: string; decade: number }[] = [];
    const features: { entity_id: string; org_id: string; engine: string; guarded: boolean; features: unknown }[] = [];
    const trgm: { entity_id: string; name: string }[] = [];
    for (let i = 0; i < n; i++) {
      const person = generatePerson();
      const { name, script } = writeName(person);
      const id = randomUUID();
      entities.push({ id, org_id: orgId, schema: "Person" });
      const own = [{ property: "name", value: name, sensitivity: "internal" }];
      if (person.birthDate) own.push({ property: "birthDate", value: person.birthDate, sensitivity: "internal" });
      for (const s of own) statements.push({ id: randomUUID(), org_id: orgId, entity_id: id, ...s, revision: 1 });
      const entries = indexEntries("Person", own);
      for (const k of entries.keys) keys.push({ org_id: orgId, entity_id: id, ...k });
      if (entries.features) features.push({ entity_id: id, org_id: orgId, engine: ENGINE_VERSION, guarded: entries.features.guarded, features: entries.features.prepared });
      trgm.push({ entity_id: id, name });
      if (sample.length < 5000 && random() < 0.02) sample.push({ person, name, script });
    }
    await sql`INSERT INTO entities (id, org_id, schema) SELECT id, org_id, schema FROM json_populate_recordset(null::entities, ${json(entities)}::json)`.execute(db);
    await sql`INSERT INTO statements (id, org_id, entity_id, property, value, sensitivity, revision) SELECT id, org_id, entity_id, property, value, sensitivity, revision FROM json_populate_recordset(null::statements, ${json(statements)}::json)`.execute(db);
    await sql`INSERT INTO name_keys (org_id, entity_id, key, decade) SELECT org_id, entity_id, key, decade FROM json_populate_recordset(null::name_keys, ${json(keys)}::json)`.execute(db);
    await sql`INSERT INTO name_features SELECT * FROM json_populate_recordset(null::name_features, ${json(features)}::json)`.execute(db);
    await sql`INSERT INTO trgm_names SELECT * FROM json_populate_recordset(null::trgm_names, ${json(trgm)}::json)`.execute(db);
    if ((done + n) % 100_000 === 0) console.error(`loaded ${(done + n).toLocaleString("en")} in ${((performance.now() - started) / 1000).toFixed(0)} s`);
  }
  await sql`CREATE INDEX trgm_names_gin ON trgm_names USING gin (name gin_trgm_ops)`.execute(db);
  // As autovacuum leaves a table in use: statistics, and the visibility map that index-only scans read.
  await sql`VACUUM ANALYZE`.execute(db);
  const loadSeconds = (performance.now() - started) / 1000;
  console.error(`loaded and indexed in ${loadSeconds.toFixed(0)} s; timing single queries…`);

  const services = { db, dbKind: database.kind, now: () => new Date(), appKey: Buffer.alloc(32), log: pino({ level: "silent" }) } as unknown as Services;
  const actor = { userId: randomUUID(), orgId, role: "admin" as const, scopes: null };
  const origin = { requestId: null, ip: null, userAgent: "bench" };

  // Queries: half are stored people respelled in another script (half of those with their birth
  // date, as a screening list gives it), half are new people from the same population.
  const queries = Array.from({ length: queryCount }, (_, i) => {
    if (i % 2 === 0) {
      const s = sample[(i * 7) % sample.length]!;
      return { name: writeName(s.person, s.script).name, birthDate: i % 4 === 0 ? s.person.birthDate : null };
    }
    const p = generatePerson();
    return { name: writeName(p).name, birthDate: random() < 0.5 ? p.birthDate : null };
  });
  const warmUp = 20;
  const ours: number[] = [];
  const trgmTimes: number[] = [];
  let found = 0;
  for (const [i, q] of queries.entries()) {
    const properties: Record<string, string[]> = { name: [q.name], ...(q.birthDate ? { birthDate: [q.birthDate] } : {}) };
    let t = performance.now();
    const answer = await matchQueries(services, origin, actor, "default", { limit: "5" }, async () => ({ queries: { q: { schema: "Person", properties } } }));
    if (i >= warmUp) ours.push(performance.now() - t);
    if (i % 2 === 0 && answer.queries.q!.matches.results.some((r) => r.result.match)) found++;
    t = performance.now();
    await sql`SELECT entity_id, similarity(name, ${q.name}) AS s FROM trgm_names WHERE name % ${q.name} ORDER BY s DESC LIMIT 5`.execute(db);
    if (i >= warmUp) trgmTimes.push(performance.now() - t);
  }
  ours.sort((a, b) => a - b);
  trgmTimes.sort((a, b) => a - b);

  console.error("counting candidates…");
  // Candidates scored per query (what the budget bounds).
  const provider = sqlCandidates(db);
  const candidateCounts: number[] = [];
  let truncated = 0;
  for (const q of queries) {
    const batch = await provider.candidates(actor, { orgId, listId: null }, [{ keys: blockingKeys([q.name]), decades: q.birthDate ? birthDecades([q.birthDate]) : null }], candidateBudget(5));
    candidateCounts.push(batch.perQuery[0]!.ids.length);
    if (batch.perQuery[0]!.truncated) truncated++;
  }
  candidateCounts.sort((a, b) => a - b);

  console.error("bulk screening…");
  // Bulk: a CSV of names, half with birth dates, as `vigil screen` reads it.
  const rows = Array.from({ length: bulkCount }, (_, i) => {
    const p = i % 2 === 0 ? sample[(i * 13) % sample.length]!.person : generatePerson();
    const { name } = writeName(p);
    return `"${name.replace(/"/g, '""')}",${i % 4 < 2 && p.birthDate ? p.birthDate : ""}`;
  });
  const csv = ["name,birthDate", ...rows].join("\n");
  let t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const db0 = await serverCpuSeconds(db, database.kind);
  const report = await screenCsv(services, origin, actor, csv);
  const bulkSeconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const bulkCpu = (cpu.user + cpu.system) / 1e6 + ((await serverCpuSeconds(db, database.kind)) - db0);
  const bulkRate = report.rows.length / bulkSeconds;
  // The baseline, one pg_trgm query per row (the same names), for a quarter of them.
  const trgmRows = rows.slice(0, Math.ceil(bulkCount / 4)).map((r) => JSON.parse(`[${r.replace(/,([^,]*)$/, ',"$1"')}]`)[0] as string);
  t0 = performance.now();
  for (const name of trgmRows) await sql`SELECT entity_id, similarity(name, ${name}) AS s FROM trgm_names WHERE name % ${name} ORDER BY s DESC LIMIT 3`.execute(db);
  const trgmRate = trgmRows.length / ((performance.now() - t0) / 1000);

  const ms = (x: number) => x.toFixed(1);
  console.log(`database ${database.kind}, ${count.toLocaleString("en")} generated people, loaded in ${loadSeconds.toFixed(0)} s; ${queries.length - warmUp} timed queries after ${warmUp} warm-up; candidate budget ${candidateBudget(5)} per query (limit 5; bulk: ${candidateBudget(3)})`);
  console.log("| measure | Vigil names index | pg_trgm (GIN, similarity > 0.3) | ratio (pg_trgm / Vigil) |");
  console.log("| --- | ---: | ---: | ---: |");
  console.log(`| single query p50 (ms) | ${ms(percentile(ours, 50))} | ${ms(percentile(trgmTimes, 50))} | ${(percentile(trgmTimes, 50) / percentile(ours, 50)).toFixed(1)} |`);
  console.log(`| single query p95 (ms) | ${ms(percentile(ours, 95))} | ${ms(percentile(trgmTimes, 95))} | ${(percentile(trgmTimes, 95) / percentile(ours, 95)).toFixed(1)} |`);
  console.log(`| bulk screening (names/s) | ${bulkRate.toFixed(0)} | ${trgmRate.toFixed(0)} | ${(trgmRate / bulkRate).toFixed(2)} |`);
  console.log(`candidates scored per query: median ${percentile(candidateCounts, 50)}, p95 ${percentile(candidateCounts, 95)}, max ${candidateCounts.at(-1)}; ${truncated} of ${queries.length} queries read part of an over-budget block`);
  console.log(`bulk screening CPU: ${bulkCpu.toFixed(1)} s (this process${database.kind === "postgres" ? " and the PostgreSQL backends" : ", PGlite's worker included"}) for ${bulkSeconds.toFixed(1)} s of wall time, i.e. ${(report.rows.length / bulkCpu).toFixed(0)} names per CPU-second`);
  console.log(`respelled stored people found as a match: ${found} of ${Math.ceil(queries.length / 2)}; bulk: ${report.rows.length} rows in ${bulkSeconds.toFixed(1)} s, ${report.rows.filter((r) => r.matches.some((m) => m.result.match)).length} with a match`);
  await database.close();
  await server?.drop();
}

await main();
