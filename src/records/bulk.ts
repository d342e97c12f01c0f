// Bulk actions over many records: tag, untag, assign, unassign, archive with a reason. An operation
// is written down first (bulk_operations), then run a batch per transaction, keyset by record id,
// so 100,000 records never sit in memory and an interrupted run resumes where it stopped. Each
// batch re-reads the actor's role, so a person demoted or deactivated mid-run stops their run.
// More than one batch runs as a background job (records.bulk), queued with the operation.
// Cancelling stops it between two batches: it ends as cancelled, with the batches done so far.
import { randomUUID } from "node:crypto";
import { sql } from "kysely";
import { z } from "zod";
import { can, Conflict, Invalid, isRole, NotFound, type Action, type Actor, type Scope } from "../core/index.ts";
import type { Origin, Services, Tx } from "../context.ts";
import type { BulkOperationRow, EntityRow } from "../db/index.ts";
import { recordAudit, requirePermission } from "../audit/index.ts";
import { parseInput } from "../accounts/index.ts";
import { cancelJob, defineJob, enqueueJob, JobInterrupted } from "../jobs/index.ts";
import { refreshNameKeys } from "../screening/index.ts";
import { refreshSearchDocuments } from "../search/index.ts";
import { recordsChanged } from "./changes.ts";
import { anyRecord, UUID, visibleRecords } from "./access.ts";
import { applyEntityFilter, inputOf, type EntityFilter } from "./entities.ts";
import { EntityListSchema, ReasonSchema, TagSchema } from "./input.ts";
import { requireMember } from "./teams.ts";

export const BULK_ACTIONS = ["tag", "untag", "assign", "unassign", "archive"] as const;
export type BulkAction = (typeof BULK_ACTIONS)[number];

/** At most this many ids in one request (a larger selection is given as a filter). */
export const MAX_BULK_IDS = 10_000;
/** Records per transaction; an operation over more runs as a background job. */
export const BULK_BATCH = 1_000;
export const BULK_JOB = "records.bulk";

const FilterSchema = EntityListSchema.omit({ cursor: true, limit: true });

export const BulkSchema = z
  .strictObject({
    action: z.enum(BULK_ACTIONS),
    tag: TagSchema.optional(),
    user: z.uuid("the id of a member of your organisation").optional(),
    reason: ReasonSchema.optional(),
    /** The records, by id; or `filter`, the same filter as the list. */
    ids: z.array(z.uuid()).min(1, "name at least one record").max(MAX_BULK_IDS, `at most ${MAX_BULK_IDS} ids: use a filter for more`).optional(),
    filter: FilterSchema.optional(),
  })
  .superRefine((input, ctx) => {
    if ((input.ids === undefined) === (input.filter === undefined)) ctx.addIssue({ code: "custom", path: ["ids"], message: "give either ids or a filter" });
    if ((input.action === "tag" || input.action === "untag") && input.tag === undefined) ctx.addIssue({ code: "custom", path: ["tag"], message: "required" });
    if (input.action === "assign" && input.user === undefined) ctx.addIssue({ code: "custom", path: ["user"], message: "required" });
    if (input.action === "archive" && input.reason === undefined) ctx.addIssue({ code: "custom", path: ["reason"], message: "say why" });
  });
export type BulkInput = z.infer<typeof BulkSchema>;

export interface BulkOperationView {
  id: string;
  action: BulkAction;
  status: "pending" | "running" | "done" | "failed" | "cancelled";
  /** Records selected when the operation was made. */
  total: number;
  /** Records gone through so far, and of those, the ones the action changed (an existing tag is not added twice). */
  processed: number;
  changed: number;
  error: string | null;
  createdAt: Date;
  finishedAt: Date | null;
}

interface Params {
  tag?: string;
  user?: string;
  reason?: string;
  scopes: readonly Scope[] | null;
}

interface Selection {
  ids?: string[];
  filter?: Omit<EntityFilter, "cursor" | "limit">;
}

function actionPermission(action: BulkAction): Action {
  return action === "archive" ? "record.archive" : "record.edit";
}

function view(row: BulkOperationRow): BulkOperationView {
  return { id: row.id, action: row.action, status: row.status, total: row.total, processed: row.processed, changed: row.changed, error: row.error, createdAt: row.created_at, finishedAt: row.finished_at };
}

/** The records of a selection the actor may see, after `cursor` when given, in id order. */
function selected(db: Tx, actor: Actor, selection: Selection, createdBefore: Date, cursor: string | null = null) {
  let query = visibleRecords(db, actor);
  if (selection.ids) query = query.where("e.id", "in", selection.ids);
  // Records made after the operation are not part of it: a filter is a snapshot, not a subscription.
  if (selection.filter) query = applyEntityFilter(query, actor, selection.filter, cursor ? { after: cursor } : {}).where("e.created_at", "<=", createdBefore);
  if (cursor) query = query.where("e.id", ">", cursor);
  return query;
}

/**
 * Records the operation and counts what it will go through. Up to `inlineLimit` records, the caller
 * runs it (runBulkOperation); beyond, a background job is queued in the same transaction.
 */
export async function startBulkOperation(services: Services, origin: Origin, actor: Actor, raw: unknown, options: { inlineLimit?: number } = {}): Promise<BulkOperationView> {
  await requirePermission(services, origin, can(actor, "record.edit", anyRecord(actor)), actor, "record.bulk", { type: "entity", id: null });
  const input = parseInput(BulkSchema, await inputOf(raw));
  const permission = actionPermission(input.action);
  await requirePermission(services, origin, can(actor, permission, anyRecord(actor)), actor, permission, { type: "entity", id: null });
  if (input.user !== undefined) {
    await requireMember(services.db, actor, input.user);
    const role = await services.db.selectFrom("memberships").select("role").where("org_id", "=", actor.orgId).where("user_id", "=", input.user).executeTakeFirstOrThrow();
    if (role.role === "partner") throw new Invalid("a partner cannot be assigned records", { user: "a partner sees no records" });
  }
  const selection: Selection = input.ids ? { ids: [...new Set(input.ids.map((id) => id.toLowerCase()))].sort() } : { filter: input.filter! };
  const now = services.now();
  const counted = await selected(services.db, actor, selection, now)
    .clearSelect()
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .executeTakeFirstOrThrow();
  const total = Number(counted.n);
  const params: Params = { tag: input.tag, user: input.user, reason: input.reason, scopes: actor.scopes };
  const id = randomUUID();
  await services.db.transaction().execute(async (tx) => {
    await tx
      .insertInto("bulk_operations")
      .values({ id, org_id: actor.orgId, actor_id: actor.userId, action: input.action, params: JSON.stringify(params), selection: JSON.stringify(selection), status: total === 0 ? "done" : "pending", total, created_at: now, updated_at: now, finished_at: total === 0 ? now : null })
      .execute();
    await recordAudit(tx, origin, { orgId: actor.orgId, actorId: actor.userId, action: `record.bulk.${input.action}`, targetType: "bulk", targetId: id, details: { total, ...(input.tag ? { tag: input.tag } : {}), ...(input.user ? { user: input.user } : {}) } });
    if (total > (options.inlineLimit ?? BULK_BATCH)) {
      await enqueueJob(services, tx, { kind: BULK_JOB, payload: { operation: id }, orgId: actor.orgId, ownerId: actor.userId, uniqueKey: id });
    }
  });
  return view(await services.db.selectFrom("bulk_operations").selectAll().where("id", "=", id).executeTakeFirstOrThrow());
}

/** The actor as it stands now: a member who left, was deactivated or lost the role stops the run. */
async function currentActor(tx: Tx, row: BulkOperationRow, params: Params): Promise<Actor | null> {
  const member = await tx
    .selectFrom("memberships as m")
    .innerJoin("users as u", "u.id", "m.user_id")
    .select(["m.role", "u.deactivated_at"])
    .where("m.org_id", "=", row.org_id)
    .where("m.user_id", "=", row.actor_id)
    .executeTakeFirst();
  if (!member || member.deactivated_at !== null || !isRole(member.role)) return null;
  const actor: Actor = { userId: row.actor_id, orgId: row.org_id, role: member.role, scopes: params.scopes };
  return can(actor, actionPermission(row.action), anyRecord(actor)) ? actor : null;
}

/**
 * Runs the next batch of an operation in one transaction and returns where it stands. Safe to call
 * from several processes: the operation's row is locked for the batch, and a finished one is left
 * alone. `fence`, from a job, is checked just before the batch commits.
 */
export async function runBulkBatch(services: Services, origin: Origin, operationId: string, batchSize = BULK_BATCH, fence?: (tx: Tx) => Promise<void>): Promise<BulkOperationView> {
  return services.db.transaction().execute(async (tx) => {
    const row = await tx.selectFrom("bulk_operations").selectAll().where("id", "=", operationId).forUpdate().executeTakeFirst();
    if (!row) throw new NotFound("no such bulk operation");
    if (isFinished(row.status)) return view(row);
    const params = row.params as unknown as Params;
    const now = services.now();
    const actor = await currentActor(tx, row, params);
    if (!actor) {
      const failed = await tx.updateTable("bulk_operations").set({ status: "failed", error: "the person who started it may no longer do this", updated_at: now, finished_at: now }).where("id", "=", row.id).returningAll().executeTakeFirstOrThrow();
      return view(failed);
    }
    const batch = await selected(tx, actor, row.selection as Selection, row.created_at, row.cursor).orderBy("e.id").limit(batchSize).execute();
    const changed = batch.length === 0 ? 0 : await applyAction(tx, services, origin, actor, row, params, batch, now);
    const finished = batch.length < batchSize;
    if (fence) await fence(tx);
    const updated = await tx
      .updateTable("bulk_operations")
      .set({
        status: finished ? "done" : "running",
        processed: sql<number>`processed + ${batch.length}`,
        changed: sql<number>`changed + ${changed}`,
        cursor: batch.length > 0 ? batch[batch.length - 1]!.id : row.cursor,
        updated_at: now,
        finished_at: finished ? now : null,
      })
      .where("id", "=", row.id)
      .returningAll()
      .executeTakeFirstOrThrow();
    return view(updated);
  });
}

/** Runs an operation batch after batch until it is done (or fails); for a job, or inline for small ones. */
export async function runBulkOperation(services: Services, origin: Origin, operationId: string, batchSize = BULK_BATCH): Promise<BulkOperationView> {
  for (;;) {
    const state = await runBulkBatch(services, origin, operationId, batchSize);
    if (isFinished(state.status)) return state;
  }
}

const BulkJobPayload = z.strictObject({ operation: z.uuid() });

/**
 * The background job of a large operation: a batch per transaction, each committed only while this
 * worker holds the job, progress reported to its author. A worker that stops hands the job on, and
 * the next resumes from the operation's cursor.
 */
export const bulkJob = defineJob<z.infer<typeof BulkJobPayload>>({
  kind: BULK_JOB,
  parse: (raw) => BulkJobPayload.parse(raw),
  async run(ctx) {
    const origin: Origin = { requestId: `job:${ctx.job.id}`, ip: null, userAgent: null };
    try {
      for (;;) {
        const state = await runBulkBatch(ctx.services, origin, ctx.payload.operation, BULK_BATCH, (tx) => ctx.fence(tx));
        await ctx.progress(state.processed, state.total, state.status);
        if (isFinished(state.status)) return { status: state.status, processed: state.processed, changed: state.changed, error: state.error };
      }
    } catch (error) {
      // The batch being written when the cancellation came was rolled back by the fence: what
      // the operation counts as processed is exactly what was committed.
      if (error instanceof JobInterrupted && error.why === "cancelled") await endOperation(ctx.services, ctx.payload.operation, "cancelled", null);
      throw error;
    }
  },
});

function isFinished(status: BulkOperationView["status"]): boolean {
  return status === "done" || status === "failed" || status === "cancelled";
}

/** Ends an operation still open (pending or running), keeping the counts of what it did. */
async function endOperation(services: Services, id: string, status: "cancelled" | "failed", error: string | null): Promise<void> {
  const now = services.now();
  await services.db.updateTable("bulk_operations").set({ status, error, updated_at: now, finished_at: now }).where("id", "=", id).where("status", "in", ["pending", "running"]).execute();
}

/**
 * An open operation whose job has ended without it (cancelled while queued, or after its worker
 * died; failed for good) ends the same way: it is never left showing "running" for ever.
 */
async function settleWithJob(services: Services, row: BulkOperationRow): Promise<BulkOperationRow> {
  if (isFinished(row.status)) return row;
  const job = await services.db.selectFrom("jobs").select(["state", "last_error"]).where("kind", "=", BULK_JOB).where("unique_key", "=", row.id).executeTakeFirst();
  if (job?.state === "cancelled") await endOperation(services, row.id, "cancelled", null);
  else if (job?.state === "failed") await endOperation(services, row.id, "failed", job.last_error ?? "the background job failed");
  else return row;
  return services.db.selectFrom("bulk_operations").selectAll().where("id", "=", row.id).executeTakeFirstOrThrow();
}

async function loadOperation(services: Services, origin: Origin, actor: Actor, id: string): Promise<BulkOperationRow> {
  await requirePermission(services, origin, can(actor, "record.list", { kind: "records", orgId: actor.orgId }), actor, "record.list", { type: "bulk", id: null });
  const row = UUID.test(id) ? await services.db.selectFrom("bulk_operations").selectAll().where("id", "=", id).where("org_id", "=", actor.orgId).executeTakeFirst() : undefined;
  // Its author and administrators follow an operation; to anyone else it does not exist.
  if (!row || (row.actor_id !== actor.userId && actor.role !== "admin")) throw new NotFound("no such bulk operation");
  return settleWithJob(services, row);
}

/**
 * Cancels an operation that has not finished (its author or an administrator). Queued, it ends at
 * once; running, its job is asked to stop and ends it as cancelled after the batch in hand, which
 * is rolled back. Records already changed stay changed: the operation says how many.
 */
export async function cancelBulkOperation(services: Services, origin: Origin, actor: Actor, id: string): Promise<BulkOperationView> {
  const row = await loadOperation(services, origin, actor, id);
  if (isFinished(row.status)) throw new Conflict("the bulk change has already ended: it cannot be cancelled now");
  const job = await services.db.selectFrom("jobs").select("id").where("kind", "=", BULK_JOB).where("unique_key", "=", row.id).executeTakeFirst();
  const state = job ? await cancelJob(services, services.db, job.id) : null;
  if (state !== "running") await endOperation(services, row.id, "cancelled", null);
  await recordAudit(services.db, origin, { orgId: actor.orgId, actorId: actor.userId, action: "record.bulk.cancel", targetType: "bulk", targetId: row.id });
  return view(await services.db.selectFrom("bulk_operations").selectAll().where("id", "=", row.id).executeTakeFirstOrThrow());
}

export async function getBulkOperation(services: Services, origin: Origin, actor: Actor, id: string): Promise<BulkOperationView> {
  return view(await loadOperation(services, origin, actor, id));
}

async function applyAction(tx: Tx, services: Services, origin: Origin, actor: Actor, row: BulkOperationRow, params: Params, batch: EntityRow[], now: Date): Promise<number> {
  const ids = batch.map((e) => e.id);
  let changedIds: string[] = [];
  switch (row.action) {
    case "tag": {
      const added = await tx
        .insertInto("entity_tags")
        .values(ids.map((id) => ({ id: randomUUID(), org_id: actor.orgId, entity_id: id, tag: params.tag!, added_by: actor.userId, added_at: now })))
        .onConflict((oc) => oc.columns(["entity_id", "tag"]).where("removed_at", "is", null).doNothing())
        .returning("entity_id")
        .execute();
      changedIds = added.map((r) => r.entity_id);
      break;
    }
    case "untag": {
      const removed = await tx.updateTable("entity_tags").set({ removed_at: now, removed_by: actor.userId }).where("entity_id", "in", ids).where("tag", "=", params.tag!).where("removed_at", "is", null).returning("entity_id").execute();
      changedIds = removed.map((r) => r.entity_id);
      break;
    }
    case "assign": {
      // A restricted record goes only to an assignee who may see it.
      const assignee = await tx.selectFrom("memberships").select("role").where("org_id", "=", actor.orgId).where("user_id", "=", params.user!).executeTakeFirst();
      if (!assignee) throw new Conflict("the assignee is no longer a member of the organisation");
      let eligible = ids;
      if (assignee.role !== "admin") {
        const restricted = batch.filter((e) => e.restricted).map((e) => e.id);
        const listed = restricted.length === 0 ? new Set<string>() : new Set((await tx.selectFrom("entity_access").select("entity_id").where("entity_id", "in", restricted).where("user_id", "=", params.user!).execute()).map((r) => r.entity_id));
        eligible = batch.filter((e) => !e.restricted || listed.has(e.id)).map((e) => e.id);
      }
      if (eligible.length === 0) break;
      await tx.updateTable("entity_assignments").set({ ended_at: now, ended_by: actor.userId }).where("entity_id", "in", eligible).where("user_id", "<>", params.user!).where("ended_at", "is", null).execute();
      const added = await tx
        .insertInto("entity_assignments")
        .values(eligible.map((id) => ({ id: randomUUID(), org_id: actor.orgId, entity_id: id, user_id: params.user!, assigned_by: actor.userId, assigned_at: now })))
        .onConflict((oc) => oc.columns(["entity_id"]).where("ended_at", "is", null).doNothing())
        .returning("entity_id")
        .execute();
      changedIds = added.map((r) => r.entity_id);
      break;
    }
    case "unassign": {
      const ended = await tx.updateTable("entity_assignments").set({ ended_at: now, ended_by: actor.userId }).where("entity_id", "in", ids).where("ended_at", "is", null).returning("entity_id").execute();
      changedIds = ended.map((r) => r.entity_id);
      break;
    }
    case "archive": {
      // Each record moves one revision, atomically: an editor holding an older revision is told so on saving.
      const moved = await tx
        .updateTable("entities")
        .set({ revision: sql<number>`revision + 1`, updated_at: now, archived_at: now, archived_by: actor.userId, archive_reason: params.reason! })
        .where("id", "in", ids)
        .where("archived_at", "is", null)
        .where("merged_into", "is", null)
        .returning(["id", "revision"])
        .execute();
      if (moved.length > 0) {
        await tx
          .insertInto("entity_revisions")
          .values(moved.map((m) => ({ entity_id: m.id, number: m.revision, kind: "archive" as const, author_id: actor.userId, reason: params.reason!, created_at: now, summary: JSON.stringify({ added: {}, retracted: {}, bulk: row.id }) })))
          .execute();
        for (const m of moved) await refreshNameKeys(tx, m.id);
        await refreshSearchDocuments(tx, moved.map((m) => m.id));
        await recordsChanged(tx, moved.map((m) => m.id));
      }
      changedIds = moved.map((m) => m.id);
      break;
    }
  }
  // One line per batch, naming the records it changed.
  if (changedIds.length > 0) {
    await recordAudit(tx, origin, { orgId: actor.orgId, actorId: actor.userId, action: `record.bulk.${row.action}.batch`, targetType: "bulk", targetId: row.id, details: { entities: changedIds } });
  }
  return changedIds.length;
}
