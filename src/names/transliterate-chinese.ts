// Chinese characters (simplified and traditional) → Hanyu Pinyin, through pinyin-pro, which reads
// both character forms (陳全國 and 陈全国 give the same syllables). Tones are dropped: Latin-script
// documents almost never carry them.
import { pinyin } from "pinyin-pro";

/** Two-character surnames (复姓) that must not be split as surname + given name. */
const COMPOUND_SURNAMES = new Set([
  "欧阳", "歐陽", "司马", "司馬", "上官", "诸葛", "諸葛", "东方", "東方", "皇甫", "尉迟", "尉遲", "公孙", "公孫",
  "慕容", "令狐", "司徒", "夏侯", "长孙", "長孫", "宇文", "端木", "轩辕", "軒轅", "澹台", "澹臺",
]);

// The commonest single-character Han surnames (Ministry of Public Security ranking, as summarised in
// https://en.wikipedia.org/wiki/List_of_common_Chinese_surnames), in both forms. A short Han name that
// starts with one is read as a Chinese personal name; otherwise it may be a transcribed Turkic name.
const COMMON_SURNAMES = new Set(
  Array.from(
    "王李张張刘劉陈陳杨楊黄黃赵趙吴吳周徐孙孫马馬朱胡郭何高林罗羅郑鄭梁谢謝宋唐许許韩韓冯馮邓鄧曹彭曾肖蕭田董袁潘于" +
      "蒋蔣蔡余杜叶葉程苏蘇魏吕呂丁任沈姚卢盧姜崔钟鍾谭譚陆陸汪范金石廖贾賈夏韦韋付方白邹鄒孟熊秦邱江尹薛闫閆段雷侯龙龍" +
      "史陶黎贺賀顾顧毛郝龚龔邵万萬钱錢严嚴覃武戴莫孔向汤湯霍习習温溫俞栗翟",
  ),
);

/** Pinyin of the common surnames, to recognise a Chinese personal name written in Latin letters. */
export const COMMON_SURNAME_PINYIN: ReadonlySet<string> = new Set(
  [...COMMON_SURNAMES, ...COMPOUND_SURNAMES].map((s) => hanToPinyinSyllables(s, true).join("")),
);

/**
 * Whether Latin tokens are shaped like a Chinese personal name in pinyin: two or three tokens, a
 * common surname first or last, every token pinyin, four syllables at most (Chen Quanguo, Quanguo
 * Chen, Chen Quan Guo, Wang Yi).
 */
export function isPinyinPersonalName(tokens: readonly string[]): boolean {
  if (tokens.length < 2 || tokens.length > 3) return false;
  const first = tokens[0] ?? "";
  const last = tokens[tokens.length - 1] ?? "";
  if (!COMMON_SURNAME_PINYIN.has(first) && !COMMON_SURNAME_PINYIN.has(last)) return false;
  let syllables = 0;
  for (const t of tokens) {
    const seg = segmentPinyin(t);
    if (!seg) return false;
    syllables += seg.length;
  }
  return syllables <= 4;
}

export function isHan(text: string): boolean {
  return /^[\p{Script=Han}]+$/u.test(text);
}

/** Pinyin syllables of a run of Han characters, without tones; surname readings for the first character when asked. */
export function hanToPinyinSyllables(text: string, asPersonalName = false): string[] {
  if (text.length === 0) return [];
  const syllables = pinyin(text, {
    toneType: "none",
    type: "array",
    v: false,
    ...(asPersonalName ? { mode: "surname" as const, surname: "head" as const } : {}),
  });
  return syllables.map((s) => s.toLowerCase().replace(/\s+/g, "")).filter((s) => s.length > 0);
}

/**
 * Splits a Chinese personal name (2–4 characters, no interpunct) into surname and given name, in the
 * way pinyin writes them: surname apart, given name syllables joined (陈全国 → chen quanguo).
 * Returns null when the string is not shaped like one.
 */
export function splitChinesePersonalName(text: string): { surname: string; given: string } | null {
  const chars = Array.from(text);
  if (chars.length < 2 || chars.length > 4 || !isHan(text)) return null;
  const two = chars.slice(0, 2).join("");
  const surnameLength = chars.length >= 3 && COMPOUND_SURNAMES.has(two) ? 2 : 1;
  return { surname: chars.slice(0, surnameLength).join(""), given: chars.slice(surnameLength).join("") };
}

export function startsWithCommonSurname(text: string): boolean {
  const chars = Array.from(text);
  return COMPOUND_SURNAMES.has(chars.slice(0, 2).join("")) || COMMON_SURNAMES.has(chars[0] ?? "");
}

/** Pinyin tokens of a Chinese personal name: [surname, given] (given syllables joined). */
export function chinesePersonalNameToPinyin(text: string): string[] {
  const split = splitChinesePersonalName(text);
  if (!split) return [hanToPinyinSyllables(text).join("")];
  const syllables = hanToPinyinSyllables(text, true);
  const surnameSyllables = Array.from(split.surname).length;
  return [syllables.slice(0, surnameSyllables).join(""), syllables.slice(surnameSyllables).join("")].filter((t) => t.length > 0);
}

// ---- The pinyin syllable inventory, so that pinyin written in Latin letters ("Yilihamu Tuheti")
// can be cut back into syllables. Built from the initials and finals of the Scheme for the Chinese
// Phonetic Alphabet (1958), https://en.wikipedia.org/wiki/Pinyin#Initials_and_finals.
const INITIALS = ["b", "p", "m", "f", "d", "t", "n", "l", "g", "k", "h", "j", "q", "x", "zh", "ch", "sh", "r", "z", "c", "s"];
const FINALS = [
  "a", "o", "e", "ai", "ei", "ao", "ou", "an", "en", "ang", "eng", "ong", "i", "ia", "ie", "iao", "iu", "ian", "in",
  "iang", "ing", "iong", "u", "ua", "uo", "uai", "ui", "uan", "un", "uang", "v", "ve", "ue", "van",
];
const ZERO_INITIAL = [
  "a", "ai", "an", "ang", "ao", "e", "ei", "en", "eng", "er", "o", "ou", "yi", "ya", "ye", "yao", "you", "yan", "yin",
  "yang", "ying", "yong", "wu", "wa", "wo", "wai", "wei", "wan", "wen", "wang", "weng", "yu", "yue", "yuan", "yun",
];

function buildInventory(): Set<string> {
  const out = new Set<string>(ZERO_INITIAL);
  for (const ini of INITIALS) {
    for (const fin of FINALS) {
      const palatal = ini === "j" || ini === "q" || ini === "x";
      const front = fin.startsWith("i") || fin.startsWith("v") || (palatal && (fin === "u" || fin === "ue" || fin === "uan" || fin === "un"));
      if (palatal && !front) continue;
      if (!palatal && (fin === "ue")) continue;
      if ((["z", "c", "s", "zh", "ch", "sh", "r"].includes(ini)) && (fin.startsWith("i") && fin !== "i")) continue;
      if (fin.startsWith("v") && !(ini === "l" || ini === "n")) continue;
      out.add(ini + fin);
    }
  }
  return out;
}

export const PINYIN_SYLLABLES: ReadonlySet<string> = buildInventory();

/**
 * Cuts a lowercase ASCII word into pinyin syllables (fewest syllables wins), or returns null when it
 * is not pinyin. Bounded: words longer than 40 letters are refused.
 */
export function segmentPinyin(word: string): string[] | null {
  const n = word.length;
  if (n === 0 || n > 40 || !/^[a-z]+$/.test(word)) return null;
  const best: (string[] | null)[] = new Array(n + 1).fill(null);
  best[0] = [];
  for (let i = 0; i < n; i++) {
    const here = best[i];
    if (!here) continue;
    for (let len = 1; len <= 6 && i + len <= n; len++) {
      const syl = word.slice(i, i + len);
      if (!PINYIN_SYLLABLES.has(syl)) continue;
      const slot = best[i + len];
      if (!slot || slot.length > here.length + 1) best[i + len] = [...here, syl];
    }
  }
  return best[n] ?? null;
}
