// The OpenAPI paths of imports, exports and jobs, from the same zod schemas the services parse with.
import { z } from "zod";
import { CommitOptionsSchema, EXPORT_FORMATS, ExportRequestSchema, IMPORT_FORMATS, ImportMappingSchema, SENSITIVITIES } from "../records/index.ts";

type Content = (schema: z.ZodType) => Record<string, unknown>;

const JOB_STATES = ["queued", "running", "succeeded", "failed", "cancelled"] as const;
const IMPORT_STATES = ["uploaded", "checking", "checked", "importing", "imported", "failed", "cancelled"] as const;

export const JobSchema = z.object({
  id: z.uuid(),
  kind: z.string(),
  state: z.enum(JOB_STATES),
  attempts: z.number().int(),
  maxAttempts: z.number().int(),
  progress: z.object({ done: z.number().int(), total: z.number().int().nullable(), message: z.string().nullable() }),
  result: z.unknown(),
  error: z.string().nullable(),
  createdAt: z.string(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
});

const MappingOutSchema = z.object({
  schema: z.string(),
  columns: z.record(z.string(), z.union([z.null(), z.string(), z.object({ property: z.string(), lang: z.string().optional() })])),
  sensitivity: z.enum(SENSITIVITIES),
  restricted: z.boolean(),
  delimiter: z.string(),
});

export const ImportViewSchema = z.object({
  id: z.uuid(),
  format: z.enum(IMPORT_FORMATS),
  filename: z.string(),
  byteSize: z.number().int(),
  sha256: z.string(),
  encoding: z.enum(["utf-8", "utf-16le", "utf-16be"]),
  columns: z.array(z.string()).meta({ description: "a CSV file's header, in order" }),
  mapping: MappingOutSchema.nullable(),
  state: z.enum(IMPORT_STATES),
  partial: z.boolean().meta({ description: "the valid rows are committed although some were rejected" }),
  rowsTotal: z.number().int().nullable(),
  rowsValid: z.number().int().nullable(),
  rowsRejected: z.number().int().nullable(),
  entitiesCreated: z.number().int().nullable(),
  sourceId: z.uuid().nullable().meta({ description: "the Source record every imported value cites" }),
  error: z.string().nullable(),
  createdBy: z.uuid(),
  createdAt: z.string(),
  checkedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
  job: JobSchema.nullable(),
});

export const PreviewSchema = z.object({
  rows: z.array(z.object({ line: z.number().int(), ok: z.boolean(), schema: z.string().nullable(), values: z.array(z.object({ property: z.string(), value: z.string(), lang: z.string().nullable() })), reason: z.string().nullable() })),
});

export const RejectionPageSchema = z.object({
  rejections: z.array(z.object({ line: z.number().int(), reason: z.string() })),
  nextAfter: z.number().int().nullable().meta({ description: "pass as ?after= for the next page" }),
});

export const ExportViewSchema = z.object({
  id: z.uuid(),
  format: z.enum(EXPORT_FORMATS),
  filter: z.object({ schema: z.string().optional(), archived: z.enum(["exclude", "include", "only"]), tag: z.string().optional(), assignee: z.string().optional() }),
  restricted: z.boolean(),
  state: z.enum(["queued", "running", "ready", "failed", "cancelled"]),
  rowCount: z.number().int().nullable(),
  byteSize: z.number().int().nullable(),
  sha256: z.string().nullable(),
  error: z.string().nullable(),
  createdBy: z.uuid(),
  createdAt: z.string(),
  finishedAt: z.string().nullable(),
  available: z.boolean().meta({ description: "the file can be downloaded (by its owner)" }),
  job: JobSchema.nullable(),
});

const MappingChoiceInput = z.union([
  z.strictObject({ mapping: ImportMappingSchema, saveAs: z.string().max(100).optional().meta({ description: "also save the mapping under this name for the organisation" }) }),
  z.strictObject({ mappingName: z.string().max(100).meta({ description: "a mapping saved earlier" }) }),
]);

export function importExportPaths(json: Content, jsonInput: Content, problem: Record<string, unknown>) {
  const security = [{ bearer: [] }];
  const id = { name: "id", in: "path", required: true, schema: { type: "string", format: "uuid" } };
  const read = { "401": problem, "403": problem, "404": problem };
  const write = { "400": problem, "401": problem, "403": problem, "404": problem, "409": problem, "413": problem, "415": problem, "422": problem };
  return {
    "/api/v1/imports": {
      post: {
        summary: "Upload a file to import: the raw body with ?format=csv|ftm and X-Filename (percent-encoded), or a multipart form (format, then file). Streamed to disk; refused past VIGIL_MAX_IMPORT_BYTES; UTF-8 or UTF-16 with a byte order mark",
        security,
        parameters: [{ name: "format", in: "query", required: false, schema: { type: "string", enum: [...IMPORT_FORMATS] } }],
        requestBody: { required: true, content: { "text/csv": { schema: { type: "string" } }, "application/x-ndjson": { schema: { type: "string" } }, "multipart/form-data": { schema: { type: "object" } } } },
        responses: { "201": { description: "the import, uploaded", ...json(ImportViewSchema) }, ...write },
      },
      get: { summary: "Your imports (an administrator's: everyone's), newest first", security, responses: { "200": { description: "imports", ...json(z.object({ imports: z.array(ImportViewSchema) })) }, "401": problem, "403": problem } },
    },
    "/api/v1/imports/{id}": {
      get: { summary: "An import: state, counts, its job's progress", security, parameters: [id], responses: { "200": { description: "the import", ...json(ImportViewSchema) }, ...read } },
    },
    "/api/v1/imports/{id}/mapping": {
      post: { summary: "Map a CSV file's columns to properties of one schema, given or saved by name", security, parameters: [id], requestBody: { required: true, ...jsonInput(MappingChoiceInput) }, responses: { "200": { description: "the import", ...json(ImportViewSchema) }, ...write } },
    },
    "/api/v1/imports/{id}/preview": {
      get: { summary: "The first rows as they would be stored, or why they would be rejected", security, parameters: [id], responses: { "200": { description: "rows", ...json(PreviewSchema) }, ...read, "409": problem } },
    },
    "/api/v1/imports/{id}/rejections": {
      get: {
        summary: "Every rejected row of the last check or commit, by line, with its reason",
        security,
        parameters: [id, { name: "after", in: "query", required: false, schema: { type: "integer", minimum: 0 } }, { name: "limit", in: "query", required: false, schema: { type: "integer", minimum: 1, maximum: 1000 } }],
        responses: { "200": { description: "a page of rejections", ...json(RejectionPageSchema) }, ...read, "422": problem },
      },
    },
    "/api/v1/imports/{id}/check": {
      post: { summary: "Check every row without writing anything (a dry run, as a job)", security, parameters: [id], responses: { "202": { description: "started: follow the import or its job", ...json(ImportViewSchema) }, ...write } },
    },
    "/api/v1/imports/{id}/commit": {
      post: {
        summary: "Check every row again and write them all in one transaction; nothing is written if a row is rejected, unless partial is true",
        security,
        parameters: [id],
        requestBody: { required: false, ...jsonInput(CommitOptionsSchema) },
        responses: { "202": { description: "started", ...json(ImportViewSchema) }, ...write },
      },
    },
    "/api/v1/imports/{id}/cancel": {
      post: { summary: "Stop a running check or commit (nothing is written), or abandon an import (its file is removed)", security, parameters: [id], responses: { "200": { description: "the import", ...json(ImportViewSchema) }, ...write } },
    },
    "/api/v1/import-mappings": {
      get: { summary: "The organisation's saved column mappings", security, responses: { "200": { description: "mappings", ...json(z.object({ mappings: z.array(z.object({ name: z.string(), mapping: MappingOutSchema, updatedAt: z.string() })) })) }, "401": problem, "403": problem } },
      post: {
        summary: "Save (or replace) a column mapping by name",
        security,
        requestBody: { required: true, ...jsonInput(z.strictObject({ name: z.string().max(100), mapping: ImportMappingSchema })) },
        responses: { "201": { description: "saved", ...json(z.object({ name: z.string(), mapping: MappingOutSchema, updatedAt: z.string() })) }, ...write },
      },
    },
    "/api/v1/exports": {
      post: {
        summary: "Export the records of a list (the list API's filters) as CSV or FollowTheMoney JSON lines, as a job; secret values never, restricted ones when asked and readable",
        security,
        requestBody: { required: true, ...jsonInput(ExportRequestSchema) },
        responses: { "202": { description: "started: follow it at Location", ...json(ExportViewSchema) }, ...write },
      },
      get: { summary: "Your exports (an administrator's: everyone's), newest first", security, responses: { "200": { description: "exports", ...json(z.object({ exports: z.array(ExportViewSchema) })) }, "401": problem, "403": problem } },
    },
    "/api/v1/exports/{id}": {
      get: { summary: "An export: state, counts, its job's progress", security, parameters: [id], responses: { "200": { description: "the export", ...json(ExportViewSchema) }, ...read } },
    },
    "/api/v1/exports/{id}/file": {
      get: {
        summary: "The exported file, to the person who asked for it only; every download is audited",
        security,
        parameters: [id],
        responses: { "200": { description: "the file", content: { "text/csv": { schema: { type: "string" } }, "application/x-ndjson": { schema: { type: "string" } } } }, ...read, "409": problem },
      },
    },
    "/api/v1/exports/{id}/cancel": {
      post: { summary: "Stop an export that has not finished", security, parameters: [id], responses: { "200": { description: "the export", ...json(ExportViewSchema) }, ...read, "409": problem } },
    },
    "/api/v1/jobs/{id}": {
      get: { summary: "A background job's state and progress, for its owner and their organisation's administrators", security, parameters: [id], responses: { "200": { description: "the job", ...json(JobSchema) }, ...read } },
    },
    "/api/v1/jobs/{id}/cancel": {
      post: {
        summary: "Cancel a job: a waiting one at once, a running one at its next step",
        security,
        parameters: [id],
        responses: { "200": { description: "the job", ...json(JobSchema) }, "409": { description: "the job had already finished", ...json(JobSchema) }, ...read },
      },
    },
  };
}
