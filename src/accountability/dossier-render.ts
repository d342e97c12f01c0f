// A referral dossier drawn two ways from one outline: as HTML (the printable page and the PDF,
// through headless Chromium) and as OpenDocument Text (ODF 1.2, ISO/IEC 26300), which a lawyer
// edits in LibreOffice, Microsoft Word or Google Docs. Every value is escaped where it is drawn.
import { readFileSync } from "node:fs";
import type { DossierDocument } from "./dossier-content.ts";

/** The document as a list of blocks, the one outline both drawings follow. */
export type Block =
  | { kind: "title"; text: string }
  | { kind: "heading"; text: string }
  | { kind: "subheading"; text: string }
  | { kind: "paragraph"; text: string }
  | { kind: "fact"; label: string; text: string }
  | { kind: "list"; items: string[] };

const size = (n: number) => (n < 1024 ? `${n} bytes` : n < 1024 * 1024 ? `${(n / 1024).toFixed(1)} KiB` : `${(n / 1024 / 1024).toFixed(1)} MiB`);
const refs = (prefix: string, numbers: number[]) => numbers.map((n) => `${prefix}-${n}`).join(", ");

export function dossierBlocks(doc: DossierDocument): Block[] {
  const f = doc.fields;
  const out: Block[] = [{ kind: "title", text: f.title }];
  out.push({ kind: "fact", label: "Reference", text: doc.reference });
  if (f.programme) out.push({ kind: "fact", label: "Programme", text: f.programme });
  if (f.recipient) out.push({ kind: "fact", label: "Submitted to", text: f.recipient });
  out.push({ kind: "fact", label: "Prepared", text: doc.generatedAt.slice(0, 10) });
  if (f.summary) {
    out.push({ kind: "heading", text: "Summary" });
    for (const p of f.summary.split(/\n\s*\n/)) out.push({ kind: "paragraph", text: p.trim() });
  }
  out.push({ kind: "heading", text: `1. Identity of the ${doc.subject.kind === "person" ? "person" : "entity"} proposed for designation` });
  out.push({ kind: "fact", label: "Name", text: doc.subject.name });
  if (doc.subject.names.length > 0) out.push({ kind: "fact", label: "Other names and spellings", text: doc.subject.names.map((n) => (n.lang ? `${n.value} (${n.lang})` : n.value)).join("; ") });
  for (const i of doc.subject.identifiers) out.push({ kind: "fact", label: i.label, text: i.values.join("; ") });
  out.push({ kind: "heading", text: "2. Position and responsibility" });
  if (doc.posts.length === 0) out.push({ kind: "paragraph", text: doc.subject.kind === "person" ? "No post is documented." : "The acts below took place in the entity's own units and facilities." });
  for (const p of doc.posts) {
    const unit = p.unit ? `, ${p.unit}` : "";
    const chain = p.chain.length > 0 ? ` (under ${[...p.chain].reverse().join(", under ")})` : "";
    const when = `${p.from ?? "unknown"} to ${p.to ?? "unknown or present"}`;
    const where = p.jurisdiction.length > 0 ? `; jurisdiction ${p.jurisdiction.join(", ")}` : "";
    const cited = p.sources.length > 0 ? ` [${refs("S", p.sources)}]` : "";
    out.push({ kind: "paragraph", text: `${p.position}${unit}${chain}, ${when}${where}.${cited}` });
  }
  out.push({ kind: "heading", text: "3. The acts" });
  if (doc.acts.length === 0) out.push({ kind: "paragraph", text: "No act is documented." });
  for (const a of doc.acts) {
    out.push({ kind: "subheading", text: `A-${a.number}. ${a.name}` });
    out.push({ kind: "fact", label: "Date", text: a.date ?? "unknown" });
    if (a.place) out.push({ kind: "fact", label: "Place", text: a.place });
    if (a.violations.length > 0) out.push({ kind: "fact", label: "Violations", text: a.violations.join(", ") });
    if (a.description) out.push({ kind: "paragraph", text: a.description });
    for (const r of a.responsibility) out.push({ kind: "paragraph", text: r });
    if (a.sources.length > 0) out.push({ kind: "fact", label: "Sources", text: refs("S", a.sources) });
    if (a.exhibits.length > 0) out.push({ kind: "fact", label: "Exhibits", text: refs("E", a.exhibits) });
  }
  const left = doc.omitted;
  if (left.restricted + left.dismissed + left.excluded > 0) {
    out.push({ kind: "paragraph", text: `Not included: ${left.restricted} act(s) held as restricted, ${left.dismissed} link(s) dismissed on review, ${left.excluded} act(s) left out by the author.` });
  }
  out.push({ kind: "heading", text: "4. Evidence exhibits" });
  if (doc.exhibits.length === 0) out.push({ kind: "paragraph", text: "No exhibit is attached." });
  else out.push({ kind: "paragraph", text: "Each exhibit is held in an encrypted evidence vault with a tamper-evident custody log; its receipt is the log entry given." });
  for (const e of doc.exhibits) {
    out.push({ kind: "paragraph", text: `E-${e.number}. ${e.mediaType}, ${size(e.size)}, received ${e.receivedAt.slice(0, 10)}, custody log entry ${e.ledgerIndex}; supports ${e.supports.join(", ")}. Stored blob SHA-256 ${e.blobSha256}.` });
  }
  out.push({ kind: "heading", text: "5. Sources and their reliability" });
  if (doc.sources.length === 0) out.push({ kind: "paragraph", text: "No source is cited." });
  for (const s of doc.sources) {
    const parts = [s.type, s.author ? `by ${s.author}` : null, s.published ? `published ${s.published}` : null, s.url, `reliability: ${s.reliability ?? "not assessed"}`].filter((x): x is string => !!x);
    out.push({ kind: "paragraph", text: `S-${s.number}. ${s.name}. ${parts.join("; ")}.` });
  }
  out.push({ kind: "heading", text: "6. Measures requested" });
  if (f.requestedMeasures.length > 0) out.push({ kind: "list", items: f.requestedMeasures });
  else out.push({ kind: "paragraph", text: "To be completed." });
  if (f.notes) {
    out.push({ kind: "heading", text: "Notes" });
    for (const p of f.notes.split(/\n\s*\n/)) out.push({ kind: "paragraph", text: p.trim() });
  }
  return out;
}

export function escapeXml(value: string): string {
  // XML 1.0 forbids most control characters even escaped: they are dropped.
  // eslint-disable-next-line no-control-regex
  return value.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, "").replace(/[&<>"']/g, (ch) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&apos;" })[ch]!);
}

// The same stylesheet serves the printable page (a link: the pages' policy forbids inline styles)
// and the PDF (inlined: the PDF renderer loads nothing from anywhere).
const STYLE_FILE = new URL("../../client/dossier.css", import.meta.url);
let style: string | undefined;
function dossierCss(): string {
  style ??= readFileSync(STYLE_FILE, "utf8");
  return style;
}

export function dossierHtml(doc: DossierDocument, link: { href: string; icon: string } | { inline: true }): string {
  const head = "href" in link ? `<link rel="stylesheet" href="${escapeXml(link.href)}"><link rel="icon" href="${escapeXml(link.icon)}">` : `<style>${dossierCss()}</style>`;
  const body = dossierBlocks(doc)
    .map((b) => {
      switch (b.kind) {
        case "title":
          return `<h1>${escapeXml(b.text)}</h1>`;
        case "heading":
          return `<h2>${escapeXml(b.text)}</h2>`;
        case "subheading":
          return `<h3>${escapeXml(b.text)}</h3>`;
        case "paragraph":
          return `<p>${escapeXml(b.text)}</p>`;
        case "fact":
          return `<p class="fact"><b>${escapeXml(b.label)}:</b> ${escapeXml(b.text)}</p>`;
        case "list":
          return `<ol>${b.items.map((i) => `<li>${escapeXml(i)}</li>`).join("")}</ol>`;
      }
    })
    .join("\n");
  return `<!doctype html>\n<html lang="en" dir="ltr"><head><meta charset="utf-8"><title>${escapeXml(doc.fields.title)} (${escapeXml(doc.reference)})</title>${head}</head><body>\n${body}\n</body></html>\n`;
}

const ODF_NS =
  'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0" xmlns:meta="urn:oasis:names:tc:opendocument:xmlns:meta:1.0" xmlns:dc="http://purl.org/dc/elements/1.1/"';

const ODF_STYLES = `<office:styles>
<style:default-style style:family="paragraph"><style:paragraph-properties fo:margin-bottom="0.2cm"/><style:text-properties style:font-name="Liberation Serif" fo:font-size="11pt"/></style:default-style>
<style:style style:name="Standard" style:family="paragraph" style:class="text"/>
<style:style style:name="Title" style:family="paragraph" style:parent-style-name="Standard" style:class="chapter"><style:text-properties fo:font-size="18pt" fo:font-weight="bold"/></style:style>
<style:style style:name="Heading_20_1" style:display-name="Heading 1" style:family="paragraph" style:parent-style-name="Standard" style:default-outline-level="1" style:class="text"><style:paragraph-properties fo:margin-top="0.5cm"/><style:text-properties fo:font-size="13pt" fo:font-weight="bold"/></style:style>
<style:style style:name="Heading_20_2" style:display-name="Heading 2" style:family="paragraph" style:parent-style-name="Standard" style:default-outline-level="2" style:class="text"><style:paragraph-properties fo:margin-top="0.3cm"/><style:text-properties fo:font-size="11.5pt" fo:font-weight="bold"/></style:style>
<style:style style:name="Strong" style:family="text"><style:text-properties fo:font-weight="bold"/></style:style>
</office:styles>`;

function odfBody(doc: DossierDocument): string {
  const para = (text: string, style = "Standard") => `<text:p text:style-name="${style}">${text.split("\n").map(escapeXml).join("<text:line-break/>")}</text:p>`;
  return dossierBlocks(doc)
    .map((b) => {
      switch (b.kind) {
        case "title":
          return para(b.text, "Title");
        case "heading":
          return `<text:h text:style-name="Heading_20_1" text:outline-level="1">${escapeXml(b.text)}</text:h>`;
        case "subheading":
          return `<text:h text:style-name="Heading_20_2" text:outline-level="2">${escapeXml(b.text)}</text:h>`;
        case "paragraph":
          return para(b.text);
        case "fact":
          return `<text:p text:style-name="Standard"><text:span text:style-name="Strong">${escapeXml(b.label)}:</text:span> ${escapeXml(b.text)}</text:p>`;
        case "list":
          return `<text:list>${b.items.map((i) => `<text:list-item>${para(i)}</text:list-item>`).join("")}</text:list>`;
      }
    })
    .join("\n");
}

/** The parts of an .odt package (ODF 1.2 part 3): `mimetype` first and stored, then the XML parts. */
export function dossierOdtParts(doc: DossierDocument): { name: string; content: string; compress: boolean }[] {
  const meta = `<office:meta><dc:title>${escapeXml(doc.fields.title)}</dc:title><meta:generator>Vigil</meta:generator><dc:date>${escapeXml(doc.generatedAt)}</dc:date></office:meta>`;
  return [
    { name: "mimetype", content: "application/vnd.oasis.opendocument.text", compress: false },
    {
      name: "META-INF/manifest.xml",
      content: `<?xml version="1.0" encoding="UTF-8"?>\n<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2"><manifest:file-entry manifest:full-path="/" manifest:version="1.2" manifest:media-type="application/vnd.oasis.opendocument.text"/><manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/><manifest:file-entry manifest:full-path="styles.xml" manifest:media-type="text/xml"/><manifest:file-entry manifest:full-path="meta.xml" manifest:media-type="text/xml"/></manifest:manifest>\n`,
      compress: true,
    },
    { name: "styles.xml", content: `<?xml version="1.0" encoding="UTF-8"?>\n<office:document-styles ${ODF_NS} office:version="1.2">${ODF_STYLES}</office:document-styles>\n`, compress: true },
    { name: "meta.xml", content: `<?xml version="1.0" encoding="UTF-8"?>\n<office:document-meta ${ODF_NS} office:version="1.2">${meta}</office:document-meta>\n`, compress: true },
    { name: "content.xml", content: `<?xml version="1.0" encoding="UTF-8"?>\n<office:document-content ${ODF_NS} office:version="1.2"><office:body><office:text>\n${odfBody(doc)}\n</office:text></office:body></office:document-content>\n`, compress: true },
  ];
}
