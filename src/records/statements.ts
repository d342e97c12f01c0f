// Statements: every property value of a record, with its source, sensitivity, author and time.
// Checking values against the model and the vocabularies, writing them, and showing them.
import { randomUUID } from "node:crypto";
import { can, Invalid, type Actor, type FieldErrors, type Subject } from "../core/index.ts";
import type { Services, Tx } from "../context.ts";
import type { StatementRow } from "../db/index.ts";
import { isVaultSealed, openWithAppKey, sealToVault, sealWithAppKey } from "../keys/index.ts";
import { checkValue, findProperty, findSchema } from "./model.ts";
import { loadVocabularies, vocabularyOfProperty, type Vocabularies } from "./vocabularies.ts";
import type { Sensitivity, StatementInput } from "./input.ts";

export interface StatementView {
  id: string;
  property: string;
  /** null for a secret value that was not revealed. */
  value: string | null;
  lang: string | null;
  script: string | null;
  source: string | null;
  confidence: number | null;
  sensitivity: Sensitivity;
  sealed: boolean;
  dateEarliest: string | null;
  dateLatest: string | null;
  author: string | null;
  createdAt: Date;
  revision: number;
  /** The statement a merge (or its undoing) copied this one from: where it was first entered. */
  copiedFrom: string | null;
}

export const DEFAULT_SENSITIVITY: Sensitivity = "internal";

/** The statements of one entity as the actor may see them; secret values only when revealed (opened by revealSecretValues). */
export function viewStatement(_services: Services, row: StatementRow, revealed: ReadonlyMap<string, string> | false): StatementView {
  const secret = row.sensitivity === "secret";
  const value = secret ? (revealed ? (revealed.get(row.id) ?? null) : null) : row.value;
  return {
    id: row.id,
    property: row.property,
    value,
    lang: row.lang,
    script: row.script,
    source: row.source_id,
    confidence: row.confidence,
    sensitivity: row.sensitivity,
    sealed: secret && value === null,
    dateEarliest: row.date_earliest,
    dateLatest: row.date_latest,
    author: row.author_id,
    createdAt: row.created_at,
    revision: row.revision,
    copiedFrom: row.copied_from,
  };
}

/** Restricted statements are read by administrators and the record's access list only. */
export function readableBy(actor: Actor, subject: Subject) {
  const restrictedToo = can(actor, "record.read-restricted", subject);
  return (row: Pick<StatementRow, "sensitivity">) => row.sensitivity !== "restricted" || restrictedToo;
}

export function deriveProperties(statements: StatementView[]): Record<string, string[]> {
  const properties: Record<string, string[]> = {};
  for (const s of statements) {
    if (s.value === null) continue;
    const values = (properties[s.property] ??= []);
    if (!values.includes(s.value)) values.push(s.value);
  }
  return properties;
}

export async function liveStatements(db: Tx, entityIds: readonly string[]): Promise<StatementRow[]> {
  if (entityIds.length === 0) return [];
  return db
    .selectFrom("statements")
    .selectAll()
    .where("entity_id", "in", [...entityIds])
    .where("retracted_at", "is", null)
    .orderBy("property")
    .orderBy("seq")
    .execute();
}

// ---------------------------------------------------------------------------------------------
// Checking input against the model

export interface PlannedStatement {
  id: string;
  property: string;
  value: string;
  lang: string | null;
  script: string | null;
  source: string | null;
  confidence: number | null;
  sensitivity: Sensitivity;
  dateEarliest: string | null;
  dateLatest: string | null;
  /** The record an entity property points at. */
  ref: string | null;
}

export interface PropertyPlan {
  add: PlannedStatement[];
  keep: { keep: string }[];
  /** Plain values: keep every live statement that has this value. */
  keepValues: string[];
}

function normalise(input: Exclude<StatementInput, { statement: string }>) {
  return typeof input === "string"
    ? { value: input, lang: null, script: null, source: null, confidence: null, sensitivity: null }
    : { value: input.value, lang: input.lang ?? null, script: input.script ?? null, source: input.source?.toLowerCase() ?? null, confidence: input.confidence ?? null, sensitivity: input.sensitivity ?? null };
}

export interface PlanContext {
  /** Whether the actor may add restricted values to this record. */
  mayWriteRestricted: boolean;
  /** The record being written: a value may not point at it. */
  selfId: string;
  /** "property\u0000value" of the record's live values: a retired term already there may stay. */
  existing?: ReadonlySet<string>;
}

/**
 * Checks every value against the schema's properties, their FtM types and the vocabularies, and
 * every referenced record (entity values, sources) against the database: it must exist, be
 * visible to the actor, have the right schema and not have been merged away. All problems are
 * reported at once, by path.
 */
export async function planProperties(services: Services, actor: Actor, schemaName: string, properties: Record<string, StatementInput[]>, context: PlanContext): Promise<Map<string, PropertyPlan>> {
  const schema = findSchema(schemaName)!;
  const errors: FieldErrors = {};
  const plans = new Map<string, PropertyPlan>();
  const references: { path: string; id: string; range: string | null }[] = [];
  let vocabularies: Vocabularies | null = null;
  for (const [name, inputs] of Object.entries(properties)) {
    const property = findProperty(schema, name);
    if (!property) {
      errors[`properties.${name}`] = `${schemaName} has no property "${name}"`;
      continue;
    }
    if (property.stub) {
      errors[`properties.${name}`] = `"${name}" is the reverse of a relationship: set it on the other record`;
      continue;
    }
    const vocabulary = vocabularyOfProperty(property.qname);
    if (vocabulary && inputs.length > 0) vocabularies ??= await loadVocabularies(services.db, actor.orgId);
    const plan: PropertyPlan = { add: [], keep: [], keepValues: [] };
    plans.set(name, plan);
    inputs.forEach((input, index) => {
      const path = `properties.${name}.${index}`;
      if (typeof input === "object" && "statement" in input) {
        plan.keep.push({ keep: input.statement.toLowerCase() });
        return;
      }
      const given = normalise(input);
      const checked = checkValue(property, given.value);
      if (!checked.ok) {
        errors[path] = `${name} ${checked.error}`;
        return;
      }
      let value = checked.value;
      if (vocabulary) {
        const term = vocabularies!.check(vocabulary, value);
        if (!term.ok) {
          errors[path] = `${name}: ${term.error}`;
          return;
        }
        if (term.retired && !context.existing?.has(`${name}\u0000${term.code}`)) {
          errors[path] = `${name}: "${term.code}" is a retired term of the ${vocabulary} vocabulary: choose a current one`;
          return;
        }
        value = term.code;
      }
      if (given.sensitivity === "restricted" && !context.mayWriteRestricted) {
        errors[path] = "only an administrator or someone on the record's access list may add a restricted value";
        return;
      }
      if (typeof input === "string") plan.keepValues.push(value);
      const sensitivity = given.sensitivity ?? DEFAULT_SENSITIVITY;
      const isReference = property.type.name === "entity";
      plan.add.push({
        id: randomUUID(),
        property: name,
        value,
        lang: given.lang,
        script: given.script,
        source: given.source,
        confidence: given.confidence,
        sensitivity,
        // Nothing derived from a secret value is kept in the clear.
        dateEarliest: sensitivity === "secret" ? null : (checked.date?.earliest ?? null),
        dateLatest: sensitivity === "secret" ? null : (checked.date?.latest ?? null),
        ref: isReference && sensitivity !== "secret" ? value : null,
      });
      if (isReference) {
        if (value === context.selfId) errors[path] = "a record cannot point at itself";
        else references.push({ path, id: value, range: property.hasRange ? property.getRange().name : null });
      }
      if (given.source) references.push({ path: `${path}.source`, id: given.source, range: "Source" });
    });
  }
  await checkReferences(services, actor, references, errors);
  if (Object.keys(errors).length > 0) throw new Invalid("some values are not valid", errors);
  return plans;
}

/** One query for every referenced record; a restricted one the actor cannot see is "not found" too. */
async function checkReferences(services: Services, actor: Actor, references: { path: string; id: string; range: string | null }[], errors: FieldErrors): Promise<void> {
  const ids = [...new Set(references.map((r) => r.id))];
  if (ids.length === 0) return;
  const found = new Map<string, { schema: string; restricted: boolean; onList: boolean; merged: boolean }>();
  const rows = await services.db
    .selectFrom("entities as e")
    .leftJoin("entity_access as a", (join) => join.onRef("a.entity_id", "=", "e.id").on("a.user_id", "=", actor.userId))
    .select(["e.id", "e.schema", "e.restricted", "e.merged_into", "a.user_id"])
    .where("e.org_id", "=", actor.orgId)
    .where("e.id", "in", ids)
    .execute();
  for (const row of rows) found.set(row.id, { schema: row.schema, restricted: row.restricted, onList: row.user_id !== null, merged: row.merged_into !== null });
  for (const ref of references) {
    const target = found.get(ref.id);
    if (!target || !can(actor, "record.view", { kind: "record", orgId: actor.orgId, restricted: target.restricted, onAccessList: target.onList })) {
      errors[ref.path] = "no such record";
    } else if (target.merged) {
      errors[ref.path] = "this record was merged into another: point at the record it was merged into";
    } else if (ref.range && !findSchema(target.schema)?.isA(ref.range)) {
      errors[ref.path] = `must be a ${ref.range} record, not a ${target.schema}`;
    }
  }
}

export function requireProperties(schemaName: string, present: Set<string>): void {
  const missing = findSchema(schemaName)!.required.filter((name) => !present.has(name));
  if (missing.length > 0) {
    throw new Invalid(`a ${schemaName} needs ${missing.join(", ")}`, Object.fromEntries(missing.map((m) => [`properties.${m}`, "required"])));
  }
}

export interface StatementWrite extends PlannedStatement {
  /** The original author and time, when a merge copies a statement; the actor and now otherwise. */
  authorId?: string | null;
  createdAt?: Date;
  copiedFrom?: string | null;
  /** A secret value already sealed to the organisation's vault key (a copy keeps the ciphertext, so copying works sealed). */
  sealedValue?: Buffer;
}

// Secret values are sealed in statementRow at once with the application key (it is synchronous
// and always available), and insertStatementRows moves them onto the organisation's vault key
// before they are stored. A row inserted some other way still holds a readable value, which
// moveSecretValuesToVault moves later.
const toVault = new WeakMap<object, string>();

// 20 parameters per row: 2,000 rows stay far below PostgreSQL's 65,535 bind parameters.
const ROWS_PER_INSERT = 2_000;

/** The row of one statement to write; see insertStatementRows. */
export function statementRow(services: Services, actor: Actor, entityId: string, revision: number, s: StatementWrite, now: Date) {
  const row = {
    id: s.id,
    org_id: actor.orgId,
    entity_id: entityId,
    property: s.property,
    value: s.sensitivity === "secret" ? null : s.value,
    value_sealed: s.sensitivity === "secret" ? (s.sealedValue ?? sealWithAppKey(services, s.id, s.value)) : null,
    lang: s.lang,
    script: s.script,
    source_id: s.source,
    confidence: s.confidence,
    sensitivity: s.sensitivity,
    date_earliest: s.dateEarliest,
    date_latest: s.dateLatest,
    author_id: s.authorId === undefined ? actor.userId : s.authorId,
    created_at: s.createdAt ?? now,
    revision,
    ref_id: s.ref,
    copied_from: s.copiedFrom ?? null,
  };
  if (s.sensitivity === "secret" && !s.sealedValue) toVault.set(row, s.value);
  return row;
}

export async function insertStatementRows(tx: Tx, rows: readonly ReturnType<typeof statementRow>[]): Promise<void> {
  const pending = rows.filter((r) => toVault.has(r));
  for (const orgId of new Set(pending.map((r) => r.org_id))) {
    const mine = pending.filter((r) => r.org_id === orgId);
    const sealed = await sealToVault(tx, orgId, mine.map((r) => toVault.get(r)!));
    if (sealed) mine.forEach((r, i) => (r.value_sealed = sealed[i]!));
  }
  for (let i = 0; i < rows.length; i += ROWS_PER_INSERT) await tx.insertInto("statements").values(rows.slice(i, i + ROWS_PER_INSERT)).execute();
}

export async function insertStatements(tx: Tx, services: Services, actor: Actor, entityId: string, revision: number, planned: readonly StatementWrite[]): Promise<void> {
  const now = services.now();
  await insertStatementRows(tx, planned.map((s) => statementRow(services, actor, entityId, revision, s, now)));
}

/**
 * A copy of a stored statement, for another record or the same one. A secret value sealed to the
 * vault keeps its ciphertext, so merges work while sealed; one sealed with the application key
 * (bound to its statement) is opened to be sealed again under the new id.
 */
export function copyOf(services: Services, row: StatementRow, changes: { value?: string; ref?: string | null; source?: string | null } = {}): StatementWrite {
  const secret = row.sensitivity === "secret";
  const keepSealed = secret && changes.value === undefined && isVaultSealed(row.value_sealed!) ? Buffer.from(row.value_sealed!) : undefined;
  const value = changes.value ?? (!secret ? row.value! : keepSealed ? "" : openWithAppKey(services, row.id, row.value_sealed!));
  return {
    ...(keepSealed ? { sealedValue: keepSealed } : {}),
    id: randomUUID(),
    property: row.property,
    value,
    lang: row.lang,
    script: row.script,
    source: changes.source !== undefined ? changes.source : row.source_id,
    confidence: row.confidence,
    sensitivity: row.sensitivity,
    dateEarliest: row.date_earliest,
    dateLatest: row.date_latest,
    ref: changes.ref !== undefined ? changes.ref : row.ref_id,
    authorId: row.author_id,
    createdAt: row.created_at,
    copiedFrom: row.id,
  };
}

export function countByProperty(items: readonly { property: string }[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const item of items) counts[item.property] = (counts[item.property] ?? 0) + 1;
  return counts;
}
