// The screening upload and its report, read and written with the one CSV reader (src/core/csv.ts).
import { csvLine, readCsv } from "../core/index.ts";

export interface CsvRecord {
  /** The line the record starts on, from 1, for error messages. */
  line: number;
  cells: string[];
}

export class CsvError extends Error {
  constructor(readonly line: number, message: string) {
    super(message);
  }
}

/**
 * Parses CSV text. Quoted fields may hold commas, doubled quotes and line breaks; blank lines are
 * skipped. Screening reads a stray quote as text (a name may hold one); an unclosed quote stops it.
 */
export function parseCsv(text: string): CsvRecord[] {
  const records: CsvRecord[] = [];
  for (const record of readCsv(text, { maxRecordChars: Number.MAX_SAFE_INTEGER })) {
    if (record.error?.startsWith("a quoted field is not closed")) throw new CsvError(record.line, "a quoted field is not closed");
    if (record.cells.length === 1 && record.cells[0] === "") continue;
    records.push({ line: record.line, cells: record.cells });
  }
  return records;
}

export function writeCsv(rows: readonly (readonly (string | number)[])[]): string {
  return rows.map(csvLine).join("");
}
