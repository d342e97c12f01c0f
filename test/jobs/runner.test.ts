import { after, before, beforeEach, describe, it } from "node:test";
import assert from "node:assert/strict";
import { sql } from "kysely";
import { NotFound, type Actor } from "../../src/core/index.ts";
import { openDatabase, type Database } from "../../src/db/index.ts";
import {
  cancelJob, cancelOwnJob, defineJob, enqueueJob, findJob, JobInterrupted, JobRunner, nextOccurrence, PermanentJobError, readJob, upsertSchedule, pauseSchedule,
  type JobDefinition,
} from "../../src/jobs/index.ts";
import type { Services } from "../../src/context.ts";
import { databaseTargets, openTestServices, type TestServices } from "../helpers/database.ts";
import { addMember, sessionFor, setUpOrganisation } from "../helpers/fixtures.ts";

/** A promise the test resolves by hand. */
function gate<T = void>() {
  let open!: (value: T) => void;
  const promise = new Promise<T>((resolve) => (open = resolve));
  return { promise, open };
}

const HOUR = 3_600_000;
// Heartbeats renew leases on a real timer; the tests move the lease clock by hand instead.
const QUIET = { leaseMs: 60_000, heartbeatMs: HOUR, pollMs: HOUR };

describe("nextOccurrence", () => {
  it("gives the first occurrence on the schedule's grid strictly after now", () => {
    const t0 = new Date("2026-06-01T10:00:00Z");
    assert.equal(nextOccurrence(t0, 60, new Date("2026-06-01T09:59:00Z")).toISOString(), "2026-06-01T10:01:00.000Z");
    assert.equal(nextOccurrence(t0, 60, t0).toISOString(), "2026-06-01T10:01:00.000Z");
    assert.equal(nextOccurrence(t0, 60, new Date("2026-06-01T10:09:30Z")).toISOString(), "2026-06-01T10:10:00.000Z");
    assert.equal(nextOccurrence(t0, 60, new Date("2026-06-01T10:10:00Z")).toISOString(), "2026-06-01T10:11:00.000Z");
  });
});

for (const target of databaseTargets()) {
  describe(`job runner on ${target.name}`, () => {
    let services: TestServices;
    /** A second process's view of the same database: its own connections on PostgreSQL, the same clock. */
    let other: Services;
    let otherDatabase: Database | null = null;
    let owner: Actor;
    let admin: Actor;
    let colleague: Actor;
    const ran: string[] = [];

    before(async () => {
      services = await openTestServices(target);
      const url = target.name === "postgres" ? await sql<{ db: string }>`select current_database() as db`.execute(services.db).then((r) => r.rows[0]!.db) : null;
      if (url) {
        const server = new URL(process.env.TEST_DATABASE_URL!);
        server.pathname = `/${url}`;
        otherDatabase = await openDatabase({ databaseUrl: server.toString(), maxConnections: 4 });
        other = { ...services, db: otherDatabase.db };
      } else {
        other = services;
      }
      const org = await setUpOrganisation(services);
      const adminPrincipal = (await sessionFor(services, org.adminEmail)).principal;
      admin = adminPrincipal.actor;
      owner = (await addMember(services, adminPrincipal, "editor", "owner@watch.example")).principal.actor;
      colleague = (await addMember(services, adminPrincipal, "editor", "colleague@watch.example")).principal.actor;
    });
    after(async () => {
      await otherDatabase?.close();
      await services.close();
    });
    beforeEach(() => {
      ran.length = 0;
    });

    const counting = defineJob<{ n: number }>({
      kind: "test.count",
      parse: (p) => {
        const n = (p as { n?: unknown }).n;
        if (typeof n !== "number") throw new Error("n must be a number");
        return { n };
      },
      async run(ctx) {
        // Yield between claim and finish so the two runners' work interleaves.
        await new Promise((resolve) => setImmediate(resolve));
        ran.push(ctx.job.id);
        return { doubled: ctx.payload.n * 2 };
      },
    });

    it("never runs a job twice when two runners compete for the queue", async () => {
      const ids: string[] = [];
      for (let n = 0; n < 40; n++) ids.push((await enqueueJob(services, services.db, { kind: "test.count", payload: { n } })).id);
      const a = new JobRunner(services, [counting], { ...QUIET, workerId: "a", concurrency: 3 });
      const b = new JobRunner(other, [counting], { ...QUIET, workerId: "b", concurrency: 3 });
      const [byA, byB] = await Promise.all([a.drain(), b.drain()]);
      assert.equal(byA + byB, 40);
      assert.deepEqual([...ran].sort(), [...ids].sort());
      const states = await services.db.selectFrom("jobs").select(["state", "attempts"]).where("id", "in", ids).execute();
      assert.ok(states.every((s) => s.state === "succeeded" && s.attempts === 1));
      assert.deepEqual((await findJob(services.db, ids[7]!))!.result, { doubled: 14 });
    });

    it("keeps one job per unique key however many processes enqueue it", async () => {
      const enqueue = (svc: Services) => enqueueJob(svc, svc.db, { kind: "test.count", payload: { n: 1 }, uniqueKey: "alert:rule-1:detainee-9:2026-06-01" });
      const results = await Promise.all([...Array(6)].flatMap(() => [enqueue(services), enqueue(other)]));
      assert.equal(new Set(results.map((r) => r.id)).size, 1);
      assert.equal(results.filter((r) => r.created).length, 1);
      const a = new JobRunner(services, [counting], { ...QUIET, workerId: "a" });
      const b = new JobRunner(other, [counting], { ...QUIET, workerId: "b" });
      await Promise.all([a.drain(), b.drain()]);
      assert.equal(ran.length, 1);
      // Even once it has run, the same key does not make a second job.
      const again = await enqueue(services);
      assert.deepEqual([again.id, again.created], [results[0]!.id, false]);
      assert.equal(await a.drain(), 0);
    });

    it("takes back a crashed worker's job once its lease expires, and drops the late outcome of the worker that lost it", async () => {
      const effects: string[] = [];
      const stalled = gate();
      const claimedByA = gate();
      const fencedFailure = gate<unknown>();
      let calls = 0;
      const slow: JobDefinition<unknown> = {
        kind: "test.effect",
        parse: (p) => p,
        async run(ctx) {
          calls++;
          if (calls === 1) {
            claimedByA.open();
            await stalled.promise;
          }
          try {
            return await ctx.fenced(async (tx) => {
              await sql`select 1`.execute(tx);
              effects.push(`attempt ${ctx.job.attempts}`);
              return { attempt: ctx.job.attempts };
            });
          } catch (error) {
            fencedFailure.open(error);
            throw error;
          }
        },
      };
      const { id } = await enqueueJob(services, services.db, { kind: "test.effect", maxAttempts: 3 });
      const a = new JobRunner(services, [slow], { ...QUIET, workerId: "a" });
      const b = new JobRunner(other, [slow], { ...QUIET, workerId: "b" });
      const runningA = a.runDue();
      await claimedByA.promise;
      // Within the lease, nobody else may take it.
      assert.equal(await b.runDue(), 0);
      services.clock.advance(60_001);
      assert.equal(await b.runDue(), 1);
      const job = await findJob(services.db, id);
      assert.deepEqual([job!.state, job!.attempts, job!.result], ["succeeded", 2, { attempt: 2 }]);
      // The first worker wakes up: its fenced write is refused and its outcome is not recorded.
      stalled.open();
      await runningA;
      assert.ok((await fencedFailure.promise) instanceof JobInterrupted);
      assert.deepEqual(effects, ["attempt 2"]);
      const after = await findJob(services.db, id);
      assert.deepEqual([after!.state, after!.attempts, after!.result], ["succeeded", 2, { attempt: 2 }]);
    });

    it("fails a job whose last attempt's worker never came back", async () => {
      const { id } = await enqueueJob(services, services.db, { kind: "test.count", payload: { n: 1 }, maxAttempts: 1 });
      const a = new JobRunner(services, [counting], { ...QUIET, workerId: "a" });
      // The worker claims and dies before running anything.
      assert.equal((await a.claim(1)).length, 1);
      services.clock.advance(60_001);
      const b = new JobRunner(other, [counting], { ...QUIET, workerId: "b" });
      assert.equal(await b.drain(), 0);
      const job = await findJob(services.db, id);
      assert.equal(job!.state, "failed");
      assert.match(job!.error!, /lease expired\) on attempt 1 of 1/);
      assert.equal(ran.length, 0);
    });

    it("retries a failing job with growing waits, then gives up after its last attempt", async () => {
      let failuresLeft = 2;
      const flaky = defineJob<unknown>({
        kind: "test.flaky",
        parse: (p) => p,
        maxAttempts: 3,
        async run() {
          if (failuresLeft-- > 0) throw new Error("the SMTP server refused the connection");
          return "sent";
        },
      });
      const runner = new JobRunner(services, [flaky], { ...QUIET, workerId: "a" });
      const { id } = await enqueueJob(services, services.db, { kind: "test.flaky", maxAttempts: 3 });
      assert.equal(await runner.runDue(), 1);
      let job = await findJob(services.db, id);
      assert.deepEqual([job!.state, job!.attempts, job!.error], ["queued", 1, "the SMTP server refused the connection"]);
      assert.equal(job!.runAt.getTime() - services.now().getTime(), 2_000);
      assert.equal(await runner.runDue(), 0, "not before its backoff");
      services.clock.advance(2_000);
      assert.equal(await runner.runDue(), 1);
      job = await findJob(services.db, id);
      assert.deepEqual([job!.state, job!.attempts], ["queued", 2]);
      assert.equal(job!.runAt.getTime() - services.now().getTime(), 4_000);
      services.clock.advance(4_000);
      assert.equal(await runner.runDue(), 1);
      job = await findJob(services.db, id);
      assert.deepEqual([job!.state, job!.attempts, job!.result, job!.error], ["succeeded", 3, "sent", null]);

      failuresLeft = 10;
      const doomed = await enqueueJob(services, services.db, { kind: "test.flaky", maxAttempts: 2 });
      await runner.runDue();
      services.clock.advance(2_000);
      await runner.runDue();
      job = await findJob(services.db, doomed.id);
      assert.deepEqual([job!.state, job!.attempts, job!.error], ["failed", 2, "the SMTP server refused the connection"]);
      assert.ok(job!.finishedAt);
    });

    it("fails at once, without retrying, a permanent error or a payload that does not parse", async () => {
      const refusing = defineJob<unknown>({
        kind: "test.refuse",
        parse: (p) => p,
        async run() {
          throw new PermanentJobError("the file is not UTF-8");
        },
      });
      const runner = new JobRunner(services, [refusing, counting], { ...QUIET, workerId: "a" });
      const permanent = await enqueueJob(services, services.db, { kind: "test.refuse" });
      const malformed = await enqueueJob(services, services.db, { kind: "test.count", payload: { n: "seven" } });
      await runner.drain();
      const p = await findJob(services.db, permanent.id);
      const m = await findJob(services.db, malformed.id);
      assert.deepEqual([p!.state, p!.attempts, p!.error], ["failed", 1, "the file is not UTF-8"]);
      assert.deepEqual([m!.state, m!.attempts, m!.error], ["failed", 1, "the job's payload is not valid: n must be a number"]);
    });

    it("shows progress to the owner and administrators only, and cancels a running job at its next progress report", async () => {
      const step = gate();
      const reported = gate();
      const long = defineJob<unknown>({
        kind: "test.long",
        parse: (p) => p,
        async run(ctx) {
          await ctx.progress(1, 3, "row 1 of 3");
          reported.open();
          await step.promise;
          await ctx.progress(2, 3, "row 2 of 3");
          return "finished";
        },
      });
      const runner = new JobRunner(services, [long], { ...QUIET, workerId: "a" });
      const { id } = await enqueueJob(services, services.db, { kind: "test.long", orgId: owner.orgId, ownerId: owner.userId });
      const running = runner.runDue();
      await reported.promise;
      const seen = await readJob(services, owner, id);
      assert.deepEqual([seen.state, seen.progress], ["running", { done: 1, total: 3, message: "row 1 of 3" }]);
      assert.equal((await readJob(services, admin, id)).id, id);
      await assert.rejects(readJob(services, colleague, id), NotFound);
      await assert.rejects(cancelOwnJob(services, colleague, id), NotFound);
      await assert.rejects(readJob(services, owner, "not-a-uuid"), NotFound);
      assert.equal(await cancelOwnJob(services, owner, id), "running");
      step.open();
      await running;
      const job = await readJob(services, owner, id);
      assert.deepEqual([job.state, job.progress.done, job.result], ["cancelled", 1, null]);
      // A finished job cannot be cancelled again.
      assert.equal(await cancelJob(services, services.db, id), null);
    });

    it("cancels a queued job before any runner starts it", async () => {
      const { id } = await enqueueJob(services, services.db, { kind: "test.count", payload: { n: 3 } });
      assert.equal(await cancelJob(services, services.db, id), "cancelled");
      const runner = new JobRunner(services, [counting], { ...QUIET, workerId: "a" });
      assert.equal(await runner.drain(), 0);
      assert.equal(ran.length, 0);
      assert.equal((await findJob(services.db, id))!.state, "cancelled");
    });

    it("fires a schedule once per occurrence across runners, and once only after a long pause", async () => {
      await upsertSchedule(services, services.db, { name: "alerts.evaluate:test", kind: "test.count", everySeconds: 60, payload: { n: 5 } });
      const a = new JobRunner(services, [counting], { ...QUIET, workerId: "a" });
      const b = new JobRunner(other, [counting], { ...QUIET, workerId: "b" });
      const count = async () => Number((await services.db.selectFrom("jobs").select((eb) => eb.fn.countAll().as("n")).where("unique_key", "like", "schedule:alerts.evaluate:test@%").executeTakeFirstOrThrow()).n);
      await Promise.all([a.drain(), b.drain()]);
      assert.equal(ran.length, 1);
      services.clock.advance(30_000);
      await Promise.all([a.drain(), b.drain()]);
      assert.equal(await count(), 1);
      services.clock.advance(30_000);
      await Promise.all([a.drain(), b.drain()]);
      assert.equal(await count(), 2);
      // Down for ten minutes: one catch-up occurrence, not ten.
      services.clock.advance(600_000);
      await Promise.all([a.drain(), b.drain()]);
      assert.equal(await count(), 3);
      assert.equal(ran.length, 3);
      // A paused schedule fires nothing.
      assert.equal(await pauseSchedule(services, services.db, "alerts.evaluate:test", true), true);
      services.clock.advance(600_000);
      await a.drain();
      assert.equal(await count(), 3);
    });

    it("hands a running job back to the queue when the runner stops, without counting the attempt", async () => {
      const started = gate();
      const waiting = defineJob<unknown>({
        kind: "test.wait",
        parse: (p) => p,
        async run(ctx) {
          started.open();
          await new Promise((_, reject) => ctx.signal.addEventListener("abort", () => reject(ctx.signal.reason as Error)));
        },
      });
      const { id } = await enqueueJob(services, services.db, { kind: "test.wait" });
      const runner = new JobRunner(services, [waiting], { leaseMs: 60_000, heartbeatMs: HOUR, pollMs: 5, workerId: "a" });
      runner.start();
      await started.promise;
      await runner.stop();
      const job = await findJob(services.db, id);
      assert.deepEqual([job!.state, job!.attempts], ["queued", 0]);
      await cancelJob(services, services.db, id);
    });

    it("refuses a job kind defined twice and a kind that is not an identifier", async () => {
      assert.throws(() => new JobRunner(services, [counting, counting]), /defined twice/);
      await assert.rejects(enqueueJob(services, services.db, { kind: "Drop Table" }), /lowercase identifier/);
    });
  });
}
