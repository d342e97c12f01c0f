// What the "Who has gone silent" dashboard and its facility map are asked, and the pure rules of
// urgency. Parsed once, here, for the pages and the API alike: anything malformed is refused (422)
// with the field named, never silently ignored.
import { z } from "zod";

/** The no-proof-of-life window when a case sets none: the alert rules' default (one constant for both). */
export { DEFAULT_SILENCE_DAYS } from "./alerts-rules.ts";
export const MAX_SILENCE_PAGE = 200;
const MAX_FILTER_VALUES = 20;

/**
 * How urgent a silence is, most urgent first: no proof of life ever recorded; past the case's
 * window; in the last quarter of it; recent.
 */
export const URGENCIES = ["never", "overdue", "approaching", "recent"] as const;
export type Urgency = (typeof URGENCIES)[number];

/**
 * The urgency of `days` of silence under a window of `window` days. Overdue once the window has
 * passed (a window of 90 days: day 91); approaching from three quarters of it (day 68 of 90).
 * `days` null: no proof of life was ever recorded.
 */
export function urgencyOf(days: number | null, window: number): Urgency {
  if (days === null) return "never";
  if (days > window) return "overdue";
  if (days * 4 >= window * 3) return "approaching";
  return "recent";
}

/** A query string parameter given once is a string, given several times an array: both are lists here. */
const list = <T extends z.ZodType>(item: T) =>
  z.preprocess((v) => (v === undefined || v === "" ? [] : Array.isArray(v) ? v.filter((x) => x !== "") : [v]), z.array(item).max(MAX_FILTER_VALUES, `at most ${MAX_FILTER_VALUES} values`));

/** One value: the first when a parameter is repeated; an empty form field is no value. */
const one = <T extends z.ZodType>(item: T) => z.preprocess((v) => (Array.isArray(v) ? v[0] : v === "" ? undefined : v), item.optional());

const whole = (min: number, max: number, message: string) =>
  z.preprocess((v) => (typeof v === "string" && /^\s*\d{1,9}\s*$/.test(v) ? Number(v) : v), z.number(message).int(message).min(min, message).max(max, message));

const filterShape = {
  status: list(z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/, "not a vocabulary code")),
  facility: list(z.uuid("not the id of a record")),
  urgency: list(z.enum(URGENCIES, "never, overdue, approaching or recent")),
  /** At least this many days since the last proof of life (never any counts as the longest). */
  minDays: one(whole(0, 36_500, "a whole number of days from 0 to 36500")),
  /** Part of the person's name, as the caller may read it. */
  name: one(z.string().trim().max(200, "at most 200 characters")).transform((v) => (v === undefined || v === "" ? undefined : v)),
};

/** Unknown parameters are refused, not ignored: a misspelt filter must not silently show everything. */
const strict = { error: (issue: { code?: string }) => (issue.code === "unrecognized_keys" ? "an unknown parameter" : undefined) };

export const SilenceQuerySchema = z.strictObject(
  {
    ...filterShape,
    cursor: one(z.string().max(200, "not a valid cursor")),
    limit: one(whole(1, MAX_SILENCE_PAGE, `a whole number from 1 to ${MAX_SILENCE_PAGE}`)).transform((v) => v ?? 50),
  },
  strict,
);
export type SilenceQuery = z.output<typeof SilenceQuerySchema>;

export const FacilitySilenceQuerySchema = z.strictObject(filterShape, strict);
export type SilenceFilter = z.output<typeof FacilitySilenceQuerySchema>;

/** The filter as query parameters, for links that keep it. */
export function silenceParams(filter: Partial<SilenceFilter>): URLSearchParams {
  const params = new URLSearchParams();
  for (const s of filter.status ?? []) params.append("status", s);
  for (const f of filter.facility ?? []) params.append("facility", f);
  for (const u of filter.urgency ?? []) params.append("urgency", u);
  if (filter.minDays !== undefined) params.set("minDays", String(filter.minDays));
  if (filter.name !== undefined) params.set("name", filter.name);
  return params;
}

/** A day as YYYY-MM-DD (UTC), and that day moved by some days. */
export function dayOf(date: Date): string {
  return date.toISOString().slice(0, 10);
}

export function addDays(day: string, days: number): string {
  return dayOf(new Date(Date.parse(`${day}T00:00:00Z`) + days * 86_400_000));
}

/** Whole days from `from` to `to` (both YYYY-MM-DD). */
export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}
