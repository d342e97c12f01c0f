import { randomUUID } from "node:crypto";
import { z } from "zod";
import { can, Conflict, hashToken, NotFound, randomToken, ROLES } from "../core/index.ts";
import type { Origin, Services } from "../context.ts";
import { recordAudit, requirePermission } from "../audit/index.ts";
import { checkPasswordStrength, hashPassword } from "./passwords.ts";
import { emailSchema, nameSchema, parseInput } from "./input.ts";
import { newPseudonym } from "./setup.ts";
import type { Principal } from "./principal.ts";

export const INVITATION_PREFIX = "vgi";

export const InvitationSchema = z.object({ email: emailSchema, role: z.enum(ROLES) });

export interface CreatedInvitation {
  id: string;
  token: string;
  expiresAt: Date;
}

/** Creates a one-time invitation link. The token is returned once and stored only as a hash. */
export async function inviteMember(services: Services, origin: Origin, principal: Principal, raw: unknown): Promise<CreatedInvitation> {
  const { actor } = principal;
  await requirePermission(services, origin, can(actor, "user.invite", { kind: "organisation", orgId: actor.orgId }), actor, "user.invite", { type: "organisation", id: actor.orgId });
  const input = parseInput(InvitationSchema, raw);
  const existing = await services.db
    .selectFrom("users as u")
    .innerJoin("memberships as m", "m.user_id", "u.id")
    .select("u.id")
    .where("u.email", "=", input.email)
    .where("m.org_id", "=", actor.orgId)
    .executeTakeFirst();
  if (existing) throw new Conflict("this person is already a member");
  const token = randomToken(INVITATION_PREFIX);
  const id = randomUUID();
  const expiresAt = new Date(services.now().getTime() + services.config.invitationDays * 86_400_000);
  await services.db.transaction().execute(async (tx) => {
    // A new invitation for the same address replaces the old one.
    await tx
      .updateTable("invitations")
      .set({ revoked_at: services.now() })
      .where("org_id", "=", actor.orgId)
      .where("email", "=", input.email)
      .where("accepted_at", "is", null)
      .where("revoked_at", "is", null)
      .execute();
    await tx
      .insertInto("invitations")
      .values({ id, org_id: actor.orgId, email: input.email, role: input.role, token_hash: hashToken(token), invited_by: actor.userId, expires_at: expiresAt })
      .execute();
    await recordAudit(tx, origin, { orgId: actor.orgId, actorId: actor.userId, action: "user.invite", targetType: "invitation", targetId: id, details: { role: input.role } });
  });
  return { id, token, expiresAt };
}

export async function listInvitations(services: Services, origin: Origin, principal: Principal) {
  const { actor } = principal;
  await requirePermission(services, origin, can(actor, "user.invite", { kind: "organisation", orgId: actor.orgId }), actor, "user.invite", { type: "organisation", id: actor.orgId });
  return services.db
    .selectFrom("invitations")
    .select(["id", "email", "role", "expires_at", "created_at"])
    .where("org_id", "=", actor.orgId)
    .where("accepted_at", "is", null)
    .where("revoked_at", "is", null)
    .where("expires_at", ">", services.now())
    .orderBy("created_at", "desc")
    .execute();
}

export async function revokeInvitation(services: Services, origin: Origin, principal: Principal, invitationId: string): Promise<void> {
  const { actor } = principal;
  await requirePermission(services, origin, can(actor, "user.invite", { kind: "organisation", orgId: actor.orgId }), actor, "user.invite", { type: "invitation", id: invitationId });
  await services.db.transaction().execute(async (tx) => {
    const result = await tx
      .updateTable("invitations")
      .set({ revoked_at: services.now() })
      .where("id", "=", invitationId)
      .where("org_id", "=", actor.orgId)
      .where("accepted_at", "is", null)
      .where("revoked_at", "is", null)
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) === 0) throw new NotFound("no such open invitation");
    await recordAudit(tx, origin, { orgId: actor.orgId, actorId: actor.userId, action: "user.invite.revoke", targetType: "invitation", targetId: invitationId });
  });
}

/** What the invitation page shows before the person accepts. */
export async function findOpenInvitation(services: Services, token: string) {
  if (!token.startsWith(`${INVITATION_PREFIX}_`) || token.length > 100) return null;
  const row = await services.db
    .selectFrom("invitations as i")
    .innerJoin("organisations as o", "o.id", "i.org_id")
    .select(["i.id", "i.email", "i.role", "i.org_id", "i.expires_at", "i.accepted_at", "i.revoked_at", "o.name as org_name"])
    .where("i.token_hash", "=", hashToken(token))
    .executeTakeFirst();
  if (!row || row.accepted_at || row.revoked_at || row.expires_at <= services.now()) return null;
  return row;
}

export const AcceptSchema = z.object({ name: nameSchema, password: z.string().max(1024) });

/** Accepting creates the account; the link then stops working. */
export async function acceptInvitation(services: Services, origin: Origin, token: string, raw: unknown): Promise<{ userId: string; orgId: string }> {
  const input = parseInput(AcceptSchema, raw);
  const invitation = await findOpenInvitation(services, token);
  if (!invitation) throw new NotFound("this invitation is not valid: it may have expired, been used or been withdrawn");
  checkPasswordStrength(input.password, { email: invitation.email, name: input.name });
  const taken = await services.db.selectFrom("users").select("id").where("email", "=", invitation.email).executeTakeFirst();
  if (taken) throw new Conflict("an account with this email address exists already: ask your administrator");
  const passwordHash = await hashPassword(input.password);
  const userId = randomUUID();
  await services.db.transaction().execute(async (tx) => {
    // Claim the invitation first: of two racing acceptances only one updates the row.
    const claimed = await tx
      .updateTable("invitations")
      .set({ accepted_at: services.now(), accepted_by: null })
      .where("id", "=", invitation.id)
      .where("accepted_at", "is", null)
      .where("revoked_at", "is", null)
      .executeTakeFirst();
    if (Number(claimed.numUpdatedRows) === 0) throw new Conflict("this invitation has just been used");
    await tx
      .insertInto("users")
      .values({ id: userId, email: invitation.email, name: input.name, password_hash: passwordHash, pseudonym: newPseudonym(), locale: null })
      .execute();
    await tx.insertInto("memberships").values({ user_id: userId, org_id: invitation.org_id, role: invitation.role }).execute();
    await tx.updateTable("invitations").set({ accepted_by: userId }).where("id", "=", invitation.id).execute();
    await recordAudit(tx, origin, { orgId: invitation.org_id, actorId: userId, action: "user.invite.accept", targetType: "invitation", targetId: invitation.id, details: { role: invitation.role } });
  });
  return { userId, orgId: invitation.org_id };
}
