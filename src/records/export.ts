// Exports of a records list (the list API's filters) as CSV or FollowTheMoney JSON lines. Every
// export runs as a job: it walks the records by id a batch at a time and streams them to a file,
// so a million records take the memory of one batch. Each record is written as the person who
// asked may see it, through the records' own visibility rule; secret values never leave, and
// restricted values only when asked for. The file goes to that person alone, each download
// audited, and is removed after a day.
import { randomUUID, createHash } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import { mkdir, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import { once } from "node:events";
import type { Readable } from "node:stream";
import { z } from "zod";
import { can, Conflict, csvLine, NotFound, type Actor } from "../core/index.ts";
import type { Origin, Services, Tx } from "../context.ts";
import type { EntityRow, ExportRow } from "../db/index.ts";
import { parseInput } from "../accounts/index.ts";
import { recordAudit, requirePermission } from "../audit/index.ts";
import { cancelJob, defineJob, enqueueJob, findJob, JobInterrupted, PermanentJobError, type JobContext, type JobView } from "../jobs/index.ts";
import { applyEntityFilter, inputOf } from "./entities.ts";
import { onAccessListOf, recordSubject, visibleRecords } from "./access.ts";
import { liveStatements, readableBy } from "./statements.ts";
import { TagSchema, type Sensitivity } from "./input.ts";
import { toFtm } from "./export-ftm.ts";
import { actorNow } from "./import.ts";
import { importFilePath } from "./import-file.ts";

export const EXPORT_FORMATS = ["csv", "ftm"] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** Records read, checked and written together. */
export const EXPORT_BATCH = 500;
/** How long a finished export's file is kept for its owner to download. */
export const EXPORT_KEEP_MS = 24 * 3_600_000;

export const ExportFilterSchema = z.strictObject({
  schema: z.string().max(64).optional(),
  archived: z.enum(["exclude", "include", "only"]).default("exclude"),
  tag: TagSchema.optional(),
  assignee: z.union([z.literal("me"), z.uuid()]).optional(),
});

export const ExportRequestSchema = z.strictObject({
  format: z.enum(EXPORT_FORMATS, "csv or ftm"),
  filter: ExportFilterSchema.default({ archived: "exclude" }),
  /** Include restricted values the exporter may read. Secret values never leave. */
  restricted: z.boolean().default(false),
});
type ExportRequest = z.infer<typeof ExportRequestSchema>;

export interface ExportView {
  id: string;
  format: ExportFormat;
  filter: z.infer<typeof ExportFilterSchema>;
  restricted: boolean;
  state: ExportRow["state"];
  rowCount: number | null;
  byteSize: number | null;
  sha256: string | null;
  error: string | null;
  createdBy: string;
  createdAt: Date;
  finishedAt: Date | null;
  /** Whether the file can still be downloaded. */
  available: boolean;
  job: JobView | null;
}

function exportPath(services: Pick<Services, "config">, id: string): string {
  return join(services.config.dataDir, "exports", `${id}.export`);
}

async function viewOf(services: Services, row: ExportRow): Promise<ExportView> {
  const stored = row.filter as { filter: ExportView["filter"]; restricted: boolean };
  return {
    id: row.id,
    format: row.format,
    filter: stored.filter,
    restricted: stored.restricted,
    state: row.state,
    rowCount: row.row_count,
    byteSize: row.byte_size,
    sha256: row.sha256,
    error: row.error,
    createdBy: row.created_by,
    createdAt: row.created_at,
    finishedAt: row.finished_at,
    available: row.state === "ready" && row.file_removed_at === null,
    job: row.job_id ? await findJob(services.db, row.job_id) : null,
  };
}

function exportSubject(row: Pick<ExportRow, "org_id" | "created_by">) {
  return { kind: "job" as const, orgId: row.org_id, ownerId: row.created_by };
}

async function loadExport(services: Services, actor: Actor, id: string): Promise<ExportRow> {
  const row = /^[0-9a-f-]{36}$/.test(id) ? await services.db.selectFrom("exports").selectAll().where("id", "=", id).executeTakeFirst() : undefined;
  if (!row || !can(actor, "job.view", exportSubject(row))) throw new NotFound("no such export");
  return row;
}

async function requireExporter(services: Services, origin: Origin, actor: Actor): Promise<void> {
  const allowed = can(actor, "export.run", { kind: "records", orgId: actor.orgId }) && can(actor, "record.list", { kind: "records", orgId: actor.orgId });
  await requirePermission(services, origin, allowed, actor, "export.run", { type: "export", id: null });
}

export const EXPORT_JOB = "records.export";
const ExportJobPayload = z.strictObject({ exportId: z.uuid(), scopes: z.array(z.enum(["read", "write", "admin"])).nullable() });
type ExportJobPayload = z.infer<typeof ExportJobPayload>;

/** Starts an export job for the caller: the list's filters, a format, whether restricted values go too. */
export async function startExport(services: Services, origin: Origin, actor: Actor, raw: unknown): Promise<ExportView> {
  await requireExporter(services, origin, actor);
  const request = parseInput(ExportRequestSchema, await inputOf(raw));
  // The filter is checked now (an unknown schema is the caller's mistake, not the job's).
  applyEntityFilter(visibleRecords(services.db, actor), actor, request.filter);
  const id = randomUUID();
  const now = services.now();
  await services.db.transaction().execute(async (tx) => {
    const job = await enqueueJob(services, tx, { kind: EXPORT_JOB, orgId: actor.orgId, ownerId: actor.userId, payload: { exportId: id, scopes: actor.scopes ? [...actor.scopes] : null } satisfies ExportJobPayload, maxAttempts: 3 });
    await tx
      .insertInto("exports")
      .values({ id, org_id: actor.orgId, created_by: actor.userId, created_at: now, format: request.format, filter: JSON.stringify({ filter: request.filter, restricted: request.restricted }), state: "queued", job_id: job.id })
      .execute();
    await recordAudit(tx, origin, { orgId: actor.orgId, actorId: actor.userId, action: "export.start", targetType: "export", targetId: id, details: { format: request.format, filter: request.filter, restricted: request.restricted } });
  });
  return getExport(services, origin, actor, id);
}

export async function getExport(services: Services, origin: Origin, actor: Actor, id: string): Promise<ExportView> {
  await requireExporter(services, origin, actor);
  return viewOf(services, await loadExport(services, actor, id));
}

/** The caller's exports (an administrator sees everyone's), newest first. */
export async function listExports(services: Services, origin: Origin, actor: Actor): Promise<ExportView[]> {
  await requireExporter(services, origin, actor);
  const rows = await services.db
    .selectFrom("exports")
    .selectAll()
    .where("org_id", "=", actor.orgId)
    .$if(actor.role !== "admin", (q) => q.where("created_by", "=", actor.userId))
    .orderBy("created_at", "desc")
    .orderBy("id", "desc")
    .limit(50)
    .execute();
  return Promise.all(rows.map((r) => viewOf(services, r)));
}

export async function cancelExport(services: Services, origin: Origin, actor: Actor, id: string): Promise<ExportView> {
  await requireExporter(services, origin, actor);
  const row = await loadExport(services, actor, id);
  if (row.state !== "queued" && row.state !== "running") throw new Conflict(`the export is ${row.state}: it cannot be cancelled now`);
  const state = row.job_id ? await cancelJob(services, services.db, row.job_id) : null;
  if (state !== "running") await services.db.updateTable("exports").set({ state: "cancelled", finished_at: services.now() }).where("id", "=", id).where("state", "in", ["queued", "running"]).execute();
  await recordAudit(services.db, origin, { orgId: actor.orgId, actorId: actor.userId, action: "export.cancel", targetType: "export", targetId: id });
  return getExport(services, origin, actor, id);
}

export interface ExportFile {
  stream: Readable;
  size: number;
  filename: string;
  contentType: string;
}

/** The finished file, to the person who asked for it only; every download is audited. */
export async function openExportFile(services: Services, origin: Origin, actor: Actor, id: string): Promise<ExportFile> {
  await requireExporter(services, origin, actor);
  const row = await loadExport(services, actor, id);
  await requirePermission(services, origin, can(actor, "export.download", exportSubject(row)), actor, "export.download", { type: "export", id });
  if (row.state !== "ready" || row.file_removed_at) throw new Conflict(row.state === "ready" ? "the file of this export was removed: export again" : `the export is ${row.state}`);
  const path = exportPath(services, id);
  const size = (await stat(path)).size;
  await recordAudit(services.db, origin, { orgId: actor.orgId, actorId: actor.userId, action: "export.download", targetType: "export", targetId: id, details: { bytes: size, sha256: row.sha256 } });
  const stamp = row.created_at.toISOString().slice(0, 10);
  return row.format === "csv"
    ? { stream: createReadStream(path), size, filename: `vigil-records-${stamp}.csv`, contentType: "text/csv; charset=utf-8" }
    : { stream: createReadStream(path), size, filename: `vigil-records-${stamp}.ftm.jsonl`, contentType: "application/x-ndjson" };
}

// ---------------------------------------------------------------------------------------------
// The job

interface RecordValues {
  row: EntityRow;
  values: { property: string; value: string; lang: string | null; dateEarliest: string | null; dateLatest: string | null }[];
}

/** The values of a batch of records the actor may read: secret never; restricted when asked and readable. */
async function valuesOf(db: Tx, actor: Actor, rows: readonly EntityRow[], withRestricted: boolean): Promise<RecordValues[]> {
  const onList = await onAccessListOf(db, actor.userId, rows.filter((r) => r.restricted).map((r) => r.id));
  const byEntity = new Map<string, RecordValues["values"]>();
  const statements = await liveStatements(db, rows.map((r) => r.id));
  const subjects = new Map(rows.map((r) => [r.id, readableBy(actor, recordSubject(r, onList.has(r.id)))]));
  for (const s of statements) {
    if (s.sensitivity === "secret" || s.value === null) continue;
    if (s.sensitivity === "restricted" && (!withRestricted || !subjects.get(s.entity_id)!(s))) continue;
    (byEntity.get(s.entity_id) ?? byEntity.set(s.entity_id, []).get(s.entity_id)!).push({ property: s.property, value: s.value, lang: s.lang, dateEarliest: s.date_earliest, dateLatest: s.date_latest });
  }
  return rows.map((row) => ({ row, values: byEntity.get(row.id) ?? [] }));
}

/** The columns of a CSV export: the properties that have a value the export may carry, in name order. */
async function csvColumns(db: Tx, actor: Actor, request: ExportRequest): Promise<string[]> {
  const levels: Sensitivity[] = request.restricted ? ["public", "internal", "restricted"] : ["public", "internal"];
  const records = applyEntityFilter(visibleRecords(db, actor), actor, request.filter).clearSelect().select("e.id");
  const rows = await db
    .selectFrom("statements as s")
    .select("s.property")
    .distinct()
    .where("s.entity_id", "in", records)
    .where("s.retracted_at", "is", null)
    .where("s.sensitivity", "in", levels)
    .orderBy("s.property")
    .execute();
  return rows.map((r) => r.property);
}

/** Writes to a file with backpressure, hashing as it goes. */
class FileSink {
  readonly #out;
  readonly #hash = createHash("sha256");
  bytes = 0;
  constructor(path: string) {
    this.#out = createWriteStream(path, { flags: "wx", mode: 0o600 });
  }
  async write(text: string): Promise<void> {
    const chunk = Buffer.from(text, "utf8");
    this.#hash.update(chunk);
    this.bytes += chunk.length;
    if (!this.#out.write(chunk)) await once(this.#out, "drain");
  }
  async close(): Promise<string> {
    this.#out.end();
    await once(this.#out, "finish");
    return this.#hash.digest("hex");
  }
  destroy(): void {
    this.#out.destroy();
  }
}

async function runExport(ctx: JobContext<ExportJobPayload>): Promise<unknown> {
  const { services } = ctx;
  const row = await services.db.selectFrom("exports").selectAll().where("id", "=", ctx.payload.exportId).executeTakeFirst();
  if (!row) throw new PermanentJobError("the export is gone");
  if (row.state === "ready" || row.state === "cancelled") return { state: row.state };
  const mark = (set: Partial<{ state: ExportRow["state"]; error: string; row_count: number; byte_size: number; sha256: string; finished_at: Date }>) =>
    services.db.updateTable("exports").set(set).where("id", "=", row.id).where("state", "in", ["queued", "running"]).execute();
  const actor = await actorNow(services.db, row.org_id, row.created_by, ctx.payload.scopes);
  if (!actor || !can(actor, "export.run", { kind: "records", orgId: actor.orgId }) || !can(actor, "record.list", { kind: "records", orgId: actor.orgId })) {
    await mark({ state: "failed", error: "the person who asked for the export may no longer read records", finished_at: services.now() });
    return { state: "failed" };
  }
  const stored = row.filter as { filter: ExportRequest["filter"]; restricted: boolean };
  const request: ExportRequest = { format: row.format, filter: ExportFilterSchema.parse(stored.filter), restricted: stored.restricted === true };
  await mark({ state: "running" });
  const path = exportPath(services, row.id);
  await mkdir(join(path, ".."), { recursive: true, mode: 0o700 });
  // A retry starts the file again.
  await rm(path, { force: true });
  const sink = new FileSink(path);
  try {
    const counted = await applyEntityFilter(visibleRecords(services.db, actor), actor, request.filter).clearSelect().select((eb) => eb.fn.countAll<number>().as("n")).executeTakeFirstOrThrow();
    const total = Number(counted.n);
    const columns = request.format === "csv" ? await csvColumns(services.db, actor, request) : [];
    if (request.format === "csv") await sink.write(csvLine(["id", "schema", "created_at", "archived", ...columns]));
    let after: string | null = null;
    let written = 0;
    for (;;) {
      if (ctx.signal.aborted) throw ctx.signal.reason instanceof JobInterrupted ? ctx.signal.reason : new JobInterrupted("stopping");
      const batch: EntityRow[] = await applyEntityFilter(visibleRecords(services.db, actor), actor, request.filter, after ? { after } : {})
        .$if(after !== null, (q) => q.where("e.id", ">", after!))
        .orderBy("e.id")
        .limit(EXPORT_BATCH)
        .execute();
      if (batch.length === 0) break;
      for (const record of await valuesOf(services.db, actor, batch, request.restricted)) {
        if (request.format === "ftm") {
          await sink.write(`${JSON.stringify(toFtm(record.row.id, record.row.schema, record.values))}\n`);
        } else {
          const cells = columns.map((c) => [...new Set(record.values.filter((v) => v.property === c).map((v) => v.value))].join("; "));
          await sink.write(csvLine([record.row.id, record.row.schema, record.row.created_at.toISOString(), record.row.archived_at ? "yes" : "", ...cells]));
        }
      }
      written += batch.length;
      after = batch[batch.length - 1]!.id;
      await ctx.progress(written, Math.max(total, written), `exported ${written} records`);
    }
    const sha256 = await sink.close();
    await services.db.transaction().execute(async (tx) => {
      await tx.updateTable("exports").set({ state: "ready", row_count: written, byte_size: sink.bytes, sha256, finished_at: services.now() }).where("id", "=", row.id).execute();
      await ctx.fence(tx);
    });
    return { records: written, bytes: sink.bytes, sha256 };
  } catch (error) {
    sink.destroy();
    await rm(path, { force: true });
    if (error instanceof JobInterrupted && error.why === "cancelled") await mark({ state: "cancelled", finished_at: services.now() });
    else if (!(error instanceof JobInterrupted) && ctx.job.attempts >= ctx.job.maxAttempts) {
      await mark({ state: "failed", error: error instanceof Error ? error.message.slice(0, 2000) : "the export failed", finished_at: services.now() });
    }
    throw error;
  }
}

export const exportJob = defineJob<ExportJobPayload>({
  kind: EXPORT_JOB,
  parse: (raw) => ExportJobPayload.parse(raw),
  maxAttempts: 3,
  run: runExport,
});

export const EXPIRE_FILES_JOB = "records.files.expire";
/** How long an upload waits, unimported, before its file is removed. */
export const UPLOAD_KEEP_MS = 7 * 24 * 3_600_000;

/**
 * Removes export files a day after they were made, and uploads left unimported for a week; the
 * rows stay as the record of what was exported and imported. Run by a schedule (src/workers.ts).
 */
export const expireFilesJob = defineJob<unknown>({
  kind: EXPIRE_FILES_JOB,
  parse: (raw) => raw,
  async run(ctx) {
    const { services } = ctx;
    const now = services.now();
    const exports = await services.db.selectFrom("exports").select("id").where("file_removed_at", "is", null).where("finished_at", "<", new Date(now.getTime() - EXPORT_KEEP_MS)).execute();
    for (const { id } of exports) {
      await rm(exportPath(services, id), { force: true });
      await services.db.updateTable("exports").set({ file_removed_at: now }).where("id", "=", id).execute();
    }
    const uploads = await services.db
      .selectFrom("imports")
      .select("id")
      .where("file_removed_at", "is", null)
      .where("state", "in", ["uploaded", "checked", "failed"])
      .where("created_at", "<", new Date(now.getTime() - UPLOAD_KEEP_MS))
      .execute();
    for (const { id } of uploads) {
      await rm(importFilePath(services, id), { force: true });
      await services.db.updateTable("imports").set({ file_removed_at: now, state: "cancelled", finished_at: now, error: "not imported within a week: the file was removed" }).where("id", "=", id).where("state", "in", ["uploaded", "checked", "failed"]).execute();
    }
    return { exports: exports.length, uploads: uploads.length };
  },
});
