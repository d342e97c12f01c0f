// The facts of a case, read for an urgent action through the records service: only what the author
// may read, and of that, only what may leave Vigil unless the author explicitly includes more.
import { sql } from "kysely";
import { Invalid, NotFound, type Actor } from "../core/index.ts";
import type { Origin, Services } from "../context.ts";
import { getEntity, loadVocabularies, termLabel, type EntityView, type Sensitivity, type StatementView } from "../records/index.ts";
import { LANGUAGE_TAG, type FactName, type UrgentLanguage } from "./urgent-templates.ts";

const LEVEL: Record<Sensitivity, number> = { public: 0, internal: 1, restricted: 2, secret: 3 };

function higher(a: Sensitivity, b: Sensitivity): Sensitivity {
  return LEVEL[a] >= LEVEL[b] ? a : b;
}

export interface FactChoice {
  /** Restricted values (and everything of a restricted case) go into the document. */
  includeRestricted: boolean;
  /** Secret values are revealed (audited, vault unsealed) and go into the document. */
  includeSecret: boolean;
}

/** A fact left out, or included although restricted or secret: the author is told which. */
export interface FactNote {
  fact: FactName;
  sensitivity: "restricted" | "secret";
}

export interface CaseFacts {
  detentionId: string;
  /** The detention record is restricted: the whole case is need-to-know. */
  restrictedCase: boolean;
  values: Partial<Record<FactName, string[]>>;
  omitted: FactNote[];
  included: FactNote[];
}

/** A value and how sensitive the statements it came through are. */
interface Candidate {
  /** null for a secret value that was not revealed. */
  value: string | null;
  sensitivity: Sensitivity;
}

class FactSink {
  readonly values: Partial<Record<FactName, string[]>> = {};
  readonly omitted = new Map<FactName, "restricted" | "secret">();
  readonly included = new Map<FactName, "restricted" | "secret">();
  constructor(private readonly choice: FactChoice) {}

  allows(sensitivity: Sensitivity): boolean {
    return sensitivity === "public" || sensitivity === "internal" || (sensitivity === "restricted" && this.choice.includeRestricted) || (sensitivity === "secret" && this.choice.includeSecret);
  }

  /** Sorts a candidate: into the fact when it may leave, into the notes either way when it is sensitive. */
  offer(fact: FactName, candidate: Candidate | undefined): boolean {
    if (!candidate) return false;
    const sensitive = candidate.sensitivity === "restricted" || candidate.sensitivity === "secret" ? candidate.sensitivity : null;
    if (candidate.value === null || !this.allows(candidate.sensitivity)) {
      if (sensitive) this.omitted.set(fact, higher(this.omitted.get(fact) ?? "restricted", sensitive) as "restricted" | "secret");
      return false;
    }
    if (sensitive) this.included.set(fact, higher(this.included.get(fact) ?? "restricted", sensitive) as "restricted" | "secret");
    const values = (this.values[fact] ??= []);
    if (!values.includes(candidate.value)) values.push(candidate.value);
    return true;
  }
}

/** Reads one record as the actor may; a record it may not know of is simply absent. */
async function readRecord(services: Services, origin: Origin, actor: Actor, id: string, choice: FactChoice): Promise<EntityView | null> {
  try {
    // Secret values are opened only when the author asked for them: each opening is audited.
    const plain = await getEntity(services, origin, actor, id);
    if (!choice.includeSecret || !plain.statements.some((s) => s.sensitivity === "secret")) return plain;
    return await getEntity(services, origin, actor, id, { revealSecrets: true });
  } catch (error) {
    if (error instanceof NotFound) return null;
    throw error;
  }
}

/** The statements of a property as candidates, each as sensitive as its record, its path and itself. */
function candidates(view: EntityView, property: string, floor: Sensitivity): { statement: StatementView; candidate: Candidate }[] {
  const recordFloor = view.restricted ? higher(floor, "restricted") : floor;
  // A secret value that was not revealed stays a candidate (value null): it is noted as left out.
  return view.statements.filter((s) => s.property === property).map((statement) => ({ statement, candidate: { value: statement.value, sensitivity: higher(recordFloor, statement.sensitivity) } }));
}

function offerAll(sink: FactSink, fact: FactName, view: EntityView, property: string, floor: Sensitivity): void {
  for (const { candidate } of candidates(view, property, floor)) sink.offer(fact, candidate);
}

/** The name that suits the document's language best: one tagged in it, else the first. */
function preferLanguage(statements: StatementView[], language: UrgentLanguage): StatementView[] {
  const prefix = language === "zh" ? "zh" : language;
  const own = statements.filter((s) => s.lang?.toLowerCase().startsWith(prefix));
  return [...own, ...statements.filter((s) => !own.includes(s))];
}

/** Names of a linked record (a facility, an agency) as one fact; returns whether any went in. */
async function offerLinked(services: Services, origin: Origin, actor: Actor, sink: FactSink, fact: FactName, link: Candidate, choice: FactChoice, language: UrgentLanguage): Promise<boolean> {
  if (link.value === null || !sink.allows(link.sensitivity)) return sink.offer(fact, link);
  const view = await readRecord(services, origin, actor, link.value, choice);
  if (!view || view.archived) return false;
  for (const property of ["name", "full", "city"]) {
    const found = candidates(view, property, link.sensitivity);
    for (const statement of preferLanguage(found.map((f) => f.statement), language)) {
      if (sink.offer(fact, found.find((f) => f.statement === statement)!.candidate)) return true;
    }
  }
  return false;
}

/** The records of `schema` whose `detention` points at the detention: status changes, treatment reports. */
async function linkedIds(services: Services, actor: Actor, detentionId: string, schema: string): Promise<string[]> {
  const rows = await services.db
    .selectFrom("statements as s")
    .innerJoin("entities as e", "e.id", "s.entity_id")
    .select("e.id")
    .distinct()
    .where("s.property", "=", "detention")
    .where("s.value", "=", detentionId)
    .where("s.retracted_at", "is", null)
    .where("e.schema", "=", schema)
    .where("e.org_id", "=", actor.orgId)
    .where("e.archived_at", "is", null)
    .where(sql<boolean>`e.merged_into is null`)
    .execute();
  return rows.map((r) => r.id);
}

function firstValue(view: EntityView, property: string): StatementView | undefined {
  return view.statements.find((s) => s.property === property && s.value !== null);
}

/** Whether the record still points at the detention through a statement the actor may read. */
function pointsAt(view: EntityView, detentionId: string): Sensitivity | null {
  const link = view.statements.find((s) => s.property === "detention" && s.value === detentionId);
  return link ? link.sensitivity : null;
}

function byDay(a: { view: EntityView; day: string }, b: { view: EntityView; day: string }): number {
  return a.day.localeCompare(b.day) || a.view.createdAt.getTime() - b.view.createdAt.getTime() || a.view.id.localeCompare(b.view.id);
}

export async function readCaseFacts(services: Services, origin: Origin, actor: Actor, detentionId: string, choice: FactChoice, language: UrgentLanguage): Promise<CaseFacts> {
  const detention = await readRecord(services, origin, actor, detentionId, choice);
  if (!detention) throw new NotFound("no such detention");
  if (detention.schema !== "Detention") throw new Invalid("an urgent action is generated from a Detention record", { detention: "not a Detention record" });
  const sink = new FactSink(choice);
  const caseFloor: Sensitivity = detention.restricted ? "restricted" : "public";
  const tag = LANGUAGE_TAG[language];
  const vocabularies = await loadVocabularies(services.db, actor.orgId);

  // The person: their name in the document's language first, other names as aliases.
  for (const { candidate } of candidates(detention, "person", caseFloor)) {
    if (candidate.value === null || !sink.allows(candidate.sensitivity)) {
      sink.offer("person", candidate);
      continue;
    }
    const person = await readRecord(services, origin, actor, candidate.value, choice);
    if (!person || person.archived) continue;
    const names = candidates(person, "name", candidate.sensitivity);
    let primary = false;
    for (const statement of preferLanguage(names.map((n) => n.statement), language)) {
      const c = names.find((n) => n.statement === statement)!.candidate;
      if (!primary) primary = sink.offer("person", c);
      else sink.offer("person.aliases", c);
    }
    offerAll(sink, "person.aliases", person, "alias", candidate.sensitivity);
    if (primary) break;
  }
  offerAll(sink, "detention.date", detention, "startDate", caseFloor);
  if (!sink.values["detention.date"]) offerAll(sink, "detention.date", detention, "date", caseFloor);
  offerAll(sink, "detention.grounds", detention, "grounds", caseFloor);
  for (const { candidate } of candidates(detention, "facility", caseFloor)) {
    if (candidate && (await offerLinked(services, origin, actor, sink, "detention.place", candidate, choice, language))) break;
  }
  for (const { candidate } of candidates(detention, "agency", caseFloor)) {
    if (candidate && (await offerLinked(services, origin, actor, sink, "detention.agency", candidate, choice, language))) break;
  }

  // Status changes, oldest first by the earliest day their date may mean; undated ones first.
  const statuses: { view: EntityView; floor: Sensitivity; day: string }[] = [];
  for (const id of await linkedIds(services, actor, detention.id, "CustodyStatus")) {
    const view = await readRecord(services, origin, actor, id, choice);
    const link = view ? pointsAt(view, detention.id) : null;
    if (!view || link === null) continue;
    const date = firstValue(view, "date") ?? firstValue(view, "startDate");
    statuses.push({ view, floor: higher(caseFloor, link), day: date?.dateEarliest ?? "" });
  }
  statuses.sort(byDay);
  // The latest status the document may carry: a later one left out is noted, not silently skipped.
  for (const status of [...statuses].reverse()) {
    const code = candidates(status.view, "status", status.floor)[0]?.candidate;
    if (!code) continue;
    const term = code.value ? vocabularies.find("custody-statuses", code.value) : undefined;
    if (!sink.offer("status", { value: term ? termLabel(term, tag) : code.value, sensitivity: code.sensitivity })) continue;
    sink.offer("status.date", candidates(status.view, "date", status.floor)[0]?.candidate);
    break;
  }
  for (const status of [...statuses].reverse()) {
    const facility = candidates(status.view, "facility", status.floor)[0]?.candidate;
    if (facility && (await offerLinked(services, origin, actor, sink, "facility", facility, choice, language))) break;
  }
  if (!sink.values.facility && sink.values["detention.place"]) sink.values.facility = [...sink.values["detention.place"]];
  for (const status of [...statuses].reverse()) {
    const term = candidates(status.view, "term", status.floor)[0]?.candidate;
    if (!term || !sink.offer("sentence", term)) continue;
    sink.offer("sentence.court", candidates(status.view, "court", status.floor)[0]?.candidate);
    sink.offer("sentence.end", candidates(status.view, "sentenceEnd", status.floor)[0]?.candidate);
    break;
  }

  // Treatment reported, each kind once, oldest report first, in the document's language.
  const reports: { view: EntityView; floor: Sensitivity; day: string }[] = [];
  for (const id of await linkedIds(services, actor, detention.id, "TreatmentReport")) {
    const view = await readRecord(services, origin, actor, id, choice);
    const link = view ? pointsAt(view, detention.id) : null;
    if (!view || link === null) continue;
    reports.push({ view, floor: higher(caseFloor, link), day: firstValue(view, "date")?.dateEarliest ?? "" });
  }
  reports.sort(byDay);
  for (const { view, floor } of reports) {
    for (const { candidate } of candidates(view, "treatment", floor)) {
      const term = candidate.value ? vocabularies.find("treatment-types", candidate.value) : undefined;
      sink.offer("treatment", { value: term ? termLabel(term, tag) : candidate.value, sensitivity: candidate.sensitivity });
    }
  }

  return {
    detentionId: detention.id,
    restrictedCase: detention.restricted,
    values: sink.values,
    omitted: [...sink.omitted].map(([fact, sensitivity]) => ({ fact, sensitivity })),
    included: [...sink.included].map(([fact, sensitivity]) => ({ fact, sensitivity })),
  };
}
