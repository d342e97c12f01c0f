import { Hono } from "hono";
import { getUnit, listOfficials, recordPost, responsibilityMap, reviewLink, setParentUnit, type CareerEntry, type ResponsibilityLink, type UnitView } from "../../accountability/index.ts";
import type { AppEnv } from "../env.ts";
import { UUID_PARAM } from "../format.ts";
import { requirePrincipal } from "../middleware/auth.ts";
import { readJson } from "../middleware/body.ts";

/** Officials, units and responsibility maps as JSON: thin, every rule is in src/accountability. */
export const officialsApi = new Hono<AppEnv>();

const ID = `:id{${UUID_PARAM}}`;

export function careerJson(e: CareerEntry) {
  return {
    occupancy: e.occupancy.id,
    position: e.position,
    unit: e.unit,
    unitChain: e.unitChain,
    startDate: e.start.text,
    endDate: e.end.text,
    earliest: e.earliest,
    latest: e.latest,
    certainFrom: e.certainFrom,
    certainTo: e.certainTo,
    sources: e.sources,
  };
}

export function linkJson(l: ResponsibilityLink) {
  const review = (r: NonNullable<ResponsibilityLink["review"]>) => ({ ...r, createdAt: r.createdAt.toISOString() });
  return { ...l, review: l.review ? review(l.review) : null, history: l.history.map(review) };
}

function unitJson(u: UnitView) {
  return {
    id: u.unit.id,
    schema: u.unit.schema,
    name: u.unit.properties.name?.[0] ?? null,
    revision: u.unit.revision,
    above: u.above,
    below: u.below.map((n) => ({ id: n.id, name: n.name, schema: n.schema, chain: n.chain })),
    places: u.places.map((p) => ({ id: p.id, name: p.name, unit: p.unitId, chain: p.chain })),
  };
}

officialsApi.get("/api/v1/officials", async (c) => {
  const { actor } = requirePrincipal(c);
  return c.json({ items: await listOfficials(c.var.services, c.var.origin, actor) });
});

officialsApi.get(`/api/v1/officials/${ID}`, async (c) => {
  const { actor } = requirePrincipal(c);
  const map = await responsibilityMap(c.var.services, c.var.origin, actor, c.req.param("id"));
  return c.json({ subject: { id: map.subject.id, schema: map.subject.schema, name: map.subject.properties.name?.[0] ?? null }, career: map.posts.map(careerJson), direct: map.direct.map(linkJson), command: map.command.map(linkJson) });
});

officialsApi.post(`/api/v1/officials/${ID}/posts`, async (c) => {
  const { actor } = requirePrincipal(c);
  const career = await recordPost(c.var.services, c.var.origin, actor, c.req.param("id"), () => readJson(c));
  return c.json({ career: career.entries.map(careerJson) }, 201);
});

officialsApi.post(`/api/v1/officials/${ID}/reviews`, async (c) => {
  const { actor } = requirePrincipal(c);
  const link = await reviewLink(c.var.services, c.var.origin, actor, c.req.param("id"), () => readJson(c));
  return c.json(linkJson(link), 201);
});

officialsApi.get(`/api/v1/units/${ID}`, async (c) => {
  const { actor } = requirePrincipal(c);
  return c.json(unitJson(await getUnit(c.var.services, c.var.origin, actor, c.req.param("id"))));
});

officialsApi.post(`/api/v1/units/${ID}/parent`, async (c) => {
  const { actor } = requirePrincipal(c);
  return c.json(unitJson(await setParentUnit(c.var.services, c.var.origin, actor, c.req.param("id"), () => readJson(c))));
});
