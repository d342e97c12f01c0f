// Levenshtein distance with two rows of memory, on inputs cut to MAX_LENGTH code units. The rows are
// preallocated once: the matcher calls this hundreds of thousands of times per second.

const MAX_LENGTH = 64;
let prev = new Int32Array(MAX_LENGTH + 1);
let curr = new Int32Array(MAX_LENGTH + 1);

export function levenshtein(a: string, b: string): number {
  const n = Math.min(a.length, MAX_LENGTH);
  const m = Math.min(b.length, MAX_LENGTH);
  if (n === 0) return m;
  if (m === 0) return n;
  if (n === m && a.slice(0, n) === b.slice(0, m)) return 0;
  for (let j = 0; j <= m; j++) prev[j] = j;
  for (let i = 1; i <= n; i++) {
    curr[0] = i;
    const ca = a.charCodeAt(i - 1);
    for (let j = 1; j <= m; j++) {
      const substitute = prev[j - 1]! + (ca === b.charCodeAt(j - 1) ? 0 : 1);
      const remove = prev[j]! + 1;
      const insert = curr[j - 1]! + 1;
      curr[j] = substitute < remove ? (substitute < insert ? substitute : insert) : remove < insert ? remove : insert;
    }
    const swap = prev;
    prev = curr;
    curr = swap;
  }
  return prev[m]!;
}

/** 1 − distance / longer length: 1 for equal strings, 0 for nothing in common. */
export function levenshteinSimilarity(a: string, b: string): number {
  const longer = Math.max(Math.min(a.length, MAX_LENGTH), Math.min(b.length, MAX_LENGTH));
  if (longer === 0) return 0;
  return 1 - levenshtein(a, b) / longer;
}
