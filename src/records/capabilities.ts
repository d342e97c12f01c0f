// What a reader may do with records, asked of the permission hub, so that pages offer only the
// forms that would be accepted. The services still decide each action when it is asked for.
import { can, type Action, type Actor } from "../core/index.ts";
import type { Origin, Services } from "../context.ts";
import { requirePermission } from "../audit/index.ts";
import { anyRecord, loadRecord, requireOnRecord } from "./access.ts";

export interface RecordCapabilities {
  edit: boolean;
  archive: boolean;
  merge: boolean;
  manageAccess: boolean;
  revealSecrets: boolean;
  readRestricted: boolean;
}

/** What the actor may do with the records of its organisation as a whole: add one, change several at once. */
export function listCapabilities(actor: Actor): { create: boolean; tag: boolean; archive: boolean } {
  const records = { kind: "records", orgId: actor.orgId } as const;
  return { create: can(actor, "record.create", records), tag: can(actor, "record.edit", anyRecord(actor)), archive: can(actor, "record.archive", anyRecord(actor)) };
}

/** What the actor may do with one record it may see (a record it may not see is not found). */
export async function recordCapabilities(services: Services, origin: Origin, actor: Actor, id: string): Promise<RecordCapabilities> {
  await requirePermission(services, origin, can(actor, "record.view", anyRecord(actor)), actor, "record.view", { type: "entity", id: null });
  const { subject } = await loadRecord(services, actor, id);
  return {
    edit: can(actor, "record.edit", subject),
    archive: can(actor, "record.archive", subject),
    merge: can(actor, "record.merge", subject),
    manageAccess: can(actor, "record.manage-access", subject),
    revealSecrets: can(actor, "record.reveal-secret", subject),
    readRestricted: can(actor, "record.read-restricted", subject),
  };
}

/**
 * Refuses, before any form is shown, an actor who may not do `action` to the record: the role is
 * checked first (403, audited), then whether the record exists for the actor (404), then the record.
 */
export async function requireRecordAction(services: Services, origin: Origin, actor: Actor, id: string, action: Action): Promise<void> {
  await requirePermission(services, origin, can(actor, action, anyRecord(actor)), actor, action, { type: "entity", id: null });
  await requireOnRecord(services, origin, actor, action, await loadRecord(services, actor, id));
}

/** Refuses, before the form is shown, an actor who may not add records. */
export async function requireRecordCreation(services: Services, origin: Origin, actor: Actor): Promise<void> {
  await requirePermission(services, origin, can(actor, "record.create", { kind: "records", orgId: actor.orgId }), actor, "record.create", { type: "entity", id: null });
}
