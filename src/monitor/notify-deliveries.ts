// The two delivery jobs (email, webhook) share this: load the delivery, skip one already sent or
// failed, record every attempt for the delivery log, and on the last failed attempt mark it failed.
// A failure throws, so the job runner retries with backoff: the delivery is never dropped.
import { PermanentJobError, type JobContext } from "../jobs/index.ts";
import type { Services } from "../context.ts";
import type { Selectable } from "kysely";
import type { AlertDeliveriesTable } from "../db/index.ts";

export type DeliveryRow = Selectable<AlertDeliveriesTable>;

/** A failed attempt: its status (HTTP code or SMTP reply code) when there was one. */
export class DeliveryFailed extends Error {
  override name = "DeliveryFailed";
  constructor(
    message: string,
    readonly status: number | null,
    /** Another attempt cannot succeed (the endpoint was removed, the recipient left): fail now. */
    readonly permanent = false,
  ) {
    super(message);
  }
}

export function parseDeliveryPayload(payload: unknown): { delivery: string } {
  const id = (payload as { delivery?: unknown } | null)?.delivery;
  if (typeof id !== "string" || !/^[0-9a-f-]{36}$/.test(id)) throw new Error("the payload names no delivery");
  return { delivery: id };
}

export async function runDelivery(ctx: JobContext<{ delivery: string }>, send: (services: Services, delivery: DeliveryRow) => Promise<number | null>): Promise<unknown> {
  const { services } = ctx;
  const delivery = await services.db.selectFrom("alert_deliveries").selectAll().where("id", "=", ctx.payload.delivery).executeTakeFirst();
  if (!delivery || delivery.state !== "queued") return { skipped: delivery?.state ?? "missing" };
  const started = services.now();
  const clock = performance.now();
  const attempt = delivery.attempts + 1;
  let status: number | null = null;
  let error: string | null = null;
  let permanent = false;
  try {
    status = await send(services, delivery);
  } catch (caught) {
    status = caught instanceof DeliveryFailed ? caught.status : null;
    permanent = caught instanceof DeliveryFailed && caught.permanent;
    error = (caught instanceof Error ? caught.message : String(caught)).slice(0, 1000);
  }
  const durationMs = Math.round(performance.now() - clock);
  const last = permanent || ctx.job.attempts >= ctx.job.maxAttempts;
  await services.db.transaction().execute(async (tx) => {
    await tx.insertInto("alert_delivery_attempts").values({ delivery_id: delivery.id, attempt, at: started, status, error, duration_ms: durationMs }).onConflict((oc) => oc.doNothing()).execute();
    await tx
      .updateTable("alert_deliveries")
      .set({ attempts: attempt, last_status: status, last_error: error, state: error === null ? "sent" : last ? "failed" : "queued", sent_at: error === null ? services.now() : null })
      .where("id", "=", delivery.id)
      .execute();
  });
  if (error !== null) throw permanent ? new PermanentJobError(error) : new Error(error);
  return { sent: true, status };
}
