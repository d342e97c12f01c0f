// Uyghur Arabic script (UEY, Uyghur Ereb Yéziqi) → Uyghur Latin (ULY, Uyghur Latin Yéziqi), letter by
// letter after the ULY table finalised at Xinjiang University in 2001 and adopted as the BGN/PCGN
// romanisation in 2023 (https://en.wikipedia.org/wiki/Uyghur_Latin_alphabet). UEY writes every vowel,
// so the mapping is one-to-one apart from the hamza.

/** UEY letter → ULY. Keys are base letters: NFKC has already folded presentation forms. */
export const UEY_TO_ULY: Readonly<Record<string, string>> = {
  "\u0627": "a", // ا
  "\u06d5": "e", // ە
  "\u0628": "b", // ب
  "\u067e": "p", // پ
  "\u062a": "t", // ت
  "\u062c": "j", // ج
  "\u0686": "ch", // چ
  "\u062e": "x", // خ
  "\u062f": "d", // د
  "\u0631": "r", // ر
  "\u0632": "z", // ز
  "\u0698": "zh", // ژ
  "\u0633": "s", // س
  "\u0634": "sh", // ش
  "\u063a": "gh", // غ
  "\u0641": "f", // ف
  "\u0642": "q", // ق
  "\u0643": "k", // ك
  "\u06af": "g", // گ
  "\u06ad": "ng", // ڭ
  "\u0644": "l", // ل
  "\u0645": "m", // م
  "\u0646": "n", // ن
  "\u06be": "h", // ھ
  "\u0648": "o", // و
  "\u06c7": "u", // ۇ
  "\u06c6": "ö", // ۆ
  "\u06c8": "ü", // ۈ
  "\u06cb": "w", // ۋ
  "\u06d0": "ë", // ې
  "\u0649": "i", // ى
  "\u064a": "y", // ي
  // Letters typed from Arabic or Persian keyboards in place of the Uyghur ones, and Arabic letters in
  // older Chagatai-style spellings of Arabic names: read as the Uyghur sound they stand for.
  "\u0647": "e", // ه (Arabic heh typed for ە at word end)
  "\u0629": "e", // ة
  "\u06cc": "y", // ی (Persian yeh)
  "\u06a9": "k", // ک (keheh)
  "\u0623": "a", // أ
  "\u0625": "i", // إ
  "\u0622": "a", // آ
  "\u062d": "h", // ح
  "\u0639": "", // ع
  "\u0635": "s", // ص
  "\u0636": "z", // ض
  "\u0637": "t", // ط
  "\u0638": "z", // ظ
  "\u062b": "s", // ث
  "\u0630": "z", // ذ
  "\u06c5": "o", // ۅ (Kazakh/Kyrgyz Arabic script)
  "\u06c9": "u", // ۉ
};

const HAMZA = "\u0626"; // ئ: yeh with hamza above, the carrier of a vowel with no consonant
const HAMZA_ALONE = "\u0621"; // ء
const UEY_VOWELS = new Set(["\u0627", "\u06d5", "\u0648", "\u06c7", "\u06c6", "\u06c8", "\u06d0", "\u0649"]);

/**
 * Transliterates one UEY word. The hamza convention: in UEY a syllable may not begin with a bare
 * vowel letter, so ئ is written before it. At the start of a word it has no sound and ULY drops it
 * (ئىلھام → ilham); inside a word it marks a syllable break between vowels, which ULY writes as an
 * apostrophe (مەسئۇل → mes'ul). Apostrophes carry nothing for matching, so we drop both.
 */
export function ueyToUly(word: string): string {
  let out = "";
  const chars = Array.from(word);
  for (let i = 0; i < chars.length; i++) {
    const ch = chars[i] ?? "";
    if (ch === HAMZA || ch === HAMZA_ALONE) {
      const next = chars[i + 1];
      // A hamza not followed by a vowel letter is the Arabic yeh-with-hamza: read as i (Arabic loans).
      if (next === undefined || !UEY_VOWELS.has(next)) out += "i";
      continue;
    }
    const mapped = UEY_TO_ULY[ch];
    if (mapped !== undefined) out += mapped;
    else if (!/[\u064b-\u065f\u0670]/u.test(ch)) out += ch; // Arabic harakat are not used in UEY
  }
  return out;
}
