import type { ISchemaDatum, IPropertyDatum } from "@alephdata/followthemoney";

/**
 * Vigil's own schemata, where FollowTheMoney has none, written in FtM's own model shape so that
 * the one model (src/records/model.ts) validates ours and theirs alike. Keep names in FtM style:
 * schemata in PascalCase, properties in camelCase, each entity property with its reverse.
 */

function property(schema: string, name: string, label: string, type: string, extra: Partial<IPropertyDatum> = {}): IPropertyDatum {
  const maxLength = { name: 384, string: 1024, text: 65000, date: 32, entity: 200, url: 4096, language: 16, number: 250, identifier: 64 }[type] ?? 1024;
  return { name, qname: `${schema}:${name}`, label, type, maxLength, ...extra };
}

function schema(name: string, label: string, plural: string, extendsSchemata: string[], description: string, properties: IPropertyDatum[], extra: Partial<ISchemaDatum> = {}): ISchemaDatum {
  return {
    label,
    plural,
    description,
    extends: extendsSchemata,
    // The model computes the full ancestry from `extends`; FtM's JSON lists it too, so do we.
    schemata: [name],
    properties: Object.fromEntries(properties.map((p) => [p.name, p])),
    ...extra,
  };
}

export const VIGIL_SCHEMATA: Record<string, ISchemaDatum> = {
  /** A violation: a killing, an arrest, torture, a disappearance; what happened, where and when. */
  Incident: schema("Incident", "Incident", "Incidents", ["Event"], "A human rights violation: what happened, where and when.", [
    property("Incident", "violation", "Violation", "string", { description: "The kind of violation, from the violation-types vocabulary." }),
    property("Incident", "victimCount", "Number of victims", "number"),
    property("Incident", "place", "Place", "entity", { range: "Address", reverse: "incidents", description: "Where it happened." }),
    property("Incident", "involvements", "Involvements", "entity", { range: "Involvement", reverse: "incident", stub: true }),
  ], { featured: ["name", "violation", "date", "place"], caption: ["name"], required: ["name"], temporalExtent: { start: ["startDate", "date"], end: ["endDate"] } }),

  /** What supports a statement: a testimony, a document, a media item, a web page. */
  Source: schema("Source", "Source", "Sources", ["Thing"], "A testimony, document, media item or web page that supports statements.", [
    property("Source", "sourceType", "Source type", "string", { description: "testimony, document, media, web page… from the source-types vocabulary." }),
    property("Source", "author", "Author", "string"),
    property("Source", "publishedAt", "Published", "date"),
    property("Source", "url", "URL", "url"),
    // A string, not FtM's language type: its closed list has no Uyghur (uig), the first language we need.
    property("Source", "language", "Language", "string", { maxLength: 16, description: "ISO 639-3 code of the source's language (uig, zho, kaz…)." }),
    property("Source", "bodyText", "Text", "text", { description: "The testimony or document text, searchable." }),
    property("Source", "evidence", "Evidence file", "identifier", { description: "The id of a file in the evidence vault." }),
  ], { featured: ["name", "sourceType", "publishedAt"], caption: ["name"], required: ["name"] }),

  /** A person or organisation in an incident, as victim, alleged perpetrator, witness or other. */
  Involvement: schema("Involvement", "Involvement", "Involvements", ["Interval"], "A person or organisation involved in an incident, and how.", [
    property("Involvement", "incident", "Incident", "entity", { range: "Incident", reverse: "involvements" }),
    property("Involvement", "participant", "Participant", "entity", { range: "LegalEntity", reverse: "incidentInvolvements" }),
    property("Involvement", "role", "Role", "string", { description: "victim, alleged perpetrator, witness, other… from the roles vocabulary." }),
  ], {
    required: ["incident", "participant"],
    caption: ["role"],
    featured: ["participant", "role", "incident"],
    edge: { source: "participant", target: "incident", directed: true, label: "involved in", caption: ["role"] },
  }),
};

/**
 * Properties Vigil adds to FtM schemata: the reverse ends of our entity properties (stubs, never
 * stored), and Address.placeType (a detention facility, a village…), which FtM has no property for.
 * An FtM export leaves placeType out or maps it; it is the one stored property FtM does not know.
 */
export const VIGIL_ADDED_PROPERTIES: Record<string, IPropertyDatum[]> = {
  Address: [
    property("Address", "incidents", "Incidents", "entity", { range: "Incident", reverse: "place", stub: true }),
    property("Address", "placeType", "Place type", "string", { maxLength: 64, description: "A term of the place-types vocabulary." }),
  ],
  LegalEntity: [property("LegalEntity", "incidentInvolvements", "Involved in incidents", "entity", { range: "Involvement", reverse: "participant", stub: true })],
};
