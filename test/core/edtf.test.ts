import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { daysInMonth, isEdtf, isLeapYear, parseEdtf, type EdtfDate } from "../../src/core/index.ts";

function read(text: string): EdtfDate {
  const result = parseEdtf(text);
  if (!result.ok) assert.fail(`${text} was refused: ${result.error}`);
  return result.value;
}

function range(text: string): [string, string] {
  const value = read(text);
  return [value.earliest, value.latest];
}

function refusal(text: string): string {
  const result = parseEdtf(text);
  if (result.ok) assert.fail(`${text} was accepted as ${result.value.earliest}..${result.value.latest}`);
  return result.error;
}

// The examples of the Library of Congress EDTF specification (4 February 2019,
// https://www.loc.gov/standards/datetime/), level by level, with the range each one means.
describe("EDTF specification examples, level 0", () => {
  const cases: [string, string, string][] = [
    ["1985-04-12", "1985-04-12", "1985-04-12"],
    ["1985-04", "1985-04-01", "1985-04-30"],
    ["1985", "1985-01-01", "1985-12-31"],
    ["1985-04-12T23:20:30", "1985-04-12", "1985-04-12"],
    ["1985-04-12T23:20:30Z", "1985-04-12", "1985-04-12"],
    ["1985-04-12T23:20:30-04", "1985-04-12", "1985-04-12"],
    ["1985-04-12T23:20:30+04:30", "1985-04-12", "1985-04-12"],
    ["1964/2008", "1964-01-01", "2008-12-31"],
    ["2004-06/2006-08", "2004-06-01", "2006-08-31"],
    ["2004-02-01/2005-02-08", "2004-02-01", "2005-02-08"],
    ["2004-02-01/2005-02", "2004-02-01", "2005-02-28"],
    ["2004-02-01/2005", "2004-02-01", "2005-12-31"],
    ["2005/2006-02", "2005-01-01", "2006-02-28"],
  ];
  for (const [text, earliest, latest] of cases) {
    it(`reads ${text} as ${earliest}..${latest}`, () => assert.deepEqual(range(text), [earliest, latest]));
  }
});

describe("EDTF specification examples, level 1", () => {
  const cases: [string, string, string][] = [
    ["Y170000002", "9999-12-31", "9999-12-31"],
    ["Y-170000002", "0000-01-01", "0000-01-01"],
    ["2001-21", "2001-03-01", "2001-05-31"],
    ["1984?", "1984-01-01", "1984-12-31"],
    ["2004-06~", "2004-06-01", "2004-06-30"],
    ["2004-06-11%", "2004-06-11", "2004-06-11"],
    ["201X", "2010-01-01", "2019-12-31"],
    ["20XX", "2000-01-01", "2099-12-31"],
    ["2004-XX", "2004-01-01", "2004-12-31"],
    ["1985-04-XX", "1985-04-01", "1985-04-30"],
    ["1985-XX-XX", "1985-01-01", "1985-12-31"],
    ["1985-04-12/..", "1985-04-12", "9999-12-31"],
    ["1985-04/..", "1985-04-01", "9999-12-31"],
    ["1985/..", "1985-01-01", "9999-12-31"],
    ["../1985-04-12", "0000-01-01", "1985-04-12"],
    ["../1985-04", "0000-01-01", "1985-04-30"],
    ["../1985", "0000-01-01", "1985-12-31"],
    ["1985-04-12/", "1985-04-12", "9999-12-31"],
    ["1985-04/", "1985-04-01", "9999-12-31"],
    ["1985/", "1985-01-01", "9999-12-31"],
    ["/1985-04-12", "0000-01-01", "1985-04-12"],
    ["/1985-04", "0000-01-01", "1985-04-30"],
    ["/1985", "0000-01-01", "1985-12-31"],
    ["-1985", "0000-01-01", "0000-01-01"],
    ["1984~/2004-06", "1984-01-01", "2004-06-30"],
    ["1984/2004-06~", "1984-01-01", "2004-06-30"],
    ["1984~/2004~", "1984-01-01", "2004-12-31"],
    ["1984?/2004%", "1984-01-01", "2004-12-31"],
    ["1984-06?/2004-08?", "1984-06-01", "2004-08-31"],
    ["1984-06-02?/2004-08-08~", "1984-06-02", "2004-08-08"],
    ["1984-06-02?/", "1984-06-02", "9999-12-31"],
  ];
  for (const [text, earliest, latest] of cases) {
    it(`reads ${text} as ${earliest}..${latest}`, () => assert.deepEqual(range(text), [earliest, latest]));
  }
});

describe("EDTF specification examples, level 2 forms we support", () => {
  const cases: [string, string, string][] = [
    ["156X-12-25", "1560-12-25", "1569-12-25"],
    ["15XX-12-25", "1500-12-25", "1599-12-25"],
    ["XXXX-12-XX", "0000-12-01", "9999-12-31"],
    ["1XXX-XX", "1000-01-01", "1999-12-31"],
    ["1XXX-12", "1000-12-01", "1999-12-31"],
    ["1984-1X", "1984-10-01", "1984-12-31"],
    ["2001-34", "2001-04-01", "2001-06-30"],
    ["[1667,1668,1670..1672]", "1667-01-01", "1672-12-31"],
    ["[..1760-12-03]", "0000-01-01", "1760-12-03"],
    ["[1760-12..]", "1760-12-01", "9999-12-31"],
    ["[1667,1760-12]", "1667-01-01", "1760-12-31"],
    ["[..1984]", "0000-01-01", "1984-12-31"],
    ["{1667,1668,1670..1672}", "1667-01-01", "1672-12-31"],
    ["{1960,1961-12}", "1960-01-01", "1961-12-31"],
    ["{..1984}", "0000-01-01", "1984-12-31"],
  ];
  for (const [text, earliest, latest] of cases) {
    it(`reads ${text} as ${earliest}..${latest}`, () => assert.deepEqual(range(text), [earliest, latest]));
  }

  it("refuses the level 2 forms it does not support, and says which", () => {
    assert.match(refusal("Y-17E7"), /exponential/);
    assert.match(refusal("1950S2"), /significant digits/);
    assert.match(refusal("2004-06-~11"), /one part of a date/);
    assert.match(refusal("?2004-06-~11"), /one part of a date/);
  });
});

describe("EDTF values documenters write", () => {
  it("reads the forms named in the documentation issue", () => {
    assert.deepEqual(range("2009-07-05"), ["2009-07-05", "2009-07-05"]);
    assert.deepEqual(range("2009-07"), ["2009-07-01", "2009-07-31"]);
    assert.deepEqual(range("2009"), ["2009-01-01", "2009-12-31"]);
    assert.deepEqual(range("2017?"), ["2017-01-01", "2017-12-31"]);
    assert.deepEqual(range("2018~"), ["2018-01-01", "2018-12-31"]);
    assert.deepEqual(range("2018%"), ["2018-01-01", "2018-12-31"]);
    assert.deepEqual(range("2017/2019"), ["2017-01-01", "2019-12-31"]);
    assert.deepEqual(range("2017/.."), ["2017-01-01", "9999-12-31"]);
    assert.deepEqual(range("../2019"), ["0000-01-01", "2019-12-31"]);
    assert.deepEqual(range("2019-XX-XX"), ["2019-01-01", "2019-12-31"]);
    assert.deepEqual(range("19XX"), ["1900-01-01", "1999-12-31"]);
    assert.deepEqual(range("Y-200000"), ["0000-01-01", "0000-01-01"]);
  });

  it("keeps the text as written, trimmed", () => {
    assert.equal(read("  2017?  ").text, "2017?");
  });

  it("names the qualifiers of a value", () => {
    assert.deepEqual(read("2009-07-05").qualifiers, []);
    assert.deepEqual(read("2017?").qualifiers, ["uncertain"]);
    assert.deepEqual(read("2018~").qualifiers, ["approximate"]);
    assert.deepEqual(read("2018%").qualifiers, ["approximate", "uncertain"]);
    assert.deepEqual(read("201X").qualifiers, ["unspecified"]);
    assert.deepEqual(read("2017/..").qualifiers, ["interval", "open"]);
    assert.deepEqual(read("/2019").qualifiers, ["interval", "unknown"]);
    assert.deepEqual(read("1984?/2004").qualifiers, ["interval", "uncertain"]);
    assert.deepEqual(read("[1667,1668]").qualifiers, ["set"]);
  });

  it("spans the seasons, winter running into the next year", () => {
    assert.deepEqual(range("2001-22"), ["2001-06-01", "2001-08-31"]);
    assert.deepEqual(range("2001-23"), ["2001-09-01", "2001-11-30"]);
    assert.deepEqual(range("2001-24"), ["2001-12-01", "2002-02-28"]);
    assert.deepEqual(range("2003-24"), ["2003-12-01", "2004-02-29"]);
    assert.deepEqual(range("2001-40"), ["2001-01-01", "2001-06-30"]);
    assert.deepEqual(range("2001-39"), ["2001-09-01", "2001-12-31"]);
  });

  it("sorts by earliest day whatever the precision", () => {
    const values = ["2018~", "2017-06-30", "2017?", "201X", "2017/2019"].map(read);
    values.sort((a, b) => a.earliest.localeCompare(b.earliest) || a.latest.localeCompare(b.latest));
    assert.deepEqual(values.map((v) => v.text), ["201X", "2017?", "2017/2019", "2017-06-30", "2018~"]);
  });

  it("accepts February 29 in leap years only, counting centuries as the Gregorian calendar does", () => {
    assert.ok(isEdtf("2020-02-29"));
    assert.ok(isEdtf("2000-02-29"));
    assert.ok(isEdtf("19XX-02-29"), "some year of the 1900s is a leap year");
    assert.equal(isEdtf("1900-02-29"), false);
    assert.equal(isLeapYear(1900), false);
    assert.equal(isLeapYear(2000), true);
    assert.equal(isLeapYear(0), true);
    assert.equal(daysInMonth(2023, 2), 28);
    assert.equal(daysInMonth(2024, 2), 29);
    assert.equal(daysInMonth(2024, 9), 30);
  });
});

describe("EDTF refusals say what is wrong", () => {
  it("names a month that does not exist", () => {
    assert.match(refusal("2019-13"), /month 13 does not exist/);
    assert.match(refusal("2019-00-10"), /month 0 does not exist/);
  });

  it("names a day past the end of its month", () => {
    assert.match(refusal("2019-04-31"), /April has 30 days, not 31/);
    assert.match(refusal("2019-06-31/2020"), /June has 30 days/);
    assert.match(refusal("2019-01-32"), /day 32 does not exist/);
    assert.match(refusal("2019-02-3X"), /no day of February matches 3X/);
  });

  it("names February 29 of a common year", () => {
    assert.match(refusal("2023-02-29"), /2023 is not a leap year, so February has 28 days/);
    assert.match(refusal("2100-02-29"), /2100 is not a leap year/);
  });

  it("refuses an interval that ends before it begins", () => {
    assert.match(refusal("2019/2017"), /ends \(2017\) before it begins \(2019\)/);
    assert.match(refusal("2019-06-02/2019-06-01"), /before it begins/);
    assert.match(refusal("[1672..1670]"), /ends before it begins/);
  });

  it("refuses intervals without a start or an end, or with two slashes", () => {
    assert.match(refusal("../.."), /needs a start or an end/);
    assert.match(refusal("/"), /needs a start or an end/);
    assert.match(refusal("2017/2018/2019"), /one slash/);
  });

  it("refuses seasons that do not exist and days on a season", () => {
    assert.match(refusal("2001-42"), /neither a month \(01–12\) nor a season/);
    assert.match(refusal("2001-21-03"), /season cannot have a day/);
  });

  it("refuses what is not a date at all", () => {
    for (const text of ["", "   ", "July 2009", "2009-7-5", "09-07-05", "20091", "2009-07-05T25:00:00", "2009T10:00:00", "2009-07-XXT10:00:00", "Y1999", "Y12345-01", "-0000", "[]", "[..]", "2009-07-05 ", "2009-07-05\u0000"]) {
      assert.equal(parseEdtf(text).ok, text === "2009-07-05 ", `${JSON.stringify(text)}`);
    }
  });

  it("refuses a value far longer than any date", () => {
    assert.match(refusal("2".repeat(100_000)), /at most 512 characters/);
    assert.match(refusal(`[${Array(200).fill("2001").join(",")}]`), /at most 512/);
  });
});
