// Ownership and control: FtM Ownership (owner → asset, with a percentage) and Directorship
// (director → organisation) links between the records, walked as a graph. The walks are SQL over
// statements' ref_id index and only follow links the reader may see: the link's record, both ends,
// and the two statements that name them (see complicity-sql.ts). Values are read through the
// records service afterwards.
import { sql } from "kysely";
import { z } from "zod";
import type { Actor } from "../core/index.ts";
import type { Origin, Services, Tx } from "../context.ts";
import { parseInput } from "../accounts/index.ts";
import { loadRecord, viewEntities } from "../records/index.ts";
import { requireComplicityView } from "./complicity.ts";
import { DIRECTORSHIP_SCHEMATA, OWNERSHIP_SCHEMATA, readableStatement, visibleRecord } from "./complicity-sql.ts";

export const MAX_GRAPH_DEPTH = 4;
/** The most records a graph shows; past it the graph says it was cut. */
export const MAX_GRAPH_NODES = 150;

export type LinkKind = "ownership" | "directorship";

export interface GraphLink {
  /** The Ownership or Directorship record. */
  id: string;
  kind: LinkKind;
  /** Owner or director. */
  from: string;
  /** Asset or organisation. */
  to: string;
  percentage: string | null;
  role: string | null;
  startDate: string | null;
  endDate: string | null;
}

export interface GraphNode {
  id: string;
  schema: string;
  caption: string | null;
  countries: string[];
  /** Links from the centre, 0 for the centre. */
  distance: number;
  /** The organisation is the subject of a complicity finding the reader may see. */
  complicit: boolean;
}

export interface OwnershipGraph {
  centre: string;
  depth: number;
  nodes: GraphNode[];
  links: GraphLink[];
  /** More records were within reach than MAX_GRAPH_NODES. */
  truncated: boolean;
}

export const GraphQuerySchema = z.strictObject({
  depth: z.coerce.number().int().min(1, "at least 1").max(MAX_GRAPH_DEPTH, `at most ${MAX_GRAPH_DEPTH}`).default(2),
});

interface LinkRow {
  rel: string;
  schema: string;
  from_id: string;
  to_id: string;
}

const kindOf = (schema: string): LinkKind => (OWNERSHIP_SCHEMATA.includes(schema) ? "ownership" : "directorship");

/** Every visible ownership or directorship link touching any of `ids`, either way. */
async function linksTouching(db: Tx, actor: Actor, ids: readonly string[]): Promise<LinkRow[]> {
  if (ids.length === 0) return [];
  const schemata = [...OWNERSHIP_SCHEMATA, ...DIRECTORSHIP_SCHEMATA];
  const { rows } = await sql<LinkRow>`
    SELECT DISTINCT r.id AS rel, r.schema, f.ref_id AS from_id, t.ref_id AS to_id
      FROM statements a
      JOIN entities r ON r.id = a.entity_id
      JOIN statements f ON f.entity_id = r.id AND f.ref_id IS NOT NULL AND f.property IN ('owner', 'director')
      JOIN statements t ON t.entity_id = r.id AND t.ref_id IS NOT NULL AND t.property IN ('asset', 'organization')
      JOIN entities fe ON fe.id = f.ref_id
      JOIN entities te ON te.id = t.ref_id
     WHERE a.ref_id = ANY(${ids as string[]}::uuid[]) AND a.property IN ('owner', 'asset', 'director', 'organization')
       AND r.schema IN (${sql.join(schemata)})
       AND ((r.schema IN (${sql.join(OWNERSHIP_SCHEMATA)}) AND f.property = 'owner' AND t.property = 'asset')
         OR (r.schema IN (${sql.join(DIRECTORSHIP_SCHEMATA)}) AND f.property = 'director' AND t.property = 'organization'))
       AND ${readableStatement(actor, "a", "r")} AND ${readableStatement(actor, "f", "r")} AND ${readableStatement(actor, "t", "r")}
       AND ${visibleRecord(actor, "r")} AND ${visibleRecord(actor, "fe")} AND ${visibleRecord(actor, "te")}
       AND f.ref_id <> t.ref_id`.execute(db);
  return rows;
}

/** Which of `ids` are the organisation of a complicity finding the reader may see. */
export async function complicitAmong(db: Tx, actor: Actor, ids: readonly string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const { rows } = await sql<{ id: string }>`
    SELECT DISTINCT so.ref_id AS id
      FROM statements so JOIN entities c ON c.id = so.entity_id
     WHERE so.ref_id = ANY(${ids as string[]}::uuid[]) AND so.property = 'organization' AND c.schema = 'Complicity'
       AND ${visibleRecord(actor, "c")} AND ${readableStatement(actor, "so", "c")}`.execute(db);
  return new Set(rows.map((r) => r.id));
}

const first = (properties: Record<string, string[]> | undefined, name: string) => properties?.[name]?.[0] ?? null;

/**
 * The graph around a record, `depth` links out in both directions, breadth first: one query per
 * level, so a cycle (A owns B owns A) is met once and never walked again.
 */
export async function ownershipGraph(services: Services, origin: Origin, actor: Actor, centreId: string, raw: unknown = {}): Promise<OwnershipGraph> {
  await requireComplicityView(services, origin, actor);
  const { depth } = parseInput(GraphQuerySchema, raw);
  const centre = await loadRecord(services, actor, centreId);
  const distance = new Map<string, number>([[centre.row.id, 0]]);
  const links = new Map<string, LinkRow>();
  let frontier = [centre.row.id];
  let truncated = false;
  for (let level = 1; level <= depth && frontier.length > 0; level++) {
    const next: string[] = [];
    for (const row of await linksTouching(services.db, actor, frontier)) {
      for (const end of [row.from_id, row.to_id]) {
        if (distance.has(end)) continue;
        if (distance.size >= MAX_GRAPH_NODES) {
          truncated = true;
          continue;
        }
        distance.set(end, level);
        next.push(end);
      }
      if (distance.has(row.from_id) && distance.has(row.to_id)) links.set(`${row.rel}\u0000${row.from_id}\u0000${row.to_id}`, row);
    }
    frontier = next;
  }
  // Links among the last level's records, whose other end is already in the graph, are drawn too.
  for (const row of await linksTouching(services.db, actor, frontier)) {
    if (distance.has(row.from_id) && distance.has(row.to_id)) links.set(`${row.rel}\u0000${row.from_id}\u0000${row.to_id}`, row);
  }
  const ids = [...distance.keys()];
  const views = new Map((await viewEntities(services, actor, [...ids, ...new Set([...links.values()].map((l) => l.rel))])).map((v) => [v.id, v]));
  const complicit = await complicitAmong(services.db, actor, ids);
  const nodes: GraphNode[] = ids.filter((id) => views.has(id)).map((id) => {
    const v = views.get(id)!;
    return { id, schema: v.schema, caption: first(v.properties, "name"), countries: [...new Set([...(v.properties.country ?? []), ...(v.properties.jurisdiction ?? [])])], distance: distance.get(id)!, complicit: complicit.has(id) };
  });
  const shown = new Set(nodes.map((n) => n.id));
  const graphLinks: GraphLink[] = [...links.values()]
    .filter((l) => shown.has(l.from_id) && shown.has(l.to_id) && views.has(l.rel))
    .map((l) => {
      const p = views.get(l.rel)!.properties;
      return { id: l.rel, kind: kindOf(l.schema), from: l.from_id, to: l.to_id, percentage: first(p, "percentage"), role: first(p, "role"), startDate: first(p, "startDate") ?? first(p, "date"), endDate: first(p, "endDate") };
    })
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : a.from < b.from ? -1 : 1));
  nodes.sort((a, b) => a.distance - b.distance || (a.caption ?? "").localeCompare(b.caption ?? "") || (a.id < b.id ? -1 : 1));
  return { centre: centre.row.id, depth, nodes, links: graphLinks, truncated };
}

export interface OwnerPath {
  /** The record the walk started from (a supplier's matched record). */
  start: string;
  /** The record reached. */
  node: string;
  /** Records from start to node, both included. */
  path: string[];
  /** The Ownership records between them, one fewer than the path. */
  links: string[];
}

/**
 * Every owner of `starts` up to `hops` ownership links away, with the path to it, in one recursive
 * query. A path never visits a record twice, so a cycle in the ownership data ends the path there.
 * Starts are returned too, as paths of one record.
 */
export async function ownersUpTo(db: Tx, actor: Actor, starts: readonly string[], hops: number): Promise<OwnerPath[]> {
  if (starts.length === 0) return [];
  const { rows } = await sql<OwnerPath>`
    WITH RECURSIVE link AS (
      SELECT a.ref_id AS asset, o.ref_id AS owner, r.id AS rel
        FROM statements a
        JOIN entities r ON r.id = a.entity_id
        JOIN statements o ON o.entity_id = r.id AND o.property = 'owner' AND o.ref_id IS NOT NULL
        JOIN entities oe ON oe.id = o.ref_id
       WHERE a.property = 'asset' AND a.ref_id IS NOT NULL AND r.schema IN (${sql.join(OWNERSHIP_SCHEMATA)})
         AND ${readableStatement(actor, "a", "r")} AND ${readableStatement(actor, "o", "r")}
         AND ${visibleRecord(actor, "r")} AND ${visibleRecord(actor, "oe")}
    ), walk(start, node, path, links, depth) AS (
      SELECT s, s, ARRAY[s], ARRAY[]::uuid[], 0 FROM unnest(${starts as string[]}::uuid[]) AS s
      UNION ALL
      SELECT w.start, l.owner, w.path || l.owner, w.links || l.rel, w.depth + 1
        FROM walk w JOIN link l ON l.asset = w.node
       WHERE w.depth < ${hops} AND NOT (l.owner = ANY(w.path))
    )
    SELECT start, node, path, links FROM walk`.execute(db);
  return rows.map((r) => ({ start: r.start, node: r.node, path: pgArray(r.path), links: pgArray(r.links) }));
}

/** A uuid[] as the driver returns it: an array, or (for some drivers and types) its text form. */
function pgArray(value: unknown): string[] {
  if (Array.isArray(value)) return value.map(String);
  const text = String(value);
  return text === "{}" ? [] : text.slice(1, -1).split(",");
}

