import { z } from "zod";
import { can, Conflict, Invalid, isRole, NotFound, ROLES, type Role } from "../core/index.ts";
import type { Origin, Services } from "../context.ts";
import { recordAudit, requirePermission } from "../audit/index.ts";
import { checkPasswordStrength, hashPassword, verifyPassword } from "./passwords.ts";
import { revokeUserSessions } from "./sessions.ts";
import { parseInput } from "./input.ts";
import type { Principal } from "./principal.ts";

export interface MemberView {
  id: string;
  name: string;
  email: string;
  role: Role;
  totpEnabled: boolean;
  deactivatedAt: Date | null;
  createdAt: Date;
}

export async function listMembers(services: Services, origin: Origin, principal: Principal): Promise<MemberView[]> {
  const { actor } = principal;
  await requirePermission(services, origin, can(actor, "user.list", { kind: "organisation", orgId: actor.orgId }), actor, "user.list", { type: "organisation", id: actor.orgId });
  const rows = await services.db
    .selectFrom("users as u")
    .innerJoin("memberships as m", "m.user_id", "u.id")
    .select(["u.id", "u.name", "u.email", "m.role", "u.totp_enabled_at", "u.deactivated_at", "u.created_at"])
    .where("m.org_id", "=", actor.orgId)
    .orderBy("u.deactivated_at", (ob) => ob.desc().nullsFirst())
    .orderBy("u.name")
    .execute();
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    email: r.email,
    role: isRole(r.role) ? r.role : "viewer",
    totpEnabled: r.totp_enabled_at !== null,
    deactivatedAt: r.deactivated_at,
    createdAt: r.created_at,
  }));
}

async function memberOf(services: Services, orgId: string, userId: string) {
  const row = await services.db
    .selectFrom("memberships as m")
    .innerJoin("users as u", "u.id", "m.user_id")
    .select(["m.role", "u.deactivated_at", "u.email"])
    .where("m.org_id", "=", orgId)
    .where("m.user_id", "=", userId)
    .executeTakeFirst();
  // A user of another organisation is simply not found: we do not confirm it exists.
  if (!row) throw new NotFound("no such user in your organisation");
  return row;
}

async function countActiveAdmins(services: Services, orgId: string): Promise<number> {
  const row = await services.db
    .selectFrom("memberships as m")
    .innerJoin("users as u", "u.id", "m.user_id")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .where("m.org_id", "=", orgId)
    .where("m.role", "=", "admin")
    .where("u.deactivated_at", "is", null)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

export const RoleSchema = z.object({ role: z.enum(ROLES) });

export async function changeRole(services: Services, origin: Origin, principal: Principal, userId: string, raw: unknown): Promise<void> {
  const { actor } = principal;
  await requirePermission(services, origin, can(actor, "user.change-role", { kind: "user", orgId: actor.orgId, userId }), actor, "user.change-role", { type: "user", id: userId });
  const member = await memberOf(services, actor.orgId, userId);
  const { role } = parseInput(RoleSchema, raw);
  if (member.role === role) return;
  if (member.role === "admin" && !member.deactivated_at && (await countActiveAdmins(services, actor.orgId)) <= 1) {
    throw new Conflict("an organisation must keep at least one active administrator");
  }
  await services.db.transaction().execute(async (tx) => {
    await tx.updateTable("memberships").set({ role, updated_at: services.now() }).where("org_id", "=", actor.orgId).where("user_id", "=", userId).execute();
    await recordAudit(tx, origin, { orgId: actor.orgId, actorId: actor.userId, action: "user.change-role", targetType: "user", targetId: userId, details: { from: member.role, to: role } });
  });
}

/** Deactivation, never deletion: the person's history stays; their sessions and tokens end now. */
export async function setActive(services: Services, origin: Origin, principal: Principal, userId: string, active: boolean): Promise<void> {
  const { actor } = principal;
  await requirePermission(services, origin, can(actor, "user.deactivate", { kind: "user", orgId: actor.orgId, userId }), actor, "user.deactivate", { type: "user", id: userId });
  const member = await memberOf(services, actor.orgId, userId);
  if (!active && member.role === "admin" && !member.deactivated_at && (await countActiveAdmins(services, actor.orgId)) <= 1) {
    throw new Conflict("an organisation must keep at least one active administrator");
  }
  const now = services.now();
  await services.db.transaction().execute(async (tx) => {
    await tx.updateTable("users").set({ deactivated_at: active ? null : now }).where("id", "=", userId).execute();
    if (!active) {
      await revokeUserSessions(tx, userId, now);
      await tx.updateTable("api_tokens").set({ revoked_at: now }).where("user_id", "=", userId).where("revoked_at", "is", null).execute();
    }
    await recordAudit(tx, origin, { orgId: actor.orgId, actorId: actor.userId, action: active ? "user.reactivate" : "user.deactivate", targetType: "user", targetId: userId });
  });
}

/** Changes to one's own account: a person always may; a token only with the write scope. */
export async function requireOwnAccount(services: Services, origin: Origin, principal: Principal, action: string): Promise<void> {
  const own = { kind: "own-account", userId: principal.user.id } as const;
  await requirePermission(services, origin, can(principal.actor, "account.manage", own), principal.actor, action, { type: "user", id: principal.user.id });
}

export const PasswordChangeSchema = z.object({ current: z.string().max(1024), password: z.string().max(1024) });

export async function changePassword(services: Services, origin: Origin, principal: Principal, raw: unknown): Promise<void> {
  await requireOwnAccount(services, origin, principal, "account.password.change");
  const input = parseInput(PasswordChangeSchema, raw);
  const row = await services.db.selectFrom("users").select("password_hash").where("id", "=", principal.user.id).executeTakeFirstOrThrow();
  if (!(await verifyPassword(row.password_hash, input.current))) {
    await recordAudit(services.db, origin, { orgId: principal.org.id, actorId: principal.user.id, action: "account.password.change", outcome: "failed" });
    throw new Invalid("the current password is not right", { current: "the current password is not right" });
  }
  checkPasswordStrength(input.password, principal.user);
  const hash = await hashPassword(input.password);
  const now = services.now();
  await services.db.transaction().execute(async (tx) => {
    await tx.updateTable("users").set({ password_hash: hash, password_changed_at: now }).where("id", "=", principal.user.id).execute();
    // Every other session ends: whoever knew the old password is out.
    await tx
      .updateTable("sessions")
      .set({ revoked_at: now })
      .where("user_id", "=", principal.user.id)
      .where("revoked_at", "is", null)
      .$if(principal.sessionId !== null, (q) => q.where("id", "!=", principal.sessionId!))
      .execute();
    await recordAudit(tx, origin, { orgId: principal.org.id, actorId: principal.user.id, action: "account.password.change" });
  });
}

export const LOCALES = ["en", "ug", "zh-Hans"] as const;
export const PreferencesSchema = z.object({ locale: z.enum([...LOCALES, ""]).transform((v) => v || null) });

export async function setPreferences(services: Services, origin: Origin, principal: Principal, raw: unknown): Promise<void> {
  await requireOwnAccount(services, origin, principal, "account.preferences");
  const { locale } = parseInput(PreferencesSchema, raw);
  await services.db.transaction().execute(async (tx) => {
    await tx.updateTable("users").set({ locale }).where("id", "=", principal.user.id).execute();
    await recordAudit(tx, origin, { orgId: principal.org.id, actorId: principal.user.id, action: "account.preferences", details: { locale } });
  });
}

export const OrganisationSettingsSchema = z.object({ requireTotp: z.boolean() });

export async function configureOrganisation(services: Services, origin: Origin, principal: Principal, raw: unknown): Promise<void> {
  const { actor } = principal;
  await requirePermission(services, origin, can(actor, "organisation.configure", { kind: "organisation", orgId: actor.orgId }), actor, "organisation.configure", { type: "organisation", id: actor.orgId });
  const input = parseInput(OrganisationSettingsSchema, raw);
  await services.db.transaction().execute(async (tx) => {
    await tx.updateTable("organisations").set({ require_totp: input.requireTotp }).where("id", "=", actor.orgId).execute();
    await recordAudit(tx, origin, { orgId: actor.orgId, actorId: actor.userId, action: "organisation.configure", targetType: "organisation", targetId: actor.orgId, details: input });
  });
}

export async function listSessions(services: Services, principal: Principal) {
  return services.db
    .selectFrom("sessions")
    .select(["id", "created_at", "last_seen_at", "ip", "user_agent", "second_factor_pending"])
    .where("user_id", "=", principal.user.id)
    .where("revoked_at", "is", null)
    .where("expires_at", ">", services.now())
    .where("last_seen_at", ">", new Date(services.now().getTime() - services.config.sessionIdleMinutes * 60_000))
    .orderBy("last_seen_at", "desc")
    .execute();
}
