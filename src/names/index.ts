// The names engine: normalisation, transliteration, phonetic keys, blocking and matching of names
// across scripts. Pure functions only; the database index, the API and the pages use these exports.
export { MAX_NAME_CHARS, cleanText, foldLatin, splitNameParts } from "./normalize.ts";
export { detectScripts, type Script } from "./scripts.ts";
export { normalizeName, type NameReading, type NormalizedName, type ReadingSource } from "./tokens.ts";
export { ueyToUly } from "./transliterate-uyghur.ts";
export { cyrillicToLatin, palladiusToPinyin } from "./transliterate-cyrillic.ts";
export { chinesePersonalNameToPinyin, hanToPinyinSyllables, segmentPinyin } from "./transliterate-chinese.ts";
export { bridgeSyllables } from "./chinese-turkic-bridge.ts";
export { phoneticKey } from "./phonetic.ts";
export { jaroWinkler } from "./jaro-winkler.ts";
export { compareTokens } from "./token-similarity.ts";
export { compareBirthDates, parseEdtfIntervals, type DateComparison, type DateInterval } from "./birth-date.ts";
export { normalizeCompanyName, type CompanyName } from "./legal-forms.ts";
export { birthDecades, blockingKeys, countLimit, planCandidateKeys, UNKNOWN_DECADE, type BlockSize, type CandidatePlan } from "./blocking.ts";
export {
  DEFAULT_THRESHOLD,
  ENGINE_VERSION,
  matchNames,
  prepareEntity,
  preparedFromJson,
  preparedToJson,
  type EntityNames,
  type EntitySchema,
  type MatchOptions,
  type MatchResult,
  type PreparedEntity,
  type PreparedJson,
} from "./match.ts";
