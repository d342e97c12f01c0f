// How records read on the pages: the kinds of record and their lists, property names, values in
// the reader's language (vocabulary terms, countries, genders), dates with the span they mean,
// and which way a name is written.
import { findSchema, termLabel, vocabularyOfProperty, type TermView, type VocabularyView } from "../../records/index.ts";
import type { Locale, Translate } from "../i18n.ts";

/** The lists of records, by the slug in their address, with the schemata each lists (exactly these) and offers to add. */
export const RECORD_TYPES = {
  people: { schemata: ["Person"], create: ["Person"] },
  organisations: { schemata: ["Organization", "Company", "PublicBody"], create: ["Organization", "PublicBody", "Company"] },
  incidents: { schemata: ["Incident"], create: ["Incident"] },
  places: { schemata: ["Address"], create: ["Address"] },
  sources: { schemata: ["Source"], create: ["Source"] },
  events: { schemata: ["Event", "Position"], create: ["Event", "Position"] },
  relationships: { schemata: ["Involvement", "Membership", "Employment", "Family", "Associate", "Occupancy"], create: [] },
} as const satisfies Record<string, { schemata: readonly string[]; create: readonly string[] }>;
export type RecordType = keyof typeof RECORD_TYPES;
export const RECORD_TYPE_SLUGS = Object.keys(RECORD_TYPES) as RecordType[];

export const listPathOf = (type: RecordType | null) => (type ? `/records/${type}` : "/records");

/** The schemata a person may add records of from the pages (relationships are added from a record). */
export const CREATABLE = [...new Set(RECORD_TYPE_SLUGS.flatMap((slug) => RECORD_TYPES[slug].create as readonly string[]))];

/** The list a record of this schema belongs to. */
export function typeOfSchema(schema: string): RecordType | null {
  const found = findSchema(schema);
  if (!found) return null;
  return RECORD_TYPE_SLUGS.find((slug) => (RECORD_TYPES[slug].schemata as readonly string[]).some((s) => found.isA(s))) ?? null;
}

const KNOWN_SCHEMATA = new Set(["Person", "Organization", "Company", "PublicBody", "LegalEntity", "Address", "Incident", "Source", "Event", "Position", "Involvement", "Membership", "Employment", "Family", "Associate", "Occupancy"]);

export function schemaLabel(t: Translate, schema: string): string {
  return KNOWN_SCHEMATA.has(schema) ? t(`records.schemata.${schema}`) : (findSchema(schema)?.label ?? schema);
}

/** The properties the editor offers for each kind of record, in this order; any property already holding values is offered too. */
export const EDITED_PROPERTIES: Record<string, readonly string[]> = {
  Person: ["name", "alias", "firstName", "lastName", "birthDate", "birthPlace", "deathDate", "gender", "nationality", "ethnicity", "religion", "idNumber", "position", "address", "description", "notes"],
  Organization: ["name", "alias", "country", "jurisdiction", "incorporationDate", "dissolutionDate", "legalForm", "address", "description", "notes"],
  Incident: ["name", "violation", "date", "startDate", "endDate", "place", "victimCount", "summary", "description", "notes"],
  Address: ["full", "name", "placeType", "city", "region", "country", "latitude", "longitude", "remarks"],
  Source: ["name", "sourceType", "author", "publishedAt", "url", "language", "bodyText", "evidence", "description"],
  Event: ["name", "date", "startDate", "endDate", "location", "summary", "description"],
  Position: ["name", "country", "description"],
  Involvement: ["participant", "incident", "role", "startDate", "endDate", "description"],
  Membership: ["member", "organization", "role", "startDate", "endDate", "description"],
  Employment: ["employee", "employer", "role", "startDate", "endDate", "description"],
  Family: ["person", "relative", "relationship", "startDate", "endDate", "description"],
  Associate: ["person", "associate", "relationship", "startDate", "endDate", "description"],
  Occupancy: ["holder", "post", "startDate", "endDate", "description"],
  LegalCase: ["name", "forum", "court", "jurisdiction", "caseNumber", "filedAt", "status", "claims", "defendants", "description", "notes"],
};

export function editedProperties(schema: string): readonly string[] {
  const found = findSchema(schema);
  if (!found) return [];
  const own = Object.keys(EDITED_PROPERTIES).find((name) => name === schema) ?? Object.keys(EDITED_PROPERTIES).find((name) => found.isA(name));
  return own ? EDITED_PROPERTIES[own]!.filter((p) => found.getProperties().has(p)) : (found.featured ?? []);
}

const TRANSLATED_PROPERTIES = new Set([...Object.values(EDITED_PROPERTIES).flat(), "incidents", "involvements", "incidentInvolvements"]);

export function propertyLabel(t: Translate, schema: string, property: string): string {
  if (TRANSLATED_PROPERTIES.has(property)) return t(`records.properties.${property}`);
  return findSchema(schema)?.getProperties().get(property)?.label ?? property;
}

/** The FtM type of a property of a schema ("name", "date", "entity"…), or null for one it does not have. */
export function propertyType(schema: string, property: string): string | null {
  return findSchema(schema)?.getProperties().get(property)?.type.name ?? null;
}

/** Vocabularies by name, for labelling coded values. */
export type VocabularyIndex = Map<string, Map<string, TermView>>;

export function vocabularyIndex(vocabularies: VocabularyView[]): VocabularyIndex {
  return new Map(vocabularies.map((v) => [v.name, new Map(v.terms.map((term) => [term.code, term]))]));
}

/** The vocabulary of a property of a schema, when its values are terms. */
export function vocabularyOf(schema: string, property: string): string | null {
  const qname = findSchema(schema)?.getProperties().get(property)?.qname;
  return qname ? (vocabularyOfProperty(qname) ?? null) : null;
}

function displayName(locale: Locale, type: "region" | "language", code: string): string | null {
  try {
    const name = new Intl.DisplayNames([locale], { type, fallback: "none" }).of(type === "region" ? code.toUpperCase() : code);
    return name ?? null;
  } catch {
    return null;
  }
}

/** A stored value as the reader should read it: a term's label, a country's or language's name, a gender; else the value itself. */
export function valueLabel(t: Translate, locale: Locale, vocabularies: VocabularyIndex, schema: string, property: string, value: string): string {
  const vocabulary = vocabularyOf(schema, property);
  if (vocabulary) {
    const term = vocabularies.get(vocabulary)?.get(value);
    return term ? termLabel(term, locale) : value;
  }
  switch (propertyType(schema, property)) {
    case "country":
      return /^[a-z]{2}$/.test(value) ? (displayName(locale, "region", value) ?? value) : value;
    case "language":
      return displayName(locale, "language", value) ?? value;
    case "gender":
      return ["male", "female", "other"].includes(value) ? t(`records.gender.${value}`) : value;
    default:
      return value;
  }
}

const RTL_SCRIPTS = new Set(["Arab", "Hebr", "Syrc", "Thaa", "Nkoo", "Adlm", "Rohg"]);
const RTL_LANGUAGES = new Set(["ar", "ug", "fa", "ur", "he", "ps", "ckb", "sd", "yi", "dv", "ku-Arab"]);

/** Which way a value is written: from its script, else its language; "auto" lets the browser read it from the text. */
export function textDirection(lang: string | null, script: string | null): "rtl" | "ltr" | "auto" {
  if (script) return RTL_SCRIPTS.has(script) ? "rtl" : "ltr";
  if (lang) {
    const base = lang.toLowerCase().split("-")[0]!;
    if (RTL_LANGUAGES.has(lang) || RTL_LANGUAGES.has(base)) return /-(latn|cyrl)\b/i.test(lang) ? "ltr" : "rtl";
    return "auto";
  }
  return "auto";
}

/** The ISO 15924 script a name is written in, read from its letters (null when mixed or none). */
export function scriptOf(value: string, lang: string | null): string | null {
  const scripts = new Set<string>();
  for (const ch of value) {
    if (/\p{Script=Arabic}/u.test(ch)) scripts.add("Arab");
    else if (/\p{Script=Han}/u.test(ch)) scripts.add(lang?.toLowerCase() === "zh-hant" ? "Hant" : "Hans");
    else if (/\p{Script=Cyrillic}/u.test(ch)) scripts.add("Cyrl");
    else if (/\p{Script=Latin}/u.test(ch)) scripts.add("Latn");
    else if (/\p{Script=Hebrew}/u.test(ch)) scripts.add("Hebr");
  }
  return scripts.size === 1 ? [...scripts][0]! : null;
}

/** A date's span as the reader's locale writes it ("1 July 2009 – 31 July 2009"); one day once. */
export function dateSpan(locale: Locale, earliest: string | null, latest: string | null): string | null {
  if (!earliest) return null;
  const format = (day: string) => {
    const [y, m, d] = day.split("-").map(Number) as [number, number, number];
    if (y < 1) return day;
    // setUTCFullYear, not Date.UTC, which reads years 0–99 as 1900–1999.
    const date = new Date(0);
    date.setUTCFullYear(y, m - 1, d);
    return new Intl.DateTimeFormat(locale, { dateStyle: "long", timeZone: "UTC" }).format(date);
  };
  if (!latest || latest === earliest) return format(earliest);
  return `${format(earliest)} – ${latest === "9999-12-31" ? "…" : format(latest)}`;
}
