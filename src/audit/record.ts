import type { Origin, Tx } from "../context.ts";

export interface AuditEntry {
  orgId: string | null;
  actorId: string | null;
  /** Who acted when there is no user id: "anonymous", "cli", "system", or the email tried at a failed sign-in. */
  actorLabel?: string | null;
  action: string;
  outcome?: "ok" | "denied" | "failed";
  targetType?: string | null;
  targetId?: string | null;
  details?: Record<string, unknown>;
}

// Never write a secret into the trail: these keys are dropped from details whatever the caller passes.
const SECRET_KEYS = /pass(word|phrase)?|secret|token|code|key|otp|cookie|authorization/i;

function scrub(details: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(details).filter(([k]) => !SECRET_KEYS.test(k)));
}

/** Appends one event to the audit trail, inside the caller's transaction when it has one. */
export async function recordAudit(tx: Tx, origin: Origin, entry: AuditEntry): Promise<void> {
  await tx
    .insertInto("audit_events")
    .values({
      org_id: entry.orgId,
      actor_id: entry.actorId,
      actor_label: entry.actorLabel ?? null,
      action: entry.action,
      outcome: entry.outcome ?? "ok",
      target_type: entry.targetType ?? null,
      target_id: entry.targetId ?? null,
      request_id: origin.requestId,
      ip: origin.ip,
      details: JSON.stringify(scrub(entry.details ?? {})),
    })
    .execute();
}
