// The delivery jobs' kinds and retry policy, apart from their handlers so the evaluation can queue
// them without importing the mail and HTTP clients.
export const EMAIL_JOB = "alerts.deliver-email";
export const WEBHOOK_JOB = "alerts.deliver-webhook";

/** About a day and a half of retries: 30 s, 1 min, 2 min… capped at 6 hours between attempts. */
export const DELIVERY_MAX_ATTEMPTS = 12;

export function deliveryBackoff(attempt: number): number {
  return Math.min(30_000 * 2 ** (attempt - 1), 6 * 3_600_000);
}
