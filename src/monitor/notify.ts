// Subscriptions (what a person watches), webhook endpoints (per organisation, administrators) and
// Atom feeds (a person's watchlist at a secret address). Each service opens with its check.
import { createHash, randomUUID } from "node:crypto";
import { z } from "zod";
import { Conflict, Invalid, NotFound, type Actor } from "../core/index.ts";
import { randomToken, sealSecret } from "../core/secret-box.ts";
import type { Origin, Services } from "../context.ts";
import { recordAudit } from "../audit/index.ts";
import { visibleIds } from "../records/index.ts";
import { ALERT_RULES, readInput, requireAlerts } from "./alerts-rules.ts";
import { webhookSecretContext } from "./notify-webhook.ts";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function invalid(error: z.ZodError): Invalid {
  const fields: Record<string, string> = {};
  for (const issue of error.issues) fields[issue.path.join(".") || "body"] ??= issue.message;
  return new Invalid("the request is not valid", fields);
}

// ——— Subscriptions ———

export const SubscriptionInputSchema = z.strictObject({
  kind: z.enum(["detention", "person", "facility", "search", "organisation"]),
  target: z.uuid("a record id").optional().meta({ description: "the Detention, Person or facility (Address) record; not for search and organisation" }),
  label: z.string().trim().min(1).max(200).optional().meta({ description: "a saved search's name" }),
  statuses: z.array(z.string().regex(/^[a-z0-9-]{1,64}$/)).min(1).max(20).optional().meta({ description: "a saved search: custody statuses to match" }),
  rules: z.array(z.enum(ALERT_RULES)).min(1).optional().meta({ description: "a saved search: rules to match" }),
  email: z.boolean().default(true).meta({ description: "also by email (when the server has SMTP)" }),
});

export interface SubscriptionView {
  id: string;
  kind: "detention" | "person" | "facility" | "search" | "organisation";
  target: string | null;
  label: string | null;
  statuses: string[] | null;
  rules: string[] | null;
  email: boolean;
  createdAt: Date;
}

const TARGET_SCHEMA = { detention: ["Detention"], person: ["Person"], facility: ["Address"] } as const;

export async function listSubscriptions(services: Services, origin: Origin, actor: Actor): Promise<SubscriptionView[]> {
  await requireAlerts(services, origin, actor, "alert.subscribe");
  const rows = await services.db.selectFrom("alert_subscriptions").selectAll().where("user_id", "=", actor.userId).where("org_id", "=", actor.orgId).orderBy("created_at").orderBy("id").execute();
  return rows.map((r) => ({ id: r.id, kind: r.kind, target: r.target_id, label: r.label, statuses: r.filter_statuses, rules: r.filter_rules, email: r.email, createdAt: r.created_at }));
}

export async function subscribe(services: Services, origin: Origin, actor: Actor, input: unknown): Promise<SubscriptionView> {
  await requireAlerts(services, origin, actor, "alert.subscribe");
  const parsed = SubscriptionInputSchema.safeParse(await readInput(input));
  if (!parsed.success) throw invalid(parsed.error);
  const s = parsed.data;
  if (s.kind === "organisation") await requireAlerts(services, origin, actor, "alert.subscribe-organisation");
  const fields: Record<string, string> = {};
  if (s.kind in TARGET_SCHEMA && !s.target) fields.target = "choose the record to watch";
  if (!(s.kind in TARGET_SCHEMA) && s.target) fields.target = "only a case, a person or a facility has a record";
  if (s.kind !== "search" && (s.statuses || s.rules || s.label)) fields.kind = "only a saved search has a name, statuses or rules";
  if (s.kind === "search" && !s.label) fields.label = "name the saved search";
  if (Object.keys(fields).length > 0) throw new Invalid("the subscription is not valid", fields);
  if (s.target) {
    // The record must be one the subscriber may know of, and of the right kind.
    const known = await visibleIds(services.db, actor, [s.target]);
    const row = known.has(s.target) ? await services.db.selectFrom("entities").select("schema").where("id", "=", s.target).executeTakeFirst() : undefined;
    if (!row) throw new Invalid("the subscription is not valid", { target: "no such record" });
    if (!(TARGET_SCHEMA[s.kind as keyof typeof TARGET_SCHEMA] as readonly string[]).includes(row.schema)) throw new Invalid("the subscription is not valid", { target: `this record is not a ${s.kind === "facility" ? "place" : s.kind}` });
  }
  const id = randomUUID();
  const created = await services.db
    .insertInto("alert_subscriptions")
    .values({ id, org_id: actor.orgId, user_id: actor.userId, kind: s.kind, target_id: s.target ?? null, label: s.label ?? null, filter_statuses: s.statuses ?? null, filter_rules: s.rules ?? null, email: s.email, created_at: services.now() })
    .onConflict((oc) => oc.doNothing())
    .returningAll()
    .executeTakeFirst();
  if (!created) throw new Conflict("you already watch this");
  return { id, kind: created.kind, target: created.target_id, label: created.label, statuses: created.filter_statuses, rules: created.filter_rules, email: created.email, createdAt: created.created_at };
}

export async function unsubscribe(services: Services, origin: Origin, actor: Actor, id: string): Promise<void> {
  await requireAlerts(services, origin, actor, "alert.subscribe");
  const deleted = UUID.test(id) ? await services.db.deleteFrom("alert_subscriptions").where("id", "=", id).where("user_id", "=", actor.userId).where("org_id", "=", actor.orgId).executeTakeFirst() : null;
  if (!deleted || deleted.numDeletedRows === 0n) throw new NotFound("no such subscription");
}

// ——— Webhooks ———

export const WebhookInputSchema = z.strictObject({
  url: z
    .string()
    .trim()
    .max(2000)
    .refine((v) => {
      try {
        const u = new URL(v);
        return (u.protocol === "https:" || u.protocol === "http:") && !u.username && !u.password;
      } catch {
        return false;
      }
    }, "an http:// or https:// address, without credentials"),
  description: z.string().trim().max(500).optional(),
});

export interface WebhookView {
  id: string;
  url: string;
  description: string | null;
  createdAt: Date;
  revokedAt: Date | null;
}

export interface DeliveryLogEntry {
  id: string;
  alertId: string;
  state: "queued" | "sent" | "failed";
  attempts: { attempt: number; at: Date; status: number | null; error: string | null; durationMs: number }[];
  createdAt: Date;
}

function hookView(r: { id: string; url: string; description: string | null; created_at: Date; revoked_at: Date | null }): WebhookView {
  return { id: r.id, url: r.url, description: r.description, createdAt: r.created_at, revokedAt: r.revoked_at };
}

export async function listWebhooks(services: Services, origin: Origin, actor: Actor): Promise<WebhookView[]> {
  await requireAlerts(services, origin, actor, "alert.configure");
  const rows = await services.db.selectFrom("alert_webhooks").select(["id", "url", "description", "created_at", "revoked_at"]).where("org_id", "=", actor.orgId).orderBy("created_at").execute();
  return rows.map(hookView);
}

/** Adds an endpoint; the secret is returned here once and never shown again. */
export async function createWebhook(services: Services, origin: Origin, actor: Actor, input: unknown): Promise<WebhookView & { secret: string }> {
  await requireAlerts(services, origin, actor, "alert.configure");
  const parsed = WebhookInputSchema.safeParse(await readInput(input));
  if (!parsed.success) throw invalid(parsed.error);
  const id = randomUUID();
  const secret = randomToken("whsec");
  const now = services.now();
  await services.db.transaction().execute(async (tx) => {
    await tx
      .insertInto("alert_webhooks")
      .values({ id, org_id: actor.orgId, url: parsed.data.url, description: parsed.data.description ?? null, secret_sealed: sealSecret(services.appKey, Buffer.from(secret), webhookSecretContext(id)), created_by: actor.userId, created_at: now })
      .execute();
    await recordAudit(tx, origin, { orgId: actor.orgId, actorId: actor.userId, action: "alert.webhook-create", targetType: "webhook", targetId: id, details: { url: parsed.data.url } });
  });
  return { id, url: parsed.data.url, description: parsed.data.description ?? null, createdAt: now, revokedAt: null, secret };
}

export async function revokeWebhook(services: Services, origin: Origin, actor: Actor, id: string): Promise<WebhookView> {
  await requireAlerts(services, origin, actor, "alert.configure");
  const now = services.now();
  return services.db.transaction().execute(async (tx) => {
    const row = UUID.test(id) ? await tx.selectFrom("alert_webhooks").selectAll().where("id", "=", id).where("org_id", "=", actor.orgId).executeTakeFirst() : undefined;
    if (!row) throw new NotFound("no such webhook");
    if (row.revoked_at) throw new Conflict("this webhook was already removed");
    await tx.updateTable("alert_webhooks").set({ revoked_at: now, revoked_by: actor.userId }).where("id", "=", id).execute();
    await recordAudit(tx, origin, { orgId: actor.orgId, actorId: actor.userId, action: "alert.webhook-revoke", targetType: "webhook", targetId: id });
    return hookView({ ...row, revoked_at: now });
  });
}

/** The delivery log of one endpoint, newest first: every attempt with its status code and error. */
export async function webhookDeliveries(services: Services, origin: Origin, actor: Actor, id: string, limit = 100): Promise<{ webhook: WebhookView; deliveries: DeliveryLogEntry[] }> {
  await requireAlerts(services, origin, actor, "alert.configure");
  const hook = UUID.test(id) ? await services.db.selectFrom("alert_webhooks").select(["id", "url", "description", "created_at", "revoked_at"]).where("id", "=", id).where("org_id", "=", actor.orgId).executeTakeFirst() : undefined;
  if (!hook) throw new NotFound("no such webhook");
  const deliveries = await services.db.selectFrom("alert_deliveries").selectAll().where("webhook_id", "=", id).orderBy("created_at", "desc").orderBy("id", "desc").limit(Math.min(Math.max(limit, 1), 500)).execute();
  const attempts = deliveries.length === 0 ? [] : await services.db.selectFrom("alert_delivery_attempts").selectAll().where("delivery_id", "in", deliveries.map((d) => d.id)).orderBy("attempt").execute();
  return {
    webhook: hookView(hook),
    deliveries: deliveries.map((d) => ({
      id: d.id,
      alertId: d.alert_id,
      state: d.state,
      createdAt: d.created_at,
      attempts: attempts.filter((a) => a.delivery_id === d.id).map((a) => ({ attempt: a.attempt, at: a.at, status: a.status, error: a.error, durationMs: a.duration_ms })),
    })),
  };
}

// ——— Feeds ———

export const FeedInputSchema = z.strictObject({ title: z.string().trim().min(1).max(200) });

export interface FeedView {
  id: string;
  title: string;
  createdAt: Date;
  revokedAt: Date | null;
}

export function feedTokenHash(token: string): Buffer {
  return createHash("sha256").update(token).digest();
}

export async function listFeeds(services: Services, origin: Origin, actor: Actor): Promise<FeedView[]> {
  await requireAlerts(services, origin, actor, "alert.subscribe");
  const rows = await services.db.selectFrom("alert_feeds").select(["id", "title", "created_at", "revoked_at"]).where("user_id", "=", actor.userId).where("org_id", "=", actor.orgId).orderBy("created_at").execute();
  return rows.map((r) => ({ id: r.id, title: r.title, createdAt: r.created_at, revokedAt: r.revoked_at }));
}

/** A feed of the person's watchlist; its secret address is returned once (only its hash is kept). */
export async function createFeed(services: Services, origin: Origin, actor: Actor, input: unknown): Promise<FeedView & { token: string; path: string }> {
  await requireAlerts(services, origin, actor, "alert.subscribe");
  const parsed = FeedInputSchema.safeParse(await readInput(input));
  if (!parsed.success) throw invalid(parsed.error);
  const id = randomUUID();
  const token = randomToken("vgf");
  const now = services.now();
  await services.db.transaction().execute(async (tx) => {
    await tx.insertInto("alert_feeds").values({ id, org_id: actor.orgId, user_id: actor.userId, title: parsed.data.title, token_hash: feedTokenHash(token), created_at: now }).execute();
    await recordAudit(tx, origin, { orgId: actor.orgId, actorId: actor.userId, action: "alert.feed-create", targetType: "feed", targetId: id });
  });
  return { id, title: parsed.data.title, createdAt: now, revokedAt: null, token, path: `/feeds/${token}` };
}

export async function revokeFeed(services: Services, origin: Origin, actor: Actor, id: string): Promise<FeedView> {
  await requireAlerts(services, origin, actor, "alert.subscribe");
  const now = services.now();
  const row = UUID.test(id)
    ? await services.db.updateTable("alert_feeds").set({ revoked_at: now }).where("id", "=", id).where("user_id", "=", actor.userId).where("org_id", "=", actor.orgId).where("revoked_at", "is", null).returningAll().executeTakeFirst()
    : undefined;
  if (!row) throw new NotFound("no such feed");
  await recordAudit(services.db, origin, { orgId: actor.orgId, actorId: actor.userId, action: "alert.feed-revoke", targetType: "feed", targetId: id });
  return { id: row.id, title: row.title, createdAt: row.created_at, revokedAt: row.revoked_at };
}
