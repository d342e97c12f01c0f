// Levenshtein distance with two rows of memory, on inputs cut to MAX_LENGTH code units.

const MAX_LENGTH = 64;

export function levenshtein(a: string, b: string): number {
  const s = a.slice(0, MAX_LENGTH);
  const t = b.slice(0, MAX_LENGTH);
  if (s === t) return 0;
  if (s.length === 0) return t.length;
  if (t.length === 0) return s.length;
  let prev = Array.from({ length: t.length + 1 }, (_, j) => j);
  let curr = new Array<number>(t.length + 1).fill(0);
  for (let i = 1; i <= s.length; i++) {
    curr[0] = i;
    for (let j = 1; j <= t.length; j++) {
      const cost = s[i - 1] === t[j - 1] ? 0 : 1;
      curr[j] = Math.min((prev[j] ?? 0) + 1, (curr[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + cost);
    }
    [prev, curr] = [curr, prev];
  }
  return prev[t.length] ?? 0;
}

/** 1 − distance / longer length: 1 for equal strings, 0 for nothing in common. */
export function levenshteinSimilarity(a: string, b: string): number {
  const longer = Math.max(Math.min(a.length, MAX_LENGTH), Math.min(b.length, MAX_LENGTH));
  if (longer === 0) return 0;
  return 1 - levenshtein(a, b) / longer;
}
