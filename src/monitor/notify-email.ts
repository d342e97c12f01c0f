// Alert emails through SMTP (nodemailer). One connection per message: deliveries are rare and a
// pooled connection left open to a server that went away is its own failure. A refusal or a
// timeout throws, the delivery stays queued and the job runner retries it with backoff.
import { createTransport } from "nodemailer";
import { defineJob } from "../jobs/index.ts";
import type { Services } from "../context.ts";
import { outsideMessage } from "./notify-message.ts";
import { DeliveryFailed, parseDeliveryPayload, runDelivery, type DeliveryRow } from "./notify-deliveries.ts";
import { DELIVERY_MAX_ATTEMPTS, EMAIL_JOB, deliveryBackoff } from "./notify-jobs-kinds.ts";

/** The SMTP address without its password, for messages and logs. */
export function redactSmtpUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = "***";
    return parsed.toString();
  } catch {
    return "(an unreadable SMTP URL)";
  }
}

async function sendEmail(services: Services, delivery: DeliveryRow): Promise<number | null> {
  const { smtpUrl, smtpTimeoutMs, mailFrom } = services.config;
  if (!smtpUrl) throw new DeliveryFailed("no SMTP server is configured (VIGIL_SMTP_URL)", null);
  const recipient = await services.db
    .selectFrom("users as u")
    .innerJoin("memberships as m", (j) => j.onRef("m.user_id", "=", "u.id").on("m.org_id", "=", delivery.org_id))
    .select(["u.email", "u.deactivated_at", "m.role"])
    .where("u.id", "=", delivery.user_id!)
    .executeTakeFirst();
  if (!recipient || recipient.deactivated_at || recipient.role === "partner") throw new DeliveryFailed("the recipient is no longer a member", null, true);
  const message = await outsideMessage(services, services.db, delivery.alert_id);
  if (!message) throw new DeliveryFailed("the alert no longer exists", null, true);
  const transport = createTransport({ url: smtpUrl, connectionTimeout: smtpTimeoutMs, greetingTimeout: smtpTimeoutMs, socketTimeout: smtpTimeoutMs });
  try {
    const info = await transport.sendMail({
      from: mailFrom,
      to: recipient.email,
      subject: `[Vigil] ${message.title}`,
      text: message.text,
      headers: { "X-Vigil-Alert": message.alertId, "X-Vigil-Delivery": delivery.id },
    });
    const code = /^(\d{3})/.exec(info.response ?? "")?.[1];
    return code ? Number(code) : null;
  } catch (error) {
    const e = error as { message?: string; responseCode?: number; code?: string };
    // nodemailer's messages name the host, never the password; the URL is redacted all the same.
    const text = (e.message ?? String(error)).replaceAll(smtpUrl, redactSmtpUrl(smtpUrl));
    throw new DeliveryFailed(`the SMTP server ${e.code === "ETIMEDOUT" ? "timed out" : "refused the message"}: ${text}`, typeof e.responseCode === "number" ? e.responseCode : null);
  } finally {
    transport.close();
  }
}

export const emailJob = defineJob<{ delivery: string }>({
  kind: EMAIL_JOB,
  parse: parseDeliveryPayload,
  maxAttempts: DELIVERY_MAX_ATTEMPTS,
  backoff: deliveryBackoff,
  run: (ctx) => runDelivery(ctx, sendEmail),
});
