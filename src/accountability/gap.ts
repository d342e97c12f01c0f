// The gap table: officials ranked by their documented responsibility (how many incidents, how
// grave) beside where they are and are not sanctioned — the advocacy list ("sanctioned by the US,
// not by the EU or the UK"). Officials are the people the caller may see who are recorded as
// involved in an incident or have a confirmed match on a list.
import { sql } from "kysely";
import { z } from "zod";
import { csvLine, type Actor } from "../core/index.ts";
import type { Origin, Services } from "../context.ts";
import { parseInput } from "../accounts/index.ts";
import { captionsOf, visibleIds } from "../records/index.ts";
import { documentedResponsibility } from "./responsibility.ts";
import { JURISDICTIONS, requireSanctions, type Jurisdiction } from "./lists.ts";
import { sanctionsStatusOf, type JurisdictionStatus } from "./sanctions-match.ts";

/** The most officials the table considers at once. */
export const MAX_GAP_OFFICIALS = 5000;
export const GAP_PAGE = 100;
/** The columns when the organisation has no list yet. */
const DEFAULT_COLUMNS: Jurisdiction[] = ["US", "UK", "EU", "CA", "AU"];

const Jurisdictions = z.preprocess(
  (v) => (typeof v === "string" ? v.split(",").map((s) => s.trim()).filter((s) => s !== "") : v),
  z.array(z.enum(JURISDICTIONS, `one of ${JURISDICTIONS.join(", ")}`)).max(JURISDICTIONS.length),
);

export const GapQuerySchema = z.strictObject({
  /** The jurisdictions compared (the table's columns). Default: those of the organisation's lists. */
  jurisdictions: Jurisdictions.optional(),
  /** Only officials not sanctioned by every one of these. */
  notBy: Jurisdictions.optional(),
  /** Only officials sanctioned by every one of these. */
  by: Jurisdictions.optional(),
  /** Only officials with a gap: not sanctioned by at least one of the columns. */
  gapsOnly: z.preprocess((v) => v === "true" || v === "1" || v === true, z.boolean()).default(false),
  minGravity: z.coerce.number().int().min(0, "0 or more").max(1_000_000).default(0),
  q: z.string().trim().max(200, "at most 200 characters").optional(),
  page: z.coerce.number().int().min(1).max(10_000).default(1),
});
export type GapQuery = z.infer<typeof GapQuerySchema>;

export interface GapRow {
  person: { id: string; caption: string | null };
  direct: number;
  command: number;
  gravity: number;
  status: Record<Jurisdiction, JurisdictionStatus>;
  sanctionedBy: Jurisdiction[];
  notSanctionedBy: Jurisdiction[];
  lists: { name: string; title: string; programs: string[]; delisted: boolean }[];
}

export interface GapTable {
  jurisdictions: Jurisdiction[];
  rows: GapRow[];
  total: number;
  page: number;
  /** More officials than MAX_GAP_OFFICIALS: the table covers the first ones found. */
  truncated: boolean;
}

async function officials(services: Services, actor: Actor): Promise<{ ids: string[]; truncated: boolean }> {
  const { rows } = await sql<{ id: string }>`
    SELECT DISTINCT o.id FROM (
      SELECT s.ref_id AS id FROM statements s JOIN entities i ON i.id = s.entity_id AND i.schema = 'Involvement' AND i.archived_at IS NULL
        WHERE i.org_id = ${actor.orgId}::uuid AND s.property = 'participant' AND s.retracted_at IS NULL AND s.ref_id IS NOT NULL
      UNION
      SELECT s.ref_id AS id FROM statements s JOIN entities p ON p.id = s.entity_id AND p.schema = 'Occupancy' AND p.archived_at IS NULL
        WHERE p.org_id = ${actor.orgId}::uuid AND s.property = 'holder' AND s.retracted_at IS NULL AND s.ref_id IS NOT NULL
      UNION
      SELECT m.entity_id AS id FROM sanctions_matches m WHERE m.org_id = ${actor.orgId}::uuid AND m.status = 'confirmed'
    ) o
    JOIN entities e ON e.id = o.id AND e.schema = 'Person' AND e.archived_at IS NULL
    ORDER BY o.id LIMIT ${MAX_GAP_OFFICIALS + 1}`.execute(services.db);
  const visible = await visibleIds(services.db, actor, rows.slice(0, MAX_GAP_OFFICIALS).map((r) => r.id));
  return { ids: rows.slice(0, MAX_GAP_OFFICIALS).map((r) => r.id).filter((id) => visible.has(id)), truncated: rows.length > MAX_GAP_OFFICIALS };
}

async function defaultColumns(services: Services, actor: Actor): Promise<Jurisdiction[]> {
  const lists = await services.db.selectFrom("sanctions_lists").select("jurisdictions").where("org_id", "=", actor.orgId).execute();
  const used = new Set(lists.flatMap((l) => l.jurisdictions));
  const columns = JURISDICTIONS.filter((j) => used.has(j));
  return columns.length > 0 ? [...new Set([...columns, ...DEFAULT_COLUMNS.filter((j) => j === "US" || j === "UK" || j === "EU")])].sort((a, b) => JURISDICTIONS.indexOf(a) - JURISDICTIONS.indexOf(b)) : DEFAULT_COLUMNS;
}

/** Every row that matches the filters, ranked (no paging): the table, its CSV and its printable page. */
async function allRows(services: Services, actor: Actor, query: GapQuery): Promise<{ jurisdictions: Jurisdiction[]; rows: GapRow[]; truncated: boolean }> {
  const jurisdictions = query.jurisdictions && query.jurisdictions.length > 0 ? query.jurisdictions : await defaultColumns(services, actor);
  const { ids, truncated } = await officials(services, actor);
  const rows: GapRow[] = [];
  for (let i = 0; i < ids.length; i += 500) {
    const batch = ids.slice(i, i + 500);
    const [responsibility, status, captions] = [await documentedResponsibility(services, actor, batch), await sanctionsStatusOf(services.db, actor, batch), await captionsOf(services, actor, batch)];
    for (const id of batch) {
      const r = responsibility.get(id) ?? { direct: 0, command: 0, gravity: 0 };
      const s = status.get(id)!;
      rows.push({
        person: { id, caption: captions.get(id)?.caption ?? null },
        ...r,
        status: s.byJurisdiction,
        sanctionedBy: jurisdictions.filter((j) => s.byJurisdiction[j] === "sanctioned"),
        notSanctionedBy: jurisdictions.filter((j) => s.byJurisdiction[j] !== "sanctioned"),
        lists: s.lists,
      });
    }
  }
  const q = query.q?.toLowerCase();
  const kept = rows.filter((r) =>
    r.gravity >= query.minGravity &&
    (!query.gapsOnly || r.notSanctionedBy.length > 0) &&
    (!query.notBy || query.notBy.length === 0 || query.notBy.some((j) => r.status[j] !== "sanctioned")) &&
    (!query.by || query.by.every((j) => r.status[j] === "sanctioned")) &&
    (!q || (r.person.caption ?? "").toLowerCase().includes(q)));
  kept.sort((a, b) => b.gravity - a.gravity || b.direct + b.command - (a.direct + a.command) || (a.person.caption ?? "").localeCompare(b.person.caption ?? "") || (a.person.id < b.person.id ? -1 : 1));
  return { jurisdictions, rows: kept, truncated };
}

export async function gapTable(services: Services, origin: Origin, actor: Actor, raw: unknown): Promise<GapTable> {
  await requireSanctions(services, origin, actor, "sanctions.view");
  const query = parseInput(GapQuerySchema, raw);
  const all = await allRows(services, actor, query);
  return { jurisdictions: all.jurisdictions, rows: all.rows.slice((query.page - 1) * GAP_PAGE, query.page * GAP_PAGE), total: all.rows.length, page: query.page, truncated: all.truncated };
}

/** The whole filtered table (no paging), for the printable page. */
export async function gapTableAll(services: Services, origin: Origin, actor: Actor, raw: unknown): Promise<Omit<GapTable, "page">> {
  await requireSanctions(services, origin, actor, "sanctions.view");
  const query = parseInput(GapQuerySchema, raw);
  const all = await allRows(services, actor, query);
  return { ...all, total: all.rows.length };
}

/** "sanctioned by the US, not by the EU or the UK" — the row's gap in words (English; pages translate their own). */
export function gapSentence(row: Pick<GapRow, "sanctionedBy" | "notSanctionedBy">): string {
  const by = row.sanctionedBy.join(", ");
  const not = row.notSanctionedBy.join(" or ");
  if (row.sanctionedBy.length === 0) return not ? `not sanctioned by ${not}` : "not sanctioned";
  return not ? `sanctioned by ${by}, not by ${not}` : `sanctioned by ${by}`;
}

export async function gapCsv(services: Services, origin: Origin, actor: Actor, raw: unknown): Promise<string> {
  const table = await gapTableAll(services, origin, actor, raw);
  const header = ["rank", "person_id", "name", "incidents_direct", "incidents_command", "gravity", ...table.jurisdictions.map((j) => `status_${j}`), "sanctioned_by", "not_sanctioned_by", "lists", "gap"];
  const lines = table.rows.map((r, i) => [
    i + 1, r.person.id, r.person.caption ?? "", r.direct, r.command, r.gravity, ...table.jurisdictions.map((j) => r.status[j]),
    r.sanctionedBy.join(";"), r.notSanctionedBy.join(";"), r.lists.map((l) => l.name).join(";"), gapSentence(r),
  ]);
  return [header, ...lines].map((cells) => csvLine(cells.map((c) => (typeof c === "string" && /^[=+\-@\t\r]/.test(c) ? `'${c}` : c)))).join("");
}
