// A raw name → its tokens in one or more Latin readings. A name may have several candidate readings:
// Chinese characters give the pinyin reading and, through the bridge, a Turkic reading; a Cyrillic
// name gives its letter-by-letter reading and, when it parses as Palladius, the pinyin it encodes.
// All are kept; the matcher takes the best pairing and reports which readings it used.
import anyAscii from "any-ascii";
import { TRANSCRIPTION_CHARACTER_READINGS, bridgeSyllables } from "./chinese-turkic-bridge.ts";
import { Memo } from "../core/index.ts";
import { cleanText, foldLatin, splitNameParts } from "./normalize.ts";
import { detectScripts, scriptOfChar, type Script } from "./scripts.ts";
import { cyrillicToLatin, palladiusToPinyin } from "./transliterate-cyrillic.ts";
import {
  chinesePersonalNameToPinyin,
  hanToPinyinSyllables,
  isHan,
  isPinyinPersonalName,
  segmentPinyin,
  splitChinesePersonalName,
  startsWithCommonSurname,
} from "./transliterate-chinese.ts";
import { ueyToUly } from "./transliterate-uyghur.ts";

export type ReadingSource = "latin" | "uly" | "cyrillic" | "palladius" | "pinyin" | "turkic-bridge" | "any-ascii";

export interface NameReading {
  /** Lowercase ASCII tokens, in the order written. */
  tokens: string[];
  /** How the tokens were obtained (one entry per transliteration used). */
  sources: ReadingSource[];
  /**
   * The tokens are a Chinese personal name in pinyin (surname + given name). Two such names are
   * compared syllable by syllable, since each syllable is a character: 陈国全 is not 陈全国.
   */
  chinesePersonalName: boolean;
}

export interface NormalizedName {
  original: string;
  /** After NFKC, invisible-character and tatweel removal, and length bounding. */
  cleaned: string;
  scripts: Script[];
  /** The first reading is the direct one; the others are alternatives. Never empty unless the name has no letters. */
  readings: NameReading[];
}

const MAX_PARTS = 10;
const MAX_READINGS = 4;

interface RunReading {
  primary: { tokens: string[]; source: ReadingSource };
  alternative?: { tokens: string[]; source: ReadingSource };
  /** Evidence that the name is a transcribed Turkic name (Han interpunct, a long pinyin word). */
  turkicEvidence?: boolean;
}

function scriptRuns(part: string): { script: Script; text: string }[] {
  const runs: { script: Script; text: string }[] = [];
  for (const ch of part) {
    const script = scriptOfChar(ch);
    const last = runs[runs.length - 1];
    if (last && (script === null || script === last.script)) last.text += ch;
    else if (script !== null) runs.push({ script, text: ch });
    else runs.push({ script: "Latin", text: ch });
  }
  return runs;
}

function readHan(text: string, wholeNameIsOnePart: boolean): RunReading {
  if (wholeNameIsOnePart && splitChinesePersonalName(text) && startsWithCommonSurname(text)) {
    return { primary: { tokens: chinesePersonalNameToPinyin(text), source: "pinyin" } };
  }
  // Transcriptions are read character by character, each with its transcription value.
  const syllables = Array.from(text).map((ch) => TRANSCRIPTION_CHARACTER_READINGS[ch] ?? hanToPinyinSyllables(ch).join(""));
  return {
    primary: { tokens: [syllables.join("")], source: "pinyin" },
    alternative: { tokens: [bridgeSyllables(syllables)], source: "turkic-bridge" },
    turkicEvidence: true,
  };
}

// Name parts recur far more than whole names (given and family names): each distinct run is read
// once. Only a Han run's reading depends on whether it is the whole name. Shared: read only.
const runReadings = new Memo<RunReading | null>(20_000);

function readRun(script: Script, text: string, wholeNameIsOnePart: boolean): RunReading | null {
  if (text.length > 100) return readRunUncached(script, text, wholeNameIsOnePart);
  return runReadings.get(`${script}\u0000${script === "Han" && wholeNameIsOnePart ? 1 : 0}\u0000${text}`, () => readRunUncached(script, text, wholeNameIsOnePart));
}

function readRunUncached(script: Script, text: string, wholeNameIsOnePart: boolean): RunReading | null {
  switch (script) {
    case "Latin": {
      const token = foldLatin(text);
      if (!token) return null;
      const syllables = segmentPinyin(token);
      // Pinyin of a transcribed Turkic name ("Yilihamu Tuheti", "Duolikun Aisha"): offer the bridge
      // reading too, when one word is long enough (3+ syllables) to be a transcription rather than
      // a Chinese given name.
      if (syllables && syllables.length >= 2) {
        return {
          primary: { tokens: [token], source: "latin" },
          alternative: { tokens: [bridgeSyllables(syllables)], source: "turkic-bridge" },
          turkicEvidence: syllables.length >= 3,
        };
      }
      return { primary: { tokens: [token], source: "latin" } };
    }
    case "Arabic":
      return { primary: { tokens: [foldLatin(ueyToUly(text))], source: "uly" } };
    case "Cyrillic": {
      const primary = { tokens: [foldLatin(cyrillicToLatin(text))], source: "cyrillic" as const };
      const pinyin = palladiusToPinyin(text);
      return pinyin ? { primary, alternative: { tokens: [pinyin], source: "palladius" } } : { primary };
    }
    case "Han":
      return isHan(text) ? readHan(text, wholeNameIsOnePart) : null;
    default: {
      const token = foldLatin(anyAscii(text));
      return token ? { primary: { tokens: [token], source: "any-ascii" } } : null;
    }
  }
}

/**
 * Normalises one name: cleans it, splits it at separators (`·`, `-`, `,` in `SURNAME, Given`,
 * spaces…), transliterates each run of each script with its own table, and returns the tokens of
 * every reading. Bounded in time by the length cap in cleanText and the part and reading caps here.
 */
export function normalizeName(raw: string): NormalizedName {
  // Shared answers: callers treat a NormalizedName as read-only.
  if (typeof raw !== "string") return readName("");
  // An overlong paste is not worth remembering (and would hold its whole text).
  return raw.length <= 200 ? normalized.get(raw, readName) : readName(raw);
}

const normalized = new Memo<NormalizedName>(50_000);

function readName(raw: string): NormalizedName {
  const cleaned = cleanText(raw);
  const parts = splitNameParts(cleaned).slice(0, MAX_PARTS);
  const runs: RunReading[] = [];
  const onePart = parts.length === 1;
  for (const part of parts) {
    for (const run of scriptRuns(part)) {
      const reading = readRun(run.script, run.text, onePart);
      if (reading && reading.primary.tokens.some((t) => t.length > 0)) runs.push(reading);
    }
  }
  const readings: NameReading[] = [];
  const reading = (chosen: { tokens: string[]; source: ReadingSource }[]): NameReading => {
    const tokens = chosen.flatMap((c) => c.tokens).filter((t) => t.length > 0);
    const fromHanPersonalName = runs.length === 1 && chosen[0]?.source === "pinyin" && tokens.length === 2 && !runs[0]?.alternative;
    return {
      tokens,
      sources: [...new Set(chosen.map((c) => c.source))],
      chinesePersonalName: fromHanPersonalName || ((chosen.every((c) => c.source !== "turkic-bridge")) && isPinyinPersonalName(tokens)),
    };
  };
  if (runs.length > 0) {
    readings.push(reading(runs.map((r) => r.primary)));
    const turkic = runs.some((r) => r.turkicEvidence);
    const altSources = [...new Set(runs.flatMap((r) => (r.alternative ? [r.alternative.source] : [])))];
    for (const source of altSources) {
      if (readings.length >= MAX_READINGS) break;
      if (source === "turkic-bridge" && !turkic) continue;
      readings.push(reading(runs.map((r) => (r.alternative?.source === source ? r.alternative : r.primary))));
    }
  }
  return { original: typeof raw === "string" ? raw : "", cleaned, scripts: detectScripts(cleaned), readings };
}
