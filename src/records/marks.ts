// What the list pages offer for tags and assignment: the tags in use and the people records can
// be assigned to. Counting tags goes through the visibility rule, so a tag used only on records
// hidden from the reader is not offered, and its count never reveals them.
import { sql } from "kysely";
import { can, type Actor } from "../core/index.ts";
import type { Origin, Services } from "../context.ts";
import { requirePermission } from "../audit/index.ts";
import { anyRecord, visibleTo } from "./access.ts";

export interface TagCount {
  tag: string;
  /** Live records carrying it that the reader may see. */
  records: number;
}

export async function listTags(services: Services, origin: Origin, actor: Actor): Promise<TagCount[]> {
  await requirePermission(services, origin, can(actor, "record.list", { kind: "records", orgId: actor.orgId }), actor, "record.list", { type: "entity", id: null });
  const rows = await services.db
    .selectFrom("entity_tags as t")
    .innerJoin("entities as e", "e.id", "t.entity_id")
    .select(["t.tag", sql<number>`count(*)`.as("records")])
    .where("t.removed_at", "is", null)
    .where("e.archived_at", "is", null)
    .where(visibleTo(actor))
    .groupBy("t.tag")
    .orderBy("t.tag")
    .limit(1000)
    .execute();
  return rows.map((r) => ({ tag: r.tag, records: Number(r.records) }));
}

export interface Assignee {
  id: string;
  name: string;
}

/** Active members who read records (not partners), for whoever may assign them. */
export async function listAssignees(services: Services, origin: Origin, actor: Actor): Promise<Assignee[]> {
  await requirePermission(services, origin, can(actor, "record.edit", anyRecord(actor)), actor, "record.edit", { type: "entity", id: null });
  return services.db
    .selectFrom("memberships as m")
    .innerJoin("users as u", "u.id", "m.user_id")
    .select(["u.id", "u.name"])
    .where("m.org_id", "=", actor.orgId)
    .where("m.role", "<>", "partner")
    .where("u.deactivated_at", "is", null)
    .orderBy("u.name")
    .execute();
}
