// The authorities an organisation writes urgent actions to: kept per organisation, edited by
// administrators and editors, archived with a reason (never deleted: old actions still name them).
import { randomUUID } from "node:crypto";
import { z } from "zod";
import { can, Conflict, NotFound, type Actor } from "../core/index.ts";
import type { Origin, Services, Tx } from "../context.ts";
import type { UrgentAddresseesTable } from "../db/index.ts";
import type { Selectable } from "kysely";
import { recordAudit, requirePermission } from "../audit/index.ts";
import { parseInput } from "../accounts/index.ts";
import { URGENT_LANGUAGES, type UrgentLanguage } from "./urgent-templates.ts";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const text = (max: number) => z.string().trim().max(max, `at most ${max} characters`);

export const AddresseeSchema = z.strictObject({
  name: text(300).min(1, "give a name"),
  title: text(300).default(""),
  organisation: text(300).default(""),
  postalAddress: text(2000).default(""),
  email: z.union([z.literal(""), z.email("not an email address").max(320)]).default(""),
  fax: text(64).regex(/^[+0-9 ()./-]*$/, "digits, spaces and + ( ) - / . only").default(""),
  salutation: text(300).default(""),
  language: z.enum(URGENT_LANGUAGES, "one of en, ug, zh"),
});
export type AddresseeInput = z.infer<typeof AddresseeSchema>;
const ADDRESSEE_KEYS = ["name", "title", "organisation", "postalAddress", "email", "fax", "salutation", "language"] as const;

export const AddresseeArchiveSchema = z.strictObject({ reason: text(2000).min(1, "say why") });

export const AddresseeListSchema = z.strictObject({ archived: z.enum(["exclude", "include", "only"]).default("exclude") });

export interface AddresseeView {
  id: string;
  name: string;
  title: string;
  organisation: string;
  postalAddress: string;
  email: string;
  fax: string;
  salutation: string;
  language: UrgentLanguage;
  createdAt: Date;
  updatedAt: Date;
  archived: { at: Date; reason: string } | null;
}

type AddresseeRow = Selectable<UrgentAddresseesTable>;

export function addresseeView(row: AddresseeRow): AddresseeView {
  return {
    id: row.id,
    name: row.name,
    title: row.title,
    organisation: row.organisation,
    postalAddress: row.postal_address,
    email: row.email,
    fax: row.fax,
    salutation: row.salutation,
    language: row.language,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    archived: row.archived_at ? { at: row.archived_at, reason: row.archive_reason ?? "" } : null,
  };
}

/** A body read only once the caller is known to be allowed (see records' LazyInput). */
export async function readInput(raw: unknown): Promise<unknown> {
  return typeof raw === "function" ? await (raw as () => Promise<unknown>)() : raw;
}

async function requireAddressees(services: Services, origin: Origin, actor: Actor, action: "urgent.addressee.view" | "urgent.addressee.manage", id: string | null): Promise<void> {
  await requirePermission(services, origin, can(actor, action, { kind: "urgent-actions", orgId: actor.orgId }), actor, action, { type: "urgent-addressee", id });
}

export async function findAddressees(db: Tx, orgId: string, ids: readonly string[]): Promise<AddresseeRow[]> {
  const wanted = ids.filter((id) => UUID.test(id));
  if (wanted.length === 0) return [];
  return db.selectFrom("urgent_addressees").selectAll().where("org_id", "=", orgId).where("id", "in", wanted).execute();
}

async function loadAddressee(db: Tx, actor: Actor, id: string): Promise<AddresseeRow> {
  const [row] = await findAddressees(db, actor.orgId, [id]);
  if (!row) throw new NotFound("no such addressee");
  return row;
}

export async function listAddressees(services: Services, origin: Origin, actor: Actor, raw: unknown = {}): Promise<AddresseeView[]> {
  await requireAddressees(services, origin, actor, "urgent.addressee.view", null);
  const filter = parseInput(AddresseeListSchema, raw);
  let query = services.db.selectFrom("urgent_addressees").selectAll().where("org_id", "=", actor.orgId);
  if (filter.archived === "exclude") query = query.where("archived_at", "is", null);
  if (filter.archived === "only") query = query.where("archived_at", "is not", null);
  const rows = await query.orderBy("name").orderBy("id").limit(1000).execute();
  return rows.map(addresseeView);
}

export async function getAddressee(services: Services, origin: Origin, actor: Actor, id: string): Promise<AddresseeView> {
  await requireAddressees(services, origin, actor, "urgent.addressee.view", null);
  return addresseeView(await loadAddressee(services.db, actor, id));
}

function columns(input: AddresseeInput) {
  return {
    name: input.name,
    title: input.title,
    organisation: input.organisation,
    postal_address: input.postalAddress,
    email: input.email,
    fax: input.fax,
    salutation: input.salutation,
    language: input.language,
  };
}

export async function createAddressee(services: Services, origin: Origin, actor: Actor, raw: unknown): Promise<AddresseeView> {
  await requireAddressees(services, origin, actor, "urgent.addressee.manage", null);
  const input = parseInput(AddresseeSchema, await readInput(raw));
  const id = randomUUID();
  const now = services.now();
  await services.db.transaction().execute(async (tx) => {
    await tx
      .insertInto("urgent_addressees")
      .values({ id, org_id: actor.orgId, ...columns(input), created_by: actor.userId, updated_by: actor.userId, created_at: now, updated_at: now })
      .execute();
    await recordAudit(tx, origin, { orgId: actor.orgId, actorId: actor.userId, action: "urgent.addressee.create", targetType: "urgent-addressee", targetId: id, details: { name: input.name } });
  });
  return addresseeView(await loadAddressee(services.db, actor, id));
}

export async function updateAddressee(services: Services, origin: Origin, actor: Actor, id: string, raw: unknown): Promise<AddresseeView> {
  await requireAddressees(services, origin, actor, "urgent.addressee.manage", UUID.test(id) ? id : null);
  const before = await loadAddressee(services.db, actor, id);
  // Fields not sent keep their values: the API's PATCH sends only what changes, the form sends all.
  const body = await readInput(raw);
  const current = addresseeView(before);
  const merged = body !== null && typeof body === "object" && !Array.isArray(body) ? { ...Object.fromEntries(ADDRESSEE_KEYS.map((k) => [k, current[k]])), ...body } : body;
  const input = parseInput(AddresseeSchema, merged);
  if (before.archived_at) throw new Conflict("this addressee is archived: it cannot be changed");
  const changed = Object.entries(columns(input))
    .filter(([key, value]) => before[key as keyof AddresseeRow] !== value)
    .map(([key]) => key);
  await services.db.transaction().execute(async (tx) => {
    await tx.updateTable("urgent_addressees").set({ ...columns(input), updated_by: actor.userId, updated_at: services.now() }).where("id", "=", before.id).execute();
    await recordAudit(tx, origin, { orgId: actor.orgId, actorId: actor.userId, action: "urgent.addressee.update", targetType: "urgent-addressee", targetId: before.id, details: { changed } });
  });
  return addresseeView(await loadAddressee(services.db, actor, id));
}

export async function archiveAddressee(services: Services, origin: Origin, actor: Actor, id: string, raw: unknown): Promise<AddresseeView> {
  await requireAddressees(services, origin, actor, "urgent.addressee.manage", UUID.test(id) ? id : null);
  const before = await loadAddressee(services.db, actor, id);
  const { reason } = parseInput(AddresseeArchiveSchema, await readInput(raw));
  if (before.archived_at) throw new Conflict("this addressee is already archived");
  await services.db.transaction().execute(async (tx) => {
    await tx.updateTable("urgent_addressees").set({ archived_at: services.now(), archived_by: actor.userId, archive_reason: reason, updated_at: services.now() }).where("id", "=", before.id).execute();
    await recordAudit(tx, origin, { orgId: actor.orgId, actorId: actor.userId, action: "urgent.addressee.archive", targetType: "urgent-addressee", targetId: before.id, details: { reason } });
  });
  return addresseeView(await loadAddressee(services.db, actor, id));
}
