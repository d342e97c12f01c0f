// Turning imported rows into planned records, checked exactly as the editor checks a new record's
// values (the model's types, EDTF dates, vocabularies, required properties, references), but a
// thousand rows at a time: values are checked in memory, references with one query per batch.
import type { Schema as FtmSchema } from "@alephdata/followthemoney";
import { can, Invalid, type Actor, type CsvRecord } from "../core/index.ts";
import type { Tx } from "../context.ts";
import { checkValue, findProperty, findSchema } from "./model.ts";
import { checkRelationshipRules } from "./relationships.ts";
import { vocabularyOfProperty, type Vocabularies } from "./vocabularies.ts";
import type { ImportMapping } from "./import-mapping.ts";

export interface ImportValue {
  property: string;
  value: string;
  lang: string | null;
  dateEarliest: string | null;
  dateLatest: string | null;
  /** The record an entity property points at. */
  ref: string | null;
}

export interface EntityPlan {
  line: number;
  id: string;
  schema: string;
  values: ImportValue[];
}

export type RowOutcome = { ok: true; plan: EntityPlan } | { ok: false; line: number; reason: string };

export interface Rejection {
  line: number;
  reason: string;
}

const MAX_REASON = 2000;

export function rejection(line: number, reasons: readonly string[]): { ok: false; line: number; reason: string } {
  const reason = reasons.join("; ");
  return { ok: false, line, reason: reason.length > MAX_REASON ? `${reason.slice(0, MAX_REASON - 3)}...` : reason };
}

/** Checks single values of a schema's properties against the model and the organisation's vocabularies. */
export class ValueChecker {
  constructor(private readonly vocabularies: Vocabularies) {}

  /** Why `name` cannot be written on `schema`, or null. */
  propertyProblem(schema: FtmSchema, name: string): string | null {
    const property = findProperty(schema, name);
    if (!property) return `${schema.name} has no property "${name.slice(0, 64)}"`;
    if (property.stub) return `"${name}" is the reverse of a relationship: set it on the other record`;
    return null;
  }

  check(schema: FtmSchema, name: string, raw: string, lang: string | null): { ok: true; value: ImportValue } | { ok: false; error: string } {
    const property = findProperty(schema, name)!;
    const checked = checkValue(property, raw);
    if (!checked.ok) return { ok: false, error: `${name} ${checked.error}` };
    let value = checked.value;
    const vocabulary = vocabularyOfProperty(property.qname);
    if (vocabulary) {
      const term = this.vocabularies.check(vocabulary, value);
      if (!term.ok) return { ok: false, error: `${name}: ${term.error}` };
      if (term.retired) return { ok: false, error: `${name}: "${term.code}" is a retired term of the ${vocabulary} vocabulary: choose a current one` };
      value = term.code;
    }
    const isReference = property.type.name === "entity";
    return {
      ok: true,
      value: { property: name, value, lang, dateEarliest: checked.date?.earliest ?? null, dateLatest: checked.date?.latest ?? null, ref: isReference ? value : null },
    };
  }
}

/** Required properties a planned record lacks, as a reason. */
export function missingRequired(schema: FtmSchema, values: readonly ImportValue[]): string | null {
  const present = new Set(values.map((v) => v.property));
  const missing = schema.required.filter((name) => !present.has(name));
  return missing.length > 0 ? `a ${schema.name} needs ${missing.join(", ")}` : null;
}

/** Where each mapped property's values come from in a CSV row. */
interface MappedColumn {
  index: number;
  header: string;
  property: string;
  lang: string | null;
}

/** Plans one record per CSV row with a column mapping (see import-mapping.ts). */
export class CsvPlanner {
  readonly #schema: FtmSchema;
  readonly #columns: MappedColumn[];
  readonly #width: number;

  constructor(
    header: readonly string[],
    mapping: ImportMapping,
    private readonly checker: ValueChecker,
  ) {
    this.#schema = findSchema(mapping.schema)!;
    this.#width = header.length;
    this.#columns = [];
    // In the file's order: values are stored in the order the columns give them.
    header.forEach((name, index) => {
      const target = Object.hasOwn(mapping.columns, name) ? mapping.columns[name] : null;
      if (target === null || target === undefined) return;
      const property = typeof target === "string" ? target : target.property;
      const lang = typeof target === "string" ? null : (target.lang ?? null);
      this.#columns.push({ index, header: name, property, lang });
    });
  }

  plan(record: CsvRecord, id: string): RowOutcome {
    if (record.error) return rejection(record.line, [record.error]);
    if (record.cells.length !== this.#width) {
      return rejection(record.line, [`the row has ${record.cells.length} ${record.cells.length === 1 ? "cell" : "cells"} where the header has ${this.#width}`]);
    }
    const values: ImportValue[] = [];
    const problems: string[] = [];
    for (const column of this.#columns) {
      const cell = record.cells[column.index]!;
      if (cell.trim() === "") continue;
      const checked = this.checker.check(this.#schema, column.property, cell, column.lang);
      if (checked.ok) values.push(checked.value);
      else problems.push(`column "${column.header.slice(0, 64)}": ${checked.error}`);
    }
    if (problems.length === 0 && values.length === 0) problems.push("nothing to import: every mapped cell is empty");
    else if (problems.length === 0) {
      const missing = missingRequired(this.#schema, values);
      if (missing) problems.push(missing);
    }
    if (problems.length > 0) return rejection(record.line, problems);
    return { ok: true, plan: { line: record.line, id, schema: this.#schema.name, values } };
  }
}

/**
 * Checks the references of a batch of planned records with one query: each must be a record of
 * the importer's organisation they may see, not merged away, of the property's range; or one of
 * the records the same import creates (`inFile`, id → schema). Returns the rejections by line.
 */
export async function checkReferences(db: Tx, actor: Actor, plans: readonly EntityPlan[], inFile: ReadonlyMap<string, string> = new Map()): Promise<Map<number, string[]>> {
  const problems = new Map<number, string[]>();
  const wanted = new Set<string>();
  for (const plan of plans) for (const v of plan.values) if (v.ref && !inFile.has(v.ref)) wanted.add(v.ref);
  const found = new Map<string, { schema: string; visible: boolean; merged: boolean }>();
  if (wanted.size > 0) {
    const rows = await db
      .selectFrom("entities as e")
      .leftJoin("entity_access as a", (join) => join.onRef("a.entity_id", "=", "e.id").on("a.user_id", "=", actor.userId))
      .select(["e.id", "e.schema", "e.restricted", "e.merged_into", "a.user_id"])
      .where("e.org_id", "=", actor.orgId)
      .where("e.id", "in", [...wanted])
      .execute();
    for (const row of rows) {
      const visible = can(actor, "record.view", { kind: "record", orgId: actor.orgId, restricted: row.restricted, onAccessList: row.user_id !== null });
      found.set(row.id, { schema: row.schema, visible, merged: row.merged_into !== null });
    }
  }
  for (const plan of plans) {
    const schema = findSchema(plan.schema)!;
    for (const v of plan.values) {
      if (!v.ref) continue;
      const property = findProperty(schema, v.property)!;
      const range = property.hasRange ? property.getRange().name : null;
      const add = (text: string) => (problems.get(plan.line) ?? problems.set(plan.line, []).get(plan.line)!).push(text);
      if (v.ref === plan.id) {
        add(`${v.property}: a record cannot point at itself`);
        continue;
      }
      const targetSchema = inFile.get(v.ref) ?? (found.get(v.ref)?.visible ? found.get(v.ref)!.schema : undefined);
      if (targetSchema === undefined) add(`${v.property}: no such record ${v.ref}`);
      else if (!inFile.has(v.ref) && found.get(v.ref)!.merged) add(`${v.property}: record ${v.ref} was merged into another: point at the record it was merged into`);
      else if (range && !findSchema(targetSchema)?.isA(range)) add(`${v.property}: must be a ${range} record, not a ${targetSchema}`);
    }
    if (schema.edge?.source && schema.edge.target) {
      // The editor's relationship rules: no self-loop, no membership cycle.
      const byProperty = new Map<string, string[]>();
      for (const v of plan.values) (byProperty.get(v.property) ?? byProperty.set(v.property, []).get(v.property)!).push(v.value);
      try {
        await checkRelationshipRules(db, actor, plan.schema, byProperty, plan.id);
      } catch (error) {
        if (!(error instanceof Invalid)) throw error;
        (problems.get(plan.line) ?? problems.set(plan.line, []).get(plan.line)!).push(error.message);
      }
    }
  }
  return problems;
}
