import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { blocksToText, checkTemplateText, DEFAULT_TEMPLATES, fillText, renderBlocks, URGENT_LANGUAGES } from "../../src/monitor/urgent-templates.ts";

describe("the urgent-action template syntax", () => {
  it("fills values, joins lists in the language's way, and says [unknown] for a missing value", () => {
    assert.equal(fillText("{{person}} — {{treatment}}", { person: "Ilham Tohti", treatment: ["Torture", "Solitary confinement"] }, "en"), "Ilham Tohti — Torture, Solitary confinement");
    assert.equal(fillText("{{treatment}}", { treatment: ["酷刑", "单独监禁"] }, "zh"), "酷刑、单独监禁");
    assert.equal(fillText("{{ facility }}", {}, "ug"), "[نامەلۇم]");
    assert.equal(fillText("{{salutation}}", {}, "zh"), "尊敬的先生/女士");
  });

  it("keeps sections by the value, inverted sections by its absence, nested ones only inside a kept one", () => {
    const text = "{{#status}}A{{#facility}}B{{/facility}}{{^facility}}C{{/facility}}{{/status}}{{^status}}D{{#facility}}E{{/facility}}{{/status}}";
    assert.equal(fillText(text, { status: "x", facility: "y" }, "en"), "AB");
    assert.equal(fillText(text, { status: "x" }, "en"), "AC");
    assert.equal(fillText(text, { facility: "y" }, "en"), "DE");
    assert.equal(fillText(text, { status: "  ", facility: [] }, "en"), "D", "blank values count as missing");
  });

  it("refuses unknown names, unbalanced sections and stray braces, naming the problem", () => {
    assert.deepEqual(checkTemplateText("{{person}} {{#status}}{{/status}}"), []);
    assert.match(checkTemplateText("{{__proto__}}")[0]!, /not a placeholder/);
    assert.match(checkTemplateText("{{person.constructor}}")[0]!, /not a placeholder/);
    assert.match(checkTemplateText("{{#status}} open")[0]!, /never closed/);
    assert.match(checkTemplateText("{{#status}}{{#facility}}{{/status}}{{/facility}}")[0]!, /close the inner section first/);
    assert.match(checkTemplateText("{{/status}}")[0]!, /not opened/);
    assert.match(checkTemplateText("{{ person }} {{ oops")[0]!, /braces that are not a placeholder/);
    assert.match(checkTemplateText("${process.exit()} {{= 1+1 }}")[0]!, /braces that are not a placeholder/);
  });

  it("draws blocks: headings, paragraphs with line breaks, lists and the addressees' place", () => {
    const blocks = renderBlocks("## Title {{person}}\n\nLine one\nline two\n\n{{concerns}}\n\n{{#sentence}}dropped{{/sentence}}\n\n{{addressees}}", { person: "P", concerns: ["c1", " ", "c2"] }, "en");
    assert.deepEqual(blocks, [
      { kind: "heading", text: "Title P" },
      { kind: "paragraph", text: "Line one\nline two" },
      { kind: "list", name: "concerns", items: ["c1", "c2"] },
      { kind: "addressees" },
    ]);
    assert.equal(blocksToText(blocks, ["Minister\nBeijing"]), "Title P\n-------\n\nLine one\nline two\n\n- c1\n- c2\n\nMinister\nBeijing\n");
  });

  it("ships templates in every language whose every text is well formed", () => {
    for (const language of URGENT_LANGUAGES) {
      const t = DEFAULT_TEMPLATES[language];
      for (const text of [t.subject, t.body, ...t.concerns, ...t.requests]) assert.deepEqual(checkTemplateText(text), [], `${language}: ${text.slice(0, 40)}`);
    }
  });
});
