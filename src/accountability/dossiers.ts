// Referral dossiers: a submission draft for a government's targeted-sanctions programme (Global
// Magnitsky style) about an official or a company, and its tracking: drafted, edited, submitted
// to whom and when, the outcome, closed. What the author writes is stored (`fields`); the acts,
// exhibits and sources are read from the records at each export, as the reader may see them.
import { randomBytes, randomUUID } from "node:crypto";
import { z } from "zod";
import { sql, type Selectable } from "kysely";
import { can, Conflict, Invalid, NotFound, type Actor } from "../core/index.ts";
import type { Origin, Services, Tx } from "../context.ts";
import type { ReferralDossiersTable } from "../db/index.ts";
import { recordAudit, requirePermission } from "../audit/index.ts";
import { parseInput } from "../accounts/index.ts";
import { inputOf, loadRecord, visibleTo, type LoadedRecord } from "../records/index.ts";
import { UNIT_SCHEMATA } from "./units.ts";

export const DOSSIER_STATUSES = ["draft", "submitted", "decided", "closed"] as const;
export type DossierStatus = (typeof DOSSIER_STATUSES)[number];
export const DOSSIER_OUTCOMES = ["designated", "under-review", "declined", "no-response", "other"] as const;
export type DossierOutcome = (typeof DOSSIER_OUTCOMES)[number];

const line = (max: number) => z.string().trim().max(max, `at most ${max} characters`);

const FieldShapes = {
  title: line(300).min(1, "give the dossier a title"),
  /** The programme the referral is made under, e.g. "US Global Magnitsky (E.O. 13818)". */
  programme: line(300),
  /** The government office it is written for. */
  recipient: line(300),
  summary: line(20_000),
  /** The measures asked for, one per line: asset freeze, visa ban… */
  requestedMeasures: z.array(line(1000).min(1, "is empty")).max(30, "at most 30 measures"),
  notes: line(20_000),
  /** Acts (Incident or Detention ids) the author leaves out of the document. */
  excludedActs: z.array(z.uuid("the id of an incident or detention")).max(2000),
  /** Whether restricted records and values the author may read go into a document meant to leave Vigil. */
  includeRestricted: z.boolean(),
};

/** What the author writes: every field editable, each edit kept in the dossier's history. */
export const DossierFieldsSchema = z.strictObject({
  ...FieldShapes,
  programme: FieldShapes.programme.default(""),
  recipient: FieldShapes.recipient.default(""),
  summary: FieldShapes.summary.default(""),
  requestedMeasures: FieldShapes.requestedMeasures.default([]),
  notes: FieldShapes.notes.default(""),
  excludedActs: FieldShapes.excludedActs.default([]),
  includeRestricted: FieldShapes.includeRestricted.default(false),
});
export type DossierFields = z.infer<typeof DossierFieldsSchema>;

/** Some of the fields, none filled in by default: what a creation or an edit gives. */
export const DossierFieldsInputSchema = z.strictObject(FieldShapes).partial();

export const DossierCreateSchema = z.strictObject({
  subject: z.uuid("the id of a person or an organisation"),
  fields: DossierFieldsInputSchema.default({}),
});

export const DossierUpdateSchema = z.strictObject({
  revision: z.number().int().min(1),
  fields: DossierFieldsInputSchema,
  reason: line(2000).default(""),
});

const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "a date as YYYY-MM-DD").refine((v) => !Number.isNaN(Date.parse(`${v}T00:00:00Z`)) && new Date(`${v}T00:00:00Z`).toISOString().startsWith(v), "not a real date");

export const DossierEventSchema = z.discriminatedUnion(
  "kind",
  [
    z.strictObject({ kind: z.literal("submitted"), recipient: line(300).min(1, "say to whom it was submitted"), date: day, summary: line(4000).default("") }),
    z.strictObject({ kind: z.literal("outcome"), outcome: z.enum(DOSSIER_OUTCOMES, `one of ${DOSSIER_OUTCOMES.join(", ")}`), date: day, recipient: line(300).default(""), summary: line(4000).default("") }),
    z.strictObject({ kind: z.literal("status"), status: z.enum(DOSSIER_STATUSES, `one of ${DOSSIER_STATUSES.join(", ")}`), summary: line(2000).min(1, "say why") }),
  ],
  "kind is one of submitted, outcome, status",
);

export const DossierListSchema = z.strictObject({
  subject: z.uuid().optional(),
  status: z.enum(DOSSIER_STATUSES).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

export interface DossierEventView {
  id: string;
  kind: "drafted" | "edited" | "submitted" | "outcome" | "status" | "exported";
  recipient: string;
  date: string | null;
  outcome: string | null;
  summary: string;
  details: Record<string, unknown>;
  statusFrom: string | null;
  statusTo: string | null;
  actorId: string | null;
  actorName: string | null;
  createdAt: Date;
}

export interface DossierView {
  id: string;
  reference: string;
  subjectId: string;
  subjectSchema: string;
  status: DossierStatus;
  fields: DossierFields;
  revision: number;
  createdBy: string | null;
  createdAt: Date;
  updatedAt: Date;
  /** Oldest first. */
  events: DossierEventView[];
}

export interface DossierSummary {
  id: string;
  reference: string;
  subjectId: string;
  title: string;
  status: DossierStatus;
  updatedAt: Date;
}

const anyAccountability = (actor: Actor) => ({ kind: "accountability" as const, orgId: actor.orgId });

export async function requireDossierAction(services: Services, origin: Origin, actor: Actor, action: "dossier.view" | "dossier.write" | "dossier.track" | "dossier.export", id: string | null): Promise<void> {
  await requirePermission(services, origin, can(actor, action, anyAccountability(actor)), actor, action, { type: "referral-dossier", id });
}

function isSubjectSchema(schema: string): boolean {
  return schema === "Person" || UNIT_SCHEMATA.includes(schema);
}

/** D- and eight characters of an alphabet without look-alikes: how staff and recipients name it. */
function newReference(): string {
  const alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
  return `D-${[...randomBytes(8)].map((b) => alphabet[b % alphabet.length]).join("")}`;
}

/** A dossier the actor may know of: its subject must be a record they may know of (a restricted subject's dossiers are as need-to-know as it). */
export async function loadDossier(services: Services, actor: Actor, id: string, db: Tx = services.db): Promise<{ row: Selectable<ReferralDossiersTable>; subject: LoadedRecord }> {
  const row = /^[0-9a-f-]{36}$/.test(id) ? await db.selectFrom("referral_dossiers").selectAll().where("id", "=", id).where("org_id", "=", actor.orgId).executeTakeFirst() : undefined;
  if (!row) throw new NotFound("no such dossier");
  try {
    return { row, subject: await loadRecord(services, actor, row.subject_id, db) };
  } catch (error) {
    if (error instanceof NotFound) throw new NotFound("no such dossier");
    throw error;
  }
}

async function eventsOf(db: Tx, dossierId: string): Promise<DossierEventView[]> {
  const rows = await db
    .selectFrom("referral_events as ev")
    .leftJoin("users as u", "u.id", "ev.actor_id")
    .selectAll("ev")
    .select("u.name as actor_name")
    .where("ev.dossier_id", "=", dossierId)
    .orderBy("ev.seq")
    .execute();
  return rows.map((r) => ({
    id: r.id,
    kind: r.kind,
    recipient: r.recipient,
    date: r.occurred_on,
    outcome: r.outcome,
    summary: r.summary,
    details: (r.details ?? {}) as Record<string, unknown>,
    statusFrom: r.status_from,
    statusTo: r.status_to,
    actorId: r.actor_id,
    actorName: r.actor_name,
    createdAt: r.created_at,
  }));
}

function viewOf(row: Selectable<ReferralDossiersTable>, subjectSchema: string, events: DossierEventView[]): DossierView {
  return {
    id: row.id,
    reference: row.reference,
    subjectId: row.subject_id,
    subjectSchema,
    status: row.status,
    fields: DossierFieldsSchema.parse(row.fields),
    revision: row.revision,
    createdBy: row.created_by,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    events,
  };
}

export async function getDossier(services: Services, origin: Origin, actor: Actor, id: string): Promise<DossierView> {
  await requireDossierAction(services, origin, actor, "dossier.view", id);
  const { row, subject } = await loadDossier(services, actor, id);
  return viewOf(row, subject.row.schema, await eventsOf(services.db, row.id));
}

export async function listDossiers(services: Services, origin: Origin, actor: Actor, raw: unknown): Promise<DossierSummary[]> {
  await requireDossierAction(services, origin, actor, "dossier.view", null);
  const filter = parseInput(DossierListSchema, raw);
  let query = services.db
    .selectFrom("referral_dossiers as d")
    .innerJoin("entities as e", "e.id", "d.subject_id")
    .select(["d.id", "d.reference", "d.subject_id", "d.status", "d.updated_at", "d.fields"])
    .where("d.org_id", "=", actor.orgId)
    .where(visibleTo(actor));
  if (filter.subject) query = query.where("d.subject_id", "=", filter.subject);
  if (filter.status) query = query.where("d.status", "=", filter.status);
  const rows = await query.orderBy("d.updated_at", "desc").orderBy("d.id").limit(filter.limit).execute();
  return rows.map((r) => ({ id: r.id, reference: r.reference, subjectId: r.subject_id, title: (r.fields as DossierFields).title, status: r.status, updatedAt: r.updated_at }));
}

/** Drafts a dossier about a person or an organisation (administrators and editors). */
export async function createDossier(services: Services, origin: Origin, actor: Actor, raw: unknown, defaultTitle?: (subject: LoadedRecord) => Promise<string>): Promise<DossierView> {
  await requireDossierAction(services, origin, actor, "dossier.write", null);
  const input = parseInput(DossierCreateSchema, await inputOf(raw));
  let subject: LoadedRecord;
  try {
    subject = await loadRecord(services, actor, input.subject);
  } catch (error) {
    if (error instanceof NotFound) throw new Invalid("no such person or organisation", { subject: "no such person or organisation" });
    throw error;
  }
  if (!isSubjectSchema(subject.row.schema)) throw new Invalid(`a dossier is about a person or an organisation, not a ${subject.row.schema}`, { subject: "must be a person or an organisation" });
  const title = input.fields.title ?? (defaultTitle ? await defaultTitle(subject) : "Referral");
  const fields = parseInput(DossierFieldsSchema, { ...input.fields, title });
  const id = randomUUID();
  const now = services.now();
  await services.db.transaction().execute(async (tx) => {
    await tx.insertInto("referral_dossiers").values({ id, org_id: actor.orgId, subject_id: subject.row.id, reference: newReference(), status: "draft", fields: JSON.stringify(fields), created_by: actor.userId, created_at: now, updated_at: now }).execute();
    await tx.insertInto("referral_events").values({ id: randomUUID(), dossier_id: id, kind: "drafted", details: JSON.stringify({ fields }), status_to: "draft", actor_id: actor.userId, created_at: now }).execute();
    await recordAudit(tx, origin, { orgId: actor.orgId, actorId: actor.userId, action: "dossier.create", targetType: "referral-dossier", targetId: id, details: { subject: subject.row.id } });
  });
  return getDossier(services, origin, actor, id);
}

/** Edits the author's fields from the revision the caller read; every edit is kept in the history. */
export async function updateDossier(services: Services, origin: Origin, actor: Actor, id: string, raw: unknown): Promise<DossierView> {
  await requireDossierAction(services, origin, actor, "dossier.write", id);
  const { row } = await loadDossier(services, actor, id);
  const input = parseInput(DossierUpdateSchema, await inputOf(raw));
  if (row.status === "closed") throw new Conflict("the dossier is closed: reopen it to edit it");
  const fields = parseInput(DossierFieldsSchema, { ...(row.fields as DossierFields), ...input.fields });
  const now = services.now();
  await services.db.transaction().execute(async (tx) => {
    const moved = await tx
      .updateTable("referral_dossiers")
      .set({ fields: JSON.stringify(fields), revision: sql<number>`revision + 1`, updated_at: now })
      .where("id", "=", row.id)
      .where("revision", "=", input.revision)
      .returning("revision")
      .executeTakeFirst();
    if (!moved) throw new Conflict(`the dossier is at revision ${row.revision}, not ${input.revision}: someone changed it since you opened it; reload it and apply your change again`);
    await tx.insertInto("referral_events").values({ id: randomUUID(), dossier_id: row.id, kind: "edited", summary: input.reason, details: JSON.stringify({ revision: moved.revision, fields }), actor_id: actor.userId, created_at: now }).execute();
    await recordAudit(tx, origin, { orgId: actor.orgId, actorId: actor.userId, action: "dossier.edit", targetType: "referral-dossier", targetId: row.id, details: { revision: moved.revision } });
  });
  return getDossier(services, origin, actor, row.id);
}

/** Records a submission (to whom, when), an outcome, or a change of status. */
export async function trackDossier(services: Services, origin: Origin, actor: Actor, id: string, raw: unknown): Promise<DossierView> {
  await requireDossierAction(services, origin, actor, "dossier.track", id);
  const { row } = await loadDossier(services, actor, id);
  const input = parseInput(DossierEventSchema, await inputOf(raw));
  const today = services.now().toISOString().slice(0, 10);
  if (input.kind !== "status" && input.date > today) throw new Invalid("the date is in the future", { date: "is in the future" });
  await services.db.transaction().execute(async (tx) => {
    const current = await tx.selectFrom("referral_dossiers").select("status").where("id", "=", row.id).forUpdate().executeTakeFirstOrThrow();
    const submissions = await tx.selectFrom("referral_events").select("id").where("dossier_id", "=", row.id).where("kind", "=", "submitted").execute();
    let next: DossierStatus;
    if (input.kind === "status") {
      if (input.status === current.status) throw new Conflict(`the dossier is already ${input.status}`);
      if (input.status === "draft" && submissions.length > 0) throw new Invalid("the dossier has been submitted: it is no longer a draft", { status: "it has been submitted" });
      if ((input.status === "submitted" || input.status === "decided") && submissions.length === 0) throw new Invalid("record the submission first", { status: "nothing has been submitted yet" });
      next = input.status;
    } else {
      if (current.status === "closed") throw new Conflict("the dossier is closed: reopen it to record more");
      if (input.kind === "outcome" && submissions.length === 0) throw new Invalid("record the submission first", { kind: "nothing has been submitted yet" });
      next = input.kind === "submitted" ? (current.status === "draft" ? "submitted" : current.status) : "decided";
    }
    const eventId = randomUUID();
    await tx
      .insertInto("referral_events")
      .values({
        id: eventId,
        dossier_id: row.id,
        kind: input.kind,
        recipient: input.kind === "status" ? "" : input.recipient,
        occurred_on: input.kind === "status" ? today : input.date,
        outcome: input.kind === "outcome" ? input.outcome : null,
        summary: input.summary,
        status_from: next !== current.status ? current.status : null,
        status_to: next !== current.status ? next : null,
        actor_id: actor.userId,
        created_at: services.now(),
      })
      .execute();
    await tx.updateTable("referral_dossiers").set({ status: next, updated_at: services.now() }).where("id", "=", row.id).execute();
    await recordAudit(tx, origin, { orgId: actor.orgId, actorId: actor.userId, action: `dossier.${input.kind}`, targetType: "referral-dossier", targetId: row.id, details: { event: eventId, status: next } });
  });
  return getDossier(services, origin, actor, row.id);
}

/** Logs an export (the PDF, the editable document, the package) in the dossier's history and the audit trail. */
export async function logDossierExport(tx: Tx, services: Services, origin: Origin, actor: Actor, dossierId: string, details: { format: string; acts: number; exhibits: number; includesRestricted: boolean; evidence?: string[] }): Promise<void> {
  await tx.insertInto("referral_events").values({ id: randomUUID(), dossier_id: dossierId, kind: "exported", details: JSON.stringify(details), actor_id: actor.userId, created_at: services.now() }).execute();
  await recordAudit(tx, origin, { orgId: actor.orgId, actorId: actor.userId, action: "dossier.export", targetType: "referral-dossier", targetId: dossierId, details: { format: details.format, acts: details.acts, exhibits: details.exhibits, includesRestricted: details.includesRestricted } });
}
