// The complicity registry: organisations (companies, agencies, governments, universities) and the
// findings that they take part in the repression. A finding is a `Complicity` record (Vigil's
// schema): organisation, type of complicity (the complicity-types vocabulary), period, reliability,
// and the sources cited on its statements; evidence files are linked to it as to any record. So
// each finding has revisions, sensitivity and an access list, and this module only reads and lists.
import { sql } from "kysely";
import { z } from "zod";
import { can, Invalid, type Actor } from "../core/index.ts";
import type { Origin, Services } from "../context.ts";
import { requirePermission } from "../audit/index.ts";
import { parseInput } from "../accounts/index.ts";
import { captionsOf, createEntity, loadVocabularies, loadRecord, viewEntities, type EntityView } from "../records/index.ts";
import { readableStatement, visibleRecord } from "./complicity-sql.ts";

export const COMPLICITY_PAGE = 50;
const ORGANISATION_SCHEMATA = ["Organization", "Company", "PublicBody"];

export const ComplicityQuerySchema = z.strictObject({
  /** A term of the complicity-types vocabulary. */
  type: z.string().trim().max(64).optional().transform((v) => v || undefined),
  /** An ISO 3166-1 alpha-2 code (FtM's country values): the organisation's country or jurisdiction. */
  country: z.string().trim().toLowerCase().max(16).optional().transform((v) => v || undefined)
    .refine((v) => v === undefined || /^[a-z]{2}(-[a-z0-9]{1,8})?$/.test(v), "a country code such as cn or us"),
  page: z.coerce.number().int().min(1).max(10_000).default(1),
});
export type ComplicityQuery = z.infer<typeof ComplicityQuerySchema>;

export interface SourceRef {
  id: string;
  caption: string | null;
}

export interface ComplicityFinding {
  id: string;
  restricted: boolean;
  organization: { id: string; schema: string; caption: string | null; countries: string[] };
  types: string[];
  startDate: string | null;
  endDate: string | null;
  reliability: string | null;
  summary: string | null;
  /** The Source records cited on the finding's statements that the reader may see. */
  sources: SourceRef[];
  /** Evidence files linked to the finding (0 for a reader who may not see evidence). */
  evidence: number;
}

export interface ComplicityRegistry {
  findings: ComplicityFinding[];
  page: number;
  more: boolean;
  filter: { type: string | null; country: string | null };
}

export async function requireComplicityView(services: Services, origin: Origin, actor: Actor): Promise<void> {
  await requirePermission(services, origin, can(actor, "complicity.view", { kind: "records", orgId: actor.orgId }), actor, "complicity.view", { type: "entity", id: null });
}

const first = (view: EntityView, property: string) => view.properties[property]?.[0] ?? null;

/** The findings with these ids, in this order, as the reader may see them. */
async function findingsOf(services: Services, actor: Actor, rows: readonly { finding: string; organization: string }[]): Promise<ComplicityFinding[]> {
  const views = new Map((await viewEntities(services, actor, [...new Set(rows.flatMap((r) => [r.finding, r.organization]))])).map((v) => [v.id, v]));
  const sourceIds = [...new Set([...views.values()].filter((v) => v.schema === "Complicity").flatMap((v) => v.statements.map((s) => s.source).filter((s): s is string => s !== null)))];
  const captions = await captionsOf(services, actor, sourceIds);
  const findingIds = rows.map((r) => r.finding);
  const evidence = new Map<string, number>();
  if (findingIds.length > 0 && can(actor, "evidence.view", { kind: "evidence", orgId: actor.orgId })) {
    const counts = await services.db.selectFrom("evidence_links").select(["entity_id", (eb) => eb.fn.countAll<number>().as("n")])
      .where("org_id", "=", actor.orgId).where("entity_id", "in", findingIds).where("unlinked_at", "is", null).groupBy("entity_id").execute();
    for (const c of counts) evidence.set(c.entity_id, Number(c.n));
  }
  const out: ComplicityFinding[] = [];
  for (const row of rows) {
    const finding = views.get(row.finding);
    const organization = views.get(row.organization);
    // Either may have become invisible or archived since the ids were read.
    if (!finding || !organization) continue;
    const sources = [...new Set(finding.statements.map((s) => s.source).filter((s): s is string => s !== null))]
      .filter((id) => captions.has(id)).map((id) => ({ id, caption: captions.get(id)!.caption }));
    out.push({
      id: finding.id,
      restricted: finding.restricted,
      organization: { id: organization.id, schema: organization.schema, caption: first(organization, "name"), countries: [...new Set([...(organization.properties.country ?? []), ...(organization.properties.jurisdiction ?? [])])] },
      types: finding.properties.complicityType ?? [],
      startDate: first(finding, "startDate") ?? first(finding, "date"),
      endDate: first(finding, "endDate"),
      reliability: first(finding, "reliability"),
      summary: first(finding, "summary") ?? first(finding, "description"),
      sources,
      evidence: evidence.get(finding.id) ?? 0,
    });
  }
  return out;
}

/**
 * The registry: every finding the reader may see whose organisation they may see too, newest change
 * first, filtered by type and by the organisation's country. Filters read only values the reader
 * may read, so a filter never reveals a restricted value.
 */
export async function listComplicity(services: Services, origin: Origin, actor: Actor, raw: unknown): Promise<ComplicityRegistry> {
  await requireComplicityView(services, origin, actor);
  const query = parseInput(ComplicityQuerySchema, raw);
  const offset = (query.page - 1) * COMPLICITY_PAGE;
  const typeFilter = query.type === undefined ? sql`` : sql`AND EXISTS (SELECT 1 FROM statements st WHERE st.entity_id = c.id AND st.property = 'complicityType' AND st.value = ${query.type} AND ${readableStatement(actor, "st", "c")})`;
  const countryFilter = query.country === undefined ? sql`` : sql`AND EXISTS (SELECT 1 FROM statements sc WHERE sc.entity_id = o.id AND sc.property IN ('country', 'jurisdiction', 'mainCountry') AND lower(sc.value) = ${query.country} AND ${readableStatement(actor, "sc", "o")})`;
  const { rows } = await sql<{ finding: string; organization: string }>`
    SELECT c.id AS finding, o.id AS organization
      FROM entities c
      JOIN statements so ON so.entity_id = c.id AND so.property = 'organization' AND so.ref_id IS NOT NULL
      JOIN entities o ON o.id = so.ref_id
     WHERE c.schema = 'Complicity' AND ${visibleRecord(actor, "c")} AND ${visibleRecord(actor, "o")} AND ${readableStatement(actor, "so", "c")}
       ${typeFilter} ${countryFilter}
     ORDER BY c.updated_at DESC, c.id, o.id
     LIMIT ${COMPLICITY_PAGE + 1} OFFSET ${offset}`.execute(services.db);
  return {
    findings: await findingsOf(services, actor, rows.slice(0, COMPLICITY_PAGE)),
    page: query.page,
    more: rows.length > COMPLICITY_PAGE,
    filter: { type: query.type ?? null, country: query.country ?? null },
  };
}

/** The findings about one organisation (its record page's panel). */
export async function complicityOf(services: Services, origin: Origin, actor: Actor, organizationId: string): Promise<ComplicityFinding[]> {
  await requireComplicityView(services, origin, actor);
  const record = await loadRecord(services, actor, organizationId);
  const { rows } = await sql<{ finding: string; organization: string }>`
    SELECT c.id AS finding, so.ref_id AS organization
      FROM statements so
      JOIN entities c ON c.id = so.entity_id
     WHERE so.ref_id = ${record.row.id} AND so.property = 'organization' AND c.schema = 'Complicity'
       AND ${visibleRecord(actor, "c")} AND ${readableStatement(actor, "so", "c")}
     ORDER BY c.updated_at DESC, c.id
     LIMIT 200`.execute(services.db);
  return findingsOf(services, actor, rows);
}

/** The findings about each of these organisations (the evidence at the end of a supplier's path). */
export async function findingsAbout(services: Services, actor: Actor, organizationIds: readonly string[]): Promise<Map<string, ComplicityFinding[]>> {
  const out = new Map<string, ComplicityFinding[]>();
  if (organizationIds.length === 0) return out;
  const { rows } = await sql<{ finding: string; organization: string }>`
    SELECT c.id AS finding, so.ref_id AS organization
      FROM statements so
      JOIN entities c ON c.id = so.entity_id
     WHERE so.ref_id = ANY(${organizationIds as string[]}::uuid[]) AND so.property = 'organization' AND c.schema = 'Complicity'
       AND ${visibleRecord(actor, "c")} AND ${readableStatement(actor, "so", "c")}
     ORDER BY c.updated_at DESC, c.id`.execute(services.db);
  for (const f of await findingsOf(services, actor, rows)) (out.get(f.organization.id) ?? out.set(f.organization.id, []).get(f.organization.id)!).push(f);
  return out;
}

export const ComplicityCreateSchema = z.strictObject({
  organization: z.uuid("the id of an organisation's record"),
  complicityType: z.string().trim().min(1, "choose a type of complicity").max(64),
  startDate: z.string().trim().max(32).optional().transform((v) => v || undefined),
  endDate: z.string().trim().max(32).optional().transform((v) => v || undefined),
  reliability: z.string().trim().max(64).optional().transform((v) => v || undefined),
  summary: z.string().trim().max(4000).optional().transform((v) => v || undefined),
  /** The Source record that supports the finding: cited on each of its statements. */
  source: z.uuid("the id of a Source record").optional().or(z.literal("").transform(() => undefined)),
  sensitivity: z.enum(["public", "internal", "restricted"]).default("internal"),
  restricted: z.boolean().default(false),
});
export type ComplicityCreate = z.infer<typeof ComplicityCreateSchema>;

/**
 * Records a finding: a Complicity record created through the records service (which checks the
 * author may write records, the organisation exists and is visible to them, the vocabulary term and
 * the dates), every statement citing the source. Only an organisation can be its subject.
 */
export async function recordComplicity(services: Services, origin: Origin, actor: Actor, raw: unknown): Promise<EntityView> {
  const input = parseInput(ComplicityCreateSchema, raw);
  const organization = await loadRecord(services, actor, input.organization).catch(() => {
    throw new Invalid("no such organisation", { organization: "no such organisation" });
  });
  if (!ORGANISATION_SCHEMATA.includes(organization.row.schema)) throw new Invalid("a finding is about an organisation, a company or a public body", { organization: "not an organisation" });
  const vocabularies = await loadVocabularies(services.db, actor.orgId);
  if (!vocabularies.terms("complicity-types").some((t) => t.code === input.complicityType && !t.retired)) throw new Invalid("choose a type of complicity", { complicityType: "not a type of complicity" });
  const value = (v: string) => ({ value: v, sensitivity: input.sensitivity, ...(input.source ? { source: input.source } : {}) });
  const properties: Record<string, ReturnType<typeof value>[]> = {
    organization: [value(organization.row.id)],
    complicityType: [value(input.complicityType)],
  };
  for (const key of ["startDate", "endDate", "reliability", "summary"] as const) if (input[key]) properties[key] = [value(input[key])];
  return createEntity(services, origin, actor, { schema: "Complicity", properties, restricted: input.restricted });
}
