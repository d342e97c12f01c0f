// Turning text into search terms, the same way for what is stored and what is asked. PostgreSQL's
// own parser is not used: it keeps a run of Chinese characters as one word (so 土赫提 inside
// 伊力哈木土赫提 is never found), it keeps accents without the unaccent dictionary, and what it
// calls a letter depends on the server's locale, which differs between PGlite and a server. Here:
//  - Latin, Greek and Cyrillic lose their accents (café → cafe, Ürümqi → urumqi); Turkic ş ç ğ
//    also give a spelled-out twin at the same position (Kaşgar → kasgar and kashgar);
//  - Arabic script (Uyghur) loses tatweel and short-vowel marks, keeps hamza, and reads Persian
//    keheh as kaf and Arabic heh as Uyghur ە, which keyboards mix up;
//  - Chinese and Japanese runs become overlapping character pairs (土赫提 → 土赫 赫提) plus the
//    run's last character, so any word inside a run is found as a phrase of pairs, and a single
//    character as a prefix.
// Pure functions only: the document builder and the query parser both call them.
import { Memo } from "../core/index.ts";

/** A term at one position: alternative spellings, and where it came from in the analysed text. */
export interface Term {
  lexemes: string[];
  /** UTF-16 offsets into the analysed text, for highlighting. */
  start: number;
  end: number;
  /** A character pair or single character of a Chinese or Japanese run. */
  cjk: boolean;
}

/** Longer words are cut: PostgreSQL refuses lexemes over 2 KB, and no real word is this long. */
export const MAX_LEXEME_CHARS = 64;

// Apostrophes and ʻokina-like marks inside a word (Mes'ul, Oʻzbek) and zero-width joiners do not split it.
const WORD = /[\p{L}\p{N}\p{M}]+(?:['\u2018\u2019\u02bb\u02bc\u02bf\u200c\u200d][\p{L}\p{N}\p{M}]+)*/gu;
const CJK = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\u3005\u30fc]/u;
const JOINERS = /['\u2018\u2019\u02bb\u02bc\u02bf\u0640]|\u200c|\u200d/gu;
const ACCENTED = /([\p{Script=Latin}\p{Script=Greek}\p{Script=Cyrillic}])\p{M}+/gu;
// Arabic short vowels, tanwin, shadda, sukun, maddah and superscript alef; hamza above and below
// (U+0654, U+0655) stay, because ئ is a letter of its own in Uyghur.
const HARAKAT = /[\u064b-\u0653\u0656-\u065f\u0670]/gu;
const LATIN_LETTERS: Record<string, string> = { ß: "ss", æ: "ae", œ: "oe", ø: "o", đ: "d", ł: "l", þ: "th", ı: "i", ə: "e", ħ: "h" };
const TURKIC_SPELLED: Record<string, string> = { ş: "sh", ș: "sh", ç: "ch", ğ: "gh" };

function arabicDigits(text: string): string {
  return text.replace(/[\u0660-\u0669\u06f0-\u06f9]/gu, (d) => String((d.codePointAt(0)! - 0x0660) % 0x90));
}

function stripMarks(text: string): string {
  return text.normalize("NFD").replace(ACCENTED, "$1").replace(HARAKAT, "").normalize("NFC");
}

function cut(lexeme: string): string {
  const chars = Array.from(lexeme);
  return chars.length > MAX_LEXEME_CHARS ? chars.slice(0, MAX_LEXEME_CHARS).join("") : lexeme;
}

// Words recur (given names, places, vocabulary labels, the words of testimonies): an import of
// 100,000 people folds a few thousand distinct words, not millions. The arrays are shared: read only.
const FOLDED = new Memo<string[]>(20_000);
// Letters, digits and apostrophes of ASCII: NFKC, accents, Arabic and Turkic folding change nothing.
const ASCII_WORD = /^[A-Za-z0-9']+$/;

/** The spellings a word (no Chinese in it) is stored and looked up under: one, or two for Turkic ş ç ğ. */
export function foldWord(word: string): string[] {
  return FOLDED.get(word, foldUncached);
}

function foldUncached(word: string): string[] {
  if (ASCII_WORD.test(word)) {
    const w = word.replace(/'/g, "").toLowerCase();
    const plain = w.length > MAX_LEXEME_CHARS ? w.slice(0, MAX_LEXEME_CHARS) : w;
    return /[a-z0-9]/.test(plain) ? [plain] : [];
  }
  let w = arabicDigits(word.normalize("NFKC").toLowerCase().replace(JOINERS, ""));
  w = w.replace(/\u06a9/gu, "\u0643").replace(/\u0647/gu, "\u06d5");
  const plain = stripMarks(w.replace(/[ßæœøđłþıəħ]/gu, (c) => LATIN_LETTERS[c] ?? c));
  const variants = [cut(plain)];
  if (/[şșçğ]/u.test(w)) {
    const spelled = cut(stripMarks(w.replace(/[şșçğ]/gu, (c) => TURKIC_SPELLED[c] ?? c).replace(/[ßæœøđłþıəħ]/gu, (c) => LATIN_LETTERS[c] ?? c)));
    if (spelled !== variants[0]) variants.push(spelled);
  }
  return variants.filter((v) => /[\p{L}\p{N}]/u.test(v));
}

/**
 * The terms of a text, in order. `limit` bounds the work on huge input: analysis stops after that
 * many terms.
 */
export function analyse(text: string, limit = Infinity): Term[] {
  const terms: Term[] = [];
  for (const match of text.matchAll(WORD)) {
    if (terms.length >= limit) break;
    const word = match[0];
    const base = match.index;
    if (!CJK.test(word)) {
      // One run, and no Chinese in it: the common case, without splitting the word into characters.
      const lexemes = foldWord(word);
      if (lexemes.length > 0) terms.push({ lexemes, start: base, end: base + word.length, cjk: false });
      continue;
    }
    // Split the word into runs of Chinese/Japanese characters and of everything else.
    let runStart = 0;
    let runCjk: boolean | null = null;
    const chars: { char: string; at: number }[] = [];
    let offset = 0;
    for (const char of word) {
      chars.push({ char, at: offset });
      offset += char.length;
    }
    const flush = (from: number, to: number) => {
      if (from >= to) return;
      const run = chars.slice(from, to);
      if (runCjk) addCjkRun(terms, run, base);
      else {
        const start = base + run[0]!.at;
        const last = run[run.length - 1]!;
        const end = base + last.at + last.char.length;
        const lexemes = foldWord(run.map((c) => c.char).join(""));
        if (lexemes.length > 0) terms.push({ lexemes, start, end, cjk: false });
      }
    };
    chars.forEach((c, i) => {
      const cjk = CJK.test(c.char);
      if (runCjk !== null && cjk !== runCjk) {
        flush(runStart, i);
        runStart = i;
      }
      runCjk = cjk;
    });
    flush(runStart, chars.length);
  }
  return terms.length > limit ? terms.slice(0, limit) : terms;
}

function addCjkRun(terms: Term[], run: { char: string; at: number }[], base: number): void {
  const chars = run.map((c) => c.char.normalize("NFKC"));
  for (let i = 0; i + 1 < chars.length; i++) {
    terms.push({ lexemes: [chars[i]! + chars[i + 1]!], start: base + run[i]!.at, end: base + run[i + 1]!.at + run[i + 1]!.char.length, cjk: true });
  }
  const last = run[run.length - 1]!;
  terms.push({ lexemes: [chars[chars.length - 1]!], start: base + last.at, end: base + last.at + last.char.length, cjk: true });
}

// ---------------------------------------------------------------------------------------------
// Documents as tsvector text

/** PostgreSQL weights: A names, B short values and vocabulary labels, C long text, D the rest. */
export type Weight = "A" | "B" | "C" | "D";

export interface WeightedText {
  text: string;
  weight: Weight;
}

// tsvector limits: positions 1–16,383, at most 256 positions per lexeme, 1 MB in all. A document
// stops growing well before: the first ~50,000 words of a record are searchable.
const MAX_POSITION = 16_383;
const MAX_POSITIONS_PER_LEXEME = 255;
export const MAX_DOCUMENT_TERMS = 50_000;
const MAX_DOCUMENT_BYTES = 700_000;

/** A lexeme quoted for tsvector and tsquery input (ours never hold quotes or backslashes; escaped all the same). */
export function quoteLexeme(lexeme: string): string {
  if (lexeme.indexOf("'") === -1 && lexeme.indexOf("\\") === -1) return `'${lexeme}'`;
  return `'${lexeme.replace(/\\/g, "\\\\").replace(/'/g, "''")}'`;
}

// Short values recur whole (a vocabulary term with its labels in three scripts, a place, a
// nationality): each distinct one is analysed once. The terms are shared: read only.
const ANALYSED = new Memo<Term[]>(5_000);
const MEMO_TEXT_CHARS = 200;

function termsOf(text: string, limit: number): Term[] {
  if (text.length > MEMO_TEXT_CHARS) return analyse(text, limit);
  const terms = ANALYSED.get(text, (t) => analyse(t));
  return terms.length > limit ? terms.slice(0, limit) : terms;
}

/**
 * A tsvector in PostgreSQL's text form, with positions and weights, from texts analysed in order.
 * Each text starts a position further on, so that a phrase never spans two values. Returns null
 * when there is nothing to index.
 */
export function buildTsvector(texts: readonly WeightedText[]): string | null {
  const entries = new Map<string, string[]>();
  let position = 1;
  let bytes = 0;
  let count = 0;
  outer: for (const { text, weight } of texts) {
    for (const term of termsOf(text, MAX_DOCUMENT_TERMS - count)) {
      const at = `${Math.min(position, MAX_POSITION)}${weight === "D" ? "" : weight}`;
      for (const lexeme of term.lexemes) {
        let positions = entries.get(lexeme);
        if (!positions) {
          bytes += Buffer.byteLength(lexeme) + 8;
          if (bytes > MAX_DOCUMENT_BYTES) break outer;
          positions = [];
          entries.set(lexeme, positions);
        }
        if (positions.length < MAX_POSITIONS_PER_LEXEME && positions[positions.length - 1] !== at) {
          positions.push(at);
          bytes += 2;
        }
      }
      position++;
      if (++count >= MAX_DOCUMENT_TERMS) break outer;
    }
    position++;
  }
  if (entries.size === 0) return null;
  return [...entries].map(([lexeme, positions]) => `${quoteLexeme(lexeme)}:${positions.join(",")}`).join(" ");
}
