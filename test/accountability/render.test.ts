import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { DEFAULT_TERMS } from "../../src/records/index.ts";
import { dossierBlocks, dossierHtml, dossierOdtParts, DossierFieldsSchema, escapeXml, gravityOf, VIOLATION_GRAVITY, DETENTION_GRAVITY, type DossierDocument } from "../../src/accountability/index.ts";

const doc: DossierDocument = {
  reference: "D-ABCDEFGH",
  generatedAt: "2026-11-25T12:00:00.000Z",
  fields: DossierFieldsSchema.parse({ title: "Referral <script>alert(1)</script>", requestedMeasures: ["Asset freeze", "Visa ban"], summary: "First paragraph.\n\nSecond\u0007 paragraph." }),
  subject: { id: "00000000-0000-4000-8000-000000000001", kind: "person", name: "Ilham & Co", names: [{ value: "ئىلھام", lang: "ug" }], identifiers: [{ label: "Date of birth", values: ["1969"] }] },
  posts: [{ position: "Director", unit: "County bureau", chain: ["Prefecture bureau"], jurisdiction: ["CN"], from: "2016", to: null, sources: [1] }],
  acts: [{ number: 1, recordId: "00000000-0000-4000-8000-000000000002", kind: "incident", name: "Beatings", date: "2018-04", place: "Camp 3", violations: ["Torture"], description: null, responsibility: ["It happened at Camp 3."], sources: [1], exhibits: [1] }],
  exhibits: [{ number: 1, evidenceId: "00000000-0000-4000-8000-000000000003", mediaType: "image/jpeg", size: 2048, blobSha256: "ab".repeat(32), receivedAt: "2026-01-01T00:00:00.000Z", ledgerIndex: 7, supports: ["A-1"] }],
  sources: [{ number: 1, id: "00000000-0000-4000-8000-000000000004", name: "Testimony", type: "Testimony", author: null, published: null, url: null, reliability: "Probable" }],
  omitted: { restricted: 2, dismissed: 0, excluded: 1 },
};

describe("gravity of documented violations", () => {
  it("weighs every shipped violation type, an incident as its gravest violation, unknown terms as 1", () => {
    for (const term of DEFAULT_TERMS["violation-types"]) assert.ok(VIOLATION_GRAVITY[term.code] !== undefined, `${term.code} has a gravity`);
    assert.equal(gravityOf(["surveillance", "torture"]), 4);
    assert.equal(gravityOf(["killing"]), 5);
    assert.equal(gravityOf([]), 1);
    assert.equal(gravityOf(["forced-organ-harvesting"]), 1);
    assert.equal(DETENTION_GRAVITY, 3);
  });
});

describe("the dossier's document", () => {
  it("follows the referral's order: identity, position, acts, exhibits, sources, measures", () => {
    const headings = dossierBlocks(doc).filter((b) => b.kind === "heading").map((b) => (b as { text: string }).text);
    assert.deepEqual(headings, ["Summary", "1. Identity of the person proposed for designation", "2. Position and responsibility", "3. The acts", "4. Evidence exhibits", "5. Sources and their reliability", "6. Measures requested"]);
    const text = JSON.stringify(dossierBlocks(doc));
    assert.match(text, /Director, County bureau \(under Prefecture bureau\), 2016 to unknown or present; jurisdiction CN\. \[S-1\]/);
    assert.match(text, /Not included: 2 act\(s\) held as restricted, 0 link\(s\) dismissed on review, 1 act\(s\) left out by the author\./);
    assert.match(text, /S-1\. Testimony\. Testimony; reliability: Probable\./);
  });

  it("escapes every value in the HTML and the OpenDocument, and drops characters XML forbids", () => {
    const html = dossierHtml(doc, { inline: true });
    assert.ok(!html.includes("<script>"));
    assert.match(html, /Referral &lt;script&gt;alert\(1\)&lt;\/script&gt;/);
    assert.match(html, /Ilham &amp; Co/);
    const content = dossierOdtParts(doc).find((p) => p.name === "content.xml")!.content;
    assert.ok(!content.includes("<script>"));
    assert.ok(!content.includes("\u0007"));
    assert.match(content, /<text:list>.*Asset freeze.*Visa ban.*<\/text:list>/s);
    assert.equal(escapeXml("a\u0000b\u001fc\td"), "abc\td");
    assert.deepEqual(dossierOdtParts(doc).map((p) => [p.name, p.compress]).slice(0, 1), [["mimetype", false]]);
  });

  it("links the printable page's stylesheet instead of inlining it", () => {
    const page = dossierHtml(doc, { href: "/static/dossier.css", icon: "/static/favicon.svg" });
    assert.match(page, /<link rel="stylesheet" href="\/static\/dossier.css">/);
    assert.ok(!page.includes("<style>"));
  });
});
