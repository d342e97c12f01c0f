// Signed webhooks, in the manner of Stripe and Standard Webhooks: the body is JSON, and the header
//   Vigil-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>" keyed with the secret>
// lets the receiver check both who sent it and when (refuse a timestamp more than five minutes
// away: a replayed request). Vigil-Delivery names the delivery, the same on every retry, so the
// receiver can ignore a repeat. docs/operations.md shows verification in a few lines.
import { createHmac, timingSafeEqual } from "node:crypto";
import { openSecret } from "../core/secret-box.ts";
import { defineJob } from "../jobs/index.ts";
import type { Services } from "../context.ts";
import { outsideMessage } from "./notify-message.ts";
import { DeliveryFailed, parseDeliveryPayload, runDelivery, type DeliveryRow } from "./notify-deliveries.ts";
import { DELIVERY_MAX_ATTEMPTS, WEBHOOK_JOB, deliveryBackoff } from "./notify-jobs-kinds.ts";

export const SIGNATURE_HEADER = "vigil-signature";
export const DELIVERY_HEADER = "vigil-delivery";
export const SIGNATURE_TOLERANCE_SECONDS = 300;

export function webhookSecretContext(webhookId: string): string {
  return `alert_webhooks.secret:${webhookId}`;
}

export function signWebhook(secret: string, timestamp: number, body: string): string {
  const mac = createHmac("sha256", secret).update(`${timestamp}.${body}`).digest("hex");
  return `t=${timestamp},v1=${mac}`;
}

/** What a receiver does: true when a v1 signature matches and the timestamp is within the tolerance of `now`. */
export function verifyWebhook(secret: string, header: string, body: string, now: Date, toleranceSeconds = SIGNATURE_TOLERANCE_SECONDS): boolean {
  const parts = header.split(",").map((p) => p.trim().split("=", 2) as [string, string | undefined]);
  const t = Number(parts.find(([k]) => k === "t")?.[1]);
  if (!Number.isInteger(t) || Math.abs(now.getTime() / 1000 - t) > toleranceSeconds) return false;
  const expected = Buffer.from(createHmac("sha256", secret).update(`${t}.${body}`).digest("hex"));
  return parts.some(([k, v]) => k === "v1" && v !== undefined && v.length === expected.length && timingSafeEqual(Buffer.from(v), expected));
}

/** The body sent for an alert: a guarded one says only that something needs attention, and where. */
export async function webhookBody(services: Services, delivery: DeliveryRow): Promise<string> {
  const message = await outsideMessage(services, services.db, delivery.alert_id);
  if (!message) throw new DeliveryFailed("the alert no longer exists", null, true);
  const alert = message.described
    ? { id: message.alertId, needsAttention: true, rule: message.rule, detention: message.detentionId, person: message.person, facility: message.facility, status: message.status, daysSilent: message.days, raisedAt: message.raisedAt.toISOString(), title: message.title, url: message.link }
    : { id: message.alertId, needsAttention: true, raisedAt: message.raisedAt.toISOString(), title: message.title, url: message.link };
  return JSON.stringify({ type: "alert.raised", delivery: delivery.id, alert });
}

async function postWebhook(services: Services, delivery: DeliveryRow): Promise<number> {
  const hook = await services.db.selectFrom("alert_webhooks").selectAll().where("id", "=", delivery.webhook_id!).executeTakeFirst();
  if (!hook || hook.revoked_at) throw new DeliveryFailed("the endpoint was removed", null, true);
  const secret = openSecret(services.appKey, hook.secret_sealed, webhookSecretContext(hook.id)).toString("utf8");
  const body = await webhookBody(services, delivery);
  const timestamp = Math.floor(services.now().getTime() / 1000);
  let response: Response;
  try {
    response = await fetch(hook.url, {
      method: "POST",
      body,
      redirect: "manual",
      signal: AbortSignal.timeout(services.config.webhookTimeoutMs),
      headers: { "content-type": "application/json", "user-agent": "Vigil-Webhooks/1", [SIGNATURE_HEADER]: signWebhook(secret, timestamp, body), [DELIVERY_HEADER]: delivery.id },
    });
  } catch (error) {
    const name = error instanceof Error ? error.name : "";
    if (name === "TimeoutError" || name === "AbortError") throw new DeliveryFailed(`the endpoint did not answer within ${services.config.webhookTimeoutMs / 1000} s`, null);
    const cause = error instanceof Error && error.cause instanceof Error ? `: ${error.cause.message}` : "";
    throw new DeliveryFailed(`could not reach the endpoint${cause}`, null);
  }
  await response.body?.cancel();
  if (response.status < 200 || response.status > 299) throw new DeliveryFailed(`the endpoint answered ${response.status}`, response.status);
  return response.status;
}

export const webhookJob = defineJob<{ delivery: string }>({
  kind: WEBHOOK_JOB,
  parse: parseDeliveryPayload,
  maxAttempts: DELIVERY_MAX_ATTEMPTS,
  backoff: deliveryBackoff,
  run: (ctx) => runDelivery(ctx, postWebhook),
});
