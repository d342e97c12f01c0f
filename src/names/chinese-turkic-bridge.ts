// The bridge from Chinese-character renderings of Uyghur and Kazakh names back to a Turkic Latin form.
//
// Chinese officialdom writes Turkic names with a fixed repertoire of characters, standardised in
// DB65/T 2189-2005 "维吾尔人名汉字音译转写规则" (Rules for transliterating Uyghur personal names into
// Chinese characters, Xinjiang Uyghur Autonomous Region local standard) and described for journalists
// by the Uyghur Human Rights Project ("Decolonizing the Discussion of Uyghurs", 2022,
// https://uhrp.org/report/decolonizing-the-discussion-of-uyghurs-recommendations-for-journalists-and-researchers/,
// e.g. Dinigeer Yilamujiang for Dilnigar Ilhamjan). Each Uyghur syllable becomes one character, and a
// consonant closing a syllable gets a character of its own with an added vowel: 提 (ti) for a final
// t, 尔 (er) for r, 木 (mu) for m, 甫 (fu) for p, 斯 (si) for s; 古丽 writes Gül-, 阿不都 Abdu-,
// 江 -jan. We work on pinyin syllables, so the same table serves 热依拉·达吾提 and "Reyila Dawuti".

/**
 * Characters whose dictionary reading differs from their reading in transcriptions, where each has
 * one fixed value: 什 is shi in 喀什 (Kashgar), not shen; 都 is du in 阿不都, not dou.
 */
export const TRANSCRIPTION_CHARACTER_READINGS: Readonly<Record<string, string>> = {
  什: "shi", 都: "du", 乐: "le", 樂: "le", 卡: "ka", 伽: "jia", 柏: "bai", 朴: "pu", 单: "dan", 單: "dan", 和: "he", 长: "chang", 長: "chang",
};

/** Sequences of syllables with a conventional Turkic value, longest first when matched. */
export const SYLLABLE_SEQUENCES: ReadonlyArray<readonly [string, string]> = [
  ["a bu du", "abdu"], // 阿不都 Abdu- (Abdurehim, Abdukerim…)
  ["a bu dou", "abdu"], // 都 read dou by a dictionary
  ["a bu", "ab"], // 阿不 Ab- (阿不来提 Ablet)
  ["gu li", "gul"], // 古丽 / 古力 Gül- (Gülnar, Gülbahar)
  ["re yi la", "rahile"], // 热依拉 Rahile, a standard rendering of the name (DB65/T 2189 name table)
  ["mai mai ti", "memet"], // 买买提 Memet / Mehmet
  ["mu han mo de", "muhemmed"], // 穆罕默德 Muhammad
  ["ai sha", "eysa"], // 艾沙 Eysa / Isa
  ["yi sha", "eysa"],
  ["si ma yi", "ismail"], // 司马义 Ismail
  ["yu su fu", "yusup"], // 玉素甫 Yusup
  ["wei wu er", "uyghur"], // 维吾尔, the Chinese name of the Uyghurs, kept as a surname or pen name
];

/** One syllable's Turkic value at the start of a word, inside it, and closing it. */
interface SyllableRule {
  initial?: string;
  medial?: string;
  final?: string;
}

/** Per-syllable conventions (the rest fall through to general rules below). */
export const SYLLABLE_RULES: Readonly<Record<string, SyllableRule>> = {
  yi: { initial: "i", medial: "i", final: "i" }, // 伊/依 write a vowel i, not a y
  wu: { initial: "u", medial: "wu", final: "u" }, // 吾/乌 at word start write u/ü
  er: { initial: "er", medial: "r", final: "r" }, // 尔 closes a syllable with r
  dou: { medial: "du", final: "du", initial: "du" },
  ti: { final: "t" }, // 提 final t
  te: { final: "t" }, // 特
  di: { final: "d" }, // 迪/地
  de: { final: "d" }, // 德
  mu: { final: "m" }, // 木 final m
  fu: { final: "p" }, // 甫/夫 final p (Yusup)
  pu: { final: "p" }, // 普
  si: { final: "s" }, // 斯
  zi: { final: "z" }, // 孜
  ke: { final: "k" }, // 克
  ge: { final: "g" }, // 格
  he: { medial: "h", final: "h" }, // 合/赫 write h (艾合买提 Ehmet, 土赫提 Tohti)
  le: { final: "l" }, // 勒
  li: { final: "l" }, // 力/丽 final l (艾力 Eli)
  bu: { medial: "b" }, // 不 b before a consonant (阿不来提 Ablet)
  jiang: { final: "jan", medial: "jan" }, // 江 -jan
  xun: { initial: "sun", medial: "sun", final: "sun" }, // 逊 Tursun
  xi: { initial: "shi", medial: "shi", final: "sh" }, // 西/希 sh (阿不都热西提 Abdureshit)
};

// A syllable reduced to its bare consonant also when the next syllable starts with a consonant:
// 伊力哈木 → i-l-ha-m (Ilham), 塔西甫拉提 → ta-shi-p-la-t (Tashpolat).
const CODA_BEFORE_CONSONANT = new Set(["li", "le", "mu", "fu", "pu", "ke", "si", "zi", "te", "ti", "he", "bu"]);

function startsWithVowel(s: string): boolean {
  return /^[aeiouvy]/.test(s) || s === "wu" || s === "er";
}

/** General pinyin → Turkic spelling rules for syllables the tables do not name. */
function generalSyllable(syl: string): string {
  return syl
    .replace(/^zh/, "z") // 扎 Zakir
    .replace(/^q/, "ch")
    .replace(/^x/, "sh")
    .replace(/^(j|ch|sh)iang$/, "$1an")
    .replace(/^(j|ch|sh)ia/, "$1a") // 加 -ja (Hoja)
    .replace(/uo$/, "o") // 多 Dol-, 霍 Ho-
    .replace(/ai$/, "e") // 买 me, 艾 e, 拜 be, 赛 se, 外 we: the usual writing of Uyghur e
    .replace(/ng$/, "n") // 江 jan, 鼎 din, 明 min: Chinese has no final n after these vowels in names
    .replace(/v/g, "u");
}

/** Turkic Latin reading of one word given as pinyin syllables. */
export function bridgeSyllables(syllables: readonly string[]): string {
  const out: string[] = [];
  let i = 0;
  const n = Math.min(syllables.length, 24);
  while (i < n) {
    let matched = false;
    for (const [seq, value] of SYLLABLE_SEQUENCES) {
      const parts = seq.split(" ");
      if (i + parts.length > n) continue;
      if (parts.every((p, k) => syllables[i + k] === p)) {
        out.push(value);
        i += parts.length;
        matched = true;
        break;
      }
    }
    if (matched) continue;
    const syl = syllables[i] ?? "";
    const next = syllables[i + 1];
    const rule = SYLLABLE_RULES[syl];
    const position = i === 0 ? "initial" : next === undefined ? "final" : "medial";
    let value = rule?.[position];
    if (value === undefined && i > 0 && next !== undefined && !startsWithVowel(next) && CODA_BEFORE_CONSONANT.has(syl)) {
      value = syl === "fu" || syl === "pu" ? "p" : syl.replace(/[aeiou]+$/, "");
    }
    out.push(value ?? generalSyllable(syl));
    i += 1;
  }
  return out.join("");
}
