import { z } from "zod";
import { MAX_NAME_CHARS } from "../names/index.ts";
import { MATCHABLE_SCHEMATA } from "./entity-names.ts";

export const MAX_QUERIES = 100;
const MAX_VALUES = 20;
export const MAX_LIMIT = 100;

// yente accepts a single value or a list for each property.
const Values = z.union([z.string(), z.array(z.string()).max(MAX_VALUES, `at most ${MAX_VALUES} values`)]);

/** One query: an entity in FollowTheMoney's shape, as yente's EntityExample. */
export const EntityExampleSchema = z.object({
  id: z.string().max(200).optional(),
  schema: z.enum(MATCHABLE_SCHEMATA as [string, ...string[]], { message: `schema must be one of ${MATCHABLE_SCHEMATA.join(", ")}` }),
  properties: z.record(z.string().regex(/^[a-z][A-Za-z0-9]{0,63}$/, "not a property name"), Values),
});

export const MatchBodySchema = z.object({
  queries: z
    .record(z.string().min(1).max(100), EntityExampleSchema)
    .refine((q) => Object.keys(q).length >= 1, "give at least one query")
    .refine((q) => Object.keys(q).length <= MAX_QUERIES, `at most ${MAX_QUERIES} queries per request`),
  // yente's per-feature weights; accepted so yente clients work, not used by this engine.
  weights: z.record(z.string(), z.number()).optional(),
});

export const ALGORITHMS = ["vigil-names-v1"] as const;

export const MatchParamsSchema = z.object({
  threshold: z.coerce.number().min(0).max(1).optional(),
  limit: z.coerce.number().int().min(1).max(MAX_LIMIT).default(5),
  // yente's "best" and "default" name whatever the server thinks best: here, the one algorithm.
  algorithm: z.enum([...ALGORITHMS, "best", "default"]).default("best"),
});

export const NAME_LIMIT_MESSAGE = `a name is at most ${MAX_NAME_CHARS} characters`;

export type EntityExample = z.output<typeof EntityExampleSchema>;
