// What an alert says outside Vigil (email, webhook, Atom feed). The rule of this file: a guarded
// alert (anything about the detention restricted or secret, then or now) says only that an alert
// needs attention in Vigil, with a link; otherwise only public and internal values are used: the
// person's and the facility's names from statements of those levels, on records not restricted.
import { sql } from "kysely";
import type { Services, Tx } from "../context.ts";
import type { AlertRule } from "./alerts-rules.ts";

export interface OutsideMessage {
  alertId: string;
  orgId: string;
  /** false: the message says nothing but that an alert needs attention. */
  described: boolean;
  rule: AlertRule | null;
  detentionId: string | null;
  person: string | null;
  facility: string | null;
  status: string | null;
  days: number | null;
  raisedAt: Date;
  link: string;
  title: string;
  text: string;
}

const RULE_TITLES: Record<AlertRule, string> = {
  silence: "No proof of life",
  "status-change": "Custody status changed",
  "sentence-overdue": "Sentence served, no release recorded",
  death: "Death in custody",
  "unknown-transfer": "Taken to an unknown place",
};

export function alertLink(services: Pick<Services, "config">, alertId: string): string {
  const base = (services.config.publicUrl ?? `http://${services.config.host}:${services.config.port}`).replace(/\/+$/, "");
  return `${base}/alerts/${alertId}`;
}

/** A name of a record readable outside Vigil: public or internal, current, on a record that is not restricted. */
function outsideName(id: ReturnType<typeof sql>) {
  return sql<string | null>`(select s.value from statements s join entities e on e.id = s.entity_id
    where s.entity_id = ${id} and s.property in ('name', 'full') and s.retracted_at is null and s.value is not null
      and s.sensitivity in ('public', 'internal') and not e.restricted
    order by s.property = 'name' desc, s.seq limit 1)`;
}

export async function outsideMessage(services: Services, db: Tx, alertId: string): Promise<OutsideMessage | null> {
  const row = (
    await sql<{ id: string; org_id: string; rule: AlertRule; detention_id: string; status: string | null; days: number | null; raised_at: Date; guarded: boolean; person: string | null; facility: string | null }>`
      select a.id, a.org_id, a.rule, a.detention_id, a.status, a.days, a.raised_at,
        a.guarded or coalesce(d.guarded, true) or coalesce(e.restricted, true) as guarded,
        ${outsideName(sql`a.person_id`)} as person, ${outsideName(sql`a.facility_id`)} as facility
      from alerts a
      left join monitor_detentions d on d.detention_id = a.detention_id
      left join entities e on e.id = a.detention_id
      where a.id = ${alertId}`.execute(db)
  ).rows[0];
  if (!row) return null;
  const link = alertLink(services, row.id);
  if (row.guarded) {
    return {
      alertId: row.id, orgId: row.org_id, described: false, rule: null, detentionId: null, person: null, facility: null, status: null, days: null,
      raisedAt: row.raised_at, link,
      title: "An alert needs attention in Vigil",
      text: `An alert needs attention in Vigil. Sign in to read it:\n${link}\n`,
    };
  }
  const who = row.person ?? "A detained person";
  const where = row.facility ? ` (${row.facility})` : "";
  const detail =
    row.rule === "silence"
      ? row.days === null
        ? `${who}${where}: no proof of life has ever been recorded.`
        : `${who}${where}: no proof of life for ${row.days} days.`
      : row.rule === "status-change"
        ? `${who}${where}: custody status is now "${row.status ?? "unknown"}".`
        : row.rule === "sentence-overdue"
          ? `${who}${where}: the sentence has ended and no release is recorded.`
          : row.rule === "death"
            ? `${who}${where}: died in custody.`
            : `${who}: ${row.status === "disappeared" ? "disappeared" : "transferred to an unknown place"}.`;
  return {
    alertId: row.id, orgId: row.org_id, described: true, rule: row.rule, detentionId: row.detention_id, person: row.person, facility: row.facility,
    status: row.status, days: row.days, raisedAt: row.raised_at, link,
    title: `${RULE_TITLES[row.rule]}: ${who}`,
    text: `${detail}\n\nOpen the alert in Vigil:\n${link}\n`,
  };
}
