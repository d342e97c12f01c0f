// The key a list sorted by name orders on, stored on the record (entities.name_key, migration 0017)
// so that a page sorted by name walks an index (org_id, name_key, id) instead of aggregating every
// statement of the organisation at each request. It is the lowest lower-cased value among the
// record's live open (public or internal) names, cut to 200 characters, '' for a nameless record:
// a restricted or secret name never orders a list. The database computes it (lower() and min()
// under its own collation, the same as the ORDER BY that reads it), in the transaction that
// changes the statements.
import { sql } from "kysely";
import type { Tx } from "../context.ts";
import { arrayLiteral } from "../db/index.ts";

/** Properties whose values are names (and an address's full text): what a name filter and the name sort read. */
export const NAME_PROPERTIES = ["name", "alias", "weakAlias", "previousName", "full", "firstName", "lastName"] as const;

/** Cut so that a very long name still fits a btree index entry; ties sort by id. */
export const NAME_KEY_LENGTH = 200;

/** Recomputes the stored name key of each record from its statements, writing only those that changed. */
export async function refreshNameSortKeys(tx: Tx, ids: readonly string[]): Promise<void> {
  if (ids.length === 0) return;
  await sql`UPDATE entities e SET name_key = k.key
    FROM (SELECT i.id, COALESCE((SELECT left(min(lower(s.value)), ${NAME_KEY_LENGTH}) FROM statements s
            WHERE s.entity_id = i.id AND s.retracted_at IS NULL AND s.sensitivity IN ('public', 'internal')
              AND s.property IN (${sql.join([...NAME_PROPERTIES])})), '') AS key
          FROM unnest(${[...new Set(ids)]}::uuid[]) AS i(id)) k
    WHERE e.id = k.id AND e.name_key <> k.key`.execute(tx);
}

/**
 * The name keys of new records from the values about to be written, as the SQL fragment of a
 * join: (id, key) rows computed by the database from arrays, so that the records are inserted
 * with their key instead of being updated after. Only open values count, as in refreshNameSortKeys.
 */
export function newNameSortKeys(values: readonly { entity: string; property: string; value: string }[], sensitivity: string) {
  const names = sensitivity === "public" || sensitivity === "internal" ? values.filter((v) => (NAME_PROPERTIES as readonly string[]).includes(v.property)) : [];
  return sql`(SELECT n.id, left(min(lower(n.value)), ${NAME_KEY_LENGTH}) AS key
    FROM unnest(${arrayLiteral(names.map((n) => n.entity))}::uuid[], ${arrayLiteral(names.map((n) => n.value))}::text[]) AS n(id, value) GROUP BY n.id)`;
}
