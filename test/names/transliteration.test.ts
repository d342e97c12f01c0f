import { test } from "node:test";
import assert from "node:assert/strict";
import {
  chinesePersonalNameToPinyin,
  cleanText,
  cyrillicToLatin,
  foldLatin,
  hanToPinyinSyllables,
  normalizeName,
  palladiusToPinyin,
  ueyToUly,
} from "../../src/names/index.ts";

test("reads Uyghur Arabic script letter by letter into ULY", () => {
  assert.equal(ueyToUly("ئىلھام"), "ilham");
  assert.equal(ueyToUly("توختى"), "toxti");
  assert.equal(ueyToUly("راھىلە"), "rahile");
  assert.equal(ueyToUly("داۋۇت"), "dawut");
  assert.equal(ueyToUly("قادىر"), "qadir");
  assert.equal(ueyToUly("تېيىپ"), "tëyip");
  assert.equal(ueyToUly("ئۆتكۈر"), "ötkür");
  assert.equal(ueyToUly("شۆھرەت"), "shöhret");
  assert.equal(ueyToUly("غوپۇر"), "ghopur");
});

test("drops the hamza that carries a word-initial vowel and the one between vowels", () => {
  assert.equal(ueyToUly("ئەيسا"), "eysa");
  assert.equal(ueyToUly("ئۇيغۇر"), "uyghur");
  assert.equal(ueyToUly("مەسئۇل"), "mesul");
  assert.equal(ueyToUly("ئىسمائىل"), "ismail");
});

test("folds Arabic presentation forms, tatweel and bidi controls before transliterating", () => {
  // U+FEE3 U+FEE4 are presentation forms of meem; U+0640 is tatweel; U+200F a right-to-left mark.
  assert.equal(cleanText("\u200fﺋﯩﻠﮭﺎﻡ"), "ئىلھام");
  assert.deepEqual(normalizeName("\u200fئىـــلھام\u200e توختى").readings[0]?.tokens, ["ilham", "toxti"]);
});

test("reads Uyghur and Kazakh Cyrillic with Turkic letter values", () => {
  assert.equal(cyrillicToLatin("Илһам"), "ilham");
  assert.equal(cyrillicToLatin("Нұрсұлтан"), "nursultan");
  assert.equal(cyrillicToLatin("Қасым"), "qasim"); // Kazakh ы is a back i (ı in the 2021 Latin alphabet)
  assert.equal(cyrillicToLatin("Өткүр"), "ötkür");
  assert.equal(cyrillicToLatin("Сайрагүл"), "sayragül");
});

test("reads Russian Cyrillic after BGN/PCGN", () => {
  assert.equal(cyrillicToLatin("Кадыров"), "kadyrov");
  assert.equal(cyrillicToLatin("Назарбаев"), "nazarbayev");
  assert.equal(cyrillicToLatin("Ходжа"), "khodzha");
});

test("reads Palladius back into pinyin", () => {
  assert.equal(palladiusToPinyin("Чэнь"), "chen");
  assert.equal(palladiusToPinyin("Цюаньго"), "quanguo");
  assert.equal(palladiusToPinyin("Чжу"), "zhu");
  assert.equal(palladiusToPinyin("Хайлунь"), "hailun");
  assert.equal(palladiusToPinyin("Цзиньпин"), "jinping");
  assert.equal(palladiusToPinyin("Хо"), "huo");
  assert.equal(palladiusToPinyin("Люцзюнь"), "liujun");
  assert.equal(palladiusToPinyin("Юнкан"), "yongkang");
  assert.equal(palladiusToPinyin("Сюэ"), "xue");
  assert.equal(palladiusToPinyin("Чанъань"), "changan");
  assert.equal(palladiusToPinyin("Петров"), null);
  assert.deepEqual(normalizeName("Чэнь Цюаньго").readings.map((r) => r.tokens.join(" ")), ["chen tsyuango", "chen quanguo"]);
});

test("gives traditional and simplified characters the same pinyin", () => {
  assert.deepEqual(hanToPinyinSyllables("陳全國"), hanToPinyinSyllables("陈全国"));
  assert.deepEqual(hanToPinyinSyllables("習近平"), ["xi", "jin", "ping"]);
  assert.deepEqual(chinesePersonalNameToPinyin("朱海侖"), ["zhu", "hailun"]);
  assert.deepEqual(chinesePersonalNameToPinyin("欧阳修"), ["ouyang", "xiu"]);
});

test("folds Latin case and diacritics but spells out Turkish letters", () => {
  assert.equal(foldLatin("Ötkür"), "otkur");
  assert.equal(foldLatin("Buğra"), "bughra");
  assert.equal(foldLatin("Kaşgarlı"), "kashgarli");
  assert.equal(foldLatin("Téyip"), "teyip");
  assert.equal(foldLatin("Əliyev"), "eliyev");
});

test("splits at name separators and turns SURNAME, Given round", () => {
  assert.deepEqual(normalizeName("TOHTI, Ilham").readings[0]?.tokens, ["ilham", "tohti"]);
  assert.deepEqual(normalizeName("Kassym-Jomart Tokayev").readings[0]?.tokens, ["kassym", "jomart", "tokayev"]);
  assert.deepEqual(normalizeName("伊力哈木·土赫提").readings[0]?.tokens, ["yilihamu", "tuheti"]);
  assert.deepEqual(normalizeName("Abdul'ahat • Abdulrixit").readings[0]?.tokens, ["abdulahat", "abdulrixit"]);
});
