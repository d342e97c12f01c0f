import { recordAudit } from "../audit/index.ts";
import type { Actor } from "../core/index.ts";
import type { Origin, Services } from "../context.ts";
import { appendCustodyEvents } from "../custody/index.ts";
import type { StatementRow } from "../db/index.ts";
import { openSecretValues } from "../keys/index.ts";

/**
 * Opens the secret values of one record for a reader who may reveal them. Values sealed to the
 * organisation's vault key need it unsealed (Sealed otherwise, before anything is recorded).
 * Every value read is, in one transaction committed before the values are returned, an audit
 * event and a custody-ledger "viewed" event naming the statement and the reader's pseudonym only.
 */
export async function revealSecretValues(services: Services, origin: Origin, actor: Actor, entityId: string, rows: readonly StatementRow[]): Promise<Map<string, string>> {
  const values = await openSecretValues(services, actor.orgId, rows);
  await services.db.transaction().execute(async (tx) => {
    const reader = await tx.selectFrom("users").select("pseudonym").where("id", "=", actor.userId).executeTakeFirstOrThrow();
    const indexes = await appendCustodyEvents(
      tx,
      services,
      rows.map((row) => ({ kind: "viewed" as const, orgId: actor.orgId, subject: row.id, actorPseudonym: reader.pseudonym, details: { data: "secret", record: entityId, property: row.property } })),
    );
    for (const [i, row] of rows.entries()) {
      await recordAudit(tx, origin, {
        orgId: actor.orgId,
        actorId: actor.userId,
        action: "record.secret.read",
        targetType: "statement",
        targetId: row.id,
        details: { entity: entityId, property: row.property, ledgerIndex: indexes[i]! },
      });
    }
  });
  return values;
}
