// The OpenAPI paths of officials, units, responsibility maps and referral dossiers (src/accountability), from the zod schemas the services parse with.
import { z } from "zod";
import {
  DOSSIER_OUTCOMES, DOSSIER_STATUSES, DossierCreateSchema, DossierEventSchema, DossierFieldsSchema, DossierUpdateSchema, ParentUnitSchema, PostCreateSchema, ReviewSchema,
} from "../accountability/index.ts";

type Content = (schema: z.ZodType) => Record<string, unknown>;

const Ref = z.object({ id: z.uuid(), name: z.string().nullable() });

const CareerEntry = z.object({
  occupancy: z.uuid().meta({ description: "the Occupancy record" }),
  position: z.object({ id: z.uuid(), name: z.string().nullable(), country: z.array(z.string()), subnationalArea: z.array(z.string()) }).nullable(),
  unit: z.object({ id: z.uuid(), name: z.string().nullable(), schema: z.string() }).nullable(),
  unitChain: z.array(Ref).meta({ description: "the units above the post's unit, top first" }),
  startDate: z.string().nullable().meta({ description: "EDTF, as written" }),
  endDate: z.string().nullable(),
  earliest: z.string().meta({ description: "YYYY-MM-DD: the first day the post may have begun (0000-01-01 when unknown)" }),
  latest: z.string().meta({ description: "YYYY-MM-DD: the last day it may have lasted to (9999-12-31 when unknown or ongoing)" }),
  certainFrom: z.string().nullable(),
  certainTo: z.string().nullable(),
  sources: z.array(z.uuid()),
});

const Review = z.object({ id: z.uuid(), decision: z.enum(["confirmed", "dismissed", "reopened"]), reason: z.string(), actorId: z.uuid().nullable(), actorName: z.string().nullable(), createdAt: z.string() });

const Link = z.object({
  key: z.string().meta({ description: "`basis:record`: 'direct', 'organisation' or the Occupancy's id, then the Incident's or Detention's id; what a review names" }),
  kind: z.enum(["incident", "detention"]),
  basis: z.enum(["direct", "command", "organisation"]),
  record: z.object({ id: z.uuid(), schema: z.string(), name: z.string().nullable(), date: z.string().nullable(), earliest: z.string().nullable(), latest: z.string().nullable(), violations: z.array(z.string()), restricted: z.boolean() }),
  via: z.enum(["involvement", "officials", "place", "agency"]),
  role: z.string().nullable(),
  post: z.object({ occupancyId: z.uuid(), positionId: z.uuid().nullable(), positionName: z.string().nullable(), start: z.string().nullable(), end: z.string().nullable() }).nullable(),
  chain: z.array(Ref).meta({ description: "from the post's unit down to the unit where it happened" }),
  place: Ref.nullable(),
  overlap: z.enum(["certain", "possible"]).nullable(),
  overlapFrom: z.string().nullable(),
  overlapTo: z.string().nullable(),
  sources: z.array(Ref),
  gravity: z.number().int(),
  review: Review.nullable().meta({ description: "the current decision; null when none (or undone)" }),
  history: z.array(Review).meta({ description: "every decision, oldest first" }),
});

const MapSchema = z.object({ subject: z.object({ id: z.uuid(), schema: z.string(), name: z.string().nullable() }), career: z.array(CareerEntry), direct: z.array(Link), command: z.array(Link) });

const Unit = z.object({
  id: z.uuid(),
  schema: z.string(),
  name: z.string().nullable(),
  revision: z.number().int(),
  above: z.array(Ref).meta({ description: "top first" }),
  below: z.array(z.object({ id: z.uuid(), name: z.string().nullable(), schema: z.string(), chain: z.array(Ref) })),
  places: z.array(z.object({ id: z.uuid(), name: z.string().nullable(), unit: z.uuid(), chain: z.array(Ref) })),
});

const Event = z.object({
  id: z.uuid(),
  kind: z.enum(["drafted", "edited", "submitted", "outcome", "status", "exported"]),
  recipient: z.string(),
  date: z.string().nullable(),
  outcome: z.enum(DOSSIER_OUTCOMES).nullable(),
  summary: z.string(),
  details: z.record(z.string(), z.unknown()),
  statusFrom: z.enum(DOSSIER_STATUSES).nullable(),
  statusTo: z.enum(DOSSIER_STATUSES).nullable(),
  actorId: z.uuid().nullable(),
  actorName: z.string().nullable(),
  createdAt: z.string(),
});

const Dossier = z.object({
  id: z.uuid(),
  reference: z.string(),
  subjectId: z.uuid(),
  subjectSchema: z.string(),
  status: z.enum(DOSSIER_STATUSES),
  fields: DossierFieldsSchema,
  revision: z.number().int(),
  createdBy: z.uuid().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
  events: z.array(Event).meta({ description: "oldest first" }),
});

const DossierSummary = z.object({ id: z.uuid(), reference: z.string(), subjectId: z.uuid(), title: z.string(), status: z.enum(DOSSIER_STATUSES), updatedAt: z.string() });

export function officialsPaths(json: Content, jsonInput: Content, problem: Record<string, unknown>) {
  const security = [{ bearer: [] }];
  const id = { name: "id", in: "path", required: true, schema: { type: "string", format: "uuid" } };
  const read = { "401": problem, "403": problem, "404": problem };
  const write = { "400": problem, "401": problem, "403": problem, "404": problem, "409": problem, "413": problem, "415": problem, "422": problem };
  const binary = (type: string, description: string) => ({ description, content: { [type]: { schema: { type: "string", format: "binary" } } } });
  return {
    "/api/v1/officials": {
      get: { summary: "People who held a post the caller may see, by name", security, responses: { "200": { description: "the officials", ...json(z.object({ items: z.array(z.object({ id: z.uuid(), name: z.string().nullable(), posts: z.number().int() })) })) }, ...read } },
    },
    "/api/v1/officials/{id}": {
      get: {
        summary: "An official's (a Person's) or an organisation's career and responsibility map",
        description:
          "Direct links: incidents naming them as alleged perpetrator or responsible authority (Involvement), detentions naming them among the officials. Command links: incidents and detentions at places operated by (Address.operator) or carried out by (Detention.agency, Involvement) the post's unit or any unit under it (Organization.parentUnit), whose dates meet the post's (EDTF ranges: `certain` when wholly inside what the post's dates surely cover). Only records and values the caller may read make a link.",
        security,
        parameters: [id],
        responses: { "200": { description: "the map", ...json(MapSchema) }, ...read },
      },
    },
    "/api/v1/officials/{id}/posts": {
      post: {
        summary: "Record a post the person held: a new Position (title, unit, jurisdiction) or an existing one, and its Occupancy (EDTF from and to), in one transaction (those who document)",
        security,
        parameters: [id],
        requestBody: { required: true, ...jsonInput(PostCreateSchema) },
        responses: { "201": { description: "the person's career", ...json(z.object({ career: z.array(CareerEntry) })) }, ...write },
      },
    },
    "/api/v1/officials/{id}/reviews": {
      post: {
        summary: "Confirm, dismiss or reopen a link of the map (those who document); a dismissal and a reopening need a reason; append-only and audited",
        security,
        parameters: [id],
        requestBody: { required: true, ...jsonInput(ReviewSchema) },
        responses: { "201": { description: "the link with its decision", ...json(Link) }, ...write },
      },
    },
    "/api/v1/units/{id}": {
      get: { summary: "A unit's place in the hierarchy: the units above it, the units and facilities under it", security, parameters: [id], responses: { "200": { description: "the unit", ...json(Unit) }, ...read } },
    },
    "/api/v1/units/{id}/parent": {
      post: {
        summary: "Place a unit under another, or at the top (null); a cycle is refused with 422",
        security,
        parameters: [id],
        requestBody: { required: true, ...jsonInput(ParentUnitSchema) },
        responses: { "200": { description: "the unit", ...json(Unit) }, ...write },
      },
    },
    "/api/v1/dossiers": {
      get: {
        summary: "Referral dossiers, most recently changed first; those about a restricted record only for who may know of it",
        security,
        parameters: [
          { name: "subject", in: "query", required: false, schema: { type: "string", format: "uuid" } },
          { name: "status", in: "query", required: false, schema: { type: "string", enum: [...DOSSIER_STATUSES] } },
          { name: "limit", in: "query", required: false, schema: { type: "integer", minimum: 1, maximum: 200, default: 50 } },
        ],
        responses: { "200": { description: "the dossiers", ...json(z.object({ items: z.array(DossierSummary) })) }, ...read, "422": problem },
      },
      post: { summary: "Draft a referral dossier about a person or an organisation (administrators and editors)", security, requestBody: { required: true, ...jsonInput(DossierCreateSchema) }, responses: { "201": { description: "the dossier", ...json(Dossier) }, ...write } },
    },
    "/api/v1/dossiers/{id}": {
      get: { summary: "A dossier with its history", security, parameters: [id], responses: { "200": { description: "the dossier", ...json(Dossier) }, ...read } },
      patch: {
        summary: "Edit the dossier's fields from the revision read (a stale revision is refused with 409); each edit is kept in the history",
        security,
        parameters: [id],
        requestBody: { required: true, ...jsonInput(DossierUpdateSchema) },
        responses: { "200": { description: "the dossier", ...json(Dossier) }, ...write },
      },
    },
    "/api/v1/dossiers/{id}/events": {
      post: { summary: "Record a submission (to whom, when), an outcome, or a status change", security, parameters: [id], requestBody: { required: true, ...jsonInput(DossierEventSchema) }, responses: { "201": { description: "the dossier", ...json(Dossier) }, ...write } },
    },
    "/api/v1/dossiers/{id}/pdf": {
      get: { summary: "The dossier as a PDF, read from the records now (an export, in the history)", security, parameters: [id], responses: { "200": binary("application/pdf", "the PDF"), ...read, "422": problem, "503": problem } },
    },
    "/api/v1/dossiers/{id}/odt": {
      get: { summary: "The dossier as an editable OpenDocument Text file (an export, in the history)", security, parameters: [id], responses: { "200": binary("application/vnd.oasis.opendocument.text", "the .odt file"), ...read, "422": problem } },
    },
    "/api/v1/dossiers/{id}/package": {
      get: {
        summary: "A ZIP of the PDF, the .odt, the decrypted exhibits and a manifest of their SHA-256; refused with 503 while the vault is sealed; every exhibit is an `exported` custody-ledger event",
        security,
        parameters: [id],
        responses: { "200": binary("application/zip", "the package"), ...read, "422": problem, "503": problem },
      },
    },
  };
}
