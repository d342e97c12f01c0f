// The OpenAPI paths of the complicity registry, the ownership graph and supplier screening (src/accountability).
import { z } from "zod";
import { DEFAULT_HOPS, MAX_GRAPH_DEPTH, MAX_HOPS } from "../accountability/index.ts";

type Content = (schema: z.ZodType) => Record<string, unknown>;

const Finding = z.object({
  id: z.uuid().meta({ description: "the Complicity record" }),
  restricted: z.boolean(),
  organization: z.object({ id: z.uuid(), schema: z.string(), caption: z.string().nullable(), countries: z.array(z.string()) }),
  types: z.array(z.string()).meta({ description: "complicity-types codes" }),
  startDate: z.string().nullable().meta({ description: "EDTF" }),
  endDate: z.string().nullable(),
  reliability: z.string().nullable(),
  summary: z.string().nullable(),
  sources: z.array(z.object({ id: z.uuid(), caption: z.string().nullable() })).meta({ description: "Source records cited on the finding's statements that the caller may see" }),
  evidence: z.number().int().meta({ description: "evidence files linked to the finding (0 for a caller who may not see evidence)" }),
});

const Graph = z.object({
  centre: z.uuid(),
  depth: z.number().int(),
  nodes: z.array(z.object({ id: z.uuid(), schema: z.string(), caption: z.string().nullable(), countries: z.array(z.string()), distance: z.number().int(), complicit: z.boolean() })),
  links: z.array(z.object({
    id: z.uuid().meta({ description: "the Ownership or Directorship record" }),
    kind: z.enum(["ownership", "directorship"]),
    from: z.uuid().meta({ description: "owner or director" }),
    to: z.uuid().meta({ description: "asset or organisation" }),
    percentage: z.string().nullable(),
    role: z.string().nullable(),
    startDate: z.string().nullable(),
    endDate: z.string().nullable(),
  })),
  truncated: z.boolean(),
});

const Step = z.object({ id: z.uuid(), schema: z.string(), caption: z.string().nullable() });
const Reason = z.union([
  z.object({ kind: z.literal("complicity"), findings: z.array(Finding) }),
  z.object({ kind: z.literal("watch-list"), list: z.string(), title: z.string() }),
  z.object({ kind: z.literal("list"), list: z.string(), jurisdiction: z.string().nullable(), entry: z.string(), score: z.number() }),
]);

const Report = z.object({
  suppliers: z.number().int(),
  flagged: z.number().int().meta({ description: "suppliers with at least one finding" }),
  findings: z.array(z.object({
    line: z.number().int(),
    supplier: z.object({ name: z.string(), address: z.string().nullable(), country: z.string().nullable() }),
    matched: z.object({ id: z.uuid(), caption: z.string().nullable(), score: z.number() }).nullable().meta({ description: "the record the supplier matched; null when the supplier's own name is on an outside list" }),
    path: z.array(Step).meta({ description: "from the matched record up through its owners to the one the reason is about" }),
    links: z.array(z.object({ id: z.uuid(), percentage: z.string().nullable() })),
    hops: z.number().int(),
    reason: Reason,
  })),
  rejected: z.array(z.object({ line: z.number().int(), reason: z.string() })),
  unknownCountries: z.array(z.number().int()),
  columns: z.object({ name: z.string(), address: z.string().nullable(), country: z.string().nullable() }),
  hops: z.number().int(),
  threshold: z.number(),
  lists: z.array(z.string()),
});

export function complicityPaths(json: Content, problem: Record<string, unknown>) {
  const security = [{ bearer: [] }];
  const query = (name: string, description: string, schema: object) => ({ name, in: "query", required: false, description, schema });
  const read = { "401": problem, "403": problem, "404": problem, "422": problem };
  return {
    "/api/v1/complicity": {
      get: {
        summary: "The complicity registry: findings the caller may see about organisations it may see, most recently changed first",
        security,
        parameters: [
          query("type", "a complicity-types code", { type: "string" }),
          query("country", "the organisation's country or jurisdiction, ISO 3166-1 alpha-2", { type: "string" }),
          query("page", "from 1; 50 findings per page", { type: "integer", minimum: 1, default: 1 }),
        ],
        responses: { "200": { description: "the findings", ...json(z.object({ items: z.array(Finding), page: z.number().int(), more: z.boolean() })) }, ...read },
      },
    },
    "/api/v1/complicity/graph/{id}": {
      get: {
        summary: "Ownership (owner → asset, with percentage) and directorship (director → organisation) links around a record, breadth first; links and records the caller may not see are left out",
        security,
        parameters: [{ name: "id", in: "path", required: true, schema: { type: "string", format: "uuid" } }, query("depth", "links to follow from the centre", { type: "integer", minimum: 1, maximum: MAX_GRAPH_DEPTH, default: 2 })],
        responses: { "200": { description: "the graph", ...json(Graph) }, ...read },
      },
    },
    "/api/v1/suppliers/screen": {
      post: {
        summary: "Screen a supplier list (CSV, UTF-8, with a header row) against the complicity registry, watch lists and outside lists, directly or through ownership",
        description: "Each supplier is matched to the records by the names engine; ownership is followed upward from every matched record. `Accept: text/csv` returns the report as CSV.",
        security,
        parameters: [
          query("nameColumn", "the header of the column holding the supplier's name (recognised by default: name, supplier, company…)", { type: "string" }),
          query("addressColumn", "the header of the address column", { type: "string" }),
          query("countryColumn", "the header of the country column (a code or an English name)", { type: "string" }),
          query("hops", "ownership links to follow", { type: "integer", minimum: 0, maximum: MAX_HOPS, default: DEFAULT_HOPS }),
          query("threshold", "the names engine's match threshold", { type: "number", minimum: 0, maximum: 1 }),
          query("list", "a named list of the organisation to use as a watch list (repeat for several)", { type: "array", items: { type: "string" } }),
        ],
        requestBody: { required: true, content: { "text/csv": { schema: { type: "string" } } } },
        responses: {
          "200": { description: "the report", ...json(Report), },
          "400": problem, "401": problem, "403": problem, "413": problem, "415": problem, "422": problem,
        },
      },
    },
  };
}
