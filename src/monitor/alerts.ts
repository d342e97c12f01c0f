// Alerts inside Vigil: the organisation's list, one alert, acknowledging it, and a person's inbox.
// Inside Vigil a reader sees what they may read: an alert on a detention they may not know of is
// not listed at all; a guarded one is described only to who may read restricted values of it.
import { sql } from "kysely";
import { can, NotFound, type Actor } from "../core/index.ts";
import type { Origin, Services, Tx } from "../context.ts";
import { recordAudit } from "../audit/index.ts";
import { requireAlerts, type AlertRule } from "./alerts-rules.ts";

export interface AlertView {
  id: string;
  rule: AlertRule | null;
  /** false when the reader may not read what the alert is about: it only needs attention. */
  described: boolean;
  detentionId: string;
  personId: string | null;
  facilityId: string | null;
  status: string | null;
  days: number | null;
  fact: string | null;
  raisedAt: Date;
  acknowledged: { at: Date; by: string | null } | null;
  /** In a person's inbox: whether they have opened it. */
  read?: boolean;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Alerts on detentions the actor may know of (restricted ones: administrators and the access list). */
function visibleAlerts(db: Tx, actor: Actor) {
  let query = db.selectFrom("alerts as a").innerJoin("entities as e", "e.id", "a.detention_id").where("a.org_id", "=", actor.orgId);
  if (actor.role !== "admin") {
    query = query.where((eb) => eb.or([eb("e.restricted", "=", false), eb.exists(eb.selectFrom("entity_access as x").select("x.user_id").whereRef("x.entity_id", "=", "e.id").where("x.user_id", "=", actor.userId))]));
  }
  return query;
}

type AlertSelection = { id: string; rule: string; detention_id: string; person_id: string | null; facility_id: string | null; status: string | null; days: number | null; fact: string; guarded: boolean; raised_at: Date; acknowledged_at: Date | null; acknowledged_by: string | null; restricted: boolean; on_list: boolean };

function view(actor: Actor, row: AlertSelection): AlertView {
  // A guarded alert: its values may be restricted; described to who may read a restricted record's values.
  const described = !row.guarded || can(actor, "record.read-restricted", { kind: "record", orgId: actor.orgId, restricted: row.restricted, onAccessList: row.on_list });
  return {
    id: row.id,
    rule: described ? (row.rule as AlertRule) : null,
    described,
    detentionId: row.detention_id,
    personId: described ? row.person_id : null,
    facilityId: described ? row.facility_id : null,
    status: described ? row.status : null,
    days: described ? row.days : null,
    fact: described ? row.fact : null,
    raisedAt: row.raised_at,
    acknowledged: row.acknowledged_at ? { at: row.acknowledged_at, by: row.acknowledged_by } : null,
  };
}

function selection(actor: Actor) {
  return [
    "a.id", "a.rule", "a.detention_id", "a.person_id", "a.facility_id", "a.status", "a.days", "a.fact", "a.guarded", "a.raised_at", "a.acknowledged_at", "a.acknowledged_by", "e.restricted",
    sql<boolean>`exists (select 1 from entity_access x where x.entity_id = e.id and x.user_id = ${actor.userId})`.as("on_list"),
  ] as const;
}

export interface AlertListQuery {
  open?: boolean;
  rule?: AlertRule;
  before?: string;
  limit?: number;
}

export async function listAlerts(services: Services, origin: Origin, actor: Actor, query: AlertListQuery = {}): Promise<{ alerts: AlertView[]; nextCursor: string | null }> {
  await requireAlerts(services, origin, actor, "alert.view");
  const limit = Math.min(Math.max(query.limit ?? 50, 1), 200);
  let q = visibleAlerts(services.db, actor).select(selection(actor));
  if (query.open) q = q.where("a.acknowledged_at", "is", null);
  if (query.rule) q = q.where("a.rule", "=", query.rule);
  if (query.before) {
    const [at, id] = query.before.split("_");
    const when = new Date(at ?? "");
    if (!Number.isNaN(when.getTime()) && id && UUID.test(id)) q = q.where((eb) => eb.or([eb("a.raised_at", "<", when), eb.and([eb("a.raised_at", "=", when), eb("a.id", "<", id)])]));
  }
  const rows = await q.orderBy("a.raised_at", "desc").orderBy("a.id", "desc").limit(limit + 1).execute();
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return { alerts: page.map((r) => view(actor, r)), nextCursor: rows.length > limit && last ? `${last.raised_at.toISOString()}_${last.id}` : null };
}

export async function getAlert(services: Services, origin: Origin, actor: Actor, id: string): Promise<AlertView> {
  await requireAlerts(services, origin, actor, "alert.view");
  const row = UUID.test(id) ? await visibleAlerts(services.db, actor).select(selection(actor)).where("a.id", "=", id).executeTakeFirst() : undefined;
  if (!row) throw new NotFound("no such alert");
  // Opening an alert from the inbox marks it read.
  await services.db.updateTable("alert_notifications").set({ read_at: services.now() }).where("alert_id", "=", id).where("user_id", "=", actor.userId).where("read_at", "is", null).execute();
  return view(actor, row);
}

/** Acknowledges an alert (idempotent: the first acknowledgement is kept). */
export async function acknowledgeAlert(services: Services, origin: Origin, actor: Actor, id: string): Promise<AlertView> {
  await requireAlerts(services, origin, actor, "alert.acknowledge");
  const found = UUID.test(id) ? await visibleAlerts(services.db, actor).select("a.id").where("a.id", "=", id).executeTakeFirst() : undefined;
  if (!found) throw new NotFound("no such alert");
  const now = services.now();
  await services.db.transaction().execute(async (tx) => {
    const updated = await tx.updateTable("alerts").set({ acknowledged_at: now, acknowledged_by: actor.userId }).where("id", "=", id).where("acknowledged_at", "is", null).executeTakeFirst();
    if (updated.numUpdatedRows > 0n) await recordAudit(tx, origin, { orgId: actor.orgId, actorId: actor.userId, action: "alert.acknowledge", targetType: "alert", targetId: id });
  });
  return getAlert(services, origin, actor, id);
}

/** A person's inbox, newest first: alerts that reached them and that they may still know of. */
export async function inbox(services: Services, origin: Origin, actor: Actor, limit = 50): Promise<AlertView[]> {
  await requireAlerts(services, origin, actor, "alert.view");
  const rows = await visibleAlerts(services.db, actor)
    .innerJoin("alert_notifications as n", (j) => j.onRef("n.alert_id", "=", "a.id").on("n.user_id", "=", actor.userId))
    .select([...selection(actor), "n.read_at"])
    .orderBy("n.created_at", "desc")
    .orderBy("a.id", "desc")
    .limit(Math.min(Math.max(limit, 1), 200))
    .execute();
  return rows.map((r) => ({ ...view(actor, r), read: r.read_at !== null }));
}

/** Unread alerts in the person's inbox, for the header; 0 for whoever has no inbox. */
export async function unreadCount(services: Services, actor: Actor): Promise<number> {
  if (!can(actor, "alert.view", { kind: "alerts", orgId: actor.orgId })) return 0;
  const row = await visibleAlerts(services.db, actor)
    .innerJoin("alert_notifications as n", (j) => j.onRef("n.alert_id", "=", "a.id").on("n.user_id", "=", actor.userId))
    .select((eb) => eb.fn.countAll<string>().as("n"))
    .where("n.read_at", "is", null)
    .executeTakeFirst();
  return Number(row?.n ?? 0);
}
