// The responsibility map of an official: the incidents and detentions that happened in the units
// and places under their command while they held the post, apart from those naming them directly.
// Links are derived at each reading from the records the reader may see (nothing derived is
// stored, so nothing can fall out of step with the records or their access lists); an analyst's
// decision on a link (confirmed, dismissed, reopened) is stored, append-only.
import { randomUUID } from "node:crypto";
import { z } from "zod";
import { can, Invalid, NotFound, type Actor } from "../core/index.ts";
import type { Origin, Services, Tx } from "../context.ts";
import { recordAudit, requirePermission } from "../audit/index.ts";
import { parseInput } from "../accounts/index.ts";
import { detentionViews } from "../monitor/index.ts";
import { getEntity, inputOf, viewEntities, type EntityView } from "../records/index.ts";
import { occupanciesOf, type CareerEntry } from "./positions.ts";
import { dateOf, namesOf, nameOf, statementsOf, valuesOf, viewsReferring, referringIds } from "./positions-read.ts";
import { DETENTION_GRAVITY, gravityOf } from "./responsibility-gravity.ts";
import { placesUnder, UNIT_SCHEMATA, unitsUnder, type UnitNode } from "./units.ts";

/** Involvement roles that make a participant answerable for an incident. */
export const ANSWERABLE_ROLES = ["alleged-perpetrator", "responsible-authority"] as const;

export type LinkKind = "incident" | "detention";
export type LinkBasis = "direct" | "command" | "organisation";
export type Decision = "confirmed" | "dismissed" | "reopened";

export interface ReviewView {
  id: string;
  decision: Decision;
  reason: string;
  actorId: string | null;
  actorName: string | null;
  createdAt: Date;
}

export interface ResponsibilityLink {
  /** `basis:record`: 'direct', 'organisation' or the Occupancy's id, then the Incident's or Detention's id. */
  key: string;
  kind: LinkKind;
  basis: LinkBasis;
  record: { id: string; schema: string; name: string | null; date: string | null; earliest: string | null; latest: string | null; violations: string[]; restricted: boolean };
  /** How it reaches the subject: named in an Involvement, named as a detention's official, at a place operated by a unit, carried out by a unit. */
  via: "involvement" | "officials" | "place" | "agency";
  /** The role in the Involvement, for a link through one. */
  role: string | null;
  /** For a command link: the post, its dates, and the chain of units from the post's unit to where it happened. */
  post: { occupancyId: string; positionId: string | null; positionName: string | null; start: string | null; end: string | null } | null;
  chain: { id: string; name: string | null }[];
  place: { id: string; name: string | null } | null;
  /** certain: the incident's whole span lies within what the post's dates certainly cover; possible: the spans can meet. */
  overlap: "certain" | "possible" | null;
  overlapFrom: string | null;
  overlapTo: string | null;
  /** Source records of the values the link rests on, with their names and reliability when the reader may see them. */
  sources: { id: string; name: string | null }[];
  gravity: number;
  /** The current decision (the latest), and every decision, oldest first. */
  review: ReviewView | null;
  history: ReviewView[];
}

export interface ResponsibilityMap {
  subject: EntityView;
  posts: CareerEntry[];
  direct: ResponsibilityLink[];
  command: ResponsibilityLink[];
}

interface Happening {
  view: EntityView;
  kind: LinkKind;
  earliest: string | null;
  latest: string | null;
  date: string | null;
  dateSource: string | null;
  violations: string[];
  /** Places it happened at (incident place; detention facility and later facilities). */
  places: Map<string, string | null>;
  /** Units answerable through it (involvements as perpetrator; a detention's agency), with the statement's source and role. */
  units: Map<string, { source: string | null; role: string | null }>;
}

const anyAccountability = (actor: Actor) => ({ kind: "accountability" as const, orgId: actor.orgId });

async function requireViewing(services: Services, origin: Origin, actor: Actor): Promise<void> {
  await requirePermission(services, origin, can(actor, "responsibility.view", anyAccountability(actor)), actor, "responsibility.view", { type: "entity", id: null });
}

function sourcesOfProperty(entity: EntityView, property: string, value?: string): string[] {
  return statementsOf(entity, property).filter((s) => value === undefined || s.value === value).map((s) => s.source).filter((s): s is string => s !== null);
}

async function incidentsOf(services: Services, actor: Actor, views: EntityView[]): Promise<Happening[]> {
  return views.map((view) => {
    const start = dateOf(view, ["date", "startDate"]);
    const end = dateOf(view, ["endDate"]);
    const places = new Map(valuesOf(view, "place").map((p) => [p, null]));
    return { view, kind: "incident" as const, earliest: start.earliest, latest: end.latest ?? start.latest, date: start.text, dateSource: start.source, violations: valuesOf(view, "violation"), places, units: new Map() };
  });
}

async function detentionsOf(services: Services, actor: Actor, ids: readonly string[]): Promise<Happening[]> {
  const views = await detentionViews(services, actor, [...new Set(ids)]);
  const today = services.now().toISOString().slice(0, 10);
  return views
    .filter((d) => !d.detention.archived)
    .map((d) => {
      const start = dateOf(d.detention, ["startDate", "date"]);
      const places = new Map<string, string | null>();
      for (const f of valuesOf(d.detention, "facility")) places.set(f, null);
      for (const s of d.statuses) for (const f of valuesOf(s, "facility")) places.set(f, null);
      const units = new Map(valuesOf(d.detention, "agency").map((a) => [a, { source: sourcesOfProperty(d.detention, "agency", a)[0] ?? null, role: null }]));
      // A detention lasts: until its release (or death) when the reader may see it, else until today.
      const latest = d.summary.ongoing ? today : (d.summary.statusLatest ?? today);
      return { view: d.detention, kind: "detention" as const, earliest: start.earliest, latest, date: start.text, dateSource: start.source, violations: ["arbitrary-detention"], places, units };
    });
}

/** Incidents in which one of `participants` is named as answerable, with the role and the Involvement's source. */
async function involvementsOf(services: Services, actor: Actor, participants: ReadonlySet<string>): Promise<Map<string, { participant: string; role: string; source: string | null }[]>> {
  const involvements = await viewsReferring(services, actor, "participant", participants, ["Involvement"]);
  const out = new Map<string, { participant: string; role: string; source: string | null }[]>();
  for (const inv of involvements) {
    const roles = valuesOf(inv, "role").filter((r) => (ANSWERABLE_ROLES as readonly string[]).includes(r));
    if (roles.length === 0) continue;
    const participant = valuesOf(inv, "participant").find((p) => participants.has(p))!;
    for (const incident of valuesOf(inv, "incident")) {
      const list = out.get(incident) ?? out.set(incident, []).get(incident)!;
      list.push({ participant, role: roles[0]!, source: sourcesOfProperty(inv, "participant", participant)[0] ?? sourcesOfProperty(inv, "role")[0] ?? null });
    }
  }
  return out;
}

function overlapOf(post: CareerEntry, h: Happening): { overlap: "certain" | "possible"; from: string; to: string } | null {
  const hEarliest = h.earliest ?? "0000-01-01";
  const hLatest = h.latest ?? "9999-12-31";
  const from = post.earliest > hEarliest ? post.earliest : hEarliest;
  const to = post.latest < hLatest ? post.latest : hLatest;
  if (from > to) return null;
  // Certain only when both ends of the post are known and the whole of what happened lies inside what they surely cover.
  const certain = h.earliest !== null && h.latest !== null && post.certainFrom !== null && post.certainTo !== null && post.certainFrom <= hEarliest && hLatest <= post.certainTo;
  return { overlap: certain ? "certain" : "possible", from, to };
}

function baseLink(h: Happening, basis: LinkBasis, basisId: string): Omit<ResponsibilityLink, "via" | "role" | "post" | "chain" | "place" | "overlap" | "overlapFrom" | "overlapTo" | "sources"> {
  return {
    key: `${basisId}:${h.view.id}`,
    kind: h.kind,
    basis,
    record: { id: h.view.id, schema: h.view.schema, name: nameOf(h.view), date: h.date, earliest: h.earliest, latest: h.latest, violations: h.violations, restricted: h.view.restricted },
    gravity: h.kind === "detention" ? DETENTION_GRAVITY : gravityOf(h.violations),
    review: null,
    history: [],
  };
}

/** What happened in `units` (at their places, or carried out by them), linked through `post` when given. */
function commandLinks(happenings: Happening[], units: ReadonlyMap<string, UnitNode>, places: ReadonlyMap<string, { chain: { id: string; name: string | null }[]; name: string | null; view: EntityView }>, basis: LinkBasis, post: CareerEntry | null, involvement: Map<string, { participant: string; role: string; source: string | null }[]>): ResponsibilityLink[] {
  const links: ResponsibilityLink[] = [];
  for (const h of happenings) {
    const overlap = post ? overlapOf(post, h) : null;
    if (post && !overlap) continue;
    const placeId = [...h.places.keys()].find((p) => places.has(p));
    const unitId = [...h.units.keys()].find((u) => units.has(u));
    const involved = (involvement.get(h.view.id) ?? []).find((i) => units.has(i.participant));
    let via: ResponsibilityLink["via"];
    let chain: { id: string; name: string | null }[];
    let place: { id: string; name: string | null } | null = null;
    const sources = new Set<string>();
    let role: string | null = null;
    if (placeId) {
      const p = places.get(placeId)!;
      via = "place";
      chain = p.chain;
      place = { id: placeId, name: p.name };
      for (const s of sourcesOfProperty(h.view, h.kind === "incident" ? "place" : "facility", placeId)) sources.add(s);
      for (const s of sourcesOfProperty(p.view, "operator")) sources.add(s);
    } else if (unitId) {
      via = "agency";
      chain = units.get(unitId)!.chain;
      const s = h.units.get(unitId)!.source;
      if (s) sources.add(s);
    } else if (involved) {
      via = "involvement";
      chain = units.get(involved.participant)!.chain;
      role = involved.role;
      if (involved.source) sources.add(involved.source);
    } else continue;
    // Each unit of the chain below the top answers to the one above it: their parentUnit values' sources.
    for (const link of chain.slice(1)) for (const s of sourcesOfProperty(units.get(link.id)!.view, "parentUnit")) sources.add(s);
    if (h.dateSource) sources.add(h.dateSource);
    if (post) for (const s of post.sources) sources.add(s);
    links.push({
      ...baseLink(h, basis, post ? post.occupancy.id : basis),
      via,
      role,
      post: post ? { occupancyId: post.occupancy.id, positionId: post.position?.id ?? null, positionName: post.position?.name ?? null, start: post.start.text, end: post.end.text } : null,
      chain,
      place,
      overlap: overlap?.overlap ?? null,
      overlapFrom: overlap?.from ?? null,
      overlapTo: overlap?.to ?? null,
      sources: [...sources].map((id) => ({ id, name: null })),
    });
  }
  return links;
}

/** What happened under one unit: the units under it, their places, and the incidents and detentions there or by them. */
interface UnitScope {
  units: Map<string, UnitNode>;
  places: Awaited<ReturnType<typeof placesUnder>>;
  involvement: Map<string, { participant: string; role: string; source: string | null }[]>;
  happenings: Happening[];
}

/** Scopes already read for one reader in one call, by unit: officials of one gap table share units. */
export type ScopeCache = Map<string, Promise<UnitScope>>;

async function scopeOf(services: Services, actor: Actor, unit: EntityView): Promise<UnitScope> {
  const units = await unitsUnder(services, actor, unit);
  const places = await placesUnder(services, actor, units);
  const unitIds = new Set(units.keys());
  const placeIds = new Set(places.keys());
  const involvement = await involvementsOf(services, actor, unitIds);
  const incidentIds = [...(await referringIds(services, actor, "place", placeIds, ["Incident"])), ...involvement.keys()];
  const incidents = await incidentsOf(services, actor, (await viewEntities(services, actor, incidentIds)).filter((v) => v.schema === "Incident" && !v.archived));
  const statusDetentions = (await viewsReferring(services, actor, "facility", placeIds, ["CustodyStatus"])).flatMap((s) => valuesOf(s, "detention"));
  const detentionIds = [...(await referringIds(services, actor, "facility", placeIds, ["Detention"])), ...(await referringIds(services, actor, "agency", unitIds, ["Detention"])), ...statusDetentions];
  const detentions = await detentionsOf(services, actor, detentionIds);
  return { units, places, involvement, happenings: [...incidents, ...detentions] };
}

/** Reads the map without the permission check (the callers check): for the page, the API, the dossier and the gap table. */
export async function buildResponsibility(services: Services, actor: Actor, subject: EntityView, cache?: ScopeCache): Promise<ResponsibilityMap> {
  const isPerson = subject.schema === "Person";
  const posts = isPerson ? await occupanciesOf(services, actor, subject.id) : [];
  const direct: ResponsibilityLink[] = [];
  const command: ResponsibilityLink[] = [];
  // Directly named: as an answerable participant of an incident, or as an official of a detention.
  const named = await involvementsOf(services, actor, new Set([subject.id]));
  const namedIncidents = await incidentsOf(services, actor, (await viewEntities(services, actor, [...named.keys()])).filter((v) => v.schema === "Incident" && !v.archived));
  for (const h of namedIncidents) {
    const i = named.get(h.view.id)!.find((x) => x.participant === subject.id)!;
    direct.push({ ...baseLink(h, "direct", "direct"), via: "involvement", role: i.role, post: null, chain: [], place: null, overlap: null, overlapFrom: null, overlapTo: null, sources: [i.source, h.dateSource].filter((s): s is string => s !== null).map((id) => ({ id, name: null })) });
  }
  if (isPerson) {
    const ordered = await detentionsOf(services, actor, await referringIds(services, actor, "officials", [subject.id], ["Detention"]));
    for (const h of ordered.filter((d) => valuesOf(d.view, "officials").includes(subject.id))) {
      direct.push({ ...baseLink(h, "direct", "direct"), via: "officials", role: null, post: null, chain: [], place: null, overlap: null, overlapFrom: null, overlapTo: null, sources: [...sourcesOfProperty(h.view, "officials", subject.id), ...(h.dateSource ? [h.dateSource] : [])].map((id) => ({ id, name: null })) });
    }
  }
  // Under command: each post's unit and every unit under it (or the organisation itself and its units).
  const tops: { unit: EntityView; post: CareerEntry | null }[] = [];
  if (isPerson) {
    const unitViews = new Map((await viewEntities(services, actor, posts.map((p) => p.unit?.id).filter((u): u is string => !!u))).map((u) => [u.id, u]));
    for (const post of posts) if (post.unit && unitViews.has(post.unit.id)) tops.push({ unit: unitViews.get(post.unit.id)!, post });
  } else if (UNIT_SCHEMATA.includes(subject.schema)) tops.push({ unit: subject, post: null });
  for (const { unit, post } of tops) {
    let scope = cache?.get(unit.id);
    if (!scope) {
      scope = scopeOf(services, actor, unit);
      cache?.set(unit.id, scope);
    }
    const { units, places, involvement, happenings } = await scope;
    command.push(...commandLinks(happenings, units, places, post ? "command" : "organisation", post, involvement));
  }
  const map = { subject, posts, direct: dedupe(direct), command: dedupe(command) };
  await attachReviews(services, actor, map);
  await nameSources(services, actor, map);
  return map;
}

function dedupe(links: ResponsibilityLink[]): ResponsibilityLink[] {
  const seen = new Map<string, ResponsibilityLink>();
  for (const l of links) if (!seen.has(l.key)) seen.set(l.key, l);
  return [...seen.values()].sort((a, b) => (a.record.earliest ?? "9999").localeCompare(b.record.earliest ?? "9999") || a.key.localeCompare(b.key));
}

async function nameSources(services: Services, actor: Actor, map: ResponsibilityMap): Promise<void> {
  const all = [...map.direct, ...map.command];
  const names = await namesOf(services, actor, all.flatMap((l) => l.sources.map((s) => s.id)));
  // A source the reader may not know of is left out: its id would say that it exists.
  for (const l of all) l.sources = [...new Set(l.sources.map((s) => s.id))].filter((id) => names.has(id)).map((id) => ({ id, name: names.get(id) ?? null }));
}

async function attachReviews(services: Services, actor: Actor, map: ResponsibilityMap): Promise<void> {
  const rows = await services.db
    .selectFrom("responsibility_reviews as r")
    .leftJoin("users as u", "u.id", "r.actor_id")
    .select(["r.id", "r.record_id", "r.basis", "r.decision", "r.reason", "r.actor_id", "r.created_at", "u.name as actor_name"])
    .where("r.org_id", "=", actor.orgId)
    .where("r.subject_id", "=", map.subject.id)
    .orderBy("r.seq")
    .execute();
  const byKey = new Map<string, ReviewView[]>();
  for (const r of rows) {
    const key = `${r.basis}:${r.record_id}`;
    (byKey.get(key) ?? byKey.set(key, []).get(key)!).push({ id: r.id, decision: r.decision, reason: r.reason, actorId: r.actor_id, actorName: r.actor_name, createdAt: r.created_at });
  }
  for (const link of [...map.direct, ...map.command]) {
    link.history = byKey.get(link.key) ?? [];
    const last = link.history[link.history.length - 1];
    link.review = last && last.decision !== "reopened" ? last : null;
  }
}

/** The responsibility map of an official (a Person) or an organisation, as the reader may see it. */
export async function responsibilityMap(services: Services, origin: Origin, actor: Actor, subjectId: string): Promise<ResponsibilityMap> {
  await requireViewing(services, origin, actor);
  const subject = await getEntity(services, origin, actor, subjectId);
  if (subject.schema !== "Person" && !UNIT_SCHEMATA.includes(subject.schema)) throw new NotFound("no such official or organisation");
  return buildResponsibility(services, actor, subject);
}

export const ReviewSchema = z.strictObject({
  /** The link's key as the map gives it: `basis:record`. */
  link: z.string().regex(/^(direct|organisation|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}):[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/, "a link of this map"),
  decision: z.enum(["confirmed", "dismissed", "reopened"]),
  reason: z.string().trim().max(2000, "at most 2000 characters").default(""),
});

/** Confirms or dismisses a link of the map (or reopens it), with a reason; audited, undone by a later decision. */
export async function reviewLink(services: Services, origin: Origin, actor: Actor, subjectId: string, raw: unknown): Promise<ResponsibilityLink> {
  await requirePermission(services, origin, can(actor, "responsibility.review", anyAccountability(actor)), actor, "responsibility.review", { type: "entity", id: subjectId });
  const subject = await getEntity(services, origin, actor, subjectId);
  if (subject.schema !== "Person" && !UNIT_SCHEMATA.includes(subject.schema)) throw new NotFound("no such official or organisation");
  const input = parseInput(ReviewSchema, await inputOf(raw));
  if (input.decision !== "confirmed" && input.reason === "") throw new Invalid(input.decision === "dismissed" ? "say why the link is dismissed" : "say why the decision is undone", { reason: "say why" });
  const map = await buildResponsibility(services, actor, subject);
  const link = [...map.direct, ...map.command].find((l) => l.key === input.link.toLowerCase());
  // A link the reader cannot see (a restricted incident, another organisation's) is not found.
  if (!link) throw new NotFound("no such link on this map");
  if ((link.review?.decision ?? "reopened") === input.decision) throw new Invalid(input.decision === "reopened" ? "the link has no decision to undo" : `the link is already ${input.decision}`, { decision: "unchanged" });
  const [basis] = input.link.toLowerCase().split(":") as [string];
  await services.db.transaction().execute(async (tx: Tx) => {
    const id = randomUUID();
    await tx.insertInto("responsibility_reviews").values({ id, org_id: actor.orgId, subject_id: subject.id, record_id: link.record.id, basis, decision: input.decision, reason: input.reason, actor_id: actor.userId, created_at: services.now() }).execute();
    await recordAudit(tx, origin, { orgId: actor.orgId, actorId: actor.userId, action: `responsibility.${input.decision === "reopened" ? "reopen" : input.decision === "confirmed" ? "confirm" : "dismiss"}`, targetType: "entity", targetId: subject.id, details: { review: id, record: link.record.id, basis } });
  });
  const after = await buildResponsibility(services, actor, subject);
  return [...after.direct, ...after.command].find((l) => l.key === link.key)!;
}

export interface DocumentedResponsibility {
  /** Incidents and detentions naming the person directly (distinct records, dismissed links left out). */
  direct: number;
  /** Incidents and detentions under their command while they held the post, not also direct. */
  command: number;
  /** The sum of the gravity of every distinct record counted (src/accountability/responsibility-gravity.ts). */
  gravity: number;
}

/**
 * Documented responsibility per person, for the sanctions gap table: what the responsibility map
 * shows the actor, dismissed links left out. People the actor may not know of, or who are not
 * Person records, are absent from the result.
 */
export async function documentedResponsibility(services: Services, actor: Actor, personIds: readonly string[]): Promise<Map<string, DocumentedResponsibility>> {
  const out = new Map<string, DocumentedResponsibility>();
  if (!can(actor, "responsibility.view", anyAccountability(actor))) return out;
  const people = (await viewEntities(services, actor, personIds)).filter((p) => p.schema === "Person");
  const cache: ScopeCache = new Map();
  for (const person of people) {
    const map = await buildResponsibility(services, actor, person, cache);
    const live = (links: ResponsibilityLink[]) => links.filter((l) => l.review?.decision !== "dismissed");
    const direct = new Map(live(map.direct).map((l) => [l.record.id, l.gravity]));
    const command = new Map(live(map.command).filter((l) => !direct.has(l.record.id)).map((l) => [l.record.id, l.gravity]));
    let gravity = 0;
    for (const g of [...direct.values(), ...command.values()]) gravity += g;
    out.set(person.id, { direct: direct.size, command: command.size, gravity });
  }
  return out;
}
