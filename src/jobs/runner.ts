// The worker side of the queue: claim due jobs with FOR UPDATE SKIP LOCKED, hold each under a
// lease renewed by heartbeats, run its handler, and record the outcome only while the lease is
// still ours. A worker that dies stops renewing; once the lease expires, the next claim takes the
// job again (a new attempt). Every time comes from `services.now()`, so tests move a clock by hand.
import { hostname } from "node:os";
import { randomBytes } from "node:crypto";
import { sql } from "kysely";
import type { Services, Tx } from "../context.ts";
import type { JobRow } from "../db/index.ts";
import { jobView, type JobView } from "./queue.ts";
import { fireDueSchedules } from "./schedules.ts";

export interface JobContext<P> {
  /** The runner's services (database, clock, configuration, log). */
  services: Services;
  job: JobView;
  payload: P;
  /** Aborted when the job is cancelled, its lease is lost, or the runner stops: stop soon after. */
  signal: AbortSignal;
  /** Records progress for the owner to read, and renews the lease. Throws when the job must stop. */
  progress(done: number, total?: number | null, message?: string | null): Promise<void>;
  /**
   * Runs `fn` in a transaction that first locks this job's row and checks the lease is still this
   * worker's. Write a job's effects here when they must happen at most once (an alert sent, a row
   * counted): a worker whose lease was taken over cannot commit them.
   */
  fenced<T>(fn: (tx: Tx) => Promise<T>): Promise<T>;
  /**
   * The same check inside a transaction the handler opened itself: locks the job's row in `tx`
   * and throws JobInterrupted unless the lease is still this worker's. Call it last, just before
   * a long transaction commits, so the row is not held (and progress can still be written) meanwhile.
   */
  fence(tx: Tx): Promise<void>;
}

export interface JobDefinition<P = unknown> {
  kind: string;
  /** Checks the stored payload; throw to fail the job at once (no retry). */
  parse(payload: unknown): P;
  /** The work. What it returns (JSON) is stored as the job's result. Throw to retry. */
  run(context: JobContext<P>): Promise<unknown>;
  maxAttempts?: number;
  /** Milliseconds to wait before attempt n + 1 after attempt n failed (default: 2^n seconds, at most an hour). */
  backoff?(attempt: number): number;
}

export function defineJob<P>(definition: JobDefinition<P>): JobDefinition<P> {
  return definition;
}

/** Thrown by a handler for a failure that another attempt would not fix. */
export class PermanentJobError extends Error {
  override name = "PermanentJobError";
}

/** Thrown inside a handler (by progress or fenced) when it must stop: cancelled, lease lost, or shutting down. */
export class JobInterrupted extends Error {
  override name = "JobInterrupted";
  constructor(readonly why: "cancelled" | "lease-lost" | "stopping") {
    super(`job interrupted: ${why}`);
  }
}

export interface JobRunnerOptions {
  /** Distinguishes this worker in leases; default host, process and a random suffix. */
  workerId?: string;
  /** Jobs run at once by this runner. */
  concurrency?: number;
  /** How long a claim holds a job without a heartbeat. */
  leaseMs?: number;
  /** How often a running job's lease is renewed (default a third of the lease). */
  heartbeatMs?: number;
  /** How often an idle runner looks for due jobs. */
  pollMs?: number;
}

function defaultBackoff(attempt: number): number {
  return Math.min(2 ** attempt * 1000, 3_600_000);
}

function errorText(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.length > 2000 ? `${text.slice(0, 1997)}...` : text;
}

export class JobRunner {
  readonly workerId: string;
  readonly #services: Services;
  readonly #definitions = new Map<string, JobDefinition<unknown>>();
  readonly #concurrency: number;
  readonly #leaseMs: number;
  readonly #pollMs: number;
  readonly #heartbeatMs: number;
  readonly #running = new Map<string, { controller: AbortController; done: Promise<void> }>();
  #timer: NodeJS.Timeout | null = null;
  #stopping = false;
  #wake: (() => void) | null = null;
  #loop: Promise<void> | null = null;

  constructor(services: Services, definitions: readonly JobDefinition<unknown>[], options: JobRunnerOptions = {}) {
    this.#services = services;
    for (const d of definitions) {
      if (this.#definitions.has(d.kind)) throw new Error(`job kind ${d.kind} is defined twice`);
      this.#definitions.set(d.kind, d);
    }
    this.workerId = options.workerId ?? `${hostname()}:${process.pid}:${randomBytes(4).toString("hex")}`;
    this.#concurrency = options.concurrency ?? 2;
    this.#leaseMs = options.leaseMs ?? 60_000;
    this.#pollMs = options.pollMs ?? 1_000;
    this.#heartbeatMs = options.heartbeatMs ?? Math.max(10, Math.floor(this.#leaseMs / 3));
  }

  get kinds(): string[] {
    return [...this.#definitions.keys()];
  }

  /** Polls for due jobs until `stop`. */
  start(): void {
    if (this.#loop) return;
    this.#stopping = false;
    this.#loop = (async () => {
      while (!this.#stopping) {
        try {
          await this.#startDue();
        } catch (error) {
          this.#services.log.error({ err: errorText(error) }, "the job runner could not claim jobs");
        }
        if (this.#stopping) break;
        await new Promise<void>((resolve) => {
          this.#wake = resolve;
          this.#timer = setTimeout(resolve, this.#pollMs);
          this.#timer.unref();
        });
      }
    })();
  }

  /** Looks for due jobs now rather than at the next poll (after enqueueing one, say). */
  poke(): void {
    this.#wake?.();
  }

  /**
   * Stops polling, asks running handlers to stop, waits for them, and hands their jobs back to
   * the queue without counting the attempt: another worker (or this one, restarted) resumes them.
   */
  async stop(): Promise<void> {
    this.#stopping = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#wake?.();
    for (const { controller } of this.#running.values()) controller.abort(new JobInterrupted("stopping"));
    await Promise.all([...this.#running.values()].map((r) => r.done));
    await this.#loop;
    this.#loop = null;
  }

  /** One pass: fire due schedules, claim as many due jobs as there are free slots, run them to the end. Returns how many ran. */
  async runDue(): Promise<number> {
    const started = await this.#startDue();
    await Promise.all(started);
    return started.length;
  }

  /** Runs passes until no job is due (tests, and the CLI running an import in-process). */
  async drain(): Promise<number> {
    let total = 0;
    for (;;) {
      const ran = await this.runDue();
      if (ran === 0) return total;
      total += ran;
    }
  }

  async #startDue(): Promise<Promise<void>[]> {
    const free = this.#concurrency - this.#running.size;
    if (free <= 0 || this.#definitions.size === 0 || this.#stopping) return [];
    await fireDueSchedules(this.#services, this.kinds, (kind) => this.#definitions.get(kind)?.maxAttempts);
    const claimed = await this.claim(free);
    return claimed.map((row) => this.#execute(row));
  }

  /**
   * Claims up to `limit` due jobs for this worker: queued ones whose time has come, and running
   * ones whose lease has expired (their worker is gone). Jobs out of attempts, or cancelled, whose
   * lease expired are closed instead of claimed.
   */
  async claim(limit: number): Promise<JobRow[]> {
    const now = this.#services.now();
    const kinds = sql.val(this.kinds);
    await sql`
      update jobs set
        state = case when cancel_requested then 'cancelled' else 'failed' end,
        last_error = case when cancel_requested then last_error
          else 'the worker running it stopped answering (its lease expired) on attempt ' || attempts || ' of ' || max_attempts end,
        lease_owner = null, lease_expires_at = null, finished_at = ${now}, updated_at = ${now}
      where state = 'running' and lease_expires_at < ${now} and kind = any(${kinds}::text[])
        and (attempts >= max_attempts or cancel_requested)`.execute(this.#services.db);
    const expires = new Date(now.getTime() + this.#leaseMs);
    const claimed = await sql<JobRow>`
      with picked as (
        select id from jobs
        where kind = any(${kinds}::text[])
          and ((state = 'queued' and run_at <= ${now}) or (state = 'running' and lease_expires_at < ${now}))
        order by run_at, id
        limit ${limit}
        for update skip locked
      )
      update jobs set state = 'running', lease_owner = ${this.workerId}, lease_expires_at = ${expires},
        attempts = jobs.attempts + 1, started_at = coalesce(jobs.started_at, ${now}), updated_at = ${now}
      from picked where jobs.id = picked.id
      returning jobs.*`.execute(this.#services.db);
    return claimed.rows;
  }

  #execute(row: JobRow): Promise<void> {
    const controller = new AbortController();
    const done = this.#run(row, controller).finally(() => this.#running.delete(row.id));
    this.#running.set(row.id, { controller, done });
    return done;
  }

  /** Renews the lease; returns why the job must stop, or null. */
  async #renew(id: string): Promise<JobInterrupted | null> {
    const now = this.#services.now();
    const row = await this.#services.db
      .updateTable("jobs")
      .set({ lease_expires_at: new Date(now.getTime() + this.#leaseMs), updated_at: now })
      .where("id", "=", id)
      .where("state", "=", "running")
      .where("lease_owner", "=", this.workerId)
      .returning("cancel_requested")
      .executeTakeFirst();
    if (!row) return new JobInterrupted("lease-lost");
    return row.cancel_requested ? new JobInterrupted("cancelled") : null;
  }

  async #run(row: JobRow, controller: AbortController): Promise<void> {
    const definition = this.#definitions.get(row.kind)!;
    const { signal } = controller;
    const interrupt = (reason: JobInterrupted | null) => {
      if (reason && !signal.aborted) controller.abort(reason);
    };
    const heartbeat = setInterval(() => {
      this.#renew(row.id).then(interrupt, (error: unknown) => this.#services.log.warn({ job: row.id, err: errorText(error) }, "a job heartbeat failed"));
    }, this.#heartbeatMs);
    heartbeat.unref();
    const throwIfAborted = () => {
      if (signal.aborted) throw signal.reason instanceof JobInterrupted ? signal.reason : new JobInterrupted("stopping");
    };
    const context: JobContext<unknown> = {
      services: this.#services,
      job: jobView(row),
      payload: undefined,
      signal,
      progress: async (done, total = null, message = null) => {
        throwIfAborted();
        const now = this.#services.now();
        const updated = await this.#services.db
          .updateTable("jobs")
          .set({
            progress_done: Math.max(0, Math.floor(done)),
            progress_total: total === null ? null : Math.max(0, Math.floor(total)),
            progress_message: message === null ? null : message.slice(0, 500),
            lease_expires_at: new Date(now.getTime() + this.#leaseMs),
            updated_at: now,
          })
          .where("id", "=", row.id)
          .where("state", "=", "running")
          .where("lease_owner", "=", this.workerId)
          .where("cancel_requested", "=", false)
          .returning("id")
          .executeTakeFirst();
        if (!updated) interrupt((await this.#renew(row.id)) ?? new JobInterrupted("lease-lost"));
        throwIfAborted();
      },
      fence: async (tx) => {
        throwIfAborted();
        const held = await sql<{ cancel_requested: boolean }>`
          select cancel_requested from jobs where id = ${row.id} and state = 'running' and lease_owner = ${this.workerId} for update`.execute(tx);
        interrupt(held.rows.length === 0 ? new JobInterrupted("lease-lost") : held.rows[0]!.cancel_requested ? new JobInterrupted("cancelled") : null);
        throwIfAborted();
      },
      fenced: async (fn) => {
        throwIfAborted();
        return this.#services.db.transaction().execute(async (tx) => {
          await context.fence(tx);
          return fn(tx);
        });
      },
    };
    let outcome: { ok: true; result: unknown } | { ok: false; error: unknown };
    try {
      try {
        context.payload = definition.parse(row.payload);
      } catch (error) {
        throw new PermanentJobError(`the job's payload is not valid: ${errorText(error)}`);
      }
      outcome = { ok: true, result: await definition.run(context) };
    } catch (error) {
      outcome = { ok: false, error };
    } finally {
      clearInterval(heartbeat);
    }
    try {
      await this.#finish(row, definition, signal, outcome);
    } catch (error) {
      // The lease runs out and another worker retries: nothing is lost.
      this.#services.log.error({ job: row.id, kind: row.kind, err: errorText(error) }, "could not record a job's outcome");
    }
  }

  async #finish(row: JobRow, definition: JobDefinition<unknown>, signal: AbortSignal, outcome: { ok: true; result: unknown } | { ok: false; error: unknown }): Promise<void> {
    const now = this.#services.now();
    // Every outcome is written only while the lease is still this worker's.
    const ours = () => this.#services.db.updateTable("jobs").where("id", "=", row.id).where("state", "=", "running").where("lease_owner", "=", this.workerId);
    const cleared = { lease_owner: null, lease_expires_at: null, updated_at: now };
    const why = signal.aborted && signal.reason instanceof JobInterrupted ? signal.reason.why : null;
    const log = this.#services.log;
    if (why === "lease-lost") {
      log.warn({ job: row.id, kind: row.kind }, "a job's lease was taken over; its outcome here is dropped");
      return;
    }
    // A cancelled job is cancelled whatever its handler did after being asked to stop.
    const cancelRequested = why === "cancelled" || (await this.#services.db.selectFrom("jobs").select("cancel_requested").where("id", "=", row.id).executeTakeFirst())?.cancel_requested === true;
    if (cancelRequested) {
      await ours().set({ ...cleared, state: "cancelled", finished_at: now }).execute();
      return;
    }
    if (why === "stopping" && !outcome.ok) {
      // Handed back untouched: the attempt does not count against the job.
      await ours()
        .set((eb) => ({ ...cleared, state: "queued", run_at: now, attempts: eb("attempts", "-", 1) }))
        .execute();
      return;
    }
    if (outcome.ok) {
      await ours()
        .set({ ...cleared, state: "succeeded", result: JSON.stringify(outcome.result ?? null), last_error: null, finished_at: now })
        .execute();
      return;
    }
    const permanent = outcome.error instanceof PermanentJobError || row.attempts >= row.max_attempts;
    if (permanent) {
      log.warn({ job: row.id, kind: row.kind, attempt: row.attempts, err: errorText(outcome.error) }, "a job failed");
      await ours().set({ ...cleared, state: "failed", last_error: errorText(outcome.error), finished_at: now }).execute();
      return;
    }
    const wait = (definition.backoff ?? defaultBackoff)(row.attempts);
    log.info({ job: row.id, kind: row.kind, attempt: row.attempts, retryInMs: wait, err: errorText(outcome.error) }, "a job failed and will be retried");
    await ours()
      .set({ ...cleared, state: "queued", run_at: new Date(now.getTime() + wait), last_error: errorText(outcome.error) })
      .execute();
  }
}
