// What a merge carries besides statements: the merged record's tags, its assignment and its access
// list, onto the record that stayed. Each thing carried is written down (entity_merge_marks), so
// undoing the merge takes off exactly what the merge put on, when it is still there; the merged
// record keeps its own marks and list throughout (it is an archived redirect meanwhile, so none of
// them shows in a list), and so gets back what it had.
import { randomUUID } from "node:crypto";
import { sql } from "kysely";
import { can, Conflict, type Actor } from "../core/index.ts";
import type { Tx } from "../context.ts";
import type { EntityRow } from "../db/index.ts";
import { recordSubject } from "./access.ts";
import { dropTeamOnlyAccess } from "./teams.ts";

export interface CarriedMarks {
  tags: string[];
  assignee: string | null;
  users: string[];
  teams: string[];
}

/**
 * Puts the duplicate's (B's) tags, assignment and access list on the record that stays (A).
 * A tag A already has is not added twice; A's own assignment wins over B's, and B's assignee is
 * carried only if they may see A. B's access list is carried when it granted something (B is
 * restricted: the list of an open record opens nothing), so that whoever could read B's restricted
 * values still can on A. When A is restricted, a carry that puts someone new on its list lets them
 * read A's own restricted values too: only someone who may manage A's list (an administrator, or an
 * editor on it) may make it; anyone else is refused and nothing is written.
 */
export async function carryMarks(tx: Tx, actor: Actor, mergeId: string, a: EntityRow, b: EntityRow, now: Date): Promise<CarriedMarks> {
  const marks: { merge_id: string; kind: "tag" | "assignment" | "user-access" | "team-access"; ref_id: string }[] = [];
  const carried: CarriedMarks = { tags: [], assignee: null, users: [], teams: [] };

  const tagsOf = async (id: string) => (await tx.selectFrom("entity_tags").select("tag").where("entity_id", "=", id).where("removed_at", "is", null).execute()).map((r) => r.tag);
  const onA = new Set(await tagsOf(a.id));
  const tags = (await tagsOf(b.id)).filter((t) => !onA.has(t)).sort();
  if (tags.length > 0) {
    const rows = tags.map((tag) => ({ id: randomUUID(), org_id: a.org_id, entity_id: a.id, tag, added_by: actor.userId, added_at: now }));
    await tx.insertInto("entity_tags").values(rows).execute();
    for (const r of rows) marks.push({ merge_id: mergeId, kind: "tag", ref_id: r.id });
    carried.tags = tags;
  }

  if (b.restricted) {
    const listOf = async (id: string) => new Map((await tx.selectFrom("entity_access").select(["user_id", "direct"]).where("entity_id", "=", id).execute()).map((r) => [r.user_id, r.direct]));
    const [listA, listB] = [await listOf(a.id), await listOf(b.id)];
    const newcomers = [...listB.keys()].filter((user) => !listA.has(user));
    if (newcomers.length > 0 && a.restricted && !can(actor, "record.manage-access", recordSubject(a, listA.has(actor.userId)))) {
      throw new Conflict("merging would put people from the duplicate's access list on this record's, and let them read its restricted values: only an administrator, or an editor on this record's list, may do that");
    }
    const teamsOf = async (id: string) => (await tx.selectFrom("entity_team_access").select("team_id").where("entity_id", "=", id).execute()).map((r) => r.team_id);
    const teamsOnA = new Set(await teamsOf(a.id));
    const teams = (await teamsOf(b.id)).filter((t) => !teamsOnA.has(t)).sort();
    const users = [...listB].filter(([user, direct]) => direct && listA.get(user) !== true).map(([user]) => user).sort();
    if (users.length > 0) {
      await tx
        .insertInto("entity_access")
        .values(users.map((user) => ({ entity_id: a.id, user_id: user, granted_by: actor.userId, granted_at: now, direct: true })))
        .onConflict((oc) => oc.columns(["entity_id", "user_id"]).doUpdateSet({ direct: true }))
        .execute();
      for (const user of users) marks.push({ merge_id: mergeId, kind: "user-access", ref_id: user });
    }
    if (teams.length > 0) {
      await tx.insertInto("entity_team_access").values(teams.map((team) => ({ entity_id: a.id, team_id: team, granted_by: actor.userId, granted_at: now }))).execute();
      await sql`insert into entity_access (entity_id, user_id, granted_by, granted_at, direct)
        select distinct ${a.id}::uuid, m.user_id, ${actor.userId}::uuid, ${now}::timestamptz, false from team_members m where m.team_id in (${sql.join(teams)})
        on conflict (entity_id, user_id) do nothing`.execute(tx);
      for (const team of teams) marks.push({ merge_id: mergeId, kind: "team-access", ref_id: team });
    }
    carried.users = users;
    carried.teams = teams;
  }

  // After the access list, so that an assignee carried onto a restricted A is checked against A's list as it now is.
  const assignmentOf = (id: string) => tx.selectFrom("entity_assignments").select(["id", "user_id"]).where("entity_id", "=", id).where("ended_at", "is", null).executeTakeFirst();
  const [assignedA, assignedB] = [await assignmentOf(a.id), await assignmentOf(b.id)];
  if (assignedB && !assignedA && (await maySee(tx, a, assignedB.user_id))) {
    const id = randomUUID();
    await tx.insertInto("entity_assignments").values({ id, org_id: a.org_id, entity_id: a.id, user_id: assignedB.user_id, assigned_by: actor.userId, assigned_at: now }).execute();
    marks.push({ merge_id: mergeId, kind: "assignment", ref_id: id });
    carried.assignee = assignedB.user_id;
  }

  if (marks.length > 0) await tx.insertInto("entity_merge_marks").values(marks).execute();
  return carried;
}

/** Whether a member may see a record: an open one, or a restricted one as an administrator or from its access list. */
async function maySee(tx: Tx, record: EntityRow, userId: string): Promise<boolean> {
  if (!record.restricted) return true;
  const member = await tx.selectFrom("memberships").select("role").where("org_id", "=", record.org_id).where("user_id", "=", userId).executeTakeFirst();
  if (!member || member.role === "partner") return false;
  if (member.role === "admin") return true;
  return (await tx.selectFrom("entity_access").select("user_id").where("entity_id", "=", record.id).where("user_id", "=", userId).executeTakeFirst()) !== undefined;
}

/**
 * Takes off the record that stayed what the merge carried onto it and is still there: tags not
 * removed since are removed, an assignment not ended since is ended, teams and members are taken
 * off its list (a member also on it through one of its own teams stays, through that team).
 */
export async function uncarryMarks(tx: Tx, actor: Actor, mergeId: string, targetId: string, now: Date): Promise<void> {
  const marks = await tx.selectFrom("entity_merge_marks").select(["kind", "ref_id"]).where("merge_id", "=", mergeId).execute();
  const of = (kind: string) => marks.filter((m) => m.kind === kind).map((m) => m.ref_id);
  const [tags, assignments, users, teams] = [of("tag"), of("assignment"), of("user-access"), of("team-access")];
  if (tags.length > 0) await tx.updateTable("entity_tags").set({ removed_at: now, removed_by: actor.userId }).where("id", "in", tags).where("removed_at", "is", null).execute();
  if (assignments.length > 0) await tx.updateTable("entity_assignments").set({ ended_at: now, ended_by: actor.userId }).where("id", "in", assignments).where("ended_at", "is", null).execute();
  for (const team of teams) {
    const removed = await tx.deleteFrom("entity_team_access").where("entity_id", "=", targetId).where("team_id", "=", team).returning("team_id").executeTakeFirst();
    if (!removed) continue;
    for (const m of await tx.selectFrom("team_members").select("user_id").where("team_id", "=", team).execute()) await dropTeamOnlyAccess(tx, m.user_id, sql`select ${targetId}::uuid`);
  }
  if (users.length > 0) {
    await tx.updateTable("entity_access").set({ direct: false }).where("entity_id", "=", targetId).where("user_id", "in", users).execute();
    for (const user of users) await dropTeamOnlyAccess(tx, user, sql`select ${targetId}::uuid`);
  }
}
