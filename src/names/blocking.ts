// Blocking keys: a few short strings per name such that two names of the same person share at least
// one, and a query over 1,000,000 entities reaches only a few hundred candidates. The database keeps
// them in an indexed text[] column (GIN) or a (key, entity) table (btree).
//
// Keys, over every reading of every name (direct, transliterated, bridged):
//  - "p:" + the phonetic keys of two tokens, sorted so order does not matter — a token pair is far
//    rarer than either token, which is what keeps blocks small when given names are common
//    (Muhammad, Abdulla, Gulnar…);
//  - "t:" + the phonetic key of one token, for single-token names and as a fallback the query
//    planner uses only when the token is rare;
//  - "j:" + the phonetic key of the name with spaces removed, for Abdu Rahman / Abdurahman.
//    (The phonetic key is cut at 40 letters, so one long name gives a bounded key.)
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

/**
 * Chooses which of a query's keys to look up, given the size of each key's block in the index:
 * the rarest first, until the expected candidate count reaches `budget`. Pair and joined keys are
 * always preferred to single-token keys of the same size. At least one key is always chosen, so a
 * query never finds nothing merely because its names are common.
 */
export function planCandidateKeys(keys: readonly string[], blockSize: (key: string) => number, budget = 500): string[] {
  const sized = keys
    .map((key) => ({ key, size: blockSize(key), single: key.startsWith("t:") }))
    .filter((k) => k.size > 0)
    .sort((a, b) => a.size - b.size || Number(a.single) - Number(b.single));
  const chosen: string[] = [];
  let total = 0;
  for (const k of sized) {
    if (chosen.length > 0 && total + k.size > budget) continue;
    chosen.push(k.key);
    total += k.size;
  }
  return chosen;
}
