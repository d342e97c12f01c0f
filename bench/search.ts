// Search benchmark: latency (p50/p95) of Vigil's search over generated multi-script records, side by
// side with the same full-text query run as plain SQL without the permission layer, in the same run.
// Run: node --import tsx bench/search.ts                                   (PGlite, 100,000 records)
//      BENCH_DATABASE_URL=postgres://… node --import tsx bench/search.ts   (PostgreSQL, 1,000,000)
// BENCH_RECORDS overrides the count, BENCH_QUERIES the number of queries (default 300);
// BENCH_KEEP=1 keeps the PostgreSQL database it made, to study query plans afterwards.
//
// Records are generated in the database by set-based SQL (people with Uyghur names in Latin and Arabic
// script and Chinese names, incidents with violations, dates and places, sources with testimony text
// in English, Uyghur and Chinese, places, organisations; 5% of incidents restricted, some restricted
// and secret values, some archived), then indexed by Vigil's own code (`reindexNames`,
// `reindexSearch`), whose throughput is reported too.
//
// Three timings per query, in turn:
//   plain   the same tsquery, ranked, capped, counted and faceted, with no organisation, archive or
//           permission condition (what a developer would write against the table);
//   sql     Vigil's query as the service runs it for a researcher who is on some access lists;
//   service the whole search: names engine, that query, the page of records read and snippets made.
import { randomUUID } from "node:crypto";
import { performance } from "node:perf_hooks";
import { sql } from "kysely";
import pino from "pino";
import type { Services } from "../src/context.ts";
import type { Actor } from "../src/core/index.ts";
import { migrate, openDatabase } from "../src/db/index.ts";
import { reindexNames } from "../src/screening/index.ts";
import { reindexSearch, searchRecords, SearchParamsSchema } from "../src/search/index.ts";
import { parseQuery } from "../src/search/query.ts";
import { isCommonQuery, plainQuery, rankedQuery } from "../src/search/search.ts";
import { createServerDatabase } from "./lib/server-database.ts";

const UYGHUR = ["muhemmed", "abdulla", "gulnar", "ehmet", "memet", "abdurehim", "ayshem", "tursun", "rahile", "ilham", "erkin", "gulbahar", "dilnur", "nurmemet", "abdukerim", "patigul", "qurban", "mahire", "yasin", "rozi", "hesen", "nurgul", "adil", "mutellip", "zulpiye", "ablet", "ghopur", "abduweli", "mihrigul", "parhat", "reyhan", "tahir", "sadiq", "alim", "ekber", "zohre", "mirzat", "yalqun", "qeyser", "arzugul", "eysa", "nijat", "tursunay", "rushen", "ekpar", "dilshat", "muyesser", "abdusalam", "gheyret", "kamil", "ablikim", "ruqiye", "memtimin", "nurbiye", "ismayil", "salih", "tohti", "dawut", "imin", "niyaz", "kurban", "hoshur", "sawut", "obul", "eziz", "yunus", "mamut", "toxti", "rozaxun", "qadir"];
const HAN_SURNAMES = Array.from("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁");
const HAN_GIVEN = Array.from("伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂建华国全海仑君正龙春贤兴瑞永康克志乐际");
const UEY: [string, string][] = [["ch", "چ"], ["gh", "غ"], ["sh", "ش"], ["a", "ا"], ["e", "ە"], ["b", "ب"], ["p", "پ"], ["t", "ت"], ["j", "ج"], ["x", "خ"], ["d", "د"], ["r", "ر"], ["z", "ز"], ["s", "س"], ["q", "ق"], ["k", "ك"], ["g", "گ"], ["l", "ل"], ["m", "م"], ["n", "ن"], ["h", "ھ"], ["o", "و"], ["u", "ۇ"], ["w", "ۋ"], ["i", "ى"], ["y", "ي"]];
const toUey = (w: string) => (/^[aeiou]/.test(w) ? "ئ" : "") + w.replace(/ch|gh|sh|./g, (c) => UEY.find(([f]) => f === c)?.[1] ?? c);
const PLACES = ["Aksu", "Kashgar", "Hotan", "Ghulja", "Urumqi", "Turpan", "Korla", "Karamay", "Altay", "Yarkand", "Kucha", "Atush", "Bortala", "Chochek", "Hami", "Keriye", "Peyzawat", "Maralbeshi", "Shayar", "Toksu"];
const PLACES_ZH = ["阿克苏", "喀什", "和田", "伊宁", "乌鲁木齐", "吐鲁番", "库尔勒", "克拉玛依", "阿勒泰", "莎车", "库车", "阿图什", "博尔塔拉", "塔城", "哈密", "于田", "伽师", "巴楚", "沙雅", "新和"];
const KINDS = ["detention centre", "prison", "police station", "village", "vocational training centre", "county", "township", "labour camp"];
const VIOLATIONS = ["arbitrary-detention", "arbitrary-arrest", "enforced-disappearance", "torture", "forced-labour", "family-separation", "surveillance", "religious-persecution", "ill-treatment", "death-in-custody", "forced-sterilisation", "transnational-repression", "destruction-of-sites", "killing", "sexual-violence"];
// Testimony vocabulary, commonest first (drawn log-uniformly, so the head is very frequent).
const ENGLISH = (
  "the and was to of in he my they a her his we were at for taken police me camp from on by not with no after "
  + "family brother father mother sister son daughter husband wife night house door officers station detained arrested "
  + "months years told asked questioned interrogation cell room guards prayer mosque phone relatives abroad visit letter "
  + "released sentence court trial charges separatism extremism religious books beard headscarf passport returned school "
  + "teacher doctor farmer student shop business village neighbours committee cadres study class political songs language "
  + "beaten chair tiger hood electric shocks sleep food water hungry sick hospital injection medicine pills forced work factory "
  + "cotton textile transferred bus train province contract wages dormitory fence cameras checkpoint identity card scanned "
  + "disappeared missing silence heard rumours funeral body returned ashes grave demolished cemetery shrine destroyed "
  + "sterilised fine birth children orphanage boarding kindergarten grandmother grandfather uncle aunt cousin nephew niece "
  + "witness statement document photograph video record archive testimony interview translator lawyer embassy consulate"
).split(" ");
// Rare words: names of streets, people, objects — one-off vocabulary, each in few records.
const RARE = Array.from({ length: 6000 }, (_, i) => {
  const syl = ["ka", "ri", "mo", "tel", "sun", "var", "dor", "lin", "qa", "zu", "bek", "han", "tur", "gul", "ner", "pa", "shi", "yo", "lam", "der"];
  return syl[i % 20]! + syl[Math.floor(i / 20) % 20]! + syl[Math.floor(i / 400) % 20]! + (i >= 8000 ? "" : "");
});
const UYGHUR_WORDS = "تۇتۇلدى لاگېر ساقچى ئائىلە قاماق سوراق قىيناش يوقاپ كەتتى ئاكام دادام ئانام ئايالىم ئوغلۇم قىزىم مەسچىت نامازنى ئۆيگە كېچىدە تۈرمىگە كېسىلدى يىل ئاي كۈن مەكتەپ ئوقۇتقۇچى دېھقان سودىگەر پاسپورت چەتئەلگە تېلېفون ئۇچۇر يوق ئەمگەك زاۋۇت پاختا كامېرا تەكشۈرۈش گۇۋاھچى ھۆججەت"
  .split(" ");
const CHINESE = ["被关押在再教育营", "警察在夜里把他带走", "家属至今没有消息", "被判处有期徒刑十年", "在看守所遭到审讯", "被强迫在工厂劳动", "职业技能教育培训中心", "他的护照被没收", "清真寺被拆除", "被送往内地工厂", "孩子被送到寄宿学校", "她被强制绝育"];

let seed = 20251125;
function random(): number {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const logUniform = <T>(items: readonly T[]) => items[Math.min(items.length - 1, Math.floor(Math.exp(random() * Math.log(items.length + 1))) - 1)]!;
const uniform = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)]!;

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/** One chunk of records, made in the database: entities, then their statements by kind. */
async function generate(db: Services["db"], orgId: string, from: number, to: number): Promise<void> {
  // SQL fragments: a log-uniform pick (the head of the list is common), a uniform pick, and a run of
  // log-uniform words (correlated with the row, so that it is drawn again for each record).
  const pick = (array: string) => `${array}[floor(exp(random() * ln(cardinality(${array}) + 1)))::int]`;
  const any = (array: string) => `${array}[1 + floor(random() * cardinality(${array}))::int]`;
  const words = (array: string, count: string) => `(SELECT string_agg(${pick(array)}, ' ') FROM generate_series(1, ${count}) k WHERE k > 0 * g)`;
  const id = sql.raw("md5('e' || g)::uuid");
  await sql`
    INSERT INTO entities (id, org_id, schema, restricted, archived_at, archive_reason)
    SELECT ${id}, ${orgId},
      CASE WHEN g % 20 < 8 THEN 'Person' WHEN g % 20 < 14 THEN 'Incident' WHEN g % 20 < 17 THEN 'Source' WHEN g % 20 < 19 THEN 'Address' ELSE 'Organization' END,
      g % 20 BETWEEN 8 AND 13 AND g % 19 = 0,
      CASE WHEN g % 53 = 0 THEN now() END, CASE WHEN g % 53 = 0 THEN 'generated' END
    FROM generate_series(${from}::int, ${to - 1}::int) g`.execute(db);
  const statement = (where: string, property: string, value: string, extra: { lang?: string; sensitivity?: string; dates?: boolean; ref?: string } = {}) =>
    sql`
      INSERT INTO statements (id, org_id, entity_id, property, value, value_sealed, lang, sensitivity, revision, date_earliest, date_latest, ref_id)
      SELECT gen_random_uuid(), ${orgId}, ${id}, ${property},
             ${sql.raw(extra.sensitivity === "secret" ? "NULL, convert_to(v.value, 'UTF8')" : "v.value, NULL")},
             ${extra.lang ?? null}, ${extra.sensitivity ?? "internal"}, 1,
             ${sql.raw(extra.dates ? "v.value || '-01-01'" : "NULL")}, ${sql.raw(extra.dates ? "v.value || '-12-31'" : "NULL")}, ${sql.raw(extra.ref ? "v.value::uuid" : "NULL")}
      FROM generate_series(${from}::int, ${to - 1}::int) g CROSS JOIN LATERAL (SELECT ${sql.raw(value)} AS value WHERE ${sql.raw(where)}) v`.execute(db);
  const uy = `(ARRAY[${UYGHUR.map((w) => `'${w}'`).join(",")}])`;
  const uyAr = `(ARRAY[${UYGHUR.map((w) => `'${toUey(w)}'`).join(",")}])`;
  const hanS = `(ARRAY[${HAN_SURNAMES.map((w) => `'${w}'`).join(",")}])`;
  const hanG = `(ARRAY[${HAN_GIVEN.map((w) => `'${w}'`).join(",")}])`;
  const en = `(ARRAY[${ENGLISH.map((w) => `'${w}'`).join(",")}])`;
  const rare = `(ARRAY[${RARE.map((w) => `'${w}'`).join(",")}])`;
  const uyw = `(ARRAY[${UYGHUR_WORDS.map((w) => `'${w}'`).join(",")}])`;
  const zh = `(ARRAY[${CHINESE.map((w) => `'${w}'`).join(",")}])`;
  const places = `(ARRAY[${PLACES.map((w) => `'${w}'`).join(",")}])`;
  const placesZh = `(ARRAY[${PLACES_ZH.map((w) => `'${w}'`).join(",")}])`;
  const kinds = `(ARRAY[${KINDS.map((w) => `'${w}'`).join(",")}])`;
  const violations = `(ARRAY[${VIOLATIONS.map((w) => `'${w}'`).join(",")}])`;
  const person = "g % 20 < 8";
  // People: Uyghur names in Latin (45%) or Arabic script (25%), Chinese names (30%); some aliases, birth dates, notes.
  await statement(person, "name", `CASE WHEN g % 20 < 3 OR g % 7 = 0 THEN initcap(${pick(uy)}) || ' ' || initcap(${pick(uy)}) WHEN g % 20 < 5 THEN ${pick(uyAr)} || ' ' || ${pick(uyAr)} ELSE ${pick(hanS)} || ${pick(hanG)} || CASE WHEN g % 3 = 0 THEN '' ELSE ${pick(hanG)} END END`);
  await statement(`${person} AND g % 10 < 3`, "alias", `initcap(${pick(uy)}) || ' ' || initcap(${pick(uy)})`);
  await statement(`${person} AND g % 2 = 0`, "birthDate", `(1940 + floor(random() * 65))::int::text`, { dates: true });
  await statement(`${person} AND g % 2 = 1`, "description", `initcap(${any(kinds)}) || ' ' || ${words(en, "8 + g % 10")} || ' ' || ${pick(rare)}`);
  await statement(`${person} AND g % 41 = 0`, "notes", `'contact through ' || ${pick(rare)}`, { sensitivity: "secret" });
  // Incidents: a violation at a place and a date, a short account; some restricted values.
  const incident = "g % 20 BETWEEN 8 AND 13";
  await statement(incident, "name", `initcap(replace(${pick(violations)}, '-', ' ')) || ' at ' || ${any(places)} || ' ' || ${any(kinds)}`);
  await statement(incident, "violation", pick(violations));
  await statement(`${incident} AND g % 17 = 0`, "violation", pick(violations), { sensitivity: "restricted" });
  await statement(incident, "startDate", `(2014 + floor(random() * 10))::int::text`, { dates: true });
  await statement(incident, "place", `md5('e' || (${from + 16} + 20 * floor(random() * ${Math.floor((to - from - 17) / 20)}))::int)::text`, { ref: "place" });
  await statement(incident, "description", `${words(en, "15 + g % 20")} || ' ' || ${pick(rare)} || ' ' || ${pick(rare)}`);
  await statement(`${incident} AND g % 13 = 0`, "notes", `${words(en, "10")} || ' ' || ${pick(rare)}`, { sensitivity: "restricted" });
  // Sources: testimonies in English, many with Uyghur passages, some with Chinese.
  const source = "g % 20 BETWEEN 14 AND 16";
  await statement(source, "name", `'Testimony T-' || g`);
  await statement(source, "sourceType", "'testimony'");
  await statement(source, "bodyText", `${words(en, "60 + g % 60")} || ' ' || ${words(rare, "6")}
    || CASE WHEN g % 10 < 3 THEN ' ' || ${words(uyw, "10 + g % 10")} ELSE '' END
    || CASE WHEN g % 5 = 0 THEN ' ' || ${any(zh)} || '，' || ${any(zh)} || '。' ELSE '' END`);
  // Places and organisations.
  const place = "g % 20 BETWEEN 17 AND 18";
  await statement(place, "name", `${any(places)} || ' ' || ${any(kinds)} || ' No. ' || (g / 20)`);
  await statement(`${place} AND g % 2 = 0`, "alias", `${any(placesZh)} || '第' || (g / 20) || '号'`, { lang: "zh" });
  const org = "g % 20 = 19";
  await statement(org, "name", `${any(places)} || ' Public Security Bureau ' || (g / 20)`);
  await statement(`${org} AND g % 2 = 1`, "alias", `${any(placesZh)} || '公安局' || (g / 20)`, { lang: "zh" });
}

async function main() {
  const serverUrl = process.env.BENCH_DATABASE_URL;
  const count = Number(process.env.BENCH_RECORDS ?? (serverUrl ? 1_000_000 : 100_000));
  const queryCount = Number(process.env.BENCH_QUERIES ?? 300);
  const server = serverUrl ? await createServerDatabase(serverUrl) : null;
  const database = await openDatabase(server ? { databaseUrl: server.url, maxConnections: 4 } : {});
  try {
    await migrate(database.db);
    const db = database.db;
    const services = { db, dbKind: database.kind, now: () => new Date(), appKey: Buffer.alloc(32), log: pino({ level: "silent" }) } as unknown as Services;
    const orgId = randomUUID();
    const userId = randomUUID();
    await db.insertInto("organisations").values({ id: orgId, slug: "bench", name: "Bench" }).execute();
    await db.insertInto("users").values({ id: userId, email: "researcher@bench.example", name: "Researcher", password_hash: "-", pseudonym: "bench-researcher" }).execute();

    let t = performance.now();
    for (let from = 1; from <= count; from += 50_000) await generate(db, orgId, from, Math.min(count + 1, from + 50_000));
    // The researcher is on the access list of a third of the restricted records.
    await sql`INSERT INTO entity_access (entity_id, user_id) SELECT id, ${userId} FROM entities WHERE restricted AND get_byte(decode(replace(id::text, '-', ''), 'hex'), 0) % 3 = 0`.execute(db);
    await sql`ANALYZE`.execute(db);
    const generated = (performance.now() - t) / 1000;
    const statements = Number((await sql<{ n: string }>`SELECT count(*) AS n FROM statements`.execute(db)).rows[0]!.n);

    t = performance.now();
    await reindexNames(services, orgId);
    const namesSeconds = (performance.now() - t) / 1000;
    t = performance.now();
    await reindexSearch(services, orgId, { batch: 1000 });
    const searchSeconds = (performance.now() - t) / 1000;
    // What autovacuum does shortly after a bulk load on a server: statistics, and GIN pending lists merged.
    await sql`VACUUM ANALYZE`.execute(db);

    // Queries as people type them: names (as stored, reordered, in another script), rare and common
    // words, two words, a phrase, Uyghur and Chinese words, a prefix, and words with filters.
    const sample = (await sql<{ value: string }>`SELECT value FROM statements WHERE property = 'name' AND entity_id IN (SELECT id FROM entities WHERE schema = 'Person') ORDER BY id LIMIT 400`.execute(db)).rows.map((r) => r.value);
    const queries: { q: string; kind: string; params?: Record<string, string> }[] = [];
    for (let i = 0; queries.length < queryCount; i++) {
      const kind = i % 12;
      const name = sample[i % sample.length]!;
      if (kind === 0) queries.push({ kind: "name as stored", q: name });
      else if (kind === 1) queries.push({ kind: "name, other order or script", q: /^[a-z]/i.test(name) ? name.split(" ").reverse().map((w) => toUey(w.toLowerCase())).join(" ") : name.split(" ").reverse().join(" ") });
      else if (kind === 2) queries.push({ kind: "rare word", q: uniform(RARE) });
      else if (kind === 3) queries.push({ kind: "two words", q: `${logUniform(ENGLISH.slice(20))} ${logUniform(ENGLISH.slice(40))}` });
      else if (kind === 4) queries.push({ kind: "common word", q: logUniform(ENGLISH.slice(10, 80)) });
      else if (kind === 5) queries.push({ kind: "phrase", q: `"${uniform(["taken at night", "police station", "forced work", "identity card", "sentence court", "religious books"])}"` });
      else if (kind === 6) queries.push({ kind: "Uyghur word", q: uniform(UYGHUR_WORDS) });
      else if (kind === 7) queries.push({ kind: "Chinese word", q: uniform(["再教育营", "看守所", "审讯", "强迫", "寄宿学校", "清真寺", "护照", "家属"]) });
      else if (kind === 8) queries.push({ kind: "place", q: `${uniform(PLACES)} ${uniform(KINDS.slice(0, 3))}` });
      else if (kind === 9) queries.push({ kind: "prefix", q: `${uniform(RARE).slice(0, 5)}*` });
      else if (kind === 10) queries.push({ kind: "word + filters", q: logUniform(ENGLISH.slice(20)), params: { schema: "Incident", violation: uniform(VIOLATIONS) } });
      else queries.push({ kind: "place + year", q: uniform(PLACES), params: { year: String(2014 + Math.floor(random() * 10)) } });
    }

    const actor: Actor = { userId, orgId, role: "researcher", scopes: null };
    const origin = { requestId: null, ip: null, userAgent: "bench" };
    const times = { plain: [] as number[], sql: [] as number[], service: [] as number[] };
    const byKind = new Map<string, number[]>();
    let totalHits = 0;
    for (const [i, query] of queries.entries()) {
      const raw = { q: query.q, ...query.params };
      const params = SearchParamsSchema.parse(raw);
      const parsed = parseQuery(query.q);
      if (!parsed.ok) throw new Error(`the generated query ${query.q} was refused: ${parsed.problem}`);
      const run = async (what: keyof typeof times) => {
        const start = performance.now();
        // Both queries take the same scan the service would choose for this query.
        if (what === "plain") await plainQuery(parsed.query, params, await isCommonQuery(services, parsed.query, params)).execute(db);
        else if (what === "sql") await rankedQuery(actor, parsed.query, params, { sequential: await isCommonQuery(services, parsed.query, params) }).execute(db);
        else totalHits += (await searchRecords(services, origin, actor, raw)).hits.length;
        const ms = performance.now() - start;
        if (i >= 10) times[what].push(ms);
        return ms;
      };
      // Vary the order so that neither side always reads a cache the other warmed.
      const order: (keyof typeof times)[] = i % 2 === 0 ? ["plain", "sql", "service"] : ["service", "sql", "plain"];
      for (const what of order) {
        const ms = await run(what);
        if (what === "service" && i >= 10) (byKind.get(query.kind) ?? byKind.set(query.kind, []).get(query.kind)!).push(ms);
      }
    }
    for (const list of [...Object.values(times), ...byKind.values()]) list.sort((a, b) => a - b);

    const fmt = (ms: number) => ms.toFixed(1);
    const p = (list: number[], q: number) => percentile(list, q);
    console.log(`database ${database.kind}, ${count.toLocaleString("en")} records, ${statements.toLocaleString("en")} statements generated in ${generated.toFixed(0)} s`);
    console.log(`indexing: names ${namesSeconds.toFixed(0)} s (${Math.round(count / namesSeconds).toLocaleString("en")} records/s), search documents ${searchSeconds.toFixed(0)} s (${Math.round(count / searchSeconds).toLocaleString("en")} records/s)`);
    console.log(`${times.service.length} queries measured (after 10 warm-up), ${totalHits} results shown in all`);
    console.log("");
    console.log("| measure | p50 (ms) | p95 (ms) | ratio to plain p50 | ratio to plain p95 |");
    console.log("| --- | ---: | ---: | ---: | ---: |");
    console.log(`| plain SQL, no permission layer | ${fmt(p(times.plain, 50))} | ${fmt(p(times.plain, 95))} | 1.00 | 1.00 |`);
    console.log(`| Vigil's query (permission in SQL) | ${fmt(p(times.sql, 50))} | ${fmt(p(times.sql, 95))} | ${(p(times.sql, 50) / p(times.plain, 50)).toFixed(2)} | ${(p(times.sql, 95) / p(times.plain, 95)).toFixed(2)} |`);
    console.log(`| Vigil search service (names engine + query + page + snippets) | ${fmt(p(times.service, 50))} | ${fmt(p(times.service, 95))} | ${(p(times.service, 50) / p(times.plain, 50)).toFixed(2)} | ${(p(times.service, 95) / p(times.plain, 95)).toFixed(2)} |`);
    console.log("");
    console.log("| query kind (service) | n | p50 (ms) | p95 (ms) |");
    console.log("| --- | ---: | ---: | ---: |");
    for (const [kind, list] of byKind) console.log(`| ${kind} | ${list.length} | ${fmt(p(list, 50))} | ${fmt(p(list, 95))} |`);
  } finally {
    await database.close();
    if (process.env.BENCH_KEEP === "1" && server) console.log(`kept ${server.url}`);
    else await server?.drop();
  }
}

await main();
