// Cleaning a raw name before it is split and transliterated. Every function here is bounded: the
// input is cut to MAX_NAME_CHARS code points first, so a 10,000-character paste costs no more than
// a long real name.

/** Longest real names (Uyghur name + patronymic + grandfather's name + honorifics) fit well within this. */
export const MAX_NAME_CHARS = 200;

// Zero-width and bidirectional controls (Unicode TR9 explicit formatting characters, ZWSP/ZWNJ/ZWJ,
// word joiner, BOM, Arabic letter mark) carry no letters: copy-pasted RTL names are full of them.
const INVISIBLE = /[\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/gu;
// Arabic tatweel (U+0640) only stretches a word for justification.
const TATWEEL = /\u0640/gu;
// Name separators: the interpunct used in Chinese renderings of foreign names (U+00B7, U+30FB,
// U+2027, U+2022, U+FF0E), hyphens and dashes, slashes, underscores and other punctuation.
const SEPARATORS = /[\s\u00b7\u2022\u2027\u30fb\uff0e\u2010-\u2015\u2212\-_/\\|.;:()[\]{}"“”„«»‹›!?*+=<>@#$%^&~`]+/gu;

/**
 * NFKC folds compatibility forms: Arabic presentation forms (U+FB50–U+FDFF, U+FE70–U+FEFF) become
 * the base letters, full-width Latin becomes ASCII, ligatures split. Then invisible characters and
 * tatweel go, and the text is cut to a bounded length.
 */
export function cleanText(raw: string): string {
  let text = typeof raw === "string" ? raw : "";
  // Bound before any regex or normalisation runs over it; 4× leaves room for combining marks.
  if (text.length > MAX_NAME_CHARS * 4) text = text.slice(0, MAX_NAME_CHARS * 4);
  text = text.normalize("NFKC").replace(INVISIBLE, "").replace(TATWEEL, "");
  const chars = Array.from(text);
  if (chars.length > MAX_NAME_CHARS) text = chars.slice(0, MAX_NAME_CHARS).join("");
  return text;
}

/**
 * Splits a cleaned name into parts at separators. A single comma with words on both sides is read as
 * `SURNAME, Given` (the order of sanctions lists and library catalogues) and turned round to
 * `Given SURNAME`; any other comma is a separator.
 */
export function splitNameParts(cleaned: string): string[] {
  let text = cleaned;
  const commas = text.split(/[,\u060c\uff0c\u3001]/u);
  if (commas.length === 2 && /\p{L}/u.test(commas[0] ?? "") && /\p{L}/u.test(commas[1] ?? "")) {
    text = `${commas[1]} ${commas[0]}`;
  } else {
    text = commas.join(" ");
  }
  // Apostrophes and ayn-like marks inside a word (Mes'ul, Chang'an, O‘zbek) are not separators.
  text = text.replace(/['\u2018\u2019\u02bb\u02bc\u02be\u02bf\u0060\u00b4]/gu, "");
  return text.split(SEPARATORS).filter((p) => /[\p{L}\p{N}]/u.test(p));
}

// Letters whose Latin spelling is more than "drop the accent": Turkish and Azerbaijani ş/ç/ğ/ı/ə,
// German ß. Removing the diacritic from ş would merge it with s, which Turkic orthographies keep apart.
const LATIN_SPECIAL: Record<string, string> = {
  ş: "sh", ș: "sh", ç: "ch", ğ: "gh", ı: "i", ə: "e", ß: "ss", ø: "o", æ: "ae", œ: "oe", đ: "d", ł: "l", þ: "th",
};

/**
 * Folds Latin text to lowercase ASCII letters: case folding, Turkic letters spelled out, then
 * diacritics removed (ö/ü/ë/é… carry vowel quality that transliterations disagree on anyway).
 */
export function foldLatin(text: string): string {
  const lower = text.toLowerCase().replace(/[şșçğıəßøæœđłþ]/gu, (c) => LATIN_SPECIAL[c] ?? c);
  return lower.normalize("NFD").replace(/\p{M}/gu, "").replace(/[^a-z0-9]/g, "");
}
