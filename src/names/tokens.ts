// A raw name → its tokens in one or more Latin readings. A name may have several candidate readings:
// Chinese characters give the pinyin reading and, through the bridge, a Turkic reading; a Cyrillic
// name gives its letter-by-letter reading and, when it parses as Palladius, the pinyin it encodes.
// All are kept; the matcher takes the best pairing and reports which readings it used.
import anyAscii from "any-ascii";
import { bridgeSyllables } from "./chinese-turkic-bridge.ts";
import { cleanText, foldLatin, splitNameParts } from "./normalize.ts";
import { detectScripts, scriptOfChar, type Script } from "./scripts.ts";
import { cyrillicToLatin, palladiusToPinyin } from "./transliterate-cyrillic.ts";
import {
  chinesePersonalNameToPinyin,
  hanToPinyinSyllables,
  isHan,
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
  const syllables = hanToPinyinSyllables(text);
  return {
    primary: { tokens: [syllables.join("")], source: "pinyin" },
    alternative: { tokens: [bridgeSyllables(syllables)], source: "turkic-bridge" },
  };
}

function readRun(script: Script, text: string, wholeNameIsOnePart: boolean): RunReading | null {
  switch (script) {
    case "Latin": {
      const token = foldLatin(text);
      if (!token) return null;
      const syllables = segmentPinyin(token);
      // Pinyin of a transcribed Turkic name ("Yilihamu", "Dawuti"): offer the bridge reading too.
      if (syllables && syllables.length >= 3) {
        return { primary: { tokens: [token], source: "latin" }, alternative: { tokens: [bridgeSyllables(syllables)], source: "turkic-bridge" } };
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
  if (runs.length > 0) {
    readings.push({
      tokens: runs.flatMap((r) => r.primary.tokens).filter((t) => t.length > 0),
      sources: [...new Set(runs.map((r) => r.primary.source))],
    });
    const altSources = [...new Set(runs.flatMap((r) => (r.alternative ? [r.alternative.source] : [])))];
    for (const source of altSources) {
      if (readings.length >= MAX_READINGS) break;
      const chosen = runs.map((r) => (r.alternative?.source === source ? r.alternative : r.primary));
      readings.push({
        tokens: chosen.flatMap((c) => c.tokens).filter((t) => t.length > 0),
        sources: [...new Set(chosen.map((c) => c.source))],
      });
    }
  }
  return { original: typeof raw === "string" ? raw : "", cleaned, scripts: detectScripts(cleaned), readings };
}
