// Blocking keys: a few short strings per name such that two names of the same person share at least
// one, and a query over 1,000,000 entities reaches only a few hundred candidates. The database keeps
// them in a (key, birth decade, entity) btree (src/screening), so a query with a birth date reads
// only its decades, and the block sizes that steer the plan are counted only up to the budget.
//
// Keys, over every reading of every name (direct, transliterated, bridged):
//  - "p:" + the phonetic keys of two tokens, sorted so order does not matter — a token pair is far
//    rarer than either token, which is what keeps blocks small when given names are common
//    (Muhammad, Abdulla, Gulnar…);
//  - "t:" + the phonetic key of one token, for single-token names and as a fallback the query
//    planner uses only when the token is rare (then its block is counted only that far, countLimit);
//  - "j:" + the phonetic key of the name with spaces removed, for Abdu Rahman / Abdurahman.
//    (The phonetic key is cut at 40 letters, so one long name gives a bounded key.)
import { parseEdtfIntervals } from "./birth-date.ts";
import { normalizeName } from "./tokens.ts";
import { phoneticKey } from "./phonetic.ts";

const MAX_TOKENS_FOR_PAIRS = 5;
const MAX_KEYS = 64;
// A one-consonant key (a token like "Ali" → "L") would block with a large share of any population.
const MIN_SINGLE_KEY = 2;

export function blockingKeys(names: readonly string[]): string[] {
  const keys = new Set<string>();
  for (const name of names.slice(0, 12)) {
    for (const reading of normalizeName(name).readings) {
      const tokenKeys = [...new Set(reading.tokens.map((t) => phoneticKey(t)).filter((k) => k.length > 0))].slice(0, MAX_TOKENS_FOR_PAIRS);
      for (let i = 0; i < tokenKeys.length; i++) {
        const a = tokenKeys[i] ?? "";
        if (a.length >= MIN_SINGLE_KEY) keys.add(`t:${a}`);
        for (let j = i + 1; j < tokenKeys.length; j++) {
          const b = tokenKeys[j] ?? "";
          keys.add(a < b ? `p:${a}|${b}` : `p:${b}|${a}`);
        }
      }
      // Also for one-token names, so that "Abdurahman" meets "Abdu Rahman".
      const joined = phoneticKey(reading.tokens.join(""));
      if (joined.length >= 3) keys.add(`j:${joined}`);
    }
  }
  return [...keys].slice(0, MAX_KEYS);
}

/** A record or query whose birth dates spread over more decades than this is treated as undated. */
const MAX_DECADES = 3;

/**
 * The birth decades (yyy of yyyy) that EDTF birth dates allow, or null when they allow none or more
 * than MAX_DECADES ("19XX", "../1990", nothing readable): such a record meets queries of every
 * decade. Two dates that compareBirthDates finds compatible always share a decade here, so keying by
 * decade never separates a record from a query its birth date agrees with.
 */
export function birthDecades(dates: readonly string[]): number[] | null {
  const decades = new Set<number>();
  for (const interval of dates.slice(0, 10).flatMap(parseEdtfIntervals)) {
    const first = Math.floor(interval.start / 100_000);
    const last = Math.floor(interval.end / 100_000);
    if (last - first >= MAX_DECADES) return null;
    for (let d = first; d <= last; d++) decades.add(d);
    if (decades.size > MAX_DECADES) return null;
  }
  return decades.size > 0 ? [...decades].sort((a, b) => a - b) : null;
}

/** The decade stored for a record without a usable birth date. */
export const UNKNOWN_DECADE = -1;

/** How many records have a key, counted up to a cap: `capped` means "at least `size`". */
export interface BlockSize {
  size: number;
  capped: boolean;
}

export interface CandidatePlan {
  /** Keys to read, each with the most records to take from it. */
  keys: { key: string; limit: number }[];
  /** True when a block was larger than the budget and only part of it is read. */
  truncated: boolean;
}

/**
 * A single-token key (one name part) is read beside pair and joined keys only when its block is at
 * most this share of the budget: a rare name part ("Tohti") is cheap insurance for spellings whose
 * other part's skeleton differs, a common one ("Muhammad") would fill the budget with records that
 * share nothing else with the query.
 */
const RARE_SINGLE_SHARE = 0.1;

/**
 * How far to count a key's block for a query: one more than the most that would be read from it,
 * so that a block counted to this limit is known to be larger. A single-token key of a query that
 * also has pair or joined keys is read only when rare, so it is counted only that far: common name
 * parts of big indexes are never counted in full.
 */
export function countLimit(key: string, queryKeys: readonly string[], budget: number): number {
  const single = key.startsWith("t:");
  return single && queryKeys.some((k) => !k.startsWith("t:")) ? Math.floor(budget * RARE_SINGLE_SHARE) + 1 : budget + 1;
}

/**
 * Chooses which of a query's keys to look up, given the size of each key's block in the index
 * (counted up to just over `budget`). Pair and joined keys are read rarest first while the total
 * stays within `budget`; single-token keys only when they are rare, or when the query has no pair
 * or joined key that reaches anything (a one-word name). At least one key is always chosen, so a
 * query never finds nothing merely because its names are common; when even the rarest block is
 * over budget, only `budget` of its records are read and the plan says so.
 */
export function planCandidateKeys(keys: readonly string[], blockSize: (key: string) => BlockSize, budget = 500): CandidatePlan {
  const sized = keys
    .map((key) => ({ key, ...blockSize(key), single: key.startsWith("t:") }))
    .filter((k) => k.size > 0)
    .sort((a, b) => a.size - b.size || (a.key < b.key ? -1 : 1));
  const strong = sized.filter((k) => !k.single);
  const singles = sized.filter((k) => k.single && (strong.length === 0 || k.size <= budget * RARE_SINGLE_SHARE));
  const plan: CandidatePlan = { keys: [], truncated: false };
  let total = 0;
  for (const k of [...strong, ...singles]) {
    if (plan.keys.length > 0 && (k.capped || total + k.size > budget)) continue;
    const limit = Math.min(k.size, budget);
    plan.keys.push({ key: k.key, limit });
    if (k.capped || k.size > budget) plan.truncated = true;
    total += limit;
  }
  return plan;
}
