// A search box's text → a PostgreSQL tsquery built from our own terms, never from the user's
// syntax: & | ! ( ) : * < > typed into the box are punctuation, not operators. What is understood:
//  - words, all required (AND);
//  - "a quoted phrase", its words in that order;
//  - a trailing * for a prefix (detain* finds detained, detention);
//  - a Chinese run as the phrase of its character pairs (土赫提 → 土赫 <-> 赫提), and a single
//    Chinese character as a prefix of the pairs it starts.
import { analyse, quoteLexeme, type Term } from "./analyse.ts";

export const MAX_QUERY_CHARS = 500;
/** A query of more words than this is refused: each word is a lookup in the index. */
export const MAX_QUERY_TERMS = 32;

export interface ParsedQuery {
  /** PostgreSQL tsquery text, for a `$1::tsquery` parameter. */
  tsquery: string;
  /** Terms to highlight: lexemes matched exactly, and prefixes. */
  exact: ReadonlySet<string>;
  prefixes: readonly string[];
  /** The words as typed, quotes and stars removed: what the names engine is given. */
  words: string;
  /** When the query is only whole words (no phrase, no prefix): each word's spellings. The planner's hint reads it. */
  terms: string[][] | null;
}

export type QueryProblem = "empty" | "too-long" | "no-words" | "too-many-words";

interface Chunk {
  text: string;
  prefix: boolean;
}

function chunksOf(raw: string): Chunk[] {
  const chunks: Chunk[] = [];
  // Straight and typographic double quotes, and CJK corner brackets, delimit phrases.
  const pattern = /["“”„«»「」『』]([^"“”„«»「」『』]*)["“”„«»「」『』]?|(\S+)/gu;
  for (const match of raw.matchAll(pattern)) {
    if (match[1] !== undefined) chunks.push({ text: match[1], prefix: false });
    else {
      const word = match[2]!;
      chunks.push({ text: word, prefix: word.endsWith("*") });
    }
  }
  return chunks;
}

interface QueryTerm {
  lexemes: string[];
  prefix: boolean;
  /** Positions after the previous term of the phrase (1 = next). */
  distance: number;
}

/**
 * The terms of one chunk as a phrase, with the distances a stored document would have between
 * them: a Chinese run's last single character is stored but not asked for (its pairs say it), so
 * the next term is one position further.
 */
function phraseOf(terms: Term[], prefix: boolean): QueryTerm[] {
  const out: QueryTerm[] = [];
  let gap = 1;
  terms.forEach((term, i) => {
    const next = terms[i + 1];
    const runEnd = term.cjk && Array.from(term.lexemes[0]!).length === 1;
    // A single character closing a run of two or more: its pair already asks for it.
    const previous = terms[i - 1];
    const closesLongerRun = runEnd && previous !== undefined && previous.cjk && Array.from(previous.lexemes[0]!).length === 2 && previous.end > term.start;
    if (closesLongerRun) {
      gap++;
      return;
    }
    const last = next === undefined;
    out.push({ lexemes: term.lexemes, prefix: runEnd || (last && prefix && !term.cjk && Array.from(term.lexemes[0]!).length >= 2), distance: gap });
    gap = 1;
  });
  return out;
}

function lexemeQuery(term: QueryTerm): string {
  const one = (l: string) => `${quoteLexeme(l)}${term.prefix ? ":*" : ""}`;
  return term.lexemes.length === 1 ? one(term.lexemes[0]!) : `(${term.lexemes.map(one).join(" | ")})`;
}

function phraseQuery(phrase: QueryTerm[]): string {
  let text = lexemeQuery(phrase[0]!);
  for (const term of phrase.slice(1)) text += ` ${term.distance === 1 ? "<->" : `<${term.distance}>`} ${lexemeQuery(term)}`;
  return phrase.length > 1 ? `(${text})` : text;
}

export function parseQuery(raw: string): { ok: true; query: ParsedQuery } | { ok: false; problem: QueryProblem } {
  const text = raw.trim();
  if (text === "") return { ok: false, problem: "empty" };
  if (text.length > MAX_QUERY_CHARS) return { ok: false, problem: "too-long" };
  const phrases: QueryTerm[][] = [];
  const exact = new Set<string>();
  const prefixes = new Set<string>();
  let count = 0;
  for (const chunk of chunksOf(text)) {
    const phrase = phraseOf(analyse(chunk.text), chunk.prefix);
    if (phrase.length === 0) continue;
    count += phrase.length;
    if (count > MAX_QUERY_TERMS) return { ok: false, problem: "too-many-words" };
    phrases.push(phrase);
    for (const term of phrase) for (const lexeme of term.lexemes) (term.prefix ? prefixes : exact).add(lexeme);
  }
  if (phrases.length === 0) return { ok: false, problem: "no-words" };
  return {
    ok: true,
    query: {
      tsquery: phrases.map(phraseQuery).join(" & "),
      exact,
      prefixes: [...prefixes],
      terms: phrases.every((p) => p.length === 1 && !p[0]!.prefix) ? phrases.map((p) => p[0]!.lexemes) : null,
      words: text.replace(/["“”„«»「」『』*]/gu, " ").replace(/\s+/gu, " ").trim(),
    },
  };
}
