import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";

// The catalogues are read as files, flattened the way src/web/i18n.ts flattens them, so that a
// missing, extra or untranslated key is caught here rather than shown in English on a page.

type Catalogue = Record<string, string>;

function flatten(tree: Record<string, unknown>, prefix = "", out: Catalogue = {}): Catalogue {
  for (const [key, value] of Object.entries(tree)) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (typeof value === "string") out[path] = value;
    else if (value && typeof value === "object" && !Array.isArray(value)) flatten(value as Record<string, unknown>, path, out);
    else assert.fail(`${path} holds neither text nor a group of keys`);
  }
  return out;
}

function read(locale: string): Record<string, unknown> {
  return JSON.parse(readFileSync(new URL(`../../locales/${locale}.json`, import.meta.url), "utf8")) as Record<string, unknown>;
}

const en = flatten(read("en"));
const translations = { ug: flatten(read("ug")), "zh-Hans": flatten(read("zh-Hans")) };

/** Keys whose translation may legitimately be the English text: names and codes, not prose. */
const SAME_AS_ENGLISH = new Set<string>([]);

const PLACEHOLDER = /\{(\w+)\}/g;
const ARABIC = /[\u0600-\u06FF]/;
const CJK = /[\u3400-\u4DBF\u4E00-\u9FFF]/;
const BIDI_CONTROLS = /[\u202A-\u202E\u2066-\u2069]/;

function placeholders(text: string): string[] {
  return [...new Set([...text.matchAll(PLACEHOLDER)].map((m) => m[1]!))].sort();
}

function sorted(keys: Iterable<string>): string[] {
  return [...keys].sort();
}

describe("locale catalogues", () => {
  it("has English text under every key and a message catalogue", () => {
    assert.ok(Object.keys(en).length > 100, "the English catalogue is unexpectedly small");
    assert.ok(Object.keys(en).some((k) => k.startsWith("messages.")), "en.json has no messages");
    for (const [key, value] of Object.entries(en)) assert.notEqual(value.trim(), "", `en: ${key} is empty`);
  });

  it("maps each English service message to itself, so a message's key is its text", () => {
    const messages = read("en").messages as Record<string, unknown>;
    assert.ok(messages && typeof messages === "object");
    for (const [text, value] of Object.entries(messages)) {
      assert.equal(value, text, `en: messages["${text}"]`);
      assert.ok(!text.includes("."), `en: the message "${text}" holds a "." and cannot be looked up once flattened`);
    }
  });

  it("keeps no bidi control characters in English", () => {
    for (const [key, value] of Object.entries(en)) assert.doesNotMatch(value, BIDI_CONTROLS, `en: ${key}`);
  });

  for (const [locale, catalogue] of Object.entries(translations)) {
    describe(locale, () => {
      it("has exactly the keys of English", () => {
        const missing = sorted(Object.keys(en).filter((k) => !(k in catalogue)));
        const extra = sorted(Object.keys(catalogue).filter((k) => !(k in en)));
        assert.deepEqual({ missing, extra }, { missing: [], extra: [] });
      });

      it("keeps the placeholders of each English value", () => {
        for (const [key, english] of Object.entries(en)) {
          const own = catalogue[key];
          if (own === undefined) continue;
          assert.deepEqual(placeholders(own), placeholders(english), `${locale}: placeholders of ${key}`);
        }
      });

      it("translates every value, apart from names and codes", () => {
        const untranslated = sorted(Object.keys(en).filter((k) => catalogue[k] === en[k] && !SAME_AS_ENGLISH.has(k)));
        assert.deepEqual(untranslated, []);
        for (const [key, value] of Object.entries(catalogue)) assert.notEqual(value.trim(), "", `${locale}: ${key} is empty`);
      });

      it(locale === "ug" ? "writes Uyghur in Arabic script" : "writes Chinese characters", () => {
        const script = locale === "ug" ? ARABIC : CJK;
        const wrong = sorted(Object.keys(catalogue).filter((k) => !SAME_AS_ENGLISH.has(k) && !script.test(catalogue[k]!)));
        assert.deepEqual(wrong, []);
      });

      it("holds no bidi control characters", () => {
        const withControls = sorted(Object.keys(catalogue).filter((k) => BIDI_CONTROLS.test(catalogue[k]!)));
        assert.deepEqual(withControls, []);
      });
    });
  }
});
