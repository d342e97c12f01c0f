// Who may know of a record: the one visibility rule every records query applies, in SQL for lists
// and per record for single reads. A restricted record is need-to-know: administrators and the
// people on its access list (directly or through a team) only; to anyone else it does not exist.
import type { ExpressionBuilder } from "kysely";
import { can, NotFound, type Action, type Actor, type Subject } from "../core/index.ts";
import type { Origin, Services, Tx } from "../context.ts";
import type { EntityRow, Schema } from "../db/index.ts";
import { requirePermission } from "../audit/index.ts";

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function recordSubject(row: Pick<EntityRow, "org_id" | "restricted">, onAccessList: boolean): Subject {
  return { kind: "record", orgId: row.org_id, restricted: row.restricted, onAccessList };
}

/** What the actor could do to an ordinary record of its organisation: the role check made before anything is read. */
export function anyRecord(actor: Actor): Subject {
  return { kind: "record", orgId: actor.orgId, restricted: false, onAccessList: false };
}

export async function isOnAccessList(db: Tx, entityId: string, userId: string): Promise<boolean> {
  const row = await db.selectFrom("entity_access").select("user_id").where("entity_id", "=", entityId).where("user_id", "=", userId).executeTakeFirst();
  return row !== undefined;
}

/** The ids among `ids` whose access list has the user on it. */
export async function onAccessListOf(db: Tx, userId: string, ids: readonly string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const rows = await db.selectFrom("entity_access").select("entity_id").where("entity_id", "in", [...ids]).where("user_id", "=", userId).execute();
  return new Set(rows.map((r) => r.entity_id));
}

export interface LoadedRecord {
  row: EntityRow;
  subject: Subject;
}

/**
 * Finds a record the actor may know of. A record of another organisation, and a restricted record
 * the actor is not on the list of, are not found: we never confirm they exist.
 */
export async function loadRecord(services: Services, actor: Actor, id: string, db: Tx = services.db): Promise<LoadedRecord> {
  const row = UUID.test(id) ? await db.selectFrom("entities").selectAll().where("id", "=", id).where("org_id", "=", actor.orgId).executeTakeFirst() : undefined;
  if (!row) throw new NotFound("no such record");
  const subject = recordSubject(row, row.restricted ? await isOnAccessList(db, row.id, actor.userId) : false);
  if (!can(actor, "record.view", subject)) throw new NotFound("no such record");
  return { row, subject };
}

export async function requireOnRecord(services: Services, origin: Origin, actor: Actor, action: Action, record: LoadedRecord): Promise<void> {
  await requirePermission(services, origin, can(actor, action, record.subject), actor, action, { type: "entity", id: record.row.id });
}

/**
 * The condition "the actor may know of record `e`" for any query over `entities as e` (search,
 * maps, exports use it too): same organisation, and not restricted unless the actor is an
 * administrator or on the access list.
 */
export function visibleTo(actor: Actor) {
  return (eb: ExpressionBuilder<Schema & { e: Schema["entities"] }, "e">) => {
    const sameOrg = eb("e.org_id", "=", actor.orgId);
    if (actor.role === "admin") return sameOrg;
    return eb.and([
      sameOrg,
      eb.or([eb("e.restricted", "=", false), eb.exists(eb.selectFrom("entity_access as a").select("a.user_id").whereRef("a.entity_id", "=", "e.id").where("a.user_id", "=", actor.userId))]),
    ]);
  };
}

/** The records of the actor's organisation it may know of: a restricted record not on its list is left out of the query itself. */
export function visibleRecords(db: Tx, actor: Actor) {
  return db.selectFrom("entities as e").selectAll("e").where(visibleTo(actor));
}

/** The ids among `ids` that the actor may know of. */
export async function visibleIds(db: Tx, actor: Actor, ids: readonly string[]): Promise<Set<string>> {
  const wanted = [...new Set(ids)].filter((id) => UUID.test(id));
  if (wanted.length === 0 || !can(actor, "record.list", { kind: "records", orgId: actor.orgId })) return new Set();
  const rows = await db.selectFrom("entities as e").select("e.id").where(visibleTo(actor)).where("e.id", "in", wanted).execute();
  return new Set(rows.map((r) => r.id));
}
