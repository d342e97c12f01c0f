// INTERIM: documented responsibility of officials, until the responsibility map of issue 7 lands
// (it replaces this file at merge, with the same signature). Counts, per person, the incidents in
// which they are recorded as alleged perpetrator (Involvement, role alleged-perpetrator) and the
// gravity of those incidents' violations; `command` (incidents under their command) is 0 here.
// Only records and values the caller may read count.
import { sql } from "kysely";
import type { Actor } from "../core/index.ts";
import type { Tx } from "../context.ts";
import { visibleIds } from "../records/index.ts";

export interface Responsibility {
  /** Incidents where the person is named directly as alleged perpetrator. */
  direct: number;
  /** Incidents in units under their command while they held the post. */
  command: number;
  /** The sum of the incidents' gravity (each incident its gravest violation). */
  gravity: number;
}

/** Weight of a violation in the gravity score: the gravest one of an incident counts. */
export const VIOLATION_GRAVITY: Record<string, number> = {
  killing: 5, "extrajudicial-execution": 5, "death-in-custody": 5,
  torture: 4, "enforced-disappearance": 4, "sexual-violence": 4, "forced-sterilisation": 4,
  "arbitrary-detention": 3, "arbitrary-arrest": 3, "ill-treatment": 3, "forced-labour": 3, "family-separation": 3, "transnational-repression": 3, "forced-indoctrination": 3,
};
const DEFAULT_GRAVITY = 2;

export async function documentedResponsibility(tx: Tx, actor: Actor, personIds: readonly string[]): Promise<Map<string, Responsibility>> {
  const out = new Map<string, Responsibility>(personIds.map((id) => [id, { direct: 0, command: 0, gravity: 0 }]));
  if (personIds.length === 0) return out;
  const { rows } = await sql<{ person: string; involvement: string; incident: string }>`
    SELECT p.ref_id AS person, p.entity_id AS involvement, i.ref_id AS incident
    FROM statements p
    JOIN statements r ON r.entity_id = p.entity_id AND r.property = 'role' AND r.value = 'alleged-perpetrator' AND r.retracted_at IS NULL AND r.sensitivity IN ('public', 'internal')
    JOIN statements i ON i.entity_id = p.entity_id AND i.property = 'incident' AND i.retracted_at IS NULL AND i.sensitivity IN ('public', 'internal') AND i.ref_id IS NOT NULL
    JOIN entities e ON e.id = p.entity_id AND e.archived_at IS NULL AND e.org_id = ${actor.orgId}::uuid
    WHERE p.property = 'participant' AND p.retracted_at IS NULL AND p.sensitivity IN ('public', 'internal') AND p.ref_id = ANY(${[...personIds]}::uuid[])`.execute(tx);
  if (rows.length === 0) return out;
  const visible = await visibleIds(tx, actor, [...rows.map((r) => r.involvement), ...rows.map((r) => r.incident)]);
  const kept = rows.filter((r) => visible.has(r.involvement) && visible.has(r.incident));
  const incidents = [...new Set(kept.map((r) => r.incident))];
  const gravity = new Map<string, number>(incidents.map((id) => [id, DEFAULT_GRAVITY]));
  if (incidents.length > 0) {
    const archived = new Set((await tx.selectFrom("entities").select("id").where("id", "in", incidents).where("archived_at", "is not", null).execute()).map((r) => r.id));
    for (const id of archived) gravity.delete(id);
    const violations = await tx.selectFrom("statements").select(["entity_id", "value"]).where("entity_id", "in", incidents).where("property", "=", "violation").where("retracted_at", "is", null).where("sensitivity", "in", ["public", "internal"]).execute();
    const gravest = new Map<string, number>();
    for (const v of violations) gravest.set(v.entity_id, Math.max(gravest.get(v.entity_id) ?? 0, VIOLATION_GRAVITY[v.value ?? ""] ?? DEFAULT_GRAVITY));
    for (const [id, g] of gravest) if (gravity.has(id)) gravity.set(id, g);
  }
  const seen = new Set<string>();
  for (const r of kept) {
    const key = `${r.person}|${r.incident}`;
    if (seen.has(key) || !gravity.has(r.incident)) continue;
    seen.add(key);
    const entry = out.get(r.person)!;
    entry.direct++;
    entry.gravity += gravity.get(r.incident)!;
  }
  return out;
}
