// Recurring jobs. A schedule fires every N seconds; each occurrence is one job whose unique key is
// the schedule's name and the occurrence's time, so several processes firing it together enqueue
// it once, and a runner that was down for a while runs one catch-up occurrence, not a backlog.
import { sql } from "kysely";
import type { Services, Tx } from "../context.ts";
import { enqueueJob } from "./queue.ts";

export interface ScheduleInput {
  /** Stable name, e.g. `alerts.evaluate:<org>`; the same name updates the schedule. */
  name: string;
  kind: string;
  everySeconds: number;
  payload?: unknown;
  orgId?: string | null;
  /** First occurrence (default: now). Changing other fields of an existing schedule keeps its next occurrence. */
  firstRunAt?: Date;
  maxAttempts?: number;
}

const NAME = /^[a-z0-9][a-z0-9_.:-]{0,199}$/;

export async function upsertSchedule(services: Pick<Services, "now">, db: Tx, input: ScheduleInput): Promise<void> {
  if (!NAME.test(input.name)) throw new Error(`schedule name "${input.name}" must be lowercase letters, digits and _ . : -`);
  if (!Number.isInteger(input.everySeconds) || input.everySeconds < 1 || input.everySeconds > 31_622_400) {
    throw new Error("a schedule runs every 1 second to 366 days");
  }
  const now = services.now();
  await db
    .insertInto("job_schedules")
    .values({
      name: input.name,
      kind: input.kind,
      org_id: input.orgId ?? null,
      payload: JSON.stringify(input.payload ?? {}),
      every_seconds: input.everySeconds,
      next_run_at: input.firstRunAt ?? now,
      created_at: now,
      updated_at: now,
    })
    .onConflict((oc) =>
      oc.column("name").doUpdateSet((eb) => ({
        kind: eb.ref("excluded.kind"),
        org_id: eb.ref("excluded.org_id"),
        payload: eb.ref("excluded.payload"),
        every_seconds: eb.ref("excluded.every_seconds"),
        updated_at: eb.ref("excluded.updated_at"),
      })),
    )
    .execute();
}

export async function pauseSchedule(services: Pick<Services, "now">, db: Tx, name: string, paused: boolean): Promise<boolean> {
  const result = await db.updateTable("job_schedules").set({ paused, updated_at: services.now() }).where("name", "=", name).executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

export async function removeSchedule(db: Tx, name: string): Promise<boolean> {
  const result = await db.deleteFrom("job_schedules").where("name", "=", name).executeTakeFirst();
  return result.numDeletedRows > 0n;
}

/** The first occurrence strictly after `now`, on the schedule's grid from `next`. */
export function nextOccurrence(next: Date, everySeconds: number, now: Date): Date {
  const step = everySeconds * 1000;
  const behind = now.getTime() - next.getTime();
  const steps = behind < 0 ? 1 : Math.floor(behind / step) + 1;
  return new Date(next.getTime() + steps * step);
}

/**
 * Enqueues one job for every due schedule of the given kinds and moves each schedule on. Rows are
 * locked with SKIP LOCKED, so runners firing at once split the schedules between them; the unique
 * key makes a second enqueue of the same occurrence a no-op in any case.
 */
export async function fireDueSchedules(services: Pick<Services, "db" | "now">, kinds: readonly string[], maxAttempts?: (kind: string) => number | undefined): Promise<number> {
  if (kinds.length === 0) return 0;
  const now = services.now();
  return services.db.transaction().execute(async (tx) => {
    const due = await sql<{ name: string; kind: string; org_id: string | null; payload: unknown; every_seconds: number; next_run_at: Date }>`
      select name, kind, org_id, payload, every_seconds, next_run_at from job_schedules
      where not paused and next_run_at <= ${now} and kind = any(${sql.val([...kinds])}::text[])
      order by next_run_at, name
      for update skip locked`.execute(tx);
    let fired = 0;
    for (const schedule of due.rows) {
      const enqueued = await enqueueJob(services, tx, {
        kind: schedule.kind,
        orgId: schedule.org_id,
        payload: schedule.payload,
        uniqueKey: `schedule:${schedule.name}@${schedule.next_run_at.toISOString()}`,
        runAt: schedule.next_run_at,
        ...(maxAttempts?.(schedule.kind) !== undefined ? { maxAttempts: maxAttempts(schedule.kind)! } : {}),
      });
      if (enqueued.created) fired++;
      await tx
        .updateTable("job_schedules")
        .set({ next_run_at: nextOccurrence(schedule.next_run_at, schedule.every_seconds, now), updated_at: now })
        .where("name", "=", schedule.name)
        .execute();
    }
    return fired;
  });
}
