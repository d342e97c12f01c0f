// Atom feeds (RFC 4287) of a person's watchlist: the alerts that reached their inbox, at a secret
// address any feed reader can poll. A feed is outside Vigil: each entry is the outside message
// (a guarded alert only says it needs attention). The feed dies with the token's revocation, the
// person's deactivation, or their leaving the organisation.
import { sql } from "kysely";
import { NotFound } from "../core/index.ts";
import type { Services } from "../context.ts";
import { alertLink, outsideMessage, type OutsideMessage } from "./notify-message.ts";
import { feedTokenHash } from "./notify.ts";

const FEED_ENTRIES = 50;
const TOKEN = /^vgf_[A-Za-z0-9_-]{43}$/;

// XML 1.0 §2.2 forbids these control characters even escaped: they are dropped.
// eslint-disable-next-line no-control-regex
const XML_FORBIDDEN = /[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g;

function xml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => `&${{ "<": "lt", ">": "gt", "&": "amp", '"': "quot", "'": "apos" }[c]};`).replace(XML_FORBIDDEN, "");
}

export function atomDocument(feed: { id: string; title: string; selfUrl: string; updated: Date }, entries: OutsideMessage[]): string {
  const lines = [
    `<?xml version="1.0" encoding="utf-8"?>`,
    `<feed xmlns="http://www.w3.org/2005/Atom">`,
    `  <id>urn:uuid:${feed.id}</id>`,
    `  <title>${xml(feed.title)}</title>`,
    `  <updated>${feed.updated.toISOString()}</updated>`,
    `  <author><name>Vigil</name></author>`,
    `  <link rel="self" type="application/atom+xml" href="${xml(feed.selfUrl)}"/>`,
    `  <generator>Vigil</generator>`,
  ];
  for (const e of entries) {
    lines.push(
      `  <entry>`,
      `    <id>urn:uuid:${e.alertId}</id>`,
      `    <title>${xml(e.title)}</title>`,
      `    <updated>${e.raisedAt.toISOString()}</updated>`,
      `    <link rel="alternate" type="text/html" href="${xml(e.link)}"/>`,
      `    <content type="text">${xml(e.text)}</content>`,
      `  </entry>`,
    );
  }
  lines.push(`</feed>`, "");
  return lines.join("\n");
}

/** The feed at a token, or not found (a wrong, revoked or orphaned token: the same answer). */
export async function readFeed(services: Services, token: string): Promise<string> {
  if (!TOKEN.test(token)) throw new NotFound("no such feed");
  const feed = await sql<{ id: string; title: string; user_id: string; org_id: string; created_at: Date; role: string }>`
    select f.id, f.title, f.user_id, f.org_id, f.created_at, m.role
    from alert_feeds f
    join memberships m on m.user_id = f.user_id and m.org_id = f.org_id
    join users u on u.id = f.user_id and u.deactivated_at is null
    where f.token_hash = ${feedTokenHash(token)} and f.revoked_at is null and m.role <> 'partner'`.execute(services.db);
  const row = feed.rows[0];
  if (!row) throw new NotFound("no such feed");
  // Only alerts on detentions the person may still know of.
  const ids = await sql<{ id: string }>`
    select a.id from alert_notifications n
    join alerts a on a.id = n.alert_id
    join entities e on e.id = a.detention_id
    where n.user_id = ${row.user_id} and n.org_id = ${row.org_id}
      and (not e.restricted or ${row.role} = 'admin' or exists (select 1 from entity_access x where x.entity_id = e.id and x.user_id = ${row.user_id}))
    order by n.created_at desc, a.id desc
    limit ${FEED_ENTRIES}`.execute(services.db);
  const entries: OutsideMessage[] = [];
  for (const { id } of ids.rows) {
    const message = await outsideMessage(services, services.db, id);
    if (message) entries.push(message);
  }
  const updated = entries.reduce((latest, e) => (e.raisedAt > latest ? e.raisedAt : latest), row.created_at);
  const selfUrl = alertLink(services, "").replace(/\/alerts\/$/, `/feeds/${token}`);
  return atomDocument({ id: row.id, title: row.title, selfUrl, updated }, entries);
}
