// Sanctions and watch lists kept as named lists: who publishes each, whose measures it carries
// (the jurisdictions), its versions (one per file imported, with the file's name, SHA-256 and the
// list's own publication date), and its entries in FollowTheMoney shape with their history.
// Every member but a partner reads them; administrators and editors import them.
import { randomUUID } from "node:crypto";
import { sql } from "kysely";
import { z } from "zod";
import { can, NotFound, type Actor } from "../core/index.ts";
import type { Origin, Services, Tx } from "../context.ts";
import { recordAudit, requirePermission } from "../audit/index.ts";
import { parseInput } from "../accounts/index.ts";
import type { SanctionsImportsTable } from "../db/schema.ts";
import type { Selectable } from "kysely";

/** Whose measures a list carries. */
export const JURISDICTIONS = ["US", "UK", "EU", "CA", "AU", "UN", "CH", "JP", "NZ"] as const;
export type Jurisdiction = (typeof JURISDICTIONS)[number];
export const LIST_KINDS = ["sanctions", "watch", "trade"] as const;
export type ListKind = (typeof LIST_KINDS)[number];

export const LIST_NAME = /^[a-z0-9][a-z0-9_-]{0,63}$/;
export const ENTRY_PAGE = 100;

export const ListNameSchema = z.string().trim().regex(LIST_NAME, "lowercase letters, digits, - and _, at most 64, starting with a letter or digit");

export const ListSettingsSchema = z.strictObject({
  name: ListNameSchema,
  title: z.string().trim().min(1, "give the list a title").max(200, "at most 200 characters"),
  publisher: z.string().trim().max(200, "at most 200 characters").optional(),
  jurisdictions: z.array(z.enum(JURISDICTIONS, `one of ${JURISDICTIONS.join(", ")}`)).max(JURISDICTIONS.length).default([]),
  kind: z.enum(LIST_KINDS, "sanctions, watch or trade").default("sanctions"),
});
export type ListSettings = z.infer<typeof ListSettingsSchema>;

export interface ListVersion {
  id: string;
  version: number | null;
  state: "received" | "importing" | "imported" | "failed";
  format: string;
  filename: string;
  sha256: string;
  byteSize: number;
  publishedOn: string | null;
  skipBad: boolean;
  linesRead: number;
  added: number;
  changed: number;
  delisted: number;
  unchanged: number;
  rejected: number;
  errors: { line: number; reason: string }[];
  error: string | null;
  jobId: string | null;
  createdAt: Date;
  finishedAt: Date | null;
}

export interface ListSummary {
  id: string;
  name: string;
  title: string;
  publisher: string | null;
  jurisdictions: Jurisdiction[];
  kind: ListKind;
  createdAt: Date;
  /** The latest imported version, or null before the first import. */
  current: ListVersion | null;
  listed: number;
  delisted: number;
}

export interface ListView extends ListSummary {
  /** Every import, newest first (imported and refused). */
  versions: ListVersion[];
}

export interface EntryView {
  id: string;
  sourceId: string;
  schema: string;
  caption: string;
  properties: Record<string, string[]>;
  programs: string[];
  listedIn: number | null;
  changedIn: number | null;
  delistedIn: number | null;
  status: "listed" | "delisted";
}

export interface EntryHistory {
  entry: EntryView;
  list: { name: string; title: string };
  changes: { version: number | null; change: "listed" | "changed" | "delisted" | "relisted"; previous: { schema: string; properties: Record<string, string[]>; programs: string[] } | null; at: Date }[];
}

export function sanctionsSubject(actor: Actor) {
  return { kind: "sanctions" as const, orgId: actor.orgId };
}

export async function requireSanctions(services: Services, origin: Origin, actor: Actor, action: "sanctions.view" | "sanctions.import" | "sanctions.review"): Promise<void> {
  await requirePermission(services, origin, can(actor, action, sanctionsSubject(actor)), actor, action, { type: "sanctions", id: null });
}

export function versionOf(row: Selectable<SanctionsImportsTable>): ListVersion {
  return {
    id: row.id,
    version: row.version,
    state: row.state,
    format: row.format,
    filename: row.filename,
    sha256: row.sha256,
    byteSize: row.byte_size,
    publishedOn: row.published_on,
    skipBad: row.skip_bad,
    linesRead: row.lines_read,
    added: row.added,
    changed: row.changed,
    delisted: row.delisted,
    unchanged: row.unchanged,
    rejected: row.rejected,
    errors: (typeof row.errors === "string" ? JSON.parse(row.errors) : row.errors) as { line: number; reason: string }[],
    error: row.error,
    jobId: row.job_id,
    createdAt: row.created_at,
    finishedAt: row.finished_at,
  };
}

interface ListRow {
  id: string;
  name: string;
  title: string;
  publisher: string | null;
  jurisdictions: string[];
  kind: ListKind;
  created_at: Date;
}

async function summaries(db: Tx, orgId: string, name: string | null): Promise<ListSummary[]> {
  let q = db.selectFrom("sanctions_lists").select(["id", "name", "title", "publisher", "jurisdictions", "kind", "created_at"]).where("org_id", "=", orgId);
  if (name !== null) q = q.where("name", "=", name);
  const lists = (await q.orderBy("name").execute()) as ListRow[];
  if (lists.length === 0) return [];
  const ids = lists.map((l) => l.id);
  const current = await db
    .selectFrom("sanctions_imports as i")
    .selectAll("i")
    .where("i.list_id", "in", ids)
    .where("i.state", "=", "imported")
    .where("i.version", "=", (eb) => eb.selectFrom("sanctions_imports as j").select((e) => e.fn.max("j.version").as("v")).whereRef("j.list_id", "=", "i.list_id"))
    .execute();
  const counts = await db
    .selectFrom("sanctions_entries")
    .select(["list_id", sql<number>`count(*) FILTER (WHERE delisted_in IS NULL)::int`.as("listed"), sql<number>`count(*) FILTER (WHERE delisted_in IS NOT NULL)::int`.as("delisted")])
    .where("list_id", "in", ids)
    .groupBy("list_id")
    .execute();
  return lists.map((l) => {
    const c = counts.find((x) => x.list_id === l.id);
    const v = current.find((x) => x.list_id === l.id);
    return {
      id: l.id, name: l.name, title: l.title, publisher: l.publisher, jurisdictions: l.jurisdictions as Jurisdiction[], kind: l.kind, createdAt: l.created_at,
      current: v ? versionOf(v) : null, listed: c?.listed ?? 0, delisted: c?.delisted ?? 0,
    };
  });
}

export async function listSanctionsLists(services: Services, origin: Origin, actor: Actor): Promise<ListSummary[]> {
  await requireSanctions(services, origin, actor, "sanctions.view");
  return summaries(services.db, actor.orgId, null);
}

/** A list of the caller's organisation by name; another organisation's is never found. */
export async function findListRow(db: Tx, actor: Actor, name: string): Promise<ListRow> {
  const row = LIST_NAME.test(name) ? await db.selectFrom("sanctions_lists").select(["id", "name", "title", "publisher", "jurisdictions", "kind", "created_at"]).where("org_id", "=", actor.orgId).where("name", "=", name).executeTakeFirst() : undefined;
  if (!row) throw new NotFound("no such list");
  return row as ListRow;
}

export async function getSanctionsList(services: Services, origin: Origin, actor: Actor, name: string): Promise<ListView> {
  await requireSanctions(services, origin, actor, "sanctions.view");
  const row = await findListRow(services.db, actor, name);
  const [summary] = await summaries(services.db, actor.orgId, row.name);
  const versions = await services.db.selectFrom("sanctions_imports").selectAll().where("list_id", "=", row.id).orderBy("created_at", "desc").limit(200).execute();
  return { ...summary!, versions: versions.map(versionOf) };
}

/**
 * The list named `settings.name`, made now when it does not exist (inside the caller's
 * transaction). An existing list keeps its settings: a file never renames a list.
 */
export async function ensureList(tx: Tx, origin: Origin, actor: Actor, settings: ListSettings, now: Date): Promise<{ id: string; created: boolean }> {
  const existing = await tx.selectFrom("sanctions_lists").select("id").where("org_id", "=", actor.orgId).where("name", "=", settings.name).executeTakeFirst();
  if (existing) return { id: existing.id, created: false };
  const id = randomUUID();
  await tx
    .insertInto("sanctions_lists")
    .values({ id, org_id: actor.orgId, name: settings.name, title: settings.title, publisher: settings.publisher ?? null, jurisdictions: settings.jurisdictions, kind: settings.kind, created_by: actor.userId, created_at: now })
    .onConflict((oc) => oc.columns(["org_id", "name"]).doNothing())
    .execute();
  const row = await tx.selectFrom("sanctions_lists").select("id").where("org_id", "=", actor.orgId).where("name", "=", settings.name).executeTakeFirstOrThrow();
  if (row.id === id) await recordAudit(tx, origin, { orgId: actor.orgId, actorId: actor.userId, action: "sanctions.list.create", targetType: "sanctions-list", targetId: id, details: { name: settings.name, jurisdictions: settings.jurisdictions } });
  return { id: row.id, created: row.id === id };
}

export const EntryQuerySchema = z.strictObject({
  q: z.string().trim().max(200, "at most 200 characters").optional(),
  status: z.enum(["listed", "delisted", "all"]).default("all"),
  /** Entries added, changed or delisted by this version. */
  version: z.coerce.number().int().min(1).max(1_000_000).optional(),
  change: z.enum(["added", "changed", "delisted"]).optional(),
  page: z.coerce.number().int().min(1).max(100_000).default(1),
});

function entryOf(r: { id: string; source_id: string; schema: string; caption: string; properties: unknown; programs: string[]; listed_v: number | null; changed_v: number | null; delisted_v: number | null; delisted_in: string | null }): EntryView {
  return {
    id: r.id, sourceId: r.source_id, schema: r.schema, caption: r.caption,
    properties: (typeof r.properties === "string" ? JSON.parse(r.properties) : r.properties) as Record<string, string[]>,
    programs: r.programs, listedIn: r.listed_v, changedIn: r.changed_v, delistedIn: r.delisted_v, status: r.delisted_in ? "delisted" : "listed",
  };
}

function entrySelect(db: Tx) {
  return db
    .selectFrom("sanctions_entries as e")
    .leftJoin("sanctions_imports as li", "li.id", "e.listed_in")
    .leftJoin("sanctions_imports as ci", "ci.id", "e.changed_in")
    .leftJoin("sanctions_imports as di", "di.id", "e.delisted_in")
    .select(["e.id", "e.source_id", "e.schema", "e.caption", "e.properties", "e.programs", "e.delisted_in", "li.version as listed_v", "ci.version as changed_v", "di.version as delisted_v"]);
}

/** A page of a list's entries, filtered by name, status, or what one version changed. */
export async function listEntries(services: Services, origin: Origin, actor: Actor, name: string, raw: unknown): Promise<{ list: ListSummary; entries: EntryView[]; total: number; page: number }> {
  await requireSanctions(services, origin, actor, "sanctions.view");
  const query = parseInput(EntryQuerySchema, raw);
  const row = await findListRow(services.db, actor, name);
  const [list] = await summaries(services.db, actor.orgId, row.name);
  let q = entrySelect(services.db).where("e.list_id", "=", row.id);
  if (query.status === "listed") q = q.where("e.delisted_in", "is", null);
  if (query.status === "delisted") q = q.where("e.delisted_in", "is not", null);
  if (query.q) q = q.where(sql<boolean>`lower(e.caption) LIKE ${"%" + query.q.toLowerCase().replace(/[\\%_]/g, (c) => "\\" + c) + "%"}`);
  if (query.version !== undefined) {
    const v = await services.db.selectFrom("sanctions_imports").select("id").where("list_id", "=", row.id).where("version", "=", query.version).executeTakeFirst();
    const id = v?.id ?? "00000000-0000-0000-0000-000000000000";
    const change = query.change;
    q = q.where((eb) => {
      const added = eb("e.listed_in", "=", id);
      const changed = eb.exists(eb.selectFrom("sanctions_entry_changes as c").select("c.entry_id").whereRef("c.entry_id", "=", "e.id").where("c.import_id", "=", id).where("c.change", "in", change === "delisted" ? ["delisted"] : change === "changed" ? ["changed"] : change === "added" ? ["relisted"] : ["changed", "delisted", "relisted"]));
      return change === "added" ? eb.or([added, changed]) : change ? changed : eb.or([added, changed]);
    });
  }
  const total = (await q.clearSelect().select(sql<number>`count(*)::int`.as("n")).executeTakeFirstOrThrow()).n;
  const rows = await q.orderBy("e.caption").orderBy("e.id").limit(ENTRY_PAGE).offset((query.page - 1) * ENTRY_PAGE).execute();
  return { list: list!, entries: rows.map(entryOf), total, page: query.page };
}

export async function entryHistory(services: Services, origin: Origin, actor: Actor, name: string, entryId: string): Promise<EntryHistory> {
  await requireSanctions(services, origin, actor, "sanctions.view");
  const list = await findListRow(services.db, actor, name);
  const row = /^[0-9a-f-]{36}$/.test(entryId) ? await entrySelect(services.db).where("e.list_id", "=", list.id).where("e.id", "=", entryId).executeTakeFirst() : undefined;
  if (!row) throw new NotFound("no such entry");
  const first = await services.db.selectFrom("sanctions_entries as e").innerJoin("sanctions_imports as i", "i.id", "e.listed_in").select(["i.version", "i.created_at"]).where("e.id", "=", entryId).executeTakeFirstOrThrow();
  const changes = await services.db
    .selectFrom("sanctions_entry_changes as c")
    .innerJoin("sanctions_imports as i", "i.id", "c.import_id")
    .select(["c.change", "c.previous", "i.version", "i.created_at"])
    .where("c.entry_id", "=", entryId)
    .orderBy("i.created_at")
    .execute();
  return {
    entry: entryOf(row),
    list: { name: list.name, title: list.title },
    changes: [
      { version: first.version, change: "listed", previous: null, at: first.created_at },
      ...changes.map((c) => ({ version: c.version, change: c.change, previous: (typeof c.previous === "string" ? JSON.parse(c.previous) : c.previous) as { schema: string; properties: Record<string, string[]>; programs: string[] }, at: c.created_at })),
    ],
  };
}

/**
 * A list's entries as FollowTheMoney JSON lines, in pages: each listed entry, and beside one with
 * programmes a Sanction entity naming them (FtM keeps programmes on the Sanction, not the target).
 */
export async function* exportListFtm(services: Services, origin: Origin, actor: Actor, name: string): AsyncGenerator<string> {
  await requireSanctions(services, origin, actor, "sanctions.view");
  const list = await findListRow(services.db, actor, name);
  let after = "";
  for (;;) {
    const rows = await services.db.selectFrom("sanctions_entries").select(["source_id", "schema", "properties", "programs"]).where("list_id", "=", list.id).where("delisted_in", "is", null).where("source_id", ">", after).orderBy("source_id").limit(1000).execute();
    if (rows.length === 0) return;
    let out = "";
    for (const r of rows) {
      const properties = (typeof r.properties === "string" ? JSON.parse(r.properties) : r.properties) as Record<string, string[]>;
      out += JSON.stringify({ id: r.source_id, schema: r.schema, properties, datasets: [list.name], target: true }) + "\n";
      if (r.programs.length > 0) {
        const sanction = { entity: [r.source_id], program: r.programs, ...(list.publisher ? { authority: [list.publisher] } : {}) };
        out += JSON.stringify({ id: `${r.source_id}-sanction`, schema: "Sanction", properties: sanction, datasets: [list.name] }) + "\n";
      }
    }
    yield out;
    after = rows[rows.length - 1]!.source_id;
  }
}
