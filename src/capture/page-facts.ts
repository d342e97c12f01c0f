import { cleanText, parseEdtf } from "../core/index.ts";

/**
 * What the Source record says about a captured page: its title and, when the page states one,
 * its publication date. Read from the rendered page by the script below, judged here.
 */

/**
 * Runs in the captured page (as text: the page is not ours and nothing of ours is bundled into
 * it). Returns the title and the candidates for the publication date, most specific first.
 */
export const PAGE_FACTS_SCRIPT = `(() => {
  const text = (v) => (typeof v === "string" ? v.trim() : "");
  const meta = (key) => {
    for (const el of document.querySelectorAll("meta[content]")) {
      const name = (el.getAttribute("property") || el.getAttribute("name") || el.getAttribute("itemprop") || "").toLowerCase();
      if (name === key) return text(el.getAttribute("content"));
    }
    return "";
  };
  const dates = [];
  for (const key of ["article:published_time", "og:published_time", "datepublished", "citation_publication_date", "dc.date.issued", "dcterms.issued", "dc.date", "date", "pubdate", "publish-date"]) {
    const v = meta(key);
    if (v) dates.push(v);
  }
  const walk = (node) => {
    if (!node || typeof node !== "object") return;
    if (Array.isArray(node)) return node.forEach(walk);
    if (typeof node.datePublished === "string") dates.push(node.datePublished);
    for (const v of Object.values(node)) if (v && typeof v === "object") walk(v);
  };
  for (const el of document.querySelectorAll('script[type="application/ld+json"]')) {
    try { walk(JSON.parse(el.textContent || "")); } catch {}
  }
  for (const el of document.querySelectorAll("time[datetime][pubdate], [itemprop=datePublished][datetime]")) dates.push(text(el.getAttribute("datetime")));
  const title = text(document.title) || meta("og:title");
  return { title, dates: dates.slice(0, 20), text: document.body ? document.body.innerText : "" };
})()`;

export interface PageFacts {
  title: string;
  dates: string[];
  text: string;
}

const MAX_TITLE = 384;

/** The name of the Source: the page's title, or its address when it has none. */
export function sourceName(title: string, url: string): string {
  const cleaned = cleanText(title).replace(/\s+/g, " ").trim();
  const name = cleaned || url;
  return name.length > MAX_TITLE ? `${name.slice(0, MAX_TITLE - 1)}…` : name;
}

/**
 * The first candidate that reads as a date, as EDTF at the precision the page gave (day, month or
 * year): "2024-03-05T10:00:00+08:00" → "2024-03-05". The time and zone are dropped: the day as the
 * publisher wrote it is what a reader of the page saw. Anything else is ignored.
 */
export function publicationDate(candidates: readonly string[]): string | null {
  for (const candidate of candidates) {
    const match = /^\s*(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?(?:[T\s]|$)/.exec(candidate);
    if (!match) continue;
    const value = [match[1], match[2], match[3]].filter(Boolean).join("-");
    if (parseEdtf(value).ok) return value;
  }
  return null;
}
