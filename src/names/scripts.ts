// Which writing system a run of text is in. We only distinguish the scripts whose names we
// transliterate with a dedicated table; everything else goes through the general fallback.

export type Script = "Latin" | "Cyrillic" | "Arabic" | "Han" | "Other";

export function scriptOfChar(ch: string): Script | null {
  const cp = ch.codePointAt(0) ?? 0;
  if ((cp >= 0x41 && cp <= 0x5a) || (cp >= 0x61 && cp <= 0x7a) || (cp >= 0xc0 && cp <= 0x24f) || (cp >= 0x1e00 && cp <= 0x1eff)) {
    return cp === 0xd7 || cp === 0xf7 ? null : "Latin";
  }
  if (cp >= 0x30 && cp <= 0x39) return null;
  if (cp >= 0x400 && cp <= 0x52f) return "Cyrillic";
  if ((cp >= 0x600 && cp <= 0x6ff) || (cp >= 0x750 && cp <= 0x77f) || (cp >= 0xfb50 && cp <= 0xfdff) || (cp >= 0xfe70 && cp <= 0xfeff)) {
    return "Arabic";
  }
  if ((cp >= 0x3400 && cp <= 0x4dbf) || (cp >= 0x4e00 && cp <= 0x9fff) || (cp >= 0xf900 && cp <= 0xfaff) || (cp >= 0x20000 && cp <= 0x3134f)) {
    return "Han";
  }
  if (/\p{L}/u.test(ch)) return "Other";
  return null;
}

/** The scripts present in `text`, most frequent first. */
export function detectScripts(text: string): Script[] {
  const counts = new Map<Script, number>();
  for (const ch of text) {
    const s = scriptOfChar(ch);
    if (s) counts.set(s, (counts.get(s) ?? 0) + 1);
  }
  return [...counts.entries()].sort((a, b) => b[1] - a[1]).map(([s]) => s);
}
