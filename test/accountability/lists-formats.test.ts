import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { countryCode, listReader, sdnDate, type ListFormat, type ReadOutcome } from "../../src/accountability/index.ts";
import { ftmLines, sdnCsv, sdnXml, simpleCsv, uflpaCsv, ukCsv } from "./list-fixtures.ts";
import { MAPPING_PRESETS } from "../../src/accountability/lists-formats.ts";

function readAll(format: ListFormat, text: string, chunk: number): { outcomes: ReadOutcome[]; published: string | null } {
  const reader = listReader(format, format === "csv" ? MAPPING_PRESETS.uflpa! : null);
  const outcomes: ReadOutcome[] = [];
  for (let i = 0; i < text.length; i += chunk) outcomes.push(...reader.push(text.slice(i, i + chunk)));
  outcomes.push(...reader.end());
  return { outcomes, published: reader.publishedOn() };
}

const FILES: [ListFormat, string][] = [
  ["ftm", ftmLines([{ id: "a", schema: "Person", properties: { name: ["Chen Quanguo"], birthDate: ["1955-11"] } }, { id: "b", schema: "Company", properties: { name: ["Hikvision"] } }]) + "{bad\n"],
  ["opensanctions-csv", simpleCsv([{ id: "a", schema: "Person", name: "Zhu Hailun", aliases: "朱海仑;Zhu Hai-lun" }, { id: "b", schema: "Thing", name: "x" }])],
  ["sdn-xml", sdnXml("12/31/2023", [{ uid: "1", type: "Individual", firstName: "Quanguo", lastName: "CHEN", programs: ["GLOMAG"], dob: "circa 1955" }, { uid: "2", type: "Entity", lastName: "A & B <Ltd>", programs: ["CMIC", "SDGT"] }])],
  ["sdn-csv", sdnCsv([{ num: "1", name: "CHEN, Quanguo", type: "individual", program: "GLOMAG", remarks: "DOB 1955 to 1956; a.k.a. 'CHEN, Q.'." }])],
  ["uk-csv", ukCsv("01/02/2024", [{ "Name 6": "ZHU", "Name 1": "Hailun", "Group Type": "Individual", "Alias Type": "Primary name", "Group ID": "1" }, { "Name 6": "ZHU", "Name 1": "Hai Lun", "Group Type": "Individual", "Alias Type": "AKA", "Group ID": "1" }])],
  ["csv", uflpaCsv([{ name: "Hoshine Silicon Industry Co., Ltd.", aka: "Hoshine" }])],
];

describe("list formats", () => {
  for (const [format, text] of FILES) {
    it(`reads ${format} the same whatever the size of the pieces it arrives in`, () => {
      const whole = readAll(format, text, text.length);
      assert.ok(whole.outcomes.some((o) => o.ok === true), "the file has entries");
      for (const chunk of [1, 3, 7, 64]) assert.deepEqual(readAll(format, text, chunk), whole, `pieces of ${chunk}`);
    });
  }

  it("reads the SDN's publication date, escaped names and programme lists", () => {
    const { outcomes, published } = readAll("sdn-xml", FILES[2]![1], 5);
    assert.equal(published, "2023-12-31");
    const [chen, company] = outcomes.filter((o): o is Extract<ReadOutcome, { ok: true }> => o.ok === true).map((o) => o.entry);
    assert.deepEqual(chen!.properties.birthDate, ["1955~"]);
    assert.deepEqual([company!.properties.name, company!.programs], [["A & B <Ltd>"], ["CMIC", "SDGT"]]);
  });

  it("reads the SDN CSV's remarks: birth date ranges and aliases", () => {
    const [o] = readAll("sdn-csv", FILES[3]![1], 11).outcomes;
    assert.ok(o?.ok === true);
    assert.deepEqual([o.entry.properties.birthDate, o.entry.properties.alias], [["1955/1956"], ["CHEN, Q."]]);
  });

  it("turns SDN dates into ISO prefixes and leaves unreadable ones out", () => {
    assert.deepEqual(sdnDate("01 Jan 1960"), ["1960-01-01"]);
    assert.deepEqual(sdnDate("Feb 1961"), ["1961-02"]);
    assert.deepEqual(sdnDate("circa 1950"), ["1950~"]);
    assert.deepEqual(sdnDate("1958 to 1962"), ["1958/1962"]);
    assert.deepEqual(sdnDate("31 Foo 1960"), []);
    assert.deepEqual(sdnDate("sometime"), []);
  });

  it("places country names as ISO codes", () => {
    assert.equal(countryCode("China"), "cn");
    assert.equal(countryCode("Russia"), "ru");
    assert.equal(countryCode("Korea, North"), "kp");
    assert.equal(countryCode("CN"), "cn");
    assert.equal(countryCode("Atlantis"), null);
  });

  it("reports a missing header, an unclosed quote and an overlong line by line number", () => {
    assert.deepEqual(readAll("opensanctions-csv", "", 10).outcomes, [{ ok: false, line: 1, reason: "the file has no header row" }]);
    const quoted = readAll("opensanctions-csv", 'id,schema,name\na,Person,"Chen\n', 4).outcomes;
    assert.equal(quoted[0]?.ok, false);
    assert.equal(quoted[0]?.line, 2);
    const long = readAll("ftm", `${JSON.stringify({ id: "x", schema: "Person", properties: { name: ["a".repeat(1_000_001)] } })}\n{}\n`, 65_536).outcomes;
    assert.deepEqual(long.map((o) => [o.line, o.ok === false ? o.reason : "ok"]), [[1, "the line is longer than 1000000 characters"], [2, "the entity has no id"]]);
    const crowded = readAll("ftm", `${JSON.stringify({ id: "x", schema: "Vessel", properties: { name: ["Ship"], previousName: Array.from({ length: 2001 }, (_, i) => `Ship ${i}`) } })}\n`, 4096).outcomes;
    assert.deepEqual(crowded, [{ ok: false, line: 1, reason: "previousName has more than 2000 values" }]);
    const badName = readAll("ftm", `${JSON.stringify({ id: "x", schema: "Person", properties: { name: ["A"], "Bad Property": ["x"] } })}\n`, 4096).outcomes;
    assert.deepEqual(badName, [{ ok: false, line: 1, reason: "\"Bad Property\" is not a property name" }]);
  });
});
