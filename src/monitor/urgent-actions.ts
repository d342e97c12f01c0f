// Urgent actions: generated from a detention in a chosen language, to chosen addressees, from the
// organisation's template; every generation kept as a version; and the log of what was done with
// them (letters and emails sent, responses received, status).
import { randomUUID } from "node:crypto";
import { z } from "zod";
import { can, Conflict, Invalid, NotFound, type Actor, type FieldErrors, type Subject } from "../core/index.ts";
import type { Origin, Services, Tx } from "../context.ts";
import type { UrgentActionsTable } from "../db/index.ts";
import type { Selectable } from "kysely";
import { recordAudit, requirePermission } from "../audit/index.ts";
import { parseInput } from "../accounts/index.ts";
import { loadRecord, visibleTo, type LoadedRecord } from "../records/index.ts";
import { addresseeView, findAddressees, readInput } from "./urgent-addressees.ts";
import { readCaseFacts, type FactNote } from "./urgent-facts.ts";
import { currentTemplate } from "./urgent-template-store.ts";
import { DEFAULT_SALUTATION, fillText, LANGUAGE_TAG, renderBlocks, URGENT_LANGUAGES, type UrgentLanguage, type Values } from "./urgent-templates.ts";
import type { AddresseeSnapshot, UrgentDocument } from "./urgent-document.ts";
import { dayOf } from "./silence-input.ts";

export const URGENT_STATUSES = ["draft", "sent", "responded", "closed"] as const;
export type UrgentStatus = (typeof URGENT_STATUSES)[number];
export const URGENT_CHANNELS = ["letter", "email", "fax", "in-person", "other"] as const;

const line = z.string().trim().min(1, "is empty").max(2000, "at most 2000 characters");

const VersionFields = {
  language: z.enum(URGENT_LANGUAGES, "one of en, ug, zh"),
  addressees: z.array(z.uuid("the id of an addressee")).max(50, "at most 50 addressees").default([]),
  /** The concerns and requests for this action; the template's defaults when not given. */
  concerns: z.array(line).max(30, "at most 30 lines").optional(),
  requests: z.array(line).max(30, "at most 30 lines").optional(),
  salutation: z.string().trim().max(300, "at most 300 characters").optional(),
  /** The author's explicit choice to put restricted or secret values in a document meant to leave Vigil. */
  includeRestricted: z.boolean().default(false),
  includeSecret: z.boolean().default(false),
};

export const UrgentGenerateSchema = z.strictObject({ detention: z.uuid("the id of a Detention record"), ...VersionFields });
export const UrgentRegenerateSchema = z.strictObject(VersionFields);

const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "a date as YYYY-MM-DD").refine((v) => !Number.isNaN(Date.parse(`${v}T00:00:00Z`)) && new Date(`${v}T00:00:00Z`).toISOString().startsWith(v), "not a real date");

export const UrgentEventSchema = z.discriminatedUnion(
  "kind",
  [
    z.strictObject({
      kind: z.literal("sent"),
      addressee: z.uuid("the id of an addressee"),
      channel: z.enum(URGENT_CHANNELS, "one of letter, email, fax, in-person, other"),
      date: day,
      summary: z.string().trim().max(2000, "at most 2000 characters").default(""),
    }),
    z.strictObject({
      kind: z.literal("response"),
      addressee: z.uuid("the id of an addressee").optional(),
      date: day,
      summary: z.string().trim().min(1, "say what the response said").max(4000, "at most 4000 characters"),
      evidenceUrl: z.url({ protocol: /^https?$/, error: "an http or https address" }).max(4096).optional(),
    }),
    z.strictObject({
      kind: z.literal("status"),
      status: z.enum(URGENT_STATUSES, "one of draft, sent, responded, closed"),
      summary: z.string().trim().max(2000, "at most 2000 characters").default(""),
    }),
  ],
  "kind is one of sent, response, status",
);

export const UrgentListSchema = z.strictObject({
  detention: z.uuid().optional(),
  status: z.enum(URGENT_STATUSES).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

export interface VersionSummary {
  version: number;
  language: UrgentLanguage;
  createdAt: Date;
  createdBy: string | null;
  includesRestricted: boolean;
  includesSecret: boolean;
}

export interface VersionView extends VersionSummary {
  templateVersion: number;
  addressees: string[];
  document: UrgentDocument;
}

export interface UrgentEventView {
  id: string;
  kind: "sent" | "response" | "status";
  addressee: { id: string; name: string } | null;
  channel: string | null;
  date: string | null;
  summary: string;
  evidenceUrl: string | null;
  statusFrom: string | null;
  statusTo: string | null;
  actorId: string | null;
  actorName: string | null;
  createdAt: Date;
}

export interface UrgentActionView {
  id: string;
  detentionId: string;
  status: UrgentStatus;
  createdAt: Date;
  updatedAt: Date;
  createdBy: string | null;
  latestVersion: number;
  versions: VersionSummary[];
  /** The version asked for, the latest by default. */
  version: VersionView;
  events: UrgentEventView[];
}

export interface UrgentActionSummary {
  id: string;
  detentionId: string;
  status: UrgentStatus;
  subject: string;
  language: UrgentLanguage;
  latestVersion: number;
  updatedAt: Date;
}

type ActionRow = Selectable<UrgentActionsTable>;

function anyCase(actor: Actor): Subject {
  return { kind: "record", orgId: actor.orgId, restricted: false, onAccessList: false };
}

/** The action and its detention, if the actor may know of both: otherwise not found, never "forbidden". */
async function loadAction(services: Services, actor: Actor, id: string, db: Tx = services.db): Promise<{ row: ActionRow; detention: LoadedRecord }> {
  const row = /^[0-9a-f-]{36}$/.test(id) ? await db.selectFrom("urgent_actions").selectAll().where("id", "=", id).where("org_id", "=", actor.orgId).executeTakeFirst() : undefined;
  if (!row) throw new NotFound("no such urgent action");
  let detention: LoadedRecord;
  try {
    detention = await loadRecord(services, actor, row.detention_id, db);
  } catch (error) {
    if (error instanceof NotFound) throw new NotFound("no such urgent action");
    throw error;
  }
  if (!can(actor, "urgent.view", detention.subject)) throw new NotFound("no such urgent action");
  return { row, detention };
}

async function requireOnCase(services: Services, origin: Origin, actor: Actor, action: "urgent.create" | "urgent.track", detention: LoadedRecord, targetId: string | null): Promise<void> {
  await requirePermission(services, origin, can(actor, action, detention.subject), actor, action, { type: "urgent-action", id: targetId });
}

type VersionInput = z.infer<typeof UrgentRegenerateSchema>;

/** Reads the case, the template and the addressees, and writes the document. Nothing is stored here. */
async function composeVersion(services: Services, origin: Origin, actor: Actor, detentionId: string, input: VersionInput, reference: string) {
  const language: UrgentLanguage = input.language;
  const errors: FieldErrors = {};
  const rows = await findAddressees(services.db, actor.orgId, input.addressees);
  input.addressees.forEach((id, i) => {
    const row = rows.find((r) => r.id === id);
    if (!row) errors[`addressees.${i}`] = "no such addressee";
    else if (row.archived_at) errors[`addressees.${i}`] = "this addressee is archived";
  });
  if (new Set(input.addressees).size !== input.addressees.length) errors.addressees = "an addressee is named twice";
  if (Object.keys(errors).length > 0) throw new Invalid("some addressees cannot be written to", errors);
  const addressees: AddresseeSnapshot[] = input.addressees.map((id) => {
    const a = addresseeView(rows.find((r) => r.id === id)!);
    return { id: a.id, name: a.name, title: a.title, organisation: a.organisation, postalAddress: a.postalAddress, email: a.email, fax: a.fax, salutation: a.salutation };
  });
  const facts = await readCaseFacts(services, origin, actor, detentionId, { includeRestricted: input.includeRestricted, includeSecret: input.includeSecret }, language);
  const template = await currentTemplate(services.db, actor.orgId, language);
  const organisation = await services.db.selectFrom("organisations").select("name").where("id", "=", actor.orgId).executeTakeFirstOrThrow();
  const now = services.now();
  const values: Values = {
    ...facts.values,
    organisation: organisation.name,
    date: new Intl.DateTimeFormat(LANGUAGE_TAG[language], { dateStyle: "long", timeZone: "UTC" }).format(now),
    reference,
    salutation: input.salutation || (addressees.length === 1 ? addressees[0]!.salutation : "") || DEFAULT_SALUTATION[language],
  };
  // The lines may name facts too ("Release {{person}}…"): they are filled like the body.
  values.concerns = (input.concerns ?? template.concerns).map((l) => fillTextChecked(l, values, language, "concerns"));
  values.requests = (input.requests ?? template.requests).map((l) => fillTextChecked(l, values, language, "requests"));
  const document: UrgentDocument = {
    language,
    subject: fillText(template.subject, values, language).replace(/\s+/g, " ").trim(),
    blocks: renderBlocks(template.body, values, language),
    addressees,
    facts: facts.values,
    omitted: facts.omitted,
    included: facts.included,
    reference,
    generatedAt: now.toISOString(),
  };
  const includes = (level: FactNote["sensitivity"]) => facts.included.some((n) => n.sensitivity === level);
  return { document, templateVersion: template.version, includesRestricted: includes("restricted") || (facts.restrictedCase && input.includeRestricted), includesSecret: includes("secret"), now };
}

function fillTextChecked(text: string, values: Values, language: UrgentLanguage, field: string): string {
  try {
    return fillText(text, values, language);
  } catch {
    throw new Invalid("a line has placeholders that are not valid", { [field]: `"${text.slice(0, 60)}" has a placeholder that is not valid` });
  }
}

export async function generateUrgentAction(services: Services, origin: Origin, actor: Actor, raw: unknown): Promise<UrgentActionView> {
  await requirePermission(services, origin, can(actor, "urgent.create", anyCase(actor)), actor, "urgent.create", { type: "urgent-action", id: null });
  const input = parseInput(UrgentGenerateSchema, await readInput(raw));
  let detention: LoadedRecord;
  try {
    detention = await loadRecord(services, actor, input.detention);
  } catch (error) {
    if (error instanceof NotFound) throw new Invalid("no such detention", { detention: "no such record" });
    throw error;
  }
  await requireOnCase(services, origin, actor, "urgent.create", detention, null);
  if (detention.row.schema !== "Detention") throw new Invalid("an urgent action is generated from a Detention record", { detention: "not a Detention record" });
  const id = randomUUID();
  const composed = await composeVersion(services, origin, actor, detention.row.id, input, `UA-${id.slice(0, 8).toUpperCase()}`);
  await services.db.transaction().execute(async (tx) => {
    await tx.insertInto("urgent_actions").values({ id, org_id: actor.orgId, detention_id: detention.row.id, status: "draft", created_by: actor.userId, created_at: composed.now, updated_at: composed.now }).execute();
    await insertVersion(tx, actor, id, 1, input, composed);
    await recordAudit(tx, origin, {
      orgId: actor.orgId,
      actorId: actor.userId,
      action: "urgent.generate",
      targetType: "urgent-action",
      targetId: id,
      details: { detention: detention.row.id, version: 1, language: input.language, includesRestricted: composed.includesRestricted, includesSecret: composed.includesSecret },
    });
  });
  return getUrgentAction(services, origin, actor, id);
}

async function insertVersion(tx: Tx, actor: Actor, actionId: string, version: number, input: VersionInput, composed: Awaited<ReturnType<typeof composeVersion>>): Promise<void> {
  await tx
    .insertInto("urgent_action_versions")
    .values({
      action_id: actionId,
      version,
      language: input.language,
      template_version: composed.templateVersion,
      addressee_ids: JSON.stringify(input.addressees),
      includes_restricted: composed.includesRestricted,
      includes_secret: composed.includesSecret,
      document: JSON.stringify(composed.document),
      created_by: actor.userId,
      created_at: composed.now,
    })
    .execute();
}

/** A new version of the draft, from the case as it stands now; older versions are kept. */
export async function regenerateUrgentAction(services: Services, origin: Origin, actor: Actor, id: string, raw: unknown): Promise<UrgentActionView> {
  await requirePermission(services, origin, can(actor, "urgent.create", anyCase(actor)), actor, "urgent.create", { type: "urgent-action", id: null });
  const { row, detention } = await loadAction(services, actor, id);
  await requireOnCase(services, origin, actor, "urgent.create", detention, row.id);
  const input = parseInput(UrgentRegenerateSchema, await readInput(raw));
  if (row.status === "closed") throw new Conflict("this urgent action is closed: reopen it before making a new version");
  const previous = await services.db.selectFrom("urgent_action_versions").select("document").where("action_id", "=", row.id).orderBy("version", "desc").limit(1).executeTakeFirstOrThrow();
  const composed = await composeVersion(services, origin, actor, row.detention_id, input, (previous.document as UrgentDocument).reference);
  let version = 0;
  await services.db.transaction().execute(async (tx) => {
    // Locks the action so that two regenerations at once number their versions one after the other.
    await tx.selectFrom("urgent_actions").select("id").where("id", "=", row.id).forUpdate().executeTakeFirst();
    const latest = await tx.selectFrom("urgent_action_versions").select((eb) => eb.fn.max("version").as("v")).where("action_id", "=", row.id).executeTakeFirstOrThrow();
    version = Number(latest.v ?? 0) + 1;
    await insertVersion(tx, actor, row.id, version, input, composed);
    await tx.updateTable("urgent_actions").set({ updated_at: composed.now }).where("id", "=", row.id).execute();
    await recordAudit(tx, origin, {
      orgId: actor.orgId,
      actorId: actor.userId,
      action: "urgent.regenerate",
      targetType: "urgent-action",
      targetId: row.id,
      details: { version, language: input.language, includesRestricted: composed.includesRestricted, includesSecret: composed.includesSecret },
    });
  });
  return getUrgentAction(services, origin, actor, row.id, version);
}

export async function getUrgentAction(services: Services, origin: Origin, actor: Actor, id: string, version?: number): Promise<UrgentActionView> {
  await requirePermission(services, origin, can(actor, "urgent.view", anyCase(actor)), actor, "urgent.view", { type: "urgent-action", id: null });
  const { row } = await loadAction(services, actor, id);
  const versions = await services.db.selectFrom("urgent_action_versions").selectAll().where("action_id", "=", row.id).orderBy("version", "desc").execute();
  const chosen = version === undefined ? versions[0] : versions.find((v) => v.version === version);
  if (!chosen) throw new NotFound("no such version of this urgent action");
  const events = await services.db
    .selectFrom("urgent_action_events as ev")
    .leftJoin("urgent_addressees as a", "a.id", "ev.addressee_id")
    .leftJoin("users as u", "u.id", "ev.actor_id")
    .selectAll("ev")
    .select(["a.name as addressee_name", "u.name as actor_name"])
    .where("ev.action_id", "=", row.id)
    .orderBy("ev.created_at")
    .orderBy("ev.id")
    .execute();
  const summary = (v: (typeof versions)[number]): VersionSummary => ({ version: v.version, language: v.language, createdAt: v.created_at, createdBy: v.created_by, includesRestricted: v.includes_restricted, includesSecret: v.includes_secret });
  return {
    id: row.id,
    detentionId: row.detention_id,
    status: row.status,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    createdBy: row.created_by,
    latestVersion: versions[0]!.version,
    versions: versions.map(summary),
    version: { ...summary(chosen), templateVersion: chosen.template_version, addressees: chosen.addressee_ids, document: chosen.document as UrgentDocument },
    events: events.map((e) => ({
      id: e.id,
      kind: e.kind,
      addressee: e.addressee_id ? { id: e.addressee_id, name: e.addressee_name ?? "" } : null,
      channel: e.channel,
      date: e.occurred_on,
      summary: e.summary,
      evidenceUrl: e.evidence_url,
      statusFrom: e.status_from,
      statusTo: e.status_to,
      actorId: e.actor_id,
      actorName: e.actor_name,
      createdAt: e.created_at,
    })),
  };
}

export async function listUrgentActions(services: Services, origin: Origin, actor: Actor, raw: unknown = {}): Promise<UrgentActionSummary[]> {
  await requirePermission(services, origin, can(actor, "urgent.view", anyCase(actor)), actor, "urgent.view", { type: "urgent-action", id: null });
  const filter = parseInput(UrgentListSchema, raw);
  let query = services.db
    .selectFrom("urgent_actions as ua")
    .innerJoin("entities as e", "e.id", "ua.detention_id")
    .innerJoin("urgent_action_versions as v", (join) => join.onRef("v.action_id", "=", "ua.id"))
    .select(["ua.id", "ua.detention_id", "ua.status", "ua.updated_at", "v.version", "v.language", "v.document"])
    .where("ua.org_id", "=", actor.orgId)
    // Who may not know of a restricted detention does not see its actions either.
    .where(visibleTo(actor))
    .where("v.version", "=", (eb) => eb.selectFrom("urgent_action_versions as v2").select((e2) => e2.fn.max("v2.version").as("m")).whereRef("v2.action_id", "=", "ua.id"));
  if (filter.detention) query = query.where("ua.detention_id", "=", filter.detention);
  if (filter.status) query = query.where("ua.status", "=", filter.status);
  const rows = await query.orderBy("ua.updated_at", "desc").orderBy("ua.id").limit(filter.limit).execute();
  return rows.map((r) => ({ id: r.id, detentionId: r.detention_id, status: r.status, subject: (r.document as UrgentDocument).subject, language: r.language, latestVersion: r.version, updatedAt: r.updated_at }));
}

/**
 * A version as it is about to leave Vigil (a PDF, an email draft, the printable page): audited,
 * with whether it carries restricted or secret values.
 */
export async function exportUrgentAction(services: Services, origin: Origin, actor: Actor, id: string, version: number | undefined, format: "pdf" | "email" | "print"): Promise<UrgentActionView> {
  const view = await getUrgentAction(services, origin, actor, id, version);
  await recordAudit(services.db, origin, {
    orgId: actor.orgId,
    actorId: actor.userId,
    action: "urgent.export",
    targetType: "urgent-action",
    targetId: view.id,
    details: { format, version: view.version.version, includesRestricted: view.version.includesRestricted, includesSecret: view.version.includesSecret },
  });
  return view;
}


/** Records a letter or email sent, a response received, or a change of status. */
export async function trackUrgentAction(services: Services, origin: Origin, actor: Actor, id: string, raw: unknown): Promise<UrgentActionView> {
  await requirePermission(services, origin, can(actor, "urgent.track", anyCase(actor)), actor, "urgent.track", { type: "urgent-action", id: null });
  const { row, detention } = await loadAction(services, actor, id);
  await requireOnCase(services, origin, actor, "urgent.track", detention, row.id);
  const input = parseInput(UrgentEventSchema, await readInput(raw));
  if ((input.kind === "sent" || input.kind === "response") && input.date > dayOf(services.now())) throw new Invalid("the date is in the future", { date: "is in the future" });
  const addresseeId = input.kind === "status" ? undefined : input.addressee;
  if (addresseeId) {
    const [found] = await findAddressees(services.db, actor.orgId, [addresseeId]);
    if (!found) throw new Invalid("no such addressee", { addressee: "no such addressee" });
  }
  await services.db.transaction().execute(async (tx) => {
    const current = await tx.selectFrom("urgent_actions").select("status").where("id", "=", row.id).forUpdate().executeTakeFirstOrThrow();
    const counts = await tx.selectFrom("urgent_action_events").select(["kind"]).select((eb) => eb.fn.countAll<string>().as("n")).where("action_id", "=", row.id).groupBy("kind").execute();
    const count = (kind: string) => Number(counts.find((c) => c.kind === kind)?.n ?? 0);
    let next: UrgentStatus = current.status;
    if (input.kind === "status") {
      if (input.status === current.status) throw new Conflict(`the urgent action is already ${input.status}`);
      if (input.status === "sent" && count("sent") === 0) throw new Invalid("record a letter or email sent first", { status: "nothing has been sent yet" });
      if (input.status === "responded" && count("response") === 0) throw new Invalid("record the response first", { status: "no response has been recorded" });
      if (input.status === "draft" && count("sent") > 0) throw new Invalid("letters have been sent: it is no longer a draft", { status: "letters have been sent" });
      next = input.status;
    } else {
      if (current.status === "closed") throw new Conflict("this urgent action is closed: reopen it to record more");
      // A first letter makes a draft sent; a response makes it responded.
      if (input.kind === "sent" && current.status === "draft") next = "sent";
      if (input.kind === "response" && (current.status === "draft" || current.status === "sent")) next = "responded";
    }
    const eventId = randomUUID();
    await tx
      .insertInto("urgent_action_events")
      .values({
        id: eventId,
        action_id: row.id,
        kind: input.kind,
        addressee_id: addresseeId ?? null,
        channel: input.kind === "sent" ? input.channel : null,
        occurred_on: input.kind === "status" ? dayOf(services.now()) : input.date,
        summary: input.summary,
        evidence_url: input.kind === "response" ? (input.evidenceUrl ?? null) : null,
        status_from: next !== current.status ? current.status : null,
        status_to: next !== current.status ? next : null,
        actor_id: actor.userId,
        created_at: services.now(),
      })
      .execute();
    await tx.updateTable("urgent_actions").set({ status: next, updated_at: services.now() }).where("id", "=", row.id).execute();
    await recordAudit(tx, origin, { orgId: actor.orgId, actorId: actor.userId, action: `urgent.${input.kind}`, targetType: "urgent-action", targetId: row.id, details: { event: eventId, status: next } });
  });
  return getUrgentAction(services, origin, actor, row.id);
}

/** The detention's facts the generation form shows beside its choices: the same reading as a generation. */
export async function prepareUrgentAction(services: Services, origin: Origin, actor: Actor, detentionId: string) {
  await requirePermission(services, origin, can(actor, "urgent.create", anyCase(actor)), actor, "urgent.create", { type: "urgent-action", id: null });
  const detention = await loadRecord(services, actor, detentionId);
  await requireOnCase(services, origin, actor, "urgent.create", detention, null);
  if (detention.row.schema !== "Detention") throw new NotFound("no such detention");
  return { detention, mayIncludeRestricted: can(actor, "record.read-restricted", detention.subject), mayIncludeSecret: can(actor, "record.reveal-secret", detention.subject) };
}
