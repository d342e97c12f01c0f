import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { direction, negotiateLocale, translateMessage, translator } from "../../src/web/i18n.ts";

describe("interface language", () => {
  it("negotiates Accept-Language by quality, falling back to the default", () => {
    assert.equal(negotiateLocale("ug-CN,ug;q=0.9,en;q=0.5", "en"), "ug");
    assert.equal(negotiateLocale("fr, zh-CN;q=0.8, en;q=0.7", "en"), "zh-Hans");
    assert.equal(negotiateLocale("en;q=0.2, zh-Hans;q=0.9", "en"), "zh-Hans");
    assert.equal(negotiateLocale("de, fr", "ug"), "ug");
    assert.equal(negotiateLocale(undefined, "en"), "en");
    assert.equal(negotiateLocale("ug;q=0", "en"), "en");
  });

  it("sets right to left for Uyghur only", () => {
    assert.equal(direction("ug"), "rtl");
    assert.equal(direction("en"), "ltr");
    assert.equal(direction("zh-Hans"), "ltr");
  });

  it("fills placeholders and shows a missing key as itself", () => {
    const t = translator("en");
    assert.equal(t("dashboard.welcome", { name: "Gulnar" }), "Welcome, Gulnar");
    assert.equal(t("no.such.key"), "no.such.key");
  });

  it("translates service messages, numbers included", () => {
    const ug = translator("ug");
    const zh = translator("zh-Hans");
    assert.equal(translateMessage(zh, "too many failed attempts: wait 16 seconds"), "失败尝试次数过多：请等待 16 秒");
    assert.match(translateMessage(ug, "password must have at least 12 characters"), /12/);
    assert.match(translateMessage(ug, "password must have at least 12 characters"), /[\u0600-\u06FF]/);
    assert.equal(translateMessage(zh, "an unknown message 42"), "an unknown message 42");
  });
});
