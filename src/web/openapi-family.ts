// The OpenAPI paths of families in detainee monitoring (the organisation's side), from the zod
// schemas the services parse with. The families' own pages (/family) are HTML outside /api.
import { z } from "zod";
import { FamilyAcceptSchema, FamilyCaseCreateSchema, FamilyDeclineSchema, FamilyUpdateSchema } from "../monitor/index.ts";

type Content = (schema: z.ZodType) => Record<string, unknown>;

const FamilyCaseSchema = z.object({
  id: z.uuid(),
  reference: z.string().meta({ description: "a short reference such as F-7K2Q9M, never a name" }),
  personId: z.uuid().nullable(),
  detentionId: z.uuid().nullable(),
  createdAt: z.string(),
  linkIssuedAt: z.string().nullable().meta({ description: "when the family last redeemed a code for their secret link" }),
  linkLastUsedAt: z.string().nullable(),
  linkActive: z.boolean(),
  openCodeExpiresAt: z.string().nullable().meta({ description: "the expiry of the code waiting to be redeemed; the code itself is never shown again" }),
  revokedAt: z.string().nullable(),
  reports: z.object({ new: z.number().int(), accepted: z.number().int(), declined: z.number().int() }),
  updates: z.object({ pending: z.number().int(), approved: z.number().int() }),
});

const IssuedCodeSchema = z.object({
  caseId: z.uuid(),
  reference: z.string(),
  code: z.string().meta({ description: "the one-time code, shown in this answer only (Vigil keeps its hash): give it to the family, who type it at /family" }),
  expiresAt: z.string(),
});

const FamilyReportSchema = z.object({
  id: z.uuid(),
  caseId: z.uuid(),
  reference: z.string(),
  receivedAt: z.string(),
  state: z.enum(["new", "accepted", "declined"]),
  report: z.object({
    names: z.string(),
    birthDate: z.string().optional(),
    lastSeenDate: z.string().optional(),
    lastSeenPlace: z.string().optional(),
    circumstances: z.string().optional(),
    takenBy: z.string().optional(),
    contact: z.string().optional(),
    locale: z.string().meta({ description: "the language of the page the family wrote on" }),
  }),
  decidedAt: z.string().nullable(),
  decidedBy: z.string().nullable(),
  declineReason: z.string().nullable(),
  sourceId: z.uuid().nullable(),
  personId: z.uuid().nullable(),
  detentionId: z.uuid().nullable(),
});

const FamilyUpdateViewSchema = z.object({
  id: z.uuid(),
  caseId: z.uuid(),
  body: z.string(),
  state: z.enum(["pending", "approved", "withdrawn"]),
  writtenBy: z.string(),
  writtenById: z.uuid(),
  writtenAt: z.string(),
  approvedBy: z.string().nullable(),
  approvedAt: z.string().nullable(),
});

const AcceptedSchema = z.object({ reportId: z.uuid(), sourceId: z.uuid(), personId: z.uuid(), detentionId: z.uuid() });

export function familyPaths(json: Content, jsonInput: Content, problem: Record<string, unknown>) {
  const security = [{ bearer: [] }];
  const id = (what: string) => [{ name: "id", in: "path", required: true, schema: { type: "string", format: "uuid" }, description: what }];
  const refused = { "401": problem, "403": problem, "404": problem };
  const sealed = { "503": { ...problem, description: "the vault is sealed: reports and updates cannot be read until an administrator unseals it" } };
  const body = { "400": problem, "413": problem, "415": problem, "422": problem };
  return {
    "/api/v1/family/cases": {
      get: { summary: "Family cases (every member but partners): references, dates and counts, nothing a family wrote", security, responses: { "200": { description: "the cases", ...json(z.object({ cases: z.array(FamilyCaseSchema) })) }, ...refused } },
      post: {
        summary: "Open a family case and issue its one-time code (administrators and editors; needs the organisation's vault keys)",
        security,
        requestBody: { required: true, ...jsonInput(FamilyCaseCreateSchema) },
        responses: { "201": { description: "the case and its code, shown once", ...json(IssuedCodeSchema) }, ...refused, ...body, "409": problem },
      },
    },
    "/api/v1/family/cases/{id}": {
      get: { summary: "One family case", security, parameters: id("the case"), responses: { "200": { description: "the case", ...json(FamilyCaseSchema) }, ...refused } },
    },
    "/api/v1/family/cases/{id}/codes": {
      post: {
        summary: "Issue a new one-time code for a case (the open one stops working; a revoked case reopens)",
        security,
        parameters: id("the case"),
        responses: { "201": { description: "the code, shown once", ...json(IssuedCodeSchema) }, ...refused, "409": problem },
      },
    },
    "/api/v1/family/cases/{id}/revoke": {
      post: { summary: "End the family's secret link and open code at once", security, parameters: id("the case"), responses: { "200": { description: "the case", ...json(FamilyCaseSchema) }, ...refused, "409": problem } },
    },
    "/api/v1/family/cases/{id}/updates": {
      get: { summary: "A case's updates in every state (administrators and editors)", security, parameters: id("the case"), responses: { "200": { description: "the updates, oldest first", ...json(z.object({ updates: z.array(FamilyUpdateViewSchema) })) }, ...refused, ...sealed } },
      post: {
        summary: "Write an update for the family; they see it once approved",
        security,
        parameters: id("the case"),
        requestBody: { required: true, ...jsonInput(FamilyUpdateSchema) },
        responses: { "201": { description: "the update, pending", ...json(FamilyUpdateViewSchema) }, ...refused, ...body, ...sealed },
      },
    },
    "/api/v1/family/updates/{id}/approve": {
      post: {
        summary: "Approve an update: a second administrator or editor when the organisation has one (403 for the writer then)",
        security,
        parameters: id("the update"),
        responses: { "200": { description: "the update, approved", ...json(FamilyUpdateViewSchema) }, ...refused, "409": problem, ...sealed },
      },
    },
    "/api/v1/family/updates/{id}/withdraw": {
      post: { summary: "Withdraw an update: it leaves the family's page", security, parameters: id("the update"), responses: { "200": { description: "the update, withdrawn", ...json(FamilyUpdateViewSchema) }, ...refused, "409": problem, ...sealed } },
    },
    "/api/v1/family/reports": {
      get: {
        summary: "The triage queue: reports families sent, opened with the vault key (administrators and editors); each read is audited",
        security,
        parameters: [
          { name: "state", in: "query", required: false, schema: { type: "string", enum: ["new", "accepted", "declined"], default: "new" } },
          { name: "limit", in: "query", required: false, schema: { type: "integer", minimum: 1, maximum: 100, default: 50 } },
        ],
        responses: { "200": { description: "the reports", ...json(z.object({ reports: z.array(FamilyReportSchema) })) }, "401": problem, "403": problem, "422": problem, ...sealed },
      },
    },
    "/api/v1/family/reports/{id}": {
      get: { summary: "One report, opened", security, parameters: id("the report"), responses: { "200": { description: "the report", ...json(FamilyReportSchema) }, ...refused, ...sealed } },
    },
    "/api/v1/family/reports/{id}/accept": {
      post: {
        summary: "Accept a report: a Source stands for it; the Person and Detention named are linked, or created from it, citing that Source",
        security,
        parameters: id("the report"),
        requestBody: { required: true, ...jsonInput(FamilyAcceptSchema) },
        responses: { "200": { description: "the records", ...json(AcceptedSchema) }, ...refused, ...body, "409": problem, ...sealed },
      },
    },
    "/api/v1/family/reports/{id}/decline": {
      post: {
        summary: "Decline a report with a reason (kept, sealed like the report); nothing is made of it",
        security,
        parameters: id("the report"),
        requestBody: { required: true, ...jsonInput(FamilyDeclineSchema) },
        responses: { "200": { description: "the report, declined", ...json(FamilyReportSchema) }, ...refused, ...body, "409": problem, ...sealed },
      },
    },
  };
}
