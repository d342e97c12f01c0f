// Bulk screening: a CSV of names (people or companies) against the records the caller may see,
// as a report of every row with its best matches, and every rejected row with its line number.
import { Invalid, type Actor, type FieldErrors } from "../core/index.ts";
import type { Origin, Services } from "../context.ts";
import { DEFAULT_THRESHOLD, type EntitySchema } from "../names/index.ts";
import { CsvError, parseCsv, writeCsv } from "./csv.ts";
import { isMatchable, MATCHABLE_SCHEMATA } from "./entity-names.ts";
import { DEFAULT_LIST, matchPrepared, prepareQuery, requireMatching, type PreparedQuery, type QueryMatches, type ScoredRecord } from "./match.ts";

export const MAX_SCREEN_ROWS = 10_000;
/** Queries scored per pass over the index. */
const BATCH = 50;

export interface ScreenOptions {
  threshold?: number;
  /** The schema of rows that do not name one. */
  schema?: EntitySchema;
  list?: string;
  /** Matches reported per row. */
  top?: number;
}

export interface ScreenedRow {
  line: number;
  name: string;
  schema: EntitySchema;
  matches: ScoredRecord[];
  /** The name is so common that only part of its block was read: refine the row (a birth date). */
  truncated: boolean;
}

export interface ScreeningReport {
  rows: ScreenedRow[];
  rejected: { line: number; reason: string }[];
  threshold: number;
}

// Column names a header row may use; without a header, the first column is the name.
const COLUMNS: Record<string, string> = { name: "name", schema: "schema", type: "schema", birthdate: "birthDate", birth_date: "birthDate", dob: "birthDate", nationality: "nationality", country: "nationality", gender: "gender", id: "idNumber", idnumber: "idNumber" };

export async function screenCsv(services: Services, origin: Origin, actor: Actor, text: string, options: ScreenOptions = {}): Promise<ScreeningReport> {
  await requireMatching(services, origin, actor);
  const threshold = options.threshold ?? DEFAULT_THRESHOLD;
  if (!(threshold >= 0 && threshold <= 1)) throw new Invalid("the threshold is a number from 0 to 1", { threshold: "from 0 to 1" });
  let records;
  try {
    records = parseCsv(text);
  } catch (error) {
    if (error instanceof CsvError) throw new Invalid(`line ${error.line}: ${error.message}`, { file: `line ${error.line}: ${error.message}` });
    throw error;
  }
  if (records.length === 0) throw new Invalid("the file has no rows", { file: "no rows" });
  const header = records[0]!.cells.map((c) => COLUMNS[c.trim().toLowerCase()]);
  const hasHeader = header.includes("name");
  const rows = hasHeader ? records.slice(1) : records;
  if (rows.length > MAX_SCREEN_ROWS) throw new Invalid(`at most ${MAX_SCREEN_ROWS} rows per file`, { file: `${rows.length} rows` });
  const columns = hasHeader ? header : ["name"];
  const rejected: ScreeningReport["rejected"] = [];
  const accepted: { line: number; name: string; query: PreparedQuery }[] = [];
  for (const record of rows) {
    const properties: Record<string, string[]> = {};
    columns.forEach((column, i) => {
      const value = record.cells[i]?.trim() ?? "";
      if (column && value !== "") (properties[column] ??= []).push(value);
    });
    const schema = properties.schema?.[0] ?? options.schema ?? "Person";
    delete properties.schema;
    if (!isMatchable(schema)) {
      rejected.push({ line: record.line, reason: `unknown schema "${schema.slice(0, 64)}": use one of ${MATCHABLE_SCHEMATA.join(", ")}` });
      continue;
    }
    const errors: FieldErrors = {};
    const query = (properties.name?.length ?? 0) === 0 ? null : prepareQuery({ schema, properties }, "row", errors);
    if (!query) {
      rejected.push({ line: record.line, reason: Object.values(errors)[0] ?? "the row has no name" });
      continue;
    }
    accepted.push({ line: record.line, name: properties.name![0]!, query });
  }
  const matches = await screenPrepared(services, actor, accepted.map((a) => a.query), { list: options.list ?? DEFAULT_LIST, threshold, limit: options.top ?? 3 });
  const report: ScreeningReport = { rows: [], rejected, threshold };
  accepted.forEach((a, i) => report.rows.push({ line: a.line, name: a.name, schema: a.query.prepared.entity.schema, matches: matches[i]!.results, truncated: matches[i]!.truncated }));
  return report;
}

/**
 * Scores many prepared queries against the records the caller may see (or a list's members), in
 * batches of 50 per pass over the index: the engine of bulk screening, and of supplier screening
 * (src/accountability). The caller has checked the permission to match.
 */
export async function screenPrepared(services: Services, actor: Actor, queries: readonly PreparedQuery[], options: { list: string; threshold: number; limit: number }): Promise<QueryMatches[]> {
  const batches: PreparedQuery[][] = [];
  for (let i = 0; i < queries.length; i += BATCH) batches.push(queries.slice(i, i + BATCH));
  // Two batches in flight: while one is scored on this thread, the database reads the next.
  let next = 0;
  const results: QueryMatches[][] = [];
  const worker = async () => {
    while (next < batches.length) {
      const i = next++;
      results[i] = await matchPrepared(services, actor, options.list, batches[i]!, { threshold: options.threshold, limit: options.limit });
    }
  };
  await Promise.all([worker(), worker()]);
  return results.flat();
}

const TRUNCATED_NOTE = "a very common name: only part of the records bearing it were compared; a birth date narrows the comparison";

/** The report as CSV: one line per match (or one with no match), then one per rejected row. */
export function reportCsv(report: ScreeningReport): string {
  const lines: (string | number)[][] = [["line", "name", "schema", "status", "match_id", "match_caption", "match_schema", "score", "match", "explanation"]];
  for (const row of report.rows) {
    if (row.matches.length === 0) lines.push([row.line, row.name, row.schema, "no candidate", "", "", "", "", "", row.truncated ? TRUNCATED_NOTE : ""]);
    for (const m of row.matches) {
      const explanation = [...m.result.explanation, ...(row.truncated ? [TRUNCATED_NOTE] : [])].join("; ");
      lines.push([row.line, row.name, row.schema, m.result.match ? "match" : "candidate", m.id, m.caption, m.schema, m.result.score.toFixed(3), String(m.result.match), explanation]);
    }
  }
  for (const r of report.rejected) lines.push([r.line, "", "", "rejected", "", "", "", "", "", r.reason]);
  return writeCsv(lines);
}
