// The access lists of records: who, besides administrators, may see a restricted record and read
// restricted values. Granted to a member or to a team; every grant and revocation is audited.
import { sql } from "kysely";
import { z } from "zod";
import { can, Conflict, Invalid, NotFound, type Actor } from "../core/index.ts";
import type { Origin, Services } from "../context.ts";
import { recordAudit, requirePermission } from "../audit/index.ts";
import { parseInput } from "../accounts/index.ts";
import { loadRecord, requireOnRecord, type LoadedRecord } from "./access.ts";
import { inputOf } from "./entities.ts";
import { dropTeamOnlyAccess, requireMember } from "./teams.ts";

export const AccessGrantSchema = z.union([z.strictObject({ user: z.uuid("the id of a member of your organisation") }), z.strictObject({ team: z.uuid("the id of a team") })]);

export interface AccessListView {
  restricted: boolean;
  /** Everyone on the list, directly or through a team. */
  users: { id: string; name: string; direct: boolean; teams: string[] }[];
  teams: { id: string; name: string }[];
}

async function managed(services: Services, origin: Origin, actor: Actor, entityId: string): Promise<LoadedRecord> {
  // The role check first (administrators, and editors for the records whose list they are on), then the record.
  await requirePermission(services, origin, can(actor, "record.manage-access", { kind: "record", orgId: actor.orgId, restricted: false, onAccessList: true }), actor, "record.manage-access", { type: "entity", id: null });
  const record = await loadRecord(services, actor, entityId);
  await requireOnRecord(services, origin, actor, "record.manage-access", record);
  return record;
}

export async function getAccessList(services: Services, origin: Origin, actor: Actor, entityId: string): Promise<AccessListView> {
  const record = await managed(services, origin, actor, entityId);
  const db = services.db;
  const teams = await db.selectFrom("entity_team_access as a").innerJoin("teams as t", "t.id", "a.team_id").select(["t.id", "t.name"]).where("a.entity_id", "=", record.row.id).orderBy("t.name").execute();
  const users = await db.selectFrom("entity_access as a").innerJoin("users as u", "u.id", "a.user_id").select(["u.id", "u.name", "a.direct"]).where("a.entity_id", "=", record.row.id).orderBy("u.name").execute();
  const through = teams.length === 0 ? [] : await db.selectFrom("team_members").select(["team_id", "user_id"]).where("team_id", "in", teams.map((t) => t.id)).execute();
  return {
    restricted: record.row.restricted,
    users: users.map((u) => ({ id: u.id, name: u.name, direct: u.direct, teams: through.filter((m) => m.user_id === u.id).map((m) => m.team_id) })),
    teams,
  };
}

/** Puts a member, or a team (and so each of its members), on a record's access list. */
export async function grantAccess(services: Services, origin: Origin, actor: Actor, entityId: string, raw: unknown): Promise<AccessListView> {
  const record = await managed(services, origin, actor, entityId);
  const input = parseInput(AccessGrantSchema, await inputOf(raw));
  const now = services.now();
  if ("user" in input) {
    await requireMember(services.db, actor, input.user);
    await services.db.transaction().execute(async (tx) => {
      await tx
        .insertInto("entity_access")
        .values({ entity_id: record.row.id, user_id: input.user, granted_by: actor.userId, granted_at: now, direct: true })
        .onConflict((oc) => oc.columns(["entity_id", "user_id"]).doUpdateSet({ direct: true }))
        .execute();
      await recordAudit(tx, origin, { orgId: actor.orgId, actorId: actor.userId, action: "record.access.grant", targetType: "entity", targetId: record.row.id, details: { user: input.user } });
    });
  } else {
    const team = await services.db.selectFrom("teams").select("id").where("id", "=", input.team).where("org_id", "=", actor.orgId).executeTakeFirst();
    if (!team) throw new Invalid("there is no such team", { team: "no such team" });
    await services.db.transaction().execute(async (tx) => {
      await tx.insertInto("entity_team_access").values({ entity_id: record.row.id, team_id: team.id, granted_by: actor.userId, granted_at: now }).onConflict((oc) => oc.doNothing()).execute();
      await sql`insert into entity_access (entity_id, user_id, granted_by, granted_at, direct)
        select ${record.row.id}, m.user_id, ${actor.userId}, ${now}, false from team_members m where m.team_id = ${team.id}
        on conflict (entity_id, user_id) do nothing`.execute(tx);
      await recordAudit(tx, origin, { orgId: actor.orgId, actorId: actor.userId, action: "record.access.grant", targetType: "entity", targetId: record.row.id, details: { team: team.id } });
    });
  }
  return getAccessList(services, origin, actor, entityId);
}

/**
 * Takes a member, or a team, off a record's access list. A member who is on it only through a team
 * stays until the team is taken off or they leave it: revoking them alone is refused, saying so.
 */
export async function revokeAccess(services: Services, origin: Origin, actor: Actor, entityId: string, raw: unknown): Promise<void> {
  const record = await managed(services, origin, actor, entityId);
  const input = parseInput(AccessGrantSchema, raw);
  await services.db.transaction().execute(async (tx) => {
    if ("user" in input) {
      const row = await tx.selectFrom("entity_access").select("direct").where("entity_id", "=", record.row.id).where("user_id", "=", input.user).forUpdate().executeTakeFirst();
      if (!row) throw new NotFound("this person is not on the record's access list");
      if (!row.direct) throw new Conflict("this person is on the list through a team: take the team off the list, or the person out of the team");
      const viaTeam = await tx
        .selectFrom("entity_team_access as t")
        .innerJoin("team_members as m", "m.team_id", "t.team_id")
        .select("t.team_id")
        .where("t.entity_id", "=", record.row.id)
        .where("m.user_id", "=", input.user)
        .executeTakeFirst();
      if (viaTeam) await tx.updateTable("entity_access").set({ direct: false }).where("entity_id", "=", record.row.id).where("user_id", "=", input.user).execute();
      else await tx.deleteFrom("entity_access").where("entity_id", "=", record.row.id).where("user_id", "=", input.user).execute();
    } else {
      const removed = await tx.deleteFrom("entity_team_access").where("entity_id", "=", record.row.id).where("team_id", "=", input.team).returning("team_id").executeTakeFirst();
      if (!removed) throw new NotFound("this team is not on the record's access list");
      const members = await tx.selectFrom("team_members").select("user_id").where("team_id", "=", input.team).execute();
      for (const m of members) await dropTeamOnlyAccess(tx, m.user_id, sql`select ${record.row.id}::uuid`);
    }
    await recordAudit(tx, origin, { orgId: actor.orgId, actorId: actor.userId, action: "record.access.revoke", targetType: "entity", targetId: record.row.id, details: input });
  });
}
