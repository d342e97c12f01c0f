import { test } from "node:test";
import assert from "node:assert/strict";
import { DEFAULT_THRESHOLD, matchNames, prepareEntity } from "../../src/names/index.ts";

const person = (...names: string[]) => ({ schema: "Person" as const, names });

test("matches every spelling of one identity across scripts", () => {
  const forms = ["Ilham Tohti", "Ilham Toxti", "ئىلھام توختى", "Илһам Тохти", "伊力哈木·土赫提", "Yilihamu Tuheti", "TOHTI, Ilham"];
  for (const a of forms) for (const b of forms) assert.ok(matchNames(person(a), person(b)).match, `${a} ~ ${b}`);
  const official = ["陈全国", "陳全國", "Chen Quanguo", "CHEN, Quanguo", "Чэнь Цюаньго"];
  for (const a of official) for (const b of official) assert.ok(matchNames(person(a), person(b)).match, `${a} ~ ${b}`);
});

test("ignores token order", () => {
  assert.equal(matchNames(person("Ilham Tohti"), person("Tohti Ilham")).score, 1);
  assert.equal(matchNames(person("Quanguo Chen"), person("陈全国")).score, 1);
});

test("tells 陈国全 from 陈全国 and other Chinese names that share characters", () => {
  assert.equal(matchNames(person("陈国全"), person("陈全国")).match, false);
  assert.equal(matchNames(person("Chen Guoquan"), person("Чэнь Цюаньго")).match, false);
  assert.equal(matchNames(person("李克强"), person("李强")).match, false);
  assert.equal(matchNames(person("Чжан Чуньсянь"), person("Чжан Чуньцяо")).match, false);
  assert.equal(matchNames(person("Chen Quanguo"), person("Chen Mingguo")).match, false);
});

test("keeps apart different people who share a name", () => {
  assert.equal(matchNames(person("Rahile Dawut"), person("Zumret Dawut")).match, false);
  assert.equal(matchNames(person("Perhat Tursun"), person("Mihrigul Tursun")).match, false);
  assert.equal(matchNames(person("Gulshan Abbas"), person("Rushan Abbas")).match, false);
});

test("compares name sets and explains the best pair", () => {
  const result = matchNames(person("Ilham Tohti", "Илһам Тохти"), person("Someone Else", "伊力哈木·土赫提"));
  assert.ok(result.match);
  assert.ok(result.features.name_match !== undefined && result.features.name_match >= DEFAULT_THRESHOLD);
  assert.equal(result.features.name_transliterated, 1);
  assert.match(result.explanation[0] ?? "", /turkic-bridge/);
});

test("lowers the score for extra tokens without refusing the match", () => {
  const r = matchNames(person("Ilham Tohti"), person("Ilham Tohti Abdulla"));
  assert.ok(r.score < 1 && r.match);
  assert.equal(r.features.name_extra_tokens, 1);
});

test("uses initials, nationality, gender and identifiers", () => {
  assert.ok(matchNames(person("I. Tohti"), person("Ilham Tohti")).features.name_initials === 1);
  const base = { schema: "Person" as const, names: ["Ilham Tohti"] };
  assert.equal(matchNames({ ...base, nationality: ["cn"] }, { ...base, nationality: ["tr"] }).features.country_mismatch, 1);
  assert.equal(matchNames({ ...base, gender: ["male"] }, { ...base, gender: ["F"] }).features.gender_mismatch, 1);
  const ids = matchNames({ schema: "Person", names: ["Ilham Tokhtiev"], identifiers: ["G-1234567"] }, { schema: "Person", names: ["Ilham Tohti"], identifiers: ["g1234567"] });
  assert.equal(ids.features.identifier_match, 1);
});

test("refuses to match a person with a company", () => {
  const r = matchNames(person("Alfa"), { schema: "Company", names: ["Alfa LLC"] });
  assert.equal(r.score, 0);
  assert.equal(r.features.schema_mismatch, 1);
});

test("matches companies regardless of legal form", () => {
  const company = (...names: string[]) => ({ schema: "Company" as const, names });
  assert.equal(matchNames(company("Xinjiang Huafu Co., Ltd."), company("XINJIANG HUAFU COMPANY LIMITED")).score, 1);
  assert.ok(matchNames(company("ООО «Альфа»"), company("Alfa LLC")).match);
});

test("accepts prepared entities for one-against-many scoring", () => {
  const q = prepareEntity(person("Ilham Tohti"));
  assert.equal(matchNames(q, person("Ilham Toxti")).score, matchNames(person("Ilham Tohti"), person("Ilham Toxti")).score);
});
