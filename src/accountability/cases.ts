// Legal cases: the case itself is a LegalCase record (forum, court, claims, defendants), made and
// read through the records service; its plaintiffs and witnesses, their consent, its deadlines and
// its exhibits are the litigation tables of migration 0019.
import { randomUUID } from "node:crypto";
import { z } from "zod";
import { can, Invalid, NotFound, type Actor, type Subject } from "../core/index.ts";
import type { Origin, Services, Tx } from "../context.ts";
import { recordAudit, requirePermission } from "../audit/index.ts";
import { parseInput } from "../accounts/index.ts";
import { appendCustodyEvent } from "../custody/index.ts";
import { findEvidenceRow, type EvidenceSummary } from "../evidence/index.ts";
import { captionsOf, createEntity, getEntity, inputOf, loadRecord, visibleRecords, type EntityView, type LoadedRecord } from "../records/index.ts";
import { consentHistory, currentConsent, type ConsentEntry, type ConsentScope } from "./consent.ts";

export const PARTY_ROLES = ["plaintiff", "witness"] as const;
export type PartyRole = (typeof PARTY_ROLES)[number];

const name = z.string().trim().min(1, "is empty").max(384, "at most 384 characters");
const day = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, "a date as YYYY-MM-DD")
  .refine((v) => !Number.isNaN(Date.parse(`${v}T00:00:00Z`)) && new Date(`${v}T00:00:00Z`).toISOString().startsWith(v), "not a real date");
/** Form fields arrive as one string; the API sends arrays. */
const lines = (max: number, each: z.ZodType<string>) =>
  z.preprocess((v) => (typeof v === "string" ? v.split(/\r?\n/).map((l) => l.trim()).filter((l) => l.length > 0) : v), z.array(each).max(max, `at most ${max} values`));

export const CaseCreateSchema = z.strictObject({
  name,
  forum: z.string().trim().min(1, "choose a forum").max(64),
  court: z.string().trim().max(1024, "at most 1024 characters").optional(),
  jurisdiction: z.string().trim().max(200, "at most 200 characters").optional(),
  caseNumber: z.string().trim().max(64, "at most 64 characters").optional(),
  claims: lines(50, z.string().max(4000, "at most 4000 characters")).optional(),
  defendants: lines(100, z.uuid("the id of a person or organisation record")).optional(),
  filedAt: z.string().trim().max(32).optional(),
  restricted: z.boolean().optional(),
});

export const PartyAddSchema = z.strictObject({
  person: z.uuid("the id of a Person record"),
  role: z.enum(PARTY_ROLES, "plaintiff or witness"),
  label: z.string().trim().min(1, "is empty").max(40, "at most 40 characters"),
});

export const DeadlineAddSchema = z.strictObject({
  dueOn: day,
  title: z.string().trim().min(1, "is empty").max(300, "at most 300 characters"),
});

export const ExhibitAddSchema = z.strictObject({
  evidence: z.uuid("the id of an evidence item"),
  label: z.string().trim().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$/, "letters, digits, dots, hyphens, e.g. P-1"),
  description: z.string().trim().max(2000, "at most 2000 characters").default(""),
  /** The witness or plaintiff whose testimony or material it is: their consent governs its export. */
  party: z.preprocess((v) => (v === "" ? undefined : v), z.uuid("the id of a party of the case").optional()),
});

export interface PartyView {
  id: string;
  role: PartyRole;
  label: string;
  personId: string;
  /** The person's name as the reader may see it; null when the reader may not know of the record. */
  personName: string | null;
  addedAt: Date;
  consent: Record<ConsentScope, ConsentEntry | null>;
  history: ConsentEntry[];
}

export interface DeadlineView {
  id: string;
  dueOn: string;
  title: string;
  doneAt: Date | null;
}

export interface ExhibitView {
  id: string;
  label: string;
  description: string;
  evidenceId: string;
  evidence: Pick<EvidenceSummary, "mediaType" | "size" | "sha256" | "commitment"> | null;
  partyId: string | null;
  partyLabel: string | null;
  addedAt: Date;
}

export interface BundleView {
  id: string;
  purpose: "court" | "counsel";
  mode: "decrypted" | "reencrypted";
  recipient: string | null;
  exhibitIds: string[];
  ledgerIndex: number;
  createdAt: Date;
}

export interface CaseFile {
  record: EntityView;
  defendants: { id: string; name: string | null; schema: string }[];
  parties: PartyView[];
  deadlines: DeadlineView[];
  exhibits: ExhibitView[];
  bundles: BundleView[];
  mayManage: boolean;
  mayExport: boolean;
}

export interface CaseSummary {
  id: string;
  name: string | null;
  forum: string | null;
  court: string | null;
  caseNumber: string | null;
  updatedAt: Date;
}

function anyCase(actor: Actor): Subject {
  return { kind: "record", orgId: actor.orgId, restricted: false, onAccessList: false };
}

/** The LegalCase record, if the actor may know of it: anything else, another organisation's included, is not found. */
export async function loadCase(services: Services, actor: Actor, id: string, db: Tx = services.db): Promise<LoadedRecord> {
  let record: LoadedRecord;
  try {
    record = await loadRecord(services, actor, id, db);
  } catch (error) {
    if (error instanceof NotFound) throw new NotFound("no such legal case");
    throw error;
  }
  if (record.row.schema !== "LegalCase" || !can(actor, "case.view", record.subject)) throw new NotFound("no such legal case");
  return record;
}

export async function requireOnCase(services: Services, origin: Origin, actor: Actor, action: "case.view" | "case.manage" | "case.export", record: LoadedRecord | null, targetId: string | null): Promise<void> {
  await requirePermission(services, origin, can(actor, action, record?.subject ?? anyCase(actor)), actor, action, { type: "legal-case", id: targetId });
}

export async function createLegalCase(services: Services, origin: Origin, actor: Actor, raw: unknown): Promise<EntityView> {
  await requireOnCase(services, origin, actor, "case.manage", null, null);
  const input = parseInput(CaseCreateSchema, await inputOf(raw));
  const optional = (v: string | undefined) => (v ? [v] : []);
  return createEntity(services, origin, actor, {
    schema: "LegalCase",
    properties: {
      name: [input.name],
      forum: [input.forum],
      court: optional(input.court),
      jurisdiction: optional(input.jurisdiction),
      caseNumber: optional(input.caseNumber),
      claims: input.claims ?? [],
      defendants: input.defendants ?? [],
      filedAt: optional(input.filedAt),
    },
    ...(input.restricted !== undefined ? { restricted: input.restricted } : {}),
  });
}

export async function listLegalCases(services: Services, origin: Origin, actor: Actor): Promise<CaseSummary[]> {
  await requireOnCase(services, origin, actor, "case.view", null, null);
  const rows = await visibleRecords(services.db, actor).where("e.schema", "=", "LegalCase").where("e.archived_at", "is", null).where("e.merged_into", "is", null).orderBy("e.updated_at", "desc").limit(500).execute();
  const summaries: CaseSummary[] = [];
  for (const row of rows) {
    const view = await getEntity(services, origin, actor, row.id);
    const first = (p: string) => view.properties[p]?.[0] ?? null;
    summaries.push({ id: row.id, name: first("name"), forum: first("forum"), court: first("court"), caseNumber: first("caseNumber"), updatedAt: row.updated_at });
  }
  return summaries;
}

export async function getCaseFile(services: Services, origin: Origin, actor: Actor, id: string): Promise<CaseFile> {
  await requireOnCase(services, origin, actor, "case.view", null, null);
  const record = await loadCase(services, actor, id);
  await requireOnCase(services, origin, actor, "case.view", record, id);
  const view = await getEntity(services, origin, actor, id);
  const db = services.db;
  const partyRows = await db.selectFrom("legal_case_parties").selectAll().where("case_id", "=", id).where("org_id", "=", actor.orgId).orderBy("added_at").orderBy("label").execute();
  const history = await consentHistory(db, partyRows.map((p) => p.id));
  const captions = await captionsOf(services, actor, [...partyRows.map((p) => p.person_id), ...(view.properties.defendants ?? [])]);
  const parties: PartyView[] = partyRows.map((p) => {
    const own = history.filter((h) => h.partyId === p.id);
    return { id: p.id, role: p.role, label: p.label, personId: p.person_id, personName: captions.get(p.person_id)?.caption ?? null, addedAt: p.added_at, consent: currentConsent(own), history: own };
  });
  const deadlines = await db.selectFrom("legal_case_deadlines").select(["id", "due_on", "title", "done_at"]).where("case_id", "=", id).where("org_id", "=", actor.orgId).orderBy("due_on").orderBy("created_at").execute();
  const exhibitRows = await db
    .selectFrom("legal_case_exhibits as x")
    .leftJoin("evidence as ev", "ev.id", "x.evidence_id")
    .select(["x.id", "x.label", "x.description", "x.evidence_id", "x.party_id", "x.added_at", "ev.media_type", "ev.plaintext_size", "ev.ciphertext_sha256", "ev.commitment"])
    .where("x.case_id", "=", id)
    .where("x.org_id", "=", actor.orgId)
    .orderBy("x.label")
    .execute();
  const labelOf = new Map(partyRows.map((p) => [p.id, p.label]));
  const bundles = await db.selectFrom("court_bundles").selectAll().where("case_id", "=", id).where("org_id", "=", actor.orgId).orderBy("created_at", "desc").execute();
  return {
    record: view,
    defendants: (view.properties.defendants ?? []).map((d) => ({ id: d, name: captions.get(d)?.caption ?? null, schema: captions.get(d)?.schema ?? "" })),
    parties,
    deadlines: deadlines.map((d) => ({ id: d.id, dueOn: d.due_on, title: d.title, doneAt: d.done_at })),
    exhibits: exhibitRows.map((x) => ({
      id: x.id,
      label: x.label,
      description: x.description,
      evidenceId: x.evidence_id,
      evidence: x.media_type === null ? null : { mediaType: x.media_type, size: x.plaintext_size ?? 0, sha256: x.ciphertext_sha256 ?? "", commitment: x.commitment ?? "" },
      partyId: x.party_id,
      partyLabel: x.party_id ? (labelOf.get(x.party_id) ?? null) : null,
      addedAt: x.added_at,
    })),
    bundles: bundles.map((b) => ({ id: b.id, purpose: b.purpose, mode: b.mode, recipient: b.recipient, exhibitIds: b.exhibit_ids, ledgerIndex: b.ledger_index, createdAt: b.created_at })),
    mayManage: can(actor, "case.manage", record.subject),
    mayExport: can(actor, "case.export", record.subject),
  };
}

/** Opens the case for a change by the actor: found, theirs to manage, and not archived. */
export async function caseForChange(services: Services, origin: Origin, actor: Actor, id: string, action: "case.manage" | "case.export" = "case.manage"): Promise<LoadedRecord> {
  await requireOnCase(services, origin, actor, action, null, null);
  const record = await loadCase(services, actor, id);
  await requireOnCase(services, origin, actor, action, record, id);
  if (record.row.archived_at || record.row.merged_into) throw new Invalid("the case is archived or merged: it cannot change");
  return record;
}

export async function addParty(services: Services, origin: Origin, actor: Actor, caseId: string, raw: unknown): Promise<PartyView> {
  await caseForChange(services, origin, actor, caseId);
  const input = parseInput(PartyAddSchema, await inputOf(raw));
  let person: LoadedRecord;
  try {
    person = await loadRecord(services, actor, input.person);
  } catch (error) {
    if (error instanceof NotFound) throw new Invalid("no such person", { person: "no such record" });
    throw error;
  }
  if (person.row.schema !== "Person") throw new Invalid("a plaintiff or witness is a Person record", { person: "not a Person record" });
  const id = randomUUID();
  await services.db.transaction().execute(async (tx) => {
    const clash = await tx.selectFrom("legal_case_parties").select(["label", "person_id", "role"]).where("case_id", "=", caseId).where((eb) => eb.or([eb("label", "=", input.label), eb.and([eb("person_id", "=", input.person), eb("role", "=", input.role)])])).executeTakeFirst();
    if (clash?.label === input.label) throw new Invalid("the label is taken", { label: "another party of this case has this label" });
    if (clash) throw new Invalid("already a party", { person: `already a ${input.role} of this case` });
    await tx.insertInto("legal_case_parties").values({ id, org_id: actor.orgId, case_id: caseId, person_id: input.person, role: input.role, label: input.label, added_by: actor.userId }).execute();
    await recordAudit(tx, origin, { orgId: actor.orgId, actorId: actor.userId, action: "case.party.add", targetType: "legal-case", targetId: caseId, details: { party: id, role: input.role } });
  });
  const captions = await captionsOf(services, actor, [input.person]);
  return { id, role: input.role, label: input.label, personId: input.person, personName: captions.get(input.person)?.caption ?? null, addedAt: services.now(), consent: currentConsent([]), history: [] };
}

export async function addDeadline(services: Services, origin: Origin, actor: Actor, caseId: string, raw: unknown): Promise<DeadlineView> {
  await caseForChange(services, origin, actor, caseId);
  const input = parseInput(DeadlineAddSchema, await inputOf(raw));
  const id = randomUUID();
  await services.db.transaction().execute(async (tx) => {
    await tx.insertInto("legal_case_deadlines").values({ id, org_id: actor.orgId, case_id: caseId, due_on: input.dueOn, title: input.title, created_by: actor.userId }).execute();
    await recordAudit(tx, origin, { orgId: actor.orgId, actorId: actor.userId, action: "case.deadline.add", targetType: "legal-case", targetId: caseId, details: { deadline: id, dueOn: input.dueOn } });
  });
  return { id, dueOn: input.dueOn, title: input.title, doneAt: null };
}

export const DeadlineDoneSchema = z.strictObject({ deadline: z.uuid("the id of a deadline of the case") });

export async function completeDeadline(services: Services, origin: Origin, actor: Actor, caseId: string, raw: unknown): Promise<void> {
  await caseForChange(services, origin, actor, caseId);
  const deadlineId = parseInput(DeadlineDoneSchema, await inputOf(raw)).deadline;
  await services.db.transaction().execute(async (tx) => {
    const row = await tx.selectFrom("legal_case_deadlines").select(["id", "done_at"]).where("id", "=", deadlineId).where("case_id", "=", caseId).executeTakeFirst();
    if (!row) throw new NotFound("no such deadline");
    if (row.done_at) return;
    await tx.updateTable("legal_case_deadlines").set({ done_at: services.now(), done_by: actor.userId }).where("id", "=", deadlineId).execute();
    await recordAudit(tx, origin, { orgId: actor.orgId, actorId: actor.userId, action: "case.deadline.done", targetType: "legal-case", targetId: caseId, details: { deadline: deadlineId } });
  });
}

/**
 * Offers an item of the vault as an exhibit. The item must be one the actor may see; the link is a
 * "linked" custody event on the item, naming the case and the exhibit, in the same transaction.
 */
export async function addExhibit(services: Services, origin: Origin, actor: Actor, pseudonym: string, caseId: string, raw: unknown): Promise<ExhibitView> {
  await caseForChange(services, origin, actor, caseId);
  const input = parseInput(ExhibitAddSchema, await inputOf(raw));
  await requirePermission(services, origin, can(actor, "evidence.view", { kind: "evidence", orgId: actor.orgId }), actor, "evidence.view", { type: "evidence", id: input.evidence });
  const evidence = await findEvidenceRow(services, actor.orgId, input.evidence).catch((error: unknown) => {
    if (error instanceof NotFound) throw new Invalid("no such evidence", { evidence: "no such evidence item" });
    throw error;
  });
  const id = randomUUID();
  let partyLabel: string | null = null;
  await services.db.transaction().execute(async (tx) => {
    if (input.party) {
      const party = await tx.selectFrom("legal_case_parties").select("label").where("id", "=", input.party).where("case_id", "=", caseId).executeTakeFirst();
      if (!party) throw new Invalid("no such party", { party: "not a party of this case" });
      partyLabel = party.label;
    }
    const clash = await tx.selectFrom("legal_case_exhibits").select(["label", "evidence_id"]).where("case_id", "=", caseId).where((eb) => eb.or([eb("label", "=", input.label), eb("evidence_id", "=", input.evidence)])).executeTakeFirst();
    if (clash?.label === input.label) throw new Invalid("the label is taken", { label: "another exhibit of this case has this label" });
    if (clash) throw new Invalid("already an exhibit", { evidence: "this item is already an exhibit of this case" });
    await tx.insertInto("legal_case_exhibits").values({ id, org_id: actor.orgId, case_id: caseId, evidence_id: input.evidence, label: input.label, description: input.description, party_id: input.party ?? null, added_by: actor.userId }).execute();
    const ledgerIndex = await appendCustodyEvent(tx, services, { kind: "linked", orgId: actor.orgId, subject: input.evidence, actorPseudonym: pseudonym, details: { record: caseId, exhibit: id } });
    await recordAudit(tx, origin, { orgId: actor.orgId, actorId: actor.userId, action: "case.exhibit.add", targetType: "legal-case", targetId: caseId, details: { exhibit: id, evidence: input.evidence, ledgerIndex } });
  });
  return {
    id,
    label: input.label,
    description: input.description,
    evidenceId: input.evidence,
    evidence: { mediaType: evidence.media_type, size: evidence.plaintext_size, sha256: evidence.ciphertext_sha256, commitment: evidence.commitment },
    partyId: input.party ?? null,
    partyLabel,
    addedAt: services.now(),
  };
}
