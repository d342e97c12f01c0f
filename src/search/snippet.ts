// Highlighted snippets, made by us rather than ts_headline: ts_headline would re-parse the text with
// PostgreSQL's parser, which knows nothing of our Chinese character pairs or folded spellings.
// A snippet is a list of parts, each marked or not; pages render them as text nodes (escaped by
// the JSX renderer) and the API also gives an HTML string escaped here.
import { analyse } from "./analyse.ts";
import type { ParsedQuery } from "./query.ts";

export interface SnippetPart {
  text: string;
  match: boolean;
}

export interface Snippet {
  property: string;
  parts: SnippetPart[];
}

const BEFORE = 60;
const LENGTH = 220;
/** Only the start of a very long value is searched for highlights: snippets stay cheap. */
const SCAN_CHARS = 20_000;

interface Span {
  start: number;
  end: number;
}

/** Where the query's terms occur in a text. */
export function matchSpans(text: string, query: Pick<ParsedQuery, "exact" | "prefixes">): Span[] {
  const spans: Span[] = [];
  for (const term of analyse(text.length > SCAN_CHARS ? text.slice(0, SCAN_CHARS) : text)) {
    const exact = term.lexemes.some((l) => query.exact.has(l));
    const prefix = !exact && term.lexemes.some((l) => query.prefixes.some((p) => l.startsWith(p)));
    if (!exact && !prefix) continue;
    // A single Chinese character asked for as a prefix marks only itself, not the pair it starts.
    const first = text.codePointAt(term.start)!;
    const end = term.cjk && prefix ? term.start + (first > 0xffff ? 2 : 1) : term.end;
    const last = spans[spans.length - 1];
    if (last && term.start <= last.end) last.end = Math.max(last.end, end);
    else spans.push({ start: term.start, end });
  }
  return spans;
}

/** Cuts a window around the first match, at spaces where there are any, and marks the matches. */
export function snippetOf(property: string, text: string, spans: readonly Span[]): Snippet {
  const first = spans[0]?.start ?? 0;
  let from = Math.max(0, first - BEFORE);
  let to = Math.min(text.length, from + LENGTH);
  if (from > 0) {
    const space = text.indexOf(" ", from);
    if (space !== -1 && space < first) from = space + 1;
  }
  if (to < text.length) {
    const space = text.lastIndexOf(" ", to);
    if (space > Math.max(first, from)) to = space;
  }
  // Never cut a surrogate pair in half.
  if (from > 0 && /[\udc00-\udfff]/.test(text[from]!)) from--;
  if (to < text.length && /[\udc00-\udfff]/.test(text[to]!)) to++;
  const parts: SnippetPart[] = [];
  const push = (t: string, match: boolean) => {
    if (t !== "") parts.push({ text: t, match });
  };
  if (from > 0) push("…", false);
  let at = from;
  for (const span of spans) {
    if (span.end <= from || span.start >= to) continue;
    const start = Math.max(span.start, from);
    push(text.slice(at, start), false);
    push(text.slice(start, Math.min(span.end, to)), true);
    at = Math.min(span.end, to);
  }
  push(text.slice(at, to).replace(/\s+$/u, ""), false);
  if (to < text.length) push("…", false);
  return { property, parts };
}

/**
 * The best snippet among a record's values: the one with the most matches, long text before
 * short values when they tie; null when no value holds a match (a record found by its name only).
 */
export function bestSnippet(values: readonly { property: string; value: string; long: boolean }[], query: Pick<ParsedQuery, "exact" | "prefixes">): Snippet | null {
  let best: { property: string; value: string; spans: Span[]; long: boolean } | null = null;
  for (const v of values) {
    const spans = matchSpans(v.value, query);
    if (spans.length === 0) continue;
    if (!best || spans.length > best.spans.length || (spans.length === best.spans.length && v.long && !best.long)) best = { ...v, spans };
  }
  return best ? snippetOf(best.property, best.value, best.spans) : null;
}

const HTML_ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!);
}

/** The snippet as HTML: every part escaped, matches in <mark>. */
export function snippetHtml(snippet: Snippet): string {
  return snippet.parts.map((p) => (p.match ? `<mark>${escapeHtml(p.text)}</mark>` : escapeHtml(p.text))).join("");
}
