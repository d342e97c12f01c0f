// Similarity of two Latin name tokens: edit similarity (half Jaro–Winkler, which forgives the
// variation at the ends of names, half Levenshtein, which does not forgive reordered syllables such
// as quanguo/guoquan), lifted when the phonetic skeletons agree, since then the difference is one the
// scripts produce (Tohti/Toxti/Tuheti) rather than a different name.
import { levenshteinSimilarity } from "./edit-distance.ts";
import { jaroWinkler } from "./jaro-winkler.ts";
import { phoneticKey } from "./phonetic.ts";

export interface TokenComparison {
  similarity: number;
  phonetic: boolean;
  initial: boolean;
}

export function editSimilarity(a: string, b: string): number {
  return 0.5 * jaroWinkler(a, b) + 0.5 * levenshteinSimilarity(a, b);
}

export function compareTokens(a: string, b: string, keyA = phoneticKey(a), keyB = phoneticKey(b)): TokenComparison {
  if (a === b) return { similarity: 1, phonetic: keyA.length > 0, initial: false };
  // An initial ("I. Tohti") stands for any token it begins; it is weak evidence.
  if ((a.length === 1 && b.startsWith(a)) || (b.length === 1 && a.startsWith(b))) {
    return { similarity: 0.8, phonetic: false, initial: true };
  }
  const edit = editSimilarity(a, b);
  if (keyA.length >= 2 && keyA === keyB) {
    // Longer skeletons are stronger evidence: "PTLXT" agreeing says more than "LM".
    const floor = 0.78 + 0.04 * Math.min(keyA.length, 4);
    return { similarity: Math.min(0.98, Math.max(edit, floor + 0.05 * edit)), phonetic: true, initial: false };
  }
  return { similarity: edit, phonetic: false, initial: false };
}
