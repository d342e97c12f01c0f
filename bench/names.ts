// Names engine benchmark: matcher and blocking-key throughput, candidate-set sizes at 100,000 and
// 1,000,000 generated entities, and a Jaro–Winkler baseline in the same run.
// Run: node --import tsx bench/names.ts
//
// Entities are combinations of real name *parts* (common Uyghur and Kazakh given names, which also
// serve as patronymic surnames; common Han surnames and given-name characters), drawn with a Zipf
// distribution so that the commonest names (Muhammad, Abdulla, Gulnar; 王, 李, 张) are as frequent as
// they are in life. They are written in the scripts our sources use: ULY or English Latin, Uyghur
// Arabic script, Cyrillic, Chinese characters, pinyin.
import anyAscii from "any-ascii";
import { blockingKeys, jaroWinkler, matchNames, planCandidateKeys, prepareEntity, type EntityNames } from "../src/names/index.ts";

const UYGHUR_GIVEN = [
  "muhemmed", "abdulla", "gulnar", "ehmet", "memet", "abdurehim", "ayshem", "tursun", "rahile", "ilham", "erkin", "gulbahar",
  "dilnur", "nurmemet", "abdukerim", "patigul", "qurban", "mahire", "yasin", "rozi", "hesen", "hüseyin", "nurgul", "adil",
  "mutellip", "zulpiye", "ablet", "ghopur", "abduweli", "mihrigul", "parhat", "reyhan", "tahir", "sadiq", "alim", "ekber",
  "zohre", "mirzat", "yalqun", "qeyser", "shöhret", "arzugul", "eysa", "yüsüp", "nijat", "buzeynep", "tursunay", "rushen",
  "ekpar", "dilshat", "muyesser", "abdusalam", "gheyret", "kamil", "ablikim", "ruqiye", "memtimin", "nurbiye", "ismayil", "salih",
];
const KAZAKH_GIVEN = ["nurlan", "serik", "asqar", "gulnara", "aigul", "erlan", "dauren", "sayragul", "bolat", "zhanar", "qairat", "ainur"];
const HAN_SURNAMES = Array.from("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁");
const HAN_GIVEN = Array.from("伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英建华国全海仑君正龙春贤兴瑞永康克志乐际");

// Reverse ULY → Uyghur Arabic script and → Uyghur Cyrillic, only to write generated names in those
// scripts (digraphs first). Word-initial vowels take the hamza carrier ئ.
const ULY_TO_UEY: [string, string][] = [
  ["ch", "چ"], ["gh", "غ"], ["ng", "ڭ"], ["sh", "ش"], ["zh", "ژ"], ["a", "ا"], ["e", "ە"], ["b", "ب"], ["p", "پ"], ["t", "ت"],
  ["j", "ج"], ["x", "خ"], ["d", "د"], ["r", "ر"], ["z", "ز"], ["s", "س"], ["f", "ف"], ["q", "ق"], ["k", "ك"], ["g", "گ"],
  ["l", "ل"], ["m", "م"], ["n", "ن"], ["h", "ھ"], ["o", "و"], ["u", "ۇ"], ["ö", "ۆ"], ["ü", "ۈ"], ["w", "ۋ"], ["ë", "ې"],
  ["i", "ى"], ["y", "ي"],
];
const ULY_TO_CYR: [string, string][] = [
  ["ch", "ч"], ["gh", "ғ"], ["ng", "ң"], ["sh", "ш"], ["zh", "ж"], ["a", "а"], ["e", "ә"], ["b", "б"], ["p", "п"], ["t", "т"],
  ["j", "җ"], ["x", "х"], ["d", "д"], ["r", "р"], ["z", "з"], ["s", "с"], ["f", "ф"], ["q", "қ"], ["k", "к"], ["g", "г"],
  ["l", "л"], ["m", "м"], ["n", "н"], ["h", "һ"], ["o", "о"], ["u", "у"], ["ö", "ө"], ["ü", "ү"], ["w", "в"], ["ë", "е"],
  ["i", "и"], ["y", "й"],
];

function rewrite(word: string, table: [string, string][]): string {
  let out = "";
  for (let i = 0; i < word.length; ) {
    const hit = table.find(([from]) => word.startsWith(from, i));
    out += hit ? hit[1] : word[i];
    i += hit ? hit[0].length : 1;
  }
  return out;
}
const toUey = (w: string) => (/^[aeiouöüë]/.test(w) ? "ئ" : "") + rewrite(w, ULY_TO_UEY);
const toCyr = (w: string) => rewrite(w, ULY_TO_CYR).replace(/^./, (c) => c.toUpperCase());
const capital = (w: string) => w.charAt(0).toUpperCase() + w.slice(1);
const english = (w: string) => capital(w.replace(/x/g, "kh").replace(/q/g, "k").replace(/ö/g, "o").replace(/ü/g, "u").replace(/ë/g, "e"));

// Deterministic PRNG (mulberry32) so runs are comparable.
function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const random = rng(20240601);
function zipf<T>(items: readonly T[]): () => T {
  const weights = items.map((_, i) => 1 / (i + 1));
  const total = weights.reduce((a, b) => a + b, 0);
  const cumulative: number[] = [];
  let acc = 0;
  for (const w of weights) cumulative.push((acc += w / total));
  return () => {
    const r = random();
    let lo = 0;
    let hi = cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((cumulative[mid] ?? 1) < r) lo = mid + 1;
      else hi = mid;
    }
    return items[lo] as T;
  };
}
const uyghur = zipf(UYGHUR_GIVEN);
const kazakh = zipf(KAZAKH_GIVEN);
const hanSurname = zipf(HAN_SURNAMES);
const hanGiven = zipf(HAN_GIVEN);

function generateName(): string {
  const r = random();
  if (r < 0.65) {
    const given = uyghur();
    const father = uyghur();
    const script = random();
    if (script < 0.35) return `${english(given)} ${english(father)}`;
    if (script < 0.55) return `${capital(given)} ${capital(father)}`;
    if (script < 0.8) return `${toUey(given)} ${toUey(father)}`;
    return `${toCyr(given)} ${toCyr(father)}`;
  }
  if (r < 0.75) return `${capital(kazakh())} ${capital(uyghur())}`;
  const han = hanSurname() + hanGiven() + (random() < 0.7 ? hanGiven() : "");
  return han;
}

const keyCache = new Map<string, string[]>();
function keysOf(name: string): string[] {
  let keys = keyCache.get(name);
  if (!keys) {
    keys = blockingKeys([name]);
    keyCache.set(name, keys);
  }
  return keys;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))] ?? 0;
}

function main(): void {
  const sample = Array.from({ length: 2000 }, generateName);
  const entities: EntityNames[] = sample.map((n) => ({ schema: "Person", names: [n] }));

  // Matcher throughput, raw entities (normalising both sides each time) and prepared query.
  const pairsN = 20_000;
  let t = performance.now();
  for (let i = 0; i < pairsN; i++) matchNames(entities[i % 2000] as EntityNames, entities[(i * 7 + 13) % 2000] as EntityNames);
  const rawRate = pairsN / ((performance.now() - t) / 1000);
  const prepared = entities.map(prepareEntity);
  t = performance.now();
  for (let i = 0; i < pairsN; i++) matchNames(prepared[i % 2000]!, prepared[(i * 7 + 13) % 2000]!);
  const preparedRate = pairsN / ((performance.now() - t) / 1000);
  const ascii = sample.map((n) => anyAscii(n).toLowerCase());
  t = performance.now();
  let sink = 0;
  for (let i = 0; i < pairsN * 10; i++) sink += jaroWinkler(ascii[i % 2000]!, ascii[(i * 7 + 13) % 2000]!);
  const jwRate = (pairsN * 10) / ((performance.now() - t) / 1000);

  t = performance.now();
  let keyCount = 0;
  for (const n of sample) keyCount += blockingKeys([n]).length;
  const keyRate = sample.length / ((performance.now() - t) / 1000);

  console.log(`matcher: ${Math.round(rawRate)} pairs/s (normalising both sides), ${Math.round(preparedRate)} pairs/s (prepared entities)`);
  console.log(`jaro-winkler(any-ascii) baseline: ${Math.round(jwRate)} pairs/s — matcher/baseline = 1/${Math.round(jwRate / preparedRate)} (prepared)`);
  console.log(`blocking keys: ${Math.round(keyRate)} names/s, ${(keyCount / sample.length).toFixed(1)} keys/name (sink ${sink > 0 ? "ok" : "?"})`);

  for (const size of [100_000, 1_000_000]) {
    const blocks = new Map<string, number>();
    const start = performance.now();
    const queries: string[] = [];
    for (let i = 0; i < size; i++) {
      const name = generateName();
      if (i % (size / 1000) === 0) queries.push(name);
      for (const k of keysOf(name)) blocks.set(k, (blocks.get(k) ?? 0) + 1);
    }
    const buildMs = performance.now() - start;
    const planned: number[] = [];
    const unplanned: number[] = [];
    const bestSingle: number[] = [];
    // Entities whose whole name has the query's phonetic key: a crowd no name-only blocking can split.
    const crowd: number[] = [];
    for (const q of queries) {
      const keys = keysOf(q);
      const sizeOf = (k: string) => blocks.get(k) ?? 0;
      planned.push(planCandidateKeys(keys, (k) => ({ size: sizeOf(k), capped: false }), 500).keys.reduce((a, k) => a + k.limit, 0));
      unplanned.push(keys.reduce((a, k) => a + sizeOf(k), 0));
      bestSingle.push(Math.min(...keys.map(sizeOf)));
      crowd.push(Math.max(0, ...keys.filter((k) => k.startsWith("j:")).map(sizeOf)));
    }
    for (const arr of [planned, unplanned, bestSingle, crowd]) arr.sort((a, b) => a - b);
    console.log(
      `${size.toLocaleString("en")} entities (${keyCache.size} distinct names, ${blocks.size} keys, built in ${(buildMs / 1000).toFixed(1)} s): ` +
        `candidates per query with planned keys (budget 500) median ${percentile(planned, 50)}, p95 ${percentile(planned, 95)}, max ${planned.at(-1)}; ` +
        `rarest key alone median ${percentile(bestSingle, 50)}, p95 ${percentile(bestSingle, 95)}; ` +
        `all keys (upper bound) median ${percentile(unplanned, 50)}, p95 ${percentile(unplanned, 95)}; ` +
        `same-sounding full name (irreducible) median ${percentile(crowd, 50)}, p95 ${percentile(crowd, 95)}`,
    );
  }
}

main();
