import { test } from "node:test";
import assert from "node:assert/strict";
import { bridgeSyllables, hanToPinyinSyllables, matchNames, normalizeName } from "../../src/names/index.ts";

const bridge = (han: string): string => bridgeSyllables(hanToPinyinSyllables(han));
const person = (...names: string[]) => ({ schema: "Person" as const, names });

test("applies the syllable conventions of Chinese renderings of Turkic names", () => {
  assert.equal(bridge("热依拉"), "rahile");
  assert.equal(bridge("达吾提"), "dawut"); // 提 final t
  assert.equal(bridge("努尔"), "nur"); // 尔 r
  assert.equal(bridge("古丽娜尔"), "gulnar"); // 古丽 Gül-
  assert.equal(bridge("阿不都热西提"), "abdureshit"); // 阿不都 Abdu-
  assert.equal(bridge("伊拉木江"), "ilamjan"); // 江 -jan
  assert.equal(bridge("伊力哈木"), "ilham");
  assert.equal(bridge("买买提"), "memet");
  assert.equal(bridge("吐尔逊"), "tursun");
});

test("offers the Turkic reading beside pinyin for Han and for pinyin written in Latin", () => {
  const readings = (name: string) => normalizeName(name).readings.map((r) => r.tokens.join(" "));
  assert.deepEqual(readings("热依拉·达吾提"), ["reyila dawuti", "rahile dawut"]);
  assert.deepEqual(readings("Reyila Dawuti"), ["reyila dawuti", "rahile dawut"]);
  assert.deepEqual(readings("陈全国"), ["chen quanguo"]);
});

test("brings 热依拉·达吾提 and Reyila Dawuti to Rahile Dawut", () => {
  assert.ok(matchNames(person("热依拉·达吾提"), person("Rahile Dawut")).match);
  assert.ok(matchNames(person("Reyila Dawuti"), person("Rahile Dawut")).match);
  assert.ok(matchNames(person("伊力哈木·土赫提"), person("Ilham Tohti")).match);
  assert.ok(matchNames(person("Yilihamu Tuheti"), person("ئىلھام توختى")).match);
});
