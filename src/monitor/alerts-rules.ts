// The alert rules an organisation runs, and their windows. A rule without a row is on, with its
// default window: a new organisation is watched from its first detention.
import { z } from "zod";
import { can, Invalid, type Actor } from "../core/index.ts";
import type { Origin, Services, Tx } from "../context.ts";
import { recordAudit, requirePermission } from "../audit/index.ts";

export const ALERT_RULES = ["silence", "status-change", "sentence-overdue", "death", "unknown-transfer"] as const;
export type AlertRule = (typeof ALERT_RULES)[number];

export const DEFAULT_SILENCE_DAYS = 90;
/** Ten years: a longer silence window is a typing error, not a policy. */
export const MAX_WINDOW_DAYS = 3650;

export interface RuleSetting {
  rule: AlertRule;
  enabled: boolean;
  /** Days (silence only; null for the other rules). */
  windowDays: number | null;
  updatedAt: Date | null;
}

const windowField = z.preprocess(
  (v) => (typeof v === "string" && /^\s*-?\d+(\.\d+)?\s*$/.test(v) ? Number(v) : v),
  z
    .number({ error: "the window is a whole number of days" })
    .int("the window is a whole number of days")
    .min(1, "the window is at least 1 day")
    .max(MAX_WINDOW_DAYS, `the window is at most ${MAX_WINDOW_DAYS} days (ten years)`),
);

export const RuleUpdateSchema = z.strictObject({
  rules: z
    .array(
      z.strictObject({
        rule: z.enum(ALERT_RULES),
        enabled: z.boolean(),
        windowDays: windowField.nullable().optional(),
      }),
    )
    .min(1)
    .max(ALERT_RULES.length),
});
export type RuleUpdate = z.input<typeof RuleUpdateSchema>;

/** A body given as a value, or read lazily (a route passes its reader, so the permission check comes first). */
export async function readInput(input: unknown): Promise<unknown> {
  return typeof input === "function" ? await (input as () => unknown)() : input;
}

/** The organisation-wide check every alerts service opens with; a refusal is audited. */
export async function requireAlerts(services: Services, origin: Origin, actor: Actor, action: "alert.view" | "alert.acknowledge" | "alert.subscribe" | "alert.subscribe-organisation" | "alert.configure"): Promise<void> {
  await requirePermission(services, origin, can(actor, action, { kind: "alerts", orgId: actor.orgId }), actor, action, { type: "organisation", id: actor.orgId });
}

export async function ruleSettings(db: Tx, orgId: string): Promise<RuleSetting[]> {
  const rows = await db.selectFrom("alert_rules").selectAll().where("org_id", "=", orgId).execute();
  return ALERT_RULES.map((rule) => {
    const row = rows.find((r) => r.rule === rule);
    return {
      rule,
      enabled: row?.enabled ?? true,
      windowDays: rule === "silence" ? (row?.window_days ?? DEFAULT_SILENCE_DAYS) : null,
      updatedAt: row?.updated_at ?? null,
    };
  });
}

/** The organisation's no-proof-of-life window in days: what its silence rule is set to, or the default. */
export async function silenceWindow(db: Tx, orgId: string): Promise<number> {
  const row = await db.selectFrom("alert_rules").select("window_days").where("org_id", "=", orgId).where("rule", "=", "silence").executeTakeFirst();
  return row?.window_days ?? DEFAULT_SILENCE_DAYS;
}

export async function listRules(services: Services, origin: Origin, actor: Actor): Promise<RuleSetting[]> {
  await requireAlerts(services, origin, actor, "alert.view");
  return ruleSettings(services.db, actor.orgId);
}

/** Turns rules on or off and sets the silence window; a window on any other rule, or out of 1–3650 days, is refused whole. */
export async function updateRules(services: Services, origin: Origin, actor: Actor, input: unknown): Promise<RuleSetting[]> {
  await requireAlerts(services, origin, actor, "alert.configure");
  const parsed = RuleUpdateSchema.safeParse(await readInput(input));
  if (!parsed.success) {
    const fields: Record<string, string> = {};
    for (const issue of parsed.error.issues) {
      const [, index, key] = issue.path;
      const name = typeof index === "number" ? `rules.${index}.${String(key ?? "rule")}` : issue.path.join(".") || "rules";
      fields[name] ??= issue.message;
    }
    throw new Invalid("the rules are not valid", fields);
  }
  const fields: Record<string, string> = {};
  const seen = new Set<string>();
  parsed.data.rules.forEach((r, i) => {
    if (seen.has(r.rule)) fields[`rules.${i}.rule`] = "this rule is given twice";
    seen.add(r.rule);
    if (r.rule !== "silence" && r.windowDays !== undefined && r.windowDays !== null) fields[`rules.${i}.windowDays`] = "only the silence rule has a window";
  });
  if (Object.keys(fields).length > 0) throw new Invalid("the rules are not valid", fields);
  const now = services.now();
  await services.db.transaction().execute(async (tx) => {
    for (const r of parsed.data.rules) {
      const windowDays = r.rule === "silence" ? (r.windowDays ?? null) : null;
      await tx
        .insertInto("alert_rules")
        .values({ org_id: actor.orgId, rule: r.rule, enabled: r.enabled, window_days: windowDays, updated_by: actor.userId, updated_at: now })
        .onConflict((oc) =>
          oc.columns(["org_id", "rule"]).doUpdateSet({
            enabled: r.enabled,
            ...(r.rule === "silence" && r.windowDays !== undefined ? { window_days: windowDays } : {}),
            updated_by: actor.userId,
            updated_at: now,
          }),
        )
        .execute();
    }
    await recordAudit(tx, origin, { orgId: actor.orgId, actorId: actor.userId, action: "alert.configure", targetType: "organisation", targetId: actor.orgId, details: { rules: parsed.data.rules } });
  });
  return ruleSettings(services.db, actor.orgId);
}
