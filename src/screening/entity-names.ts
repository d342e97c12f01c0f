// Which of a record's FtM properties are names, and how a record or a query becomes the names
// engine's EntityNames. Used alike to build the index and to score, so both see the same names.
import { normalizeCompanyName, type EntityNames, type EntitySchema } from "../names/index.ts";

/** Properties whose every value is a whole name. */
export const NAME_PROPERTIES = ["name", "alias", "previousName", "weakAlias"] as const;
/** Name parts, joined in this order into one more name (FtM's combine_names does the same). */
const NAME_PARTS = ["firstName", "secondName", "middleName", "fatherName", "lastName"] as const;
/** Every property the index reads. */
export const INDEXED_PROPERTIES: readonly string[] = [...NAME_PROPERTIES, ...NAME_PARTS];

const IDENTIFIERS = ["idNumber", "passportNumber", "taxNumber", "registrationNumber", "innCode", "ogrnCode", "leiCode", "swiftBic", "imoNumber", "wikidataId"];

const NATIONALITIES = ["nationality", "citizenship", "country", "jurisdiction"];

/** Every property entityNames reads: what the index prepares, and what makes a record guarded when restricted. */
export const MATCH_PROPERTIES: readonly string[] = [...INDEXED_PROPERTIES, "birthDate", ...NATIONALITIES, "gender", ...IDENTIFIERS];

/** The schemata the engine scores; the others (Incident, Source…) are never candidates. */
export const MATCHABLE_SCHEMATA: readonly EntitySchema[] = ["Person", "Company", "Organization", "LegalEntity", "PublicBody", "Vessel", "Airplane"];

export function isMatchable(schema: string): schema is EntitySchema {
  return (MATCHABLE_SCHEMATA as readonly string[]).includes(schema);
}

export function isOrganisationSchema(schema: string): boolean {
  return schema === "Company" || schema === "Organization" || schema === "LegalEntity" || schema === "PublicBody";
}

/**
 * Whether a record of `candidate` schema answers a query of `query` schema: the same schema, any two
 * kinds of organisation, or the general LegalEntity either way (a list often does not say person or company).
 */
export function answersQuery(query: EntitySchema, candidate: EntitySchema): boolean {
  if (query === candidate || query === "LegalEntity" || candidate === "LegalEntity") return true;
  return isOrganisationSchema(query) && isOrganisationSchema(candidate);
}

export function namesOf(properties: Readonly<Record<string, readonly string[]>>): string[] {
  const names = NAME_PROPERTIES.flatMap((p) => properties[p] ?? []);
  const parts = NAME_PARTS.map((p) => properties[p]?.[0]).filter((v): v is string => typeof v === "string" && v.trim() !== "");
  if (parts.length > 0) names.push(parts.join(" "));
  return [...new Set(names)];
}

/** Names as the index keys them: a company's legal form (Co., Ltd., 有限公司) is not part of what names it. */
export function indexableNames(schema: string, names: readonly string[]): string[] {
  return isOrganisationSchema(schema) ? names.map((n) => normalizeCompanyName(n).name).filter((n) => n.trim() !== "") : [...names];
}

export function entityNames(schema: EntitySchema, properties: Readonly<Record<string, readonly string[]>>): EntityNames {
  return {
    schema,
    names: namesOf(properties),
    birthDate: [...(properties.birthDate ?? [])],
    nationality: NATIONALITIES.flatMap((p) => properties[p] ?? []),
    gender: [...(properties.gender ?? [])],
    identifiers: IDENTIFIERS.flatMap((p) => properties[p] ?? []),
  };
}
