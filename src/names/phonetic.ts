// Phonetic keys: a consonant skeleton with merged classes, built for the ways one Uyghur, Kazakh or
// Chinese name is spelled across scripts, rather than for English (Soundex, Metaphone).
//
// What varies, and so is merged or dropped:
//  - vowels: ULY e/ë/i/u/ü vs English a/i/u vs pinyin's inserted vowels (Tohti/Tuheti) → dropped;
//  - y and the h-like sounds h/x/kh: Chinese renderings drop or add them (Mehmet/Maimaiti,
//    Rahile/Reyila), and ULY x is English kh or h (Toxti/Tokhti/Tohti) → dropped;
//  - velars q/k/g/gh (Qadir/Kadir, Ghulja/Gulja) → K;
//  - voiced/voiceless pairs, since pinyin b/d/g are voiceless and Turkic ends devoice
//    (Dawut/Davud, Yusup/Yusuf, Tiyip/特依拜 Teyibai) → P (b/p/f), T (d/t);
//  - affricates j/zh/ch/ç (Hoja/Khoja/Xoja, Jalalidin, 江 -jan) → J; sibilants s/z/ts → S; sh/ş → X;
//  - w/v (Dawut/Davut) → W; l/r, which Chinese characters confuse (白克力 Bekri, 拉提 -rat) → L;
// Doubled letters collapse (Muhammad/Muhamad); the same class on both sides of a vowel does not
// (Tohti → TT, not T), so short names keep their shape.
import { Memo } from "../core/index.ts";

const DIGRAPHS: ReadonlyArray<readonly [RegExp, string]> = [
  [/shch|sch|sh/g, "X"],
  [/tch|dzh|dj|zh|ch|j/g, "J"],
  [/kh/g, "h"],
  [/gh|ck/g, "K"],
  [/ph/g, "P"],
  [/th/g, "T"],
  [/ts|tz/g, "S"],
  [/c(?=[eiy])/g, "S"],
];

const SINGLE: Readonly<Record<string, string>> = {
  b: "P", p: "P", f: "P", d: "T", t: "T", g: "K", k: "K", q: "K", c: "K", s: "S", z: "S", l: "L", r: "L",
  m: "M", n: "N", w: "W", v: "W",
};

/** Longest input we key; longer tokens are cut (no real name part is this long). */
const MAX_TOKEN = 40;

// Tokens recur (given and family names): each distinct one is keyed once.
const KEYS = new Memo<string>(20_000);

/**
 * Phonetic key of one Latin token (lowercase ASCII, as produced by the name readings). An empty
 * string means the token has no consonant skeleton (e.g. "ai", "ye") and cannot be keyed.
 */
export function phoneticKey(token: string): string {
  return KEYS.get(token, phoneticKeyOf);
}

function phoneticKeyOf(token: string): string {
  let s = token.toLowerCase().slice(0, MAX_TOKEN).replace(/[^a-z]/g, "");
  for (const [re, cls] of DIGRAPHS) s = s.replace(re, cls);
  let out = "";
  let previous = "";
  for (const ch of s) {
    const cls = ch >= "A" && ch <= "Z" ? ch : SINGLE[ch];
    if (cls !== undefined && cls !== previous) out += cls;
    // vowels, y, h and x give no class but break a run, so a class repeats only across them
    previous = cls ?? "";
  }
  return out;
}
