import { z } from "zod";
import { can, Forbidden, type Actor } from "../core/index.ts";
import type { Origin, Services } from "../context.ts";
import type { AuditEventRow } from "../db/index.ts";
import { recordAudit } from "./record.ts";

export const AuditFilterSchema = z.object({
  action: z.string().max(100).optional(),
  actor: z.string().uuid().optional(),
  outcome: z.enum(["ok", "denied", "failed"]).optional(),
  from: z.iso.date().optional(),
  to: z.iso.date().optional(),
  /** Keyset pagination: events with an id below this one. */
  before: z.coerce.number().int().positive().optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});
export type AuditFilter = z.infer<typeof AuditFilterSchema>;

export interface AuditPage {
  events: (AuditEventRow & { actor_name: string | null; actor_email: string | null })[];
  nextBefore: number | null;
}

/** Refuses, and records the refusal, when the actor may not do what it asked. */
export async function requirePermission(
  services: Services,
  origin: Origin,
  allowed: boolean,
  actor: Actor,
  action: string,
  target: { type: string; id: string | null },
): Promise<void> {
  if (allowed) return;
  await recordAudit(services.db, origin, {
    orgId: actor.orgId,
    actorId: actor.userId,
    action,
    outcome: "denied",
    targetType: target.type,
    targetId: target.id,
  });
  throw new Forbidden();
}

export async function listAuditEvents(services: Services, origin: Origin, actor: Actor, filter: AuditFilter): Promise<AuditPage> {
  await requirePermission(services, origin, can(actor, "audit.read", { kind: "audit", orgId: actor.orgId }), actor, "audit.read", {
    type: "audit",
    id: null,
  });
  let query = services.db
    .selectFrom("audit_events as a")
    .leftJoin("users as u", "u.id", "a.actor_id")
    .selectAll("a")
    .select(["u.name as actor_name", "u.email as actor_email"])
    .where("a.org_id", "=", actor.orgId)
    .orderBy("a.id", "desc")
    .limit(filter.limit + 1);
  if (filter.action) query = query.where("a.action", "like", `${filter.action.replace(/[%_\\]/g, "\\$&")}%`);
  if (filter.actor) query = query.where("a.actor_id", "=", filter.actor);
  if (filter.outcome) query = query.where("a.outcome", "=", filter.outcome);
  if (filter.from) query = query.where("a.at", ">=", new Date(`${filter.from}T00:00:00Z`));
  if (filter.to) query = query.where("a.at", "<", new Date(new Date(`${filter.to}T00:00:00Z`).getTime() + 86_400_000));
  if (filter.before) query = query.where("a.id", "<", filter.before);
  const rows = await query.execute();
  const events = rows.slice(0, filter.limit);
  return { events, nextBefore: rows.length > filter.limit ? events[events.length - 1]!.id : null };
}
