import { hashToken, randomToken } from "../core/index.ts";
import type { Origin, Services, Tx } from "../context.ts";
import type { SessionRow } from "../db/index.ts";

export const SESSION_TOKEN_PREFIX = "vs";
// Writing last_seen_at on every request would turn each page view into a write; a minute is precise enough.
const TOUCH_INTERVAL_MS = 60_000;

export interface NewSession {
  token: string;
  id: string;
}

export async function createSession(
  services: Services,
  tx: Tx,
  origin: Origin,
  userId: string,
  orgId: string,
  secondFactorPending: boolean,
): Promise<NewSession> {
  const token = randomToken(SESSION_TOKEN_PREFIX);
  const id = hashToken(token);
  const now = services.now();
  await tx
    .insertInto("sessions")
    .values({
      id,
      user_id: userId,
      org_id: orgId,
      second_factor_pending: secondFactorPending,
      created_at: now,
      last_seen_at: now,
      expires_at: new Date(now.getTime() + services.config.sessionMaxHours * 3_600_000),
      ip: origin.ip,
      user_agent: origin.userAgent?.slice(0, 300) ?? null,
    })
    .execute();
  return { token, id };
}

export function isSessionLive(services: Services, session: SessionRow, now: Date): boolean {
  if (session.revoked_at) return false;
  if (session.expires_at <= now) return false;
  return now.getTime() - session.last_seen_at.getTime() <= services.config.sessionIdleMinutes * 60_000;
}

/** Finds a live session by its cookie value, and marks it as used. */
export async function findLiveSession(services: Services, token: string): Promise<SessionRow | null> {
  if (!token.startsWith(`${SESSION_TOKEN_PREFIX}_`) || token.length > 100) return null;
  const now = services.now();
  const session = await services.db.selectFrom("sessions").selectAll().where("id", "=", hashToken(token)).executeTakeFirst();
  if (!session || !isSessionLive(services, session, now)) return null;
  if (now.getTime() - session.last_seen_at.getTime() > TOUCH_INTERVAL_MS) {
    await services.db.updateTable("sessions").set({ last_seen_at: now }).where("id", "=", session.id).execute();
  }
  return session;
}

export async function revokeSession(tx: Tx, sessionId: string, now: Date): Promise<void> {
  await tx.updateTable("sessions").set({ revoked_at: now }).where("id", "=", sessionId).where("revoked_at", "is", null).execute();
}

export async function revokeUserSessions(tx: Tx, userId: string, now: Date): Promise<number> {
  const result = await tx
    .updateTable("sessions")
    .set({ revoked_at: now })
    .where("user_id", "=", userId)
    .where("revoked_at", "is", null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}
