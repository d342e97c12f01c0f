import { z } from "zod";
import { ROLES, SCOPES } from "../core/index.ts";
import { VERSION } from "../version.ts";

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
