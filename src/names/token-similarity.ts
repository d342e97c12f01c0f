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
  if (keyA.length >= 1 && keyA === keyB) {
    // Longer skeletons are stronger evidence: "PTLXT" agreeing says more than "LM".
    const floor = 0.78 + 0.04 * Math.min(keyA.length, 4);
    return { similarity: Math.min(0.98, Math.max(edit, floor + 0.05 * edit)), phonetic: true, initial: false };
  }
  // Skeletons that begin with different consonant classes are rarely spellings of one name
  // (Gulshan/Rushan, Kezhi/Leji); vowels in front do not count (Ilham/Yilihamu share "LM").
  const differentOnset = keyA.length > 0 && keyB.length > 0 && keyA[0] !== keyB[0];
  return { similarity: differentOnset ? edit * ONSET_MISMATCH_FACTOR : edit, phonetic: false, initial: false };
}

const ONSET_MISMATCH_FACTOR = 0.85;

/**
 * Two tokens of Chinese personal names in pinyin, compared syllable by syllable in order: every
 * syllable is a character, and a different or displaced character is a different name (陈全国 /
 * 陈国全, 李克强 / 李强). Identical syllable sequences are equal; otherwise the share of syllables in
 * the longest common subsequence, capped well below a match.
 */
export function compareSyllables(a: readonly string[], b: readonly string[]): number {
  if (a.length === b.length && a.every((s, i) => s === b[i])) return 1;
  const n = a.length;
  const m = b.length;
  if (n === 0 || m === 0) return 0;
  const dp: number[][] = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(0));
  for (let i = 1; i <= n; i++) {
    for (let j = 1; j <= m; j++) {
      const row = dp[i] ?? [];
      const up = dp[i - 1] ?? [];
      row[j] = a[i - 1] === b[j - 1] ? (up[j - 1] ?? 0) + 1 : Math.max(up[j] ?? 0, row[j - 1] ?? 0);
    }
  }
  return 0.5 * ((dp[n]?.[m] ?? 0) / Math.max(n, m));
}
