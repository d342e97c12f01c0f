// Background work on the database: a queue any process can add to, runners that claim with
// FOR UPDATE SKIP LOCKED under leases, retries with backoff, progress, cancellation, schedules.
// docs/architecture.md ("Background jobs") shows how a capability defines and enqueues a job.
import { can, NotFound, type Actor } from "../core/index.ts";
import type { Services } from "../context.ts";
import { cancelJob, findJob, type JobState, type JobView } from "./queue.ts";

export { enqueueJob, findJob, cancelJob, jobView, DEFAULT_MAX_ATTEMPTS, type EnqueueInput, type Enqueued, type JobView, type JobState } from "./queue.ts";
export { upsertSchedule, pauseSchedule, removeSchedule, fireDueSchedules, nextOccurrence, type ScheduleInput } from "./schedules.ts";
export { JobRunner, defineJob, PermanentJobError, JobInterrupted, type JobDefinition, type JobContext, type JobRunnerOptions } from "./runner.ts";

function jobSubject(job: JobView) {
  return { kind: "job" as const, orgId: job.orgId ?? "", ownerId: job.ownerId };
}

/** A job as its owner (or an administrator of its organisation) sees it; anyone else is told it does not exist. */
export async function readJob(services: Services, actor: Actor, id: string): Promise<JobView> {
  const job = /^[0-9a-f-]{36}$/.test(id) ? await findJob(services.db, id) : null;
  if (!job || !can(actor, "job.view", jobSubject(job))) throw new NotFound("no such job");
  return job;
}

/** Cancels a job its owner (or an administrator) may cancel; see cancelJob for what happens to a running one. */
export async function cancelOwnJob(services: Services, actor: Actor, id: string): Promise<JobState | null> {
  const job = await readJob(services, actor, id);
  if (!can(actor, "job.cancel", jobSubject(job))) throw new NotFound("no such job");
  return cancelJob(services, services.db, id);
}
