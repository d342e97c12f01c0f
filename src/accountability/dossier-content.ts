// What a referral dossier says, read from the records at the moment it is exported, in the order
// governments ask for a targeted-sanctions referral (the US Global Magnitsky submissions guidance,
// the UK and EU global human rights regimes ask for the same): who the person or entity is and how
// to identify them; their position and why they are responsible; the specific acts, with dates and
// places; the evidence exhibits; the sources and how reliable they are; the measures requested.
//
// Restricted records and values go in only when the author chose so and may read them; otherwise
// the document is read as an ordinary member of the organisation would read it (no access list).
// Secret values (sources' identities) never go in.
import { Invalid, type Actor } from "../core/index.ts";
import type { Services } from "../context.ts";
import { listRecordEvidence, type Caller } from "../evidence/index.ts";
import { DEFAULT_TERMS, viewEntities, type EntityView } from "../records/index.ts";
import { buildResponsibility, type ResponsibilityLink } from "./responsibility.ts";
import { nameOf, valuesOf } from "./positions-read.ts";
import type { DossierFields, DossierView } from "./dossiers.ts";

export interface DossierDocument {
  reference: string;
  generatedAt: string;
  fields: DossierFields;
  subject: {
    id: string;
    kind: "person" | "organisation";
    name: string;
    /** Every other name, as written, with its language. */
    names: { value: string; lang: string | null }[];
    /** Identifying details by label: date of birth, nationality, passport, registration number… */
    identifiers: { label: string; values: string[] }[];
  };
  posts: { position: string; unit: string | null; chain: string[]; jurisdiction: string[]; from: string | null; to: string | null; sources: number[] }[];
  acts: {
    number: number;
    recordId: string;
    kind: "incident" | "detention";
    name: string;
    date: string | null;
    place: string | null;
    violations: string[];
    description: string | null;
    /** Why the subject answers for it, one sentence per link. */
    responsibility: string[];
    /** Numbers of the sources (S-n) and exhibits (E-n). */
    sources: number[];
    exhibits: number[];
  }[];
  exhibits: { number: number; evidenceId: string; mediaType: string; size: number; blobSha256: string; receivedAt: string; ledgerIndex: number; supports: string[] }[];
  sources: { number: number; id: string; name: string; type: string | null; author: string | null; published: string | null; url: string | null; reliability: string | null }[];
  /** Acts left out because they are restricted (and the author did not include restricted records), dismissed by an analyst, or excluded by the author. */
  omitted: { restricted: number; dismissed: number; excluded: number };
}

const PERSON_IDENTIFIERS: [string, string][] = [
  ["birthDate", "Date of birth"], ["birthPlace", "Place of birth"], ["gender", "Gender"], ["nationality", "Nationality"], ["citizenship", "Citizenship"],
  ["ethnicity", "Ethnicity"], ["idNumber", "National ID number"], ["passportNumber", "Passport number"], ["position", "Position (as recorded)"], ["country", "Country"], ["address", "Address"],
];
const ORGANISATION_IDENTIFIERS: [string, string][] = [
  ["legalForm", "Legal form"], ["jurisdiction", "Jurisdiction"], ["country", "Country"], ["incorporationDate", "Incorporated"], ["registrationNumber", "Registration number"],
  ["taxNumber", "Tax number"], ["leiCode", "LEI"], ["idNumber", "ID number"], ["address", "Address"], ["website", "Website"],
];

const termLabels = new Map(Object.values(DEFAULT_TERMS).flat().map((t) => [t.code, t.labels.en]));
const label = (code: string) => termLabels.get(code) ?? code;

/** An ordinary member's view: no access list, no administrator's reach, so nothing restricted is read. */
function unrestrictedReader(actor: Actor): Actor {
  return { userId: "00000000-0000-0000-0000-000000000000", orgId: actor.orgId, role: "viewer", scopes: null };
}

function because(link: ResponsibilityLink, subjectName: string): string {
  if (link.basis === "direct") {
    return link.via === "officials" ? `${subjectName} is named among the officials who ordered or carried out the detention.` : `${subjectName} is named as ${label(link.role ?? "alleged-perpetrator").toLowerCase()}.`;
  }
  const chain = link.chain.map((c) => c.name ?? "an unnamed unit").join(" → ");
  const where = link.via === "place" ? `at ${link.place?.name ?? "a place"} operated by ${link.chain[link.chain.length - 1]?.name ?? "a unit"}` : link.via === "agency" ? `carried out by ${link.chain[link.chain.length - 1]?.name ?? "a unit"}` : `by ${link.chain[link.chain.length - 1]?.name ?? "a unit"} (${label(link.role ?? "alleged-perpetrator").toLowerCase()})`;
  if (link.basis === "organisation") return `It happened ${where}, within the organisation (${chain}).`;
  const held = `${link.post?.positionName ?? "a post"} (${link.post?.start ?? "?"} to ${link.post?.end ?? "?"})`;
  const overlap = link.overlap === "certain" ? "while" : "possibly while";
  return `It happened ${where}, in the chain of command ${chain}, ${overlap} ${subjectName} held the post of ${held}; the periods meet from ${link.overlapFrom} to ${link.overlapTo}.`;
}

export async function composeDossier(services: Services, actor: Actor, caller: Caller, dossier: DossierView): Promise<DossierDocument> {
  const fields = dossier.fields;
  const reader = fields.includeRestricted ? actor : unrestrictedReader(actor);
  const [subject] = await viewEntities(services, reader, [dossier.subjectId]);
  if (!subject) throw new Invalid("the subject is a restricted record: choose to include restricted records to export this dossier", { includeRestricted: "the subject is restricted" });
  const subjectName = nameOf(subject) ?? "The subject";
  const map = await buildResponsibility(services, reader, subject);
  const full = fields.includeRestricted ? map : await buildResponsibility(services, actor, subject);
  const links = [...map.direct, ...map.command];
  const excluded = new Set(fields.excludedActs);
  const kept = links.filter((l) => l.review?.decision !== "dismissed" && !excluded.has(l.record.id));
  const recordIds = [...new Set(kept.map((l) => l.record.id))];
  const allIds = (ls: ResponsibilityLink[]) => new Set(ls.map((l) => l.record.id));
  const omitted = {
    restricted: [...allIds([...full.direct, ...full.command])].filter((id) => !allIds(links).has(id)).length,
    dismissed: [...allIds(links.filter((l) => l.review?.decision === "dismissed"))].filter((id) => !recordIds.includes(id)).length,
    excluded: [...allIds(links)].filter((id) => excluded.has(id)).length,
  };
  const records = new Map((await viewEntities(services, reader, recordIds)).map((r) => [r.id, r]));
  // Sources: of the subject's values, of the posts, of each act's links.
  const sourceOrder: string[] = [];
  const sourceNumber = (id: string) => {
    let i = sourceOrder.indexOf(id);
    if (i < 0) i = sourceOrder.push(id) - 1;
    return i + 1;
  };
  for (const s of subject.statements) if (s.source) sourceNumber(s.source);
  const posts = map.posts
    .filter((p) => p.position)
    .map((p) => ({
      position: p.position!.name ?? "Unnamed post",
      unit: p.unit?.name ?? null,
      chain: p.unitChain.map((u) => u.name ?? "an unnamed unit"),
      jurisdiction: [...p.position!.country.map((c) => c.toUpperCase()), ...p.position!.subnationalArea],
      from: p.start.text,
      to: p.end.text,
      sources: p.sources.map(sourceNumber),
    }));
  // Exhibits: evidence linked to each act and to each of its sources.
  const exhibitOrder = new Map<string, DossierDocument["exhibits"][number]>();
  const exhibitsOf = async (recordId: string, supports: string): Promise<number[]> => {
    const linked = await listRecordEvidence(services, { requestId: null, ip: null, userAgent: null }, caller, recordId);
    return linked.map(({ evidence }) => {
      let e = exhibitOrder.get(evidence.id);
      if (!e) {
        e = { number: exhibitOrder.size + 1, evidenceId: evidence.id, mediaType: evidence.mediaType, size: evidence.size, blobSha256: evidence.sha256, receivedAt: new Date(evidence.receivedAt).toISOString(), ledgerIndex: evidence.ledgerIndex, supports: [] };
        exhibitOrder.set(evidence.id, e);
      }
      if (!e.supports.includes(supports)) e.supports.push(supports);
      return e.number;
    });
  };
  const acts: DossierDocument["acts"] = [];
  for (const id of recordIds) {
    const record = records.get(id);
    if (!record) continue;
    const own = kept.filter((l) => l.record.id === id);
    const first = own[0]!;
    const number = acts.length + 1;
    const sources = [...new Set(own.flatMap((l) => l.sources.map((s) => sourceNumber(s.id))))];
    const exhibits = [...(await exhibitsOf(id, `A-${number}`))];
    for (const l of own) for (const s of l.sources) for (const e of await exhibitsOf(s.id, `S-${sourceNumber(s.id)}`)) if (!exhibits.includes(e)) exhibits.push(e);
    acts.push({
      number,
      recordId: id,
      kind: first.kind,
      name: first.record.name ?? (first.kind === "detention" ? "Detention" : "Incident"),
      date: first.record.date,
      place: own.find((l) => l.place)?.place?.name ?? null,
      violations: first.record.violations.map(label),
      description: valuesOf(record, "description")[0] ?? valuesOf(record, "summary")[0] ?? valuesOf(record, "grounds")[0] ?? null,
      responsibility: [...new Set(own.map((l) => because(l, subjectName)))],
      sources,
      exhibits,
    });
  }
  const sourceViews = new Map((await viewEntities(services, reader, sourceOrder)).map((s) => [s.id, s]));
  const sources = sourceOrder.flatMap((id, i) => {
    const s: EntityView | undefined = sourceViews.get(id);
    if (!s) return [];
    const reliability = valuesOf(s, "reliability")[0];
    return [{ number: i + 1, id, name: nameOf(s) ?? "Unnamed source", type: valuesOf(s, "sourceType").map(label)[0] ?? null, author: valuesOf(s, "author")[0] ?? null, published: valuesOf(s, "publishedAt")[0] ?? null, url: valuesOf(s, "url")[0] ?? null, reliability: reliability ? label(reliability) : null }];
  });
  // Number the sources the reader may see 1, 2, 3… in order of first mention; others are left out.
  const renumber = new Map(sources.map((s, i) => [s.number, i + 1]));
  const keep = (numbers: number[]) => numbers.filter((n) => renumber.has(n)).map((n) => renumber.get(n)!);
  for (const s of sources) s.number = renumber.get(s.number)!;
  for (const a of acts) a.sources = keep(a.sources);
  for (const p of posts) p.sources = keep(p.sources);
  for (const e of exhibitOrder.values()) e.supports = e.supports.filter((x) => !x.startsWith("S-") || renumber.has(Number(x.slice(2)))).map((x) => (x.startsWith("S-") ? `S-${renumber.get(Number(x.slice(2)))}` : x));
  const isPerson = subject.schema === "Person";
  const nameValues = subject.statements.filter((s) => ["name", "alias", "weakAlias", "previousName"].includes(s.property) && s.value !== null);
  return {
    reference: dossier.reference,
    generatedAt: services.now().toISOString(),
    fields,
    subject: {
      id: subject.id,
      kind: isPerson ? "person" : "organisation",
      name: subjectName,
      names: nameValues.filter((s) => s.value !== subjectName).map((s) => ({ value: s.value!, lang: s.lang })),
      identifiers: (isPerson ? PERSON_IDENTIFIERS : ORGANISATION_IDENTIFIERS).map(([p, l]) => ({ label: l, values: valuesOf(subject, p).map((v) => (p === "gender" || p === "ethnicity" ? label(v) : v)) })).filter((i) => i.values.length > 0),
    },
    posts,
    acts,
    exhibits: [...exhibitOrder.values()],
    sources,
    omitted,
  };
}
