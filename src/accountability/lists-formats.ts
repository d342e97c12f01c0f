// Reading sanctions and watch lists in the formats their publishers use, as FollowTheMoney entries
// (schema + properties). Pure: each reader takes the file's text in pieces of any size and gives
// back every entry, or every rejected line with its number and reason, as soon as it is complete,
// so that a file of a million entries is never whole in memory. (The UK list is the exception: it
// spreads one target over one row per name, in no order, so its rows are grouped until the end;
// the whole list is some tens of thousands of rows.)
import { XMLParser } from "fast-xml-parser";
import { CsvReader, type CsvRecord } from "../core/index.ts";
import { z } from "zod";
import { countryCode } from "./countries.ts";

export const LIST_FORMATS = ["ftm", "opensanctions-csv", "sdn-xml", "sdn-csv", "uk-csv", "csv"] as const;
export type ListFormat = (typeof LIST_FORMATS)[number];

/** The schemata a list entry may have: those the names engine scores. */
export const ENTRY_SCHEMATA = ["Person", "Organization", "Company", "LegalEntity", "PublicBody", "Vessel", "Airplane"] as const;
export type EntrySchema = (typeof ENTRY_SCHEMATA)[number];

export interface ListEntry {
  /** The list's own id of the entry. */
  id: string;
  schema: EntrySchema;
  properties: Record<string, string[]>;
  /** Programme tags (GLOMAG, CMIC, a UK regime…). */
  programs: string[];
}

export type ReadOutcome = { ok: true; line: number; entry: ListEntry } | { ok: false; line: number; reason: string } | { ok: "ignored"; line: number };

export interface ListReader {
  push(text: string): ReadOutcome[];
  end(): ReadOutcome[];
  /** The list's publication date (YYYY-MM-DD) when the file states it. */
  publishedOn(): string | null;
}

const MAX_ID = 200;
// Generous: a published entry's notes or programme text may run long, and a vessel or a company may
// carry hundreds of former names; one such value must not refuse a whole list.
const MAX_VALUE = 100_000;
const MAX_VALUES = 2000;
const MAX_LINE = 1_000_000;
const PROPERTY_NAME = /^[a-z][A-Za-z0-9]{0,63}$/;

function isEntrySchema(schema: unknown): schema is EntrySchema {
  return typeof schema === "string" && (ENTRY_SCHEMATA as readonly string[]).includes(schema);
}

/** Adds a value, trimmed, once; empty values are left out. */
function add(properties: Record<string, string[]>, property: string, value: string | null | undefined): void {
  const v = (value ?? "").trim();
  if (v === "") return;
  const list = (properties[property] ??= []);
  if (!list.includes(v)) list.push(v);
}

/** Checks an entry built by a reader; the reason it cannot be kept, or null. */
function problemOf(entry: ListEntry): string | null {
  if (entry.id.length === 0) return "the entry has no id";
  if (entry.id.length > MAX_ID) return `the id is longer than ${MAX_ID} characters`;
  if (!(entry.properties.name?.length || entry.properties.firstName?.length || entry.properties.lastName?.length)) return "the entry has no name";
  for (const [property, values] of Object.entries(entry.properties)) {
    if (!PROPERTY_NAME.test(property)) return `"${property.slice(0, 64)}" is not a property name`;
    if (values.length > MAX_VALUES) return `${property} has more than ${MAX_VALUES} values`;
    if (values.some((v) => v.length > MAX_VALUE)) return `a value of ${property} is longer than ${MAX_VALUE} characters`;
  }
  return null;
}

function outcome(line: number, entry: ListEntry): ReadOutcome {
  const problem = problemOf(entry);
  return problem ? { ok: false, line, reason: problem } : { ok: true, line, entry };
}

// ——— text in lines ———

class LineSplitter {
  #rest = "";
  #line = 0;
  #tooLong = false;
  /** Complete lines with their numbers (from 1); an overlong line comes back as null. */
  push(text: string): { line: number; text: string | null }[] {
    const out: { line: number; text: string | null }[] = [];
    const parts = (this.#rest + text).split("\n");
    this.#rest = parts.pop() ?? "";
    for (const part of parts) {
      this.#line++;
      out.push({ line: this.#line, text: this.#tooLong || part.length > MAX_LINE ? null : part.replace(/\r$/, "") });
      this.#tooLong = false;
    }
    if (this.#rest.length > MAX_LINE) {
      this.#rest = "";
      this.#tooLong = true;
    }
    return out;
  }
  end(): { line: number; text: string | null }[] {
    if (this.#rest === "" && !this.#tooLong) return [];
    this.#line++;
    const last = { line: this.#line, text: this.#tooLong ? null : this.#rest.replace(/\r$/, "") };
    this.#rest = "";
    return [last];
  }
}

// ——— FollowTheMoney JSON lines (OpenSanctions entities.ftm.json) ———

/**
 * One FtM entity per line: {"id", "schema", "properties": {name: [values]}, …}. Targets (people,
 * organisations, vessels, aircraft) are the list's entries; the other entities an OpenSanctions
 * export carries beside them (Sanction, Address, Identification…) are read and set aside.
 */
export function ftmReader(): ListReader {
  const lines = new LineSplitter();
  const read = (batch: { line: number; text: string | null }[]) => {
    const out: ReadOutcome[] = [];
    for (const { line, text } of batch) {
      if (text === null) {
        out.push({ ok: false, line, reason: `the line is longer than ${MAX_LINE} characters` });
        continue;
      }
      if (text.trim() === "") continue;
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        out.push({ ok: false, line, reason: "the line is not valid JSON" });
        continue;
      }
      if (!json || typeof json !== "object" || Array.isArray(json)) {
        out.push({ ok: false, line, reason: "the line is not a JSON object" });
        continue;
      }
      const o = json as { id?: unknown; schema?: unknown; properties?: unknown };
      if (typeof o.id !== "string") {
        out.push({ ok: false, line, reason: "the entity has no id" });
        continue;
      }
      if (typeof o.schema !== "string" || o.schema === "") {
        out.push({ ok: false, line, reason: "the entity has no schema" });
        continue;
      }
      if (!o.properties || typeof o.properties !== "object" || Array.isArray(o.properties)) {
        out.push({ ok: false, line, reason: "properties must be an object of lists of strings" });
        continue;
      }
      if (!isEntrySchema(o.schema)) {
        if (/^[A-Z][A-Za-z]{1,63}$/.test(o.schema)) out.push({ ok: "ignored", line });
        else out.push({ ok: false, line, reason: `"${o.schema.slice(0, 64)}" is not a FollowTheMoney schema` });
        continue;
      }
      const properties: Record<string, string[]> = {};
      let bad: string | null = null;
      for (const [property, values] of Object.entries(o.properties as Record<string, unknown>)) {
        if (!Array.isArray(values) || !values.every((v) => typeof v === "string")) {
          bad = `${property.slice(0, 64)} must be a list of strings`;
          break;
        }
        for (const v of values as string[]) add(properties, property, v);
      }
      if (bad) {
        out.push({ ok: false, line, reason: bad });
        continue;
      }
      out.push(outcome(line, { id: o.id, schema: o.schema, properties, programs: properties.programId ?? [] }));
    }
    return out;
  };
  return { push: (text) => read(lines.push(text)), end: () => read(lines.end()), publishedOn: () => null };
}

// ——— CSV with a header ———

/** A CSV reader that hands each data record to `row` with the header's cells by name. */
function headedCsv(
  row: (line: number, cell: (column: string) => string) => ReadOutcome | null,
  options: { required: readonly string[]; preamble?: (cells: string[]) => boolean; delimiter?: string; onEnd?: () => ReadOutcome[] },
): ListReader & { header(): string[] | null } {
  const reader = new CsvReader({ delimiter: options.delimiter ?? ",", maxRecordChars: MAX_LINE });
  let header: string[] | null = null;
  let index = new Map<string, number>();
  let headerError: ReadOutcome | null = null;
  const take = (records: CsvRecord[]) => {
    const out: ReadOutcome[] = [];
    for (const r of records) {
      if (r.cells.length === 1 && r.cells[0]!.trim() === "") continue;
      if (!header) {
        if (options.preamble?.(r.cells)) continue;
        if (r.error) {
          out.push({ ok: false, line: r.line, reason: `the header row: ${r.error}` });
          headerError = out[out.length - 1]!;
          header = [];
          continue;
        }
        header = r.cells.map((c) => c.replace(/^\uFEFF/, "").trim());
        index = new Map(header.map((h, i) => [h.toLowerCase(), i]));
        const missing = options.required.filter((c) => !index.has(c.toLowerCase()));
        if (missing.length > 0) {
          headerError = { ok: false, line: r.line, reason: `the header has no column ${missing.map((m) => `"${m}"`).join(", ")}` };
          out.push(headerError);
        }
        continue;
      }
      if (headerError) {
        out.push({ ok: false, line: r.line, reason: "the header row cannot be read" });
        continue;
      }
      if (r.error) {
        out.push({ ok: false, line: r.line, reason: r.error });
        continue;
      }
      const cell = (column: string) => {
        const i = index.get(column.toLowerCase());
        return i === undefined ? "" : (r.cells[i] ?? "").trim();
      };
      const o = row(r.line, cell);
      if (o) out.push(o);
    }
    return out;
  };
  return {
    push: (text) => take(reader.push(text)),
    end: () => {
      const out = take(reader.end());
      if (!header) out.push({ ok: false, line: 1, reason: "the file has no header row" });
      return [...out, ...(headerError ? [] : (options.onEnd?.() ?? []))];
    },
    publishedOn: () => null,
    header: () => header,
  };
}

function splitMulti(value: string, separator: string | RegExp = ";"): string[] {
  return value.split(separator).map((v) => v.trim()).filter((v) => v !== "");
}

const SIMPLE_COLUMNS: Record<string, string> = {
  name: "name", aliases: "alias", birth_date: "birthDate", countries: "country", addresses: "address", identifiers: "idNumber", phones: "phone", emails: "email",
};

/**
 * OpenSanctions' "simple CSV" targets export (targets.simple.csv): one target per row, columns id,
 * schema, name, aliases, birth_date, countries, addresses, identifiers, sanctions, phones, emails,
 * dataset, first_seen, last_seen, last_change; several values in a cell are separated by ";".
 */
export function openSanctionsCsvReader(): ListReader {
  return headedCsv((line, cell) => {
    const schema = cell("schema");
    if (!isEntrySchema(schema)) return { ok: false, line, reason: schema === "" ? "the row has no schema" : `"${schema.slice(0, 64)}" is not a schema a list entry may have` };
    const properties: Record<string, string[]> = {};
    for (const [column, property] of Object.entries(SIMPLE_COLUMNS)) {
      for (const v of column === "name" ? [cell(column)] : splitMulti(cell(column))) add(properties, property, v);
    }
    return outcome(line, { id: cell("id"), schema, properties, programs: splitMulti(cell("sanctions")) });
  }, { required: ["id", "schema", "name"] });
}

// ——— US Treasury SDN list ———

const SDN_TYPES: Record<string, EntrySchema> = { individual: "Person", entity: "Organization", vessel: "Vessel", aircraft: "Airplane" };
const MONTHS: Record<string, string> = { jan: "01", feb: "02", mar: "03", apr: "04", may: "05", jun: "06", jul: "07", aug: "08", sep: "09", oct: "10", nov: "11", dec: "12" };

/** "01 Jan 1960", "Jan 1960", "1960", "circa 1960", "1958 to 1962" → EDTF-compatible ISO prefixes. */
export function sdnDate(text: string): string[] {
  const t = text.trim();
  const range = /^(\d{4}) to (\d{4})$/.exec(t);
  if (range) return [`${range[1]}/${range[2]}`];
  const m = /^(?:circa\s+)?(?:(\d{1,2})\s+)?(?:([A-Za-z]{3})[a-z]*\s+)?(\d{4})$/i.exec(t);
  if (!m) return [];
  const month = m[2] ? MONTHS[m[2].toLowerCase()] : undefined;
  if (m[2] && !month) return [];
  const year = m[3]!;
  const approx = /^circa/i.test(t) ? "~" : "";
  if (month && m[1]) return [`${year}-${month}-${m[1].padStart(2, "0")}${approx}`];
  if (month) return [`${year}-${month}${approx}`];
  return [`${year}${approx}`];
}

/** "MM/DD/YYYY" (the SDN's Publish_Date) → YYYY-MM-DD. */
function usDate(text: string): string | null {
  const m = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(text.trim());
  return m ? `${m[3]}-${m[1]!.padStart(2, "0")}-${m[2]!.padStart(2, "0")}` : null;
}

/** "DD/MM/YYYY" (the UK list's dates; 00 for an unknown day or month) → an ISO prefix. */
function ukDate(text: string): string | null {
  const m = /^(\d{2})\/(\d{2})\/(\d{4})$/.exec(text.trim());
  if (!m) return null;
  if (m[2] === "00") return m[3]!;
  if (m[1] === "00") return `${m[3]}-${m[2]}`;
  return `${m[3]}-${m[2]}-${m[1]}`;
}

function addCountry(properties: Record<string, string[]>, property: string, name: string | undefined): void {
  if (!name) return;
  const code = countryCode(name);
  if (code) add(properties, property, code);
}

const xml = new XMLParser({
  ignoreAttributes: true,
  removeNSPrefix: true,
  parseTagValue: false,
  trimValues: true,
  isArray: (name) => ["program", "aka", "id", "address", "nationality", "citizenship", "dateOfBirthItem", "placeOfBirthItem"].includes(name),
});

type XmlNode = Record<string, unknown>;
const text = (v: unknown): string => (typeof v === "string" ? v : typeof v === "number" ? String(v) : "");
const nodes = (v: unknown, child: string): XmlNode[] => ((v && typeof v === "object" ? (v as XmlNode)[child] : undefined) as XmlNode[] | undefined) ?? [];

function personName(first: string, last: string): string {
  return [first, last].filter((p) => p.trim() !== "").join(" ");
}

function sdnEntry(node: XmlNode): ListEntry | string {
  const type = text(node.sdnType).toLowerCase();
  const schema = SDN_TYPES[type];
  if (!schema) return `sdnType "${text(node.sdnType).slice(0, 40)}" is not Individual, Entity, Vessel or Aircraft`;
  const properties: Record<string, string[]> = {};
  const first = text(node.firstName);
  const last = text(node.lastName);
  add(properties, "name", personName(first, last));
  if (schema === "Person") {
    add(properties, "firstName", first);
    add(properties, "lastName", last);
    add(properties, "position", text(node.title));
  }
  for (const aka of nodes(node.akaList, "aka")) {
    add(properties, text(aka.category).toLowerCase() === "weak" ? "weakAlias" : "alias", personName(text(aka.firstName), text(aka.lastName)));
  }
  for (const id of nodes(node.idList, "id")) {
    const kind = text(id.idType).toLowerCase();
    add(properties, kind.includes("passport") ? "passportNumber" : kind.includes("tax") ? "taxNumber" : kind.includes("registration") ? "registrationNumber" : "idNumber", text(id.idNumber));
  }
  for (const item of nodes(node.dateOfBirthList, "dateOfBirthItem")) for (const d of sdnDate(text(item.dateOfBirth))) add(properties, "birthDate", d);
  for (const item of nodes(node.placeOfBirthList, "placeOfBirthItem")) add(properties, "birthPlace", text(item.placeOfBirth));
  for (const n of nodes(node.nationalityList, "nationality")) addCountry(properties, "nationality", text(n.country));
  for (const n of nodes(node.citizenshipList, "citizenship")) addCountry(properties, schema === "Person" ? "citizenship" : "country", text(n.country));
  for (const a of nodes(node.addressList, "address")) {
    add(properties, "address", [a.address1, a.address2, a.address3, a.city, a.stateOrProvince, a.postalCode, a.country].map(text).filter((p) => p !== "").join(", "));
    if (schema !== "Person") addCountry(properties, "country", text(a.country));
  }
  add(properties, "notes", text(node.remarks));
  const programs = (((node.programList as XmlNode | undefined)?.program as unknown[] | undefined) ?? []).map(text);
  return { id: text(node.uid), schema, properties, programs: programs.filter((p) => p !== "") };
}

/**
 * The SDN list as XML (sdn.xml): <sdnList> with <publshInformation><Publish_Date>MM/DD/YYYY and one
 * <sdnEntry> per target (uid, firstName, lastName, sdnType, programList/program, akaList/aka,
 * idList/id, dateOfBirthList, placeOfBirthList, nationalityList, citizenshipList, addressList,
 * remarks). Entries are cut out of the stream one at a time and parsed alone.
 */
export function sdnXmlReader(): ListReader {
  let buffer = "";
  let consumedLines = 1;
  let published: string | null = null;
  let sawRoot = false;
  const read = (final: boolean): ReadOutcome[] => {
    const out: ReadOutcome[] = [];
    if (!sawRoot && /<(?:\w+:)?sdnList[\s>]/.test(buffer)) sawRoot = true;
    if (published === null) {
      const m = /<(?:\w+:)?Publish_Date>\s*([^<]*?)\s*<\//.exec(buffer);
      if (m) published = usDate(m[1]!);
    }
    // Entries are found from a moving position and the buffer is cut once per piece of text, so
    // that a piece holding thousands of entries is not copied once per entry.
    let pos = 0;
    for (;;) {
      ENTRY_START.lastIndex = pos;
      const s = ENTRY_START.exec(buffer);
      if (!s) break;
      const start = s.index;
      ENTRY_END.lastIndex = start;
      const e = ENTRY_END.exec(buffer);
      if (!e) {
        if (buffer.length - start > MAX_LINE) {
          out.push({ ok: false, line: consumedLines + countNewlines(buffer, pos, start), reason: `the entry is longer than ${MAX_LINE} characters or is not closed` });
          consumedLines += countNewlines(buffer, pos, buffer.length);
          pos = buffer.length;
        }
        break;
      }
      const end = e.index + e[0].length;
      const line = consumedLines + countNewlines(buffer, pos, start);
      const piece = buffer.slice(start, end);
      consumedLines = line + countNewlines(piece, 0, piece.length);
      pos = end;
      let parsed: XmlNode;
      try {
        parsed = xml.parse(piece, true) as XmlNode;
      } catch (error) {
        out.push({ ok: false, line, reason: `the entry is not well-formed XML: ${error instanceof Error ? error.message.split("\n")[0]!.slice(0, 200) : "unreadable"}` });
        continue;
      }
      const entry = sdnEntry((parsed.sdnEntry as XmlNode | undefined) ?? {});
      out.push(typeof entry === "string" ? { ok: false, line, reason: entry } : outcome(line, entry));
    }
    buffer = buffer.slice(pos);
    // Keep only what may still start an entry: text before it is done with.
    if (!/<(?:\w+:)?sdnEntry[\s>]/.test(buffer)) {
      const keep = Math.max(0, buffer.length - 64);
      if (published !== null || keep > 4096) {
        consumedLines += countNewlines(buffer, 0, keep);
        buffer = buffer.slice(keep);
      }
    }
    if (final) {
      if (!sawRoot) out.push({ ok: false, line: 1, reason: "the file is not an SDN list: it has no <sdnList> element" });
      else if (/<(?:\w+:)?sdnEntry[\s>]/.test(buffer)) out.push({ ok: false, line: consumedLines + countNewlines(buffer, 0, buffer.search(/<(?:\w+:)?sdnEntry[\s>]/)), reason: "the entry is not closed" });
    }
    return out;
  };
  return {
    push: (t) => {
      buffer += t;
      return read(false);
    },
    end: () => read(true),
    publishedOn: () => published,
  };
}

const ENTRY_START = /<(?:\w+:)?sdnEntry[\s>]/g;
const ENTRY_END = /<\/(?:\w+:)?sdnEntry\s*>/g;

function countNewlines(s: string, from: number, to: number): number {
  let n = 0;
  for (let i = s.indexOf("\n", from); i >= 0 && i < to; i = s.indexOf("\n", i + 1)) n++;
  return n;
}

const SDN_NULL = "-0-";
const sdnCell = (v: string | undefined) => {
  const t = (v ?? "").trim();
  return t === SDN_NULL ? "" : t;
};

/**
 * The SDN list as CSV (sdn.csv): no header, columns ent_num, SDN_Name, SDN_Type, Program, Title,
 * Call_Sign, Vess_type, Tonnage, GRT, Vess_flag, Vess_owner, Remarks; "-0-" is an empty value.
 * Several programmes read "SDGT] [IRGC" (the brackets of "[SDGT] [IRGC]" without the outer ones);
 * the remarks carry birth dates and aliases ("DOB 01 Jan 1960; a.k.a. 'NAME';").
 */
export function sdnCsvReader(): ListReader {
  const reader = new CsvReader({ maxRecordChars: MAX_LINE });
  const take = (records: CsvRecord[]) => {
    const out: ReadOutcome[] = [];
    for (const r of records) {
      // The file ends with a DOS end-of-file character on a line of its own.
      if (r.cells.length === 1 && r.cells[0]!.split(String.fromCharCode(0x1a)).join("").trim() === "") continue;
      if (r.error) {
        out.push({ ok: false, line: r.line, reason: r.error });
        continue;
      }
      if (r.cells.length < 12) {
        out.push({ ok: false, line: r.line, reason: `the row has ${r.cells.length} columns; the SDN CSV has 12` });
        continue;
      }
      const [num, name, type, program, title, , , , , , , remarks] = r.cells.map(sdnCell);
      if (!/^\d+$/.test(num!)) {
        out.push({ ok: false, line: r.line, reason: "ent_num is not a number" });
        continue;
      }
      const schema = type === "" ? "Organization" : SDN_TYPES[type!.toLowerCase()];
      if (!schema) {
        out.push({ ok: false, line: r.line, reason: `SDN_Type "${type!.slice(0, 40)}" is not individual, vessel or aircraft (or -0- for an entity)` });
        continue;
      }
      const properties: Record<string, string[]> = {};
      if (schema === "Person" && name!.includes(",")) {
        const [last, ...rest] = name!.split(",");
        const first = rest.join(",").trim();
        add(properties, "name", personName(first, last!));
        add(properties, "firstName", first);
        add(properties, "lastName", last);
      } else add(properties, "name", name);
      if (schema === "Person") add(properties, "position", title);
      for (const part of (remarks ?? "").split(";")) {
        const p = part.trim();
        const dob = /^DOB\s+(.+)$/i.exec(p);
        if (dob) for (const d of sdnDate(dob[1]!)) add(properties, "birthDate", d);
        const aka = /^(f\.k\.a\.|a\.k\.a\.)\s+'(.+)'\.?$/i.exec(p);
        if (aka) add(properties, aka[1]!.toLowerCase().startsWith("f") ? "previousName" : "alias", aka[2]);
        const nationality = /^nationality\s+(.+)$/i.exec(p);
        if (nationality) addCountry(properties, "nationality", nationality[1]!);
        const passport = /^Passport\s+(\S+)/i.exec(p);
        if (passport) add(properties, "passportNumber", passport[1]);
      }
      add(properties, "notes", remarks);
      const programs = (program ?? "").split(/\]\s*\[/).map((p) => p.replace(/[[\]]/g, "").trim()).filter((p) => p !== "");
      out.push(outcome(r.line, { id: num!, schema, properties, programs }));
    }
    return out;
  };
  return { push: (t) => take(reader.push(t)), end: () => take(reader.end()), publishedOn: () => null };
}

// ——— the UK sanctions list (OFSI consolidated list, CSV) ———

const UK_TYPES: Record<string, EntrySchema> = { individual: "Person", entity: "Organization", ship: "Vessel" };

/**
 * The UK's consolidated list of financial sanctions targets as CSV (ConList.csv): a first line
 * "Last Updated,DD/MM/YYYY", then a header with Name 6 (the surname, or an entity's whole name),
 * Name 1–5, Title, Name Non-Latin Script, DOB, Town of Birth, Country of Birth, Nationality,
 * Passport Number, National Identification Number, Position, Address 1–6, Post/Zip Code, Country,
 * Other Information, Group Type (Individual, Entity, Ship), Alias Type (Primary name, AKA…), Regime,
 * Listed On, Last Updated and Group ID. One row per name: rows of one Group ID are one target.
 */
export function ukCsvReader(): ListReader {
  let published: string | null = null;
  const groups = new Map<string, { line: number; schema: EntrySchema | null; type: string; properties: Record<string, string[]>; programs: string[] }>();
  const inner = headedCsv((line, cell) => {
    const id = cell("Group ID");
    if (id === "") return { ok: false, line, reason: "the row has no Group ID" };
    const type = cell("Group Type");
    const schema = UK_TYPES[type.toLowerCase()] ?? null;
    let group = groups.get(id);
    if (!group) groups.set(id, (group = { line, schema, type, properties: {}, programs: [] }));
    else if (group.schema !== schema) return { ok: false, line, reason: `Group ID ${id.slice(0, 40)} is a ${group.type || "(no type)"} on line ${group.line} and a ${type || "(no type)"} here` };
    const p = group.properties;
    const parts = [1, 2, 3, 4, 5].map((i) => cell(`Name ${i}`));
    const last = cell("Name 6");
    const full = schema === "Person" ? personName(parts.filter((x) => x !== "").join(" "), last) : [last, ...parts].filter((x) => x !== "").join(" ");
    const alias = cell("Alias Type").toLowerCase();
    add(p, alias === "" || alias.startsWith("primary name") && !alias.includes("variation") ? "name" : "alias", full);
    add(p, "alias", cell("Name Non-Latin Script"));
    if (schema === "Person") {
      add(p, "title", cell("Title"));
      add(p, "position", cell("Position"));
      const dob = ukDate(cell("DOB"));
      if (dob) add(p, "birthDate", dob);
      add(p, "birthPlace", [cell("Town of Birth"), cell("Country of Birth")].filter((x) => x !== "").join(", "));
      for (const n of splitMulti(cell("Nationality"), /[,;]/)) addCountry(p, "nationality", n.replace(/^\(\d+\)\s*/, ""));
      add(p, "passportNumber", cell("Passport Number"));
      add(p, "idNumber", cell("National Identification Number"));
    }
    add(p, "address", [1, 2, 3, 4, 5, 6].map((i) => cell(`Address ${i}`)).concat([cell("Post/Zip Code"), cell("Country")]).filter((x) => x !== "").join(", "));
    if (schema !== "Person") addCountry(p, "country", cell("Country"));
    add(p, "notes", cell("Other Information"));
    const regime = cell("Regime");
    if (regime && !group.programs.includes(regime)) group.programs.push(regime);
    return null;
  }, {
    required: ["Name 6", "Group Type", "Group ID"],
    preamble: (cells) => {
      if ((cells[0] ?? "").replace(/^\uFEFF/, "").trim().toLowerCase() !== "last updated") return false;
      published = ukDate(cells[1] ?? "");
      return true;
    },
    onEnd: () => {
      const out: ReadOutcome[] = [];
      for (const [id, g] of groups) {
        if (!g.schema) out.push({ ok: false, line: g.line, reason: `Group Type "${g.type.slice(0, 40)}" is not Individual, Entity or Ship` });
        else {
          // A target whose rows are all aliases is named by its first alias.
          if (!g.properties.name && g.properties.alias) g.properties.name = [g.properties.alias.shift()!];
          out.push(outcome(g.line, { id, schema: g.schema, properties: g.properties, programs: g.programs }));
        }
      }
      groups.clear();
      return out;
    },
  });
  return { push: inner.push, end: inner.end, publishedOn: () => published };
}

// ——— any CSV, with a column mapping ———

export const ListMappingSchema = z.strictObject({
  /** The column holding each entry's id; without one, an entry's id is its schema and first name. */
  id: z.string().min(1).max(200).optional(),
  /** Every entry's schema, or the column holding it. */
  schema: z.enum(ENTRY_SCHEMATA).optional(),
  schemaColumn: z.string().min(1).max(200).optional(),
  /** Column → FtM property. */
  columns: z.record(z.string().min(1).max(200), z.string().regex(PROPERTY_NAME, "an FtM property name")).refine((c) => Object.values(c).includes("name"), "map a column to name"),
  /** The column holding programme tags. */
  programs: z.string().min(1).max(200).optional(),
  /** Splits a cell into several values. */
  separator: z.string().min(1).max(3).optional(),
  delimiter: z.enum([",", ";", "\t", "|"]).optional(),
}).refine((m) => m.schema !== undefined || m.schemaColumn !== undefined, { message: "give schema or schemaColumn", path: ["schema"] });
export type ListMapping = z.infer<typeof ListMappingSchema>;

/**
 * Mappings for lists published as tables. The US UFLPA Entity List (DHS, Forced Labor Enforcement
 * Task Force) names entities, with their aliases and addresses; its CSV has a column per field.
 */
export const MAPPING_PRESETS: Record<string, ListMapping> = {
  uflpa: { schema: "Company", columns: { "Entity Name": "name", "Also Known As": "alias", Address: "address", Country: "country", "Date Added": "createdAt" }, separator: ";" },
};

export function mappedCsvReader(mapping: ListMapping): ListReader {
  const required = [...new Set([...(mapping.id ? [mapping.id] : []), ...(mapping.schemaColumn ? [mapping.schemaColumn] : []), ...Object.entries(mapping.columns).filter(([, p]) => p === "name").map(([c]) => c)])];
  return headedCsv((line, cell) => {
    const schema = mapping.schemaColumn ? cell(mapping.schemaColumn) : mapping.schema!;
    if (!isEntrySchema(schema)) return { ok: false, line, reason: `"${schema.slice(0, 64)}" is not a schema a list entry may have` };
    const properties: Record<string, string[]> = {};
    for (const [column, property] of Object.entries(mapping.columns)) {
      const value = cell(column);
      if (property === "country" || property === "nationality" || property === "citizenship" || property === "jurisdiction") {
        for (const v of mapping.separator ? splitMulti(value, mapping.separator) : [value]) addCountry(properties, property, v);
      } else for (const v of mapping.separator && property !== "name" ? splitMulti(value, mapping.separator) : [value]) add(properties, property, v);
    }
    const id = mapping.id ? cell(mapping.id) : `${schema}:${(properties.name?.[0] ?? "").toLowerCase().replace(/\s+/g, " ").slice(0, 180)}`;
    const programs = mapping.programs ? (mapping.separator ? splitMulti(cell(mapping.programs), mapping.separator) : [cell(mapping.programs)].filter((p) => p !== "")) : [];
    return outcome(line, { id: properties.name ? id : "", schema, properties, programs });
  }, { required, ...(mapping.delimiter ? { delimiter: mapping.delimiter } : {}) });
}

export function listReader(format: ListFormat, mapping: ListMapping | null): ListReader {
  switch (format) {
    case "ftm":
      return ftmReader();
    case "opensanctions-csv":
      return openSanctionsCsvReader();
    case "sdn-xml":
      return sdnXmlReader();
    case "sdn-csv":
      return sdnCsvReader();
    case "uk-csv":
      return ukCsvReader();
    case "csv":
      if (!mapping) throw new Error("a CSV list needs a mapping");
      return mappedCsvReader(mapping);
  }
}
