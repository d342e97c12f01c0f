// How the columns of a CSV file become a record's properties, and the mappings an organisation
// keeps by name to reuse on the next file of the same shape.
import { z } from "zod";
import { can, Invalid, NotFound, type Actor, type FieldErrors } from "../core/index.ts";
import type { Origin, Services } from "../context.ts";
import { parseInput } from "../accounts/index.ts";
import { recordAudit, requirePermission } from "../audit/index.ts";
import { findProperty, findSchema, isCreatableSchema } from "./model.ts";
import { SENSITIVITIES } from "./input.ts";

const LANG = /^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*$/;

const ColumnTargetSchema = z.union([
  z.null(),
  z.string().max(64),
  z.strictObject({
    property: z.string().max(64),
    lang: z.string().regex(LANG, "a language tag such as ug, zh-Hans or en").optional(),
  }),
]);

export const ImportMappingSchema = z.strictObject({
  schema: z.string().min(1).max(64),
  /** Header → property (or { property, lang }), or null for a column left out. */
  columns: z.record(z.string().min(1, "a column name").max(200), ColumnTargetSchema).refine((c) => Object.keys(c).length <= 500, "at most 500 columns"),
  /** The sensitivity of every imported value. */
  sensitivity: z.enum(SENSITIVITIES).default("internal"),
  /** Create the records restricted (need-to-know): the importer goes on each one's access list. */
  restricted: z.boolean().default(false),
  delimiter: z.enum([",", ";", "\t", "|"]).default(","),
});
export type ImportMapping = z.infer<typeof ImportMappingSchema>;

export const MAPPING_NAME = z.string().trim().min(1, "is empty").max(100, "at most 100 characters");

/** The mapping's own rules, then its fit to the file's header. Every problem at once, by path. */
export function checkMapping(mapping: ImportMapping, header: readonly string[] | null): void {
  const errors: FieldErrors = {};
  if (!isCreatableSchema(mapping.schema)) {
    throw new Invalid(`"${mapping.schema.slice(0, 64)}" is not a schema records can have`, { "mapping.schema": "unknown schema" });
  }
  const schema = findSchema(mapping.schema)!;
  const mapped = new Set<string>();
  for (const [column, target] of Object.entries(mapping.columns)) {
    if (header && !header.includes(column)) errors[`mapping.columns.${column}`] = `the file has no column "${column.slice(0, 64)}"`;
    if (target === null) continue;
    const name = typeof target === "string" ? target : target.property;
    const property = findProperty(schema, name);
    if (!property) errors[`mapping.columns.${column}`] = `${schema.name} has no property "${name.slice(0, 64)}"`;
    else if (property.stub) errors[`mapping.columns.${column}`] = `"${name}" is the reverse of a relationship: set it on the other record`;
    else mapped.add(name);
  }
  if (mapped.size === 0 && Object.keys(errors).length === 0) errors["mapping.columns"] = "map at least one column to a property";
  const missing = schema.required.filter((name) => !mapped.has(name));
  if (missing.length > 0 && mapped.size > 0) errors["mapping.columns"] = `a ${schema.name} needs ${missing.join(", ")}: map a column to ${missing.length === 1 ? "it" : "them"}`;
  if (mapping.restricted && mapping.sensitivity === "public") errors["mapping.sensitivity"] = "values of a restricted record cannot be public";
  if (Object.keys(errors).length > 0) throw new Invalid("the column mapping does not fit", errors);
}

/** Headers that appear twice make a mapping by name ambiguous. */
export function duplicateHeaders(header: readonly string[]): string[] {
  const seen = new Set<string>();
  const twice = new Set<string>();
  for (const h of header) (seen.has(h) ? twice : seen).add(h);
  return [...twice];
}

/** A mapping guessed from the header: columns named like a property (or its label) map to it. */
export function suggestMapping(schemaName: string, header: readonly string[]): ImportMapping {
  const schema = findSchema(schemaName);
  const columns: ImportMapping["columns"] = {};
  const squash = (s: string) => s.toLowerCase().replace(/[^\p{L}\p{N}]/gu, "");
  for (const column of header) {
    const wanted = squash(column);
    const property = schema
      ? [...schema.getProperties().values()].find((p) => !p.stub && (squash(p.name) === wanted || squash(p.label) === wanted))
      : undefined;
    columns[column] = property ? property.name : null;
  }
  return { schema: schemaName, columns, sensitivity: "internal", restricted: false, delimiter: "," };
}

export interface SavedMapping {
  name: string;
  mapping: ImportMapping;
  updatedAt: Date;
}

export async function listMappings(services: Services, origin: Origin, actor: Actor): Promise<SavedMapping[]> {
  await requirePermission(services, origin, can(actor, "import.run", { kind: "records", orgId: actor.orgId }), actor, "import.run", { type: "import-mapping", id: null });
  const rows = await services.db.selectFrom("import_mappings").selectAll().where("org_id", "=", actor.orgId).orderBy("name").execute();
  return rows.map((r) => ({ name: r.name, mapping: ImportMappingSchema.parse(r.mapping), updatedAt: r.updated_at }));
}

export async function findMapping(services: Services, origin: Origin, actor: Actor, name: string): Promise<SavedMapping> {
  await requirePermission(services, origin, can(actor, "import.run", { kind: "records", orgId: actor.orgId }), actor, "import.run", { type: "import-mapping", id: null });
  const row = await services.db.selectFrom("import_mappings").selectAll().where("org_id", "=", actor.orgId).where("name", "=", name).executeTakeFirst();
  if (!row) throw new NotFound(`no saved mapping is named "${name.slice(0, 100)}"`);
  return { name: row.name, mapping: ImportMappingSchema.parse(row.mapping), updatedAt: row.updated_at };
}

/** Saves (or replaces) a named mapping for the organisation. */
export async function saveMapping(services: Services, origin: Origin, actor: Actor, rawName: unknown, rawMapping: unknown): Promise<SavedMapping> {
  await requirePermission(services, origin, can(actor, "import.run", { kind: "records", orgId: actor.orgId }), actor, "import.run", { type: "import-mapping", id: null });
  const name = parseInput(MAPPING_NAME, rawName);
  const mapping = parseInput(ImportMappingSchema, rawMapping);
  checkMapping(mapping, null);
  const now = services.now();
  await services.db.transaction().execute(async (tx) => {
    await tx
      .insertInto("import_mappings")
      .values({ org_id: actor.orgId, name, schema: mapping.schema, mapping: JSON.stringify(mapping), updated_by: actor.userId, updated_at: now })
      .onConflict((oc) => oc.columns(["org_id", "name"]).doUpdateSet({ schema: mapping.schema, mapping: JSON.stringify(mapping), updated_by: actor.userId, updated_at: now }))
      .execute();
    await recordAudit(tx, origin, { orgId: actor.orgId, actorId: actor.userId, action: "import.mapping.save", targetType: "import-mapping", targetId: null, details: { name, schema: mapping.schema } });
  });
  return { name, mapping, updatedAt: now };
}
