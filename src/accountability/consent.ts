// Consent of a case's plaintiffs and witnesses: what they agreed to, when, recorded by whom, and
// when and why they withdrew it. Each change is a new row; none is ever updated or deleted, so the
// history reads back exactly as it was recorded, and what holds now is the latest row per scope.
import { randomUUID } from "node:crypto";
import { z } from "zod";
import { Invalid, type Actor } from "../core/index.ts";
import type { Origin, Services, Tx } from "../context.ts";
import { recordAudit } from "../audit/index.ts";
import { parseInput } from "../accounts/index.ts";
import { inputOf } from "../records/index.ts";
import { caseForChange } from "./cases.ts";

/** What a party may agree to, one at a time. */
export const CONSENT_SCOPES = ["use-testimony", "be-named", "share-with-counsel"] as const;
export type ConsentScope = (typeof CONSENT_SCOPES)[number];

export interface ConsentEntry {
  id: string;
  partyId: string;
  scope: ConsentScope;
  kind: "given" | "withdrawn";
  /** When the party agreed or withdrew, as they said it. */
  effectiveAt: Date;
  /** How consent was given (a signed form, a recorded call), or why it was withdrawn. */
  note: string;
  recordedBy: string | null;
  recordedAt: Date;
}

const instant = z.preprocess(
  (v) => (typeof v === "string" && /^\d{4}-\d{2}-\d{2}$/.test(v) ? `${v}T00:00:00Z` : typeof v === "string" && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/.test(v) ? `${v}:00Z` : v),
  z.iso.datetime({ offset: true, error: "a date (YYYY-MM-DD) or a date and time" }),
);

export const ConsentRecordSchema = z
  .strictObject({
    party: z.uuid("a party of the case"),
    scope: z.enum(CONSENT_SCOPES, "one of use-testimony, be-named, share-with-counsel"),
    kind: z.enum(["given", "withdrawn"], "given or withdrawn"),
    effectiveAt: instant,
    note: z.string().trim().max(2000, "at most 2000 characters").default(""),
  })
  .refine((v) => v.kind === "given" || v.note.length > 0, { path: ["note"], message: "say why consent was withdrawn" });

export async function consentHistory(db: Tx, partyIds: readonly string[]): Promise<ConsentEntry[]> {
  if (partyIds.length === 0) return [];
  const rows = await db.selectFrom("legal_case_consents").selectAll().where("party_id", "in", [...partyIds]).orderBy("seq").execute();
  return rows.map((r) => ({ id: r.id, partyId: r.party_id, scope: r.scope, kind: r.kind, effectiveAt: r.effective_at, note: r.note, recordedBy: r.recorded_by, recordedAt: r.recorded_at }));
}

/** The latest recorded change per scope (recording order, not the stated date: a late withdrawal still wins). */
export function currentConsent(history: readonly ConsentEntry[]): Record<ConsentScope, ConsentEntry | null> {
  const current: Record<ConsentScope, ConsentEntry | null> = { "use-testimony": null, "be-named": null, "share-with-counsel": null };
  for (const entry of history) current[entry.scope] = entry;
  return current;
}

export function holdsConsent(history: readonly ConsentEntry[], scope: ConsentScope): boolean {
  return currentConsent(history)[scope]?.kind === "given";
}

export async function recordConsent(services: Services, origin: Origin, actor: Actor, caseId: string, raw: unknown): Promise<ConsentEntry> {
  await caseForChange(services, origin, actor, caseId);
  const input = parseInput(ConsentRecordSchema, await inputOf(raw));
  const partyId = input.party;
  const effectiveAt = new Date(input.effectiveAt);
  if (effectiveAt.getTime() > services.now().getTime() + 24 * 3600_000) throw new Invalid("some fields are not valid", { effectiveAt: "is in the future" });
  const id = randomUUID();
  return services.db.transaction().execute(async (tx) => {
    const party = await tx.selectFrom("legal_case_parties").select("id").where("id", "=", partyId).where("case_id", "=", caseId).where("org_id", "=", actor.orgId).executeTakeFirst();
    if (!party) throw new Invalid("some fields are not valid", { party: "not a party of this case" });
    const previous = currentConsent(await consentHistory(tx, [partyId]))[input.scope];
    if (input.kind === "withdrawn" && previous?.kind !== "given") throw new Invalid("nothing to withdraw", { kind: "this consent is not given now" });
    const recordedAt = services.now();
    await tx.insertInto("legal_case_consents").values({ id, org_id: actor.orgId, party_id: partyId, scope: input.scope, kind: input.kind, effective_at: effectiveAt, note: input.note, recorded_by: actor.userId, recorded_at: recordedAt }).execute();
    await recordAudit(tx, origin, { orgId: actor.orgId, actorId: actor.userId, action: `case.consent.${input.kind === "given" ? "give" : "withdraw"}`, targetType: "legal-case", targetId: caseId, details: { party: partyId, scope: input.scope } });
    return { id, partyId, scope: input.scope, kind: input.kind, effectiveAt, note: input.note, recordedBy: actor.userId, recordedAt };
  });
}
