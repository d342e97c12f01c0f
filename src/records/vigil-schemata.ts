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
    property("Source", "reliability", "Reliability", "string", { maxLength: 64, description: "How far the source can be relied on: a term of the reliability vocabulary (a referral dossier lists it beside each source)." }),
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

  /** A person held: where, from when, by whom, on what stated grounds; its course is told by CustodyStatus records. */
  Detention: schema("Detention", "Detention", "Detentions", ["Interval"], "A person deprived of liberty: where, from when, by whom and on what stated grounds.", [
    property("Detention", "person", "Person detained", "entity", { range: "Person", reverse: "detentions" }),
    property("Detention", "facility", "Facility", "entity", { range: "Address", reverse: "detentions", description: "Where the person is held, when known." }),
    property("Detention", "agency", "Detaining agency", "entity", { range: "LegalEntity", reverse: "detentionsCarriedOut" }),
    property("Detention", "officials", "Officials", "entity", { range: "Person", reverse: "detentionsOrdered", description: "Officials who ordered or carried out the detention." }),
    property("Detention", "grounds", "Stated grounds", "text", { maxLength: 4000 }),
    property("Detention", "silenceDays", "Alert after days of silence", "number", { description: "This case's own window for the no-proof-of-life alert, in days (1 to 3650)." }),
    property("Detention", "statuses", "Status changes", "entity", { range: "CustodyStatus", reverse: "detention", stub: true }),
    property("Detention", "proofsOfLife", "Proofs of life", "entity", { range: "ProofOfLife", reverse: "detention", stub: true }),
    property("Detention", "treatmentReports", "Treatment reports", "entity", { range: "TreatmentReport", reverse: "detention", stub: true }),
  ], { required: ["person"], caption: ["name"], featured: ["person", "startDate", "facility", "agency"], temporalExtent: { start: ["startDate", "date"], end: ["endDate"] } }),

  /** One step of a detention's course: taken, charged, sentenced, transferred, released… dated and sourced. */
  CustodyStatus: schema("CustodyStatus", "Status change", "Status changes", ["Interval"], "A change in a detention's status, dated and cited.", [
    property("CustodyStatus", "detention", "Detention", "entity", { range: "Detention", reverse: "statuses" }),
    property("CustodyStatus", "status", "Status", "string", { maxLength: 64, description: "A term of the custody-statuses vocabulary." }),
    property("CustodyStatus", "facility", "Facility", "entity", { range: "Address", reverse: "custodyStatuses", description: "Where the person is held from this change on." }),
    property("CustodyStatus", "court", "Court", "string"),
    property("CustodyStatus", "term", "Sentence", "string", { maxLength: 200, description: "The sentence as pronounced, e.g. 10 years." }),
    property("CustodyStatus", "sentenceEnd", "Sentence ends", "date"),
  ], { required: ["detention", "status"], caption: ["status"], featured: ["status", "date", "facility"], temporalExtent: { start: ["date", "startDate"], end: ["endDate"] } }),

  /** A dated report that a detained person was seen, heard from or visited. */
  ProofOfLife: schema("ProofOfLife", "Proof of life", "Proofs of life", ["Interval"], "A dated report that a detained person was seen, heard from or visited.", [
    property("ProofOfLife", "detention", "Detention", "entity", { range: "Detention", reverse: "proofsOfLife" }),
    property("ProofOfLife", "kind", "How", "string", { maxLength: 64, description: "A term of the proof-of-life-kinds vocabulary." }),
    property("ProofOfLife", "reporter", "Reported by", "string"),
    property("ProofOfLife", "reliability", "Reliability", "string", { maxLength: 64, description: "A term of the reliability vocabulary." }),
  ], { required: ["detention", "date"], caption: ["kind"], featured: ["date", "kind", "reporter", "reliability"], temporalExtent: { start: ["date"], end: [] } }),

  /** How a detained person is treated: torture, denial of medical care, forced labour… */
  TreatmentReport: schema("TreatmentReport", "Treatment report", "Treatment reports", ["Interval"], "A report of how a detained person is treated.", [
    property("TreatmentReport", "detention", "Detention", "entity", { range: "Detention", reverse: "treatmentReports" }),
    property("TreatmentReport", "treatment", "Treatment", "string", { maxLength: 64, description: "A term of the treatment-types vocabulary." }),
  ], { required: ["detention", "treatment"], caption: ["treatment"], featured: ["treatment", "date"], temporalExtent: { start: ["date", "startDate"], end: ["endDate"] } }),

  /**
   * A case brought before a court or a treaty body. Its plaintiffs, witnesses and their consent,
   * its deadlines and its exhibits live in the litigation tables (src/accountability/cases.ts).
   */
  LegalCase: schema("LegalCase", "Legal case", "Legal cases", ["Thing"], "A case before a court or a UN treaty body: the forum, the claims and the defendants.", [
    property("LegalCase", "forum", "Forum", "string", { maxLength: 64, description: "A term of the legal-forums vocabulary: ICC, a national court under universal jurisdiction, a civil court, a UN treaty body…" }),
    property("LegalCase", "court", "Court or body", "string", { description: "The court or body by its own name, e.g. the Federal Court of Justice." }),
    property("LegalCase", "jurisdiction", "Jurisdiction", "string", { maxLength: 200 }),
    property("LegalCase", "caseNumber", "Case number", "identifier"),
    property("LegalCase", "claims", "Claims", "text", { maxLength: 4000, description: "Each claim or charge as one value." }),
    property("LegalCase", "defendants", "Defendants", "entity", { range: "LegalEntity", reverse: "legalCasesAgainst", description: "People and organisations the case is brought against." }),
    property("LegalCase", "filedAt", "Filed", "date"),
    property("LegalCase", "status", "Status", "string", { maxLength: 200 }),
  ], { featured: ["name", "forum", "court", "caseNumber"], caption: ["name"], required: ["name", "forum"] }),

  /**
   * A finding that an organisation (a company, an agency, a government, a university) takes part in
   * the repression, and how: the complicity registry (src/accountability). A record of its own, not
   * a property of the organisation, so that each finding has its period, its sources (cited on its
   * statements), its evidence links, its revisions and, when need be, its access list.
   */
  Complicity: schema("Complicity", "Complicity finding", "Complicity findings", ["Interval"], "An organisation's part in the repression: what kind, when, on what evidence.", [
    property("Complicity", "organization", "Organisation", "entity", { range: "Organization", reverse: "complicityFindings" }),
    property("Complicity", "complicityType", "Type of complicity", "string", { maxLength: 64, description: "A term of the complicity-types vocabulary." }),
    property("Complicity", "reliability", "Reliability", "string", { maxLength: 64, description: "A term of the reliability vocabulary." }),
  ], { required: ["organization", "complicityType"], caption: ["complicityType"], featured: ["organization", "complicityType", "startDate", "endDate", "reliability"], temporalExtent: { start: ["startDate", "date"], end: ["endDate"] } }),
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
    // A detention facility's registry entry (src/monitor): who runs it, how many it holds, when it was seen active.
    property("Address", "operator", "Operating agency", "entity", { range: "LegalEntity", reverse: "facilitiesOperated" }),
    property("Address", "capacity", "Capacity", "number", { description: "How many people it can hold, as estimated." }),
    property("Address", "firstActivity", "First known activity", "date"),
    property("Address", "lastActivity", "Last known activity", "date"),
    property("Address", "detentions", "Detentions", "entity", { range: "Detention", reverse: "facility", stub: true }),
    property("Address", "custodyStatuses", "Status changes", "entity", { range: "CustodyStatus", reverse: "facility", stub: true }),
  ],
  Person: [
    property("Person", "detentions", "Detentions", "entity", { range: "Detention", reverse: "person", stub: true }),
    property("Person", "detentionsOrdered", "Detentions ordered", "entity", { range: "Detention", reverse: "officials", stub: true }),
  ],
  // The hierarchy of units (a police station under a county bureau under a prefecture bureau):
  // FtM's Organization has no parent, and Membership means belonging, not command. One unit's
  // place in the chain of command is a property of the unit; a cycle is refused
  // (src/records/relationships.ts). Places under a unit are the facilities it operates (Address.operator).
  Organization: [
    property("Organization", "complicityFindings", "Complicity findings", "entity", { range: "Complicity", reverse: "organization", stub: true }),
    property("Organization", "parentUnit", "Parent unit", "entity", { range: "Organization", reverse: "subunits", description: "The unit this one answers to in the chain of command." }),
    property("Organization", "subunits", "Subordinate units", "entity", { range: "Organization", reverse: "parentUnit", stub: true }),
  ],
  LegalEntity: [
    property("LegalEntity", "incidentInvolvements", "Involved in incidents", "entity", { range: "Involvement", reverse: "participant", stub: true }),
    property("LegalEntity", "detentionsCarriedOut", "Detentions carried out", "entity", { range: "Detention", reverse: "agency", stub: true }),
    property("LegalEntity", "facilitiesOperated", "Facilities operated", "entity", { range: "Address", reverse: "operator", stub: true }),
    property("LegalEntity", "legalCasesAgainst", "Legal cases against", "entity", { range: "LegalCase", reverse: "defendants", stub: true }),
  ],
};
