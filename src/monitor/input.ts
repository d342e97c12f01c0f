// What callers send to the monitoring service: checked here, then written as records.
import { z } from "zod";
import { isEdtf } from "../core/index.ts";

const EDTF_HINT = "not an EDTF date: write e.g. 2018-04-12, 2018-04, 2018, 2018? (uncertain) or 2018-04~ (approximate)";
const edtf = (required: string) => z.string({ error: required }).trim().min(1, required).max(64, "at most 64 characters").refine(isEdtf, EDTF_HINT);
const optionalEdtf = z.string().trim().max(64, "at most 64 characters").refine(isEdtf, EDTF_HINT).optional();
const recordId = (what: string) => z.uuid({ error: `the id of ${what}` });
const source = z.uuid({ error: "cite the Source record that reports it (its id)" });
/** A monitoring record's values are public, internal or restricted; secret is for who reported, where it applies. */
const SENSITIVITY = z.enum(["public", "internal", "restricted"]);
const text = (max: number) => z.string().trim().max(max, `at most ${max} characters`).optional();
const reason = z.string().trim().min(1, "say why").max(2000, "at most 2000 characters").optional();

export const DetentionCreateSchema = z.strictObject({
  person: recordId("the Person record of who was detained"),
  startDate: edtf("when the detention began (EDTF)"),
  facility: recordId("a facility (a place whose type is a detention place)").optional(),
  agency: recordId("the agency's record").optional(),
  officials: z.array(recordId("an official's Person record")).max(50, "at most 50").optional(),
  grounds: text(4000),
  name: text(384),
  silenceDays: z.coerce.number({ error: "a whole number of days" }).int("a whole number of days").min(1, "between 1 and 3650 days").max(3650, "between 1 and 3650 days").optional(),
  source: source.optional(),
  sensitivity: SENSITIVITY.optional(),
  restricted: z.boolean().optional(),
  /** Another ongoing detention of the same person overlaps: record this one anyway. */
  confirmOverlap: z.boolean().optional(),
  reason,
});
export type DetentionCreate = z.infer<typeof DetentionCreateSchema>;

export const StatusCreateSchema = z.strictObject({
  status: z.string({ error: "choose a status" }).trim().min(1, "choose a status").max(64),
  date: edtf("when the change happened (EDTF)"),
  source,
  facility: recordId("a facility (a place whose type is a detention place)").optional(),
  court: text(1024),
  term: text(200),
  sentenceEnd: optionalEdtf,
  description: text(65000),
  sensitivity: SENSITIVITY.optional(),
  restricted: z.boolean().optional(),
  reason,
});
export type StatusCreate = z.infer<typeof StatusCreateSchema>;

export const ProofOfLifeCreateSchema = z.strictObject({
  date: edtf("when the person was seen or heard from (EDTF)"),
  source,
  kind: z.string().trim().max(64).optional(),
  reporter: text(1024),
  /** Who reported may identify a witness or a relative: it may be sealed as secret. */
  reporterSensitivity: z.enum(["public", "internal", "restricted", "secret"]).optional(),
  reliability: z.string().trim().max(64).optional(),
  description: text(65000),
  sensitivity: SENSITIVITY.optional(),
  restricted: z.boolean().optional(),
  reason,
});
export type ProofOfLifeCreate = z.infer<typeof ProofOfLifeCreateSchema>;

export const TreatmentReportCreateSchema = z.strictObject({
  treatment: z.string({ error: "choose a treatment" }).trim().min(1, "choose a treatment").max(64),
  date: optionalEdtf,
  source,
  description: text(65000),
  sensitivity: SENSITIVITY.optional(),
  restricted: z.boolean().optional(),
  reason,
});
export type TreatmentReportCreate = z.infer<typeof TreatmentReportCreateSchema>;

export const FacilityListSchema = z.strictObject({
  limit: z.coerce.number().int().min(1).max(500).default(200),
});
