import { z } from "zod";
import type { Sensitivity } from "../records/index.ts";
import { LEVELS } from "./documents.ts";
import { MAX_QUERY_CHARS } from "./query.ts";

/** Results ranked per search: pages beyond this many results are not offered (refine the search). */
export const MAX_RANKED = 500;
export const MAX_PAGE_SIZE = 50;
const MAX_FILTER_VALUES = 20;
export const QUERY_TOO_LONG = `a search is at most ${MAX_QUERY_CHARS} characters`;

// A query string parameter given once is a string, given several times an array: both are lists here.
const list = <T extends z.ZodType>(item: T) =>
  z.preprocess((v) => (v === undefined ? [] : Array.isArray(v) ? v : [v]), z.array(item).max(MAX_FILTER_VALUES, `at most ${MAX_FILTER_VALUES} values`));

export const SearchParamsSchema = z.strictObject({
  q: z.preprocess((v) => (Array.isArray(v) ? v[0] : v), z.string().max(MAX_QUERY_CHARS, QUERY_TOO_LONG).default("")),
  schema: list(z.string().regex(/^[A-Z][A-Za-z]{1,63}$/, "not a schema name")),
  violation: list(z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/, "not a vocabulary code")),
  place: list(z.uuid("not the id of a record")),
  year: list(z.coerce.number().int().min(1).max(9999)),
  sensitivity: list(z.enum(Object.keys(LEVELS) as [Sensitivity, ...Sensitivity[]])),
  archived: z.enum(["exclude", "include", "only"]).default("exclude"),
  page: z.coerce.number().int().min(1).max(MAX_RANKED).default(1),
  limit: z.coerce.number().int().min(1).max(MAX_PAGE_SIZE).default(20),
});

export type SearchParams = z.output<typeof SearchParamsSchema>;
