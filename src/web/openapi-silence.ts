// The OpenAPI paths of the silence dashboard and its facility map.
import { z } from "zod";
import { MAX_SILENCE_PAGE, URGENCIES } from "../monitor/index.ts";

type Content = (schema: z.ZodType) => Record<string, unknown>;

const Caption = { name: z.string(), nameLang: z.string().nullable() };

export const SilenceResponseSchema = z.object({
  today: z.string().meta({ description: "the day silence is counted to, YYYY-MM-DD (UTC)" }),
  total: z.number().int().meta({ description: "rows matching every filter" }),
  counts: z.object(Object.fromEntries(URGENCIES.map((u) => [u, z.number().int()]))).meta({ description: "rows matching the other filters, by urgency" }),
  items: z.array(
    z.object({
      detention: z.uuid(),
      person: z.object({ id: z.uuid(), ...Caption }).nullable().meta({ description: "null when none is recorded or you may not know of them" }),
      personHidden: z.boolean(),
      status: z.object({ code: z.string(), labels: z.record(z.string(), z.string()).nullable(), since: z.string().nullable() }).nullable(),
      facility: z.object({ id: z.uuid(), ...Caption }).nullable(),
      facilityHidden: z.boolean(),
      heldSince: z.string().nullable(),
      lastProofOfLife: z.string().nullable().meta({ description: "the latest day the last proof of life can mean; null: none ever" }),
      days: z.number().int().nullable().meta({ description: "days since the last proof of life (none ever: since the detention began)" }),
      window: z.number().int().meta({ description: "the case's own window in days, or the organisation's default (90)" }),
      urgency: z.enum(URGENCIES),
      restricted: z.boolean(),
    }),
  ),
  nextCursor: z.string().nullable(),
});

export const FacilitySilenceResponseSchema = z.object({
  type: z.literal("FeatureCollection"),
  today: z.string(),
  unplaced: z.number().int().meta({ description: "matching people held at no recorded facility, or one you may not see" }),
  features: z.array(
    z.object({
      type: z.literal("Feature"),
      id: z.uuid(),
      geometry: z.object({ type: z.literal("Point"), coordinates: z.tuple([z.number(), z.number()]) }).nullable().meta({ description: "null when the facility has no coordinates you may read" }),
      properties: z.object({
        ...Caption,
        held: z.number().int(),
        never: z.number().int(),
        overdue: z.number().int(),
        approaching: z.number().int(),
        longestDays: z.number().int().nullable(),
        level: z.enum(URGENCIES).meta({ description: "the most urgent level among those held there" }),
        href: z.string(),
      }),
    }),
  ),
});

export function silencePaths(json: Content, problem: Record<string, unknown>) {
  const query = (name: string, description: string, schema: object) => ({ name, in: "query", required: false, description, schema });
  const many = (item: object) => ({ type: "array", items: item });
  const filters = [
    query("status", "custody-statuses codes (repeat for several)", many({ type: "string" })),
    query("facility", "ids of facilities (Address records)", many({ type: "string", format: "uuid" })),
    query("urgency", "never, overdue, approaching, recent (repeat for several)", many({ type: "string", enum: [...URGENCIES] })),
    query("minDays", "at least this many days since the last proof of life (none ever always matches)", { type: "integer", minimum: 0, maximum: 36500 }),
    query("name", "part of the person's name, among the names you may read", { type: "string", maxLength: 200 }),
  ];
  const refused = { "401": problem, "403": problem, "422": problem };
  return {
    "/api/v1/monitor/silence": {
      get: {
        summary: "Who has gone silent: people in detention, longest silence first, with counts by urgency",
        security: [{ bearer: [] }],
        parameters: [...filters, query("cursor", "the nextCursor of the previous page", { type: "string" }), query("limit", `1–${MAX_SILENCE_PAGE}, default 50`, { type: "integer", minimum: 1, maximum: MAX_SILENCE_PAGE })],
        responses: { "200": { description: "a page; detentions you may not see are neither listed nor counted", ...json(SilenceResponseSchema) }, ...refused },
      },
    },
    "/api/v1/monitor/silence/facilities": {
      get: {
        summary: "Facilities holding someone who matches, as GeoJSON, each with its most urgent silence",
        security: [{ bearer: [] }],
        parameters: filters,
        responses: { "200": { description: "a GeoJSON FeatureCollection (application/geo+json)", ...json(FacilitySilenceResponseSchema) }, ...refused },
      },
    },
  };
}
