import { z } from "zod";
import { parseInput } from "../accounts/index.ts";
import { recordAudit, requirePermission } from "../audit/index.ts";
import { can, type Actor } from "../core/index.ts";
import type { Origin, Services, Tx } from "../context.ts";

/** An organisation's capture settings: whether captures may reach private addresses (off by default). */
export interface CaptureSettings {
  allowPrivateAddresses: boolean;
  updatedAt: Date | null;
}

export const CaptureSettingsSchema = z.strictObject({ allowPrivateAddresses: z.boolean() });

export async function readCaptureSettings(db: Tx, orgId: string): Promise<CaptureSettings> {
  const row = await db.selectFrom("capture_settings").select(["allow_private_addresses", "updated_at"]).where("org_id", "=", orgId).executeTakeFirst();
  return { allowPrivateAddresses: row?.allow_private_addresses ?? false, updatedAt: row?.updated_at ?? null };
}

/** The settings, for those who document (the capture form says what they can reach) and administrators. */
export async function getCaptureSettings(services: Services, origin: Origin, actor: Actor): Promise<CaptureSettings> {
  const allowed = can(actor, "evidence.capture", { kind: "evidence", orgId: actor.orgId }) || can(actor, "capture.configure", { kind: "organisation", orgId: actor.orgId });
  await requirePermission(services, origin, allowed, actor, "evidence.capture", { type: "capture-settings", id: actor.orgId });
  return readCaptureSettings(services.db, actor.orgId);
}

/** Refuses (and audits) anyone but an administrator, before the settings form is shown or read. */
export async function requireCaptureConfiguration(services: Services, origin: Origin, actor: Actor): Promise<void> {
  await requirePermission(services, origin, can(actor, "capture.configure", { kind: "organisation", orgId: actor.orgId }), actor, "capture.configure", { type: "capture-settings", id: actor.orgId });
}

/** Changes the settings (administrators), audited with the old and new value. `raw` may be a function that reads the body once allowed. */
export async function setCaptureSettings(services: Services, origin: Origin, actor: Actor, raw: unknown): Promise<CaptureSettings> {
  await requireCaptureConfiguration(services, origin, actor);
  const input = parseInput(CaptureSettingsSchema, typeof raw === "function" ? await (raw as () => Promise<unknown>)() : raw);
  const now = services.now();
  await services.db.transaction().execute(async (tx) => {
    const before = await readCaptureSettings(tx, actor.orgId);
    await tx
      .insertInto("capture_settings")
      .values({ org_id: actor.orgId, allow_private_addresses: input.allowPrivateAddresses, updated_by: actor.userId, updated_at: now })
      .onConflict((oc) => oc.column("org_id").doUpdateSet({ allow_private_addresses: input.allowPrivateAddresses, updated_by: actor.userId, updated_at: now }))
      .execute();
    await recordAudit(tx, origin, {
      orgId: actor.orgId,
      actorId: actor.userId,
      action: "capture.configure",
      targetType: "organisation",
      targetId: actor.orgId,
      details: { allowPrivateAddresses: input.allowPrivateAddresses, before: before.allowPrivateAddresses },
    });
  });
  return { allowPrivateAddresses: input.allowPrivateAddresses, updatedAt: now };
}
