import { sql } from "kysely";
import { signCheckpoint, treeHash } from "../ledger/index.ts";
import type { Services } from "../context.ts";
import { ledgerSize } from "./append.ts";
import { DbHashReader } from "./hash-reader.ts";
import { ensureLog, logSigner } from "./log.ts";

/** Separate from the append locks: signing never makes a writer wait. */
const SIGN_LOCK = 0x5649_4732; // "VIG2"

export interface StoredCheckpoint {
  size: number;
  note: string;
}

/** The newest signed checkpoint of the organisation's log, if one was ever signed. */
export async function latestCheckpoint(services: Services, orgId: string): Promise<StoredCheckpoint | undefined> {
  return services.db
    .selectFrom("ledger_checkpoints")
    .select(["size", "note"])
    .where("org_id", "=", orgId)
    .orderBy("size", "desc")
    .limit(1)
    .executeTakeFirst();
}

/**
 * Signs a checkpoint of the log as it is now, unless one of this size exists (then returns it):
 * one stored note per size, so every process and every caller sees the same one.
 */
export async function signCheckpointNow(services: Services, orgId: string): Promise<StoredCheckpoint> {
  // Every query below goes through `tx`: PGlite has one connection, so one outside it would wait forever.
  const log = await ensureLog(services, orgId);
  return services.db.transaction().execute(async (tx) => {
    // Serialise signers of this log so two processes don't both sign the same size.
    await sql`SELECT pg_advisory_xact_lock(${SIGN_LOCK}, hashtext(${orgId}))`.execute(tx);
    const size = await ledgerSize(tx, orgId);
    const existing = await tx.selectFrom("ledger_checkpoints").select(["size", "note"]).where("org_id", "=", orgId).where("size", "=", size).executeTakeFirst();
    if (existing) return existing;
    const rootHash = await treeHash(size, new DbHashReader(tx, orgId));
    const note = signCheckpoint({ origin: log.origin, size, rootHash }, [await logSigner(services, orgId, tx)]);
    await tx.insertInto("ledger_checkpoints").values({ org_id: orgId, size, root_hash: Buffer.from(rootHash), note }).execute();
    return { size, note };
  });
}

/** Signs a new checkpoint for every log that grew since its last one; returns how many were signed. */
export async function signGrownLogs(services: Services): Promise<number> {
  // Two index lookups per organisation, never a scan of the leaves.
  const { rows: grown } = await sql<{ org_id: string }>`
    SELECT o.id AS org_id FROM organisations o
    WHERE (SELECT max(l.idx) + 1 FROM ledger_leaves l WHERE l.org_id = o.id)
        > coalesce((SELECT max(c.size) FROM ledger_checkpoints c WHERE c.org_id = o.id), 0)`.execute(services.db);
  for (const { org_id } of grown) await signCheckpointNow(services, org_id);
  return grown.length;
}

/**
 * Signs, once a minute, a checkpoint for each log that grew: "at least every minute while the
 * log grows". Each process may run it; the per-log lock and one-note-per-size keep them from
 * fighting. Returns the function that stops it.
 */
export function startCheckpointSigner(services: Services, intervalMs = 60_000): () => void {
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    signGrownLogs(services)
      .catch((error: unknown) => services.log.error({ err: error instanceof Error ? error.message : String(error) }, "signing ledger checkpoints failed"))
      .finally(() => {
        running = false;
      });
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
