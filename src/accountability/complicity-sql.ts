// SQL conditions the complicity registry, the ownership graph and supplier screening share. They
// only decide which records and links a query may follow: the same rule as the records service's
// `visibleTo` (a restricted record exists only for administrators and its access list), and for a
// statement, the rule of `record.read-restricted` (restricted values for the same people; secret
// values are sealed and never followed). Every value shown is then read through the records service.
import { sql, type RawBuilder } from "kysely";
import type { Actor } from "../core/index.ts";
import { schemaAndDescendants } from "../records/index.ts";

/** The FtM schemata of ownership and control links. */
export const OWNERSHIP_SCHEMATA = schemaAndDescendants("Ownership");
export const DIRECTORSHIP_SCHEMATA = schemaAndDescendants("Directorship");

function onList(actor: Actor, entity: string): RawBuilder<unknown> {
  return sql`EXISTS (SELECT 1 FROM entity_access x WHERE x.entity_id = ${sql.ref(entity)} AND x.user_id = ${actor.userId})`;
}

/** `alias` (a row of entities) is a live record of the actor's organisation that the actor may know of. */
export function visibleRecord(actor: Actor, alias: string): RawBuilder<unknown> {
  const id = `${alias}.id`;
  const live = sql`${sql.ref(`${alias}.org_id`)} = ${actor.orgId} AND ${sql.ref(`${alias}.archived_at`)} IS NULL AND ${sql.ref(`${alias}.merged_into`)} IS NULL`;
  if (actor.role === "admin") return live;
  return sql`${live} AND (NOT ${sql.ref(`${alias}.restricted`)} OR ${onList(actor, id)})`;
}

/** `alias` (a live statement of record `entity`) is one the actor may read: public or internal, or restricted for those who may read it. */
export function readableStatement(actor: Actor, alias: string, entity: string): RawBuilder<unknown> {
  const sensitivity = sql.ref(`${alias}.sensitivity`);
  const live = sql`${sql.ref(`${alias}.retracted_at`)} IS NULL`;
  if (actor.role === "admin") return sql`${live} AND ${sensitivity} <> 'secret'`;
  return sql`${live} AND (${sensitivity} IN ('public', 'internal') OR (${sensitivity} = 'restricted' AND ${onList(actor, `${entity}.id`)}))`;
}
