import { z } from "zod";
import { cleanText, hasLoneSurrogate, isEdtf } from "../core/index.ts";

/** Free text in any script: no lone surrogates or deceptive controls, bounded. */
function text(max: number) {
  return z
    .string()
    .max(max * 4, `at most ${max} characters`)
    .refine((v) => !hasLoneSurrogate(v), "contains invalid characters")
    .transform((v) => cleanText(v))
    .pipe(z.string().max(max, `at most ${max} characters`));
}

/** Multi-line free text: line breaks kept, other controls dropped. */
function longText(max: number) {
  return z
    .string()
    .max(max * 4, `at most ${max} characters`)
    .refine((v) => !hasLoneSurrogate(v), "contains invalid characters")
    .transform((v) => v.normalize("NFC").replace(/\r\n?/g, "\n").split("\n").map((line) => cleanText(line)).join("\n").trim())
    .pipe(z.string().max(max, `at most ${max} characters`));
}

const optional = <T extends z.ZodType>(schema: T) => z.union([z.literal("").transform(() => undefined), schema]).optional();

/** A new family case: optionally about records the organisation already has. */
export const FamilyCaseCreateSchema = z.strictObject({
  personId: optional(z.uuid("the id of a Person record")),
  detentionId: optional(z.uuid("the id of a Detention record")),
});

/** What a family member tells about a missing relative. Only the names are required. */
export const FamilyReportSchema = z.strictObject({
  names: longText(1000).pipe(z.string().min(1, "required")),
  birthDate: optional(text(100)),
  lastSeenDate: optional(text(200)),
  lastSeenPlace: optional(text(500)),
  circumstances: optional(longText(10_000)),
  takenBy: optional(longText(2000)),
  contact: optional(longText(1000)),
});
export type FamilyReportInput = z.infer<typeof FamilyReportSchema>;

export const FamilyCodeRedeemSchema = z.strictObject({ code: z.string().max(200) });

/**
 * Accepting a report: link the records it is about, or let Vigil create them from the report.
 * Records created are restricted (need-to-know) unless the editor says otherwise: a family's
 * account names people and places the state watches. The reporter's contact is always secret.
 */
export const FamilyAcceptSchema = z.strictObject({
  personId: optional(z.uuid("the id of a Person record")),
  detentionId: optional(z.uuid("the id of a Detention record")),
  startDate: optional(z.string().trim().max(100).refine(isEdtf, "an EDTF date such as 2017-04, 2017-04-12 or 2017?")),
  restricted: z.union([z.boolean(), z.enum(["yes", "no"]).transform((v) => v === "yes")]).default(true),
});

export const FamilyDeclineSchema = z.strictObject({ reason: longText(2000).pipe(z.string().min(1, "say why")) });

export const FamilyUpdateSchema = z.strictObject({ body: longText(10_000).pipe(z.string().min(1, "required")) });

export const FamilyReportListSchema = z.strictObject({
  state: z.enum(["new", "accepted", "declined"]).default("new"),
  limit: z.coerce.number().int().min(1).max(100).default(50),
});

/** A body read only once the caller's permission is checked: a route passes `() => readJson(c)`. */
export type LazyBody = () => Promise<unknown>;

export async function bodyOf(raw: unknown): Promise<unknown> {
  return typeof raw === "function" ? (raw as LazyBody)() : raw;
}
