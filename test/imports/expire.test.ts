import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Actor } from "../../src/core/index.ts";
import type { Origin } from "../../src/context.ts";
import { JobRunner, upsertSchedule } from "../../src/jobs/index.ts";
import { EXPIRE_FILES_JOB, expireFilesJob, exportJob, getExport, getImport, receiveImport, startExport } from "../../src/records/index.ts";
import { JOB_SCHEDULES } from "../../src/workers.ts";
import { databaseTargets, openTestServices, type TestServices } from "../helpers/database.ts";
import { sessionFor, setUpOrganisation } from "../helpers/fixtures.ts";

const FROM: Origin = { requestId: "req-expire", ip: null, userAgent: "test" };
const HOUR = 3_600_000;

for (const target of databaseTargets()) {
  describe(`files left by imports and exports on ${target.name}`, () => {
    let services: TestServices;
    let dataDir: string;
    let admin: Actor;

    before(async () => {
      dataDir = mkdtempSync(join(tmpdir(), "vigil-expire-"));
      services = await openTestServices(target, { dataDir });
      admin = (await sessionFor(services, (await setUpOrganisation(services)).adminEmail)).principal.actor;
    });
    after(async () => {
      await services.close();
      rmSync(dataDir, { recursive: true, force: true });
    });

    it("removes an export's file a day after it was made, and an upload left for a week, on the hourly schedule", async () => {
      const files = (dir: string) => (existsSync(join(dataDir, dir)) ? readdirSync(join(dataDir, dir)) : []);
      for (const schedule of JOB_SCHEDULES) await upsertSchedule(services, services.db, schedule);
      const runner = new JobRunner(services, [exportJob, expireFilesJob], { leaseMs: 60_000, heartbeatMs: HOUR, pollMs: HOUR, workerId: "test" });
      const upload = await receiveImport(services, FROM, admin, { source: [Buffer.from("Name\nIlham Tohti\n")], filename: "left.csv", format: "csv" });
      const started = await startExport(services, FROM, admin, { format: "csv" });
      await runner.drain();
      assert.equal((await getExport(services, FROM, admin, started.id)).available, true);
      assert.deepEqual([files("exports").length, files("imports").length], [1, 1]);

      services.clock.advance(23 * HOUR);
      await runner.drain();
      assert.equal((await getExport(services, FROM, admin, started.id)).available, true, "kept for a day");

      services.clock.advance(2 * HOUR);
      await runner.drain();
      assert.equal((await getExport(services, FROM, admin, started.id)).available, false);
      assert.deepEqual(files("exports"), []);
      assert.equal((await getImport(services, FROM, admin, upload.id)).state, "uploaded", "an upload waits a week");

      services.clock.advance(7 * 24 * HOUR);
      await runner.drain();
      const abandoned = await getImport(services, FROM, admin, upload.id);
      assert.deepEqual([abandoned.state, abandoned.error], ["cancelled", "not imported within a week: the file was removed"]);
      assert.deepEqual(files("imports"), []);
      const runs = await services.db.selectFrom("jobs").select("state").where("kind", "=", EXPIRE_FILES_JOB).execute();
      assert.ok(runs.length >= 3 && runs.every((r) => r.state === "succeeded"));
    });
  });
}
