import { test } from "node:test";
import assert from "node:assert/strict";
import { compareBirthDates, matchNames, parseEdtfIntervals } from "../../src/names/index.ts";

const ilham = (birthDate?: string[]) => ({ schema: "Person" as const, names: ["Ilham Tohti"], birthDate });

test("reads EDTF years, months, days, qualifiers, unspecified digits, intervals and sets", () => {
  assert.deepEqual(parseEdtfIntervals("1969"), [{ start: 19690101, end: 19691231, exact: false }]);
  assert.deepEqual(parseEdtfIntervals("1969-05-03"), [{ start: 19690503, end: 19690503, exact: true }]);
  assert.deepEqual(parseEdtfIntervals("1969~"), [{ start: 19680101, end: 19701231, exact: false }]);
  assert.deepEqual(parseEdtfIntervals("196X"), [{ start: 19600101, end: 19691231, exact: false }]);
  assert.deepEqual(parseEdtfIntervals("1968/1970"), [{ start: 19680101, end: 19701231, exact: false }]);
  assert.equal(parseEdtfIntervals("[1960,1975]").length, 2);
  assert.deepEqual(parseEdtfIntervals("1969-02-30"), []);
  assert.deepEqual(parseEdtfIntervals("not a date"), []);
});

test("treats a year and a day within it as compatible, different years as a mismatch", () => {
  assert.equal(compareBirthDates(["1969"], ["1969-05-03"]), "compatible");
  assert.equal(compareBirthDates(["1969-05-03"], ["1969-05-03"]), "same-day");
  assert.equal(compareBirthDates(["1969"], ["1985"]), "mismatch");
  assert.equal(compareBirthDates(["1969~"], ["1970"]), "compatible");
  assert.equal(compareBirthDates(["196X"], ["1965-01-01"]), "compatible");
  assert.equal(compareBirthDates(["1968/1970"], ["1970-12"]), "compatible");
  assert.equal(compareBirthDates(["1968/1970"], ["1972"]), "mismatch");
  assert.equal(compareBirthDates([], ["1972"]), "unknown");
});

test("adjusts the match score by birth date", () => {
  const base = matchNames(ilham(), ilham()).score;
  const compatible = matchNames(ilham(["1969"]), ilham(["1969-05-03"]));
  const mismatch = matchNames(ilham(["1969"]), ilham(["1985"]));
  assert.ok(compatible.score >= base - 1e-9);
  assert.equal(compatible.features.dob_match, 0.5);
  assert.ok(mismatch.score < base);
  assert.equal(mismatch.features.dob_mismatch, 1);
  assert.equal(mismatch.match, false);
  assert.equal(matchNames(ilham(["1969~"]), ilham(["1970"])).features.dob_mismatch, undefined);
  assert.equal(matchNames(ilham(["196X"]), ilham(["1969-10-25"])).features.dob_match, 0.5);
  assert.equal(matchNames(ilham(["1968/1970"]), ilham(["1969"])).features.dob_match, 0.5);
});
