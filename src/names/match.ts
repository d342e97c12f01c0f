// The matcher: two entities, each with any number of names in any scripts, and optionally birth
// dates, nationalities, genders and identifiers → a score in [0, 1], the features that drove it
// (named as yente's scoring features are, so a yente-compatible /match can return them) and a
// human-readable explanation.
import { compareBirthDates } from "./birth-date.ts";
import { normalizeCompanyName } from "./legal-forms.ts";
import { Memo } from "../core/index.ts";
import { phoneticKey } from "./phonetic.ts";
import { compareSyllables, compareTokens, type TokenComparison } from "./token-similarity.ts";
import { segmentPinyin } from "./transliterate-chinese.ts";
import { normalizeName, type NameReading, type ReadingSource } from "./tokens.ts";

export type EntitySchema = "Person" | "Company" | "Organization" | "LegalEntity" | "PublicBody" | "Vessel" | "Airplane";

export interface EntityNames {
  schema: EntitySchema;
  names: string[];
  /** EDTF strings. */
  birthDate?: string[];
  /** Country codes or names; compared case-insensitively. */
  nationality?: string[];
  gender?: string[];
  identifiers?: string[];
}

export interface MatchOptions {
  threshold?: number;
}

export interface MatchResult {
  score: number;
  match: boolean;
  features: Record<string, number>;
  explanation: string[];
}

/** The default decision threshold, chosen on the tuning half of test/fixtures/names (see the evaluation test). */
export const DEFAULT_THRESHOLD = 0.8;

const MAX_NAMES = 12;
const MAX_TOKENS = 8;

interface PreparedReading {
  tokens: string[];
  keys: string[];
  /** Each token's weight in the alignment (tokenWeight). */
  weights: number[];
  /** The tokens with spaces removed, and its phonetic key, for compareJoined. */
  joined: string;
  joinedKey: string;
  sources: ReadingSource[];
  /** Pinyin syllables per token, when the reading is a Chinese personal name. */
  syllables: string[][] | null;
}

interface PreparedName {
  original: string;
  literal: string;
  readings: PreparedReading[];
  legalForms: string[];
}

/** An entity with its names normalised once, for scoring one query against many candidates. */
export interface PreparedEntity {
  entity: EntityNames;
  names: PreparedName[];
  /** Nationalities, genders and identifiers, folded for comparison. */
  facts: Facts;
}

interface Facts {
  nationality: Set<string>;
  gender: Set<string>;
  identifiers: Set<string>;
}

function isOrganisation(schema: EntitySchema): boolean {
  return schema === "Company" || schema === "Organization" || schema === "LegalEntity" || schema === "PublicBody";
}

function prepareReading(reading: NameReading): PreparedReading {
  const tokens = reading.tokens.slice(0, MAX_TOKENS);
  const syllables = reading.chinesePersonalName ? tokens.map((t) => segmentPinyin(t) ?? [t]) : null;
  const joined = tokens.join("");
  return { tokens, keys: tokens.map((t) => phoneticKey(t)), weights: tokens.map(tokenWeight), joined, joinedKey: phoneticKey(joined), sources: reading.sources, syllables };
}

export function prepareEntity(entity: EntityNames): PreparedEntity {
  const names: PreparedName[] = [];
  for (const raw of (entity.names ?? []).slice(0, MAX_NAMES)) {
    let text = typeof raw === "string" ? raw : "";
    let legalForms: string[] = [];
    if (isOrganisation(entity.schema)) {
      const company = normalizeCompanyName(text);
      text = company.name;
      legalForms = company.legalForms;
    }
    const normalized = normalizeName(text);
    if (normalized.readings.length === 0) continue;
    names.push({
      original: normalized.original,
      literal: normalized.readings[0]?.tokens.join(" ") ?? "",
      readings: normalized.readings.map(prepareReading),
      legalForms,
    });
  }
  return { entity, names, facts: factsOf(entity) };
}

function isPrepared(x: EntityNames | PreparedEntity): x is PreparedEntity {
  return "entity" in x && Array.isArray((x as PreparedEntity).names);
}

/**
 * Names the version of everything that goes into a prepared entity (normalisation, transliteration
 * tables, phonetic keys). Stored beside prepared entities kept in the database; change it whenever
 * a change here would prepare a name differently, so stale ones are prepared again.
 */
export const ENGINE_VERSION = "vigil-names-1";

type ReadingJson = [tokens: string[], keys: string[], sources: ReadingSource[], syllables: string[][] | null];
type NameJson = [original: string, literal: string, legalForms: string[], readings: ReadingJson[]];

/** A prepared entity as plain JSON, to keep in the database and restore without preparing again. */
export interface PreparedJson {
  entity: EntityNames;
  names: NameJson[];
}

export function preparedToJson(p: PreparedEntity): PreparedJson {
  return {
    entity: p.entity,
    names: p.names.map((n) => [n.original, n.literal, n.legalForms, n.readings.map((r) => [r.tokens, r.keys, r.sources, r.syllables])]),
  };
}

const isStrings = (x: unknown): x is string[] => Array.isArray(x) && x.every((v) => typeof v === "string");

/** Restores what preparedToJson wrote; null when it is not in that shape. */
export function preparedFromJson(json: unknown): PreparedEntity | null {
  const j = json as PreparedJson | null;
  if (!j || typeof j !== "object" || !j.entity || typeof j.entity.schema !== "string" || !isStrings(j.entity.names) || !Array.isArray(j.names)) return null;
  const names: PreparedName[] = [];
  for (const n of j.names) {
    if (!Array.isArray(n) || typeof n[0] !== "string" || typeof n[1] !== "string" || !isStrings(n[2]) || !Array.isArray(n[3])) return null;
    const readings: PreparedReading[] = [];
    for (const r of n[3]) {
      if (!Array.isArray(r) || !isStrings(r[0]) || !isStrings(r[1]) || r[1].length !== r[0].length || !isStrings(r[2])) return null;
      const syllables = Array.isArray(r[3]) && r[3].length === r[0].length && r[3].every(isStrings) ? r[3] : null;
      const joined = r[0].join("");
      readings.push({ tokens: r[0], keys: r[1], weights: r[0].map(tokenWeight), joined, joinedKey: phoneticKey(joined), sources: r[2], syllables });
    }
    names.push({ original: n[0], literal: n[1], legalForms: n[2], readings });
  }
  return { entity: j.entity, names, facts: factsOf(j.entity) };
}

// Weight of a token in the alignment: longer tokens carry more of a name's identity than short ones
// ("Li", "Ma", initials), but sub-linearly so one long token does not swamp the rest.
function tokenWeight(token: string): number {
  return Math.sqrt(Math.min(token.length, 16));
}

/** A token that appears only on the side with more tokens (a patronymic, a middle name) costs this share of its weight. */
const EXTRA_TOKEN_COST = 0.5;
/** Token pairs below this similarity are not the same token. */
const MIN_TOKEN_SIMILARITY = 0.7;
/** Comparing whole names with spaces removed (Abdu Rahman / Abdurahman) is slightly weaker evidence. */
const JOINED_DISCOUNT = 0.95;

interface Alignment {
  score: number;
  phoneticShare: number;
  initials: number;
  extraTokens: number;
  matchedTokens: number;
}

function alignReadings(q: PreparedReading, c: PreparedReading): Alignment {
  const n = q.tokens.length;
  const m = c.tokens.length;
  const pairs: { i: number; j: number; sim: number; phonetic: boolean; initial: boolean }[] = [];
  const syllabic = q.syllables !== null && c.syllables !== null;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < m; j++) {
      const t: TokenComparison = syllabic
        ? { similarity: compareSyllables(q.syllables?.[i] ?? [], c.syllables?.[j] ?? []), phonetic: false, initial: false }
        : compareTokensMemo(q.tokens[i] ?? "", c.tokens[j] ?? "", q.keys[i] ?? "", c.keys[j] ?? "");
      if (t.similarity >= MIN_TOKEN_SIMILARITY) pairs.push({ i, j, sim: t.similarity, phonetic: t.phonetic, initial: t.initial });
    }
  }
  // Greedy assignment, best pairs first, regardless of order: names are written surname-first or
  // last depending on script and source. (At most 8×8 tokens, so greedy is close to optimal.)
  pairs.sort((a, b) => b.sim - a.sim);
  const usedQ = new Array<boolean>(n).fill(false);
  const usedC = new Array<boolean>(m).fill(false);
  let matchedWeight = 0;
  let scored = 0;
  let phonetic = 0;
  let initials = 0;
  let matchedTokens = 0;
  for (const p of pairs) {
    if (usedQ[p.i] || usedC[p.j]) continue;
    usedQ[p.i] = usedC[p.j] = true;
    const w = (q.weights[p.i] ?? 0) + (c.weights[p.j] ?? 0);
    matchedWeight += w;
    scored += w * p.sim;
    matchedTokens++;
    if (p.phonetic) phonetic++;
    if (p.initial) initials++;
  }
  let unmatchedWeight = 0;
  let extraTokens = 0;
  const qExtraFactor = n > m ? EXTRA_TOKEN_COST : 1;
  const cExtraFactor = m > n ? EXTRA_TOKEN_COST : 1;
  for (let i = 0; i < n; i++) {
    if (usedQ[i]) continue;
    unmatchedWeight += (q.weights[i] ?? 0) * qExtraFactor;
    extraTokens++;
  }
  for (let j = 0; j < m; j++) {
    if (usedC[j]) continue;
    unmatchedWeight += (c.weights[j] ?? 0) * cExtraFactor;
    extraTokens++;
  }
  const total = matchedWeight + unmatchedWeight;
  return {
    score: total > 0 ? scored / total : 0,
    phoneticShare: matchedTokens > 0 ? phonetic / Math.max(n, m) : 0,
    initials,
    extraTokens,
    matchedTokens,
  };
}

// Token comparisons are pure, and the same pairs recur across candidates (every
// candidate in a block shares a token with the query): remember them.
const tokenComparisons = new Memo<TokenComparison>(200_000);

function compareTokensMemo(a: string, b: string, keyA: string, keyB: string): TokenComparison {
  if (a === b) return compareTokens(a, b, keyA, keyB);
  const key = `${a}\u0000${b}`;
  return tokenComparisons.get(key, () => compareTokens(a, b, keyA, keyB));
}

function compareJoined(q: PreparedReading, c: PreparedReading): number {
  if (q.tokens.length < 2 && c.tokens.length < 2) return 0;
  if (q.syllables && c.syllables) return compareSyllables(q.syllables.flat(), c.syllables.flat()) * JOINED_DISCOUNT;
  return compareTokensMemo(q.joined, c.joined, q.joinedKey, c.joinedKey).similarity * JOINED_DISCOUNT;
}

interface NameComparison {
  score: number;
  alignment: Alignment;
  joined: boolean;
  query: PreparedName;
  candidate: PreparedName;
  qReading: PreparedReading;
  cReading: PreparedReading;
}

function compareNames(query: PreparedEntity, candidate: PreparedEntity): NameComparison | null {
  let best: NameComparison | null = null;
  for (const qn of query.names) {
    for (const cn of candidate.names) {
      // When both names read as Chinese personal names, that reading decides: the letter-by-letter
      // Cyrillic reading of a Palladius name (Ли Кэцян → li ketsyan) must not outvote the characters.
      const bothChinese = qn.readings.some((r) => r.syllables) && cn.readings.some((r) => r.syllables);
      for (const qr of qn.readings) {
        if (bothChinese && !qr.syllables) continue;
        for (const cr of cn.readings) {
          if (bothChinese && !cr.syllables) continue;
          const alignment = alignReadings(qr, cr);
          const joined = compareJoined(qr, cr);
          const score = Math.max(alignment.score, joined);
          if (!best || score > best.score) {
            best = { score, alignment, joined: joined > alignment.score, query: qn, candidate: cn, qReading: qr, cReading: cr };
          }
        }
      }
    }
  }
  return best;
}

function normalizedSet(values: readonly string[] | undefined, fold: (v: string) => string): Set<string> {
  return new Set((values ?? []).slice(0, 20).map((v) => fold(typeof v === "string" ? v : "")).filter((v) => v.length > 0));
}

function foldIdentifier(v: string): string {
  const id = v.toUpperCase().replace(/[^\p{L}\p{N}]/gu, "");
  return id.length >= 4 ? id : "";
}

function factsOf(entity: EntityNames): Facts {
  return {
    nationality: normalizedSet(entity.nationality, (v) => v.trim().toLowerCase()),
    gender: normalizedSet(entity.gender, foldGender),
    identifiers: normalizedSet(entity.identifiers, foldIdentifier),
  };
}

function foldGender(v: string): string {
  const g = v.trim().toLowerCase();
  if (g === "m" || g === "male" || g === "man") return "male";
  if (g === "f" || g === "female" || g === "woman") return "female";
  return g === "" ? "" : "other";
}

function disjoint(a: Set<string>, b: Set<string>): boolean | null {
  if (a.size === 0 || b.size === 0) return null;
  for (const x of a) if (b.has(x)) return false;
  return true;
}

// Adjustments after the name score. Sizes follow the spirit of yente's logic-v1 weights: a birth-date
// contradiction is strong evidence against, a shared identifier strong evidence for, nationality and
// gender weak (exiles change nationality; records mistype gender).
const DOB_MATCH_BONUS = 0.05;
const DOB_MISMATCH_PENALTY = 0.25;
const NATIONALITY_MISMATCH_PENALTY = 0.1;
const GENDER_MISMATCH_PENALTY = 0.15;
const IDENTIFIER_MATCH_BONUS = 0.3;

/**
 * Scores how likely `query` and `candidate` are the same entity. Names are compared pairwise across
 * every reading (direct, transliterated, bridged) and the best pair counts; then birth date,
 * nationality, gender and identifiers adjust the score when both sides have them.
 */
export function matchNames(query: EntityNames | PreparedEntity, candidate: EntityNames | PreparedEntity, opts: MatchOptions = {}): MatchResult {
  const threshold = opts.threshold ?? DEFAULT_THRESHOLD;
  const q = isPrepared(query) ? query : prepareEntity(query);
  const c = isPrepared(candidate) ? candidate : prepareEntity(candidate);
  const features: Record<string, number> = {};
  const explanation: string[] = [];

  if (isOrganisation(q.entity.schema) !== isOrganisation(c.entity.schema)) {
    features.schema_mismatch = 1;
    explanation.push(`schemata ${q.entity.schema} and ${c.entity.schema} cannot be the same entity`);
    return { score: 0, match: false, features, explanation };
  }
  const best = compareNames(q, c);
  if (!best) {
    explanation.push("no comparable name on one side");
    return { score: 0, match: false, features: { name_match: 0 }, explanation };
  }
  let score = best.score;
  features.name_match = round(best.score);
  features.name_phonetic = round(best.alignment.phoneticShare);
  if (best.query.literal === best.candidate.literal) features.name_literal_match = 1;
  if (best.alignment.initials > 0) features.name_initials = best.alignment.initials;
  if (best.alignment.extraTokens > 0) features.name_extra_tokens = best.alignment.extraTokens;
  if (best.joined) features.name_joined = 1;
  const transliterated = [...best.qReading.sources, ...best.cReading.sources].filter((s) => s !== "latin");
  if (transliterated.length > 0) features.name_transliterated = 1;
  explanation.push(
    `best names: "${best.query.original}" [${best.qReading.tokens.join(" ")} via ${best.qReading.sources.join("+")}] ~ ` +
      `"${best.candidate.original}" [${best.cReading.tokens.join(" ")} via ${best.cReading.sources.join("+")}] = ${round(best.score)}`,
  );
  if (best.alignment.phoneticShare > 0) explanation.push(`phonetic keys agree on ${Math.round(best.alignment.phoneticShare * 100)}% of tokens`);
  if (best.alignment.extraTokens > 0) explanation.push(`${best.alignment.extraTokens} token(s) without a counterpart`);

  if (isOrganisation(q.entity.schema)) {
    const qForms = new Set(best.query.legalForms);
    const cForms = new Set(best.candidate.legalForms);
    if (disjoint(qForms, cForms)) {
      features.legal_form_mismatch = 1;
      explanation.push(`legal forms differ: ${[...qForms].join(",")} vs ${[...cForms].join(",")}`);
    }
  }

  const dob = compareBirthDates(q.entity.birthDate ?? [], c.entity.birthDate ?? []);
  if (dob === "same-day" || dob === "compatible") {
    features.dob_match = dob === "same-day" ? 1 : 0.5;
    score += DOB_MATCH_BONUS * features.dob_match;
    explanation.push(`birth dates ${dob === "same-day" ? "agree on the day" : "are compatible"}`);
  } else if (dob === "mismatch") {
    features.dob_mismatch = 1;
    score -= DOB_MISMATCH_PENALTY;
    explanation.push("birth dates are incompatible");
  }
  const nat = disjoint(q.facts.nationality, c.facts.nationality);
  if (nat === true) {
    features.country_mismatch = 1;
    score -= NATIONALITY_MISMATCH_PENALTY;
    explanation.push("no nationality in common");
  }
  const gender = disjoint(q.facts.gender, c.facts.gender);
  if (gender === true) {
    features.gender_mismatch = 1;
    score -= GENDER_MISMATCH_PENALTY;
    explanation.push("genders differ");
  }
  if (disjoint(q.facts.identifiers, c.facts.identifiers) === false) {
    features.identifier_match = 1;
    score += IDENTIFIER_MATCH_BONUS;
    explanation.push("an identifier is shared");
  }
  score = round(Math.min(1, Math.max(0, score)));
  return { score, match: score >= threshold, features, explanation };
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
