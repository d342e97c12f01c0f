import { z } from "zod";
import { ROLES, SCOPES } from "../core/index.ts";
import { VERSION } from "../version.ts";
import { ArchiveSchema, EntityCreateSchema, EntityUpdateSchema, SENSITIVITIES } from "../records/index.ts";
import { ALGORITHMS, EntityExampleSchema, MatchBodySchema, MAX_LIMIT } from "../screening/index.ts";

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
});

export const EntityPageSchema = z.object({ entities: z.array(EntitySchema), nextCursor: z.string().nullable() });

export const EntityHistorySchema = z.object({
  revisions: z.array(z.object({ number: z.number().int(), kind: z.enum(["create", "update", "archive", "restore"]), author: z.uuid().nullable(), reason: z.string(), createdAt: z.string(), summary: z.record(z.string(), z.unknown()) })),
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

/** yente's EntityMatchResponse. */
export const MatchResponseSchema = z.object({
  responses: z.record(z.string(), z.object({ status: z.literal(200), results: z.array(ScoredEntitySchema), total: z.object({ value: z.number().int(), relation: z.literal("eq") }), query: EntityExampleSchema })),
  matcher: z.record(z.string(), z.unknown()),
  limit: z.number().int(),
  threshold: z.number(),
  algorithm: z.string(),
});

function json(schema: z.ZodType) {
  return { content: { "application/json": { schema: z.toJSONSchema(schema, { target: "draft-2020-12" }) } } };
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
      ...entityPaths(),
      ...matchPaths(),
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
