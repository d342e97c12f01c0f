// The index provider, behind an interface as yente's provider/base.py is: given each query's
// blocking keys, which records to score. The SQL provider reads name_keys; scoring never sees SQL.
import { planCandidateKeys } from "../names/index.ts";
import type { Tx } from "../context.ts";

/** Keys whose blocks together exceed this many entries are not all looked up: the rarest go first. */
export const CANDIDATE_BUDGET = 500;

export interface CandidateScope {
  orgId: string;
  /** A named list's id: only its members are candidates. null: every record of the organisation. */
  listId: string | null;
}

export interface Candidates {
  /** The keys looked up for the query. */
  keys: Set<string>;
  /** The records that have one of them. */
  ids: string[];
}

export interface CandidateProvider {
  /** For each query (its blocking keys), the keys chosen for it and the records that have them. */
  candidates(scope: CandidateScope, keysPerQuery: readonly (readonly string[])[]): Promise<Candidates[]>;
}

export function sqlCandidates(db: Tx): CandidateProvider {
  return {
    async candidates(scope, keysPerQuery) {
      const allKeys = [...new Set(keysPerQuery.flat())];
      if (allKeys.length === 0) return keysPerQuery.map(() => ({ keys: new Set(), ids: [] }));
      // One query for the size of every block the batch could use. Sizes steer the plan only.
      const sizes = new Map<string, number>();
      const counted = await db.selectFrom("name_keys").select(["key", (eb) => eb.fn.countAll<string>().as("n")]).where("org_id", "=", scope.orgId).where("key", "in", allKeys).groupBy("key").execute();
      for (const row of counted) sizes.set(row.key, Number(row.n));
      const plans = keysPerQuery.map((keys) => new Set(planCandidateKeys(keys, (k) => sizes.get(k) ?? 0, CANDIDATE_BUDGET)));
      const chosen = [...new Set(plans.flatMap((p) => [...p]))];
      if (chosen.length === 0) return plans.map((keys) => ({ keys, ids: [] }));
      let query = db.selectFrom("name_keys as k").select(["k.key", "k.entity_id"]).where("k.org_id", "=", scope.orgId).where("k.key", "in", chosen);
      if (scope.listId !== null) {
        const listId = scope.listId;
        query = query.where((eb) => eb.exists(eb.selectFrom("entity_list_members as m").select("m.entity_id").whereRef("m.entity_id", "=", "k.entity_id").where("m.list_id", "=", listId)));
      }
      const byKey = new Map<string, string[]>();
      for (const row of await query.execute()) (byKey.get(row.key) ?? byKey.set(row.key, []).get(row.key)!).push(row.entity_id);
      return plans.map((keys) => ({ keys, ids: [...new Set([...keys].flatMap((k) => byKey.get(k) ?? []))] }));
    },
  };
}
