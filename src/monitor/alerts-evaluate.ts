// Evaluating the alert rules: one set-based statement per rule over monitor_detentions for every
// organisation at once, then one statement that fans the new alerts out to inboxes, emails and
// webhooks and queues their delivery jobs. Everything commits together, fenced by the job's lease.
//
// Exactly once: an alert's key is (organisation, rule, detention, fact) and it is inserted with
// ON CONFLICT DO NOTHING; only the rows that statement inserted are fanned out, and each delivery
// has a unique key too. Two processes evaluating at once are also serialised by the status-change
// cursor's row lock, taken first, so the second sees the first's alerts and raises nothing.
import { sql } from "kysely";
import type { Services, Tx } from "../context.ts";
import { defineJob } from "../jobs/index.ts";
import { DEFAULT_SILENCE_DAYS, type AlertRule } from "./alerts-rules.ts";
import { DELIVERY_MAX_ATTEMPTS, EMAIL_JOB, WEBHOOK_JOB } from "./notify-jobs-kinds.ts";
import { dayOf } from "./silence-input.ts";

export const EVALUATE_JOB = "alerts.evaluate";
/** The status-change rule re-reads this much before its cursor: a record whose transaction committed late is still seen. */
export const CURSOR_MARGIN_MINUTES = 10;

export type RaisedCounts = Record<AlertRule, number>;

/** The rules' statements: each returns the ids of the alerts it inserted. `$now` and `$today` are the clock's. */
function ruleStatements(now: Date): Record<AlertRule, ReturnType<typeof sql<{ id: string }>>> {
  const today = dayOf(now);
  // Each organisation's setting for the rule, joined once (a rule without a row is on, default window).
  const setting = (rule: AlertRule) => sql`join (
      select o.id as org_id, coalesce(r.enabled, true) as enabled, coalesce(r.window_days, ${DEFAULT_SILENCE_DAYS}) as window_days
      from organisations o left join alert_rules r on r.org_id = o.id and r.rule = ${rule}
    ) rs on rs.org_id = d.org_id and rs.enabled`;
  const insert = (rule: AlertRule, fact: ReturnType<typeof sql>, where: ReturnType<typeof sql>, days: ReturnType<typeof sql> = sql`null::integer`) => sql<{ id: string }>`
    insert into alerts (id, org_id, rule, detention_id, fact, person_id, facility_id, status, days, guarded, raised_at)
    select gen_random_uuid(), d.org_id, ${rule}, d.detention_id, ${fact}, d.person_id, d.facility_id, d.status, ${days}, d.guarded, ${now}
    from monitor_detentions d ${setting(rule)}
    where not d.archived and ${where}
    on conflict (org_id, rule, detention_id, fact) do nothing
    returning id`;
  // Silence is counted from the last proof of life, or from the arrest when there has been none.
  const since = sql`coalesce(d.last_proof_of_life, d.started_latest)`;
  const window = sql`coalesce(d.silence_days, rs.window_days)`;
  return {
    silence: insert(
      "silence",
      sql`'pol:' || coalesce(d.last_proof_of_life, 'none')`,
      sql`d.ongoing and (${since} is null or ${today}::date - ${since}::date > ${window})`,
      sql`${today}::date - ${since}::date`,
    ),
    "sentence-overdue": insert(
      "sentence-overdue",
      sql`'end:' || d.sentence_end`,
      sql`d.ongoing and d.sentence_end is not null and d.sentence_end < ${today} and coalesce(d.status, '') not in ('released', 'released-restricted', 'died-in-custody')`,
    ),
    death: insert("death", sql`'died-in-custody'`, sql`d.status = 'died-in-custody'`),
    "unknown-transfer": insert(
      "unknown-transfer",
      sql`d.status || ':' || coalesce(d.status_earliest, 'undated')`,
      sql`d.ongoing and (d.status = 'disappeared' or (d.status = 'transferred' and d.facility_id is null))`,
    ),
    // New CustodyStatus records since the organisation's cursor (minus the margin): the fact is the record.
    "status-change": sql<{ id: string }>`
      insert into alerts (id, org_id, rule, detention_id, fact, person_id, facility_id, status, days, guarded, raised_at)
      select gen_random_uuid(), cs.org_id, 'status-change', d.detention_id, 'status:' || cs.id, d.person_id, d.facility_id, st.value, null,
        d.guarded or cs.restricted or coalesce(st.sensitivity in ('restricted', 'secret'), false), ${now}
      from alert_cursors c
      join entities cs on cs.org_id = c.org_id and cs.schema = 'CustodyStatus'
        and cs.created_at > c.position - make_interval(mins => ${CURSOR_MARGIN_MINUTES}) and cs.created_at <= ${now}
        and cs.archived_at is null and cs.merged_into is null
      join statements det on det.entity_id = cs.id and det.property = 'detention' and det.retracted_at is null
      join monitor_detentions d on d.detention_id = det.ref_id and not d.archived
      left join lateral (
        select s.value, s.sensitivity from statements s
        where s.entity_id = cs.id and s.property = 'status' and s.retracted_at is null order by s.seq desc limit 1
      ) st on true
      where c.rule = 'status-change'
        and coalesce((select r.enabled from alert_rules r where r.org_id = cs.org_id and r.rule = 'status-change'), true)
      on conflict (org_id, rule, detention_id, fact) do nothing
      returning id`,
  };
}

/**
 * Who hears of each new alert: subscribers whose case, person, facility or saved search it
 * matches, and administrators and editors subscribed to the whole organisation. A member hears
 * only of a detention they may know of (a restricted record: administrators and its access list),
 * never a partner, never a deactivated account.
 */
async function fanOut(services: Services, tx: Tx, ids: string[], now: Date): Promise<{ notified: number; deliveries: number }> {
  if (ids.length === 0) return { notified: 0, deliveries: 0 };
  const email = services.config.smtpUrl !== undefined;
  const result = await sql<{ notified: number; deliveries: number }>`
    with new_alerts as (
      -- A join on the unnested ids (a hash join), not "id = any(array)" tested row by row.
      select a.* from unnest(${sql.val(ids)}::uuid[]) as n(id) join alerts a on a.id = n.id
    ),
    recipients as (
      select a.id as alert_id, a.org_id, s.user_id, bool_or(s.email) as email
      from new_alerts a
      join alert_subscriptions s on s.org_id = a.org_id and (
        (s.kind = 'detention' and s.target_id = a.detention_id)
        or (s.kind = 'person' and s.target_id = a.person_id)
        or (s.kind = 'facility' and s.target_id = a.facility_id)
        or (s.kind = 'search' and (s.filter_statuses is null or a.status = any(s.filter_statuses)) and (s.filter_rules is null or a.rule = any(s.filter_rules)))
        or s.kind = 'organisation')
      join memberships m on m.user_id = s.user_id and m.org_id = a.org_id and m.role <> 'partner'
      join users u on u.id = s.user_id and u.deactivated_at is null
      join entities e on e.id = a.detention_id
      where (s.kind <> 'organisation' or m.role in ('admin', 'editor'))
        and (not e.restricted or m.role = 'admin' or exists (select 1 from entity_access x where x.entity_id = e.id and x.user_id = s.user_id))
      group by a.id, a.org_id, s.user_id
    ),
    inbox as (
      insert into alert_notifications (alert_id, user_id, org_id, created_at)
      select alert_id, user_id, org_id, ${now} from recipients
      on conflict do nothing
      returning 1
    ),
    emails as (
      insert into alert_deliveries (id, alert_id, org_id, channel, user_id, state, created_at)
      select gen_random_uuid(), alert_id, org_id, 'email', user_id, 'queued', ${now} from recipients where email and ${email}
      on conflict do nothing
      returning id, org_id, channel
    ),
    hooks as (
      insert into alert_deliveries (id, alert_id, org_id, channel, webhook_id, state, created_at)
      select gen_random_uuid(), a.id, a.org_id, 'webhook', w.id, 'queued', ${now}
      from new_alerts a join alert_webhooks w on w.org_id = a.org_id and w.revoked_at is null
      on conflict do nothing
      returning id, org_id, channel
    ),
    -- The set-based form of enqueueJob: one job per delivery, unique key 'delivery:<id>'.
    queued as (
      insert into jobs (id, kind, org_id, owner_id, payload, unique_key, state, run_at, max_attempts, created_at, updated_at)
      select gen_random_uuid(), case when channel = 'email' then ${EMAIL_JOB} else ${WEBHOOK_JOB} end, org_id, null,
        jsonb_build_object('delivery', id), 'delivery:' || id, 'queued', ${now}, ${DELIVERY_MAX_ATTEMPTS}, ${now}, ${now}
      from (select * from emails union all select * from hooks) d
      on conflict do nothing
      returning 1
    )
    select (select count(*) from inbox)::int as notified, (select count(*) from queued)::int as deliveries`.execute(tx);
  return result.rows[0]!;
}

export interface Evaluation {
  raised: RaisedCounts;
  notified: number;
  deliveries: number;
}

/** Runs every rule for every organisation in `tx`, and queues what the new alerts must send. */
export async function evaluateAlerts(services: Services, tx: Tx): Promise<Evaluation> {
  const now = services.now();
  // New organisations start watching status changes from now, not from their whole history.
  await sql`insert into alert_cursors (org_id, rule, position) select id, 'status-change', ${now} from organisations on conflict do nothing`.execute(tx);
  // Serialises evaluations across processes (see the top of this file).
  await sql`select org_id from alert_cursors where rule = 'status-change' order by org_id for update`.execute(tx);
  const statements = ruleStatements(now);
  const raised = {} as RaisedCounts;
  const ids: string[] = [];
  for (const [rule, statement] of Object.entries(statements) as [AlertRule, (typeof statements)[AlertRule]][]) {
    const rows = (await statement.execute(tx)).rows;
    raised[rule] = rows.length;
    for (const row of rows) ids.push(row.id);
  }
  await sql`update alert_cursors set position = greatest(position, ${now}) where rule = 'status-change'`.execute(tx);
  const { notified, deliveries } = await fanOut(services, tx, ids, now);
  return { raised, notified, deliveries };
}

export const evaluateAlertsJob = defineJob<Record<string, never>>({
  kind: EVALUATE_JOB,
  parse: () => ({}),
  maxAttempts: 3,
  async run(ctx) {
    // Fenced: a worker whose lease was taken over cannot commit alerts or deliveries.
    const result = await ctx.fenced((tx) => evaluateAlerts(ctx.services, tx));
    if (result.deliveries > 0) ctx.services.log.info({ raised: result.raised, deliveries: result.deliveries }, "alerts raised");
    return result;
  },
});
