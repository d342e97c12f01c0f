// A supplier list as a company keeps it: a CSV file (comma or semicolon, UTF-8) with a header row
// naming its columns. The columns holding the supplier's name, address and country are found by
// their header (common spellings, or the ones the user names), and each row becomes a supplier or
// a rejected line with its reason. Pure: no I/O.
import { Invalid, readCsv } from "../core/index.ts";
import { model } from "../records/index.ts";

export const MAX_SUPPLIER_ROWS = 20_000;

export interface SupplierColumns {
  name: string;
  address?: string | undefined;
  country?: string | undefined;
}

export interface SupplierRow {
  line: number;
  name: string;
  address: string | null;
  /** As written in the file. */
  country: string | null;
  /** The ISO 3166 code the country was read as (FtM's country values), or null. */
  countryCode: string | null;
}

export interface SupplierFile {
  headers: string[];
  columns: { name: string; address: string | null; country: string | null };
  suppliers: SupplierRow[];
  rejected: { line: number; reason: string }[];
}

const GUESSES = {
  name: ["name", "supplier", "supplier name", "supplier_name", "company", "company name", "company_name", "vendor", "vendor name", "organisation", "organization", "legal name"],
  address: ["address", "supplier address", "street address", "street", "addr", "full address"],
  country: ["country", "country code", "country_code", "nation", "supplier country", "jurisdiction"],
};

/** Reads the bytes of an uploaded file as UTF-8 text, or says why it cannot. */
export function decodeSupplierFile(bytes: Uint8Array): string {
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) {
    throw new Invalid("the file is UTF-16 text: save it as CSV UTF-8", { file: "save the file as CSV UTF-8" });
  }
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new Invalid("the file is not UTF-8 text (perhaps Windows-1252 or GBK): save it as CSV UTF-8", { file: "save the file as CSV UTF-8" });
  }
}

const COUNTRY_BY_LABEL = new Map<string, string>();
const countryValues = (model.types as unknown as { country: { values: Map<string, string> | Record<string, string> } }).country.values;
for (const [code, label] of countryValues instanceof Map ? countryValues : Object.entries(countryValues)) {
  COUNTRY_BY_LABEL.set(label.toLowerCase(), code);
  COUNTRY_BY_LABEL.set(code.toLowerCase(), code);
}
// Spellings a supplier list often uses that are not FtM's labels.
for (const [label, code] of [["usa", "us"], ["united states of america", "us"], ["uk", "gb"], ["great britain", "gb"], ["prc", "cn"], ["people's republic of china", "cn"], ["south korea", "kr"], ["korea", "kr"], ["russia", "ru"], ["vietnam", "vn"], ["hong kong", "hk"], ["taiwan", "tw"]] as const) {
  COUNTRY_BY_LABEL.set(label, code);
}

/** A country as written (a code, an English name) → its ISO code, or null when unknown. */
export function countryCode(value: string): string | null {
  return COUNTRY_BY_LABEL.get(value.trim().toLowerCase().replace(/\s+/g, " ")) ?? null;
}

function findColumn(headers: readonly string[], wanted: string | undefined, guesses: readonly string[], role: string, field: string): number | null {
  const normal = headers.map((h) => h.trim().toLowerCase().replace(/\s+/g, " "));
  if (wanted !== undefined && wanted.trim() !== "") {
    const i = normal.indexOf(wanted.trim().toLowerCase().replace(/\s+/g, " "));
    if (i < 0) throw new Invalid(`the file has no column "${wanted.slice(0, 64)}" for the ${role}: its columns are ${headers.map((h) => `"${h.slice(0, 64)}"`).join(", ")}`, { [field]: "not a column of the file" });
    return i;
  }
  const i = normal.findIndex((h) => guesses.includes(h));
  return i < 0 ? null : i;
}

/**
 * Parses a supplier list. The file must have a header row and a name column; rows with a different
 * number of cells than the header (a ragged row: a stray comma, an unquoted address), with a broken
 * quote, or without a name are rejected by line and the others kept.
 */
export function parseSupplierFile(text: string, wanted: Partial<SupplierColumns> = {}): SupplierFile {
  const body = text.startsWith("\uFEFF") ? text.slice(1) : text;
  const firstLine = body.slice(0, body.search(/\r?\n|$/));
  // A spreadsheet saved in a locale that writes decimal commas separates with semicolons.
  const delimiter = !firstLine.includes(",") && firstLine.includes(";") ? ";" : firstLine.includes(",") ? "," : firstLine.includes("\t") ? "\t" : ",";
  const records = readCsv(body, { delimiter, maxRecordChars: 20_000 }).filter((r) => r.error !== null || !(r.cells.length === 1 && r.cells[0]!.trim() === ""));
  if (records.length === 0) throw new Invalid("the file is empty: it needs a header row and one supplier per row", { file: "the file is empty" });
  const header = records[0]!;
  if (header.error) throw new Invalid(`line ${header.line}: ${header.error}`, { file: `line ${header.line}: ${header.error}` });
  const headers = header.cells.map((h) => h.trim());
  const name = findColumn(headers, wanted.name, GUESSES.name, "supplier's name", "nameColumn");
  if (name === null) {
    throw new Invalid(`no column of the file is recognised as the supplier's name: name it (its columns are ${headers.map((h) => `"${h.slice(0, 64)}"`).join(", ")})`, { nameColumn: "which column holds the supplier's name?" });
  }
  const address = findColumn(headers, wanted.address, GUESSES.address, "address", "addressColumn");
  const country = findColumn(headers, wanted.country, GUESSES.country, "country", "countryColumn");
  const rows = records.slice(1);
  if (rows.length === 0) throw new Invalid("the file has a header but no suppliers", { file: "no suppliers below the header" });
  if (rows.length > MAX_SUPPLIER_ROWS) throw new Invalid(`at most ${MAX_SUPPLIER_ROWS} suppliers per file`, { file: `${rows.length} rows` });
  const suppliers: SupplierRow[] = [];
  const rejected: SupplierFile["rejected"] = [];
  for (const record of rows) {
    if (record.error) {
      rejected.push({ line: record.line, reason: record.error });
      continue;
    }
    if (record.cells.length !== headers.length) {
      rejected.push({ line: record.line, reason: `the row has ${record.cells.length} cells where the header has ${headers.length}: a comma inside a value needs quotes` });
      continue;
    }
    const cell = (i: number | null) => (i === null ? "" : record.cells[i]!.trim());
    const supplierName = cell(name);
    if (supplierName === "") {
      rejected.push({ line: record.line, reason: "the row has no supplier name" });
      continue;
    }
    const countryText = cell(country);
    suppliers.push({ line: record.line, name: supplierName, address: cell(address) || null, country: countryText || null, countryCode: countryText ? countryCode(countryText) : null });
  }
  return { headers, columns: { name: headers[name]!, address: address === null ? null : headers[address]!, country: country === null ? null : headers[country]! }, suppliers, rejected };
}
