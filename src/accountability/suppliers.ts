// Supply-chain screening: a company's supplier list against the complicity registry, the
// organisation's watch lists, and (through a pluggable matcher) sanctions and entity lists. Each
// supplier is matched to the records by the names engine's bulk screening; from every record a
// supplier matched, ownership is followed upward up to N hops in one recursive query; a supplier is
// reported when it, or an owner on the way, is a registered organisation, a member of a watch list
// or on a list — with the path (supplier → owner → owner…) and the evidence at its end.
import { sql } from "kysely";
import { z } from "zod";
import { can, Invalid, type Actor, type FieldErrors } from "../core/index.ts";
import type { Origin, Services, Tx } from "../context.ts";
import { requirePermission } from "../audit/index.ts";
import { parseInput } from "../accounts/index.ts";
import { DEFAULT_THRESHOLD, type EntitySchema } from "../names/index.ts";
import { captionsOf, viewEntities } from "../records/index.ts";
import { DEFAULT_LIST, listLists, prepareQuery, screenPrepared, type PreparedQuery } from "../screening/index.ts";
import { findingsAbout, type ComplicityFinding } from "./complicity.ts";
import { complicitAmong, ownersUpTo, type OwnerPath } from "./ownership.ts";
import { decodeSupplierFile, parseSupplierFile, type SupplierRow } from "./suppliers-csv.ts";

export const DEFAULT_HOPS = 3;
export const MAX_HOPS = 6;
/** Records a supplier may match (the best ones at or above the threshold). */
const MATCHES_PER_SUPPLIER = 3;

// ---------------------------------------------------------------------------------------------
// Lists beyond the organisation's records: the pluggable matcher

/** A name to look up on a list: a supplier's, or an owner's reached through ownership. */
export interface ListQuery {
  name: string;
  /** ISO 3166 code, when known. */
  country: string | null;
  schema: EntitySchema;
}

/** An entry of a list (a sanctions list, the UFLPA Entity List…) that a query matched. */
export interface ListEntryMatch {
  /** Index of the query in the batch. */
  query: number;
  list: string;
  /** Who keeps the list: US, UK, EU… */
  jurisdiction: string | null;
  caption: string;
  score: number;
}

/**
 * Matches names against lists kept outside the records. Sanctions and entity-list imports provide
 * one (`matchListEntries(tx, actor, queries)`); registered at start with `registerListMatcher`.
 */
export type ListMatcher = (tx: Tx, actor: Actor, queries: readonly ListQuery[]) => Promise<ListEntryMatch[]>;

const listMatchers = new Map<string, ListMatcher>();

/** Registers (or, under the same name, replaces) a list matcher that every supplier screening uses. */
export function registerListMatcher(name: string, matcher: ListMatcher): void {
  listMatchers.set(name, matcher);
}

export function unregisterListMatcher(name: string): void {
  listMatchers.delete(name);
}

// ---------------------------------------------------------------------------------------------
// Input and report

export const SupplierScreenSchema = z.strictObject({
  nameColumn: z.string().trim().max(200).optional(),
  addressColumn: z.string().trim().max(200).optional(),
  countryColumn: z.string().trim().max(200).optional(),
  hops: z.coerce.number().int("a whole number").min(0, "at least 0").max(MAX_HOPS, `at most ${MAX_HOPS}`).default(DEFAULT_HOPS),
  threshold: z.coerce.number().min(0, "from 0 to 1").max(1, "from 0 to 1").default(DEFAULT_THRESHOLD),
  /** Names of the organisation's own lists to treat as watch lists. */
  lists: z.array(z.string().trim().min(1).max(64)).max(20).default([]),
});
export type SupplierScreenOptions = z.input<typeof SupplierScreenSchema>;

export interface PathStep {
  id: string;
  schema: string;
  caption: string | null;
}

export type FindingReason =
  | { kind: "complicity"; findings: ComplicityFinding[] }
  | { kind: "watch-list"; list: string; title: string }
  | { kind: "list"; list: string; jurisdiction: string | null; entry: string; score: number };

export interface SupplierFinding {
  line: number;
  supplier: Pick<SupplierRow, "name" | "address" | "country">;
  /** The record the supplier matched, and how well; null when the supplier's own name is on a list. */
  matched: { id: string; caption: string | null; score: number } | null;
  /** Records from the matched one to the one the reason is about (one record: a direct match). */
  path: PathStep[];
  /** The Ownership records between them. */
  links: { id: string; percentage: string | null }[];
  /** Ownership links between the supplier's record and the record at the end. */
  hops: number;
  reason: FindingReason;
}

export interface SupplierReport {
  suppliers: number;
  /** Suppliers with at least one finding. */
  flagged: number;
  findings: SupplierFinding[];
  rejected: { line: number; reason: string }[];
  /** Lines whose country was not recognised (screened without it). */
  unknownCountries: number[];
  columns: { name: string; address: string | null; country: string | null };
  hops: number;
  threshold: number;
  lists: string[];
}

export async function requireSupplierScreening(services: Services, origin: Origin, actor: Actor): Promise<void> {
  await requirePermission(services, origin, can(actor, "suppliers.screen", { kind: "records", orgId: actor.orgId }), actor, "suppliers.screen", { type: "entity", id: null });
}

/** Records are read through the records service in slices, well under a query's parameter limit. */
const SLICE = 5000;

async function captionsIn(services: Services, actor: Actor, ids: readonly string[]) {
  const out = new Map<string, { schema: string; caption: string | null }>();
  for (let i = 0; i < ids.length; i += SLICE) {
    for (const [id, c] of await captionsOf(services, actor, ids.slice(i, i + SLICE))) out.set(id, { schema: c.schema, caption: c.caption });
  }
  return out;
}

/** What the percentages of the ownership links on paths say, read through the records service. */
async function linkPercentages(services: Services, actor: Actor, ids: readonly string[]): Promise<Map<string, string | null>> {
  const out = new Map<string, string | null>();
  for (let i = 0; i < ids.length; i += SLICE) {
    for (const v of await viewEntities(services, actor, ids.slice(i, i + SLICE))) out.set(v.id, v.properties.percentage?.[0] ?? null);
  }
  return out;
}

/**
 * Screens a supplier list. `file` is the uploaded bytes (checked to be UTF-8) or text already read.
 * Permission first, then the options, then the file: a refusal reveals nothing of how a file is read.
 */
export async function screenSuppliers(services: Services, origin: Origin, actor: Actor, file: Uint8Array | string, raw: unknown = {}): Promise<SupplierReport> {
  await requireSupplierScreening(services, origin, actor);
  const options = parseInput(SupplierScreenSchema, raw);
  const watchLists = await resolveLists(services, origin, actor, options.lists);
  const text = typeof file === "string" ? file : decodeSupplierFile(file);
  const parsed = parseSupplierFile(text, { name: options.nameColumn, address: options.addressColumn, country: options.countryColumn });
  const rejected = [...parsed.rejected];
  const unknownCountries: number[] = [];
  const accepted: { row: SupplierRow; query: PreparedQuery }[] = [];
  for (const row of parsed.suppliers) {
    if (row.country && !row.countryCode) unknownCountries.push(row.line);
    const errors: FieldErrors = {};
    const properties: Record<string, string[]> = { name: [row.name], ...(row.countryCode ? { country: [row.countryCode] } : {}) };
    const query = prepareQuery({ schema: "Company", properties }, "row", errors);
    if (!query) rejected.push({ line: row.line, reason: Object.values(errors)[0] ?? "the row has no name to match" });
    else accepted.push({ row, query });
  }
  rejected.sort((a, b) => a.line - b.line);

  // 1. The names engine's bulk screening: each supplier against the records the caller may see.
  const matches = await screenPrepared(services, actor, accepted.map((a) => a.query), { list: DEFAULT_LIST, threshold: options.threshold, limit: MATCHES_PER_SUPPLIER });
  const matchedOf = accepted.map((_, i) => matches[i]!.results.filter((r) => r.result.match));
  const starts = [...new Set(matchedOf.flatMap((m) => m.map((r) => r.id)))];

  // 2. Ownership upward from every matched record, in one recursive query.
  const paths = await ownersUpTo(services.db, actor, starts, options.hops);
  const pathsFrom = new Map<string, OwnerPath[]>();
  for (const p of paths) (pathsFrom.get(p.start) ?? pathsFrom.set(p.start, []).get(p.start)!).push(p);
  const nodes = [...new Set(paths.map((p) => p.node))];

  // 3. Which records reached are registered, on a watch list, or (by name) on an outside list.
  const complicit = await complicitAmong(services.db, actor, nodes);
  const onWatchList = await watchListMembers(services.db, watchLists.map((l) => l.id), nodes);
  // Outside lists are asked about every record reached, by name; without a matcher, no name is read.
  const nodeCaptions = listMatchers.size > 0 ? await captionsIn(services, actor, nodes) : new Map<string, { schema: string; caption: string | null }>();
  const listed = await outsideListMatches(services, actor, accepted.map((a) => a.row), nodes.map((id) => ({ id, caption: nodeCaptions.get(id)?.caption ?? null, schema: nodeCaptions.get(id)?.schema ?? "Company" })));

  const findings: SupplierFinding[] = [];
  const evidenceFor = await findingsAbout(services, actor, [...complicit]);
  const linkIds = new Set<string>();
  accepted.forEach(({ row }, i) => {
    const supplier = { name: row.name, address: row.address, country: row.country };
    for (const entry of listed.direct.get(i) ?? []) {
      findings.push({ line: row.line, supplier, matched: null, path: [], links: [], hops: 0, reason: { kind: "list", list: entry.list, jurisdiction: entry.jurisdiction, entry: entry.caption, score: entry.score } });
    }
    for (const match of matchedOf[i]!) {
      // The shortest path to each record reached: a record is reported once per supplier and record.
      const best = new Map<string, OwnerPath>();
      for (const p of pathsFrom.get(match.id) ?? []) if (!best.has(p.node) || best.get(p.node)!.path.length > p.path.length) best.set(p.node, p);
      for (const p of [...best.values()].sort((a, b) => a.path.length - b.path.length || (a.node < b.node ? -1 : 1))) {
        const reasons: FindingReason[] = [];
        if (complicit.has(p.node)) reasons.push({ kind: "complicity", findings: evidenceFor.get(p.node) ?? [] });
        for (const list of onWatchList.get(p.node) ?? []) {
          const l = watchLists.find((w) => w.id === list)!;
          reasons.push({ kind: "watch-list", list: l.name, title: l.title });
        }
        for (const entry of listed.byNode.get(p.node) ?? []) {
          // The supplier's own name already found this entry: the matched record's name adds nothing.
          if (p.links.length === 0 && (listed.direct.get(i) ?? []).some((d) => d.list === entry.list && d.caption === entry.caption)) continue;
          reasons.push({ kind: "list", list: entry.list, jurisdiction: entry.jurisdiction, entry: entry.caption, score: entry.score });
        }
        for (const reason of reasons) {
          p.links.forEach((l) => linkIds.add(l));
          findings.push({
            line: row.line,
            supplier,
            matched: { id: match.id, caption: match.caption, score: match.result.score },
            path: p.path.map((id) => ({ id, schema: "", caption: null })),
            links: p.links.map((id) => ({ id, percentage: null })),
            hops: p.links.length,
            reason,
          });
        }
      }
    }
  });
  const percentages = await linkPercentages(services, actor, [...linkIds]);
  const captions = await captionsIn(services, actor, [...new Set(findings.flatMap((f) => f.path.map((step) => step.id)))]);
  for (const f of findings) {
    f.links = f.links.map((l) => ({ id: l.id, percentage: percentages.get(l.id) ?? null }));
    f.path = f.path.map((step) => ({ id: step.id, schema: captions.get(step.id)?.schema ?? "", caption: captions.get(step.id)?.caption ?? null }));
  }
  return {
    suppliers: parsed.suppliers.length,
    flagged: new Set(findings.map((f) => f.line)).size,
    findings,
    rejected,
    unknownCountries,
    columns: parsed.columns,
    hops: options.hops,
    threshold: options.threshold,
    lists: watchLists.map((l) => l.name),
  };
}

async function resolveLists(services: Services, origin: Origin, actor: Actor, names: readonly string[]): Promise<{ id: string; name: string; title: string }[]> {
  if (names.length === 0) return [];
  const lists = await listLists(services, origin, actor);
  return [...new Set(names)].map((name) => {
    const list = lists.find((l) => l.name === name && !l.archived);
    if (!list) throw new Invalid(`no list named "${name.slice(0, 64)}"`, { lists: `no list named "${name.slice(0, 64)}"` });
    return { id: list.id, name: list.name, title: list.title };
  });
}

/** For each record among `nodes`, the watch lists (ids) it is a current member of. */
async function watchListMembers(db: Tx, listIds: readonly string[], nodes: readonly string[]): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  if (listIds.length === 0 || nodes.length === 0) return out;
  const { rows } = await sql<{ entity_id: string; list_id: string }>`
    SELECT m.entity_id, m.list_id FROM entity_list_members m
     WHERE m.list_id = ANY(${listIds as string[]}::uuid[]) AND m.entity_id = ANY(${nodes as string[]}::uuid[]) AND m.removed_at IS NULL`.execute(db);
  for (const r of rows) (out.get(r.entity_id) ?? out.set(r.entity_id, []).get(r.entity_id)!).push(r.list_id);
  return out;
}

/** The registered list matchers, asked once for every supplier and every record reached. */
async function outsideListMatches(services: Services, actor: Actor, suppliers: readonly SupplierRow[], nodes: readonly { id: string; caption: string | null; schema: string }[]) {
  const direct = new Map<number, ListEntryMatch[]>();
  const byNode = new Map<string, ListEntryMatch[]>();
  if (listMatchers.size === 0) return { direct, byNode };
  const named = nodes.filter((n): n is { id: string; caption: string; schema: string } => n.caption !== null);
  const queries: ListQuery[] = [
    ...suppliers.map((s) => ({ name: s.name, country: s.countryCode, schema: "Company" as EntitySchema })),
    ...named.map((n) => ({ name: n.caption, country: null, schema: n.schema as EntitySchema })),
  ];
  for (const matcher of listMatchers.values()) {
    for (const m of await matcher(services.db, actor, queries)) {
      if (m.query < suppliers.length) (direct.get(m.query) ?? direct.set(m.query, []).get(m.query)!).push(m);
      else {
        const node = named[m.query - suppliers.length];
        if (node) (byNode.get(node.id) ?? byNode.set(node.id, []).get(node.id)!).push(m);
      }
    }
  }
  return { direct, byNode };
}
