import { z } from "zod";
import { TooManyRequests, Unauthenticated } from "../core/index.ts";
import type { Origin, Services } from "../context.ts";
import { recordAudit } from "../audit/index.ts";
import { burnPasswordCheck, verifyPassword, PASSWORD_MAX } from "./passwords.ts";
import { clearFailures, recordFailure, secondsUntilAllowed, throttleKeys } from "./throttle.ts";
import { createSession, revokeSession, revokeUserSessions, type NewSession } from "./sessions.ts";
import { parseInput } from "./input.ts";
import { requireOwnAccount } from "./users.ts";
import type { Principal } from "./principal.ts";

export const SignInSchema = z.object({
  email: z.string().trim().toLowerCase().min(1).max(254),
  password: z.string().min(1).max(PASSWORD_MAX * 4),
});

export interface SignInResult extends NewSession {
  userId: string;
  secondFactorPending: boolean;
}

// One message for every failure: it never says whether the account exists.
const WRONG = "the email address or the password is not right";

export async function signIn(services: Services, origin: Origin, raw: unknown): Promise<SignInResult> {
  const input = parseInput(SignInSchema, raw);
  const now = services.now();
  const keys = throttleKeys(input.email, origin.ip);
  const wait = await secondsUntilAllowed(services.db, keys, now);
  if (wait > 0) {
    await recordAudit(services.db, origin, { orgId: null, actorId: null, actorLabel: input.email, action: "auth.sign-in", outcome: "denied", details: { reason: "throttled" } });
    throw new TooManyRequests(`too many failed attempts: wait ${wait} seconds`, wait);
  }
  const user = await services.db
    .selectFrom("users as u")
    .innerJoin("memberships as m", "m.user_id", "u.id")
    .innerJoin("organisations as o", "o.id", "m.org_id")
    .select(["u.id", "u.password_hash", "u.totp_enabled_at", "u.deactivated_at", "m.org_id", "o.require_totp"])
    .where("u.email", "=", input.email)
    .orderBy("m.created_at")
    .executeTakeFirst();
  const passwordOk = user ? await verifyPassword(user.password_hash, input.password) : (await burnPasswordCheck(input.password), false);
  if (!user || !passwordOk || user.deactivated_at) {
    await services.db.transaction().execute(async (tx) => {
      await recordFailure(tx, keys, now);
      await recordAudit(tx, origin, {
        orgId: user?.org_id ?? null,
        actorId: user?.id ?? null,
        actorLabel: input.email,
        action: "auth.sign-in",
        outcome: "failed",
        details: { reason: !user ? "unknown-account" : user.deactivated_at ? "deactivated" : "wrong-password" },
      });
    });
    throw new Unauthenticated(WRONG);
  }
  return services.db.transaction().execute(async (tx) => {
    await clearFailures(tx, keys);
    const pending = user.totp_enabled_at !== null || user.require_totp;
    const session = await createSession(services, tx, origin, user.id, user.org_id, pending);
    await recordAudit(tx, origin, {
      orgId: user.org_id,
      actorId: user.id,
      action: pending ? "auth.password-accepted" : "auth.sign-in",
      targetType: "session",
      targetId: session.id.slice(0, 16),
    });
    return { ...session, userId: user.id, secondFactorPending: pending };
  });
}

export async function signOut(services: Services, origin: Origin, principal: Principal): Promise<void> {
  if (!principal.sessionId) return;
  const sessionId = principal.sessionId;
  await services.db.transaction().execute(async (tx) => {
    await revokeSession(tx, sessionId, services.now());
    await recordAudit(tx, origin, { orgId: principal.org.id, actorId: principal.user.id, action: "auth.sign-out" });
  });
}

/** Ends every session of the caller, on every device, this one included. */
export async function signOutEverywhere(services: Services, origin: Origin, principal: Principal): Promise<number> {
  await requireOwnAccount(services, origin, principal, "auth.sign-out-everywhere");
  return services.db.transaction().execute(async (tx) => {
    const count = await revokeUserSessions(tx, principal.user.id, services.now());
    await recordAudit(tx, origin, { orgId: principal.org.id, actorId: principal.user.id, action: "auth.sign-out-everywhere", details: { sessions: count } });
    return count;
  });
}
