// FollowTheMoney JSON lines into planned records. FtM ids are any strings; each becomes a Vigil id
// derived from the import and the FtM id, so a reference from one line to another (before or
// after it) becomes a reference between the new records without holding the file in memory.
import { createHash } from "node:crypto";
import { fromFtm, type FtmEntity } from "./export-ftm.ts";
import { findProperty, findSchema, isCreatableSchema } from "./model.ts";
import { missingRequired, rejection, type ImportValue, type RowOutcome, type ValueChecker } from "./import-rows.ts";

const MAX_ID = 200;
const MAX_VALUES = 200;

/** The Vigil id of FtM id `ftmId` in import `importId`: a UUID (version 8, RFC 9562) from SHA-256. */
export function recordIdFor(importId: string, ftmId: string): string {
  const bytes = createHash("sha256").update(`${importId}\u0000${ftmId}`).digest().subarray(0, 16);
  bytes[6] = (bytes[6]! & 0x0f) | 0x80;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = bytes.toString("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export interface FtmIds {
  importId: string;
  /** New record id → its schema, for every line with a readable id and schema (first occurrence). */
  schemaOf: Map<string, string>;
  /** New record id → the line it is on. */
  lineOf: Map<string, number>;
}

interface ParsedLine {
  entity: FtmEntity;
  schema: string;
  properties: Record<string, string[]>;
  lang: Record<string, Record<string, string>>;
}

const LANG = /^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*$/;

function isLangRecord(value: unknown): value is Record<string, Record<string, string>> {
  return typeof value === "object" && value !== null && !Array.isArray(value) &&
    Object.values(value).every((byValue) => typeof byValue === "object" && byValue !== null && !Array.isArray(byValue) && Object.values(byValue).every((l) => typeof l === "string" && LANG.test(l)));
}

function isStringArrayRecord(value: unknown): value is Record<string, string[]> {
  return typeof value === "object" && value !== null && !Array.isArray(value) &&
    Object.values(value).every((v) => Array.isArray(v) && v.every((s) => typeof s === "string"));
}

/** Reads one line as an FtM entity, or says why it is not one. */
export function parseFtmLine(text: string): ParsedLine | string {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    return `not valid JSON: ${(error as Error).message.slice(0, 200)}`;
  }
  if (typeof data !== "object" || data === null || Array.isArray(data)) return "not an FtM entity: a JSON object with id, schema and properties is expected";
  const e = data as Record<string, unknown>;
  if (typeof e.id !== "string" || e.id.length === 0 || e.id.length > MAX_ID) return `the id must be a string of 1 to ${MAX_ID} characters`;
  if (typeof e.schema !== "string") return "the schema must be a string";
  if (e.properties === undefined) e.properties = {};
  if (!isStringArrayRecord(e.properties)) return "properties must map each property to a list of strings";
  if (e.vigil !== undefined) {
    const v = e.vigil as Record<string, unknown>;
    if (typeof v !== "object" || v === null || (v.schema !== undefined && typeof v.schema !== "string") || (v.properties !== undefined && !isStringArrayRecord(v.properties))) {
      return "the vigil member must hold a schema name and properties as lists of strings";
    }
    if (v.lang !== undefined && !isLangRecord(v.lang)) return "the vigil member's lang must map values to language tags such as ug or zh-Hans";
  }
  const entity = e as unknown as FtmEntity;
  return { entity, ...fromFtm(entity) };
}

/** First pass over the file: every id and schema, so references may point forwards. */
export async function scanFtmIds(lines: AsyncIterable<{ line: number; text: string }>, importId: string): Promise<FtmIds> {
  const ids: FtmIds = { importId, schemaOf: new Map(), lineOf: new Map() };
  for await (const { line, text } of lines) {
    const parsed = parseFtmLine(text);
    if (typeof parsed === "string") continue;
    const id = recordIdFor(importId, parsed.entity.id);
    if (ids.lineOf.has(id)) continue;
    ids.lineOf.set(id, line);
    ids.schemaOf.set(id, parsed.schema);
  }
  return ids;
}

export class FtmPlanner {
  constructor(
    private readonly checker: ValueChecker,
    private readonly ids: FtmIds,
  ) {}

  plan({ line, text }: { line: number; text: string }): RowOutcome {
    const parsed = parseFtmLine(text);
    if (typeof parsed === "string") return rejection(line, [parsed]);
    const id = recordIdFor(this.ids.importId, parsed.entity.id);
    const first = this.ids.lineOf.get(id);
    if (first !== line) return rejection(line, [`the id "${parsed.entity.id.slice(0, 64)}" is already used on line ${first}`]);
    if (!isCreatableSchema(parsed.schema)) return rejection(line, [`"${parsed.schema.slice(0, 64)}" is not a schema records can have`]);
    const schema = findSchema(parsed.schema)!;
    const problems: string[] = [];
    const values: ImportValue[] = [];
    for (const [name, raw] of Object.entries(parsed.properties)) {
      const problem = this.checker.propertyProblem(schema, name);
      if (problem) {
        problems.push(problem);
        continue;
      }
      if (raw.length > MAX_VALUES) {
        problems.push(`${name} has more than ${MAX_VALUES} values`);
        continue;
      }
      const isReference = findProperty(schema, name)!.type.name === "entity";
      for (const given of raw) {
        // A reference to another line of the file points at the record that line creates.
        const mapped = isReference && this.ids.schemaOf.has(recordIdFor(this.ids.importId, given)) ? recordIdFor(this.ids.importId, given) : given;
        const checked = this.checker.check(schema, name, mapped, parsed.lang[name]?.[given] ?? null);
        if (checked.ok) values.push(checked.value);
        else problems.push(checked.error);
      }
    }
    if (problems.length === 0) {
      const missing = missingRequired(schema, values);
      if (missing) problems.push(missing);
    }
    if (problems.length > 0) return rejection(line, problems);
    return { ok: true, plan: { line, id, schema: schema.name, values } };
  }
}
