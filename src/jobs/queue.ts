// Putting work on the queue, reading it back, and cancelling it. The queue is the `jobs` table:
// whoever can write to the database can enqueue, inside their own transaction when the job must
// exist exactly when their change does.
import { randomUUID } from "node:crypto";
import type { Services, Tx } from "../context.ts";
import type { JobRow } from "../db/index.ts";

export type JobState = JobRow["state"];

export interface JobView {
  id: string;
  kind: string;
  orgId: string | null;
  ownerId: string | null;
  payload: unknown;
  uniqueKey: string | null;
  state: JobState;
  attempts: number;
  maxAttempts: number;
  runAt: Date;
  cancelRequested: boolean;
  progress: { done: number; total: number | null; message: string | null };
  result: unknown;
  error: string | null;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
}

export function jobView(row: JobRow): JobView {
  return {
    id: row.id,
    kind: row.kind,
    orgId: row.org_id,
    ownerId: row.owner_id,
    payload: row.payload,
    uniqueKey: row.unique_key,
    state: row.state,
    attempts: row.attempts,
    maxAttempts: row.max_attempts,
    runAt: row.run_at,
    cancelRequested: row.cancel_requested,
    progress: { done: row.progress_done, total: row.progress_total, message: row.progress_message },
    result: row.result ?? null,
    error: row.last_error,
    createdAt: row.created_at,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
  };
}

export const DEFAULT_MAX_ATTEMPTS = 5;
const KIND = /^[a-z][a-z0-9_.-]{0,63}$/;

export interface EnqueueInput {
  kind: string;
  payload?: unknown;
  /** The organisation and person the job works for: they see its progress. */
  orgId?: string | null;
  ownerId?: string | null;
  /** At most one job of this kind with this key ever exists: enqueueing it again returns the first. */
  uniqueKey?: string | null;
  /** Not before this time (default: now). */
  runAt?: Date;
  maxAttempts?: number;
  /** A chosen id, when the caller must name the job before it is written. */
  id?: string;
}

export interface Enqueued {
  id: string;
  /** false when a job with the same unique key already existed (then `id` is that job's). */
  created: boolean;
}

/**
 * Adds a job. Pass the caller's transaction as `db` so the job is queued if and only if the
 * caller's change commits.
 */
export async function enqueueJob(services: Pick<Services, "now">, db: Tx, input: EnqueueInput): Promise<Enqueued> {
  if (!KIND.test(input.kind)) throw new Error(`job kind "${input.kind}" is not a lowercase identifier`);
  const now = services.now();
  const id = input.id ?? randomUUID();
  const row = await db
    .insertInto("jobs")
    .values({
      id,
      kind: input.kind,
      org_id: input.orgId ?? null,
      owner_id: input.ownerId ?? null,
      payload: JSON.stringify(input.payload ?? {}),
      unique_key: input.uniqueKey ?? null,
      state: "queued",
      run_at: input.runAt ?? now,
      max_attempts: input.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
      created_at: now,
      updated_at: now,
    })
    .onConflict((oc) => oc.columns(["kind", "unique_key"]).where("unique_key", "is not", null).doNothing())
    .returning("id")
    .executeTakeFirst();
  if (row) return { id: row.id, created: true };
  const existing = await db.selectFrom("jobs").select("id").where("kind", "=", input.kind).where("unique_key", "=", input.uniqueKey!).executeTakeFirstOrThrow();
  return { id: existing.id, created: false };
}

export async function findJob(db: Tx, id: string): Promise<JobView | null> {
  const row = await db.selectFrom("jobs").selectAll().where("id", "=", id).executeTakeFirst();
  return row ? jobView(row) : null;
}

/**
 * Cancels a job: a queued one at once; a running one is asked to stop, and its worker marks it
 * cancelled when the handler has returned (the handler sees `signal.aborted`). Returns the state
 * after the request, or null when the job does not exist or had already finished.
 */
export async function cancelJob(services: Pick<Services, "now">, db: Tx, id: string): Promise<JobState | null> {
  const now = services.now();
  const queued = await db
    .updateTable("jobs")
    .set({ state: "cancelled", cancel_requested: true, finished_at: now, updated_at: now })
    .where("id", "=", id)
    .where("state", "=", "queued")
    .returning("state")
    .executeTakeFirst();
  if (queued) return queued.state;
  const running = await db
    .updateTable("jobs")
    .set({ cancel_requested: true, updated_at: now })
    .where("id", "=", id)
    .where("state", "=", "running")
    .returning("state")
    .executeTakeFirst();
  return running?.state ?? null;
}
