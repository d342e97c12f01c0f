import { sql } from "kysely";
import type { Origin, Services } from "../context.ts";
import { inclusionProof, ledgerSize } from "../custody/index.ts";
import { decodeLeaf, type CustodyEvent } from "../ledger/index.ts";
import { authorizeCaller, orgOf, type Caller } from "./caller.ts";

export interface CustodyEntry {
  index: number;
  event: CustodyEvent;
  /** RFC 6962 audit path from this leaf to the root of the log at `treeSize`, base64 hashes. */
  proof: string[];
  treeSize: number;
  rootHash: string;
}

/**
 * The custody history of one item: every leaf of the organisation's log whose subject is the
 * item (or the latest `latest` of them), each with its inclusion proof in the log as it stands now.
 */
export async function custodyHistory(services: Services, origin: Origin, caller: Caller, id: string, options: { latest?: number } = {}): Promise<CustodyEntry[]> {
  const orgId = orgOf(caller);
  await authorizeCaller(services, origin, caller, "evidence.view", { kind: "evidence", orgId }, { type: "evidence", id });
  // Leaves are RFC 8785 canonical JSON, so the subject appears exactly as written here.
  const needle = `"subject":${JSON.stringify(id)}`;
  const rows = await services.db
    .selectFrom("ledger_leaves")
    .select(["idx", "data"])
    .where("org_id", "=", orgId)
    .where(sql<boolean>`position(convert_to(${needle}, 'UTF8') in data) > 0`)
    // The latest events only, when asked (a panel listing many items); in order either way.
    .orderBy("idx", options.latest ? "desc" : "asc")
    .limit(Math.min(options.latest ?? 500, 500))
    .execute();
  if (options.latest) rows.reverse();
  const size = await ledgerSize(services.db, orgId);
  const reader = caller.kind === "person" ? caller.actor : null;
  const entries: CustodyEntry[] = [];
  for (const row of rows) {
    const event = decodeLeaf(row.data);
    if (event.subject !== id) continue;
    const answer = await inclusionProof(services, origin, reader, orgId, { index: String(row.idx), size: String(size) });
    entries.push({ index: row.idx, event, proof: answer.proof, treeSize: answer.size, rootHash: answer.rootHash });
  }
  return entries;
}
