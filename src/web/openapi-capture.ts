// The OpenAPI paths of evidence linked to records and of web captures, from the zod schemas the
// services parse with.
import { z } from "zod";
import { CaptureInputSchema, CaptureSettingsSchema } from "../capture/index.ts";
import { LinkEvidenceSchema, UnlinkEvidenceSchema } from "../evidence/index.ts";

type Content = (schema: z.ZodType) => Record<string, unknown>;

export const EvidenceLinkSchema = z.object({
  id: z.uuid(),
  evidence: z.uuid(),
  entity: z.uuid(),
  reason: z.string().meta({ description: "why the item supports the record" }),
  linkedBy: z.uuid().nullable(),
  linkedAt: z.string(),
  ledgerIndex: z.number().int().meta({ description: "leaf of the \"linked\" event on the item in the custody log" }),
  unlinked: z
    .object({ at: z.string(), by: z.uuid().nullable(), reason: z.string(), ledgerIndex: z.number().int().meta({ description: "leaf of the \"unlinked\" event" }) })
    .nullable()
    .meta({ description: "set once the link is withdrawn; links are never deleted" }),
});

const ROLES = ["warc", "screenshot", "html", "text"] as const;

export const CaptureResultSchema = z.object({
  id: z.uuid(),
  source: z.uuid().meta({ description: "the Source record the files are linked to" }),
  createdSource: z.boolean().meta({ description: "whether the capture made the Source (from the page's title, address and publication date)" }),
  url: z.string(),
  finalUrl: z.string().meta({ description: "after redirects" }),
  status: z.number().int().meta({ description: "the HTTP status the page answered with; a 404 page is kept too" }),
  capturedAt: z.string(),
  resources: z.number().int().meta({ description: "HTTP exchanges recorded in the WARC" }),
  refused: z.number().int().meta({ description: "requests refused: private addresses, other schemes" }),
  artifacts: z.array(
    z.object({
      role: z.enum(ROLES).meta({ description: "warc: every request and response (WARC 1.1); screenshot: the whole page (PNG); html: the DOM after scripts; text: the visible text (absent when the page has none)" }),
      id: z.uuid(),
      sha256: z.string().meta({ description: "SHA-256 of the stored age file" }),
      size: z.number().int(),
      mediaType: z.string(),
      ledgerIndex: z.number().int().meta({ description: "leaf of the item's \"captured\" event" }),
    }),
  ),
});

export const CaptureViewSchema = z.object({
  id: z.uuid(),
  sourceId: z.uuid(),
  capturedAt: z.string(),
  status: z.number().int(),
  resources: z.number().int(),
  refused: z.number().int(),
  artifacts: z.array(z.object({ role: z.enum(ROLES), evidenceId: z.uuid() })),
});

const SettingsOutSchema = z.object({ allowPrivateAddresses: z.boolean(), updatedAt: z.string().nullable() });

export function captureAndLinkPaths(json: Content, jsonInput: Content, problem: Record<string, unknown>, evidenceSummary: z.ZodType) {
  const security = [{ bearer: [] }];
  const id = { name: "id", in: "path", required: true, schema: { type: "string", format: "uuid" } };
  const withdrawn = { name: "withdrawn", in: "query", required: false, description: "`include`: withdrawn links too", schema: { type: "string", enum: ["include"] } };
  const read = { "401": problem, "403": problem, "404": problem };
  return {
    "/api/v1/entities/{id}/evidence": {
      get: {
        summary: "The evidence linked to a record, newest link first; a record the caller may not know of is not found",
        security,
        parameters: [id, withdrawn],
        responses: { "200": { description: "the links and their items", ...json(z.object({ items: z.array(z.object({ link: EvidenceLinkSchema, evidence: evidenceSummary })) })) }, ...read },
      },
      post: {
        summary: "Receive one file straight onto a record: the item, its \"received\" and \"linked\" events commit together or not at all",
        description: "The same bodies as POST /api/v1/evidence (raw with X-Filename, or multipart). The caller must be allowed to upload and to edit the record; both are checked before the body is read.",
        security,
        parameters: [id, { name: "X-Filename", in: "header", required: false, description: "the file's name, percent-encoded UTF-8 (required for a raw body)", schema: { type: "string" } }],
        requestBody: {
          required: true,
          content: {
            "application/octet-stream": { schema: { type: "string", format: "binary" } },
            "multipart/form-data": { schema: { type: "object", properties: { file: { type: "string", format: "binary" } }, required: ["file"] } },
          },
        },
        responses: {
          "201": {
            description: "received and linked",
            ...json(z.object({ id: z.uuid(), sha256: z.string(), size: z.number().int(), mediaType: z.string(), ledgerIndex: z.number().int(), link: EvidenceLinkSchema })),
          },
          ...read,
          "409": { ...problem, description: "the record was merged into another, the organisation has no keys, or they changed during the upload" },
          "413": problem,
          "422": problem,
        },
      },
    },
    "/api/v1/entities/{id}/evidence-links": {
      post: {
        summary: "Link an item already in the vault to a record, with the reason; a custody-ledger \"linked\" event and an audit event",
        security,
        parameters: [id],
        requestBody: { required: true, ...jsonInput(LinkEvidenceSchema) },
        responses: { "201": { description: "the link", ...json(EvidenceLinkSchema) }, ...read, "409": { ...problem, description: "already linked, or the record was merged" }, "415": problem, "422": problem },
      },
    },
    "/api/v1/evidence-links/{id}/unlink": {
      post: {
        summary: "Withdraw a link, with the reason; the link stays in the record's history and the item can be linked again",
        security,
        parameters: [id],
        requestBody: { required: true, ...jsonInput(UnlinkEvidenceSchema) },
        responses: { "200": { description: "the withdrawn link", ...json(EvidenceLinkSchema) }, ...read, "409": { ...problem, description: "already withdrawn" }, "415": problem, "422": problem },
      },
    },
    "/api/v1/evidence/{id}/links": {
      get: {
        summary: "The records an item is linked to, among those the caller may know of (the others are left out, uncounted)",
        security,
        parameters: [id, withdrawn],
        responses: { "200": { description: "the links", ...json(z.object({ links: z.array(EvidenceLinkSchema.extend({ schema: z.string() })) })) }, ...read },
      },
    },
    "/api/v1/captures": {
      post: {
        summary: "Capture a web page: WARC, full-page screenshot, rendered HTML and text, each a \"captured\" item linked to a Source",
        description:
          "Answers when the capture is done (up to VIGIL_CAPTURE_TIMEOUT_SECONDS). Only http and https; the host is resolved by Vigil and every address checked: private, loopback, link-local and unique-local addresses are refused unless an administrator allows them, cloud metadata addresses always; every redirect and subresource is checked the same way. A refused, failed, timed-out or oversized capture writes nothing.",
        security,
        requestBody: { required: true, ...jsonInput(CaptureInputSchema) },
        responses: {
          "201": { description: "the capture and its files", ...json(CaptureResultSchema) },
          ...read,
          "409": { ...problem, description: "the organisation has no keys yet, or the Source is archived or merged" },
          "413": { ...problem, description: "urn:vigil:problem:capture-too-large: larger than VIGIL_CAPTURE_MAX_BYTES" },
          "415": problem,
          "422": { ...problem, description: "urn:vigil:problem:capture-refused (a scheme, credentials or an address captures may not reach), capture-unreachable (no such name), or invalid input" },
          "429": { ...problem, description: "other captures are running" },
          "502": { ...problem, description: "urn:vigil:problem:capture-failed: the site refused or broke the connection" },
          "504": { ...problem, description: "urn:vigil:problem:capture-timeout: the page did not finish loading in time" },
        },
      },
    },
    "/api/v1/captures/{id}": {
      get: {
        summary: "One capture: its Source, time, status and files",
        security,
        parameters: [id],
        responses: { "200": { description: "the capture", ...json(CaptureViewSchema) }, ...read },
      },
    },
    "/api/v1/captures/settings": {
      get: {
        summary: "Whether captures may reach private addresses (those who document, and administrators)",
        security,
        responses: { "200": { description: "the settings", ...json(SettingsOutSchema) }, "401": problem, "403": problem },
      },
      post: {
        summary: "Allow or refuse private addresses for this organisation's captures (administrators; audited)",
        security,
        requestBody: { required: true, ...jsonInput(CaptureSettingsSchema) },
        responses: { "200": { description: "the settings", ...json(SettingsOutSchema) }, "401": problem, "403": problem, "415": problem, "422": problem },
      },
    },
  };
}
