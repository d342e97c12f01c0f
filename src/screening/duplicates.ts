// Probable duplicates among the records: each record of a page (most recently changed first) is
// matched, through the names index, against every record the caller may see, and each pair that
// scores at or above the threshold is proposed once, with its score and explanation. A pair a person
// has set aside (rejected) is remembered and never proposed again; accepting merges the two through
// the records service's reversible merge.
//
// Permissions: the records of a page come from the records service's visibility rule, their names
// from what the caller may read of them (viewEntities), and their candidates from matchPrepared,
// which applies the same rule; so a pair never involves, and an explanation never quotes, a record
// or a name the caller may not see.
import { z } from "zod";
import { can, Invalid, NotFound, type Actor, type FieldErrors } from "../core/index.ts";
import type { Origin, Services } from "../context.ts";
import { recordAudit, requirePermission } from "../audit/index.ts";
import { parseInput } from "../accounts/index.ts";
import { mergeEntities, viewEntities, visibleIds, visibleRecords, type EntityView } from "../records/index.ts";
import { DEFAULT_THRESHOLD, type MatchResult } from "../names/index.ts";
import { isMatchable, namesOf } from "./entity-names.ts";
import { DEFAULT_LIST, matchPrepared, prepareQuery, type PreparedQuery } from "./match.ts";

/** Records of the organisation checked per page. */
export const DUPLICATE_PAGE = 100;

const Uuid = z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/, "not a record id");
const Reason = z.string().trim().min(1, "say why").max(2000, "at most 2000 characters");

export const DuplicatesQuerySchema = z.object({
  /** Continue after this point of the previous page (opaque). */
  after: z.string().max(200).optional(),
  threshold: z.coerce.number().min(0.5, "at least 0.5").max(1, "at most 1").optional(),
});
export const RejectDuplicateSchema = z.strictObject({ a: Uuid, b: Uuid, reason: Reason });
export const AcceptDuplicateSchema = z.strictObject({
  /** The record that stays. */
  keep: Uuid,
  /** The record merged into it. */
  merge: Uuid,
  keepRevision: z.coerce.number().int().min(1),
  mergeRevision: z.coerce.number().int().min(1),
  reason: Reason,
});

export interface DuplicateSide {
  id: string;
  schema: string;
  caption: string;
  revision: number;
  properties: Record<string, string[]>;
}

export interface DuplicatePair {
  a: DuplicateSide;
  b: DuplicateSide;
  result: MatchResult;
}

export interface DuplicatePage {
  pairs: DuplicatePair[];
  /** The records checked on this page: their number, and where the next page starts (null: none). */
  checked: number;
  next: string | null;
  threshold: number;
}

function side(view: EntityView): DuplicateSide {
  return { id: view.id, schema: view.schema, caption: view.properties.name?.[0] ?? namesOf(view.properties)[0] ?? view.id, revision: view.revision, properties: view.properties };
}

const ordered = (x: string, y: string): [string, string] => (x < y ? [x, y] : [y, x]);

function encodeCursor(updatedAt: Date, id: string): string {
  return Buffer.from(`${updatedAt.toISOString()}|${id}`).toString("base64url");
}

function decodeCursor(cursor: string): { updatedAt: Date; id: string } {
  const [at, id] = Buffer.from(cursor, "base64url").toString("utf8").split("|");
  const updatedAt = new Date(at ?? "");
  if (!id || !Uuid.safeParse(id).success || Number.isNaN(updatedAt.getTime())) throw new Invalid("this page link is not valid", { after: "start again from the first page" });
  return { updatedAt, id };
}

async function requireReviewing(services: Services, origin: Origin, actor: Actor, target: string | null): Promise<void> {
  await requirePermission(services, origin, can(actor, "names.review-duplicates", { kind: "records", orgId: actor.orgId }), actor, "names.duplicates.review", { type: "entity", id: target });
}

/** A page of probable duplicates among the records the caller may see, most recently changed first. */
export async function findDuplicates(services: Services, origin: Origin, actor: Actor, raw: unknown): Promise<DuplicatePage> {
  await requireReviewing(services, origin, actor, null);
  const input = parseInput(DuplicatesQuerySchema, raw);
  const threshold = input.threshold ?? DEFAULT_THRESHOLD;
  let page = visibleRecords(services.db, actor).select(["e.id", "e.updated_at"]).where("e.archived_at", "is", null);
  if (input.after) {
    const after = decodeCursor(input.after);
    page = page.where((eb) => eb(eb.refTuple("e.updated_at", "e.id"), "<", eb.tuple(after.updatedAt, after.id)));
  }
  const rows = await page.orderBy("e.updated_at", "desc").orderBy("e.id", "desc").limit(DUPLICATE_PAGE + 1).execute();
  const checked = rows.slice(0, DUPLICATE_PAGE);
  const views = new Map((await viewEntities(services, actor, checked.map((r) => r.id))).map((v) => [v.id, v]));
  const queries: { view: EntityView; query: PreparedQuery }[] = [];
  for (const row of checked) {
    const view = views.get(row.id);
    if (!view || !isMatchable(view.schema)) continue;
    // What the caller may read of the record is what it is matched by.
    const query = prepareQuery({ schema: view.schema, properties: view.properties }, "record", {});
    if (query) queries.push({ view, query });
  }
  const found = new Map<string, { a: string; b: string; result: MatchResult }>();
  for (let i = 0; i < queries.length; i += 50) {
    const batch = queries.slice(i, i + 50);
    const matches = await matchPrepared(services, actor, DEFAULT_LIST, batch.map((q) => q.query), { threshold, limit: 6 });
    batch.forEach((q, j) => {
      for (const m of matches[j]!.results) {
        if (m.id === q.view.id || m.result.score < threshold) continue;
        const [a, b] = ordered(q.view.id, m.id);
        const key = `${a}|${b}`;
        if (!found.has(key) || found.get(key)!.result.score < m.result.score) found.set(key, { a, b, result: m.result });
      }
    });
  }
  const candidates = [...found.values()];
  const rejected = new Set<string>();
  for (let i = 0; i < candidates.length; i += 1000) {
    const chunk = candidates.slice(i, i + 1000);
    const rows = await services.db
      .selectFrom("duplicate_rejections")
      .select(["entity_a", "entity_b"])
      .where("org_id", "=", actor.orgId)
      .where((eb) => eb.or(chunk.map((p) => eb.and([eb("entity_a", "=", p.a), eb("entity_b", "=", p.b)]))))
      .execute();
    for (const r of rows) rejected.add(`${r.entity_a}|${r.entity_b}`);
  }
  const kept = candidates.filter((p) => !rejected.has(`${p.a}|${p.b}`));
  const others = await viewEntities(services, actor, [...new Set(kept.flatMap((p) => [p.a, p.b]))].filter((id) => !views.has(id)));
  for (const v of others) views.set(v.id, v);
  const pairs = kept
    .filter((p) => views.has(p.a) && views.has(p.b))
    .map((p) => ({ a: side(views.get(p.a)!), b: side(views.get(p.b)!), result: p.result }))
    .sort((x, y) => y.result.score - x.result.score || (x.a.id + x.b.id < y.a.id + y.b.id ? -1 : 1));
  const last = checked[checked.length - 1];
  return { pairs, checked: checked.length, next: rows.length > DUPLICATE_PAGE && last ? encodeCursor(last.updated_at, last.id) : null, threshold };
}

/** Sets a pair aside for good: it is not proposed again. Both records must be ones the caller may see. */
export async function rejectDuplicate(services: Services, origin: Origin, actor: Actor, raw: () => Promise<unknown>): Promise<void> {
  await requireReviewing(services, origin, actor, null);
  const input = parseInput(RejectDuplicateSchema, await raw());
  const [a, b] = ordered(input.a, input.b);
  const errors: FieldErrors = {};
  if (a === b) errors.b = "a record is not a duplicate of itself";
  const visible = await visibleIds(services.db, actor, [a, b]);
  if (!visible.has(input.a)) errors.a = "no such record";
  if (!visible.has(input.b)) errors.b = "no such record";
  if (Object.keys(errors).length > 0) throw new Invalid("this pair cannot be set aside", errors);
  await services.db.transaction().execute(async (tx) => {
    await tx
      .insertInto("duplicate_rejections")
      .values({ org_id: actor.orgId, entity_a: a, entity_b: b, rejected_by: actor.userId, rejected_at: services.now(), reason: input.reason })
      .onConflict((oc) => oc.columns(["org_id", "entity_a", "entity_b"]).doNothing())
      .execute();
    await recordAudit(tx, origin, { orgId: actor.orgId, actorId: actor.userId, action: "names.duplicates.reject", targetType: "entity", targetId: a, details: { other: b, reason: input.reason } });
  });
}

/** Accepts a pair: merges one record into the other through the records service (which checks, audits and can undo it). */
export async function acceptDuplicate(services: Services, origin: Origin, actor: Actor, raw: () => Promise<unknown>): Promise<{ mergeId: string; kept: string }> {
  await requireReviewing(services, origin, actor, null);
  const input = parseInput(AcceptDuplicateSchema, await raw());
  try {
    const merge = await mergeEntities(services, origin, actor, input.keep, { duplicate: input.merge, reason: input.reason, revision: input.keepRevision, duplicateRevision: input.mergeRevision });
    return { mergeId: merge.id, kept: merge.target };
  } catch (error) {
    if (error instanceof NotFound) throw new Invalid("there is no such record to keep", { keep: "no such record" });
    throw error;
  }
}
