// The OpenAPI paths of urgent actions (src/monitor/urgent-*.ts), from the zod schemas the services parse with.
import { z } from "zod";
import {
  AddresseeArchiveSchema, AddresseeSchema, FACT_PLACEHOLDERS, TemplateSaveSchema, URGENT_CHANNELS, URGENT_LANGUAGES, URGENT_STATUSES, UrgentEventSchema, UrgentGenerateSchema,
  UrgentRegenerateSchema,
} from "../monitor/index.ts";

type Content = (schema: z.ZodType) => Record<string, unknown>;

const Language = z.enum(URGENT_LANGUAGES).meta({ description: "en: English; ug: Uyghur (Arabic script, right to left); zh: Simplified Chinese" });
const Status = z.enum(URGENT_STATUSES);
const Sensitive = z.object({ fact: z.enum(FACT_PLACEHOLDERS), sensitivity: z.enum(["restricted", "secret"]) });

const Block = z.union([
  z.object({ kind: z.literal("heading"), text: z.string() }),
  z.object({ kind: z.literal("paragraph"), text: z.string().meta({ description: "plain text; a newline is a line break" }) }),
  z.object({ kind: z.literal("list"), name: z.enum(["concerns", "requests"]), items: z.array(z.string()) }),
  z.object({ kind: z.literal("addressees") }).meta({ description: "where the addressees' postal blocks go" }),
]);

const DocumentSchema = z.object({
  language: Language,
  subject: z.string(),
  blocks: z.array(Block).meta({ description: "the document, plain text in blocks: whoever draws it escapes it" }),
  addressees: z.array(z.object({ id: z.uuid(), name: z.string(), title: z.string(), organisation: z.string(), postalAddress: z.string(), email: z.string(), fax: z.string(), salutation: z.string() })).meta({ description: "as they were when the version was made" }),
  facts: z.record(z.string(), z.array(z.string())).meta({ description: "the facts read from the case that went in, by placeholder" }),
  omitted: z.array(Sensitive).meta({ description: "restricted or secret facts left out (the author may read them; they were not included)" }),
  included: z.array(Sensitive).meta({ description: "restricted or secret facts the author chose to include in a document meant to leave Vigil" }),
  reference: z.string(),
  generatedAt: z.string(),
});

const VersionSummary = z.object({ version: z.number().int(), language: Language, createdAt: z.string(), createdBy: z.uuid().nullable(), includesRestricted: z.boolean(), includesSecret: z.boolean() });

const EventSchema = z.object({
  id: z.uuid(),
  kind: z.enum(["sent", "response", "status"]),
  addressee: z.object({ id: z.uuid(), name: z.string() }).nullable(),
  channel: z.enum(URGENT_CHANNELS).nullable(),
  date: z.string().nullable().meta({ description: "YYYY-MM-DD: when it was sent or received" }),
  summary: z.string(),
  evidenceUrl: z.string().nullable(),
  statusFrom: Status.nullable(),
  statusTo: Status.nullable().meta({ description: "set when the event changed the status" }),
  actorId: z.uuid().nullable(),
  actorName: z.string().nullable(),
  createdAt: z.string(),
});

const ActionSchema = z.object({
  id: z.uuid(),
  detention: z.uuid(),
  status: Status,
  createdAt: z.string(),
  updatedAt: z.string(),
  createdBy: z.uuid().nullable(),
  latestVersion: z.number().int(),
  versions: z.array(VersionSummary).meta({ description: "newest first" }),
  version: VersionSummary.extend({
    templateVersion: z.number().int().meta({ description: "0: the template shipped with Vigil" }),
    addressees: z.array(z.uuid()),
    document: DocumentSchema,
    mailto: z.string().nullable().meta({ description: "a mailto: link with the whole text, or null when the text is too long for one" }),
  }),
  events: z.array(EventSchema).meta({ description: "oldest first" }),
});

const ActionSummary = z.object({ id: z.uuid(), detention: z.uuid(), status: Status, subject: z.string(), language: Language, latestVersion: z.number().int(), updatedAt: z.string() });

const AddresseeOut = z.object({
  id: z.uuid(),
  name: z.string(),
  title: z.string(),
  organisation: z.string(),
  postalAddress: z.string(),
  email: z.string(),
  fax: z.string(),
  salutation: z.string(),
  language: Language,
  createdAt: z.string(),
  updatedAt: z.string(),
  archived: z.object({ at: z.string(), reason: z.string() }).nullable(),
});

const TemplateOut = z.object({
  language: Language,
  version: z.number().int().meta({ description: "0: the default shipped with Vigil" }),
  isDefault: z.boolean(),
  subject: z.string(),
  body: z.string(),
  concerns: z.array(z.string()),
  requests: z.array(z.string()),
  reason: z.string().nullable(),
  authorId: z.uuid().nullable(),
  createdAt: z.string().nullable(),
});

const SYNTAX =
  "Placeholders: {{name}} puts a value in (a missing one reads [unknown]); {{#name}}…{{/name}} keeps what is between only when the value exists, {{^name}}…{{/name}} only when it does not; a paragraph that is only {{concerns}}, {{requests}} or {{addressees}} becomes a list or the addressees' blocks; a line starting with ## is a heading. Nothing else is interpreted, and everything is escaped where it is drawn. " +
  `Names: ${[...FACT_PLACEHOLDERS, "concerns", "requests", "addressees", "salutation", "organisation", "date", "reference"].join(", ")}.`;

export function urgentPaths(json: Content, jsonInput: Content, problem: Record<string, unknown>) {
  const security = [{ bearer: [] }];
  const id = { name: "id", in: "path", required: true, schema: { type: "string", format: "uuid" } };
  const language = { name: "language", in: "path", required: true, schema: { type: "string", enum: [...URGENT_LANGUAGES] } };
  const version = { name: "version", in: "query", required: false, description: "a version number; the latest by default", schema: { type: "integer", minimum: 1 } };
  const read = { "401": problem, "403": problem, "404": problem, "422": problem };
  const write = { "400": problem, "401": problem, "403": problem, "404": problem, "409": problem, "413": problem, "415": problem, "422": problem };
  return {
    "/api/v1/urgent-actions": {
      get: {
        summary: "Urgent actions, most recently changed first; those of a restricted detention only for who may read it",
        security,
        parameters: [
          { name: "detention", in: "query", required: false, schema: { type: "string", format: "uuid" } },
          { name: "status", in: "query", required: false, schema: { type: "string", enum: [...URGENT_STATUSES] } },
          { name: "limit", in: "query", required: false, schema: { type: "integer", minimum: 1, maximum: 200, default: 50 } },
        ],
        responses: { "200": { description: "the actions", ...json(z.object({ items: z.array(ActionSummary) })) }, ...read },
      },
      post: {
        summary: "Generate an urgent action from a Detention (administrators and editors)",
        description:
          "Reads the case's facts as the caller may read them: the person's names (the one in the document's language first), the detention's start date, facility, agency and stated grounds, the latest status with its date, facility and sentence, and the treatment reported. Restricted values (and every value of a restricted case) are left out unless `includeRestricted` is true; secret values unless `includeSecret` is true (each reading audited, the vault unsealed). The document is meant to leave Vigil: the version records what was included.",
        security,
        requestBody: { required: true, ...jsonInput(UrgentGenerateSchema) },
        responses: { "201": { description: "the action and its first version", ...json(ActionSchema) }, ...write, "503": problem },
      },
    },
    "/api/v1/urgent-actions/{id}": {
      get: { summary: "An urgent action with one of its versions and its tracking log", security, parameters: [id, version], responses: { "200": { description: "the action", ...json(ActionSchema) }, ...read } },
    },
    "/api/v1/urgent-actions/{id}/versions": {
      post: {
        summary: "Generate a new version from the case as it stands now (older versions are kept); refused for a closed action",
        security,
        parameters: [id],
        requestBody: { required: true, ...jsonInput(UrgentRegenerateSchema) },
        responses: { "201": { description: "the action with its new version", ...json(ActionSchema) }, ...write, "503": problem },
      },
    },
    "/api/v1/urgent-actions/{id}/events": {
      post: {
        summary: "Record a letter or email sent, a response received, or a status change (administrators and editors)",
        description: "A first `sent` makes a draft sent; a `response` makes it responded. `status` to sent needs something sent, to responded a response, to draft nothing sent; a closed action takes no more letters or responses until it is reopened.",
        security,
        parameters: [id],
        requestBody: { required: true, ...jsonInput(UrgentEventSchema) },
        responses: { "201": { description: "the action with its log", ...json(ActionSchema) }, ...write },
      },
    },
    "/api/v1/urgent-actions/{id}/pdf": {
      get: {
        summary: "The version as a printable PDF (A4), drawn by headless Chromium with scripts off and no network",
        security,
        parameters: [id, version],
        responses: {
          "200": { description: "the PDF", content: { "application/pdf": { schema: { type: "string", format: "binary" } } } },
          ...read,
          "503": { ...problem, description: "no browser on this server: the printable page (/urgent-actions/{id}/print) still works" },
        },
      },
    },
    "/api/v1/urgent-actions/{id}/email": {
      get: {
        summary: "The version as an email draft (.eml, X-Unsent: 1) addressed to the addressees' email addresses",
        security,
        parameters: [id, version],
        responses: { "200": { description: "an RFC 5322 message", content: { "message/rfc822": { schema: { type: "string", format: "binary" } } } }, ...read },
      },
    },
    "/api/v1/urgent-addressees": {
      get: {
        summary: "The authorities the organisation writes to",
        security,
        parameters: [{ name: "archived", in: "query", required: false, schema: { type: "string", enum: ["exclude", "include", "only"], default: "exclude" } }],
        responses: { "200": { description: "the addressees", ...json(z.object({ items: z.array(AddresseeOut) })) }, ...read },
      },
      post: { summary: "Add an addressee (administrators and editors)", security, requestBody: { required: true, ...jsonInput(AddresseeSchema) }, responses: { "201": { description: "the addressee", ...json(AddresseeOut) }, ...write } },
    },
    "/api/v1/urgent-addressees/{id}": {
      get: { summary: "One addressee", security, parameters: [id], responses: { "200": { description: "the addressee", ...json(AddresseeOut) }, ...read } },
      patch: {
        summary: "Change an addressee: the fields sent replace theirs, the others stay (administrators and editors); an archived one is not changed",
        security,
        parameters: [id],
        requestBody: { required: true, ...jsonInput(AddresseeSchema.partial()) },
        responses: { "200": { description: "the addressee", ...json(AddresseeOut) }, ...write },
      },
    },
    "/api/v1/urgent-addressees/{id}/archive": {
      post: { summary: "Archive an addressee with a reason: it is no longer offered, and older actions still name it", security, parameters: [id], requestBody: { required: true, ...jsonInput(AddresseeArchiveSchema) }, responses: { "200": { description: "the addressee", ...json(AddresseeOut) }, ...write } },
    },
    "/api/v1/urgent-templates": {
      get: { summary: "The template in use in each language", security, responses: { "200": { description: "the templates", ...json(z.object({ items: z.array(TemplateOut) })) }, ...read } },
    },
    "/api/v1/urgent-templates/{language}": {
      get: { summary: "The template in use in a language, or an older version", security, parameters: [language, version], responses: { "200": { description: "the template", ...json(TemplateOut) }, ...read } },
      post: {
        summary: "Save a new version of a template (administrators)",
        description: `${SYNTAX} \`baseVersion\` is the version edited (0 for the default): a save over a newer version is refused with 409.`,
        security,
        parameters: [language],
        requestBody: { required: true, ...jsonInput(TemplateSaveSchema) },
        responses: { "201": { description: "the template, as now in use", ...json(TemplateOut) }, ...write },
      },
    },
    "/api/v1/urgent-templates/{language}/history": {
      get: {
        summary: "Every saved version of a template, newest first",
        security,
        parameters: [language],
        responses: { "200": { description: "the versions", ...json(z.object({ items: z.array(z.object({ version: z.number().int(), reason: z.string(), authorId: z.uuid().nullable(), authorName: z.string().nullable(), createdAt: z.string() })) })) }, ...read },
      },
    },
  };
}
