import { randomUUID } from "node:crypto";
import { sql } from "kysely";
import { recordAudit, requirePermission } from "../audit/index.ts";
import { can, Conflict, Invalid, NotFound, type Actor } from "../core/index.ts";
import type { Origin, Services, Tx } from "../context.ts";
import { parseInput } from "../accounts/index.ts";
import { getEntity } from "../records/index.ts";
import { bodyOf, FamilyCaseCreateSchema } from "./family-input.ts";
import { hashFamilyCode, newCaseReference, newFamilyCode, normaliseFamilyCode, vaultRequired } from "./family-secrets.ts";

/**
 * A family case: one family's channel to the organisation, about one missing relative. The
 * organisation issues a one-time code (shown once); the family redeems it for a secret link.
 */

export interface FamilyCaseView {
  id: string;
  reference: string;
  personId: string | null;
  detentionId: string | null;
  createdAt: string;
  /** When the family last redeemed a code for their link, and last opened it. */
  linkIssuedAt: string | null;
  linkLastUsedAt: string | null;
  linkActive: boolean;
  /** The code waiting to be redeemed, if any: its expiry only, never the code. */
  openCodeExpiresAt: string | null;
  revokedAt: string | null;
  reports: { new: number; accepted: number; declined: number };
  updates: { pending: number; approved: number };
}

export interface IssuedFamilyCode {
  caseId: string;
  reference: string;
  /** Shown once: Vigil keeps only its hash. */
  code: string;
  expiresAt: string;
}

export function familySubject(actor: Actor) {
  return { kind: "family", orgId: actor.orgId } as const;
}

export async function requireFamily(services: Services, origin: Origin, actor: Actor, action: "family.view" | "family.manage" | "family.triage" | "family.write-update" | "family.approve-update", target: string | null): Promise<void> {
  await requirePermission(services, origin, can(actor, action, familySubject(actor)), actor, action, { type: "family-case", id: target });
}

/** The caller's organisation's case, or NotFound: another organisation's id is never found. */
export async function loadFamilyCase(db: Tx, actor: Actor, caseId: string) {
  const row = await db.selectFrom("family_cases").selectAll().where("id", "=", caseId).where("org_id", "=", actor.orgId).executeTakeFirst();
  if (!row) throw new NotFound("no such family case");
  return row;
}

async function checkRecord(services: Services, origin: Origin, actor: Actor, id: string | undefined, schema: "Person" | "Detention", field: string): Promise<void> {
  if (!id) return;
  const entity = await getEntity(services, origin, actor, id).catch((error: unknown) => {
    if (error instanceof NotFound) throw new Invalid("some fields are not valid", { [field]: `no such ${schema} record` });
    throw error;
  });
  if (entity.schema !== schema) throw new Invalid("some fields are not valid", { [field]: `not a ${schema} record` });
}

async function insertCode(tx: Tx, services: Services, actor: Actor, caseId: string): Promise<{ code: string; expiresAt: Date }> {
  const now = services.now();
  // A new code replaces any code of the case still waiting: only one is ever open.
  await tx.updateTable("family_codes").set({ revoked_at: now }).where("case_id", "=", caseId).where("used_at", "is", null).where("revoked_at", "is", null).execute();
  const code = newFamilyCode();
  const expiresAt = new Date(now.getTime() + services.config.familyCodeDays * 86_400_000);
  await tx
    .insertInto("family_codes")
    .values({ id: randomUUID(), org_id: actor.orgId, case_id: caseId, code_hash: hashFamilyCode(normaliseFamilyCode(code)!), issued_by: actor.userId, issued_at: now, expires_at: expiresAt })
    .execute();
  return { code, expiresAt };
}

/** Opens a case and issues its first one-time code. */
export async function createFamilyCase(services: Services, origin: Origin, actor: Actor, raw: unknown): Promise<IssuedFamilyCode> {
  await requireFamily(services, origin, actor, "family.manage", null);
  const input = parseInput(FamilyCaseCreateSchema, await bodyOf(raw));
  await vaultRequired(services.db, actor.orgId);
  await checkRecord(services, origin, actor, input.personId, "Person", "personId");
  await checkRecord(services, origin, actor, input.detentionId, "Detention", "detentionId");
  const id = randomUUID();
  return services.db.transaction().execute(async (tx) => {
    let reference = newCaseReference();
    // 30 bits of reference: a clash is rare, and then simply drawn again.
    while (await tx.selectFrom("family_cases").select("id").where("org_id", "=", actor.orgId).where("reference", "=", reference).executeTakeFirst()) reference = newCaseReference();
    await tx
      .insertInto("family_cases")
      .values({ id, org_id: actor.orgId, reference, person_id: input.personId ?? null, detention_id: input.detentionId ?? null, created_by: actor.userId, created_at: services.now() })
      .execute();
    const { code, expiresAt } = await insertCode(tx, services, actor, id);
    await recordAudit(tx, origin, { orgId: actor.orgId, actorId: actor.userId, action: "family.case.create", targetType: "family-case", targetId: id, details: { reference } });
    await recordAudit(tx, origin, { orgId: actor.orgId, actorId: actor.userId, action: "family.code.issue", targetType: "family-case", targetId: id, details: { expiresAt: expiresAt.toISOString() } });
    return { caseId: id, reference, code, expiresAt: expiresAt.toISOString() };
  });
}

/** Issues a new one-time code for a case (the old open code stops working), also after a revocation. */
export async function issueFamilyCode(services: Services, origin: Origin, actor: Actor, caseId: string): Promise<IssuedFamilyCode> {
  await requireFamily(services, origin, actor, "family.manage", caseId);
  return services.db.transaction().execute(async (tx) => {
    // Another organisation's case is not found, whatever the state of the caller's own keys.
    const row = await loadFamilyCase(tx, actor, caseId);
    await vaultRequired(tx, actor.orgId);
    // Issuing after a revocation reopens the case: the family will get a new link from the new code.
    if (row.revoked_at) await tx.updateTable("family_cases").set({ revoked_at: null, revoked_by: null }).where("id", "=", caseId).execute();
    const { code, expiresAt } = await insertCode(tx, services, actor, caseId);
    await recordAudit(tx, origin, { orgId: actor.orgId, actorId: actor.userId, action: "family.code.issue", targetType: "family-case", targetId: caseId, details: { expiresAt: expiresAt.toISOString() } });
    return { caseId, reference: row.reference, code, expiresAt: expiresAt.toISOString() };
  });
}

/** Ends the family's link and every open code of the case at once (a lost phone, a suspected informant). */
export async function revokeFamilyAccess(services: Services, origin: Origin, actor: Actor, caseId: string): Promise<FamilyCaseView> {
  await requireFamily(services, origin, actor, "family.manage", caseId);
  await services.db.transaction().execute(async (tx) => {
    const row = await loadFamilyCase(tx, actor, caseId);
    if (row.revoked_at) throw new Conflict("this case's access is already revoked");
    const now = services.now();
    await tx.updateTable("family_cases").set({ revoked_at: now, revoked_by: actor.userId, link_hash: null }).where("id", "=", caseId).execute();
    await tx.updateTable("family_codes").set({ revoked_at: now }).where("case_id", "=", caseId).where("used_at", "is", null).where("revoked_at", "is", null).execute();
    await recordAudit(tx, origin, { orgId: actor.orgId, actorId: actor.userId, action: "family.access.revoke", targetType: "family-case", targetId: caseId });
  });
  return getFamilyCase(services, origin, actor, caseId);
}

async function viewCases(services: Services, actor: Actor, ids: string[] | null, limit = 200): Promise<FamilyCaseView[]> {
  const now = services.now();
  let query = services.db
    .selectFrom("family_cases as c")
    .select([
      "c.id", "c.reference", "c.person_id", "c.detention_id", "c.created_at", "c.link_hash", "c.link_issued_at", "c.link_last_used_at", "c.revoked_at",
      (eb) => eb.selectFrom("family_codes as k").select((k) => k.fn.max("k.expires_at").as("e")).whereRef("k.case_id", "=", "c.id").where("k.used_at", "is", null).where("k.revoked_at", "is", null).where("k.expires_at", ">", now).as("open_code_expires_at"),
      sql<number>`(select count(*) from family_reports r where r.case_id = c.id and r.state = 'new')`.as("reports_new"),
      sql<number>`(select count(*) from family_reports r where r.case_id = c.id and r.state = 'accepted')`.as("reports_accepted"),
      sql<number>`(select count(*) from family_reports r where r.case_id = c.id and r.state = 'declined')`.as("reports_declined"),
      sql<number>`(select count(*) from family_updates u where u.case_id = c.id and u.state = 'pending')`.as("updates_pending"),
      sql<number>`(select count(*) from family_updates u where u.case_id = c.id and u.state = 'approved')`.as("updates_approved"),
    ])
    .where("c.org_id", "=", actor.orgId);
  if (ids) query = query.where("c.id", "in", ids);
  const rows = await query.orderBy("c.created_at", "desc").orderBy("c.id").limit(limit).execute();
  const iso = (d: Date | null) => (d ? new Date(d).toISOString() : null);
  return rows.map((r) => ({
    id: r.id,
    reference: r.reference,
    personId: r.person_id,
    detentionId: r.detention_id,
    createdAt: new Date(r.created_at).toISOString(),
    linkIssuedAt: iso(r.link_issued_at),
    linkLastUsedAt: iso(r.link_last_used_at),
    linkActive: r.link_hash !== null && r.revoked_at === null,
    openCodeExpiresAt: iso(r.open_code_expires_at as Date | null),
    revokedAt: iso(r.revoked_at),
    reports: { new: Number(r.reports_new), accepted: Number(r.reports_accepted), declined: Number(r.reports_declined) },
    updates: { pending: Number(r.updates_pending), approved: Number(r.updates_approved) },
  }));
}

/** The organisation's family cases, newest first: references, dates and counts, nothing a family wrote. */
export async function listFamilyCases(services: Services, origin: Origin, actor: Actor): Promise<FamilyCaseView[]> {
  await requireFamily(services, origin, actor, "family.view", null);
  return viewCases(services, actor, null);
}

export async function getFamilyCase(services: Services, origin: Origin, actor: Actor, caseId: string): Promise<FamilyCaseView> {
  await requireFamily(services, origin, actor, "family.view", caseId);
  const [view] = await viewCases(services, actor, [caseId]);
  if (!view) throw new NotFound("no such family case");
  return view;
}
