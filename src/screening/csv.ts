// RFC 4180 CSV, read and written: the screening upload and its report.

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

/** Parses CSV text. Quoted fields may hold commas, doubled quotes and line breaks; blank lines are skipped. */
export function parseCsv(text: string): CsvRecord[] {
  const records: CsvRecord[] = [];
  let cells: string[] = [];
  let cell = "";
  let quoted = false;
  let line = 1;
  let start = 1;
  let fieldStarted = false;
  const source = text.startsWith("\uFEFF") ? text.slice(1) : text;
  const endRecord = () => {
    cells.push(cell);
    if (cells.length > 1 || cells[0] !== "") records.push({ line: start, cells });
    cells = [];
    cell = "";
    fieldStarted = false;
  };
  for (let i = 0; i < source.length; i++) {
    const ch = source[i]!;
    if (quoted) {
      if (ch === '"') {
        if (source[i + 1] === '"') {
          cell += '"';
          i++;
        } else quoted = false;
      } else {
        if (ch === "\n") line++;
        cell += ch;
      }
      continue;
    }
    if (ch === '"' && !fieldStarted) {
      quoted = true;
      fieldStarted = true;
    } else if (ch === ",") {
      cells.push(cell);
      cell = "";
      fieldStarted = false;
    } else if (ch === "\n" || ch === "\r") {
      if (ch === "\r" && source[i + 1] === "\n") i++;
      endRecord();
      line++;
      start = line;
    } else {
      cell += ch;
      fieldStarted = true;
    }
  }
  if (quoted) throw new CsvError(start, "a quoted field is not closed");
  if (cell !== "" || cells.length > 0) endRecord();
  return records;
}

function quote(value: string): string {
  // A leading =, +, - or @ would be read as a formula by spreadsheet programs (CSV injection).
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export function writeCsv(rows: readonly (readonly (string | number)[])[]): string {
  return rows.map((row) => row.map((v) => quote(String(v))).join(",")).join("\r\n") + "\r\n";
}
