/** Rules for human-entered text, shared by every form and API body. */

// Bidi controls (LRE…RLO, LRI…PDI) and zero-width joiners used for spoofing: a name with a
// right-to-left override can display as something else entirely ("exe.txt" tricks).
const BIDI_CONTROLS = /[\u202A-\u202E\u2066-\u2069\u200E\u200F\u061C]/g;
// C0/C1 control characters other than tab and newline.
// eslint-disable-next-line no-control-regex
const CONTROL_CHARS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/g;

/** Normalises to NFC and removes characters that only serve to deceive the reader or break output. */
export function cleanText(value: string): string {
  return value.normalize("NFC").replace(BIDI_CONTROLS, "").replace(CONTROL_CHARS, "").trim();
}

export function hasLoneSurrogate(value: string): boolean {
  return /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(value);
}
