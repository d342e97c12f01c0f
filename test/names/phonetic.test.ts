import { test } from "node:test";
import assert from "node:assert/strict";
import { phoneticKey } from "../../src/names/index.ts";

const same = (...tokens: string[]) => {
  const keys = tokens.map(phoneticKey);
  assert.ok(keys.every((k) => k === keys[0]), `${tokens.join("/")} → ${keys.join("/")}`);
};

test("merges the spellings one name takes across scripts", () => {
  same("tohti", "toxti", "tokhti", "tuheti");
  same("ilham", "yilihamu");
  same("rahile", "reyila");
  same("dawut", "davut", "dawuti", "davud");
  same("qadir", "kadir", "kadeer");
  same("yusup", "yusuf");
  same("hoja", "khoja", "xoja");
  same("memet", "mehmet", "maimaiti", "muhammad");
  same("gulnar", "gulinaer");
  same("jalalidin", "zhalalidin");
});

test("keeps apart names that differ in their consonants", () => {
  assert.notEqual(phoneticKey("quanguo"), phoneticKey("guoquan"));
  assert.notEqual(phoneticKey("tohti"), phoneticKey("tursun"));
  assert.notEqual(phoneticKey("gulshan"), phoneticKey("rushan"));
  assert.notEqual(phoneticKey("kezhi"), phoneticKey("leji"));
  assert.notEqual(phoneticKey("abdureshit"), phoneticKey("abdukerim"));
});

test("gives short stable keys and nothing for vowel-only tokens", () => {
  assert.equal(phoneticKey("tohti"), "TT");
  assert.equal(phoneticKey("ai"), "");
  assert.ok(phoneticKey("x".repeat(10_000)).length <= 40);
});
