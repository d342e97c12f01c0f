// The monitoring service: detentions and their course (status changes, proofs of life, treatment
// reports), each written as a record through the records service, so that history, sources,
// sensitivity and access lists apply to them as to any record. It checks what records cannot: the
// order of events, a release after a release, a proof of life from the future, two detentions of
// one person at once, a facility that is not one.
import { can, Conflict, Invalid, NotFound, parseEdtf, type Actor, type FieldErrors } from "../core/index.ts";
import type { Origin, Services } from "../context.ts";
import { requirePermission } from "../audit/index.ts";
import { parseInput } from "../accounts/index.ts";
import { createEntity, getEntity, inputOf, loadRecord, viewEntities, visibleTo, type EntityView, type StatementView } from "../records/index.ts";
import {
  DetentionCreateSchema, ProofOfLifeCreateSchema, StatusCreateSchema, TreatmentReportCreateSchema,
  type DetentionCreate, type ProofOfLifeCreate, type StatusCreate, type TreatmentReportCreate,
} from "./input.ts";
import { FACILITY_PLACE_TYPES, RELEASE_STATUSES, summariseDetention, type DatedValue, type DetentionSummary } from "./summary.ts";
import { dayOf } from "./silence-input.ts";

export type TimelineKind = "detained" | "status" | "proof-of-life" | "treatment";

export interface TimelineEntry {
  kind: TimelineKind;
  /** The record the entry is (the Detention itself for "detained"). */
  record: EntityView;
  /** The date as written (EDTF), and the days it can mean. */
  date: string | null;
  earliest: string | null;
  latest: string | null;
}

export interface DetentionView {
  detention: EntityView;
  /** What the timeline comes to, from the values this reader may read. */
  summary: DetentionSummary;
  statuses: EntityView[];
  proofsOfLife: EntityView[];
  treatmentReports: EntityView[];
  /** Every dated step, oldest first; undated ones last. */
  timeline: TimelineEntry[];
}

const anyRecords = (actor: Actor) => ({ kind: "records" as const, orgId: actor.orgId });

function first(entity: EntityView, property: string): StatementView | undefined {
  return entity.statements.find((s) => s.property === property && (s.value !== null || s.sealed));
}

function dated(s: StatementView | undefined): DatedValue | null {
  if (!s) return null;
  return { value: s.value, earliest: s.dateEarliest, latest: s.dateLatest, sensitive: s.sensitivity === "restricted" || s.sensitivity === "secret" };
}

function dateOf(entity: EntityView, properties: readonly string[]): Pick<TimelineEntry, "date" | "earliest" | "latest"> {
  for (const p of properties) {
    const s = first(entity, p);
    if (s?.value && s.dateEarliest) return { date: s.value, earliest: s.dateEarliest, latest: s.dateLatest };
  }
  return { date: null, earliest: null, latest: null };
}

/** The summary of a detention as this reader sees it: only from the records and values they may read. */
function summaryOf(detention: EntityView, statuses: EntityView[], proofs: EntityView[], personRestricted: boolean): DetentionSummary {
  return summariseDetention({
    restricted: detention.restricted,
    person: dated(first(detention, "person")),
    personRestricted,
    facility: dated(first(detention, "facility")),
    start: dated(first(detention, "startDate") ?? first(detention, "date")),
    silenceDays: dated(first(detention, "silenceDays")),
    statuses: statuses.map((s) => ({ id: s.id, restricted: s.restricted, createdAt: s.createdAt, status: dated(first(s, "status")), date: dated(first(s, "date") ?? first(s, "startDate")), facility: dated(first(s, "facility")), sentenceEnd: dated(first(s, "sentenceEnd")) })),
    proofs: proofs.map((p) => ({ id: p.id, restricted: p.restricted, date: dated(first(p, "date")) })),
  });
}

async function childrenOf(services: Services, actor: Actor, detentionIds: readonly string[]): Promise<Map<string, EntityView[]>> {
  const out = new Map<string, EntityView[]>();
  if (detentionIds.length === 0) return out;
  const rows = await services.db
    .selectFrom("statements as s")
    .innerJoin("entities as e", "e.id", "s.entity_id")
    .select(["s.entity_id", "s.ref_id"])
    .where("s.property", "=", "detention")
    .where("s.retracted_at", "is", null)
    .where("s.ref_id", "in", [...detentionIds])
    .where("e.schema", "in", ["CustodyStatus", "ProofOfLife", "TreatmentReport"])
    .where("e.archived_at", "is", null)
    .execute();
  // Only those the reader may know of, with the values they may read.
  const views = new Map((await viewEntities(services, actor, [...new Set(rows.map((r) => r.entity_id))])).map((v) => [v.id, v]));
  for (const r of rows) {
    const view = views.get(r.entity_id);
    if (!view) continue;
    const list = out.get(r.ref_id!) ?? out.set(r.ref_id!, []).get(r.ref_id!)!;
    if (!list.some((v) => v.id === view.id)) list.push(view);
  }
  return out;
}

async function restrictedAmong(services: Services, ids: readonly string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  return new Set((await services.db.selectFrom("entities").select("id").where("id", "in", [...ids]).where("restricted", "=", true).execute()).map((r) => r.id));
}

/** Views of detentions the reader already holds, with their course. */
async function viewsOf(services: Services, actor: Actor, detentions: readonly EntityView[]): Promise<DetentionView[]> {
  const children = await childrenOf(services, actor, detentions.map((d) => d.id));
  const restricted = await restrictedAmong(services, detentions.map((d) => first(d, "person")?.value).filter((v): v is string => !!v));
  return detentions.map((detention) => {
    const mine = children.get(detention.id) ?? [];
    const of = (schema: string) => mine.filter((c) => c.schema === schema);
    const statuses = of("CustodyStatus");
    const proofsOfLife = of("ProofOfLife");
    const treatmentReports = of("TreatmentReport");
    const timeline: TimelineEntry[] = [
      { kind: "detained", record: detention, ...dateOf(detention, ["startDate", "date"]) },
      ...statuses.map((record) => ({ kind: "status" as const, record, ...dateOf(record, ["date", "startDate"]) })),
      ...proofsOfLife.map((record) => ({ kind: "proof-of-life" as const, record, ...dateOf(record, ["date"]) })),
      ...treatmentReports.map((record) => ({ kind: "treatment" as const, record, ...dateOf(record, ["date", "startDate"]) })),
    ];
    const rank: Record<TimelineKind, number> = { detained: 0, status: 1, treatment: 2, "proof-of-life": 3 };
    timeline.sort(
      (a, b) =>
        (a.earliest === null ? 1 : 0) - (b.earliest === null ? 1 : 0) ||
        (a.earliest ?? "").localeCompare(b.earliest ?? "") ||
        (a.latest ?? "").localeCompare(b.latest ?? "") ||
        rank[a.kind] - rank[b.kind] ||
        a.record.createdAt.getTime() - b.record.createdAt.getTime(),
    );
    const personId = first(detention, "person")?.value ?? null;
    return { detention, summary: summaryOf(detention, statuses, proofsOfLife, personId !== null && restricted.has(personId)), statuses, proofsOfLife, treatmentReports, timeline };
  });
}

async function requireReading(services: Services, origin: Origin, actor: Actor): Promise<void> {
  await requirePermission(services, origin, can(actor, "record.view", { kind: "record", orgId: actor.orgId, restricted: false, onAccessList: false }), actor, "record.view", { type: "entity", id: null });
}

async function requireWriting(services: Services, origin: Origin, actor: Actor): Promise<void> {
  await requirePermission(services, origin, can(actor, "record.create", anyRecords(actor)), actor, "record.create", { type: "entity", id: null });
}

/** A detention and its whole course, as the reader may see it. */
export async function getDetention(services: Services, origin: Origin, actor: Actor, id: string): Promise<DetentionView> {
  await requireReading(services, origin, actor);
  const detention = await getEntity(services, origin, actor, id);
  if (detention.schema !== "Detention") throw new NotFound("no such detention");
  return (await viewsOf(services, actor, [detention]))[0]!;
}

/** A person's detentions (archived ones left out), the latest first, each with its course. */
export async function personDetentions(services: Services, origin: Origin, actor: Actor, personId: string): Promise<DetentionView[]> {
  await requireReading(services, origin, actor);
  const person = await loadRecord(services, actor, personId);
  if (person.row.schema !== "Person") throw new NotFound("no such person");
  const rows = await services.db
    .selectFrom("statements as s")
    .innerJoin("entities as e", "e.id", "s.entity_id")
    .select("s.entity_id")
    .distinct()
    .where("s.ref_id", "=", person.row.id)
    .where("s.property", "=", "person")
    .where("s.retracted_at", "is", null)
    .where("e.schema", "=", "Detention")
    .execute();
  const detentions = await viewEntities(services, actor, rows.map((r) => r.entity_id));
  const views = await viewsOf(services, actor, detentions);
  return views.sort((a, b) => (b.summary.startedEarliest ?? "").localeCompare(a.summary.startedEarliest ?? "") || b.detention.createdAt.getTime() - a.detention.createdAt.getTime());
}

/** Views of the detentions among `ids` the reader may know of (for the facility registry). */
export async function detentionViews(services: Services, actor: Actor, ids: readonly string[]): Promise<DetentionView[]> {
  return viewsOf(services, actor, await viewEntities(services, actor, ids));
}

// ---------------------------------------------------------------------------------------------
// Writing

async function loadDetention(services: Services, origin: Origin, actor: Actor, id: string): Promise<DetentionView> {
  const view = await getDetention(services, origin, actor, id);
  if (view.detention.archived) throw new Conflict("the detention is archived: restore it before adding to it");
  return view;
}

/** Why `id` cannot be a facility, or null when it is a live facility the actor may see. */
async function facilityProblem(services: Services, actor: Actor, id: string): Promise<string | null> {
  const [place] = await viewEntities(services, actor, [id]);
  if (!place) return "no such facility";
  if (place.schema !== "Address") return `must be a facility (a place), not a ${place.schema}`;
  const types = place.properties.placeType ?? [];
  if (!types.some((t) => FACILITY_PLACE_TYPES.includes(t))) return "this place is not a facility: give it a detention place type (detention facility, internment camp, prison, police station) first";
  return null;
}


function bounds(value: string): { earliest: string; latest: string } {
  const parsed = parseEdtf(value);
  if (!parsed.ok) throw new Invalid(parsed.error);
  return parsed.value;
}

function checkAfterStart(view: DetentionView, date: string, field: string, errors: FieldErrors): void {
  const start = view.summary.startedEarliest;
  if (start && bounds(date).latest < start) errors[field] = `is before the detention began (${view.timeline.find((e) => e.kind === "detained")?.date ?? start})`;
}

function checkNotFuture(services: Services, date: string, field: string, errors: FieldErrors): void {
  if (bounds(date).earliest > dayOf(services.now())) errors[field] = `is in the future: today is ${dayOf(services.now())}`;
}

function fail(errors: FieldErrors): void {
  if (Object.keys(errors).length > 0) throw new Invalid(Object.values(errors)[0]!, errors);
}

/** A value with its source and sensitivity, in the records' input shape. */
function value(v: string, source: string | undefined, sensitivity: string | undefined) {
  return { value: v, ...(source ? { source } : {}), ...(sensitivity ? { sensitivity } : {}) };
}

/**
 * Creates a record through the records service, reporting its field errors by this service's
 * field names (properties.status.0 → status, properties.date.0.source → source).
 */
async function createRecord(services: Services, origin: Origin, actor: Actor, input: { schema: string; properties: Record<string, unknown[]>; restricted?: boolean | undefined; reason?: string | undefined }): Promise<EntityView> {
  try {
    return await createEntity(services, origin, actor, { schema: input.schema, properties: input.properties, ...(input.restricted !== undefined ? { restricted: input.restricted } : {}), ...(input.reason ? { reason: input.reason } : {}) });
  } catch (error) {
    if (!(error instanceof Invalid)) throw error;
    const fields: FieldErrors = {};
    for (const [path, message] of Object.entries(error.fields)) {
      const m = /^properties\.([A-Za-z]+)(?:\.\d+)?(\.source)?$/.exec(path);
      fields[m ? (m[2] ? "source" : m[1]!) : path] ??= message.replace(/^[a-zA-Z]+: /, "");
    }
    throw new Invalid(error.message, fields);
  }
}

async function overlapping(services: Services, actor: Actor, personId: string, start: { earliest: string; latest: string }): Promise<string | null> {
  // Detentions of the person the actor may know of; an ended one overlaps when the new start falls inside it.
  const rows = await services.db
    .selectFrom("monitor_detentions as m")
    .innerJoin("entities as e", "e.id", "m.detention_id")
    .select(["m.detention_id", "m.ongoing", "m.started_earliest", "m.status_latest"])
    .where(visibleTo(actor))
    .where("m.person_id", "=", personId)
    .where("m.archived", "=", false)
    .execute();
  for (const r of rows) {
    if (r.ongoing) return `the person is already recorded as detained (since ${r.started_earliest ?? "an unknown date"}, detention ${r.detention_id}): confirm to record a second, overlapping detention`;
    if (r.started_earliest && r.status_latest && r.started_earliest <= start.latest && start.earliest <= r.status_latest) {
      return `overlaps the detention ${r.detention_id} (${r.started_earliest} to ${r.status_latest}): confirm to record it anyway`;
    }
  }
  return null;
}

/** Records that a person was detained: a Detention record, checked for an overlapping detention. */
export async function recordDetention(services: Services, origin: Origin, actor: Actor, raw: unknown): Promise<DetentionView> {
  await requireWriting(services, origin, actor);
  const input: DetentionCreate = parseInput(DetentionCreateSchema, await inputOf(raw));
  const errors: FieldErrors = {};
  const [person] = await viewEntities(services, actor, [input.person]);
  if (!person) errors.person = "no such person";
  else if (person.schema !== "Person") errors.person = `must be a Person record, not a ${person.schema}`;
  if (input.facility) {
    const problem = await facilityProblem(services, actor, input.facility);
    if (problem) errors.facility = problem;
  }
  checkNotFuture(services, input.startDate, "startDate", errors);
  if (!errors.person && !input.confirmOverlap) {
    const overlap = await overlapping(services, actor, input.person, bounds(input.startDate));
    if (overlap) errors.confirmOverlap = overlap;
  }
  fail(errors);
  const v = (x: string) => value(x, input.source, input.sensitivity);
  const properties: Record<string, unknown[]> = { person: [v(input.person)], startDate: [v(input.startDate)] };
  if (input.facility) properties.facility = [v(input.facility)];
  if (input.agency) properties.agency = [v(input.agency)];
  if (input.officials?.length) properties.officials = input.officials.map(v);
  if (input.grounds) properties.grounds = [v(input.grounds)];
  if (input.name) properties.name = [v(input.name)];
  if (input.silenceDays !== undefined) properties.silenceDays = [v(String(input.silenceDays))];
  const created = await createRecord(services, origin, actor, { schema: "Detention", properties, restricted: input.restricted, reason: input.reason ?? "detention recorded" });
  return getDetention(services, origin, actor, created.id);
}

/** Adds a status change (cited) to a detention. */
export async function addStatusChange(services: Services, origin: Origin, actor: Actor, detentionId: string, raw: unknown): Promise<DetentionView> {
  await requireWriting(services, origin, actor);
  const view = await loadDetention(services, origin, actor, detentionId);
  const input: StatusCreate = parseInput(StatusCreateSchema, await inputOf(raw));
  const errors: FieldErrors = {};
  checkAfterStart(view, input.date, "date", errors);
  checkNotFuture(services, input.date, "date", errors);
  if (RELEASE_STATUSES.includes(input.status) && view.summary.status && RELEASE_STATUSES.includes(view.summary.status)) {
    errors.status = `the person is already recorded as released (${view.summary.statusEarliest ?? "undated"}): if they were taken again, record a new detention`;
  }
  if (input.facility) {
    const problem = await facilityProblem(services, actor, input.facility);
    if (problem) errors.facility = problem;
  }
  if (input.sentenceEnd && bounds(input.sentenceEnd).latest < bounds(input.date).earliest) errors.sentenceEnd = "ends before the status change";
  fail(errors);
  const v = (x: string) => value(x, input.source, input.sensitivity);
  const properties: Record<string, unknown[]> = { detention: [v(view.detention.id)], status: [v(input.status)], date: [v(input.date)] };
  if (input.facility) properties.facility = [v(input.facility)];
  if (input.court) properties.court = [v(input.court)];
  if (input.term) properties.term = [v(input.term)];
  if (input.sentenceEnd) properties.sentenceEnd = [v(input.sentenceEnd)];
  if (input.description) properties.description = [v(input.description)];
  await createRecord(services, origin, actor, { schema: "CustodyStatus", properties, restricted: input.restricted, reason: input.reason ?? "status change recorded" });
  return getDetention(services, origin, actor, view.detention.id);
}

/** Adds a proof of life (cited, not from the future) to a detention. */
export async function addProofOfLife(services: Services, origin: Origin, actor: Actor, detentionId: string, raw: unknown): Promise<DetentionView> {
  await requireWriting(services, origin, actor);
  const view = await loadDetention(services, origin, actor, detentionId);
  const input: ProofOfLifeCreate = parseInput(ProofOfLifeCreateSchema, await inputOf(raw));
  const errors: FieldErrors = {};
  checkNotFuture(services, input.date, "date", errors);
  checkAfterStart(view, input.date, "date", errors);
  fail(errors);
  const v = (x: string) => value(x, input.source, input.sensitivity);
  const properties: Record<string, unknown[]> = { detention: [v(view.detention.id)], date: [v(input.date)] };
  if (input.kind) properties.kind = [v(input.kind)];
  if (input.reporter) properties.reporter = [value(input.reporter, input.source, input.reporterSensitivity ?? input.sensitivity)];
  if (input.reliability) properties.reliability = [v(input.reliability)];
  if (input.description) properties.description = [v(input.description)];
  await createRecord(services, origin, actor, { schema: "ProofOfLife", properties, restricted: input.restricted, reason: input.reason ?? "proof of life recorded" });
  return getDetention(services, origin, actor, view.detention.id);
}

/** Adds a treatment report (cited) to a detention. */
export async function addTreatmentReport(services: Services, origin: Origin, actor: Actor, detentionId: string, raw: unknown): Promise<DetentionView> {
  await requireWriting(services, origin, actor);
  const view = await loadDetention(services, origin, actor, detentionId);
  const input: TreatmentReportCreate = parseInput(TreatmentReportCreateSchema, await inputOf(raw));
  const errors: FieldErrors = {};
  if (input.date) {
    checkNotFuture(services, input.date, "date", errors);
    checkAfterStart(view, input.date, "date", errors);
  }
  fail(errors);
  const v = (x: string) => value(x, input.source, input.sensitivity);
  const properties: Record<string, unknown[]> = { detention: [v(view.detention.id)], treatment: [v(input.treatment)] };
  if (input.date) properties.date = [v(input.date)];
  if (input.description) properties.description = [v(input.description)];
  await createRecord(services, origin, actor, { schema: "TreatmentReport", properties, restricted: input.restricted, reason: input.reason ?? "treatment report recorded" });
  return getDetention(services, origin, actor, view.detention.id);
}
