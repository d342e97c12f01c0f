// Every kind of background job this version of Vigil runs, and the schedules that recur, for the
// runner the server starts. A capability defines its jobs beside its services (defineJob in
// src/jobs) and lists them here.
import type { JobDefinition, ScheduleInput } from "./jobs/index.ts";
import { bulkJob, EXPIRE_FILES_JOB, expireFilesJob, exportJob, importJob } from "./records/index.ts";

export const JOB_DEFINITIONS: readonly JobDefinition<unknown>[] = [importJob, exportJob, expireFilesJob, bulkJob];

/** Schedules every server puts in place at start (the same name updates, never duplicates). */
export const JOB_SCHEDULES: readonly ScheduleInput[] = [{ name: "records.files.expire", kind: EXPIRE_FILES_JOB, everySeconds: 3600 }];
