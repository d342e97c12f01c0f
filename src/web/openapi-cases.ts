// The OpenAPI paths of legal cases and court bundles (src/accountability), from the zod schemas the services parse with.
import { z } from "zod";
import { BUNDLE_MODES, BUNDLE_PURPOSES, BundleRequestSchema, CaseCreateSchema, CONSENT_SCOPES, ConsentRecordSchema, DeadlineAddSchema, DeadlineDoneSchema, ExhibitAddSchema, PARTY_ROLES, PartyAddSchema } from "../accountability/index.ts";

type Content = (schema: z.ZodType) => Record<string, unknown>;

const Scope = z.enum(CONSENT_SCOPES).meta({ description: "use-testimony: use of their testimony in this case; be-named: being named; share-with-counsel: sharing with counsel" });
const Consent = z.object({ id: z.uuid(), scope: Scope, kind: z.enum(["given", "withdrawn"]), effectiveAt: z.string(), note: z.string(), recordedBy: z.uuid().nullable(), recordedAt: z.string() });

const CaseOut = z.object({
  id: z.uuid(),
  revision: z.number().int(),
  properties: z.record(z.string(), z.array(z.string())).meta({ description: "the LegalCase record's values: name, forum (legal-forums vocabulary), court, jurisdiction, caseNumber, claims, defendants, filedAt, status" }),
  restricted: z.boolean(),
  defendants: z.array(z.object({ id: z.uuid(), name: z.string().nullable(), schema: z.string() })),
  parties: z.array(z.object({
    id: z.uuid(),
    role: z.enum(PARTY_ROLES),
    label: z.string().meta({ description: "how bundles name the party instead of their name" }),
    person: z.uuid(),
    personName: z.string().nullable(),
    consent: z.record(Scope, Consent.nullable()).meta({ description: "what holds now: the latest recorded change per scope" }),
    history: z.array(Consent).meta({ description: "every change, in the order recorded; never overwritten" }),
  })),
  deadlines: z.array(z.object({ id: z.uuid(), dueOn: z.string(), title: z.string(), doneAt: z.string().nullable() })),
  exhibits: z.array(z.object({ id: z.uuid(), label: z.string(), description: z.string(), evidence: z.uuid(), party: z.uuid().nullable(), mediaType: z.string().nullable(), size: z.number().nullable() })),
  bundles: z.array(z.object({ id: z.uuid(), purpose: z.enum(BUNDLE_PURPOSES), mode: z.enum(BUNDLE_MODES), recipient: z.string().nullable(), exhibits: z.array(z.uuid()), ledgerIndex: z.number().int(), createdAt: z.string() })),
});


export function casePaths(json: Content, jsonInput: Content, problem: Record<string, unknown>) {
  const security = [{ bearer: [] }];
  const id = { name: "id", in: "path", required: true, schema: { type: "string", format: "uuid" } };
  const read = { "401": problem, "403": problem, "404": problem };
  const write = { "400": problem, "401": problem, "403": problem, "404": problem, "409": problem, "415": problem, "422": problem };
  const post = (summary: string, input: z.ZodType, out: Record<string, unknown>, description?: string) => ({
    post: { summary, ...(description ? { description } : {}), security, parameters: [id], requestBody: { required: true, ...jsonInput(input) }, responses: { ...out, ...write } },
  });
  return {
    "/api/v1/cases": {
      get: { summary: "Legal cases the caller may know of, most recently changed first", security, responses: { "200": { description: "the cases", ...json(z.object({ items: z.array(z.object({ id: z.uuid(), name: z.string().nullable(), forum: z.string().nullable(), court: z.string().nullable(), caseNumber: z.string().nullable(), updatedAt: z.string() })) })) }, ...read } },
      post: { summary: "Open a legal case: a LegalCase record (administrators and editors)", security, requestBody: { required: true, ...jsonInput(CaseCreateSchema) }, responses: { "201": { description: "the case file", ...json(CaseOut) }, ...write } },
    },
    "/api/v1/cases/{id}": {
      get: { summary: "A case file: the record, parties with consent and its history, deadlines, exhibits, bundles made", security, parameters: [id], responses: { "200": { description: "the case file", ...json(CaseOut) }, ...read } },
    },
    "/api/v1/cases/{id}/parties": post("Add a plaintiff or witness (a Person record) under a label", PartyAddSchema, { "201": { description: "the party", ...json(z.object({ id: z.uuid(), role: z.enum(PARTY_ROLES), label: z.string(), person: z.uuid() })) } }),
    "/api/v1/cases/{id}/consents": post("Record that a party gave or withdrew one kind of consent (a new entry; history is never overwritten)", ConsentRecordSchema, { "201": { description: "the entry", ...json(Consent) } }),
    "/api/v1/cases/{id}/deadlines": post("Add a deadline", DeadlineAddSchema, { "201": { description: "the deadline", ...json(z.object({ id: z.uuid(), dueOn: z.string(), title: z.string(), doneAt: z.null() })) } }),
    "/api/v1/cases/{id}/deadlines/done": post("Mark a deadline done", DeadlineDoneSchema, { "204": { description: "done" } }),
    "/api/v1/cases/{id}/exhibits": post(
      "Offer an evidence item as an exhibit (a linked custody event on the item)",
      ExhibitAddSchema,
      { "201": { description: "the exhibit", ...json(z.object({ id: z.uuid(), label: z.string(), description: z.string(), evidence: z.uuid(), party: z.uuid().nullable() })) } },
      "`party` names the witness or plaintiff whose testimony or material it is: their consent decides whether it may leave in a bundle.",
    ),
    "/api/v1/cases/{id}/bundles": {
      post: {
        summary: "Export a court bundle (a ZIP, streamed): the chosen exhibits, their custody leaves with inclusion proofs, a signed checkpoint, manifest.json, index.pdf and verify.html",
        description:
          "Refused with 409 `consent-missing` naming each exhibit whose party has not given (or has withdrawn) the consent this purpose needs (court: use-testimony; counsel: share-with-counsel), 409 `exhibit-missing` naming each exhibit whose file is gone from the store, 422 for a recipient that is not an age X25519 recipient, 503 `sealed` while the vault is sealed: in each case nothing is recorded. Otherwise an `exported` custody event per exhibit is committed before the first byte, and the bundle's checkpoint includes it. The bundle is never kept on the server.",
        security,
        parameters: [id],
        requestBody: { required: true, ...jsonInput(BundleRequestSchema) },
        responses: { "200": { description: "the bundle", content: { "application/zip": { schema: { type: "string", format: "binary" } } } }, ...write, "503": problem },
      },
    },
  };
}
