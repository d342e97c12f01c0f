// Teams: named groups of members, put on restricted records' access lists as a whole. A team grant
// is written out as its members' rows in entity_access (direct = false), kept in step here as
// members join and leave, so every visibility check reads one table.
import { randomUUID } from "node:crypto";
import { sql } from "kysely";
import { z } from "zod";
import { can, cleanText, Conflict, NotFound, type Actor, type Subject } from "../core/index.ts";
import type { Origin, Services, Tx } from "../context.ts";
import { recordAudit, requirePermission } from "../audit/index.ts";
import { parseInput } from "../accounts/index.ts";
import { UUID } from "./access.ts";
import { inputOf } from "./entities.ts";

export const TeamCreateSchema = z.strictObject({
  name: z.string().max(300).transform((v) => cleanText(v)).pipe(z.string().min(1, "is empty").max(100, "at most 100 characters")),
});

export const TeamMemberSchema = z.strictObject({ user: z.uuid("the id of a member of your organisation") });

export interface TeamView {
  id: string;
  name: string;
  members: { id: string; name: string }[];
  createdAt: Date;
}

function teamsSubject(actor: Actor): Subject {
  return { kind: "teams", orgId: actor.orgId };
}

export async function requireMember(db: Tx, actor: Actor, userId: string): Promise<void> {
  const member = UUID.test(userId) ? await db.selectFrom("memberships").select("user_id").where("org_id", "=", actor.orgId).where("user_id", "=", userId).executeTakeFirst() : undefined;
  if (!member) throw new NotFound("no such user in your organisation");
}

async function loadTeam(db: Tx, actor: Actor, teamId: string): Promise<{ id: string; name: string }> {
  const team = UUID.test(teamId) ? await db.selectFrom("teams").select(["id", "name"]).where("id", "=", teamId).where("org_id", "=", actor.orgId).executeTakeFirst() : undefined;
  if (!team) throw new NotFound("no such team");
  return team;
}

export async function listTeams(services: Services, origin: Origin, actor: Actor): Promise<TeamView[]> {
  await requirePermission(services, origin, can(actor, "team.view", teamsSubject(actor)), actor, "team.view", { type: "team", id: null });
  const teams = await services.db.selectFrom("teams").selectAll().where("org_id", "=", actor.orgId).orderBy("name").execute();
  const members = teams.length === 0
    ? []
    : await services.db.selectFrom("team_members as m").innerJoin("users as u", "u.id", "m.user_id").select(["m.team_id", "u.id", "u.name"]).where("m.team_id", "in", teams.map((t) => t.id)).orderBy("u.name").execute();
  return teams.map((t) => ({ id: t.id, name: t.name, createdAt: t.created_at, members: members.filter((m) => m.team_id === t.id).map((m) => ({ id: m.id, name: m.name })) }));
}

export async function createTeam(services: Services, origin: Origin, actor: Actor, raw: unknown): Promise<TeamView> {
  await requirePermission(services, origin, can(actor, "team.manage", teamsSubject(actor)), actor, "team.manage", { type: "team", id: null });
  const input = parseInput(TeamCreateSchema, await inputOf(raw));
  const id = randomUUID();
  const now = services.now();
  await services.db.transaction().execute(async (tx) => {
    const same = await tx.selectFrom("teams").select("id").where("org_id", "=", actor.orgId).where("name", "=", input.name).executeTakeFirst();
    if (same) throw new Conflict("there is already a team of that name");
    await tx.insertInto("teams").values({ id, org_id: actor.orgId, name: input.name, created_by: actor.userId, created_at: now }).execute();
    await recordAudit(tx, origin, { orgId: actor.orgId, actorId: actor.userId, action: "team.create", targetType: "team", targetId: id, details: { name: input.name } });
  });
  return { id, name: input.name, members: [], createdAt: now };
}

export async function addTeamMember(services: Services, origin: Origin, actor: Actor, teamId: string, raw: unknown): Promise<void> {
  await requirePermission(services, origin, can(actor, "team.manage", teamsSubject(actor)), actor, "team.manage", { type: "team", id: teamId });
  const team = await loadTeam(services.db, actor, teamId);
  const { user } = parseInput(TeamMemberSchema, await inputOf(raw));
  await requireMember(services.db, actor, user);
  const now = services.now();
  await services.db.transaction().execute(async (tx) => {
    await tx.insertInto("team_members").values({ team_id: team.id, user_id: user, added_by: actor.userId, added_at: now }).onConflict((oc) => oc.doNothing()).execute();
    // The new member joins the access list of every record the team is on.
    await sql`insert into entity_access (entity_id, user_id, granted_by, granted_at, direct)
      select t.entity_id, ${user}, ${actor.userId}, ${now}, false from entity_team_access t where t.team_id = ${team.id}
      on conflict (entity_id, user_id) do nothing`.execute(tx);
    await recordAudit(tx, origin, { orgId: actor.orgId, actorId: actor.userId, action: "team.member.add", targetType: "team", targetId: team.id, details: { user } });
  });
}

/** Removes a member; they leave the access lists they were on only through this team. */
export async function removeTeamMember(services: Services, origin: Origin, actor: Actor, teamId: string, userId: string): Promise<void> {
  await requirePermission(services, origin, can(actor, "team.manage", teamsSubject(actor)), actor, "team.manage", { type: "team", id: teamId });
  const team = await loadTeam(services.db, actor, teamId);
  await services.db.transaction().execute(async (tx) => {
    const removed = await tx.deleteFrom("team_members").where("team_id", "=", team.id).where("user_id", "=", userId).returning("user_id").executeTakeFirst();
    if (!removed) throw new NotFound("no such member of this team");
    await dropTeamOnlyAccess(tx, userId, sql`select t.entity_id from entity_team_access t where t.team_id = ${team.id}`);
    await recordAudit(tx, origin, { orgId: actor.orgId, actorId: actor.userId, action: "team.member.remove", targetType: "team", targetId: team.id, details: { user: userId } });
  });
}

/**
 * Deletes the user's access rows, among the given records, that no longer rest on anything: not
 * direct, and no team on the record has the user as a member.
 */
export async function dropTeamOnlyAccess(tx: Tx, userId: string, entities: ReturnType<typeof sql>): Promise<void> {
  await sql`delete from entity_access a
    where a.user_id = ${userId} and a.direct = false and a.entity_id in (${entities})
      and not exists (select 1 from entity_team_access t join team_members m on m.team_id = t.team_id where t.entity_id = a.entity_id and m.user_id = a.user_id)`.execute(tx);
}
