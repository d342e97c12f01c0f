// The OpenAPI paths of detainee monitoring (src/monitor), from the zod schemas the service parses with.
import { z } from "zod";
import { DetentionCreateSchema, ProofOfLifeCreateSchema, StatusCreateSchema, TreatmentReportCreateSchema } from "../monitor/index.ts";

type Content = (schema: z.ZodType) => Record<string, unknown>;

export const DetentionSummarySchema = z.object({
  personId: z.uuid().nullable(),
  facilityId: z.uuid().nullable().meta({ description: "where the person is held as far as known; null: unknown (e.g. after a transfer to an unnamed place)" }),
  status: z.string().nullable().meta({ description: "the latest status by date, a custody-statuses code" }),
  statusEarliest: z.string().nullable(),
  statusLatest: z.string().nullable(),
  startedEarliest: z.string().nullable(),
  startedLatest: z.string().nullable(),
  lastProofOfLife: z.string().nullable().meta({ description: "YYYY-MM-DD: the last day the latest proof of life can mean" }),
  sentenceEnd: z.string().nullable(),
  ongoing: z.boolean().meta({ description: "false once released, released under restrictions, or dead in custody" }),
  silenceDays: z.number().int().nullable(),
  guarded: z.boolean().meta({ description: "something in it is restricted: never to be described outside Vigil" }),
});

export function monitorPaths(json: Content, jsonInput: Content, problem: Record<string, unknown>, entity: z.ZodType) {
  const security = [{ bearer: [] }];
  const id = { name: "id", in: "path", required: true, schema: { type: "string", format: "uuid" } };
  const read = { "401": problem, "403": problem, "404": problem };
  const write = { "400": problem, "401": problem, "403": problem, "404": problem, "409": problem, "413": problem, "415": problem, "422": problem };
  const detention = z.object({
    detention: entity,
    summary: DetentionSummarySchema.meta({ description: "what the timeline comes to, from the values you may read" }),
    statuses: z.array(entity),
    proofsOfLife: z.array(entity),
    treatmentReports: z.array(entity),
    timeline: z.array(
      z.object({
        kind: z.enum(["detained", "status", "proof-of-life", "treatment"]),
        record: entity,
        date: z.string().nullable().meta({ description: "EDTF, as written" }),
        earliest: z.string().nullable(),
        latest: z.string().nullable(),
      }),
    ).meta({ description: "oldest first; undated steps last" }),
  });
  const facility = z.object({ facility: entity, heldNow: z.array(detention), heldBefore: z.array(detention), truncated: z.boolean() });
  const added = (summary: string, schema: z.ZodType) => ({
    post: { summary, security, parameters: [id], requestBody: { required: true, ...jsonInput(schema) }, responses: { "201": { description: "the detention with its timeline", ...json(detention) }, ...write } },
  });
  return {
    "/api/v1/detentions": {
      post: {
        summary: "Record a detention (an arrest) of a person; refused (422, confirmOverlap) when another ongoing detention of the person overlaps, unless confirmOverlap is true",
        security,
        requestBody: { required: true, ...jsonInput(DetentionCreateSchema) },
        responses: { "201": { description: "the detention with its timeline", ...json(detention) }, ...write },
      },
    },
    "/api/v1/detentions/{id}": {
      get: { summary: "A detention with its timeline: status changes, proofs of life and treatment reports, with their sources", security, parameters: [id], responses: { "200": { description: "the detention", ...json(detention) }, ...read } },
    },
    "/api/v1/detentions/{id}/statuses": added("Add a status change, citing its source; not before the detention began, not a second release", StatusCreateSchema),
    "/api/v1/detentions/{id}/proofs-of-life": added("Add a proof of life, citing its source; not dated in the future", ProofOfLifeCreateSchema),
    "/api/v1/detentions/{id}/treatment-reports": added("Add a treatment report, citing its source", TreatmentReportCreateSchema),
    "/api/v1/people/{id}/detentions": {
      get: { summary: "A person's detentions, the latest first, each with its timeline", security, parameters: [id], responses: { "200": { description: "the detentions", ...json(z.object({ detentions: z.array(detention) })) }, ...read } },
    },
    "/api/v1/facilities": {
      get: {
        summary: "The facility registry: places whose type is a detention place, with how many people are known held there now",
        security,
        parameters: [{ name: "limit", in: "query", required: false, description: "1–500, default 200", schema: { type: "integer", minimum: 1, maximum: 500 } }],
        responses: { "200": { description: "the facilities", ...json(z.object({ facilities: z.array(z.object({ facility: entity, heldNow: z.number().int() })) })) }, "401": problem, "403": problem, "422": problem },
      },
    },
    "/api/v1/facilities/{id}": {
      get: { summary: "A facility with the people known held there now and before", security, parameters: [id], responses: { "200": { description: "the facility", ...json(facility) }, ...read } },
    },
  };
}
