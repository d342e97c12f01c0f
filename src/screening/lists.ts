// Named lists: a named set of records of one organisation to screen against
// (`POST /api/v1/match/{list}`, `vigil screen --list NAME`). Those who document make and keep them;
// every reader screens against them and sees the members they may see. A list of another
// organisation is never found, and a restricted member is left out for whoever may not know of it.
// Removing a member or archiving a list keeps the row, with who, when and why; each step is audited.
import { randomUUID } from "node:crypto";
import { z } from "zod";
import { can, Conflict, Invalid, NotFound, type Actor, type FieldErrors } from "../core/index.ts";
import type { Origin, Services, Tx } from "../context.ts";
import { recordAudit, requirePermission } from "../audit/index.ts";
import { parseInput } from "../accounts/index.ts";
import { viewEntities, visibleIds } from "../records/index.ts";
import { namesOf } from "./entity-names.ts";

export const LIST_NAME = /^[a-z0-9][a-z0-9_-]{0,63}$/;
export const MAX_LIST_IDS = 1000;
/** Members shown on one reading of a list (its count is of every member the caller may know of). */
export const LIST_PAGE = 500;

const ListName = z
  .string()
  .trim()
  .regex(LIST_NAME, "lowercase letters, digits, - and _, at most 64, starting with a letter or digit")
  .refine((n) => n !== "default", "\"default\" names every record you may see: choose another name");
const Reason = z.string().trim().min(1, "say why").max(2000, "at most 2000 characters");
const Uuid = z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/, "not a record id");

export const ListCreateSchema = z.strictObject({ name: ListName, title: z.string().trim().min(1, "give the list a title").max(200, "at most 200 characters") });
export const ListMembersSchema = z.strictObject({
  ids: z.array(Uuid).min(1, "name at least one record").max(MAX_LIST_IDS, `at most ${MAX_LIST_IDS} records at a time`),
});
export const ListRemoveSchema = z.strictObject({ ids: z.array(Uuid).min(1, "name at least one record").max(MAX_LIST_IDS, `at most ${MAX_LIST_IDS} records at a time`), reason: Reason });
export const ListArchiveSchema = z.strictObject({ reason: Reason });

export interface ListSummary {
  id: string;
  name: string;
  title: string;
  createdAt: Date;
  archived: { at: Date; reason: string } | null;
  /** Members the caller may know of. */
  members: number;
}

export interface ListMember {
  id: string;
  schema: string;
  caption: string;
  addedAt: Date;
}

export interface ListView extends ListSummary {
  entries: ListMember[];
}

type ListRow = { id: string; name: string; title: string; created_at: Date; archived_at: Date | null; archive_reason: string | null };

async function findList(db: Tx, actor: Actor, name: string): Promise<ListRow> {
  const row = LIST_NAME.test(name)
    ? await db.selectFrom("entity_lists").select(["id", "name", "title", "created_at", "archived_at", "archive_reason"]).where("org_id", "=", actor.orgId).where("name", "=", name).executeTakeFirst()
    : undefined;
  // Another organisation's list is not found either: we never confirm it exists.
  if (!row) throw new NotFound(`no list named "${name.slice(0, 64)}": use "default" for every record you may see`);
  return row;
}

/** The id of a list to screen against: an archived list is not screened against. */
export async function listIdByName(services: Services, actor: Actor, name: string): Promise<string> {
  const row = await findList(services.db, actor, name);
  if (row.archived_at) throw new NotFound(`the list "${row.name}" is archived`);
  return row.id;
}

async function visibleMemberIds(services: Services, actor: Actor, listId: string): Promise<{ id: string; added_at: Date }[]> {
  const rows = await services.db.selectFrom("entity_list_members").select(["entity_id", "added_at"]).where("list_id", "=", listId).where("removed_at", "is", null).orderBy("added_at").orderBy("entity_id").execute();
  const visible = new Set<string>();
  // Chunked: a list may be longer than one statement's parameters allow.
  for (let i = 0; i < rows.length; i += 5000) for (const id of await visibleIds(services.db, actor, rows.slice(i, i + 5000).map((r) => r.entity_id))) visible.add(id);
  return rows.filter((r) => visible.has(r.entity_id)).map((r) => ({ id: r.entity_id, added_at: r.added_at }));
}

function summary(row: ListRow, members: number): ListSummary {
  return {
    id: row.id,
    name: row.name,
    title: row.title,
    createdAt: row.created_at,
    archived: row.archived_at ? { at: row.archived_at, reason: row.archive_reason ?? "" } : null,
    members,
  };
}

async function requireReading(services: Services, origin: Origin, actor: Actor): Promise<void> {
  await requirePermission(services, origin, can(actor, "names.match", { kind: "records", orgId: actor.orgId }), actor, "names.list.view", { type: "entity_list", id: null });
}

async function requireManaging(services: Services, origin: Origin, actor: Actor, listId: string | null): Promise<void> {
  await requirePermission(services, origin, can(actor, "names.manage-lists", { kind: "records", orgId: actor.orgId }), actor, "names.list.manage", { type: "entity_list", id: listId });
}

export async function listLists(services: Services, origin: Origin, actor: Actor): Promise<ListSummary[]> {
  await requireReading(services, origin, actor);
  const rows = await services.db.selectFrom("entity_lists").select(["id", "name", "title", "created_at", "archived_at", "archive_reason"]).where("org_id", "=", actor.orgId).orderBy("name").execute();
  const out: ListSummary[] = [];
  for (const row of rows) out.push(summary(row, (await visibleMemberIds(services, actor, row.id)).length));
  return out;
}

export async function getList(services: Services, origin: Origin, actor: Actor, name: string): Promise<ListView> {
  await requireReading(services, origin, actor);
  const row = await findList(services.db, actor, name);
  const members = await visibleMemberIds(services, actor, row.id);
  const shown = members.slice(0, LIST_PAGE);
  const views = new Map((await viewEntities(services, actor, shown.map((m) => m.id))).map((v) => [v.id, v]));
  const entries: ListMember[] = [];
  for (const m of shown) {
    const view = views.get(m.id);
    // A member archived since it was added stays a member; it is shown by id until restored.
    entries.push({ id: m.id, schema: view?.schema ?? "", caption: view ? (view.properties.name?.[0] ?? namesOf(view.properties)[0] ?? m.id) : m.id, addedAt: m.added_at });
  }
  return { ...summary(row, members.length), entries };
}

/** `raw` may be a function: the body is then read only once permission is granted. */
export async function createList(services: Services, origin: Origin, actor: Actor, raw: unknown): Promise<ListSummary> {
  await requireManaging(services, origin, actor, null);
  const input = parseInput(ListCreateSchema, typeof raw === "function" ? await (raw as () => Promise<unknown>)() : raw);
  return services.db.transaction().execute(async (tx) => {
    const taken = await tx.selectFrom("entity_lists").select("id").where("org_id", "=", actor.orgId).where("name", "=", input.name).executeTakeFirst();
    if (taken) throw new Conflict(`a list named "${input.name}" already exists`);
    const id = randomUUID();
    const now = services.now();
    await tx.insertInto("entity_lists").values({ id, org_id: actor.orgId, name: input.name, title: input.title, created_at: now, created_by: actor.userId }).execute();
    await recordAudit(tx, origin, { orgId: actor.orgId, actorId: actor.userId, action: "names.list.create", targetType: "entity_list", targetId: id, details: { name: input.name } });
    return summary({ id, name: input.name, title: input.title, created_at: now, archived_at: null, archive_reason: null }, 0);
  });
}

/** Adds records the caller may know of; an id it may not know of is refused by position, as if it did not exist. */
export async function addListMembers(services: Services, origin: Origin, actor: Actor, name: string, raw: () => Promise<unknown>): Promise<ListView> {
  const list = await findList(services.db, actor, name);
  await requireManaging(services, origin, actor, list.id);
  if (list.archived_at) throw new Conflict(`the list "${list.name}" is archived: restore it first`);
  const input = parseInput(ListMembersSchema, await raw());
  const ids = [...new Set(input.ids)];
  const visible = await visibleIds(services.db, actor, ids);
  const errors: FieldErrors = {};
  input.ids.forEach((id, i) => {
    if (!visible.has(id)) errors[`ids.${i}`] = "no such record";
  });
  if (Object.keys(errors).length > 0) throw new Invalid("some records cannot be added", errors);
  await services.db.transaction().execute(async (tx) => {
    const now = services.now();
    for (const id of ids) {
      await tx
        .insertInto("entity_list_members")
        .values({ list_id: list.id, entity_id: id, added_by: actor.userId, added_at: now })
        .onConflict((oc) => oc.columns(["list_id", "entity_id"]).doUpdateSet({ added_by: actor.userId, added_at: now, removed_at: null, removed_by: null, removal_reason: null }).where("entity_list_members.removed_at", "is not", null))
        .execute();
    }
    await recordAudit(tx, origin, { orgId: actor.orgId, actorId: actor.userId, action: "names.list.add", targetType: "entity_list", targetId: list.id, details: { entities: ids } });
  });
  return getList(services, origin, actor, name);
}

export async function removeListMembers(services: Services, origin: Origin, actor: Actor, name: string, raw: () => Promise<unknown>): Promise<ListView> {
  const list = await findList(services.db, actor, name);
  await requireManaging(services, origin, actor, list.id);
  const input = parseInput(ListRemoveSchema, await raw());
  const visible = await visibleIds(services.db, actor, input.ids);
  const members = new Set(
    (await services.db.selectFrom("entity_list_members").select("entity_id").where("list_id", "=", list.id).where("removed_at", "is", null).where("entity_id", "in", input.ids).execute()).map((r) => r.entity_id),
  );
  const errors: FieldErrors = {};
  input.ids.forEach((id, i) => {
    if (!visible.has(id) || !members.has(id)) errors[`ids.${i}`] = "not a member of this list";
  });
  if (Object.keys(errors).length > 0) throw new Invalid("some records cannot be removed", errors);
  await services.db.transaction().execute(async (tx) => {
    await tx
      .updateTable("entity_list_members")
      .set({ removed_at: services.now(), removed_by: actor.userId, removal_reason: input.reason })
      .where("list_id", "=", list.id)
      .where("entity_id", "in", [...members])
      .where("removed_at", "is", null)
      .execute();
    await recordAudit(tx, origin, { orgId: actor.orgId, actorId: actor.userId, action: "names.list.remove", targetType: "entity_list", targetId: list.id, details: { entities: [...members], reason: input.reason } });
  });
  return getList(services, origin, actor, name);
}

/** Archives (archived: true) or restores a list; an archived list is not screened against. */
export async function setListArchived(services: Services, origin: Origin, actor: Actor, name: string, archived: boolean, raw: () => Promise<unknown>): Promise<ListSummary> {
  const list = await findList(services.db, actor, name);
  await requireManaging(services, origin, actor, list.id);
  const input = parseInput(ListArchiveSchema, await raw());
  if (Boolean(list.archived_at) === archived) throw new Conflict(archived ? "the list is already archived" : "the list is not archived");
  await services.db.transaction().execute(async (tx) => {
    const now = services.now();
    await tx
      .updateTable("entity_lists")
      .set(archived ? { archived_at: now, archived_by: actor.userId, archive_reason: input.reason } : { archived_at: null, archived_by: null, archive_reason: null })
      .where("id", "=", list.id)
      .execute();
    await recordAudit(tx, origin, { orgId: actor.orgId, actorId: actor.userId, action: archived ? "names.list.archive" : "names.list.restore", targetType: "entity_list", targetId: list.id, details: { reason: input.reason } });
  });
  const members = await visibleMemberIds(services, actor, list.id);
  return summary({ ...list, archived_at: archived ? services.now() : null, archive_reason: archived ? input.reason : null }, members.length);
}
