// Jaro–Winkler similarity (Winkler 1990, "String Comparator Metrics and Enhanced Decision Rules in the
// Fellegi-Sunter Model of Record Linkage"): Jaro's matching-characters measure with a bonus for a
// common prefix of up to four characters, scaling factor 0.1. Inputs are cut to MAX_LENGTH code
// units so the quadratic scan stays small.

const MAX_LENGTH = 64;

export function jaro(a: string, b: string): number {
  const s1 = a.slice(0, MAX_LENGTH);
  const s2 = b.slice(0, MAX_LENGTH);
  if (s1 === s2) return s1.length === 0 ? 0 : 1;
  if (s1.length === 0 || s2.length === 0) return 0;
  const window = Math.max(0, Math.floor(Math.max(s1.length, s2.length) / 2) - 1);
  const matched1 = new Array<boolean>(s1.length).fill(false);
  const matched2 = new Array<boolean>(s2.length).fill(false);
  let matches = 0;
  for (let i = 0; i < s1.length; i++) {
    const lo = Math.max(0, i - window);
    const hi = Math.min(s2.length - 1, i + window);
    for (let j = lo; j <= hi; j++) {
      if (matched2[j] || s1[i] !== s2[j]) continue;
      matched1[i] = true;
      matched2[j] = true;
      matches++;
      break;
    }
  }
  if (matches === 0) return 0;
  let transpositions = 0;
  let k = 0;
  for (let i = 0; i < s1.length; i++) {
    if (!matched1[i]) continue;
    while (!matched2[k]) k++;
    if (s1[i] !== s2[k]) transpositions++;
    k++;
  }
  const m = matches;
  return (m / s1.length + m / s2.length + (m - transpositions / 2) / m) / 3;
}

export function jaroWinkler(a: string, b: string, prefixScale = 0.1): number {
  const j = jaro(a, b);
  let prefix = 0;
  const limit = Math.min(4, a.length, b.length);
  while (prefix < limit && a[prefix] === b[prefix]) prefix++;
  return j + prefix * prefixScale * (1 - j);
}
