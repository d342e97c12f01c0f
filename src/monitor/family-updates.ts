import { randomUUID } from "node:crypto";
import { sql } from "kysely";
import { recordAudit } from "../audit/index.ts";
import { parseInput } from "../accounts/index.ts";
import { Conflict, Forbidden, NotFound, type Actor } from "../core/index.ts";
import type { Origin, Services } from "../context.ts";
import { loadFamilyCase, requireFamily } from "./family-cases.ts";
import { bodyOf, FamilyUpdateSchema } from "./family-input.ts";
import { openForOrganisation, sealForOrganisation } from "./family-secrets.ts";

/**
 * What the organisation tells a family. An editor writes an update (any language), sealed like a
 * report; the family sees it only once approved. Approval is a second person's act whenever the
 * organisation has a second administrator or editor: one account (phished, coerced, or simply
 * mistaken) must not alone be able to tell a family something that may reach the state through a
 * watched phone. An organisation with a single administrator or editor approves in a separate
 * explicit step, so nothing reaches a family on the same click that wrote it.
 */

export interface FamilyUpdateView {
  id: string;
  caseId: string;
  body: string;
  state: "pending" | "approved" | "withdrawn";
  writtenBy: string;
  writtenById: string;
  writtenAt: string;
  approvedBy: string | null;
  approvedAt: string | null;
}

/** Writes an update for a case; it waits for approval. */
export async function writeFamilyUpdate(services: Services, origin: Origin, actor: Actor, caseId: string, raw: unknown): Promise<FamilyUpdateView> {
  await requireFamily(services, origin, actor, "family.write-update", caseId);
  const input = parseInput(FamilyUpdateSchema, await bodyOf(raw));
  const id = randomUUID();
  await services.db.transaction().execute(async (tx) => {
    await loadFamilyCase(tx, actor, caseId);
    await tx
      .insertInto("family_updates")
      .values({ id, org_id: actor.orgId, case_id: caseId, body_sealed: await sealForOrganisation(tx, actor.orgId, { body: input.body }), written_by: actor.userId, written_at: services.now() })
      .execute();
    await recordAudit(tx, origin, { orgId: actor.orgId, actorId: actor.userId, action: "family.update.write", targetType: "family-update", targetId: id, details: { case: caseId } });
  });
  return (await listFamilyUpdates(services, origin, actor, caseId)).find((u) => u.id === id)!;
}

/** How many active administrators and editors the organisation has: more than one means a second person approves. */
async function approvers(services: Services, orgId: string): Promise<number> {
  const row = await services.db
    .selectFrom("memberships as m")
    .innerJoin("users as u", "u.id", "m.user_id")
    .select(sql<number>`count(*)`.as("n"))
    .where("m.org_id", "=", orgId)
    .where("m.role", "in", ["admin", "editor"])
    .where("u.deactivated_at", "is", null)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Approves a pending update: from now on the family sees it on their page. */
export async function approveFamilyUpdate(services: Services, origin: Origin, actor: Actor, updateId: string): Promise<FamilyUpdateView> {
  await requireFamily(services, origin, actor, "family.approve-update", updateId);
  const update = await services.db.selectFrom("family_updates").select(["id", "case_id", "state", "written_by"]).where("id", "=", updateId).where("org_id", "=", actor.orgId).executeTakeFirst();
  if (!update) throw new NotFound("no such family update");
  if (update.state !== "pending") throw new Conflict(`this update is already ${update.state}`);
  if (update.written_by === actor.userId && (await approvers(services, actor.orgId)) > 1) {
    await recordAudit(services.db, origin, { orgId: actor.orgId, actorId: actor.userId, action: "family.update.approve", outcome: "denied", targetType: "family-update", targetId: updateId, details: { reason: "own-update" } });
    throw new Forbidden("another administrator or editor must approve an update you wrote");
  }
  await services.db.transaction().execute(async (tx) => {
    const result = await tx.updateTable("family_updates").set({ state: "approved", approved_by: actor.userId, approved_at: services.now() }).where("id", "=", updateId).where("state", "=", "pending").executeTakeFirst();
    if (Number(result.numUpdatedRows) !== 1) throw new Conflict("this update was decided meanwhile");
    await recordAudit(tx, origin, { orgId: actor.orgId, actorId: actor.userId, action: "family.update.approve", targetType: "family-update", targetId: updateId, details: { case: update.case_id } });
  });
  return (await listFamilyUpdates(services, origin, actor, update.case_id)).find((u) => u.id === updateId)!;
}

/** Withdraws an update: pending ones are never shown, approved ones disappear from the family's page. */
export async function withdrawFamilyUpdate(services: Services, origin: Origin, actor: Actor, updateId: string): Promise<FamilyUpdateView> {
  await requireFamily(services, origin, actor, "family.write-update", updateId);
  const update = await services.db.selectFrom("family_updates").select(["case_id", "state"]).where("id", "=", updateId).where("org_id", "=", actor.orgId).executeTakeFirst();
  if (!update) throw new NotFound("no such family update");
  if (update.state === "withdrawn") throw new Conflict("this update is already withdrawn");
  await services.db.transaction().execute(async (tx) => {
    await tx.updateTable("family_updates").set({ state: "withdrawn", approved_by: null, approved_at: null }).where("id", "=", updateId).execute();
    await recordAudit(tx, origin, { orgId: actor.orgId, actorId: actor.userId, action: "family.update.withdraw", targetType: "family-update", targetId: updateId, details: { case: update.case_id } });
  });
  return (await listFamilyUpdates(services, origin, actor, update.case_id)).find((u) => u.id === updateId)!;
}

/** A case's updates, all states, oldest first; Sealed when the vault is. */
export async function listFamilyUpdates(services: Services, origin: Origin, actor: Actor, caseId: string): Promise<FamilyUpdateView[]> {
  await requireFamily(services, origin, actor, "family.write-update", caseId);
  await loadFamilyCase(services.db, actor, caseId);
  const rows = await services.db
    .selectFrom("family_updates as f")
    .innerJoin("users as w", "w.id", "f.written_by")
    .leftJoin("users as a", "a.id", "f.approved_by")
    .select(["f.id", "f.case_id", "f.body_sealed", "f.state", "w.name as writer", "f.written_by", "f.written_at", "a.name as approver", "f.approved_at"])
    .where("f.case_id", "=", caseId)
    .where("f.org_id", "=", actor.orgId)
    .orderBy("f.written_at")
    .orderBy("f.id")
    .execute();
  const views: FamilyUpdateView[] = [];
  for (const r of rows) {
    views.push({
      id: r.id,
      caseId: r.case_id,
      body: (await openForOrganisation<{ body: string }>(services, actor.orgId, r.body_sealed)).body,
      state: r.state as FamilyUpdateView["state"],
      writtenBy: r.writer,
      writtenById: r.written_by,
      writtenAt: new Date(r.written_at).toISOString(),
      approvedBy: r.approver,
      approvedAt: r.approved_at ? new Date(r.approved_at).toISOString() : null,
    });
  }
  return views;
}
