// An urgent action's document as HTML: the one drawing used by the page, the printable page and
// the PDF. Every value and every line of template text is escaped here: nothing a template or a
// record holds can become markup.
import { readFileSync } from "node:fs";
import { blocksToText, LANGUAGE_DIRECTION, LANGUAGE_TAG, type Block, type UrgentLanguage } from "./urgent-templates.ts";
import type { FactName } from "./urgent-templates.ts";
import type { FactNote } from "./urgent-facts.ts";

export interface AddresseeSnapshot {
  id: string;
  name: string;
  title: string;
  organisation: string;
  postalAddress: string;
  email: string;
  fax: string;
  salutation: string;
}

/** What a version of an urgent action holds: the generated text and what it was made from. */
export interface UrgentDocument {
  language: UrgentLanguage;
  subject: string;
  blocks: Block[];
  addressees: AddresseeSnapshot[];
  /** The facts as read from the case (only those that went in). */
  facts: Partial<Record<FactName, string[]>>;
  /** Restricted or secret facts left out, and those the author chose to include. */
  omitted: FactNote[];
  included: FactNote[];
  reference: string;
  generatedAt: string;
}

const LABELS: Record<UrgentLanguage, { email: string; fax: string }> = {
  en: { email: "Email", fax: "Fax" },
  ug: { email: "ئېلخەت", fax: "فاكس" },
  zh: { email: "电子邮件", fax: "传真" },
};

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (ch) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[ch]!);
}

/** An addressee as lines of a postal block, in the document's language. */
export function addresseeLines(a: AddresseeSnapshot, language: UrgentLanguage): string[] {
  const lines = [a.name, a.title, a.organisation, ...a.postalAddress.split(/\r?\n/)].map((l) => l.trim()).filter((l) => l !== "");
  if (a.email) lines.push(`${LABELS[language].email}: ${a.email}`);
  if (a.fax) lines.push(`${LABELS[language].fax}: ${a.fax}`);
  return lines;
}

// In a right-to-left document, a run of Latin, digits or Chinese (a date, a name as recorded, an
// address) is isolated left to right, so that "2014-09-23" does not read "23-09-2014".
const LTR_RUN = /[A-Za-z0-9\u3400-\u9fff](?:[A-Za-z0-9\u3400-\u9fff .,:;@+\-/()'’·&<>"]*[A-Za-z0-9\u3400-\u9fff)])?/g;

function line(text: string, rtl: boolean): string {
  if (!rtl) return escapeHtml(text);
  let out = "";
  let last = 0;
  for (const match of text.matchAll(LTR_RUN)) {
    out += `${escapeHtml(text.slice(last, match.index))}<bdi dir="ltr">${escapeHtml(match[0])}</bdi>`;
    last = match.index + match[0].length;
  }
  return out + escapeHtml(text.slice(last));
}

function paragraph(text: string, rtl: boolean): string {
  return text
    .split("\n")
    .map((l) => line(l, rtl))
    .join("<br>");
}

/** The document as an <article>, to be placed in a page or in the printable document. */
export function documentFragment(doc: UrgentDocument): string {
  const out: string[] = [];
  const rtl = LANGUAGE_DIRECTION[doc.language] === "rtl";
  let headings = 0;
  for (const block of doc.blocks) {
    if (block.kind === "heading") out.push(headings++ === 0 ? `<h1>${line(block.text, rtl)}</h1>` : `<h2>${line(block.text, rtl)}</h2>`);
    else if (block.kind === "paragraph") out.push(`<p>${paragraph(block.text, rtl)}</p>`);
    else if (block.kind === "list") out.push(`<ul class="ua-${block.name}">${block.items.map((i) => `<li>${paragraph(i, rtl)}</li>`).join("")}</ul>`);
    else out.push(`<div class="ua-addressees">${doc.addressees.map((a) => `<address>${addresseeLines(a, doc.language).map((l) => line(l, rtl)).join("<br>")}</address>`).join("")}</div>`);
  }
  return `<article class="ua-document" lang="${LANGUAGE_TAG[doc.language]}" dir="${LANGUAGE_DIRECTION[doc.language]}">${out.join("\n")}</article>`;
}

/** The document's styles: shipped as /static/urgent.css for the printable page, inlined in the PDF. */
export const DOCUMENT_CSS_FILE = new URL("../../client/urgent.css", import.meta.url);

let css: string | undefined;
export function documentCss(): string {
  css ??= readFileSync(DOCUMENT_CSS_FILE, "utf8");
  return css;
}

/**
 * The whole printable document. `stylesheet` is a link for a browser (the page's policy forbids
 * inline styles); the PDF renderer, which loads nothing from anywhere, inlines the same styles.
 */
export function documentHtml(doc: UrgentDocument, style: { href: string } | { inline: true }): string {
  const head = "href" in style ? `<link rel="stylesheet" href="${escapeHtml(style.href)}">` : `<style>${documentCss()}</style>`;
  return `<!doctype html>
<html lang="${LANGUAGE_TAG[doc.language]}" dir="${LANGUAGE_DIRECTION[doc.language]}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(doc.subject)}</title>
${head}
</head>
<body class="ua-print">
${documentFragment(doc)}
</body>
</html>
`;
}

/** The document as plain text, for the email draft. */
export function documentText(doc: UrgentDocument): string {
  return blocksToText(
    doc.blocks,
    doc.addressees.map((a) => addresseeLines(a, doc.language).join("\n")),
  );
}
