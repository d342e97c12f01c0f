import { createHash, randomBytes, randomUUID } from "node:crypto";
import QRCode from "qrcode";
import {
  Conflict, encodeBase32, Forbidden, Invalid, openSecret, otpauthUri, sealSecret,
  TooManyRequests, Unauthenticated, verifyTotp,
} from "../core/index.ts";
import type { Origin, Services, Tx } from "../context.ts";
import { recordAudit } from "../audit/index.ts";
import { verifyPassword } from "./passwords.ts";
import { createSession, revokeSession, type NewSession } from "./sessions.ts";
import { clearFailures, recordFailure, secondsUntilAllowed } from "./throttle.ts";
import type { Principal } from "./principal.ts";
import { requireOwnAccount } from "./users.ts";

const RECOVERY_CODE_COUNT = 10;

function secretContext(userId: string): string {
  return `users.totp_secret_enc:${userId}`;
}

function hashRecoveryCode(code: string): string {
  return createHash("sha256").update(code.toLowerCase().replace(/[^a-z2-7]/g, ""), "utf8").digest("hex");
}

/** Recovery codes: 60 random bits each, shown once, stored hashed, each usable once. */
function newRecoveryCode(): string {
  const raw = encodeBase32(randomBytes(8)).slice(0, 12).toLowerCase();
  return `${raw.slice(0, 4)}-${raw.slice(4, 8)}-${raw.slice(8, 12)}`;
}

async function replaceRecoveryCodes(tx: Tx, userId: string): Promise<string[]> {
  await tx.deleteFrom("recovery_codes").where("user_id", "=", userId).execute();
  const codes = Array.from({ length: RECOVERY_CODE_COUNT }, newRecoveryCode);
  await tx
    .insertInto("recovery_codes")
    .values(codes.map((code) => ({ id: randomUUID(), user_id: userId, code_hash: hashRecoveryCode(code) })))
    .execute();
  return codes;
}

export interface Enrolment {
  secret: string;
  uri: string;
  qrSvg: string;
}

/**
 * Starts enrolment: a secret that is not active until a code from it is confirmed. Showing the page
 * again shows the same secret, so a mistyped code does not force a second scan.
 */
export async function startEnrolment(services: Services, principal: Principal): Promise<Enrolment> {
  if (principal.user.totpEnabled) throw new Conflict("a second factor is already set up");
  let secret = (await readSecret(services, principal.user.id))?.secret;
  if (!secret) {
    secret = randomBytes(20);
    await services.db
      .updateTable("users")
      .set({ totp_secret_enc: sealSecret(services.appKey, secret, secretContext(principal.user.id)) })
      .where("id", "=", principal.user.id)
      .execute();
  }
  const uri = otpauthUri(secret, principal.user.email, `Vigil (${principal.org.name})`);
  return { secret: encodeBase32(secret), uri, qrSvg: await QRCode.toString(uri, { type: "svg", margin: 2 }) };
}

async function readSecret(services: Services, userId: string): Promise<{ secret: Buffer; lastStep: number | null } | null> {
  const row = await services.db.selectFrom("users").select(["totp_secret_enc", "totp_last_step"]).where("id", "=", userId).executeTakeFirst();
  if (!row?.totp_secret_enc) return null;
  return { secret: openSecret(services.appKey, row.totp_secret_enc, secretContext(userId)), lastStep: row.totp_last_step };
}

/** Confirms enrolment with a code from the app; returns the recovery codes, shown once. */
export async function confirmEnrolment(services: Services, origin: Origin, principal: Principal, code: string): Promise<string[]> {
  await requireOwnAccount(services, origin, principal, "account.second-factor.enable");
  if (principal.user.totpEnabled) throw new Conflict("a second factor is already set up");
  const stored = await readSecret(services, principal.user.id);
  if (!stored) throw new Invalid("start the set-up again", { code: "start the set-up again" });
  const step = verifyTotp(stored.secret, code, services.now(), null);
  if (step === null) throw new Invalid("that code is not right: check your device's clock", { code: "that code is not right" });
  return services.db.transaction().execute(async (tx) => {
    await tx.updateTable("users").set({ totp_enabled_at: services.now(), totp_last_step: step }).where("id", "=", principal.user.id).execute();
    const codes = await replaceRecoveryCodes(tx, principal.user.id);
    await recordAudit(tx, origin, { orgId: principal.org.id, actorId: principal.user.id, action: "account.second-factor.enable", targetType: "user", targetId: principal.user.id });
    return codes;
  });
}

/**
 * Completes a sign-in whose second factor is pending, with a code from the app or a recovery code.
 * The pending session is replaced by a new one, so its cookie is worth nothing afterwards.
 */
export async function completeSecondFactor(services: Services, origin: Origin, principal: Principal, code: string): Promise<NewSession> {
  if (!principal.secondFactorPending || !principal.sessionId) throw new Conflict("no second factor is awaited");
  const pendingSession = principal.sessionId;
  const now = services.now();
  const keys = [`second-factor:${principal.user.id}`];
  const wait = await secondsUntilAllowed(services.db, keys, now);
  if (wait > 0) throw new TooManyRequests(`too many wrong codes: wait ${wait} seconds`, wait);
  const stored = await readSecret(services, principal.user.id);
  if (!stored || !principal.user.totpEnabled) throw new Forbidden("set up a second factor first");

  const step = verifyTotp(stored.secret, code, now, stored.lastStep);
  let recoveryId: string | null = null;
  if (step === null) {
    const row = await services.db
      .selectFrom("recovery_codes")
      .select("id")
      .where("user_id", "=", principal.user.id)
      .where("code_hash", "=", hashRecoveryCode(code))
      .where("used_at", "is", null)
      .executeTakeFirst();
    recoveryId = row?.id ?? null;
  }
  if (step === null && recoveryId === null) {
    await services.db.transaction().execute(async (tx) => {
      await recordFailure(tx, keys, now);
      await recordAudit(tx, origin, { orgId: principal.org.id, actorId: principal.user.id, action: "auth.second-factor", outcome: "failed" });
    });
    throw new Unauthenticated("that code is not right");
  }
  return services.db.transaction().execute(async (tx) => {
    if (step !== null) await tx.updateTable("users").set({ totp_last_step: step }).where("id", "=", principal.user.id).execute();
    if (recoveryId) await tx.updateTable("recovery_codes").set({ used_at: now }).where("id", "=", recoveryId).execute();
    await clearFailures(tx, keys);
    await revokeSession(tx, pendingSession, now);
    const session = await createSession(services, tx, origin, principal.user.id, principal.org.id, false);
    await recordAudit(tx, origin, {
      orgId: principal.org.id,
      actorId: principal.user.id,
      action: "auth.sign-in",
      details: { secondFactor: recoveryId ? "recovery-code" : "totp" },
    });
    return session;
  });
}

/** After enrolling during a pending sign-in (organisation requires it), the session is promoted. */
export async function promoteAfterEnrolment(services: Services, origin: Origin, principal: Principal): Promise<NewSession> {
  if (!principal.sessionId) throw new Conflict("no session");
  const pendingSession = principal.sessionId;
  return services.db.transaction().execute(async (tx) => {
    await revokeSession(tx, pendingSession, services.now());
    const session = await createSession(services, tx, origin, principal.user.id, principal.org.id, false);
    await recordAudit(tx, origin, { orgId: principal.org.id, actorId: principal.user.id, action: "auth.sign-in", details: { secondFactor: "enrolled" } });
    return session;
  });
}

export async function disableSecondFactor(services: Services, origin: Origin, principal: Principal, password: string): Promise<void> {
  await requireOwnAccount(services, origin, principal, "account.second-factor.disable");
  if (principal.org.requireTotp) throw new Forbidden("your organisation requires a second factor");
  const row = await services.db.selectFrom("users").select("password_hash").where("id", "=", principal.user.id).executeTakeFirstOrThrow();
  if (!(await verifyPassword(row.password_hash, password))) throw new Invalid("the password is not right", { password: "the password is not right" });
  await services.db.transaction().execute(async (tx) => {
    await tx.updateTable("users").set({ totp_secret_enc: null, totp_enabled_at: null, totp_last_step: null }).where("id", "=", principal.user.id).execute();
    await tx.deleteFrom("recovery_codes").where("user_id", "=", principal.user.id).execute();
    await recordAudit(tx, origin, { orgId: principal.org.id, actorId: principal.user.id, action: "account.second-factor.disable", targetType: "user", targetId: principal.user.id });
  });
}

export async function regenerateRecoveryCodes(services: Services, origin: Origin, principal: Principal): Promise<string[]> {
  await requireOwnAccount(services, origin, principal, "account.recovery-codes.regenerate");
  if (!principal.user.totpEnabled) throw new Conflict("set up a second factor first");
  return services.db.transaction().execute(async (tx) => {
    const codes = await replaceRecoveryCodes(tx, principal.user.id);
    await recordAudit(tx, origin, { orgId: principal.org.id, actorId: principal.user.id, action: "account.recovery-codes.regenerate" });
    return codes;
  });
}

export async function countUnusedRecoveryCodes(services: Services, userId: string): Promise<number> {
  const row = await services.db
    .selectFrom("recovery_codes")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .where("user_id", "=", userId)
    .where("used_at", "is", null)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}
