// Every kind of background job this version of Vigil runs, and the schedules that recur, for the
// runner the server starts. A capability defines its jobs beside its services (defineJob in
// src/jobs) and lists them here.
import type { JobDefinition, ScheduleInput } from "./jobs/index.ts";
import { bulkJob, EXPIRE_FILES_JOB, expireFilesJob, exportJob, importJob } from "./records/index.ts";
import { emailJob, EVALUATE_JOB, evaluateAlertsJob, webhookJob } from "./monitor/index.ts";
import { listImportJob } from "./accountability/index.ts";

export const JOB_DEFINITIONS: readonly JobDefinition<unknown>[] = [
  importJob, exportJob, expireFilesJob, bulkJob,
  // Detainee monitoring: alert rules, and the emails and webhooks their alerts send.
  evaluateAlertsJob, emailJob, webhookJob,
  // Accountability: importing sanctions and watch lists.
  listImportJob,
];

/** Schedules every server puts in place at start (the same name updates, never duplicates). */
export const JOB_SCHEDULES: readonly ScheduleInput[] = [
  { name: "records.files.expire", kind: EXPIRE_FILES_JOB, everySeconds: 3600 },
  // Every organisation's rules, in one set-based pass; its unique occurrence key makes it run once however many processes fire it.
  { name: "alerts.evaluate", kind: EVALUATE_JOB, everySeconds: 300 },
];
