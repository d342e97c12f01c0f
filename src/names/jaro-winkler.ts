// Jaro–Winkler similarity (Winkler 1990, "String Comparator Metrics and Enhanced Decision Rules in the
// Fellegi-Sunter Model of Record Linkage"): Jaro's matching-characters measure with a bonus for a
// common prefix of up to four characters, scaling factor 0.1. Inputs are cut to MAX_LENGTH code
// units so the quadratic scan stays small.

const MAX_LENGTH = 64;
// Match flags, preallocated once and cleared per call (the matcher calls this very often).
const matched1 = new Uint8Array(MAX_LENGTH);
const matched2 = new Uint8Array(MAX_LENGTH);

export function jaro(a: string, b: string): number {
  const n1 = Math.min(a.length, MAX_LENGTH);
  const n2 = Math.min(b.length, MAX_LENGTH);
  if (n1 === 0 || n2 === 0) return 0;
  if (n1 === n2 && a.slice(0, n1) === b.slice(0, n2)) return 1;
  const window = Math.max(0, Math.floor(Math.max(n1, n2) / 2) - 1);
  matched1.fill(0, 0, n1);
  matched2.fill(0, 0, n2);
  let matches = 0;
  for (let i = 0; i < n1; i++) {
    const lo = Math.max(0, i - window);
    const hi = Math.min(n2 - 1, i + window);
    const c = a.charCodeAt(i);
    for (let j = lo; j <= hi; j++) {
      if (matched2[j] || c !== b.charCodeAt(j)) continue;
      matched1[i] = 1;
      matched2[j] = 1;
      matches++;
      break;
    }
  }
  if (matches === 0) return 0;
  let transpositions = 0;
  let k = 0;
  for (let i = 0; i < n1; i++) {
    if (!matched1[i]) continue;
    while (!matched2[k]) k++;
    if (a.charCodeAt(i) !== b.charCodeAt(k)) transpositions++;
    k++;
  }
  const m = matches;
  return (m / n1 + m / n2 + (m - transpositions / 2) / m) / 3;
}

export function jaroWinkler(a: string, b: string, prefixScale = 0.1): number {
  const j = jaro(a, b);
  let prefix = 0;
  const limit = Math.min(4, a.length, b.length);
  while (prefix < limit && a[prefix] === b[prefix]) prefix++;
  return j + prefix * prefixScale * (1 - j);
}
