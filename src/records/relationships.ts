// Relationships between records. FtM models a relationship as a record of its own (an edge schema:
// Involvement, Membership, Employment, Occupancy, Family…) whose entity properties point at its
// ends; a record may also point at another directly (an incident's place). Both are statements
// with a ref_id, so both directions are index lookups.
import { sql } from "kysely";
import { z } from "zod";
import { can, Invalid, type Actor } from "../core/index.ts";
import type { Origin, Services, Tx } from "../context.ts";
import type { StatementRow } from "../db/index.ts";
import { requirePermission } from "../audit/index.ts";
import { parseInput } from "../accounts/index.ts";
import { anyRecord, loadRecord, onAccessListOf, recordSubject, visibleTo } from "./access.ts";
import { findSchema, schemaAndDescendants } from "./model.ts";
import { liveStatements, readableBy } from "./statements.ts";

/** A record at the other end of a relationship, in a few words. */
export interface RecordSummary {
  id: string;
  schema: string;
  /** The first value of the schema's caption properties that the reader may see (a name, an address). */
  caption: string | null;
  archived: boolean;
}

/** A relationship record (an Involvement, a Membership…) that points at the record through `property`. */
export interface EdgeView {
  relationship: RecordSummary & { properties: Record<string, string[]> };
  /** The property of the relationship that names this record: participant, member, relative… */
  property: string;
  /** The relationship's other ends. */
  others: { property: string; record: RecordSummary }[];
}

/** A direct link: this record's property pointing at another (outgoing), or another's at it (incoming). */
export interface LinkView {
  direction: "outgoing" | "incoming";
  property: string;
  record: RecordSummary;
}

export interface RelationshipsView {
  edges: EdgeView[];
  links: LinkView[];
  /** More relationships than the limit exist; ask with a larger one (up to 1,000). */
  truncated: boolean;
}

export const RelationshipsQuerySchema = z.strictObject({
  limit: z.coerce.number().int().min(1).max(1000).default(200),
  /** Relationships whose record is archived are left out unless asked for. */
  archived: z.enum(["exclude", "include"]).default("exclude"),
});

// ---------------------------------------------------------------------------------------------
// Rules checked when a relationship is written

/** The message when a relationship's two ends are one record. */
function selfLoopMessage(schema: string): string {
  if (schema === "Family") return "a person cannot be their own relative";
  if (schema === "Membership") return "an organisation cannot be a member of itself";
  if (schema === "Associate") return "a person cannot be their own associate";
  return "the two ends of a relationship must be different records";
}

/**
 * Refuses relationships that make no sense: the same record at both ends of an edge (a person their
 * own relative), and a Membership that would make an organisation its own ancestor. `values` are
 * the relationship's property values as they will stand after the write. Only memberships the actor
 * may see are followed, so the refusal never tells of a record hidden from them.
 */
export async function checkRelationshipRules(db: Tx, actor: Actor, schemaName: string, values: ReadonlyMap<string, readonly string[]>, selfId: string): Promise<void> {
  const schema = findSchema(schemaName)!;
  const parents = values.get("parentUnit") ?? [];
  if (schema.isA("Organization") && parents.length > 0) {
    const message = "a unit cannot be placed under itself or under one of its own subordinate units: that would make a cycle in the chain of command";
    for (const parent of parents) {
      if (parent === selfId || (await isAboveUnit(db, actor, selfId, parent))) throw new Invalid(message, { "properties.parentUnit": message });
    }
  }
  const edge = schema.edge;
  if (!edge?.source || !edge.target) return;
  const sources = values.get(edge.source) ?? [];
  const targets = values.get(edge.target) ?? [];
  if (sources.some((s) => targets.includes(s))) {
    throw new Invalid(selfLoopMessage(schemaName), { [`properties.${edge.target}`]: selfLoopMessage(schemaName) });
  }
  if (schema.isA("Membership")) {
    for (const member of sources) {
      for (const organisation of targets) {
        if (await isAncestor(db, actor, member, organisation, selfId)) {
          const message = "this membership would make an organisation its own ancestor: the organisation is already a member of the member, directly or through others";
          throw new Invalid(message, { "properties.organization": message });
        }
      }
    }
  }
}

/**
 * Whether `unit` is reached from `start` by following parentUnit upward through the units the
 * actor may know of (as the membership walk above). UNION ends the walk on a cycle already there.
 */
export async function isAboveUnit(db: Tx, actor: Actor, unit: string, start: string): Promise<boolean> {
  const admin = actor.role === "admin";
  const onList = (entity: string) => sql`exists (select 1 from entity_access a where a.entity_id = ${sql.ref(entity)} and a.user_id = ${actor.userId})`;
  const row = await sql<{ found: number }>`
    with recursive up(org) as (
      select cast(${start} as uuid)
      union
      select p.ref_id
      from up
      join statements p on p.entity_id = up.org and p.property = 'parentUnit' and p.retracted_at is null and p.ref_id is not null
      join entities u on u.id = p.entity_id
      where u.org_id = ${actor.orgId}
        and u.archived_at is null
        and (${admin} or ((not u.restricted or ${onList("u.id")}) and (p.sensitivity <> 'restricted' or ${onList("u.id")})))
    )
    select 1 as found from up where org = ${unit} limit 1`.execute(db);
  return row.rows.length > 0;
}

/**
 * Whether `ancestor` is reached from `start` by following memberships upward (member → organization),
 * leaving out the membership record `except` (the one being written). UNION, not UNION ALL, so the
 * walk ends on a cycle already in the data.
 */
export async function isAncestor(db: Tx, actor: Actor, ancestor: string, start: string, except: string): Promise<boolean> {
  const memberships = schemaAndDescendants("Membership");
  const admin = actor.role === "admin";
  const onList = (entity: string) => sql`exists (select 1 from entity_access a where a.entity_id = ${sql.ref(entity)} and a.user_id = ${actor.userId})`;
  const row = await sql<{ found: number }>`
    with recursive up(org) as (
      select cast(${start} as uuid)
      union
      select o.ref_id
      from up
      join statements m on m.ref_id = up.org and m.property = 'member' and m.retracted_at is null
      join entities me on me.id = m.entity_id
      join statements o on o.entity_id = me.id and o.property = 'organization' and o.retracted_at is null and o.ref_id is not null
      where me.org_id = ${actor.orgId}
        and me.schema in (${sql.join(memberships)})
        and me.archived_at is null
        and me.id <> ${except}
        and (${admin} or ((not me.restricted or ${onList("me.id")}) and ((m.sensitivity <> 'restricted' and o.sensitivity <> 'restricted') or ${onList("me.id")})))
    )
    select 1 as found from up where org = ${ancestor} limit 1`.execute(db);
  return row.rows.length > 0;
}

// ---------------------------------------------------------------------------------------------
// Reading an entity's relationships

interface Loaded {
  id: string;
  schema: string;
  restricted: boolean;
  archived: boolean;
  onList: boolean;
}

function captionOf(schemaName: string, statements: readonly StatementRow[]): string | null {
  const schema = findSchema(schemaName);
  for (const property of schema?.caption ?? []) {
    const value = statements.find((s) => s.property === property && s.value !== null)?.value;
    if (value) return value;
  }
  return null;
}

/**
 * Every relationship of a record, both directions, as the actor may see it: a relationship record
 * the actor may not see, a statement it may not read, or a relationship one of whose other ends it
 * may not see is left out entirely, so the list reveals nothing hidden.
 */
export async function listRelationships(services: Services, origin: Origin, actor: Actor, id: string, query: unknown = {}): Promise<RelationshipsView> {
  await requirePermission(services, origin, can(actor, "record.view", anyRecord(actor)), actor, "record.view", { type: "entity", id: null });
  const record = await loadRecord(services, actor, id);
  const options = parseInput(RelationshipsQuerySchema, query);
  const db = services.db;
  const self = record.row.id;

  // Records pointing at this one, visible to the actor, through a live statement.
  const incoming = await db
    .selectFrom("statements as s")
    .innerJoin("entities as e", "e.id", "s.entity_id")
    .select(["s.entity_id", "s.property", "s.sensitivity"])
    .where("s.ref_id", "=", self)
    .where("s.retracted_at", "is", null)
    .where(visibleTo(actor))
    .$if(options.archived === "exclude", (q) => q.where("e.archived_at", "is", null))
    .orderBy("s.seq")
    .limit(options.limit + 1)
    .execute();
  const ownRows = (await liveStatements(db, [self])).filter((s) => s.ref_id !== null && readableBy(actor, record.subject)(s));
  const truncated = incoming.length > options.limit;
  const referring = incoming.slice(0, options.limit);

  // Load every record involved once: the referring ones, their statements, and their other ends.
  const entities = new Map<string, Loaded>();
  async function load(ids: readonly string[]): Promise<void> {
    const wanted = [...new Set(ids)].filter((i) => !entities.has(i));
    if (wanted.length === 0) return;
    const rows = await db.selectFrom("entities as e").select(["e.id", "e.schema", "e.restricted", "e.archived_at"]).where(visibleTo(actor)).where("e.id", "in", wanted).execute();
    const lists = await onAccessListOf(db, actor.userId, rows.filter((r) => r.restricted).map((r) => r.id));
    for (const r of rows) entities.set(r.id, { id: r.id, schema: r.schema, restricted: r.restricted, archived: r.archived_at !== null, onList: lists.has(r.id) });
  }
  await load(referring.map((r) => r.entity_id));
  const referringStatements = await liveStatements(db, [...new Set(referring.map((r) => r.entity_id))]);
  const otherIds = referringStatements.filter((s) => s.ref_id !== null && s.ref_id !== self).map((s) => s.ref_id!);
  await load([...otherIds, ...ownRows.map((s) => s.ref_id!)]);
  const summaryStatements = await liveStatements(db, [...entities.keys()].filter((k) => !referring.some((r) => r.entity_id === k)));
  const statementsOf = new Map<string, StatementRow[]>();
  for (const s of [...referringStatements, ...summaryStatements]) (statementsOf.get(s.entity_id) ?? statementsOf.set(s.entity_id, []).get(s.entity_id)!).push(s);

  const readable = (entityId: string) => {
    const e = entities.get(entityId)!;
    return readableBy(actor, recordSubject({ org_id: actor.orgId, restricted: e.restricted }, e.onList));
  };
  const summary = (entityId: string): RecordSummary | null => {
    const e = entities.get(entityId);
    if (!e) return null;
    const visible = (statementsOf.get(entityId) ?? []).filter(readable(entityId));
    return { id: e.id, schema: e.schema, caption: captionOf(e.schema, visible), archived: e.archived };
  };

  const edges: EdgeView[] = [];
  const links: LinkView[] = [];
  const seenEdges = new Set<string>();
  for (const ref of referring) {
    const via = entities.get(ref.entity_id);
    if (!via || !readable(ref.entity_id)(ref)) continue;
    const schema = findSchema(via.schema);
    if (!schema?.edge) {
      const record = summary(via.id);
      if (record) links.push({ direction: "incoming", property: ref.property, record });
      continue;
    }
    const key = `${via.id}\u0000${ref.property}`;
    if (seenEdges.has(key)) continue;
    seenEdges.add(key);
    const visible = (statementsOf.get(via.id) ?? []).filter(readable(via.id));
    const others = visible.filter((s) => s.ref_id !== null && s.ref_id !== self && s.property !== ref.property);
    // One hidden end hides the whole relationship: it would otherwise say that something is there.
    const allRefs = (statementsOf.get(via.id) ?? []).filter((s) => s.ref_id !== null && s.ref_id !== self);
    if (allRefs.some((s) => !entities.has(s.ref_id!))) continue;
    const properties: Record<string, string[]> = {};
    for (const s of visible) {
      if (s.value === null) continue;
      const values = (properties[s.property] ??= []);
      if (!values.includes(s.value)) values.push(s.value);
    }
    edges.push({
      relationship: { ...summary(via.id)!, properties },
      property: ref.property,
      others: others.map((s) => ({ property: s.property, record: summary(s.ref_id!)! })),
    });
  }
  for (const s of ownRows) {
    const record = summary(s.ref_id!);
    if (record && (options.archived === "include" || !record.archived)) links.push({ direction: "outgoing", property: s.property, record });
  }
  return { edges, links, truncated };
}
