// Importing records from a CSV file (with a column mapping) or a FollowTheMoney JSON-lines file.
// Upload (streamed to disk) → mapping → preview → check (a dry run, as a job) → commit (a job).
// Every rejected row is kept with its line and reason. A commit writes every record in one
// transaction: nothing is written when a row fails, unless the importer asked to commit the
// valid rows. Every imported value cites a Source record that stands for the import.
import { randomUUID } from "node:crypto";
import { sql, type RawBuilder } from "kysely";
import { z } from "zod";
import { can, CsvReader, Conflict, Invalid, isRole, NotFound, type Actor, type CsvRecord } from "../core/index.ts";
import type { Origin, Services, Tx } from "../context.ts";
import { arrayLiteral, type ImportRow } from "../db/index.ts";
import { parseInput } from "../accounts/index.ts";
import { recordAudit, requirePermission } from "../audit/index.ts";
import { cancelJob, defineJob, enqueueJob, findJob, JobInterrupted, PermanentJobError, type JobContext, type JobView } from "../jobs/index.ts";
import { newNameIndex, newNameIndexInserts, type NewIndexedRecord, type NewNameIndex } from "../screening/index.ts";
import { documentInserts, documentOf, type DocumentRow, type DocumentStatement } from "../search/index.ts";
import { recordsChanged } from "./changes.ts";
import { ImportTooLarge, importFilePath, readImportText, receiveImportFile, removeImportFile, type TextEncodingName } from "./import-file.ts";
import { checkMapping, duplicateHeaders, findMapping, ImportMappingSchema, MAPPING_NAME, saveMapping, type ImportMapping } from "./import-mapping.ts";
import { checkReferences, CsvPlanner, rejection, ValueChecker, type EntityPlan, type Rejection, type RowOutcome } from "./import-rows.ts";
import { FtmPlanner, scanFtmIds, type FtmIds } from "./import-ftm.ts";
import { newNameSortKeys } from "./name-sort-key.ts";
import { countByProperty, insertStatementRows, statementRow } from "./statements.ts";
import { loadVocabularies } from "./vocabularies.ts";
import { findSchema } from "./model.ts";
import { inputOf } from "./entities.ts";
import { orderedIds } from "./ordered-ids.ts";
import type { Sensitivity } from "./input.ts";

export const IMPORT_FORMATS = ["csv", "ftm"] as const;
export type ImportFormat = (typeof IMPORT_FORMATS)[number];
export type ImportState = ImportRow["state"];

/** Rows planned, checked and written together: one reference query and a few multi-row INSERTs per batch. */
export const IMPORT_BATCH = 1_000;
const PREVIEW_ROWS = 10;

export interface ImportView {
  id: string;
  format: ImportFormat;
  filename: string;
  byteSize: number;
  sha256: string;
  encoding: TextEncodingName;
  /** A CSV file's header, in order. */
  columns: string[];
  mapping: ImportMapping | null;
  state: ImportState;
  partial: boolean;
  rowsTotal: number | null;
  rowsValid: number | null;
  rowsRejected: number | null;
  entitiesCreated: number | null;
  /** The Source record every imported value cites, once committed. */
  sourceId: string | null;
  error: string | null;
  createdBy: string;
  createdAt: Date;
  checkedAt: Date | null;
  finishedAt: Date | null;
  job: JobView | null;
}

async function viewOf(services: Services, row: ImportRow): Promise<ImportView> {
  return {
    id: row.id,
    format: row.format,
    filename: row.filename,
    byteSize: row.byte_size,
    sha256: row.sha256,
    encoding: row.encoding,
    columns: row.columns as string[],
    mapping: row.mapping ? ImportMappingSchema.parse(row.mapping) : null,
    state: row.state,
    partial: row.partial,
    rowsTotal: row.rows_total,
    rowsValid: row.rows_valid,
    rowsRejected: row.rows_rejected,
    entitiesCreated: row.entities_created,
    sourceId: row.source_id,
    error: row.error,
    createdBy: row.created_by,
    createdAt: row.created_at,
    checkedAt: row.checked_at,
    finishedAt: row.finished_at,
    job: row.job_id ? await findJob(services.db, row.job_id) : null,
  };
}

function importSubject(row: Pick<ImportRow, "org_id" | "created_by">) {
  return { kind: "job" as const, orgId: row.org_id, ownerId: row.created_by };
}

async function requireImporter(services: Services, origin: Origin, actor: Actor): Promise<void> {
  await requirePermission(services, origin, can(actor, "import.run", { kind: "records", orgId: actor.orgId }) && can(actor, "record.create", { kind: "records", orgId: actor.orgId }), actor, "import.run", { type: "import", id: null });
}

/** An import its creator (or an administrator of its organisation) follows; to anyone else it does not exist. */
async function loadImport(services: Services, actor: Actor, id: string, db: Tx = services.db): Promise<ImportRow> {
  const row = /^[0-9a-f-]{36}$/.test(id) ? await db.selectFrom("imports").selectAll().where("id", "=", id).executeTakeFirst() : undefined;
  if (!row || !can(actor, "job.view", importSubject(row))) throw new NotFound("no such import");
  return row;
}

/** The person who started a job as they stand now: one who left, was deactivated or lost the right stops it. */
export async function actorNow(db: Tx, orgId: string, userId: string, scopes: Actor["scopes"]): Promise<Actor | null> {
  const member = await db
    .selectFrom("memberships as m")
    .innerJoin("users as u", "u.id", "m.user_id")
    .select(["m.role", "u.deactivated_at"])
    .where("m.org_id", "=", orgId)
    .where("m.user_id", "=", userId)
    .executeTakeFirst();
  if (!member || member.deactivated_at !== null || !isRole(member.role)) return null;
  return { userId, orgId, role: member.role, scopes };
}

// ---------------------------------------------------------------------------------------------
// Upload

export interface IncomingImport {
  source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>;
  filename: string | null;
  format: string;
  /** The length the client declared, to refuse an oversized file before reading it. */
  declaredSize?: number | null;
}

function cleanFilename(name: string | null): string {
  // eslint-disable-next-line no-control-regex
  const base = (name ?? "").split(/[/\\]/).pop()!.replace(/[\u0000-\u001f\u007f]/g, "").trim();
  return base ? base.slice(0, 255) : "upload";
}

/** Refuses a caller who may not import before a byte of the file is read. */
export async function authorizeImport(services: Services, origin: Origin, actor: Actor): Promise<void> {
  await requireImporter(services, origin, actor);
}

/**
 * Receives a file: streams it to disk (refused past VIGIL_MAX_IMPORT_BYTES), proves its encoding,
 * reads a CSV header (or counts FtM lines), and records the import. Nothing is recorded, and the
 * file is removed, when anything is wrong with it.
 */
export async function receiveImport(services: Services, origin: Origin, actor: Actor, incoming: IncomingImport): Promise<ImportView> {
  await requireImporter(services, origin, actor);
  const format = parseInput(z.enum(IMPORT_FORMATS, "csv or ftm"), incoming.format);
  const limit = services.config.maxImportBytes;
  if (incoming.declaredSize !== null && incoming.declaredSize !== undefined && incoming.declaredSize > limit) throw new ImportTooLarge(limit);
  const id = randomUUID();
  const path = importFilePath(services, id);
  let header: CsvRecord | null = null;
  let rows = 0;
  const reader = new CsvReader({ maxRecordChars: Number.MAX_SAFE_INTEGER });
  let lineOpen = false;
  const take = (records: CsvRecord[]) => {
    for (const r of records) {
      if (!header) header = r;
      else rows++;
    }
  };
  const received = await receiveImportFile(path, incoming.source, limit, (text) => {
    if (format === "csv") take(reader.push(text));
    else {
      // Non-blank lines: each is one entity.
      for (let i = 0; i < text.length; i++) {
        const ch = text.charCodeAt(i);
        if (ch === 10) lineOpen = false;
        else if (!lineOpen && ch !== 13 && ch !== 32 && ch !== 9) {
          lineOpen = true;
          rows++;
        }
      }
    }
  });
  try {
    let columns: string[] = [];
    if (format === "csv") {
      take(reader.end());
      const first = header as CsvRecord | null;
      if (!first) throw new Invalid("the file has no header row", { file: "the first row must name the columns" });
      if (first.error) throw new Invalid(`the header row (line ${first.line}): ${first.error}`, { file: first.error });
      columns = first.cells.map((c) => c.trim());
      const twice = duplicateHeaders(columns);
      if (twice.length > 0) throw new Invalid(`the header names ${twice.map((h) => `"${h.slice(0, 64)}"`).join(", ")} more than once: give every column its own name`, { file: "duplicate column names" });
      if (columns.length > 500) throw new Invalid("the file has more than 500 columns", { file: "too many columns" });
    }
    const now = services.now();
    await services.db.transaction().execute(async (tx) => {
      await tx
        .insertInto("imports")
        .values({
          id, org_id: actor.orgId, created_by: actor.userId, created_at: now, format, filename: cleanFilename(incoming.filename),
          byte_size: received.byteSize, sha256: received.sha256, encoding: received.encoding, columns: JSON.stringify(columns), state: "uploaded", rows_total: rows,
        })
        .execute();
      await recordAudit(tx, origin, { orgId: actor.orgId, actorId: actor.userId, action: "import.upload", targetType: "import", targetId: id, details: { format, bytes: received.byteSize, sha256: received.sha256, rows } });
    });
  } catch (error) {
    await removeImportFile(path);
    throw error;
  }
  return getImport(services, origin, actor, id);
}

export async function getImport(services: Services, origin: Origin, actor: Actor, id: string): Promise<ImportView> {
  await requireImporter(services, origin, actor);
  return viewOf(services, await loadImport(services, actor, id));
}

/** The caller's imports (an administrator sees everyone's), newest first. */
export async function listImports(services: Services, origin: Origin, actor: Actor): Promise<ImportView[]> {
  await requireImporter(services, origin, actor);
  const rows = await services.db
    .selectFrom("imports")
    .selectAll()
    .where("org_id", "=", actor.orgId)
    .$if(actor.role !== "admin", (q) => q.where("created_by", "=", actor.userId))
    .orderBy("created_at", "desc")
    .orderBy("id", "desc")
    .limit(50)
    .execute();
  return Promise.all(rows.map((r) => viewOf(services, r)));
}

// ---------------------------------------------------------------------------------------------
// Mapping and preview

export const MappingChoiceSchema = z.union([
  z.strictObject({ mapping: z.unknown(), saveAs: MAPPING_NAME.optional() }),
  z.strictObject({ mappingName: MAPPING_NAME }),
]);

function requireState(row: ImportRow, allowed: readonly ImportState[], doing: string): void {
  if (!allowed.includes(row.state)) throw new Conflict(`the import is ${row.state}: it cannot ${doing} now`);
}

function parseMapping(raw: unknown): ImportMapping {
  try {
    return parseInput(ImportMappingSchema, raw);
  } catch (error) {
    if (!(error instanceof Invalid)) throw error;
    throw new Invalid(error.message, Object.fromEntries(Object.entries(error.fields).map(([k, v]) => [k === "_" ? "mapping" : `mapping.${k}`, v])));
  }
}

/** Sets a CSV import's column mapping (given, or a saved one by name), optionally saving it by name. */
export async function setImportMapping(services: Services, origin: Origin, actor: Actor, id: string, raw: unknown): Promise<ImportView> {
  await requireImporter(services, origin, actor);
  const row = await loadImport(services, actor, id);
  if (row.format !== "csv") throw new Invalid("only a CSV import takes a column mapping", { mapping: "FtM files name their properties" });
  requireState(row, ["uploaded", "checked", "failed"], "take a new mapping");
  const choice = parseInput(MappingChoiceSchema, await inputOf(raw));
  const mapping = "mappingName" in choice ? (await findMapping(services, origin, actor, choice.mappingName)).mapping : parseMapping(choice.mapping);
  checkMapping(mapping, row.columns as string[]);
  if ("saveAs" in choice && choice.saveAs !== undefined) await saveMapping(services, origin, actor, choice.saveAs, mapping);
  // A new mapping makes an earlier check meaningless.
  await services.db.transaction().execute(async (tx) => {
    await tx.deleteFrom("import_rejections").where("import_id", "=", id).execute();
    await tx
      .updateTable("imports")
      .set({ mapping: JSON.stringify(mapping), schema: mapping.schema, state: "uploaded", rows_valid: null, rows_rejected: null, checked_at: null, error: null })
      .where("id", "=", id)
      .execute();
  });
  return getImport(services, origin, actor, id);
}

export interface PreviewRow {
  line: number;
  ok: boolean;
  schema: string | null;
  values: { property: string; value: string; lang: string | null }[];
  reason: string | null;
}

/** The first rows as they would be stored (or why they would be rejected), read from the file on disk. */
export async function previewImport(services: Services, origin: Origin, actor: Actor, id: string, count = PREVIEW_ROWS): Promise<PreviewRow[]> {
  await requireImporter(services, origin, actor);
  const row = await loadImport(services, actor, id);
  if (row.format === "csv" && !row.mapping) throw new Conflict("map the columns first");
  if (row.file_removed_at) throw new Conflict("the file of this import is gone");
  const pipeline = await openPipeline(services, row, actor);
  const out: PreviewRow[] = [];
  for await (const batch of pipeline.batches(services.db, Math.min(Math.max(count, 1), 100))) {
    for (const outcome of batch) {
      out.push(outcome.ok
        ? { line: outcome.plan.line, ok: true, schema: outcome.plan.schema, values: outcome.plan.values.map((v) => ({ property: v.property, value: v.value, lang: v.lang })), reason: null }
        : { line: outcome.line, ok: false, schema: null, values: [], reason: outcome.reason });
    }
    break;
  }
  return out;
}

export interface RejectionPage {
  rejections: Rejection[];
  /** The line to ask for the next page from, or null at the end. */
  nextAfter: number | null;
}

export async function importRejections(services: Services, origin: Origin, actor: Actor, id: string, rawAfter: unknown = 0, rawLimit: unknown = 100): Promise<RejectionPage> {
  await requireImporter(services, origin, actor);
  await loadImport(services, actor, id);
  const after = parseInput(z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER), rawAfter);
  const limit = parseInput(z.coerce.number().int().min(1).max(1000), rawLimit);
  const rows = await services.db.selectFrom("import_rejections").select(["line", "reason"]).where("import_id", "=", id).where("line", ">", after).orderBy("line").limit(limit + 1).execute();
  const page = rows.slice(0, limit);
  return { rejections: page, nextAfter: rows.length > limit ? page[page.length - 1]!.line : null };
}

/** Every rejection of an import, in line order, a page at a time (the CLI prints them all). */
export async function* allRejections(services: Services, origin: Origin, actor: Actor, id: string): AsyncGenerator<Rejection> {
  let after = 0;
  for (;;) {
    const page = await importRejections(services, origin, actor, id, after, 1000);
    yield* page.rejections;
    if (page.nextAfter === null) return;
    after = page.nextAfter;
  }
}

// ---------------------------------------------------------------------------------------------
// Check and commit, as jobs

export const IMPORT_JOB = "records.import";
const ImportJobPayload = z.strictObject({ importId: z.uuid(), mode: z.enum(["check", "commit"]), scopes: z.array(z.enum(["read", "write", "admin"])).nullable() });
type ImportJobPayload = z.infer<typeof ImportJobPayload>;

export const CommitOptionsSchema = z.strictObject({
  /** Commit the valid rows although some are rejected. Never the default. */
  partial: z.boolean().default(false),
});

async function enqueueImportJob(services: Services, origin: Origin, actor: Actor, id: string, mode: "check" | "commit", partial: boolean): Promise<ImportView> {
  await services.db.transaction().execute(async (tx) => {
    const row = await loadImport(services, actor, id, tx);
    const locked = await tx.selectFrom("imports").select("state").where("id", "=", id).forUpdate().executeTakeFirstOrThrow();
    requireState({ ...row, state: locked.state }, mode === "check" ? ["uploaded", "checked", "failed"] : ["uploaded", "checked", "failed"], mode === "check" ? "be checked" : "be committed");
    if (row.format === "csv" && !row.mapping) throw new Conflict("map the columns first");
    if (row.file_removed_at) throw new Conflict("the file of this import is gone: upload it again");
    const payload: ImportJobPayload = { importId: id, mode, scopes: actor.scopes ? [...actor.scopes] : null };
    const job = await enqueueJob(services, tx, { kind: IMPORT_JOB, orgId: actor.orgId, ownerId: actor.userId, payload, maxAttempts: 3 });
    await tx
      .updateTable("imports")
      .set({ state: mode === "check" ? "checking" : "importing", job_id: job.id, partial: mode === "commit" ? partial : row.partial, error: null })
      .where("id", "=", id)
      .execute();
    await recordAudit(tx, origin, { orgId: actor.orgId, actorId: actor.userId, action: mode === "check" ? "import.check" : "import.commit", targetType: "import", targetId: id, details: mode === "commit" ? { partial } : {} });
  });
  return getImport(services, origin, actor, id);
}

/** Starts a dry run: every row checked, every rejection recorded, nothing written. */
export async function checkImport(services: Services, origin: Origin, actor: Actor, id: string): Promise<ImportView> {
  await requireImporter(services, origin, actor);
  return enqueueImportJob(services, origin, actor, id, "check", false);
}

/** Starts the commit: checks every row again, then writes them all in one transaction (or the valid ones, when `partial`). */
export async function commitImport(services: Services, origin: Origin, actor: Actor, id: string, raw: unknown = {}): Promise<ImportView> {
  await requireImporter(services, origin, actor);
  const options = parseInput(CommitOptionsSchema, (await inputOf(raw)) ?? {});
  return enqueueImportJob(services, origin, actor, id, "commit", options.partial);
}

/** Cancels a running check or commit (nothing is written), or abandons an import not yet committed (its file is removed). */
export async function cancelImport(services: Services, origin: Origin, actor: Actor, id: string): Promise<ImportView> {
  await requireImporter(services, origin, actor);
  const row = await loadImport(services, actor, id);
  requireState(row, ["uploaded", "checking", "checked", "importing", "failed"], "be cancelled");
  const now = services.now();
  if (row.job_id && (row.state === "checking" || row.state === "importing")) {
    const state = await cancelJob(services, services.db, row.job_id);
    // A running job stops at its next batch and marks the import itself.
    if (state === "running") return getImport(services, origin, actor, id);
  }
  await services.db.transaction().execute(async (tx) => {
    await tx.updateTable("imports").set({ state: "cancelled", finished_at: now, file_removed_at: now }).where("id", "=", id).where("state", "<>", "imported").execute();
    await recordAudit(tx, origin, { orgId: actor.orgId, actorId: actor.userId, action: "import.cancel", targetType: "import", targetId: id });
  });
  await removeImportFile(importFilePath(services, id));
  return getImport(services, origin, actor, id);
}

// ---------------------------------------------------------------------------------------------
// The rows of a file, planned in batches

interface Pipeline {
  /** Planned rows in batches, references checked through `db`. */
  batches(db: Tx, size?: number): AsyncGenerator<RowOutcome[]>;
  /** Planned rows in batches, references not yet checked: reading and checking values only, no query. */
  planned(size?: number): AsyncGenerator<RowOutcome[]>;
  /** New record and statement ids, in the order they are asked for (see ordered-ids.ts). */
  newId: () => string;
  /** A planned batch with its references checked through `db`. */
  checked(db: Tx, batch: RowOutcome[]): Promise<RowOutcome[]>;
  /** A FtM file's ids, when it has been scanned: the records the import itself creates. */
  ids: FtmIds | null;
}

async function* csvRecords(path: string, encoding: TextEncodingName, delimiter: string): AsyncGenerator<CsvRecord> {
  const reader = new CsvReader({ delimiter });
  let header = true;
  for await (const text of readImportText(path, encoding)) {
    for (const record of reader.push(text)) {
      if (header) header = false;
      else yield record;
    }
  }
  for (const record of reader.end()) {
    if (header) header = false;
    else yield record;
  }
}

async function* ftmLines(path: string, encoding: TextEncodingName): AsyncGenerator<{ line: number; text: string }> {
  let line = 1;
  let rest = "";
  for await (const text of readImportText(path, encoding)) {
    const parts = (rest + text).split("\n");
    rest = parts.pop()!;
    for (const part of parts) {
      const trimmed = part.trim();
      if (trimmed) yield { line, text: trimmed };
      line++;
    }
  }
  if (rest.trim()) yield { line, text: rest.trim() };
}

async function openPipeline(services: Services, row: ImportRow, actor: Actor): Promise<Pipeline> {
  const checker = new ValueChecker(await loadVocabularies(services.db, actor.orgId));
  const path = importFilePath(services, row.id);
  let ids: FtmIds | null = null;
  const newId = orderedIds(services.now());
  let planned: (size: number) => AsyncGenerator<RowOutcome[]>;
  if (row.format === "csv") {
    const mapping = ImportMappingSchema.parse(row.mapping);
    const planner = new CsvPlanner(row.columns as string[], mapping, checker);
    planned = (size) => inBatches(csvRecords(path, row.encoding, mapping.delimiter), size, (record) => planner.plan(record, newId()));
  } else {
    const scanned = await scanFtmIds(ftmLines(path, row.encoding), row.id);
    const planner = new FtmPlanner(checker, scanned);
    ids = scanned;
    planned = (size) => inBatches(ftmLines(path, row.encoding), size, (line) => planner.plan(line));
  }
  const inFile = ids?.schemaOf ?? new Map<string, string>();
  const checked = (db: Tx, batch: RowOutcome[]) => withReferences(db, actor, batch, inFile);
  return {
    ids,
    newId,
    planned: (size = IMPORT_BATCH) => planned(size),
    checked,
    async *batches(db, size = IMPORT_BATCH) {
      for await (const batch of planned(size)) yield await checked(db, batch);
    },
  };
}

async function* inBatches<T>(items: AsyncIterable<T>, size: number, plan: (item: T) => RowOutcome): AsyncGenerator<RowOutcome[]> {
  let batch: RowOutcome[] = [];
  for await (const item of items) {
    batch.push(plan(item));
    if (batch.length >= size) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length > 0) yield batch;
}

async function withReferences(db: Tx, actor: Actor, batch: RowOutcome[], inFile: ReadonlyMap<string, string>): Promise<RowOutcome[]> {
  const plans = batch.filter((o): o is { ok: true; plan: EntityPlan } => o.ok).map((o) => o.plan);
  const problems = await checkReferences(db, actor, plans, inFile);
  if (problems.size === 0) return batch;
  return batch.map((o) => (o.ok && problems.has(o.plan.line) ? rejection(o.plan.line, problems.get(o.plan.line)!) : o));
}

// ---------------------------------------------------------------------------------------------
// Writing

interface WriteContext {
  actor: Actor;
  sourceId: string | null;
  sensitivity: Sensitivity;
  restricted: boolean;
  reason: string;
  now: Date;
}

// Rows are written with INSERT … SELECT FROM unnest(arrays): a dozen parameters per table and
// batch, whatever its size, on PGlite and PostgreSQL alike (PostgreSQL's COPY would need a driver
// extension, and PGlite's reads only from a file). Plain multi-row INSERTs spent most of an import
// compiling and binding tens of thousands of parameters. A batch's INSERTs then go as one statement
// (inOneStatement).
function entityInserts(plans: readonly EntityPlan[], w: WriteContext): RawBuilder<unknown>[] {
  if (plans.length === 0) return [];
  const ids = plans.map((p) => p.id);
  // Each with its name key, computed by the database from the names about to be written.
  const keys = newNameSortKeys(plans.flatMap((p) => p.values.map((v) => ({ entity: p.id, property: v.property, value: v.value }))), w.sensitivity);
  const inserts = [
    sql`INSERT INTO entities (id, org_id, schema, restricted, created_by, created_at, updated_at, name_key)
    SELECT t.id, ${w.actor.orgId}::uuid, t.schema, ${w.restricted}, ${w.actor.userId}::uuid, ${w.now}::timestamptz, ${w.now}::timestamptz, COALESCE(k.key, '')
    FROM unnest(${arrayLiteral(ids)}::uuid[], ${arrayLiteral(plans.map((p) => p.schema))}::text[]) AS t(id, schema) LEFT JOIN ${keys} AS k ON k.id = t.id`,
  ];
  // The importer of a restricted record is on its access list, or they would lose it at once.
  if (w.restricted) {
    inserts.push(sql`INSERT INTO entity_access (entity_id, user_id, granted_by, granted_at)
      SELECT t.id, ${w.actor.userId}::uuid, ${w.actor.userId}::uuid, ${w.now}::timestamptz FROM unnest(${arrayLiteral(ids)}::uuid[]) AS t(id)`);
  }
  return inserts;
}

async function writeEntityRows(tx: Tx, plans: readonly EntityPlan[], w: WriteContext): Promise<void> {
  await inOneStatement(tx, entityInserts(plans, w));
}

/**
 * Runs INSERTs as one statement, each a data-modifying part of a WITH: one round trip, so that the
 * database works through a whole batch without waiting for Node's event loop to send the next
 * INSERT (it turns only between slices of the next batch being prepared). Foreign keys are checked
 * at the end of the statement, when every part's rows are there.
 */
async function inOneStatement(tx: Tx, inserts: readonly RawBuilder<unknown>[]): Promise<void> {
  if (inserts.length === 0) return;
  if (inserts.length === 1) {
    await inserts[0]!.execute(tx);
    return;
  }
  await sql`WITH ${sql.join(inserts.map((insert, i) => sql`${sql.raw(`w${i}`)} AS (${insert})`))} SELECT 1`.execute(tx);
}

/**
 * A batch made ready for writing, in memory and before any query: statement ids, the names index
 * entries and the search documents, derived from the values being written exactly as
 * refreshNameKeysOf and refreshSearchDocuments would read them back (the records are new: nothing
 * to delete, nothing to read). Preparing is the import's JavaScript work; commitPass prepares the
 * next batch while the database writes this one.
 */
interface PreparedBatch {
  plans: EntityPlan[];
  /** One id per value, plans' values in order. */
  statementIds: string[];
  names: NewNameIndex;
  documents: DocumentRow[];
}

/** Plans prepared between two turns of the event loop: see prepareBatch. */
const PREPARE_SLICE = 50;

async function prepareBatch(plans: EntityPlan[], w: WriteContext, newId: () => string): Promise<PreparedBatch> {
  const statementIds: string[] = [];
  const records: NewIndexedRecord[] = [];
  const documents: DocumentRow[] = [];
  const secret = w.sensitivity === "secret";
  for (const [n, p] of plans.entries()) {
    // The previous batch's writes are several queries in a row, each sent when the one before it
    // answers: let the event loop send them while this batch is being prepared.
    if (n > 0 && n % PREPARE_SLICE === 0) await new Promise((resolve) => setImmediate(resolve));
    const statements: DocumentStatement[] = [];
    for (const v of p.values) {
      statementIds.push(newId());
      // As stored: a secret value is sealed, and nothing derived from it (its dates) is kept in the clear.
      statements.push({
        entity_id: p.id, property: v.property, value: secret ? null : v.value, sensitivity: w.sensitivity,
        date_earliest: secret ? null : v.dateEarliest, date_latest: secret ? null : v.dateLatest, ref_id: v.ref,
      });
    }
    records.push({ id: p.id, org_id: w.actor.orgId, schema: p.schema, statements });
    documents.push(documentOf({ id: p.id, org_id: w.actor.orgId, schema: p.schema, restricted: w.restricted, archived_at: null }, statements));
  }
  return { plans, statementIds, names: newNameIndex(records), documents };
}

/** The part of a prepared batch that holds `plans` (a subset of its own, in the same order). */
function narrowBatch(batch: PreparedBatch, plans: EntityPlan[]): PreparedBatch {
  if (plans.length === batch.plans.length) return batch;
  const keep = new Set(plans.map((p) => p.id));
  const statementIds: string[] = [];
  let i = 0;
  for (const p of batch.plans) {
    for (const _ of p.values) {
      if (keep.has(p.id)) statementIds.push(batch.statementIds[i]!);
      i++;
    }
  }
  const k = batch.names.keys;
  const f = batch.names.features;
  const pick = <T,>(values: T[], entities: string[]) => values.filter((_, j) => keep.has(entities[j]!));
  return {
    plans,
    statementIds,
    names: {
      keys: { org: pick(k.org, k.entity), entity: pick(k.entity, k.entity), key: pick(k.key, k.entity), decade: pick(k.decade, k.entity) },
      features: { entity: pick(f.entity, f.entity), org: pick(f.org, f.entity), guarded: pick(f.guarded, f.entity), prepared: pick(f.prepared, f.entity) },
    },
    documents: batch.documents.filter((d) => keep.has(d.entity_id)),
  };
}

/**
 * A prepared batch's INSERTs, its arrays serialised: its records unless `entities` is false
 * (already written by a first pass), their statements, first revisions, names index entries and
 * search documents. Built while the previous batch is being written, so that the database does
 * not wait for it. Null when the values are secret: those are sealed one by one as they are written.
 */
function batchInserts(batch: PreparedBatch, w: WriteContext, entities: boolean): RawBuilder<unknown>[] | null {
  if (w.sensitivity === "secret") return null;
  const { plans, statementIds } = batch;
  if (plans.length === 0) return [];
  // The statements' columns, gathered in one pass (an import sends six values a row).
  const entity: string[] = [];
  const property: string[] = [];
  const value: string[] = [];
  const lang: (string | null)[] = [];
  const earliest: (string | null)[] = [];
  const latest: (string | null)[] = [];
  const ref: (string | null)[] = [];
  for (const p of plans) {
    for (const v of p.values) {
      entity.push(p.id);
      property.push(v.property);
      value.push(v.value);
      lang.push(v.lang);
      earliest.push(v.dateEarliest);
      latest.push(v.dateLatest);
      ref.push(v.ref);
    }
  }
  const inserts: RawBuilder<unknown>[] = entities ? entityInserts(plans, w) : [];
  if (entity.length > 0) {
    inserts.push(sql`INSERT INTO statements (id, org_id, entity_id, property, value, lang, source_id, sensitivity, date_earliest, date_latest, author_id, created_at, revision, ref_id)
      SELECT t.id, ${w.actor.orgId}::uuid, t.entity_id, t.property, t.value, t.lang, ${w.sourceId}::uuid, ${w.sensitivity}, t.earliest, t.latest, ${w.actor.userId}::uuid, ${w.now}::timestamptz, 1, t.ref
      FROM unnest(
        ${arrayLiteral(statementIds)}::uuid[], ${arrayLiteral(entity)}::uuid[], ${arrayLiteral(property)}::text[], ${arrayLiteral(value)}::text[],
        ${arrayLiteral(lang)}::text[], ${arrayLiteral(earliest)}::text[], ${arrayLiteral(latest)}::text[], ${arrayLiteral(ref)}::uuid[]
      ) AS t(id, entity_id, property, value, lang, earliest, latest, ref)`);
  }
  inserts.push(...afterStatementInserts(batch, w));
  return inserts;
}

/**
 * The first revisions, then the batch's derived data, in one place: the names index and the search
 * documents, prepared in prepareBatch from the values written (what refreshNameKeysOf and
 * refreshSearchDocuments would read back for these new records).
 */
function afterStatementInserts(batch: PreparedBatch, w: WriteContext): RawBuilder<unknown>[] {
  const { plans } = batch;
  // Rows of one file mostly fill the same columns: each distinct summary is sent, and parsed, once.
  const summaries = new Map<string, number>();
  const summaryOf = plans.map((p) => {
    const summary = JSON.stringify({ added: countByProperty(p.values), retracted: {} });
    let n = summaries.get(summary);
    if (n === undefined) summaries.set(summary, (n = summaries.size + 1));
    return n;
  });
  return [
    sql`INSERT INTO entity_revisions (entity_id, number, kind, author_id, reason, created_at, summary)
    SELECT t.id, 1, 'create', ${w.actor.userId}::uuid, ${w.reason}, ${w.now}::timestamptz, s.summary
    FROM unnest(${arrayLiteral(plans.map((p) => p.id))}::uuid[], ${arrayLiteral(summaryOf)}::int[]) AS t(id, n)
    JOIN unnest(${arrayLiteral([...summaries.keys()])}::jsonb[]) WITH ORDINALITY AS s(summary, n) ON s.n = t.n`,
    ...newNameIndexInserts(batch.names),
    ...documentInserts(batch.documents, { fresh: true }),
  ];
}

/**
 * Writes a prepared batch (see batchInserts) in one statement, then tells whatever other
 * capabilities derive from records (the monitor's projection of imported detentions), which read
 * the rows once they are there.
 */
async function writeBatch(tx: Tx, services: Services, batch: PreparedBatch, w: WriteContext, entities: boolean, inserts = batchInserts(batch, w, entities)): Promise<void> {
  const { plans, statementIds } = batch;
  if (plans.length === 0) return;
  if (inserts) await inOneStatement(tx, inserts);
  else {
    // Secret: sealed one by one, each bound to its statement id; nothing derived from them is kept in the clear.
    if (entities) await inOneStatement(tx, entityInserts(plans, w));
    const values = plans.flatMap((p) => p.values.map((v) => ({ entity: p.id, ...v })));
    const rows = values.map((v, i) =>
      statementRow(services, w.actor, v.entity, 1, {
        id: statementIds[i]!, property: v.property, value: v.value, lang: v.lang, script: null, source: w.sourceId, confidence: null, sensitivity: "secret",
        dateEarliest: null, dateLatest: null, ref: null,
      }, w.now),
    );
    await insertStatementRows(tx, rows);
    await inOneStatement(tx, afterStatementInserts(batch, w));
  }
  // Records written here with their rows (a CSV import's, or the import's Source) have ids made by
  // Vigil that no row of the file can name: nothing points at them, and listeners are told what
  // they are instead of reading it back. An FtM file's records may point at one another.
  // (A secret value is written without its reference, as above.)
  const refsOf = (p: EntityPlan) => (w.sensitivity === "secret" ? [] : p.values.flatMap((v) => (v.ref ? [{ property: v.property, ref: v.ref }] : [])));
  const created = entities ? plans.map((p) => ({ id: p.id, schema: p.schema, refs: refsOf(p) })) : undefined;
  await recordsChanged(tx, plans.map((p) => p.id), { created });
}

/** The Source record standing for the import, written like any imported record. */
function sourcePlan(row: ImportRow, checker: ValueChecker, rows: number): EntityPlan {
  const schema = findSchema("Source")!;
  const values = [
    checker.check(schema, "name", `Import of ${row.filename} (${row.created_at.toISOString().slice(0, 10)})`, null),
    checker.check(schema, "description", `${row.format === "csv" ? "CSV" : "FollowTheMoney"} file ${row.filename}, ${row.byte_size} bytes, SHA-256 ${row.sha256}, ${rows} records; Vigil import ${row.id}.`, null),
  ];
  return { line: 0, id: randomUUID(), schema: "Source", values: values.flatMap((v) => (v.ok ? [v.value] : [])) };
}

class RowsRejected extends Error {
  constructor(readonly rejected: number) {
    super(`${rejected} ${rejected === 1 ? "row was" : "rows were"} rejected: nothing was imported`);
  }
}

/** Stops an in-flight pass between batches when the job is cancelled or the runner stops. */
function stopIfAsked(ctx: JobContext<unknown>): void {
  if (ctx.signal.aborted) throw ctx.signal.reason instanceof JobInterrupted ? ctx.signal.reason : new JobInterrupted("stopping");
}

/** Checks every row, replacing the import's recorded rejections; returns the counts. */
async function checkPass(services: Services, row: ImportRow, actor: Actor, ctx: JobContext<unknown>, pipeline: Pipeline): Promise<{ valid: number; rejected: number }> {
  await services.db.deleteFrom("import_rejections").where("import_id", "=", row.id).execute();
  let valid = 0;
  let rejected = 0;
  const total = row.rows_total;
  const rejectedLines = new Set<number>();
  const referencing: { line: number; id: string; targets: string[] }[] = [];
  for await (const batch of pipeline.batches(services.db)) {
    stopIfAsked(ctx);
    const rejections: Rejection[] = [];
    for (const o of batch) {
      if (o.ok) {
        valid++;
        if (pipeline.ids) {
          const targets = o.plan.values.filter((v) => v.ref && pipeline.ids!.schemaOf.has(v.ref)).map((v) => v.ref!);
          if (targets.length > 0) referencing.push({ line: o.plan.line, id: o.plan.id, targets });
        }
      } else {
        rejected++;
        rejections.push({ line: o.line, reason: o.reason });
        rejectedLines.add(o.line);
      }
    }
    if (rejections.length > 0) await services.db.insertInto("import_rejections").values(rejections.map((r) => ({ import_id: row.id, ...r }))).onConflict((oc) => oc.doNothing()).execute();
    await ctx.progress(valid + rejected, total, `checked ${valid + rejected} rows`);
  }
  // A record that points at a rejected record of the same file cannot be written either.
  if (pipeline.ids && rejectedLines.size > 0) {
    const rejectedIds = new Set<string>();
    for (const [id, line] of pipeline.ids.lineOf) if (rejectedLines.has(line)) rejectedIds.add(id);
    const cascaded: Rejection[] = [];
    let changed = true;
    while (changed) {
      changed = false;
      for (const r of referencing) {
        if (rejectedIds.has(r.id)) continue;
        const bad = r.targets.find((t) => rejectedIds.has(t));
        if (bad) {
          rejectedIds.add(r.id);
          cascaded.push({ line: r.line, reason: `points at line ${pipeline.ids.lineOf.get(bad)}, which is rejected` });
          changed = true;
        }
      }
    }
    for (let i = 0; i < cascaded.length; i += 1000) await services.db.insertInto("import_rejections").values(cascaded.slice(i, i + 1000).map((r) => ({ import_id: row.id, ...r }))).execute();
    valid -= cascaded.length;
    rejected += cascaded.length;
  }
  return { valid, rejected };
}

/** Writes every valid row in one transaction; a row rejected now (the data changed since the check) aborts it unless partial. */
async function commitPass(services: Services, row: ImportRow, actor: Actor, ctx: JobContext<unknown>, pipeline: Pipeline, valid: number): Promise<{ created: number; sourceId: string }> {
  const mapping = row.mapping ? ImportMappingSchema.parse(row.mapping) : null;
  const checker = new ValueChecker(await loadVocabularies(services.db, actor.orgId));
  const now = services.now();
  const source = sourcePlan(row, checker, valid);
  const w: WriteContext = { actor, sourceId: source.id, sensitivity: mapping?.sensitivity ?? "internal", restricted: mapping?.restricted ?? false, reason: `imported from ${row.filename}`, now };
  const rejectedLines = new Set((await services.db.selectFrom("import_rejections").select("line").where("import_id", "=", row.id).execute()).map((r) => r.line));
  // On the embedded database the transaction holds its one connection: progress waits until the end.
  const report = services.dbKind === "postgres" ? (done: number, message: string) => ctx.progress(done, valid, message) : async () => undefined;
  let created = 0;
  await services.db.transaction().execute(async (tx) => {
    const sourceContext: WriteContext = { ...w, sourceId: null, sensitivity: "internal" };
    await writeBatch(tx, services, await prepareBatch([source], sourceContext, pipeline.newId), sourceContext, true);
    const accept = (batch: RowOutcome[]) => {
      const plans: EntityPlan[] = [];
      for (const o of batch) {
        const line = o.ok ? o.plan.line : o.line;
        if (rejectedLines.has(line)) continue;
        if (!o.ok) {
          if (!row.partial) throw new RowsRejected(1);
          continue;
        }
        plans.push(o.plan);
      }
      return plans;
    };
    if (pipeline.ids) {
      // Records first, then their values: a value may point at a record further down the file.
      for await (const batch of pipeline.batches(tx)) {
        stopIfAsked(ctx);
        await writeEntityRows(tx, accept(batch), w);
      }
    }
    // Two batches in flight: while the database writes one, the next is read, checked and prepared
    // here (the import's JavaScript work runs beside the database's instead of after it). Its
    // references are checked only once the previous batch is written, so that they see it, as
    // when one batch followed the other.
    let writing: Promise<void> = Promise.resolve();
    let reporting: Promise<void> = Promise.resolve();
    let reportFailure: unknown = null;
    try {
      for await (const planned of pipeline.planned()) {
        stopIfAsked(ctx);
        const prepared = await prepareBatch(planned.flatMap((o) => (o.ok ? [o.plan] : [])), w, pipeline.newId);
        const ready = batchInserts(prepared, w, !pipeline.ids);
        await writing;
        stopIfAsked(ctx);
        if (reportFailure) throw reportFailure;
        const plans = accept(await pipeline.checked(tx, planned));
        const batch = narrowBatch(prepared, plans);
        const inserts = batch === prepared ? ready : batchInserts(batch, w, !pipeline.ids);
        writing = (async () => {
          await writeBatch(tx, services, batch, w, !pipeline.ids, inserts);
          created += plans.length;
          const done = created;
          // Progress (which also renews the job's lease) goes through another connection, in order,
          // without holding up the next batch; a failure stops the import at the next batch.
          reporting = reporting.then(() => report(done, `wrote ${done} records`)).catch((error: unknown) => {
            reportFailure ??= error;
          });
        })();
        // Awaited at the next batch or below; marked handled now so that a failure while the next
        // batch is being prepared is not reported as unhandled.
        writing.catch(() => undefined);
      }
    } finally {
      // Leaving early (cancelled, a row rejected, a failure): the batch in flight settles before
      // the transaction rolls back, so that none of its statements can run after the rollback.
      await writing.catch(() => undefined);
      await reporting;
    }
    await writing;
    if (reportFailure) throw reportFailure;
    const done = services.now();
    await tx
      .updateTable("imports")
      .set({ state: "imported", source_id: source.id, entities_created: created, rows_valid: created, rows_rejected: rejectedLines.size, checked_at: done, finished_at: done, file_removed_at: done, error: null })
      .where("id", "=", row.id)
      .execute();
    await recordAudit(tx, NO_JOB_ORIGIN, { orgId: actor.orgId, actorId: actor.userId, action: "import.committed", targetType: "import", targetId: row.id, details: { created, rejected: rejectedLines.size, source: source.id, partial: row.partial } });
    // Last: only the worker that still holds the job commits.
    await ctx.fence(tx);
  });
  return { created, sourceId: source.id };
}

const NO_JOB_ORIGIN: Origin = { requestId: null, ip: null, userAgent: "vigil job" };

async function runImport(services: Services, ctx: JobContext<ImportJobPayload>): Promise<unknown> {
  const { importId, mode, scopes } = ctx.payload;
  const row = await services.db.selectFrom("imports").selectAll().where("id", "=", importId).executeTakeFirst();
  if (!row) throw new PermanentJobError("the import is gone");
  // Already finished by an earlier attempt whose outcome was not recorded: nothing to do again.
  if (row.state === "imported" || row.state === "cancelled") return { state: row.state };
  const actor = await actorNow(services.db, row.org_id, row.created_by, scopes);
  const mark = (set: Partial<{ state: ImportState; error: string | null; rows_valid: number; rows_rejected: number; checked_at: Date; finished_at: Date }>) =>
    services.db.updateTable("imports").set(set).where("id", "=", importId).where("state", "in", ["checking", "importing"]).execute();
  if (!actor || !can(actor, "import.run", { kind: "records", orgId: actor.orgId }) || !can(actor, "record.create", { kind: "records", orgId: actor.orgId })) {
    await mark({ state: "failed", error: "the person who started the import may no longer import records", finished_at: services.now() });
    return { state: "failed" };
  }
  try {
    const pipeline = await openPipeline(services, row, actor);
    // On PostgreSQL a CSV import committed all or nothing goes straight to the writing pass, which
    // checks every row as it writes (progress is read through another connection); a rejected row
    // rolls it all back, and the check pass below then records every rejection. On the embedded
    // database the check pass goes first, so that progress shows before the transaction holds it.
    if (mode === "commit" && row.format === "csv" && !row.partial && services.dbKind === "postgres") {
      await services.db.deleteFrom("import_rejections").where("import_id", "=", importId).execute();
      try {
        const { created, sourceId } = await commitPass(services, row, actor, ctx as JobContext<unknown>, pipeline, row.rows_total ?? 0);
        await removeImportFile(importFilePath(services, importId));
        return { valid: created, rejected: 0, created, source: sourceId, committed: true };
      } catch (error) {
        if (!(error instanceof RowsRejected)) throw error;
      }
    }
    const { valid, rejected } = await checkPass(services, row, actor, ctx as JobContext<unknown>, pipeline);
    if (mode === "check" || (rejected > 0 && !row.partial)) {
      const now = services.now();
      const failed = mode === "commit";
      await mark({
        state: failed ? "failed" : "checked", rows_valid: valid, rows_rejected: rejected, checked_at: now,
        error: failed ? new RowsRejected(rejected).message : null, ...(failed ? { finished_at: now } : {}),
      });
      return { valid, rejected, committed: false };
    }
    await services.db.updateTable("imports").set({ rows_valid: valid, rows_rejected: rejected, checked_at: services.now() }).where("id", "=", importId).execute();
    const { created, sourceId } = await commitPass(services, row, actor, ctx as JobContext<unknown>, pipeline, valid);
    await removeImportFile(importFilePath(services, importId));
    return { valid, rejected, created, source: sourceId, committed: true };
  } catch (error) {
    if (error instanceof JobInterrupted && error.why === "cancelled") {
      const now = services.now();
      await mark({ state: "cancelled", finished_at: now });
      await services.db.updateTable("imports").set({ file_removed_at: now }).where("id", "=", importId).execute();
      await removeImportFile(importFilePath(services, importId));
      throw error;
    }
    if (error instanceof RowsRejected) {
      // The data changed between the check and the commit: check again to record why.
      await mark({ state: "failed", error: "a row became invalid while the import was being written (a term retired, a record archived): nothing was imported; check it again", finished_at: services.now() });
      return { committed: false };
    }
    const last = ctx.job.attempts >= ctx.job.maxAttempts || error instanceof PermanentJobError || error instanceof Invalid;
    if (last && !(error instanceof JobInterrupted)) await mark({ state: "failed", error: error instanceof Error ? error.message.slice(0, 2000) : "the import failed", finished_at: services.now() });
    throw error instanceof Invalid ? new PermanentJobError(error.message) : error;
  }
}

/** The job that checks and commits imports; listed in src/workers.ts. */
export const importJob = defineJob<ImportJobPayload>({
  kind: IMPORT_JOB,
  parse: (raw) => ImportJobPayload.parse(raw),
  maxAttempts: 3,
  run: (ctx) => runImport(ctx.services, ctx),
});
