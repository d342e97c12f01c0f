import { randomUUID } from "node:crypto";
import { recordAudit } from "../audit/index.ts";
import { clearFailures, recordFailure, secondsUntilAllowed } from "../accounts/index.ts";
import { parseInput } from "../accounts/index.ts";
import { Invalid, NotFound, Sealed, TooManyRequests } from "../core/index.ts";
import type { Origin, Services } from "../context.ts";
import { FamilyCodeRedeemSchema, FamilyReportSchema, type FamilyReportInput } from "./family-input.ts";
import {
  FAMILY_LINK_PATTERN, familyOrigin, familyThrottleKeys, hashFamilyCode, hashFamilyLink, newFamilyLinkSecret, normaliseFamilyCode, openForOrganisation,
  sealForOrganisation,
} from "./family-secrets.ts";

/**
 * What a family member does, without an account: redeem a code, open their page, send a report.
 * Every failure to find a code or a link counts against the caller's address like a failed
 * sign-in, and the answer never says whether a code was wrong, used, expired or revoked.
 */

// One message for every code that does not work: it never tells a wrong code from a used one.
export const CODE_REFUSED = "this code does not work: it may be mistyped, already used or expired. Ask the organisation for a new one";
// At most this many reports from one family link in a day: a flood is refused, not stored.
const REPORTS_PER_DAY = 10;

/** The report as sealed: the family's words, and the language of the page they wrote on. */
export interface SealedFamilyReport extends FamilyReportInput {
  locale: string;
}

async function throttled(services: Services, origin: Origin): Promise<void> {
  const wait = await secondsUntilAllowed(services.db, familyThrottleKeys(services, origin.ip), services.now());
  if (wait > 0) throw new TooManyRequests(`too many attempts: wait ${wait} seconds`, wait);
}

async function failed(services: Services, origin: Origin, action: string): Promise<void> {
  await services.db.transaction().execute(async (tx) => {
    await recordFailure(tx, familyThrottleKeys(services, origin.ip), services.now());
    await recordAudit(tx, familyOrigin(origin), { orgId: null, actorId: null, actorLabel: "family", action, outcome: "failed" });
  });
}

export interface RedeemedFamilyCode {
  /** The secret of the family's page link: shown to them once, kept by Vigil only as a hash. */
  secret: string;
  caseId: string;
}

/** Exchanges a one-time code for the case's secret link; the code is spent, any earlier link ends. */
export async function redeemFamilyCode(services: Services, origin: Origin, raw: unknown): Promise<RedeemedFamilyCode> {
  await throttled(services, origin);
  const input = parseInput(FamilyCodeRedeemSchema, raw);
  const canonical = normaliseFamilyCode(input.code);
  const now = services.now();
  const redeemed = canonical
    ? await services.db.transaction().execute(async (tx) => {
        // The conditional update is the single-use guarantee: of two redemptions at once, one updates the row.
        const code = await tx
          .updateTable("family_codes")
          .set({ used_at: now })
          .where("code_hash", "=", hashFamilyCode(canonical))
          .where("used_at", "is", null)
          .where("revoked_at", "is", null)
          .where("expires_at", ">", now)
          .returning(["case_id", "org_id"])
          .executeTakeFirst();
        if (!code) return null;
        const secret = newFamilyLinkSecret();
        const updated = await tx
          .updateTable("family_cases")
          .set({ link_hash: hashFamilyLink(secret), link_issued_at: now, link_last_used_at: null })
          .where("id", "=", code.case_id)
          .where("revoked_at", "is", null)
          .executeTakeFirst();
        if (Number(updated.numUpdatedRows) !== 1) return null;
        await recordAudit(tx, familyOrigin(origin), { orgId: code.org_id, actorId: null, actorLabel: "family", action: "family.code.redeem", targetType: "family-case", targetId: code.case_id });
        return { secret, caseId: code.case_id };
      })
    : null;
  if (!redeemed) {
    await failed(services, origin, "family.code.redeem");
    throw new Invalid(CODE_REFUSED, { code: CODE_REFUSED });
  }
  await clearFailures(services.db, familyThrottleKeys(services, origin.ip));
  return redeemed;
}

interface LinkedCase {
  id: string;
  orgId: string;
  reference: string;
}

/** The live case a link secret opens; NotFound (and a throttled failure) for anything else. */
async function caseOfLink(services: Services, origin: Origin, secret: string): Promise<LinkedCase> {
  await throttled(services, origin);
  const row = FAMILY_LINK_PATTERN.test(secret)
    ? await services.db.selectFrom("family_cases").select(["id", "org_id", "reference"]).where("link_hash", "=", hashFamilyLink(secret)).where("revoked_at", "is", null).executeTakeFirst()
    : undefined;
  if (!row) {
    await failed(services, origin, "family.link.open");
    throw new NotFound("this page does not exist, or the organisation has closed it");
  }
  return { id: row.id, orgId: row.org_id, reference: row.reference };
}

export interface FamilyPageView {
  reference: string;
  /** Approved updates, oldest first; null when the organisation's vault is sealed and they cannot be read now. */
  updates: { id: string; approvedAt: string; body: string }[] | null;
  /** When the family's own reports arrived: their receipt, nothing of what became of them. */
  reportsReceived: string[];
}

/**
 * What a family sees on their page: the case's reference, the updates the organisation approved
 * for them, and when their own reports arrived. Nothing else of Vigil's records, ever.
 */
export async function openFamilyPage(services: Services, origin: Origin, secret: string): Promise<FamilyPageView> {
  const found = await caseOfLink(services, origin, secret);
  // The day only: a seized database must not give the hour a family opened their page, to match against network records.
  const today = new Date(services.now().toISOString().slice(0, 10) + "T00:00:00Z");
  await services.db.updateTable("family_cases").set({ link_last_used_at: today }).where("id", "=", found.id).execute();
  const rows = await services.db
    .selectFrom("family_updates")
    .select(["id", "approved_at", "body_sealed"])
    .where("case_id", "=", found.id)
    .where("org_id", "=", found.orgId)
    .where("state", "=", "approved")
    .orderBy("approved_at")
    .orderBy("id")
    .execute();
  let updates: FamilyPageView["updates"] = [];
  try {
    for (const row of rows) updates.push({ id: row.id, approvedAt: new Date(row.approved_at!).toISOString(), body: await openForOrganisation<{ body: string }>(services, found.orgId, row.body_sealed).then((v) => v.body) });
  } catch (error) {
    if (!(error instanceof Sealed)) throw error;
    updates = null;
  }
  const reports = await services.db.selectFrom("family_reports").select("received_at").where("case_id", "=", found.id).orderBy("received_at").execute();
  return { reference: found.reference, updates, reportsReceived: reports.map((r) => new Date(r.received_at).toISOString()) };
}

/**
 * Receives a family's report on a missing relative, sealed to the organisation's vault recipient
 * before it is written: the row holds ciphertext only. It waits in the triage queue; nothing in it
 * becomes a record without an editor's action.
 */
export async function submitFamilyReport(services: Services, origin: Origin, secret: string, raw: unknown, locale: string): Promise<{ id: string; receivedAt: string }> {
  const found = await caseOfLink(services, origin, secret);
  const input = parseInput(FamilyReportSchema, raw);
  const now = services.now();
  return services.db.transaction().execute(async (tx) => {
    const since = new Date(now.getTime() - 86_400_000);
    const recent = await tx.selectFrom("family_reports").select((eb) => eb.fn.countAll<number>().as("n")).where("case_id", "=", found.id).where("received_at", ">", since).executeTakeFirstOrThrow();
    if (Number(recent.n) >= REPORTS_PER_DAY) throw new TooManyRequests("too many reports today: the organisation has what you sent; try again tomorrow", 3600);
    const report: SealedFamilyReport = { ...input, locale };
    const id = randomUUID();
    await tx
      .insertInto("family_reports")
      .values({ id, org_id: found.orgId, case_id: found.id, content_sealed: await sealForOrganisation(tx, found.orgId, report), received_at: now })
      .execute();
    await recordAudit(tx, familyOrigin(origin), { orgId: found.orgId, actorId: null, actorLabel: "family", action: "family.report.receive", targetType: "family-report", targetId: id, details: { case: found.id } });
    return { id, receivedAt: now.toISOString() };
  });
}
