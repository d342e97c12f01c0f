import { recordAudit } from "../audit/index.ts";
import { parseInput } from "../accounts/index.ts";
import { Conflict, Invalid, NotFound, type Actor } from "../core/index.ts";
import type { Origin, Services } from "../context.ts";
import { createEntity, getEntity, setArchived, type EntityView } from "../records/index.ts";
import { requireFamily } from "./family-cases.ts";
import { bodyOf, FamilyAcceptSchema, FamilyDeclineSchema, FamilyReportListSchema } from "./family-input.ts";
import type { SealedFamilyReport } from "./family-public.ts";
import { openForOrganisation, sealForOrganisation } from "./family-secrets.ts";

/**
 * The triage queue: what families reported, opened only while the vault is unsealed, for editors to
 * accept (into Person and Detention records, with the report as their Source) or decline with a
 * reason. Nothing a family wrote becomes a record without this step.
 */

export interface FamilyReportView {
  id: string;
  caseId: string;
  reference: string;
  receivedAt: string;
  state: "new" | "accepted" | "declined";
  report: SealedFamilyReport;
  decidedAt: string | null;
  decidedBy: string | null;
  declineReason: string | null;
  sourceId: string | null;
  personId: string | null;
  detentionId: string | null;
}

const ISO_639_3: Record<string, string> = { en: "eng", ug: "uig", "zh-Hans": "zho" };

/** Reads the queue (new reports by default, oldest first). Sealed when the vault is; each read is audited. */
export async function listFamilyReports(services: Services, origin: Origin, actor: Actor, raw: unknown = {}): Promise<FamilyReportView[]> {
  await requireFamily(services, origin, actor, "family.triage", null);
  const filter = parseInput(FamilyReportListSchema, raw);
  const rows = await services.db
    .selectFrom("family_reports as r")
    .innerJoin("family_cases as c", "c.id", "r.case_id")
    .leftJoin("users as u", "u.id", "r.decided_by")
    .select(["r.id", "r.case_id", "c.reference", "r.received_at", "r.state", "r.content_sealed", "r.decided_at", "u.name as decided_by", "r.decline_reason_sealed", "r.source_id", "r.person_id", "r.detention_id"])
    .where("r.org_id", "=", actor.orgId)
    .where("r.state", "=", filter.state)
    .orderBy("r.received_at", filter.state === "new" ? "asc" : "desc")
    .orderBy("r.id")
    .limit(filter.limit)
    .execute();
  return openReports(services, origin, actor, rows);
}

/** One report of the caller's organisation, opened (Sealed when the vault is). */
export async function getFamilyReport(services: Services, origin: Origin, actor: Actor, reportId: string): Promise<FamilyReportView> {
  await requireFamily(services, origin, actor, "family.triage", reportId);
  const rows = await services.db
    .selectFrom("family_reports as r")
    .innerJoin("family_cases as c", "c.id", "r.case_id")
    .leftJoin("users as u", "u.id", "r.decided_by")
    .select(["r.id", "r.case_id", "c.reference", "r.received_at", "r.state", "r.content_sealed", "r.decided_at", "u.name as decided_by", "r.decline_reason_sealed", "r.source_id", "r.person_id", "r.detention_id"])
    .where("r.org_id", "=", actor.orgId)
    .where("r.id", "=", reportId)
    .execute();
  if (rows.length === 0) throw new NotFound("no such family report");
  return (await openReports(services, origin, actor, rows))[0]!;
}

type ReportRow = {
  id: string;
  case_id: string;
  reference: string;
  received_at: Date;
  state: string;
  content_sealed: Buffer;
  decided_at: Date | null;
  decided_by: string | null;
  decline_reason_sealed: Buffer | null;
  source_id: string | null;
  person_id: string | null;
  detention_id: string | null;
};

async function openReports(services: Services, origin: Origin, actor: Actor, rows: ReportRow[]): Promise<FamilyReportView[]> {
  const views: FamilyReportView[] = [];
  for (const row of rows) {
    views.push({
      id: row.id,
      caseId: row.case_id,
      reference: row.reference,
      receivedAt: new Date(row.received_at).toISOString(),
      state: row.state as FamilyReportView["state"],
      report: await openForOrganisation<SealedFamilyReport>(services, actor.orgId, row.content_sealed),
      decidedAt: row.decided_at ? new Date(row.decided_at).toISOString() : null,
      decidedBy: row.decided_by,
      declineReason: row.decline_reason_sealed ? (await openForOrganisation<{ reason: string }>(services, actor.orgId, row.decline_reason_sealed)).reason : null,
      sourceId: row.source_id,
      personId: row.person_id,
      detentionId: row.detention_id,
    });
  }
  if (views.length > 0) {
    await recordAudit(services.db, origin, { orgId: actor.orgId, actorId: actor.userId, action: "family.report.read", targetType: "family-report", targetId: views.length === 1 ? views[0]!.id : null, details: { count: views.length } });
  }
  return views;
}

async function loadNewReport(services: Services, actor: Actor, reportId: string) {
  const row = await services.db.selectFrom("family_reports").select(["id", "case_id", "state", "content_sealed", "received_at"]).where("id", "=", reportId).where("org_id", "=", actor.orgId).executeTakeFirst();
  if (!row) throw new NotFound("no such family report");
  if (row.state !== "new") throw new Conflict(`this report was already ${row.state}`);
  return row;
}

async function recordOf(services: Services, origin: Origin, actor: Actor, id: string, schema: "Person" | "Detention", field: string): Promise<EntityView> {
  const entity = await getEntity(services, origin, actor, id).catch((error: unknown) => {
    if (error instanceof NotFound) throw new Invalid("some fields are not valid", { [field]: `no such ${schema} record` });
    throw error;
  });
  if (entity.schema !== schema) throw new Invalid("some fields are not valid", { [field]: `not a ${schema} record` });
  return entity;
}

function reportText(report: SealedFamilyReport): string {
  const lines = [
    `Names: ${report.names.replace(/\n/g, "; ")}`,
    report.birthDate ? `Born: ${report.birthDate}` : null,
    report.lastSeenDate ? `Last seen (date): ${report.lastSeenDate}` : null,
    report.lastSeenPlace ? `Last seen (place): ${report.lastSeenPlace}` : null,
    report.takenBy ? `Taken by: ${report.takenBy}` : null,
    report.circumstances ? `Circumstances:\n${report.circumstances}` : null,
  ];
  return lines.filter((l) => l !== null).join("\n");
}

export interface AcceptedFamilyReport {
  reportId: string;
  sourceId: string;
  personId: string;
  detentionId: string;
}

/**
 * Accepts a new report: a Source record stands for it (its text; the reporter's contact as a secret
 * value), and the Person and Detention it is about are linked when named or created from it, every
 * value citing that Source. Records are made one by one through the records service (each in its
 * own transaction); if a later step fails, or another editor decided the report meanwhile, the
 * records made here are archived with the reason, so nothing half-made stays live.
 */
export async function acceptFamilyReport(services: Services, origin: Origin, actor: Actor, reportId: string, raw: unknown): Promise<AcceptedFamilyReport> {
  await requireFamily(services, origin, actor, "family.triage", reportId);
  const input = parseInput(FamilyAcceptSchema, await bodyOf(raw));
  const row = await loadNewReport(services, actor, reportId);
  const report = await openForOrganisation<SealedFamilyReport>(services, actor.orgId, row.content_sealed);
  const kase = await services.db.selectFrom("family_cases").select(["reference", "person_id", "detention_id"]).where("id", "=", row.case_id).executeTakeFirstOrThrow();
  // Check everything named before anything is made.
  let personId = input.personId;
  if (personId) await recordOf(services, origin, actor, personId, "Person", "personId");
  if (input.detentionId) {
    const detention = await recordOf(services, origin, actor, input.detentionId, "Detention", "detentionId");
    const detained = detention.properties.person?.[0];
    if (personId && detained && detained !== personId) throw new Invalid("some fields are not valid", { detentionId: "this detention is of another person" });
    personId ??= detained ?? undefined;
  }
  const made: string[] = [];
  const restricted = input.restricted;
  try {
    const received = new Date(row.received_at).toISOString().slice(0, 10);
    const source = await createEntity(services, origin, actor, {
      schema: "Source",
      restricted,
      reason: `family report ${kase.reference} accepted`,
      properties: {
        name: [`Family report ${kase.reference}, ${received}`],
        sourceType: ["testimony"],
        publishedAt: [received],
        language: [ISO_639_3[report.locale] ?? "und"],
        bodyText: [reportText(report)],
        ...(report.contact ? { author: [{ value: `Family contact: ${report.contact}`, sensitivity: "secret" as const }] } : {}),
      },
    });
    made.push(source.id);
    const cite = (value: string) => ({ value, source: source.id });
    if (!personId) {
      const names = report.names.split("\n").map((n) => n.trim()).filter(Boolean).slice(0, 50);
      const person = await createEntity(services, origin, actor, { schema: "Person", restricted, reason: `from family report ${kase.reference}`, properties: { name: names.map(cite) } });
      made.push(person.id);
      personId = person.id;
    }
    let detentionId = input.detentionId;
    if (!detentionId) {
      const detention = await createEntity(services, origin, actor, {
        schema: "Detention",
        restricted,
        reason: `from family report ${kase.reference}`,
        properties: {
          person: [cite(personId)],
          ...(input.startDate ? { startDate: [cite(input.startDate)] } : {}),
          ...(report.circumstances ? { description: [cite(report.circumstances)] } : {}),
        },
      });
      made.push(detention.id);
      detentionId = detention.id;
    }
    const decided = await services.db.transaction().execute(async (tx) => {
      const now = services.now();
      const result = await tx
        .updateTable("family_reports")
        .set({ state: "accepted", decided_by: actor.userId, decided_at: now, source_id: source.id, person_id: personId!, detention_id: detentionId! })
        .where("id", "=", reportId)
        .where("state", "=", "new")
        .executeTakeFirst();
      if (Number(result.numUpdatedRows) !== 1) return false;
      // The case learns which records it is about, unless it already knew.
      await tx.updateTable("family_cases").set({ person_id: kase.person_id ?? personId!, detention_id: kase.detention_id ?? detentionId! }).where("id", "=", row.case_id).execute();
      await recordAudit(tx, origin, { orgId: actor.orgId, actorId: actor.userId, action: "family.report.accept", targetType: "family-report", targetId: reportId, details: { source: source.id, person: personId, detention: detentionId, created: made.length } });
      return true;
    });
    if (!decided) throw new Conflict("another editor decided this report meanwhile");
    return { reportId, sourceId: source.id, personId: personId!, detentionId: detentionId! };
  } catch (error) {
    for (const id of made.reverse()) {
      await setArchived(services, origin, actor, id, true, { reason: `family report ${kase.reference} was not accepted: ${error instanceof Error ? error.message.slice(0, 200) : "failure"}` }).catch(() => undefined);
    }
    throw error;
  }
}

/** Declines a new report with a reason (sealed like the report): it stays, and nothing is made of it. */
export async function declineFamilyReport(services: Services, origin: Origin, actor: Actor, reportId: string, raw: unknown): Promise<FamilyReportView> {
  await requireFamily(services, origin, actor, "family.triage", reportId);
  const input = parseInput(FamilyDeclineSchema, await bodyOf(raw));
  await services.db.transaction().execute(async (tx) => {
    const now = services.now();
    const result = await tx
      .updateTable("family_reports")
      .set({ state: "declined", decided_by: actor.userId, decided_at: now, decline_reason_sealed: await sealForOrganisation(tx, actor.orgId, { reason: input.reason }) })
      .where("id", "=", reportId)
      .where("org_id", "=", actor.orgId)
      .where("state", "=", "new")
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) !== 1) {
      const exists = await tx.selectFrom("family_reports").select("state").where("id", "=", reportId).where("org_id", "=", actor.orgId).executeTakeFirst();
      if (!exists) throw new NotFound("no such family report");
      throw new Conflict(`this report was already ${exists.state}`);
    }
    await recordAudit(tx, origin, { orgId: actor.orgId, actorId: actor.userId, action: "family.report.decline", targetType: "family-report", targetId: reportId });
  });
  return getFamilyReport(services, origin, actor, reportId);
}
