import { sql } from "kysely";
import type { Tx } from "../context.ts";

/**
 * Sign-in throttling, per account and per address. The first FREE_FAILURES failures cost nothing;
 * after that each failure doubles the wait, up to MAX_DELAY. Keys name the email as typed, so an
 * account that does not exist is throttled exactly like one that does.
 */
export const FREE_FAILURES = 5;
const BASE_DELAY_SECONDS = 2;
const MAX_DELAY_SECONDS = 15 * 60;
// Failures older than this are forgotten.
const FORGET_AFTER_MS = 24 * 60 * 60 * 1000;

export function throttleKeys(email: string, ip: string | null): string[] {
  const keys = [`account:${email.trim().toLowerCase()}`];
  if (ip) keys.push(`address:${ip}`);
  return keys;
}

export function delayAfter(failures: number): number {
  if (failures < FREE_FAILURES) return 0;
  return Math.min(MAX_DELAY_SECONDS, BASE_DELAY_SECONDS * 2 ** (failures - FREE_FAILURES));
}

/** Seconds to wait before another attempt, 0 if none. */
export async function secondsUntilAllowed(db: Tx, keys: string[], now: Date): Promise<number> {
  const rows = await db.selectFrom("login_throttle").select(["blocked_until", "last_failure_at"]).where("key", "in", keys).execute();
  let wait = 0;
  for (const row of rows) {
    if (row.blocked_until && row.blocked_until > now && now.getTime() - row.last_failure_at.getTime() < FORGET_AFTER_MS) {
      wait = Math.max(wait, Math.ceil((row.blocked_until.getTime() - now.getTime()) / 1000));
    }
  }
  return wait;
}

export async function recordFailure(db: Tx, keys: string[], now: Date): Promise<void> {
  for (const key of keys) {
    const forgetBefore = new Date(now.getTime() - FORGET_AFTER_MS);
    const row = await db
      .insertInto("login_throttle")
      .values({ key, failures: 1, last_failure_at: now })
      .onConflict((oc) =>
        oc.column("key").doUpdateSet({
          failures: sql`case when login_throttle.last_failure_at < ${forgetBefore} then 1 else login_throttle.failures + 1 end`,
          last_failure_at: now,
        }),
      )
      .returning("failures")
      .executeTakeFirstOrThrow();
    const delay = delayAfter(row.failures);
    await db
      .updateTable("login_throttle")
      .set({ blocked_until: delay > 0 ? new Date(now.getTime() + delay * 1000) : null })
      .where("key", "=", key)
      .execute();
  }
}

export async function clearFailures(db: Tx, keys: string[]): Promise<void> {
  await db.deleteFrom("login_throttle").where("key", "in", keys).execute();
}
