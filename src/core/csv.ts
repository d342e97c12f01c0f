// RFC 4180 CSV, read incrementally and written. The reader takes text in pieces of any size (a
// file streamed from disk), gives back each record as soon as it is complete with the line it
// starts on, and marks a record that breaks the quoting rules instead of guessing: an importer
// reports it by its line and goes on with the next one.

export interface CsvRecord {
  /** The line the record starts on, from 1. */
  line: number;
  cells: string[];
  /** What is wrong with the record's quoting or size, or null. Its cells are then a best reading. */
  error: string | null;
}

export interface CsvReaderOptions {
  /** A single character; default ",". */
  delimiter?: string;
  /** Longer records are reported, and their text is not kept (bounded memory on a hostile file). */
  maxRecordChars?: number;
}

const enum State {
  FieldStart,
  Unquoted,
  Quoted,
  /** A quote inside a quoted field: the end of the field, or the first of a doubled quote. */
  QuoteInQuoted,
  /** After a quoting error, the rest of the field is read literally. */
  Damaged,
}

export const DEFAULT_MAX_RECORD_CHARS = 1_000_000;

export class CsvReader {
  readonly #delimiter: string;
  readonly #max: number;
  readonly #plain: RegExp;
  readonly #quotedPlain = /[^"\n]+/y;
  #state = State.FieldStart;
  #cells: string[] = [];
  #cell = "";
  #chars = 0;
  #overflow = false;
  #line = 1;
  #start = 1;
  #error: string | null = null;
  #skipLineFeed = false;
  #out: CsvRecord[] = [];

  constructor(options: CsvReaderOptions = {}) {
    const delimiter = options.delimiter ?? ",";
    if (delimiter.length !== 1 || /["\r\n]/.test(delimiter)) throw new Error("the delimiter must be one character other than a quote or a line break");
    this.#delimiter = delimiter;
    this.#max = options.maxRecordChars ?? DEFAULT_MAX_RECORD_CHARS;
    const escaped = delimiter.replace(/[\\^$.*+?()[\]{}|-]/g, "\\$&");
    this.#plain = new RegExp(`[^"\\r\\n${escaped}]+`, "y");
  }

  /** Reads the next piece of text; returns the records it completed. */
  push(text: string): CsvRecord[] {
    const d = this.#delimiter;
    let i = 0;
    if (this.#skipLineFeed && text.length > 0) {
      this.#skipLineFeed = false;
      if (text[0] === "\n") i = 1;
    }
    while (i < text.length) {
      const state = this.#state;
      if (state === State.Quoted) {
        this.#quotedPlain.lastIndex = i;
        if (this.#quotedPlain.test(text)) {
          this.#append(text.slice(i, this.#quotedPlain.lastIndex));
          i = this.#quotedPlain.lastIndex;
          continue;
        }
        const ch = text[i++]!;
        if (ch === '"') this.#state = State.QuoteInQuoted;
        else {
          this.#line++;
          this.#append(ch);
        }
        continue;
      }
      if (state === State.Unquoted || state === State.FieldStart || state === State.Damaged) {
        this.#plain.lastIndex = i;
        if (this.#plain.test(text)) {
          this.#append(text.slice(i, this.#plain.lastIndex));
          i = this.#plain.lastIndex;
          if (state === State.FieldStart) this.#state = State.Unquoted;
          continue;
        }
      }
      const ch = text[i++]!;
      if (state === State.QuoteInQuoted) {
        if (ch === '"') {
          this.#append('"');
          this.#state = State.Quoted;
          continue;
        }
        if (ch !== d && ch !== "\n" && ch !== "\r") {
          this.#fail(`text after the closing quote of column ${this.#cells.length + 1}: put the whole field in quotes and double the quotes inside it`);
          this.#append(ch);
          this.#state = State.Damaged;
          continue;
        }
        // The field ended; the character is a delimiter or a line break, handled below.
      }
      if (ch === d) {
        this.#endField();
      } else if (ch === "\n" || ch === "\r") {
        this.#endRecord();
        this.#line++;
        this.#start = this.#line;
        if (ch === "\r") {
          if (i < text.length) {
            if (text[i] === "\n") i++;
          } else this.#skipLineFeed = true;
        }
      } else if (ch === '"') {
        if (this.#state === State.FieldStart) this.#state = State.Quoted;
        else {
          if (this.#state === State.Unquoted) this.#fail(`a quote inside column ${this.#cells.length + 1}, which is not quoted: put the whole field in quotes and double the quotes inside it`);
          this.#append('"');
        }
      }
    }
    const out = this.#out;
    this.#out = [];
    return out;
  }

  /** Ends the text; returns the last record, if any. */
  end(): CsvRecord[] {
    if (this.#state === State.Quoted) {
      this.#fail("a quoted field is not closed before the end of the file");
    }
    if (this.#state !== State.FieldStart || this.#cells.length > 0) this.#endRecord();
    const out = this.#out;
    this.#out = [];
    return out;
  }

  #append(text: string): void {
    if (this.#overflow) return;
    this.#chars += text.length;
    if (this.#chars > this.#max) {
      // Past the limit nothing more of the record is kept: it is reported by its line alone.
      this.#overflow = true;
      this.#error = `the row is longer than ${this.#max} characters`;
      this.#cells = [];
      this.#cell = "";
      return;
    }
    this.#cell += text;
  }

  #fail(message: string): void {
    this.#error ??= message;
  }

  #endField(): void {
    if (!this.#overflow) this.#cells.push(this.#cell);
    this.#cell = "";
    this.#state = State.FieldStart;
  }

  #endRecord(): void {
    const blank = this.#cells.length === 0 && this.#cell === "" && this.#state === State.FieldStart && this.#error === null;
    if (!blank) {
      if (!this.#overflow) this.#cells.push(this.#cell);
      this.#out.push({ line: this.#start, cells: this.#cells, error: this.#error });
    }
    this.#cells = [];
    this.#cell = "";
    this.#chars = 0;
    this.#overflow = false;
    this.#error = null;
    this.#state = State.FieldStart;
  }
}

/** Reads a whole text at once (a pasted form field). */
export function readCsv(text: string, options: CsvReaderOptions = {}): CsvRecord[] {
  const reader = new CsvReader(options);
  const records = reader.push(text.startsWith("\uFEFF") ? text.slice(1) : text);
  records.push(...reader.end());
  return records;
}

/**
 * One field for a CSV file people will open in a spreadsheet: quoted when needed, and a leading
 * =, +, -, @, tab or carriage return defused with an apostrophe (CSV injection, OWASP).
 */
export function csvCell(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export function csvLine(cells: readonly (string | number)[]): string {
  return cells.map((v) => csvCell(String(v))).join(",") + "\r\n";
}
