import { defaultModel, Model, type IModelDatum, type ISchemaDatum, type Property, type Schema } from "@alephdata/followthemoney";
import { cleanText, hasLoneSurrogate, parseEdtf, type EdtfDate } from "../core/index.ts";
import { VIGIL_ADDED_PROPERTIES, VIGIL_SCHEMATA } from "./vigil-schemata.ts";

/**
 * One data model: FollowTheMoney's own (the schema data shipped in @alephdata/followthemoney, so we
 * never retype it) with Vigil's schemata added in the same shape. Every entity and every value is
 * checked against it.
 */
function buildModel(): Model {
  const base = defaultModel as IModelDatum;
  const schemata: Record<string, ISchemaDatum> = { ...base.schemata };
  for (const [name, additions] of Object.entries(VIGIL_ADDED_PROPERTIES)) {
    const target = schemata[name]!;
    schemata[name] = { ...target, properties: { ...target.properties, ...Object.fromEntries(additions.map((p) => [p.name, p])) } };
  }
  for (const [name, datum] of Object.entries(VIGIL_SCHEMATA)) {
    // Schema.isA reads the full ancestry from `schemata`, as FtM's generated JSON lists it.
    const ancestry = new Set([name, ...datum.extends.flatMap((parent) => schemata[parent]?.schemata ?? [parent])]);
    schemata[name] = { ...datum, schemata: [...ancestry].sort() };
  }
  return new Model({ schemata, types: base.types });
}

export const model = buildModel();

/** Schemata a record can be created with: concrete, not FtM's generated document-processing ones. */
export function isCreatableSchema(name: string): boolean {
  const schema = findSchema(name);
  return schema !== undefined && !schema.abstract && !schema.generated && !schema.deprecated;
}

export function findSchema(name: string): Schema | undefined {
  return Object.hasOwn(model.schemata, name) ? model.schemata[name] : undefined;
}

/** The names of a schema and of every schema that extends it: a filter on LegalEntity finds people too. */
export function schemaAndDescendants(name: string): string[] {
  return model.getSchemata().filter((s) => s.isA(name)).map((s) => s.name);
}

// FtM's getProperties() merges the ancestors' properties into a new Map at every call: an import
// checking a million values would spend most of its time there.
const propertiesOfSchema = new WeakMap<Schema, Map<string, Property>>();

export function findProperty(schema: Schema, name: string): Property | undefined {
  let properties = propertiesOfSchema.get(schema);
  if (!properties) propertiesOfSchema.set(schema, (properties = schema.getProperties()));
  return properties.get(name);
}

export type CheckedValue = { ok: true; value: string; date: EdtfDate | null } | { ok: false; error: string };

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const PHONE = /^\+?[0-9 ()./-]{3,30}$/;
const NUMBER = /^-?[0-9]+(?:[.,][0-9]+)?(?:\s?[a-zA-Z%]{0,10})?$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === "http:" || url.protocol === "https:";
  } catch {
    return false;
  }
}

/**
 * Checks and cleans one value of a property by its FtM type. Dates are EDTF (a superset of FtM's
 * ISO prefixes); entity references must be Vigil ids (whether they exist is the service's question);
 * countries, languages, genders and topics must be among the model's values.
 */
export function checkValue(property: Property, raw: string): CheckedValue {
  if (hasLoneSurrogate(raw)) return { ok: false, error: "contains invalid characters" };
  const type = property.type.name;
  // Long text keeps its line breaks; everything else is one clean line.
  const value = type === "text" || type === "html" ? raw.normalize("NFC").trim() : cleanText(raw);
  if (value === "") return { ok: false, error: "is empty" };
  if (type !== "date" && value.length > property.maxLength) return { ok: false, error: `is longer than ${property.maxLength} characters` };
  const vocabulary = property.type.values;
  switch (type) {
    case "date": {
      const date = parseEdtf(value);
      return date.ok ? { ok: true, value: date.value.text, date: date.value } : { ok: false, error: `is not a valid EDTF date: ${date.error}` };
    }
    case "entity":
      return UUID.test(value.toLowerCase()) ? { ok: true, value: value.toLowerCase(), date: null } : { ok: false, error: "must be the id of a record" };
    case "country":
    case "language":
    case "gender":
    case "topic": {
      const key = value.toLowerCase();
      return vocabulary.has(key) ? { ok: true, value: key, date: null } : { ok: false, error: `"${value.slice(0, 40)}" is not a known ${property.type.label.toLowerCase()} code` };
    }
    case "email":
      return EMAIL.test(value) ? { ok: true, value, date: null } : { ok: false, error: "is not an email address" };
    case "url":
      return isHttpUrl(value) ? { ok: true, value, date: null } : { ok: false, error: "is not an http or https address" };
    case "phone":
      return PHONE.test(value) ? { ok: true, value, date: null } : { ok: false, error: "is not a phone number" };
    case "number":
      return NUMBER.test(value) ? { ok: true, value, date: null } : { ok: false, error: "is not a number" };
    default:
      return { ok: true, value, date: null };
  }
}
