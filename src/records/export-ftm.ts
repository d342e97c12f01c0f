// Records as FollowTheMoney entities, and back. Every exported line is an entity of FtM's own
// model (the schema data in @alephdata/followthemoney, without Vigil's additions), so Aleph,
// OpenSanctions' tools and yente read it as it is. What FtM cannot hold — Vigil's own schemata
// (Incident, Source, Involvement), their own properties, EDTF dates beyond FtM's ISO prefixes,
// codes outside FtM's closed lists — travels beside it in a `vigil` member that FtM readers
// ignore, so that importing the file into Vigil again loses no value.
import { defaultModel, Model, type Schema as FtmSchema } from "@alephdata/followthemoney";

/** FtM's own model, as published: what an exported entity must be valid against. */
export const ftmModel = new Model(defaultModel);

export interface FtmEntity {
  id: string;
  schema: string;
  properties: Record<string, string[]>;
  /** Vigil's schema, the values FtM has no place for, and the language of values that have one; absent when the entity is plain FtM. */
  vigil?: { schema?: string; properties?: Record<string, string[]>; lang?: Record<string, Record<string, string>> };
}

/** Where Vigil's schemata go in FtM, and which of their properties change name on the way. */
const PROFILE: Record<string, { ftm: string; rename: Record<string, string> }> = {
  Incident: { ftm: "Event", rename: { place: "addressEntity" } },
  Source: { ftm: "Article", rename: { url: "sourceUrl" } },
  Involvement: { ftm: "UnknownLink", rename: { participant: "subject", incident: "object" } },
};

const ISO_DATE = /^\d{4}(-\d{2}(-\d{2}(T\d{2}(:\d{2}(:\d{2})?)?)?)?)?$/;

/** Whether FtM's model accepts `value` for a property of this FtM type. */
function ftmAccepts(typeName: string, value: string): boolean {
  switch (typeName) {
    case "date":
      return ISO_DATE.test(value);
    case "country":
    case "language":
    case "gender":
    case "topic":
      return ftmModel.getType(typeName).values.has(value);
    default:
      return true;
  }
}

/** The widest ISO prefix an EDTF value certainly falls in ("2017?" → 2017, "2019-XX-XX" → 2019), or null. */
export function isoApproximation(earliest: string | null, latest: string | null): string | null {
  if (!earliest || !latest) return null;
  if (earliest === latest) return earliest;
  if (earliest.slice(0, 7) === latest.slice(0, 7) && earliest.endsWith("-01") && Number(latest.slice(8)) >= 28) return earliest.slice(0, 7);
  if (earliest.slice(0, 4) === latest.slice(0, 4) && earliest.endsWith("-01-01") && latest.endsWith("-12-31")) return earliest.slice(0, 4);
  return null;
}

export interface ExportValue {
  property: string;
  value: string;
  lang: string | null;
  dateEarliest: string | null;
  dateLatest: string | null;
}

/** One record as an FtM entity (see the file comment). */
export function toFtm(id: string, schemaName: string, values: readonly ExportValue[]): FtmEntity {
  const profile = PROFILE[schemaName];
  const target: FtmSchema = ftmModel.getSchema(profile?.ftm ?? schemaName);
  const properties: Record<string, string[]> = {};
  const extra: Record<string, string[]> = {};
  const byProperty = new Map<string, ExportValue[]>();
  for (const v of values) (byProperty.get(v.property) ?? byProperty.set(v.property, []).get(v.property)!).push(v);
  for (const [name, list] of byProperty) {
    const ftmName = profile?.rename[name] ?? name;
    const ftmProperty = target.getProperties().get(ftmName);
    const distinct = [...new Set(list.map((v) => v.value))];
    if (ftmProperty && !ftmProperty.stub && distinct.every((v) => ftmAccepts(ftmProperty.type.name, v))) {
      properties[ftmName] = distinct;
      continue;
    }
    // FtM cannot hold these values as written: all of them go beside, and FtM gets what it can.
    extra[name] = distinct;
    if (ftmProperty && !ftmProperty.stub && ftmProperty.type.name === "date") {
      const near = [...new Set(list.map((v) => (ISO_DATE.test(v.value) ? v.value : isoApproximation(v.dateEarliest, v.dateLatest))).filter((v): v is string => v !== null))];
      if (near.length > 0) properties[ftmName] = near;
    }
  }
  const entity: FtmEntity = { id, schema: target.name, properties };
  const vigil: NonNullable<FtmEntity["vigil"]> = {};
  if (target.name !== schemaName) vigil.schema = schemaName;
  if (Object.keys(extra).length > 0) vigil.properties = extra;
  const langs: Record<string, Record<string, string>> = {};
  for (const v of values) if (v.lang) (langs[v.property] ??= {})[v.value] = v.lang;
  if (Object.keys(langs).length > 0) vigil.lang = langs;
  if (Object.keys(vigil).length > 0) entity.vigil = vigil;
  return entity;
}

/** An FtM entity's schema and values in Vigil's terms: `vigil` members undone, FtM's names mapped back. */
export function fromFtm(entity: FtmEntity): { schema: string; properties: Record<string, string[]>; lang: Record<string, Record<string, string>> } {
  const schema = entity.vigil?.schema ?? entity.schema;
  const profile = PROFILE[schema];
  const back = new Map(Object.entries(profile?.rename ?? {}).map(([vigil, ftm]) => [ftm, vigil]));
  const extra = entity.vigil?.properties ?? {};
  const properties: Record<string, string[]> = {};
  for (const [name, values] of Object.entries(entity.properties)) {
    const original = back.get(name) ?? name;
    if (Object.hasOwn(extra, original)) continue;
    properties[original] = [...(properties[original] ?? []), ...values];
  }
  for (const [name, values] of Object.entries(extra)) properties[name] = [...values];
  return { schema, properties, lang: entity.vigil?.lang ?? {} };
}
