import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { analyse, buildTsvector, foldWord, MAX_DOCUMENT_TERMS } from "../../src/search/analyse.ts";
import { parseQuery, MAX_QUERY_TERMS } from "../../src/search/query.ts";
import { bestSnippet, matchSpans, snippetHtml, snippetOf } from "../../src/search/snippet.ts";

const lexemes = (text: string) => analyse(text).map((t) => t.lexemes.join("|"));

function parsed(q: string) {
  const result = parseQuery(q);
  assert.ok(result.ok, `${q} was refused`);
  return result.query;
}

describe("the search analyser", () => {
  it("folds case and accents of Latin, Greek and Cyrillic, and spells out Turkic ş ç ğ as a twin", () => {
    assert.deepEqual(lexemes("Café ÜRÜMQI Øresund Straße"), ["cafe", "urumqi", "oresund", "strasse"]);
    assert.deepEqual(lexemes("Kaşgar Çarçen"), ["kasgar|kashgar", "carcen|charchen"]);
    assert.deepEqual(lexemes("Ёлка Йошкар"), ["елка", "иошкар"]);
    assert.deepEqual(foldWord("İstanbul"), ["istanbul"]);
  });

  it("normalises Uyghur in Arabic script: presentation forms, tatweel, vowel marks, keheh and heh, but keeps hamza", () => {
    assert.deepEqual(lexemes("ﺋﯩﻠﮭﺎﻡ"), ["ئىلھام"]);
    assert.deepEqual(lexemes("ئىلـــھام"), ["ئىلھام"]);
    assert.deepEqual(lexemes("كَتَبَ"), ["كتب"]);
    assert.deepEqual(lexemes("کىتاب مەكتەپ مهكتهپ"), ["كىتاب", "مەكتەپ", "مەكتەپ"]);
    // ئ (yeh with hamza above) is a letter of its own, not ي with a mark to drop.
    assert.notDeepEqual(lexemes("ئى"), lexemes("يى"));
    assert.deepEqual(lexemes("٢٠١٧ ۲۰۱۸"), ["2017", "2018"]);
  });

  it("keeps words with inner apostrophes and joiners whole", () => {
    assert.deepEqual(lexemes("Mes'ul Oʻzbek O’zbek"), ["mesul", "ozbek", "ozbek"]);
  });

  it("cuts Chinese runs into overlapping pairs and the run's last character, with offsets into the text", () => {
    const terms = analyse("伊力哈木·土赫提");
    assert.deepEqual(terms.map((t) => t.lexemes[0]), ["伊力", "力哈", "哈木", "木", "土赫", "赫提", "提"]);
    assert.deepEqual(terms.map((t) => [t.start, t.end]), [[0, 2], [1, 3], [2, 4], [3, 4], [5, 7], [6, 8], [7, 8]]);
    assert.deepEqual(lexemes("Ilham伊力"), ["ilham", "伊力", "力"]);
    assert.deepEqual(lexemes("王"), ["王"]);
  });

  it("bounds its work on huge input", () => {
    const huge = "word ".repeat(200_000);
    assert.equal(analyse(huge, 10).length, 10);
    const tsv = buildTsvector([{ text: Array.from({ length: 120_000 }, (_, i) => `w${i}`).join(" "), weight: "C" }])!;
    assert.ok(tsv.split(" ").length <= MAX_DOCUMENT_TERMS);
    assert.ok(Buffer.byteLength(tsv) < 1_000_000);
  });

  it("writes tsvector text with positions and weights, a gap between values, nothing for no words", () => {
    assert.equal(buildTsvector([{ text: "Ilham Tohti", weight: "A" }, { text: "tohti, economist", weight: "D" }]), "'ilham':1A 'tohti':2A,4 'economist':5");
    assert.equal(buildTsvector([{ text: "… — !!!", weight: "A" }]), null);
    assert.equal(buildTsvector([{ text: "Kaşgar", weight: "B" }]), "'kasgar':1B 'kashgar':1B");
  });
});

describe("the search box", () => {
  it("makes every word required, quoted words a phrase, and a trailing star a prefix", () => {
    assert.equal(parsed("arbitrary detention").tsquery, "'arbitrary' & 'detention'");
    assert.equal(parsed('"arbitrary detention" Aksu').tsquery, "('arbitrary' <-> 'detention') & 'aksu'");
    assert.equal(parsed("detain*").tsquery, "'detain':*");
    // A one-letter prefix would read the whole index: the star is ignored.
    assert.equal(parsed("d*").tsquery, "'d'");
  });

  it("turns a Chinese run into the phrase of its pairs, with the gap where a stored run ends", () => {
    assert.equal(parsed("土赫提").tsquery, "('土赫' <-> '赫提')");
    assert.equal(parsed("伊力哈木·土赫提").tsquery, "('伊力' <-> '力哈' <-> '哈木' <2> '土赫' <-> '赫提')");
    assert.equal(parsed("王").tsquery, "'王':*");
  });

  it("gives both spellings of a Turkic word", () => {
    assert.equal(parsed("Kaşgar").tsquery, "('kasgar' | 'kashgar')");
  });

  it("reads tsquery operators as punctuation", () => {
    const q = parsed("a & b | !c <-> (d:*) 'e''");
    assert.equal(q.tsquery, "'a' & 'b' & 'c' & 'd' & 'e'");
  });

  it("refuses what cannot be searched", () => {
    assert.deepEqual(parseQuery(""), { ok: false, problem: "empty" });
    assert.deepEqual(parseQuery("  \n "), { ok: false, problem: "empty" });
    assert.deepEqual(parseQuery("x".repeat(501)), { ok: false, problem: "too-long" });
    assert.deepEqual(parseQuery("!!! ... ---"), { ok: false, problem: "no-words" });
    assert.deepEqual(parseQuery(Array.from({ length: MAX_QUERY_TERMS + 1 }, (_, i) => `w${i}`).join(" ")), { ok: false, problem: "too-many-words" });
  });
});

describe("snippets", () => {
  it("marks the words found, however they were written", () => {
    const q = parsed("cafe kashgar");
    assert.deepEqual(matchSpans("A café in Kaşgar.", q), [{ start: 2, end: 6 }, { start: 10, end: 16 }]);
  });

  it("marks a single Chinese character asked as a prefix, not the pair it starts", () => {
    const snippet = snippetOf("bodyText", "伊力哈木", matchSpans("伊力哈木", parsed("力")));
    assert.deepEqual(snippet.parts, [{ text: "伊", match: false }, { text: "力", match: true }, { text: "哈木", match: false }]);
  });

  it("cuts a window around the first match, at spaces, with ellipses", () => {
    const text = `${"before ".repeat(40)}the target word ${"after ".repeat(80)}`;
    const snippet = snippetOf("bodyText", text, matchSpans(text, parsed("target")));
    assert.equal(snippet.parts[0]!.text, "…");
    assert.equal(snippet.parts[snippet.parts.length - 1]!.text, "…");
    assert.deepEqual(snippet.parts.filter((p) => p.match).map((p) => p.text), ["target"]);
    assert.ok(snippet.parts.map((p) => p.text).join("").length < 260);
  });

  it("chooses the value with the most matches, and none when nothing matches", () => {
    const q = parsed("detention");
    const best = bestSnippet([{ property: "summary", value: "detention", long: false }, { property: "bodyText", value: "detention and detention", long: true }], q);
    assert.equal(best?.property, "bodyText");
    assert.equal(bestSnippet([{ property: "summary", value: "nothing here", long: false }], q), null);
  });

  it("escapes every part of the HTML form", () => {
    const text = `<img src=x onerror="alert('x')"> & detention`;
    assert.equal(snippetHtml(snippetOf("notes", text, matchSpans(text, parsed("detention")))), "&lt;img src=x onerror=&quot;alert(&#39;x&#39;)&quot;&gt; &amp; <mark>detention</mark>");
  });
});
