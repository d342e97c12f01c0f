// Importing a sanctions or watch list file: received as a stream to disk (hashed as it arrives),
// then read in batches and written in ONE transaction, so that a list is never half-imported. The
// new version is compared with the list as it stands: entries added, changed (the previous content
// kept) and delisted (kept, marked) are counted. A file with a bad line imports nothing, and every
// bad line is reported with its number and reason, unless the importer asks to skip bad lines.
import { createHash, randomUUID } from "node:crypto";
import { join } from "node:path";
import { sql } from "kysely";
import { z } from "zod";
import { can, Conflict, Invalid, NotFound, type Actor } from "../core/index.ts";
import type { Origin, Services, Tx } from "../context.ts";
import { arrayLiteral } from "../db/index.ts";
import { recordAudit } from "../audit/index.ts";
import { parseInput } from "../accounts/index.ts";
import { defineJob, enqueueJob, PermanentJobError, type JobContext } from "../jobs/index.ts";
import { actorNow, orderedIds, ImportTooLarge, importsDirectory, readImportText, receiveImportFile, removeImportFile, type TextEncodingName } from "../records/index.ts";
import { indexEntries, inKeyOrder, type MatchStatement } from "../screening/index.ts";
import { ENGINE_VERSION } from "../names/index.ts";
import { LIST_FORMATS, listReader, ListMappingSchema, MAPPING_PRESETS, type ListEntry, type ListFormat, type ListMapping, type ReadOutcome } from "./lists-formats.ts";
import { ensureList, JURISDICTIONS, LIST_KINDS, ListNameSchema, requireSanctions, versionOf, type ListSettings, type ListVersion } from "./lists.ts";

/** Entries read, prepared and written together. */
export const LIST_BATCH = 2000;
/** Rejected lines kept to show; every one is counted. */
export const MAX_REPORTED_ERRORS = 10_000;

const PUBLISHERS: Partial<Record<ListFormat, { publisher: string; jurisdictions: (typeof JURISDICTIONS)[number][] }>> = {
  "sdn-xml": { publisher: "US Treasury, Office of Foreign Assets Control", jurisdictions: ["US"] },
  "sdn-csv": { publisher: "US Treasury, Office of Foreign Assets Control", jurisdictions: ["US"] },
  "uk-csv": { publisher: "HM Treasury, Office of Financial Sanctions Implementation", jurisdictions: ["UK"] },
};

const IsoDay = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "a date as YYYY-MM-DD").refine((d) => !Number.isNaN(Date.parse(d)), "not a date");

export const ListImportSchema = z.strictObject({
  list: ListNameSchema,
  format: z.enum(LIST_FORMATS, `one of ${LIST_FORMATS.join(", ")}`),
  /** For a list made by this import. */
  title: z.string().trim().min(1).max(200, "at most 200 characters").optional(),
  publisher: z.string().trim().max(200, "at most 200 characters").optional(),
  jurisdictions: z.array(z.enum(JURISDICTIONS, `one of ${JURISDICTIONS.join(", ")}`)).max(JURISDICTIONS.length).optional(),
  kind: z.enum(LIST_KINDS, "sanctions, watch or trade").optional(),
  /** The list's publication date, when the file does not state it. */
  publishedOn: IsoDay.optional(),
  /** A column mapping (format csv), or the name of a shipped one ("uflpa"). */
  mapping: z.union([ListMappingSchema, z.enum(Object.keys(MAPPING_PRESETS) as [string, ...string[]], "a mapping, or the name of a shipped one: " + Object.keys(MAPPING_PRESETS).join(", "))]).optional(),
  /** Import the good lines and report the bad ones, instead of refusing the file. */
  skipBad: z.boolean().default(false),
}).refine((o) => o.format !== "csv" || o.mapping !== undefined, { message: "a CSV list needs a column mapping", path: ["mapping"] });
export type ListImportOptions = z.infer<typeof ListImportSchema>;

export interface IncomingListFile {
  source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>;
  filename: string | null;
  declaredSize?: number | null;
}

function settingsOf(options: ListImportOptions): ListSettings {
  const preset = PUBLISHERS[options.format];
  return {
    name: options.list,
    title: options.title ?? options.list,
    publisher: options.publisher ?? preset?.publisher,
    jurisdictions: options.jurisdictions ?? preset?.jurisdictions ?? [],
    kind: options.kind ?? (options.mapping === "uflpa" ? "trade" : "sanctions"),
  };
}

function filePath(services: Services, id: string): string {
  return join(importsDirectory(services), `${id}.list`);
}

function cleanFilename(name: string | null): string {
  // eslint-disable-next-line no-control-regex
  const base = (name ?? "").split(/[/\\]/).pop()!.replace(/[\u0000-\u001f\u007f]/g, "").trim();
  return base ? base.slice(0, 255) : "upload";
}

/** Refuses a caller who may not import before a byte of the upload is read. */
export async function authorizeListImport(services: Services, origin: Origin, actor: Actor): Promise<void> {
  await requireSanctions(services, origin, actor, "sanctions.import");
}

/** Checks the options before a byte of the file is read. */
export async function checkListImport(services: Services, origin: Origin, actor: Actor, raw: unknown): Promise<ListImportOptions> {
  await requireSanctions(services, origin, actor, "sanctions.import");
  return parseInput(ListImportSchema, raw);
}

/**
 * Receives a file to disk and records the import (making the list when it is new). Nothing is
 * recorded, and the file is removed, when the file cannot be read.
 */
async function receiveListFile(services: Services, origin: Origin, actor: Actor, options: ListImportOptions, incoming: IncomingListFile): Promise<{ id: string; path: string; encoding: TextEncodingName }> {
  const limit = services.config.maxImportBytes;
  if (incoming.declaredSize !== null && incoming.declaredSize !== undefined && incoming.declaredSize > limit) throw new ImportTooLarge(limit);
  const id = randomUUID();
  const path = filePath(services, id);
  const received = await receiveImportFile(path, incoming.source, limit, () => undefined);
  try {
    const now = services.now();
    await services.db.transaction().execute(async (tx) => {
      const list = await ensureList(tx, origin, actor, settingsOf(options), now);
      await tx
        .insertInto("sanctions_imports")
        .values({
          id, org_id: actor.orgId, list_id: list.id, format: options.format, filename: cleanFilename(incoming.filename), sha256: received.sha256, byte_size: received.byteSize,
          encoding: received.encoding, published_on: options.publishedOn ?? null, mapping: options.mapping === undefined ? null : JSON.stringify(options.mapping), skip_bad: options.skipBad,
          state: "received", created_by: actor.userId, created_at: now,
        })
        .execute();
      await recordAudit(tx, origin, { orgId: actor.orgId, actorId: actor.userId, action: "sanctions.import.upload", targetType: "sanctions-import", targetId: id, details: { list: options.list, format: options.format, bytes: received.byteSize, sha256: received.sha256 } });
    });
  } catch (error) {
    await removeImportFile(path);
    throw error;
  }
  return { id, path, encoding: received.encoding };
}

export const LIST_IMPORT_JOB = "sanctions.import";
const JobPayload = z.strictObject({ importId: z.uuid(), scopes: z.array(z.enum(["read", "write", "admin"])).nullable() });
type JobPayload = z.infer<typeof JobPayload>;

/** Receives a file and queues its import (pages and the API); the import's page follows its progress. */
export async function startListImport(services: Services, origin: Origin, actor: Actor, options: ListImportOptions, incoming: IncomingListFile): Promise<ListVersion> {
  await requireSanctions(services, origin, actor, "sanctions.import");
  const { id } = await receiveListFile(services, origin, actor, options, incoming);
  await services.db.transaction().execute(async (tx) => {
    const job = await enqueueJob(services, tx, { kind: LIST_IMPORT_JOB, orgId: actor.orgId, ownerId: actor.userId, payload: { importId: id, scopes: actor.scopes ? [...actor.scopes] : null } satisfies JobPayload, maxAttempts: 2 });
    await tx.updateTable("sanctions_imports").set({ job_id: job.id }).where("id", "=", id).execute();
  });
  return getListImport(services, origin, actor, id);
}

/** Receives a file and imports it at once (the CLI and the benchmark). */
export async function importListFile(services: Services, origin: Origin, actor: Actor, rawOptions: unknown, incoming: IncomingListFile, onProgress?: (entries: number) => void): Promise<ListVersion & { list: string }> {
  const options = await checkListImport(services, origin, actor, rawOptions);
  const { id } = await receiveListFile(services, origin, actor, options, incoming);
  await runListImport(services, origin, actor, id, onProgress ? async (n) => onProgress(n) : undefined);
  return getListImport(services, origin, actor, id);
}

export async function getListImport(services: Services, origin: Origin, actor: Actor, id: string): Promise<ListVersion & { list: string }> {
  await requireSanctions(services, origin, actor, "sanctions.view");
  const row = /^[0-9a-f-]{36}$/.test(id)
    ? await services.db.selectFrom("sanctions_imports as i").innerJoin("sanctions_lists as l", "l.id", "i.list_id").selectAll("i").select("l.name as list").where("i.id", "=", id).where("i.org_id", "=", actor.orgId).executeTakeFirst()
    : undefined;
  if (!row) throw new NotFound("no such import");
  return { ...versionOf(row), list: row.list };
}

class Refused extends Error {
  constructor(readonly why: string) {
    super(why);
  }
}

interface Prepared {
  line: number;
  entry: ListEntry;
  caption: string;
  hash: string;
  propertiesJson: string;
  programsJson: string;
  features: string | null;
  keys: { key: string; decade: number }[];
}

function canonical(entry: ListEntry): string {
  const properties = Object.fromEntries(Object.keys(entry.properties).sort().map((k) => [k, [...entry.properties[k]!].sort()]));
  return JSON.stringify([entry.schema, properties, [...entry.programs].sort()]);
}

function prepare(line: number, entry: ListEntry): Prepared {
  const statements: MatchStatement[] = [];
  for (const [property, values] of Object.entries(entry.properties)) for (const value of values) statements.push({ property, value, sensitivity: "public" });
  const indexed = indexEntries(entry.schema, statements);
  const p = entry.properties;
  const caption = p.name?.[0] ?? [p.firstName?.[0], p.lastName?.[0]].filter(Boolean).join(" ");
  return {
    line, entry, caption: caption.slice(0, 500), hash: createHash("sha256").update(canonical(entry)).digest("hex"),
    propertiesJson: JSON.stringify(p), programsJson: JSON.stringify(entry.programs),
    features: indexed.features ? JSON.stringify(indexed.features.prepared) : null, keys: indexed.keys,
  };
}

interface Counts {
  lines: number;
  added: number;
  changed: number;
  unchanged: number;
  rejected: number;
  entries: number;
}

/** Writes one batch: classifies each entry against the list as it stands and writes what changed. */
async function writeBatch(tx: Tx, orgId: string, listId: string, importId: string, batch: Prepared[], counts: Counts, reject: (line: number, reason: string) => void, newId: () => string): Promise<void> {
  const existing = await tx
    .selectFrom("sanctions_entries")
    .select(["id", "source_id", "content_hash", "seen_in", "delisted_in"])
    .where("list_id", "=", listId)
    .where("source_id", "in", batch.map((b) => b.entry.id))
    .execute();
  const bySource = new Map(existing.map((e) => [e.source_id, e]));
  const added: (Prepared & { id: string })[] = [];
  const changed: (Prepared & { id: string; relisted: boolean })[] = [];
  const unchanged: string[] = [];
  for (const p of batch) {
    const old = bySource.get(p.entry.id);
    if (old?.seen_in === importId) {
      reject(p.line, `the id "${p.entry.id.slice(0, 80)}" appears earlier in the file`);
      continue;
    }
    if (!old) added.push({ ...p, id: newId() });
    else if (old.content_hash !== p.hash || old.delisted_in !== null) changed.push({ ...p, id: old.id, relisted: old.delisted_in !== null });
    else unchanged.push(old.id);
  }
  counts.entries += added.length + changed.length + unchanged.length;
  counts.added += added.length + changed.filter((c) => c.relisted).length;
  counts.changed += changed.filter((c) => !c.relisted).length;
  counts.unchanged += unchanged.length;
  if (added.length > 0) {
    await sql`INSERT INTO sanctions_entries (id, org_id, list_id, source_id, schema, properties, caption, programs, content_hash, engine, features, listed_in, changed_in, seen_in)
      SELECT t.id, ${orgId}::uuid, ${listId}::uuid, t.source_id, t.schema, t.properties::jsonb, t.caption, ARRAY(SELECT jsonb_array_elements_text(t.programs::jsonb)), t.hash, ${ENGINE_VERSION}, t.features::jsonb, ${importId}::uuid, ${importId}::uuid, ${importId}::uuid
      FROM unnest(${arrayLiteral(added.map((a) => a.id))}::uuid[], ${arrayLiteral(added.map((a) => a.entry.id))}::text[], ${arrayLiteral(added.map((a) => a.entry.schema))}::text[], ${arrayLiteral(added.map((a) => a.propertiesJson))}::text[],
        ${arrayLiteral(added.map((a) => a.caption))}::text[], ${arrayLiteral(added.map((a) => a.programsJson))}::text[], ${arrayLiteral(added.map((a) => a.hash))}::text[], ${arrayLiteral(added.map((a) => a.features))}::text[])
        AS t(id, source_id, schema, properties, caption, programs, hash, features)`.execute(tx);
  }
  if (changed.length > 0) {
    const ids = changed.map((c) => c.id);
    await sql`INSERT INTO sanctions_entry_changes (entry_id, import_id, change, previous)
      SELECT e.id, ${importId}::uuid, CASE WHEN e.delisted_in IS NULL THEN 'changed' ELSE 'relisted' END, jsonb_build_object('schema', e.schema, 'properties', e.properties, 'programs', to_jsonb(e.programs))
      FROM sanctions_entries e WHERE e.id = ANY(${arrayLiteral(ids)}::uuid[])`.execute(tx);
    await sql`UPDATE sanctions_entries e SET schema = t.schema, properties = t.properties::jsonb, caption = t.caption, programs = ARRAY(SELECT jsonb_array_elements_text(t.programs::jsonb)),
        content_hash = t.hash, engine = ${ENGINE_VERSION}, features = t.features::jsonb, changed_in = ${importId}::uuid, seen_in = ${importId}::uuid, delisted_in = NULL
      FROM unnest(${arrayLiteral(ids)}::uuid[], ${arrayLiteral(changed.map((a) => a.entry.schema))}::text[], ${arrayLiteral(changed.map((a) => a.propertiesJson))}::text[], ${arrayLiteral(changed.map((a) => a.caption))}::text[],
        ${arrayLiteral(changed.map((a) => a.programsJson))}::text[], ${arrayLiteral(changed.map((a) => a.hash))}::text[], ${arrayLiteral(changed.map((a) => a.features))}::text[]) AS t(id, schema, properties, caption, programs, hash, features)
      WHERE e.id = t.id`.execute(tx);
    await tx.deleteFrom("sanctions_entry_keys").where("entry_id", "in", ids).execute();
  }
  if (unchanged.length > 0) await sql`UPDATE sanctions_entries SET seen_in = ${importId}::uuid WHERE id = ANY(${arrayLiteral(unchanged)}::uuid[])`.execute(tx);
  const keyed = [...added, ...changed];
  const keys = { org: [] as string[], key: [] as string[], decade: [] as number[], entry: [] as string[] };
  for (const p of keyed) {
    for (const k of p.keys) {
      keys.org.push(orgId);
      keys.key.push(k.key);
      keys.decade.push(k.decade);
      keys.entry.push(p.id);
    }
  }
  if (keys.key.length > 0) {
    // In the primary key's order, as the names index writes its own.
    const by = inKeyOrder(keys.key, keys.decade);
    await sql`INSERT INTO sanctions_entry_keys (org_id, key, decade, entry_id)
      SELECT * FROM unnest(${arrayLiteral(by(keys.org))}::uuid[], ${arrayLiteral(by(keys.key))}::text[], ${arrayLiteral(by(keys.decade))}::smallint[], ${arrayLiteral(by(keys.entry))}::uuid[]) ON CONFLICT DO NOTHING`.execute(tx);
  }
}

async function* batchesOf(path: string, encoding: TextEncodingName, format: ListFormat, mapping: ListMapping | null, state: { published: string | null; chars: number }): AsyncGenerator<ReadOutcome[]> {
  const reader = listReader(format, mapping);
  let pending: ReadOutcome[] = [];
  for await (const text of readImportText(path, encoding)) {
    state.chars += text.length;
    pending.push(...reader.push(text));
    if (pending.length >= LIST_BATCH) {
      yield pending;
      pending = [];
    }
  }
  pending.push(...reader.end());
  state.published = reader.publishedOn();
  if (pending.length > 0) yield pending;
}

/**
 * Imports a received file into its list in one transaction. Returns normally when the version is
 * imported; a refused file leaves the list as it was and its import marked failed with every
 * rejected line (the first MAX_REPORTED_ERRORS of them kept).
 */
export async function runListImport(services: Services, origin: Origin, actor: Actor, importId: string, progress?: (entries: number, chars: number) => Promise<void>): Promise<void> {
  const row = await services.db.selectFrom("sanctions_imports").selectAll().where("id", "=", importId).executeTakeFirstOrThrow();
  if (row.state === "imported" || row.state === "failed") return;
  const path = filePath(services, importId);
  const format = row.format as ListFormat;
  // jsonb comes back parsed: a shipped mapping's name is a JSON string.
  const mappingRaw = row.mapping;
  const mapping = mappingRaw === null || mappingRaw === undefined ? null : typeof mappingRaw === "string" ? MAPPING_PRESETS[mappingRaw] ?? null : ListMappingSchema.parse(mappingRaw);
  const errors: { line: number; reason: string }[] = [];
  const counts: Counts = { lines: 0, added: 0, changed: 0, unchanged: 0, rejected: 0, entries: 0 };
  const reject = (line: number, reason: string) => {
    counts.rejected++;
    if (errors.length < MAX_REPORTED_ERRORS) errors.push({ line, reason });
  };
  const state = { published: null as string | null, chars: 0 };
  await services.db.updateTable("sanctions_imports").set({ state: "importing" }).where("id", "=", importId).execute();
  let delisted = 0;
  let version = 0;
  let publishedOn: string | null = row.published_on;
  try {
    await services.db.transaction().execute(async (tx) => {
      // One import of a list at a time: the next waits for this one's outcome.
      await tx.selectFrom("sanctions_lists").select("id").where("id", "=", row.list_id).forUpdate().executeTakeFirstOrThrow();
      const current = await tx.selectFrom("sanctions_imports").select(["version", "sha256", "published_on"]).where("list_id", "=", row.list_id).where("state", "=", "imported").orderBy("version", "desc").limit(1).executeTakeFirst();
      version = (current?.version ?? 0) + 1;
      if (current && current.sha256 === row.sha256) throw new Refused(`this file is already version ${current.version} of the list`);
      let writing: Promise<void> = Promise.resolve();
      // Time-ordered ids: a large list's entries append to the right of the entries' index instead
      // of scattering over every page of it (see src/records/ordered-ids.ts).
      const newId = orderedIds(new Date());
      try {
        for await (const batch of batchesOf(path, row.encoding as TextEncodingName, format, mapping, state)) {
          const good: Prepared[] = [];
          const seen = new Map<string, number>();
          for (const o of batch) {
            counts.lines = Math.max(counts.lines, o.line);
            if (o.ok === false) reject(o.line, o.reason);
            if (o.ok !== true) continue;
            const first = seen.get(o.entry.id);
            if (first !== undefined) reject(o.line, `the id "${o.entry.id.slice(0, 80)}" is already on line ${first}`);
            else {
              seen.set(o.entry.id, o.line);
              good.push(prepare(o.line, o.entry));
            }
          }
          await writing;
          // After a bad line nothing more is written (it will all roll back), but every line is read to report them all.
          if (counts.rejected > 0 && !row.skip_bad) continue;
          writing = (async () => {
            if (good.length > 0) await writeBatch(tx, row.org_id, row.list_id, importId, good, counts, reject, newId);
            if (progress) await progress(counts.entries, state.chars);
          })();
          writing.catch(() => undefined);
        }
      } finally {
        await writing.catch(() => undefined);
      }
      await writing;
      if (counts.rejected > 0 && !row.skip_bad) throw new Refused(`${counts.rejected} line(s) cannot be read: nothing was imported`);
      if (counts.entries === 0) throw new Refused("the file holds no entries: nothing was imported (an empty file would delist every entry)");
      publishedOn = state.published ?? row.published_on;
      if (publishedOn && current?.published_on && publishedOn < current.published_on) throw new Refused(`the file was published on ${publishedOn}, before the list's current version (${current.published_on})`);
      const gone = await sql<{ n: number }>`WITH gone AS (
          UPDATE sanctions_entries SET delisted_in = ${importId}::uuid
          WHERE list_id = ${row.list_id}::uuid AND delisted_in IS NULL AND seen_in <> ${importId}::uuid
          RETURNING id, schema, properties, programs),
        logged AS (INSERT INTO sanctions_entry_changes (entry_id, import_id, change, previous)
          SELECT id, ${importId}::uuid, 'delisted', jsonb_build_object('schema', schema, 'properties', properties, 'programs', to_jsonb(programs)) FROM gone RETURNING 1)
        SELECT count(*)::int AS n FROM logged`.execute(tx);
      delisted = gone.rows[0]?.n ?? 0;
      const done = services.now();
      await tx
        .updateTable("sanctions_imports")
        .set({
          state: "imported", version, published_on: publishedOn, lines_read: counts.lines, added: counts.added, changed: counts.changed, delisted, unchanged: counts.unchanged,
          rejected: counts.rejected, errors: JSON.stringify(errors), error: null, finished_at: done,
        })
        .where("id", "=", importId)
        .execute();
      await recordAudit(tx, origin, {
        orgId: row.org_id, actorId: actor.userId, action: "sanctions.import.committed", targetType: "sanctions-import", targetId: importId,
        details: { version, added: counts.added, changed: counts.changed, delisted, unchanged: counts.unchanged, rejected: counts.rejected, skipBad: row.skip_bad },
      });
    });
  } catch (error) {
    const why = error instanceof Refused ? error.why : error instanceof Invalid || error instanceof Conflict ? error.message : null;
    if (why === null) {
      await services.db.updateTable("sanctions_imports").set({ state: "failed", error: "the import failed: nothing was imported", finished_at: services.now() }).where("id", "=", importId).execute();
      await removeImportFile(path);
      throw error;
    }
    await services.db.transaction().execute(async (tx) => {
      await tx
        .updateTable("sanctions_imports")
        .set({ state: "failed", lines_read: counts.lines, rejected: counts.rejected, errors: JSON.stringify(errors), error: why, published_on: state.published ?? row.published_on, finished_at: services.now() })
        .where("id", "=", importId)
        .execute();
      await recordAudit(tx, origin, { orgId: row.org_id, actorId: actor.userId, action: "sanctions.import.refused", outcome: "failed", targetType: "sanctions-import", targetId: importId, details: { rejected: counts.rejected, reason: why.slice(0, 300) } });
    });
  }
  await removeImportFile(path);
}

const JOB_ORIGIN: Origin = { requestId: null, ip: null, userAgent: "vigil job" };

/** The job that imports a received list file; listed in src/workers.ts. */
export const listImportJob = defineJob<JobPayload>({
  kind: LIST_IMPORT_JOB,
  parse: (raw) => JobPayload.parse(raw),
  maxAttempts: 2,
  async run(ctx: JobContext<JobPayload>) {
    const services = ctx.services;
    const row = await services.db.selectFrom("sanctions_imports").select(["org_id", "created_by", "byte_size", "state"]).where("id", "=", ctx.payload.importId).executeTakeFirst();
    if (!row || !row.created_by) throw new PermanentJobError("the import is gone");
    const actor = await actorNow(services.db, row.org_id, row.created_by, ctx.payload.scopes);
    if (!actor || !can(actor, "sanctions.import", { kind: "sanctions", orgId: actor.orgId })) {
      await services.db.updateTable("sanctions_imports").set({ state: "failed", error: "the person who started the import may no longer import lists", finished_at: services.now() }).where("id", "=", ctx.payload.importId).execute();
      return { state: "failed" };
    }
    // Progress is written through another connection, which the embedded database does not have
    // while the import's transaction holds its one.
    const progress = services.dbKind === "postgres" ? (entries: number, chars: number) => ctx.progress(Math.min(chars, row.byte_size), row.byte_size, `${entries} entries`) : undefined;
    await runListImport(services, JOB_ORIGIN, actor, ctx.payload.importId, progress);
    const done = await services.db.selectFrom("sanctions_imports").select(["state", "version"]).where("id", "=", ctx.payload.importId).executeTakeFirstOrThrow();
    return { state: done.state, version: done.version };
  },
});

/**
 * Import options as text fields (a form, a query string, the command line) → the options'
 * input: jurisdictions separated by commas, skipBad as a checkbox, a mapping as JSON or a shipped
 * mapping's name. Nothing is checked here but the mapping's JSON: ListImportSchema checks the rest.
 */
export function listImportFields(fields: Readonly<Record<string, string | undefined>>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const text = (name: string) => {
    const v = fields[name];
    return v === undefined || v.trim() === "" ? undefined : v.trim();
  };
  for (const name of ["list", "format", "title", "publisher", "kind", "publishedOn"]) if (text(name) !== undefined) out[name] = text(name);
  const jurisdictions = text("jurisdictions");
  if (jurisdictions !== undefined) out.jurisdictions = jurisdictions.split(",").map((j) => j.trim().toUpperCase()).filter((j) => j !== "");
  const skip = text("skipBad");
  if (skip !== undefined) out.skipBad = skip === "true" || skip === "on" || skip === "1";
  const mapping = text("mapping");
  if (mapping !== undefined) {
    if (mapping.startsWith("{")) {
      try {
        out.mapping = JSON.parse(mapping);
      } catch {
        throw new Invalid("some fields are not valid", { mapping: "the mapping is not valid JSON" });
      }
    } else out.mapping = mapping;
  }
  return out;
}
