// Cyrillic → Latin, in two readings:
//  1. a letter table covering Russian and the Turkic Cyrillic alphabets (Uyghur Siril Yéziqi, Kazakh),
//     which spells Turkic letters the way ULY does so that Илһам Тохти meets Ilham Tohti;
//  2. the Palladius system read backwards, so that a Russian rendering of a Chinese name
//     (Чэнь Цюаньго) is also offered as pinyin (Chen Quanguo).

// Russian letters after the BGN/PCGN 1947 romanisation of Russian
// (https://en.wikipedia.org/wiki/BGN/PCGN_romanization_of_Russian), simplified: no apostrophes for ь/ъ.
const RUSSIAN: Readonly<Record<string, string>> = {
  а: "a", б: "b", в: "v", г: "g", д: "d", е: "e", ё: "yo", ж: "zh", з: "z", и: "i", й: "y", к: "k", л: "l",
  м: "m", н: "n", о: "o", п: "p", р: "r", с: "s", т: "t", у: "u", ф: "f", х: "kh", ц: "ts", ч: "ch", ш: "sh",
  щ: "shch", ъ: "", ы: "y", ь: "", э: "e", ю: "yu", я: "ya",
};

// Letters that exist only in Turkic Cyrillic alphabets, with their ULY (Uyghur) or Kazakh Latin
// (2021 alphabet, https://en.wikipedia.org/wiki/Kazakh_alphabets) values.
const TURKIC_EXTRA: Readonly<Record<string, string>> = {
  ә: "e", ғ: "gh", қ: "q", ң: "ng", ө: "ö", ұ: "u", ү: "ü", һ: "h", і: "i", җ: "j",
};

// In Uyghur Cyrillic, в is w, х is x, ж is zh and е/ы are plain vowels; in Kazakh, ы is a back i.
// Used when a word carries a Turkic-only letter, so we know it is not Russian.
const TURKIC_OVERRIDES: Readonly<Record<string, string>> = { в: "w", х: "x", ы: "i", е: "e" };

const TURKIC_MARKERS = /[әғқңөұүһіҗ]/u;

export function isTurkicCyrillic(word: string): boolean {
  return TURKIC_MARKERS.test(word.toLowerCase());
}

/** Letter-table reading of a Cyrillic word (Russian, Uyghur or Kazakh). */
export function cyrillicToLatin(word: string): string {
  const lower = word.toLowerCase();
  const turkic = isTurkicCyrillic(lower);
  let out = "";
  let prev = "";
  for (const ch of lower) {
    let mapped = TURKIC_EXTRA[ch] ?? (turkic ? TURKIC_OVERRIDES[ch] : undefined) ?? RUSSIAN[ch];
    // Russian е after a vowel or at word start is pronounced and romanised ye (Евгений → Yevgeniy).
    if (ch === "е" && !turkic && (prev === "" || /[аеёиоуыэюяьъ]/u.test(prev))) mapped = "ye";
    out += mapped ?? ch;
    prev = ch;
  }
  return out;
}

// ---- Palladius (Russian standard for Mandarin, https://en.wikipedia.org/wiki/Cyrillization_of_Chinese).
// We build the pinyin → Palladius syllable table from its initial and final rules, then invert it.

const P_INITIALS: Readonly<Record<string, string>> = {
  "": "", b: "б", p: "п", m: "м", f: "ф", d: "д", t: "т", n: "н", l: "л", g: "г", k: "к", h: "х",
  j: "цз", q: "ц", x: "с", zh: "чж", ch: "ч", sh: "ш", r: "ж", z: "цз", c: "ц", s: "с",
};

// Finals after an initial. "-i" after zh/ch/sh/r is и, after z/c/s is ы (handled below).
const P_FINALS: Readonly<Record<string, string>> = {
  a: "а", o: "о", e: "э", ai: "ай", ei: "эй", ao: "ао", ou: "оу", an: "ань", en: "энь", ang: "ан", eng: "эн",
  ong: "ун", er: "эр", i: "и", ia: "я", ie: "е", iao: "яо", iu: "ю", ian: "янь", in: "инь", iang: "ян",
  ing: "ин", iong: "юн", u: "у", ua: "уа", uo: "о", uai: "уай", ui: "уй", uan: "уань", un: "унь", uang: "уан",
  ü: "юй", üe: "юэ", üan: "юань", ün: "юнь",
};

// Syllables with no initial (pinyin spells them with y/w).
const P_ZERO_INITIAL: Readonly<Record<string, string>> = {
  a: "а", ai: "ай", an: "ань", ang: "ан", ao: "ао", e: "э", ei: "эй", en: "энь", eng: "эн", er: "эр", o: "о",
  ou: "оу", yi: "и", ya: "я", ye: "е", yao: "яо", you: "ю", yan: "янь", yin: "инь", yang: "ян", ying: "ин",
  yong: "юн", wu: "у", wa: "ва", wo: "во", wai: "вай", wei: "вэй", wan: "вань", wen: "вэнь", wang: "ван",
  weng: "вэн", yu: "юй", yue: "юэ", yuan: "юань", yun: "юнь",
};

function buildPalladius(): Map<string, string> {
  const toPinyin = new Map<string, string>();
  const add = (cyr: string, pin: string): void => {
    if (!toPinyin.has(cyr)) toPinyin.set(cyr, pin);
  };
  for (const [pin, cyr] of Object.entries(P_ZERO_INITIAL)) add(cyr, pin);
  for (const [ini, cyrIni] of Object.entries(P_INITIALS)) {
    if (ini === "") continue;
    for (const [fin, cyrFin] of Object.entries(P_FINALS)) {
      const palatal = ini === "j" || ini === "q" || ini === "x";
      const sibilant = ini === "z" || ini === "c" || ini === "s";
      const retroflex = ini === "zh" || ini === "ch" || ini === "sh" || ini === "r";
      // Pinyin phonotactics: j/q/x take only i- and ü- finals (ü written u); z/c/s/zh/ch/sh/r take no i- or ü- finals.
      if (palatal && !(fin.startsWith("i") || fin.startsWith("ü"))) continue;
      if ((sibilant || retroflex) && (fin.startsWith("i") && fin !== "i")) continue;
      if ((sibilant || retroflex) && fin.startsWith("ü")) continue;
      if (fin.startsWith("ü") && !(palatal || ini === "l" || ini === "n")) continue;
      // Bare -o follows only the labials (bo, po, mo, fo); elsewhere the same sound is spelled -uo.
      const labial = ini === "b" || ini === "p" || ini === "m" || ini === "f";
      if (fin === "o" && !labial) continue;
      if (fin === "uo" && labial) continue;
      let cyr = cyrIni + cyrFin;
      if (sibilant && fin === "i") cyr = cyrIni + "ы";
      // Palladius spells these with a labial glide: guo → го but hui → хуэй, gui → гуй.
      if (fin === "ui" && ini === "h") cyr = "хуэй";
      const pinFinal = palatal ? fin.replace("ü", "u") : fin.replace("ü", "v");
      add(cyr, ini + pinFinal);
    }
  }
  return toPinyin;
}

const PALLADIUS_TO_PINYIN = buildPalladius();
const MAX_SYLLABLE = 6;

/**
 * Reads a Cyrillic word as a sequence of Palladius syllables and returns their pinyin joined, or null
 * when the word is not entirely Palladius (most Russian and Turkic words are not: consonant clusters
 * such as "тр" or "ст" never occur). ъ marks a syllable break after -н (Чанъань), so it is honoured.
 */
export function palladiusToPinyin(word: string): string | null {
  const w = word.toLowerCase().replace(/ё/gu, "е");
  if (w.length === 0 || w.length > 40) return null;
  const chars = Array.from(w);
  const n = chars.length;
  // best[i] = pinyin for chars[0..i) using fewest syllables, or null if unreachable.
  const best: (string[] | null)[] = new Array(n + 1).fill(null);
  best[0] = [];
  for (let i = 0; i < n; i++) {
    const here = best[i];
    if (!here) continue;
    if (chars[i] === "ъ") {
      if (!best[i + 1] || (best[i + 1]?.length ?? 0) > here.length) best[i + 1] = here;
      continue;
    }
    for (let len = 1; len <= MAX_SYLLABLE && i + len <= n; len++) {
      const pin = PALLADIUS_TO_PINYIN.get(chars.slice(i, i + len).join(""));
      if (pin === undefined) continue;
      const cand = [...here, pin];
      const slot = best[i + len];
      if (!slot || slot.length > cand.length) best[i + len] = cand;
    }
  }
  const result = best[n];
  return result && result.length > 0 ? result.join("") : null;
}
