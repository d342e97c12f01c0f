import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { CsvReader, csvLine, readCsv } from "../../src/core/index.ts";

/** Feeds the text in pieces of `size` characters. */
function inPieces(text: string, size: number, options = {}) {
  const reader = new CsvReader(options);
  const out = [];
  for (let i = 0; i < text.length; i += size) out.push(...reader.push(text.slice(i, i + size)));
  out.push(...reader.end());
  return out;
}

describe("CSV reader", () => {
  const sample = 'name,born,notes\r\n"Ilham, Tohti",1969,"said ""no""\nand left"\r\nGulshan Abbas,1962-XX-XX,\n\nMihray,,"x"\r\n';

  it("reads quoted delimiters, doubled quotes and line breaks, with the line each record starts on", () => {
    assert.deepEqual(readCsv(sample), [
      { line: 1, cells: ["name", "born", "notes"], error: null },
      { line: 2, cells: ["Ilham, Tohti", "1969", 'said "no"\nand left'], error: null },
      { line: 4, cells: ["Gulshan Abbas", "1962-XX-XX", ""], error: null },
      { line: 6, cells: ["Mihray", "", "x"], error: null },
    ]);
  });

  it("gives the same records whatever the size of the pieces it is fed", () => {
    const whole = readCsv(sample);
    for (const size of [1, 2, 3, 5, 7, 64]) assert.deepEqual(inPieces(sample, size), whole, `pieces of ${size}`);
  });

  it("marks a stray quote, text after a closing quote and an unclosed quote, and goes on with the next record", () => {
    const records = readCsv('a,b\nab"c,d\n"x"y,z\nok,1\n"open,2\nnever closed');
    assert.deepEqual(records.map((r) => [r.line, r.error === null ? null : r.error.split(":")[0]]), [
      [1, null],
      [2, "a quote inside column 1, which is not quoted"],
      [3, "text after the closing quote of column 1"],
      [4, null],
      [5, "a quoted field is not closed before the end of the file"],
    ]);
    assert.deepEqual(records[3]!.cells, ["ok", "1"]);
  });

  it("reports an overlong record by its line without keeping its text", () => {
    const long = "x".repeat(50);
    const records = readCsv(`a,b\n${long},1\nc,d\n`, { maxRecordChars: 20 });
    assert.deepEqual(records[1], { line: 2, cells: [], error: "the row is longer than 20 characters" });
    assert.deepEqual(records[2], { line: 3, cells: ["c", "d"], error: null });
  });

  it("takes another delimiter, strips a byte order mark, and refuses a delimiter that cannot work", () => {
    assert.deepEqual(readCsv("\uFEFFa;b\n1;2").map((r) => r.cells), [["a;b"], ["1;2"]]);
    assert.deepEqual(readCsv("\uFEFFa;b\n1;2", { delimiter: ";" }).map((r) => r.cells), [["a", "b"], ["1", "2"]]);
    assert.deepEqual(readCsv("a\tb", { delimiter: "\t" })[0]!.cells, ["a", "b"]);
    assert.throws(() => new CsvReader({ delimiter: '"' }), /delimiter/);
    assert.throws(() => new CsvReader({ delimiter: ";;" }), /delimiter/);
  });

  it("handles a carriage return at the end of one piece and its line feed at the start of the next", () => {
    const reader = new CsvReader();
    assert.deepEqual(reader.push("a,b\r").map((r) => r.cells), [["a", "b"]]);
    assert.deepEqual(reader.push("\nc,d").map((r) => r.cells), []);
    assert.deepEqual(reader.end().map((r) => [r.line, r.cells]), [[2, ["c", "d"]]]);
  });

  it("writes fields back so that reading them gives the same values, formulas defused", () => {
    const line = csvLine(["Ilham, Tohti", 'a "quote"', "two\nlines", "=HYPERLINK()", 3]);
    assert.equal(line, '"Ilham, Tohti","a ""quote""","two\nlines",\'=HYPERLINK(),3\r\n');
    assert.deepEqual(readCsv(line)[0]!.cells, ["Ilham, Tohti", 'a "quote"', "two\nlines", "'=HYPERLINK()", "3"]);
  });
});
