// The OpenAPI paths of the sanctions lists, their imports, the matches and the gap table.
import { z } from "zod";
import { DecisionSchema, JURISDICTIONS, LIST_FORMATS, LIST_KINDS, MATCH_STATUSES, ScreenRecordsSchema } from "../accountability/index.ts";

type Content = (schema: z.ZodType) => Record<string, unknown>;

const Jurisdiction = z.enum(JURISDICTIONS);
const Status = z.enum(["sanctioned", "delisted", "candidate", "none"]);

const VersionSchema = z.object({
  id: z.uuid(),
  version: z.number().int().nullable().meta({ description: "the list's version this file became; null while importing or when refused" }),
  state: z.enum(["received", "importing", "imported", "failed"]),
  format: z.enum(LIST_FORMATS),
  filename: z.string(),
  sha256: z.string(),
  byteSize: z.number().int(),
  publishedOn: z.string().nullable().meta({ description: "the list's own publication date, YYYY-MM-DD" }),
  skipBad: z.boolean(),
  linesRead: z.number().int(),
  added: z.number().int(),
  changed: z.number().int(),
  delisted: z.number().int(),
  unchanged: z.number().int(),
  rejected: z.number().int(),
  errors: z.array(z.object({ line: z.number().int(), reason: z.string() })).meta({ description: "rejected lines, the first 10,000" }),
  error: z.string().nullable(),
  jobId: z.uuid().nullable(),
  createdAt: z.string(),
  finishedAt: z.string().nullable(),
});

const ListSummarySchema = z.object({
  id: z.uuid(),
  name: z.string(),
  title: z.string(),
  publisher: z.string().nullable(),
  jurisdictions: z.array(Jurisdiction),
  kind: z.enum(LIST_KINDS),
  createdAt: z.string(),
  current: VersionSchema.nullable(),
  listed: z.number().int(),
  delisted: z.number().int(),
});

const EntrySchema = z.object({
  id: z.uuid(),
  sourceId: z.string().meta({ description: "the entry's id in the list itself" }),
  schema: z.string(),
  caption: z.string(),
  properties: z.record(z.string(), z.array(z.string())).meta({ description: "FollowTheMoney properties" }),
  programs: z.array(z.string()),
  listedIn: z.number().int().nullable(),
  changedIn: z.number().int().nullable(),
  delistedIn: z.number().int().nullable(),
  status: z.enum(["listed", "delisted"]),
});

const MatchSchema = z.object({
  id: z.uuid(),
  entity: z.object({ id: z.uuid(), schema: z.string(), caption: z.string().nullable() }),
  entry: z.object({ id: z.uuid(), sourceId: z.string(), caption: z.string(), schema: z.string(), programs: z.array(z.string()), delisted: z.boolean(), properties: z.record(z.string(), z.array(z.string())) }),
  list: z.object({ name: z.string(), title: z.string(), jurisdictions: z.array(Jurisdiction) }),
  score: z.number(),
  explanation: z.array(z.string()),
  status: z.enum(MATCH_STATUSES),
  foundAt: z.string(),
  decided: z.object({ by: z.uuid().nullable(), at: z.string(), reason: z.string() }).nullable(),
  decisions: z.array(z.object({ status: z.enum(MATCH_STATUSES), reason: z.string(), by: z.uuid().nullable(), at: z.string() })),
});

const StatusSchema = z.object({
  entity: z.uuid(),
  byJurisdiction: z.record(z.string(), Status),
  lists: z.array(z.object({ name: z.string(), title: z.string(), programs: z.array(z.string()), delisted: z.boolean() })),
});

const GapSchema = z.object({
  jurisdictions: z.array(Jurisdiction),
  rows: z.array(z.object({
    person: z.object({ id: z.uuid(), caption: z.string().nullable() }),
    direct: z.number().int(),
    command: z.number().int(),
    gravity: z.number().int(),
    status: z.record(z.string(), Status),
    sanctionedBy: z.array(Jurisdiction),
    notSanctionedBy: z.array(Jurisdiction),
    lists: z.array(z.object({ name: z.string(), title: z.string(), programs: z.array(z.string()), delisted: z.boolean() })),
  })),
  total: z.number().int(),
  page: z.number().int(),
  truncated: z.boolean(),
});

export function sanctionsPaths(json: Content, jsonInput: Content, problem: Record<string, unknown>) {
  const security = [{ bearer: [] }];
  const q = (name: string, description: string, schema: object, required = false) => ({ name, in: "query", required, description, schema });
  const p = (name: string, description: string, schema: object = { type: "string" }) => ({ name, in: "path", required: true, description, schema });
  const list = p("list", "the list's name", { type: "string", pattern: "^[a-z0-9][a-z0-9_-]{0,63}$" });
  const id = (what: string) => p("id", what, { type: "string", format: "uuid" });
  const read = { "401": problem, "403": problem, "404": problem, "422": problem };
  const write = { "400": problem, "401": problem, "403": problem, "404": problem, "413": problem, "415": problem, "422": problem };
  const gapFilters = [
    q("jurisdictions", "the columns, comma-separated (default: the jurisdictions of the organisation's lists, and US, UK, EU)", { type: "string" }),
    q("notBy", "only officials not sanctioned by one of these (comma-separated)", { type: "string" }),
    q("by", "only officials sanctioned by every one of these (comma-separated)", { type: "string" }),
    q("gapsOnly", "only officials not sanctioned by at least one column", { type: "boolean" }),
    q("minGravity", "at least this gravity", { type: "integer", minimum: 0 }),
    q("q", "part of the official's name", { type: "string", maxLength: 200 }),
    q("page", "from 1", { type: "integer", minimum: 1 }),
  ];
  return {
    "/api/v1/sanctions/lists": {
      get: { summary: "The organisation's sanctions and watch lists, each with its current version", security, responses: { "200": { description: "the lists", ...json(z.object({ items: z.array(ListSummarySchema) })) }, ...read } },
    },
    "/api/v1/sanctions/lists/{list}": {
      get: { summary: "A list with every import (versions, and refused files with their rejected lines)", security, parameters: [list], responses: { "200": { description: "the list", ...json(ListSummarySchema.extend({ versions: z.array(VersionSchema) })) }, ...read } },
    },
    "/api/v1/sanctions/lists/{list}/entries": {
      get: {
        summary: "A page of a list's entries (100), in FollowTheMoney shape",
        security,
        parameters: [list, q("q", "part of the name", { type: "string" }), q("status", "listed, delisted or all", { type: "string", enum: ["listed", "delisted", "all"] }), q("version", "what this version changed", { type: "integer" }), q("change", "added, changed or delisted (with version)", { type: "string", enum: ["added", "changed", "delisted"] }), q("page", "from 1", { type: "integer" })],
        responses: { "200": { description: "a page", ...json(z.object({ list: ListSummarySchema, entries: z.array(EntrySchema), total: z.number().int(), page: z.number().int() })) }, ...read },
      },
    },
    "/api/v1/sanctions/lists/{list}/entries/{id}": {
      get: {
        summary: "An entry and its history: listed, changed (with the content before), delisted, listed again",
        security,
        parameters: [list, id("the entry")],
        responses: { "200": { description: "the entry", ...json(z.object({ entry: EntrySchema, list: z.object({ name: z.string(), title: z.string() }), changes: z.array(z.object({ version: z.number().int().nullable(), change: z.string(), previous: z.unknown().nullable(), at: z.string() })) })) }, ...read },
      },
    },
    "/api/v1/sanctions/lists/{list}/ftm": {
      get: { summary: "The list's listed entries as FollowTheMoney JSON lines, programmes as Sanction entities", security, parameters: [list], responses: { "200": { description: "application/x-ndjson", content: { "application/x-ndjson": { schema: { type: "string" } } } }, ...read } },
    },
    "/api/v1/sanctions/imports": {
      post: {
        summary: "Upload a list file (administrators and editors); a job imports it, all or nothing unless skipBad",
        description: "The raw file as the body (name in X-Filename) with the options in the query string, or multipart/form-data with the options as fields before the file.",
        security,
        parameters: [
          q("list", "the list's name; a new name makes a new list", { type: "string" }, true),
          q("format", LIST_FORMATS.join(", "), { type: "string", enum: [...LIST_FORMATS] }, true),
          q("title", "a new list's title", { type: "string" }),
          q("publisher", "a new list's publisher", { type: "string" }),
          q("jurisdictions", `a new list's jurisdictions, comma-separated: ${JURISDICTIONS.join(", ")}`, { type: "string" }),
          q("kind", LIST_KINDS.join(", "), { type: "string", enum: [...LIST_KINDS] }),
          q("publishedOn", "the list's publication date (YYYY-MM-DD) when the file does not state it", { type: "string", format: "date" }),
          q("mapping", "for format csv: the mapping as JSON, or uflpa", { type: "string" }),
          q("skipBad", "import the good lines and report the bad ones", { type: "boolean" }),
        ],
        requestBody: { required: true, content: { "application/octet-stream": { schema: { type: "string", format: "binary" } }, "multipart/form-data": { schema: { type: "object" } } } },
        responses: { "202": { description: "the import, queued", ...json(VersionSchema.extend({ list: z.string() })) }, ...write },
      },
    },
    "/api/v1/sanctions/imports/{id}": {
      get: { summary: "An import: its state, counts and rejected lines", security, parameters: [id("the import")], responses: { "200": { description: "the import", ...json(VersionSchema.extend({ list: z.string() })) }, ...read } },
    },
    "/api/v1/sanctions/screen": {
      post: {
        summary: "Match the officials and organisations you may see against the lists (those who document); new pairs become candidates",
        security,
        requestBody: { required: false, ...jsonInput(ScreenRecordsSchema) },
        responses: { "200": { description: "what was found", ...json(z.object({ records: z.number().int(), candidates: z.number().int(), updated: z.number().int() })) }, ...write },
      },
    },
    "/api/v1/sanctions/matches": {
      get: {
        summary: "Matches of records on the lists, best first (50 a page)",
        security,
        parameters: [q("status", "candidate (default), confirmed, rejected or all", { type: "string" }), q("entity", "one record's matches", { type: "string", format: "uuid" }), q("page", "from 1", { type: "integer" })],
        responses: { "200": { description: "a page", ...json(z.object({ items: z.array(MatchSchema), total: z.number().int(), page: z.number().int() })) }, ...read },
      },
    },
    "/api/v1/sanctions/matches/{id}": {
      get: { summary: "A match with its explanation and decisions", security, parameters: [id("the match")], responses: { "200": { description: "the match", ...json(MatchSchema) }, ...read } },
    },
    "/api/v1/sanctions/matches/{id}/decision": {
      post: {
        summary: "Confirm or reject a match with a reason, or reopen it (those who document); every decision is kept",
        security,
        parameters: [id("the match")],
        requestBody: { required: true, ...jsonInput(DecisionSchema) },
        responses: { "200": { description: "the match", ...json(MatchSchema) }, ...write },
      },
    },
    "/api/v1/sanctions/status/{id}": {
      get: { summary: "A record's sanctions status per jurisdiction, from its confirmed and candidate matches", security, parameters: [id("the record")], responses: { "200": { description: "the status", ...json(StatusSchema) }, ...read } },
    },
    "/api/v1/sanctions/gaps": {
      get: {
        summary: "The gap table: officials ranked by documented responsibility beside where they are and are not sanctioned",
        security,
        parameters: [...gapFilters, q("format", "json (default) or csv", { type: "string", enum: ["json", "csv"] })],
        responses: { "200": { description: "a page of the table, or the whole table as CSV", ...json(GapSchema) }, ...read },
      },
    },
  };
}
