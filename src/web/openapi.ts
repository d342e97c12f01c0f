import { z } from "zod";
import { ROLES, SCOPES } from "../core/index.ts";
import { VERSION } from "../version.ts";
import {
  AccessGrantSchema, ArchiveSchema, BULK_ACTIONS, BulkSchema, EntityCreateSchema, EntityUpdateSchema, MergeSchema, SENSITIVITIES, TeamCreateSchema, TeamMemberSchema,
  TermCreateSchema, TermUpdateSchema, UndoMergeSchema, VOCABULARIES,
} from "../records/index.ts";
import { ALGORITHMS, EntityExampleSchema, ListArchiveSchema, ListCreateSchema, ListMembersSchema, ListRemoveSchema, MatchBodySchema, MAX_LIMIT } from "../screening/index.ts";
import { MATCH_CAP, MAX_PAGE_SIZE, MAX_QUERY_CHARS, MAX_RANKED } from "../search/index.ts";
import { importExportPaths } from "./openapi-imports.ts";
import { captureAndLinkPaths } from "./openapi-capture.ts";
import { monitorPaths } from "./openapi-monitor.ts";
import { alertPaths } from "./openapi-alerts.ts";
import { familyPaths } from "./openapi-family.ts";
import { silencePaths } from "./openapi-silence.ts";
import { urgentPaths } from "./openapi-urgent.ts";
import { casePaths } from "./openapi-cases.ts";
import { complicityPaths } from "./openapi-complicity.ts";
import { sanctionsPaths } from "./openapi-sanctions.ts";
import { officialsPaths } from "./openapi-officials.ts";

/** The API's schemas, written once in zod: the OpenAPI document is generated from them. */
export const ProblemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string().optional(),
    errors: z.record(z.string(), z.string()).optional(),
    requestId: z.string(),
  })
  .meta({ description: "RFC 9457 problem details" });

export const HealthSchema = z.object({
  status: z.literal("ok"),
  database: z.enum(["pglite", "postgres"]),
  version: z.string(),
});

export const MeSchema = z.object({
  user: z.object({ id: z.uuid(), name: z.string(), email: z.string(), locale: z.string().nullable(), secondFactor: z.boolean() }),
  organisation: z.object({ id: z.uuid(), name: z.string(), slug: z.string() }),
  role: z.enum(ROLES),
  authenticatedWith: z.enum(["session", "token"]),
  scopes: z.array(z.enum(SCOPES)).nullable(),
});

/** Unknown fields are refused, not ignored: a typo must not pass silently. */
export const MePatchSchema = z.strictObject({ locale: z.enum(["en", "ug", "zh-Hans"]).nullable() });

export const StatementSchema = z.object({
  id: z.uuid(),
  property: z.string(),
  value: z.string().nullable().meta({ description: "null for a secret value not revealed (see ?reveal=secrets)" }),
  lang: z.string().nullable(),
  script: z.string().nullable(),
  source: z.uuid().nullable().meta({ description: "the Source record supporting the value" }),
  confidence: z.number().nullable(),
  sensitivity: z.enum(SENSITIVITIES),
  sealed: z.boolean(),
  dateEarliest: z.string().nullable().meta({ description: "first day an EDTF date can mean, YYYY-MM-DD" }),
  dateLatest: z.string().nullable(),
  author: z.uuid().nullable(),
  createdAt: z.string(),
  revision: z.number().int(),
  copiedFrom: z.uuid().nullable().meta({ description: "the statement a merge (or its undoing) copied this one from" }),
});

/** An entity in FollowTheMoney's JSON shape (`id`, `schema`, `properties`), with the statements behind it. */
export const EntitySchema = z.object({
  id: z.uuid(),
  schema: z.string(),
  properties: z.record(z.string(), z.array(z.string())),
  statements: z.array(StatementSchema),
  revision: z.number().int(),
  restricted: z.boolean(),
  createdAt: z.string(),
  updatedAt: z.string(),
  archived: z.object({ at: z.string(), reason: z.string() }).nullable(),
  mergedInto: z.uuid().nullable().meta({ description: "the record this one was merged into (it is then a redirect), when you may see it" }),
  tags: z.array(z.string()),
  assignee: z.uuid().nullable(),
});

export const EntityPageSchema = z.object({ entities: z.array(EntitySchema), nextCursor: z.string().nullable() });

const REVISION_KINDS = ["create", "update", "archive", "restore", "merge", "unmerge"] as const;

export const EntityHistorySchema = z.object({
  revisions: z.array(z.object({ number: z.number().int(), kind: z.enum(REVISION_KINDS), author: z.uuid().nullable(), authorName: z.string().nullable(), reason: z.string(), createdAt: z.string(), summary: z.record(z.string(), z.unknown()) })),
  diff: z.object({ from: z.number().int(), to: z.number().int(), added: z.array(StatementSchema), removed: z.array(StatementSchema) }),
});

/** yente's ScoredEntityResponse, plus the explanation behind the score. */
export const ScoredEntitySchema = z.object({
  id: z.uuid(),
  caption: z.string(),
  schema: z.string(),
  properties: z.record(z.string(), z.array(z.string())),
  datasets: z.array(z.string()),
  referents: z.array(z.string()),
  target: z.boolean(),
  first_seen: z.string(),
  last_seen: z.string(),
  last_change: z.string(),
  score: z.number().min(0).max(1),
  features: z.record(z.string(), z.number()),
  match: z.boolean().meta({ description: "score ≥ threshold" }),
  explanation: z.array(z.string()),
});

/** A named list to screen against (POST /api/v1/match/{list}). */
export const ListSummarySchema = z.object({
  id: z.uuid(),
  name: z.string(),
  title: z.string(),
  createdAt: z.string(),
  archived: z.object({ at: z.string(), reason: z.string() }).nullable(),
  members: z.number().int().meta({ description: "records on the list that you may see" }),
});

export const ListViewSchema = ListSummarySchema.extend({
  entries: z.array(z.object({ id: z.uuid(), schema: z.string(), caption: z.string(), addedAt: z.string() })).meta({ description: "the first 500 members you may see" }),
});

/** yente's EntityMatchResponse. */
export const MatchResponseSchema = z.object({
  responses: z.record(z.string(), z.object({ status: z.literal(200), results: z.array(ScoredEntitySchema), total: z.object({ value: z.number().int(), relation: z.enum(["eq", "gte"]).meta({ description: "gte: a very common name, whose block was read only in part" }) }), query: EntityExampleSchema })),
  matcher: z.record(z.string(), z.unknown()),
  limit: z.number().int(),
  threshold: z.number(),
  algorithm: z.string(),
});

function json(schema: z.ZodType) {
  return { content: { "application/json": { schema: z.toJSONSchema(schema, { target: "draft-2020-12" }) } } };
}

/** A request body: its schema as the client writes it, before Vigil's own cleaning (trimming, lowercasing). */
function jsonInput(schema: z.ZodType) {
  return { content: { "application/json": { schema: z.toJSONSchema(schema, { target: "draft-2020-12", io: "input", unrepresentable: "any" }) } } };
}

const problem = { description: "problem", content: { "application/problem+json": { schema: { $ref: "#/components/schemas/Problem" } } } };

export function openApiDocument() {
  return {
    openapi: "3.1.0",
    info: { title: "Vigil API", version: VERSION, description: "Authenticate with `Authorization: Bearer <token>`; tokens are created on the account page or with `vigil token create`." },
    servers: [{ url: "/" }],
    components: {
      securitySchemes: { bearer: { type: "http", scheme: "bearer" } },
      schemas: { Problem: z.toJSONSchema(ProblemSchema, { target: "draft-2020-12" }) },
    },
    paths: {
      "/healthz": {
        get: { summary: "Liveness and database check", security: [], responses: { "200": { description: "healthy", ...json(HealthSchema) }, "500": problem } },
      },
      "/api/v1/openapi.json": {
        get: { summary: "This document", security: [], responses: { "200": { description: "the OpenAPI 3.1 document", content: { "application/json": { schema: { type: "object" } } } } } },
      },
      ...entityPaths(),
      ...recordPaths(),
      ...matchPaths(),
      ...searchPaths(),
      ...mapPaths(),
      ...silencePaths(json, problem),
      ...evidencePaths(),
      ...captureAndLinkPaths(json, jsonInput, problem, EvidenceSummarySchema),
      ...ledgerPaths(),
      ...importExportPaths(json, jsonInput, problem),
      ...monitorPaths(json, jsonInput, problem, EntitySchema),
      ...alertPaths(json, jsonInput, problem),
      ...familyPaths(json, jsonInput, problem),
      ...urgentPaths(json, jsonInput, problem),
      ...casePaths(json, jsonInput, problem),
      ...complicityPaths(json, problem),
      ...sanctionsPaths(json, jsonInput, problem),
      ...officialsPaths(json, jsonInput, problem),
      "/api/v1/me": {
        get: {
          summary: "The caller: user, organisation, role",
          security: [{ bearer: [] }],
          responses: { "200": { description: "the caller", ...json(MeSchema) }, "401": problem, "403": problem },
        },
        patch: {
          summary: "Change the caller's interface language (null: follow the browser)",
          security: [{ bearer: [] }],
          requestBody: { required: true, ...json(MePatchSchema) },
          responses: {
            "200": { description: "the caller, updated", ...json(MeSchema) },
            "400": problem, "401": problem, "403": problem, "413": problem, "415": problem, "422": problem,
          },
        },
      },
    },
  };
}

const SnippetPartsSchema = z.array(z.object({ text: z.string(), match: z.boolean() }));
const FacetSchema = z.array(z.object({ value: z.string(), count: z.number().int() }));

/** GET /api/v1/search. */
export const SearchResponseSchema = z.object({
  query: z.string(),
  total: z.object({ value: z.number().int(), relation: z.enum(["eq", "gte"]).meta({ description: `gte: more than ${MATCH_CAP} text matches; counts and ranking cover the first found` }) }),
  page: z.number().int(),
  limit: z.number().int(),
  pages: z.number().int().meta({ description: `pages that can be read: the first ${MAX_RANKED} results` }),
  results: z.array(
    z.object({
      id: z.uuid(),
      schema: z.string(),
      caption: z.string(),
      captionLang: z.string().nullable(),
      title: SnippetPartsSchema.meta({ description: "the caption, cut into parts; match: a word of the query" }),
      restricted: z.boolean(),
      archived: z.boolean(),
      score: z.number(),
      nameMatch: z.object({ score: z.number(), explanation: z.array(z.string()) }).nullable().meta({ description: "found by the names engine (any script or spelling)" }),
      snippet: z.object({ property: z.string(), parts: SnippetPartsSchema, html: z.string().meta({ description: "the parts as HTML: text escaped, matches in <mark>" }) }).nullable(),
    }),
  ),
  facets: z.object({
    schema: FacetSchema,
    violation: z.array(z.object({ value: z.string(), count: z.number().int(), labels: z.record(z.string(), z.string()).nullable() })),
    place: z.array(z.object({ value: z.uuid(), count: z.number().int(), label: z.string() })),
    year: FacetSchema,
    sensitivity: FacetSchema,
  }),
});

function searchPaths() {
  const query = (name: string, description: string, schema: object) => ({ name, in: "query", required: false, description, schema });
  const many = (item: object) => ({ type: "array", items: item });
  return {
    "/api/v1/search": {
      get: {
        summary: "Search the records you may see: full text in every script, and names in any spelling, ranked together with facets and snippets",
        security: [{ bearer: [] }],
        parameters: [
          { name: "q", in: "query", required: true, description: `words (all required), "a phrase", prefix* ; at most ${MAX_QUERY_CHARS} characters`, schema: { type: "string", maxLength: MAX_QUERY_CHARS } },
          query("schema", "only these schemata (repeat the parameter for several)", many({ type: "string" })),
          query("violation", "violation-types codes", many({ type: "string" })),
          query("place", "ids of places", many({ type: "string", format: "uuid" })),
          query("year", "years the records' dates cover", many({ type: "integer" })),
          query("sensitivity", "public, internal, restricted or secret", many({ type: "string", enum: ["public", "internal", "restricted", "secret"] })),
          query("archived", "exclude (default), include or only", { type: "string", enum: ["exclude", "include", "only"] }),
          query("page", "from 1", { type: "integer", minimum: 1 }),
          query("limit", `1–${MAX_PAGE_SIZE}, default 20`, { type: "integer", minimum: 1, maximum: MAX_PAGE_SIZE }),
        ],
        responses: { "200": { description: "a page of results, facets and counts over every result", ...json(SearchResponseSchema) }, "401": problem, "403": problem, "422": problem },
      },
    },
  };
}

/** GET /api/v1/map/points and /api/v1/map/incidents. */
export const MapPointsResponseSchema = z.object({
  kind: z.enum(["incidents", "places"]),
  precision: z.number().int().meta({ description: "coordinates are whole multiples of 1/precision degree" }),
  points: z.array(z.number().int()).meta({ description: "flat: latitude, longitude, incidents, then the next place; written as the database reads them" }),
  places: z.number().int(),
  incidents: z.number().int().meta({ description: "sum of the counts: an incident at two places counts at each" }),
});

export const MapIncidentsResponseSchema = z.object({
  incidents: z.array(
    z.object({
      id: z.uuid(),
      caption: z.string(),
      captionLang: z.string().nullable(),
      dates: z.array(z.object({ property: z.string(), value: z.string().meta({ description: "EDTF, as written" }) })),
      earliest: z.string().nullable().meta({ description: "first day the dates can mean, YYYY-MM-DD" }),
      latest: z.string().nullable(),
      violations: z.array(z.object({ code: z.string(), labels: z.record(z.string(), z.string()).nullable() })),
      restricted: z.boolean(),
      places: z.array(z.object({ id: z.uuid(), caption: z.string(), captionLang: z.string().nullable(), lat: z.number().nullable(), lon: z.number().nullable() })),
    }),
  ),
  nextCursor: z.string().nullable(),
});

function mapPaths() {
  const query = (name: string, description: string, schema: object) => ({ name, in: "query", required: false, description, schema });
  const many = (item: object) => ({ type: "array", items: item });
  const filters = [
    query("kind", "incidents (default): places with matching incidents; places: every place with coordinates", { type: "string", enum: ["incidents", "places"] }),
    query("from", "EDTF date: incidents whose dates reach this day or later", { type: "string" }),
    query("to", "EDTF date: incidents whose dates reach this day or earlier", { type: "string" }),
    query("violation", "violation-types codes (repeat the parameter for several)", many({ type: "string" })),
    query("place", "ids of places", many({ type: "string", format: "uuid" })),
    query("sensitivity", "public, internal, restricted or secret", many({ type: "string", enum: ["public", "internal", "restricted", "secret"] })),
  ];
  return {
    "/api/v1/map/points": {
      get: {
        summary: "Places with coordinates and their matching incidents, among the records you may see, as compact arrays streamed (gzip when accepted)",
        security: [{ bearer: [] }],
        parameters: filters,
        responses: { "200": { description: "every point; nothing you may not see is placed or counted", ...json(MapPointsResponseSchema) }, "401": problem, "403": problem, "422": problem },
      },
    },
    "/api/v1/map/incidents": {
      get: {
        summary: "The matching incidents at places in a box (what is at one spot or in one cluster), a page at a time",
        security: [{ bearer: [] }],
        parameters: [
          { name: "bbox", in: "query", required: true, description: "west,south,east,north in degrees", schema: { type: "string" } },
          ...filters.slice(1),
          query("cursor", "the nextCursor of the previous page", { type: "string" }),
          query("limit", "1–200, default 50", { type: "integer", minimum: 1, maximum: 200 }),
        ],
        responses: { "200": { description: "a page of incidents with their places", ...json(MapIncidentsResponseSchema) }, "401": problem, "403": problem, "422": problem },
      },
    },
  };
}

/** What anyone allowed to see an evidence item may see, sealed or not. */
export const EvidenceSummarySchema = z.object({
  id: z.uuid(),
  sha256: z.string().meta({ description: "SHA-256 of the stored age file (the ciphertext): the blob's name" }),
  size: z.number().int().meta({ description: "plaintext bytes" }),
  ciphertextSize: z.number().int(),
  mediaType: z.string().meta({ description: "found in the content by ExifTool, not taken from the name or the client" }),
  commitment: z.string().meta({ description: "SHA-256(label ‖ salt ‖ SHA-256(plaintext)), hex; the salt is in the encrypted metadata" }),
  derivedFrom: z.uuid().nullable().meta({ description: "the original, for a redacted copy" }),
  ledgerIndex: z.number().int().meta({ description: "leaf of the received (or redacted) event in the organisation's custody log" }),
  receivedAt: z.string(),
});

export const EvidenceReceivedSchema = z.object({ id: z.uuid(), sha256: z.string(), size: z.number().int(), mediaType: z.string(), ledgerIndex: z.number().int() });

export const EvidenceMetadataSchema = z.object({
  version: z.literal(1),
  filename: z.string().nullable(),
  claimedType: z.string().nullable().meta({ description: "the type the uploader claimed" }),
  plaintextSha256: z.string(),
  salt: z.string().meta({ description: "the commitment's salt, hex" }),
  tags: z.record(z.string(), z.unknown()).meta({ description: "ExifTool's tags, grouped (EXIF:GPSLatitude), numbers unformatted" }),
  capture: z.record(z.string(), z.unknown()).optional().meta({ description: "for a web capture: address, time, status and response headers" }),
});

export const ProofSchema = z.object({
  proof: z.array(z.string()).meta({ description: "RFC 6962 hashes, base64, from the leaf (or the old tree) up" }),
  size: z.number().int().meta({ description: "the tree size the proof is for" }),
  rootHash: z.string().meta({ description: "base64 root hash of the tree at that size" }),
});

function evidencePaths() {
  const security = [{ bearer: [] }];
  const id = { name: "id", in: "path", required: true, schema: { type: "string", format: "uuid" } };
  const read = { "401": problem, "403": problem, "404": problem };
  const sealed = { "503": { ...problem, description: "urn:vigil:problem:sealed: the organisation's vault is sealed; an administrator unseals it" } };
  return {
    "/api/v1/evidence": {
      get: {
        summary: "The organisation's evidence, newest first (works sealed: nothing here needs the key)",
        security,
        responses: { "200": { description: "the items", ...json(z.object({ items: z.array(EvidenceSummarySchema) })) }, "401": problem, "403": problem },
      },
      post: {
        summary: "Receive one file, streamed to disk as an age file encrypted to the organisation (works sealed); a custody-ledger event and an audit event",
        description: `The raw body with its name in X-Filename (percent-encoded UTF-8), or multipart/form-data with one file field. A declared Content-Length over the upload limit is refused before the body is read; a body that passes it is refused as soon as it does.`,
        security,
        parameters: [{ name: "X-Filename", in: "header", required: false, description: "the file's name, percent-encoded UTF-8 (required for a raw body)", schema: { type: "string" } }],
        requestBody: {
          required: true,
          content: {
            "application/octet-stream": { schema: { type: "string", format: "binary" } },
            "multipart/form-data": { schema: { type: "object", properties: { file: { type: "string", format: "binary" } }, required: ["file"] } },
          },
        },
        responses: {
          "201": { description: "received: the blob's name (ciphertext SHA-256), plaintext size, type found in the content and ledger index", ...json(EvidenceReceivedSchema) },
          "400": problem, "401": problem, "403": problem,
          "409": { ...problem, description: "the organisation has no keys yet, or they changed during the upload" },
          "413": { ...problem, description: "larger than VIGIL_MAX_UPLOAD_BYTES" },
          "422": { ...problem, description: "an empty file, a missing X-Filename or file field" },
        },
      },
    },
    "/api/v1/evidence/{id}": {
      get: {
        summary: "One item, its redacted copies, and whether the vault is sealed (works sealed)",
        security,
        parameters: [id],
        responses: { "200": { description: "the item", ...json(EvidenceSummarySchema.extend({ sealed: z.boolean(), derivatives: z.array(EvidenceSummarySchema) })) }, ...read },
      },
    },
    "/api/v1/evidence/{id}/metadata": {
      get: {
        summary: "The decrypted metadata: file name, claimed type, plaintext SHA-256, the commitment's salt, ExifTool's tags; a custody-ledger \"viewed\" event",
        security,
        parameters: [id],
        responses: { "200": { description: "the metadata", ...json(EvidenceMetadataSchema) }, ...read, ...sealed },
      },
    },
    "/api/v1/evidence/{id}/content": {
      get: {
        summary: "Download the plaintext, decrypted as it is sent; a custody-ledger \"downloaded\" event committed before the first byte",
        security,
        parameters: [id],
        responses: { "200": { description: "the file as it was received", content: { "application/octet-stream": { schema: { type: "string", format: "binary" } } } }, ...read, ...sealed },
      },
    },
    "/api/v1/evidence/{id}/redacted": {
      post: {
        summary: "Make (once) a copy of an image without GPS, device serials, owner names or thumbnails; the original is never changed; a custody-ledger \"redacted\" event",
        security,
        parameters: [id],
        responses: {
          "200": { description: "the copy made before", ...json(EvidenceReceivedSchema) },
          "201": { description: "the copy, made now", ...json(EvidenceReceivedSchema) },
          ...read,
          "422": { ...problem, description: "not an image, or already a redacted copy" },
          ...sealed,
        },
      },
    },
  };
}

function ledgerPaths() {
  const org = { name: "org", in: "path", required: true, description: "the organisation's slug", schema: { type: "string" } };
  const count = (name: string, description: string) => ({ name, in: "query", required: true, description, schema: { type: "integer", minimum: 0 } });
  const open = [{}, { bearer: [] }];
  const bytes = (description: string) => ({ description, content: { "application/octet-stream": { schema: { type: "string", format: "binary" } } } });
  const hidden = { "401": problem, "403": problem, "404": problem };
  return {
    "/ledger/{org}/checkpoint": {
      get: {
        summary: "The latest signed checkpoint (C2SP tlog-checkpoint in a C2SP signed note, Ed25519); public when the organisation publishes its ledger hashes",
        security: open,
        parameters: [org],
        responses: { "200": { description: "origin line, tree size, base64 root hash, signature lines", content: { "text/plain": { schema: { type: "string" } } } }, ...hidden },
      },
    },
    "/ledger/{org}/tile/{level}/{index}": {
      get: {
        summary: "A hash tile (C2SP tlog-tiles: /tile/<L>/<N>[.p/<W>], N in x-prefixed three-digit groups); public when the organisation publishes its ledger hashes",
        security: open,
        parameters: [org, { name: "level", in: "path", required: true, schema: { type: "integer", minimum: 0, maximum: 63 } }, { name: "index", in: "path", required: true, description: "e.g. x001/234, or 000.p/17 for a partial tile", schema: { type: "string" } }],
        responses: { "200": bytes("concatenated 32-byte SHA-256 hashes"), ...hidden },
      },
    },
    "/ledger/{org}/tile/entries/{index}": {
      get: {
        summary: "An entry bundle (C2SP tlog-tiles): the events themselves, RFC 8785 JSON with pseudonymous ids; only to those allowed to see them, and each read is audited",
        security: [{ bearer: [] }],
        parameters: [org, { name: "index", in: "path", required: true, description: "as for hash tiles", schema: { type: "string" } }],
        responses: { "200": bytes("big-endian uint16 length, then the entry, for each entry"), ...hidden },
      },
    },
    "/api/v1/ledger/{org}/proof/inclusion": {
      get: {
        summary: "RFC 6962 inclusion proof of leaf `index` in the tree of size `size`",
        security: open,
        parameters: [org, count("index", "the leaf"), count("size", "the tree size (at most the latest checkpoint's)")],
        responses: { "200": { description: "the audit path", ...json(ProofSchema) }, ...hidden, "422": problem },
      },
    },
    "/api/v1/ledger/{org}/proof/consistency": {
      get: {
        summary: "RFC 6962 consistency proof between the trees of sizes `old` and `size`",
        security: open,
        parameters: [org, count("old", "the earlier tree size"), count("size", "the later tree size")],
        responses: { "200": { description: "the proof", ...json(ProofSchema) }, ...hidden, "422": problem },
      },
    },
    "/api/v1/ledger/settings": {
      post: {
        summary: "Publish (or stop publishing) the organisation's ledger hashes and checkpoints to anyone (administrators; audited). A form (public=on) is sent back to the audit page.",
        security: [{ bearer: [] }],
        requestBody: { required: true, ...json(z.object({ public: z.boolean() })) },
        responses: { "200": { description: "the setting", ...json(z.object({ public: z.boolean() })) }, "400": problem, "401": problem, "403": problem, "422": problem },
      },
    },
  };
}

function matchPaths() {
  const query = (name: string, description: string, schema: object) => ({ name, in: "query", required: false, description, schema });
  return {
    "/api/v1/match/{dataset}": {
      post: {
        summary: "Match entities against the records you may see, in the shape of OpenSanctions yente's /match",
        security: [{ bearer: [] }],
        parameters: [
          { name: "dataset", in: "path", required: true, description: "default (every record you may see) or the name of a list", schema: { type: "string" } },
          query("threshold", "score at or above which a result is a match (default 0.8)", { type: "number", minimum: 0, maximum: 1 }),
          query("limit", `results per query, 1–${MAX_LIMIT}, default 5`, { type: "integer", minimum: 1, maximum: MAX_LIMIT }),
          query("algorithm", "best (default) or vigil-names-v1", { type: "string", enum: [...ALGORITHMS, "best", "default"] }),
        ],
        requestBody: { required: true, ...json(MatchBodySchema) },
        responses: { "200": { description: "scored results per query", ...json(MatchResponseSchema) }, "400": problem, "401": problem, "403": problem, "404": problem, "413": problem, "415": problem, "422": problem },
      },
    },
    ...listPaths(),
  };
}

function listPaths() {
  const security = [{ bearer: [] }];
  const list = { name: "list", in: "path", required: true, description: "the list's name", schema: { type: "string", pattern: "^[a-z0-9][a-z0-9_-]{0,63}$" } };
  const write = { "400": problem, "401": problem, "403": problem, "404": problem, "409": problem, "413": problem, "415": problem, "422": problem };
  return {
    "/api/v1/lists": {
      get: { summary: "Named lists of your organisation", security, responses: { "200": { description: "the lists", ...json(z.object({ lists: z.array(ListSummarySchema) })) }, "401": problem, "403": problem } },
      post: { summary: "Make a named list (those who document)", security, requestBody: { required: true, ...jsonInput(ListCreateSchema) }, responses: { "201": { description: "the list", ...json(ListSummarySchema) }, ...write } },
    },
    "/api/v1/lists/{list}": {
      get: { summary: "A list and the members you may see", security, parameters: [list], responses: { "200": { description: "the list", ...json(ListViewSchema) }, "401": problem, "403": problem, "404": problem } },
    },
    "/api/v1/lists/{list}/members": {
      post: { summary: "Add records you may see to a list", security, parameters: [list], requestBody: { required: true, ...jsonInput(ListMembersSchema) }, responses: { "200": { description: "the list", ...json(ListViewSchema) }, ...write } },
    },
    "/api/v1/lists/{list}/members/remove": {
      post: { summary: "Remove records from a list, with a reason (kept, audited)", security, parameters: [list], requestBody: { required: true, ...jsonInput(ListRemoveSchema) }, responses: { "200": { description: "the list", ...json(ListViewSchema) }, ...write } },
    },
    "/api/v1/lists/{list}/archive": {
      post: { summary: "Archive a list, with a reason: it is no longer screened against", security, parameters: [list], requestBody: { required: true, ...jsonInput(ListArchiveSchema) }, responses: { "200": { description: "the list", ...json(ListSummarySchema) }, ...write } },
    },
    "/api/v1/lists/{list}/restore": {
      post: { summary: "Restore an archived list, with a reason", security, parameters: [list], requestBody: { required: true, ...jsonInput(ListArchiveSchema) }, responses: { "200": { description: "the list", ...json(ListSummarySchema) }, ...write } },
    },
  };
}

function entityPaths() {
  const security = [{ bearer: [] }];
  const id = { name: "id", in: "path", required: true, schema: { type: "string", format: "uuid" } };
  const read = { "401": problem, "403": problem, "404": problem };
  const write = { "400": problem, "401": problem, "403": problem, "404": problem, "409": problem, "413": problem, "415": problem, "422": problem };
  const query = (name: string, description: string, schema: object = { type: "string" }) => ({ name, in: "query", required: false, description, schema });
  return {
    "/api/v1/entities": {
      get: {
        summary: "List records newest first, a page at a time",
        security,
        parameters: [
          query("schema", "only this schema and the schemata that extend it (LegalEntity: people, companies…)"),
          query("archived", "exclude (default), include or only", { type: "string", enum: ["exclude", "include", "only"] }),
          query("cursor", "nextCursor of the previous page"),
          query("limit", "1–200, default 50", { type: "integer", minimum: 1, maximum: 200 }),
        ],
        responses: { "200": { description: "a page of records", ...json(EntityPageSchema) }, "401": problem, "403": problem, "422": problem },
      },
      post: {
        summary: "Create a record: values are strings, or objects with lang, script, source, confidence and sensitivity",
        security,
        requestBody: { required: true, ...json(EntityCreateSchema) },
        responses: { "201": { description: "the record", ...json(EntitySchema) }, ...write },
      },
    },
    "/api/v1/entities/{id}": {
      get: {
        summary: "One record; ?reveal=secrets opens its secret values, and each reading is audited",
        security,
        parameters: [id, query("reveal", "secrets: show secret values", { type: "string", enum: ["secrets"] })],
        responses: { "200": { description: "the record", ...json(EntitySchema) }, ...read },
      },
      patch: {
        summary: "Change a record from the revision you edited (409 if it has moved on), with a reason",
        security,
        parameters: [id],
        requestBody: { required: true, ...json(EntityUpdateSchema) },
        responses: { "200": { description: "the record, updated", ...json(EntitySchema) }, ...write },
      },
    },
    "/api/v1/entities/{id}/archive": {
      post: { summary: "Archive a record, with a reason: it leaves lists, nothing is deleted", security, parameters: [id], requestBody: { required: true, ...json(ArchiveSchema) }, responses: { "200": { description: "the record", ...json(EntitySchema) }, ...write } },
    },
    "/api/v1/entities/{id}/restore": {
      post: { summary: "Restore an archived record, with a reason", security, parameters: [id], requestBody: { required: true, ...json(ArchiveSchema) }, responses: { "200": { description: "the record", ...json(EntitySchema) }, ...write } },
    },
    "/api/v1/entities/{id}/history": {
      get: {
        summary: "The record's revisions, and the statements added and removed between two of them",
        security,
        parameters: [id, query("from", "earlier revision (default: the one before to)", { type: "integer", minimum: 0 }), query("to", "later revision (default: the current one)", { type: "integer", minimum: 1 })],
        responses: { "200": { description: "the history", ...json(EntityHistorySchema) }, ...read, "422": problem },
      },
    },
  };
}

const SummarySchema = z.object({ id: z.uuid(), schema: z.string(), caption: z.string().nullable(), archived: z.boolean() });

export const RelationshipsSchema = z.object({
  edges: z.array(z.object({ relationship: SummarySchema.extend({ properties: z.record(z.string(), z.array(z.string())) }), property: z.string(), others: z.array(z.object({ property: z.string(), record: SummarySchema })) })),
  links: z.array(z.object({ direction: z.enum(["outgoing", "incoming"]), property: z.string(), record: SummarySchema })),
  truncated: z.boolean(),
});

export const MergeViewSchema = z.object({
  id: z.uuid(),
  target: z.uuid(),
  merged: z.uuid(),
  reason: z.string(),
  author: z.uuid().nullable(),
  createdAt: z.string(),
  targetRevision: z.number().int(),
  mergedRevision: z.number().int(),
  moved: z.object({ statements: z.number().int(), references: z.number().int(), citations: z.number().int() }),
  undone: z.object({ at: z.string(), by: z.uuid().nullable(), reason: z.string() }).nullable(),
});

export const AccessListSchema = z.object({
  restricted: z.boolean(),
  users: z.array(z.object({ id: z.uuid(), name: z.string(), direct: z.boolean(), teams: z.array(z.uuid()) })),
  teams: z.array(z.object({ id: z.uuid(), name: z.string() })),
});

export const TeamSchema = z.object({ id: z.uuid(), name: z.string(), members: z.array(z.object({ id: z.uuid(), name: z.string() })), createdAt: z.string() });

export const BulkOperationSchema = z.object({
  id: z.uuid(),
  action: z.enum(BULK_ACTIONS),
  status: z.enum(["pending", "running", "done", "failed", "cancelled"]),
  total: z.number().int(),
  processed: z.number().int(),
  changed: z.number().int(),
  error: z.string().nullable(),
  createdAt: z.string(),
  finishedAt: z.string().nullable(),
});

const LabelsSchema = z.object({ en: z.string(), ug: z.string().optional(), "zh-Hans": z.string().optional() });
export const TermSchema = z.object({ code: z.string(), labels: LabelsSchema, builtIn: z.boolean(), retired: z.boolean() });
export const VocabularySchema = z.object({ name: z.enum(VOCABULARIES), properties: z.array(z.string()), terms: z.array(TermSchema) });

/** Relationships, past revisions, merges, access lists, teams, bulk actions and vocabularies. */
function recordPaths() {
  const security = [{ bearer: [] }];
  const uuid = (name: string, description?: string) => ({ name, in: "path", required: true, ...(description ? { description } : {}), schema: { type: "string", format: "uuid" } });
  const id = uuid("id");
  const read = { "401": problem, "403": problem, "404": problem };
  const write = { "400": problem, "401": problem, "403": problem, "404": problem, "409": problem, "413": problem, "415": problem, "422": problem };
  const vocabulary = { name: "name", in: "path", required: true, schema: { type: "string", enum: [...VOCABULARIES] } };
  const code = { name: "code", in: "path", required: true, schema: { type: "string", pattern: "^[a-z0-9][a-z0-9-]{0,63}$" } };
  return {
    "/api/v1/entities/{id}/revisions/{revision}": {
      get: {
        summary: "The record as it stood at a past revision (the statements you may read now; tags and assignee are today's)",
        security,
        parameters: [id, { name: "revision", in: "path", required: true, schema: { type: "integer", minimum: 1 } }],
        responses: { "200": { description: "the record then", ...json(EntitySchema.extend({ revisionKind: z.enum(REVISION_KINDS) })) }, ...read, "422": problem },
      },
    },
    "/api/v1/entities/{id}/relationships": {
      get: {
        summary: "The record's relationships, both directions: relationship records (Involvement, Membership, Family…) and direct links; anything you may not see is left out",
        security,
        parameters: [
          id,
          { name: "limit", in: "query", required: false, description: "1–1000, default 200", schema: { type: "integer", minimum: 1, maximum: 1000 } },
          { name: "archived", in: "query", required: false, description: "exclude (default) or include relationships through archived records", schema: { type: "string", enum: ["exclude", "include"] } },
        ],
        responses: { "200": { description: "the relationships", ...json(RelationshipsSchema) }, ...read, "422": problem },
      },
    },
    "/api/v1/entities/{id}/merge": {
      post: {
        summary: "Merge a duplicate into this record: its statements move here with their sources, what pointed at it points here, and it becomes a redirect",
        security,
        parameters: [id],
        requestBody: { required: true, ...jsonInput(MergeSchema) },
        responses: { "201": { description: "the merge (undo it at /api/v1/merges/{id}/undo)", ...json(MergeViewSchema) }, ...write },
      },
    },
    "/api/v1/merges/{id}": {
      get: { summary: "A merge, when you may see both records", security, parameters: [id], responses: { "200": { description: "the merge", ...json(MergeViewSchema) }, ...read } },
    },
    "/api/v1/merges/{id}/undo": {
      post: {
        summary: "Undo a merge, with a reason: the duplicate gets back exactly what it had, and what pointed at it",
        security,
        parameters: [id],
        requestBody: { required: true, ...jsonInput(UndoMergeSchema) },
        responses: { "200": { description: "the merge, undone", ...json(MergeViewSchema) }, ...write },
      },
    },
    "/api/v1/entities/{id}/access": {
      get: { summary: "The record's access list: members, directly or through teams, and teams", security, parameters: [id], responses: { "200": { description: "the list", ...json(AccessListSchema) }, ...read } },
      post: {
        summary: "Put a member ({user}) or a team ({team}) on the record's access list (audited)",
        security,
        parameters: [id],
        requestBody: { required: true, ...jsonInput(AccessGrantSchema) },
        responses: { "200": { description: "the list", ...json(AccessListSchema) }, ...write },
      },
    },
    "/api/v1/entities/{id}/access/users/{user}": {
      delete: { summary: "Take a member off the record's access list (audited)", security, parameters: [id, uuid("user")], responses: { "204": { description: "taken off" }, ...read, "409": problem } },
    },
    "/api/v1/entities/{id}/access/teams/{team}": {
      delete: { summary: "Take a team off the record's access list (audited)", security, parameters: [id, uuid("team")], responses: { "204": { description: "taken off" }, ...read } },
    },
    "/api/v1/teams": {
      get: { summary: "The organisation's teams and their members", security, responses: { "200": { description: "the teams", ...json(z.object({ teams: z.array(TeamSchema) })) }, "401": problem, "403": problem } },
      post: { summary: "Make a team (administrators)", security, requestBody: { required: true, ...jsonInput(TeamCreateSchema) }, responses: { "201": { description: "the team", ...json(TeamSchema) }, ...write } },
    },
    "/api/v1/teams/{id}/members": {
      post: { summary: "Add a member to a team: they join every access list the team is on (administrators)", security, parameters: [id], requestBody: { required: true, ...jsonInput(TeamMemberSchema) }, responses: { "204": { description: "added" }, ...write } },
    },
    "/api/v1/teams/{id}/members/{user}": {
      delete: { summary: "Remove a member from a team: they leave the lists they were on only through it (administrators)", security, parameters: [id, uuid("user")], responses: { "204": { description: "removed" }, ...read } },
    },
    "/api/v1/bulk": {
      post: {
        summary: "Tag, untag, assign, unassign or archive (with a reason) records by ids or by the list's filter; up to 1,000 records are done before the answer, more run in the background",
        security,
        requestBody: { required: true, ...jsonInput(BulkSchema) },
        responses: {
          "200": { description: "done", ...json(BulkOperationSchema) },
          "202": { description: "started: follow it at Location", ...json(BulkOperationSchema) },
          ...write,
        },
      },
    },
    "/api/v1/bulk/{id}": {
      get: { summary: "Progress of a bulk operation (its author and administrators)", security, parameters: [id], responses: { "200": { description: "where it stands", ...json(BulkOperationSchema) }, ...read } },
    },
    "/api/v1/bulk/{id}/cancel": {
      post: {
        summary: "Cancel a bulk operation that has not finished (its author and administrators): it ends as cancelled after the batch in hand, which is rolled back; records already changed stay changed",
        security,
        parameters: [id],
        responses: { "200": { description: "cancelled, or asked to stop: status says which", ...json(BulkOperationSchema) }, ...write },
      },
    },
    "/api/v1/vocabularies": {
      get: { summary: "Every controlled vocabulary with its terms, retired ones included", security, responses: { "200": { description: "the vocabularies", ...json(z.object({ vocabularies: z.array(VocabularySchema) })) }, "401": problem, "403": problem } },
    },
    "/api/v1/vocabularies/{name}": {
      get: { summary: "One vocabulary and the properties that take its terms", security, parameters: [vocabulary], responses: { "200": { description: "the vocabulary", ...json(VocabularySchema) }, ...read } },
    },
    "/api/v1/vocabularies/{name}/terms": {
      post: { summary: "Add a term, with its labels (administrators); its code is fixed for ever", security, parameters: [vocabulary], requestBody: { required: true, ...jsonInput(TermCreateSchema) }, responses: { "201": { description: "the term", ...json(TermSchema) }, ...write } },
    },
    "/api/v1/vocabularies/{name}/terms/{code}": {
      patch: {
        summary: "Change a term's labels, or retire or reinstate it (administrators); records that use a retired term keep it",
        security,
        parameters: [vocabulary, code],
        requestBody: { required: true, ...jsonInput(TermUpdateSchema) },
        responses: { "200": { description: "the term", ...json(TermSchema) }, ...write },
      },
    },
  };
}
