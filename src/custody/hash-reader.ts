import { sql } from "kysely";
import { LedgerError, type Hash, type HashReader, type StoredIndex } from "../ledger/index.ts";
import type { Tx } from "../context.ts";

/**
 * The ledger engine's HashReader over one organisation's `ledger_hashes`: one `idx = ANY($1)`
 * query per call, whatever the number of hashes a proof or a tile needs.
 */
export class DbHashReader implements HashReader {
  constructor(
    private readonly db: Tx,
    private readonly orgId: string,
  ) {}

  async readHashes(indexes: readonly StoredIndex[]): Promise<readonly Hash[]> {
    if (indexes.length === 0) return [];
    const unique = [...new Set(indexes)];
    const rows = await this.db
      .selectFrom("ledger_hashes")
      .select(["idx", "hash"])
      .where("org_id", "=", this.orgId)
      .where("idx", "=", sql<number>`ANY(${sql.val(unique)}::bigint[])`)
      .execute();
    const byIndex = new Map(rows.map((row) => [row.idx, toBytes(row.hash)]));
    return indexes.map((index) => {
      const hash = byIndex.get(index);
      if (!hash) throw new LedgerError("store", `stored hash ${index} is missing`);
      return hash;
    });
  }
}

/** pg gives bytea as a Buffer, the PGlite worker as a plain Uint8Array: one shape for the engine. */
export function toBytes(value: Uint8Array): Buffer {
  return Buffer.isBuffer(value) ? value : Buffer.from(value.buffer, value.byteOffset, value.byteLength);
}
