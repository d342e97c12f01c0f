import { Hono } from "hono";
import { addProofOfLife, addStatusChange, addTreatmentReport, getDetention, getFacility, listFacilities, personDetentions, recordDetention } from "../../monitor/index.ts";
import type { AppEnv } from "../env.ts";
import { UUID_PARAM } from "../format.ts";
import { requirePrincipal } from "../middleware/auth.ts";
import { readJson } from "../middleware/body.ts";

/**
 * Detainee monitoring over JSON: detentions with their timelines, their status changes, proofs of
 * life and treatment reports, a person's detentions, and the facility registry. Thin: src/monitor
 * checks permission, then reads the body (passed lazily for that reason), validates and writes.
 */
export const monitorApiRoutes = new Hono<AppEnv>();

const ID = `:id{${UUID_PARAM}}`;

monitorApiRoutes.post("/api/v1/detentions", async (c) => {
  const { actor } = requirePrincipal(c);
  const view = await recordDetention(c.var.services, c.var.origin, actor, () => readJson(c));
  c.header("Location", `/api/v1/detentions/${view.detention.id}`);
  return c.json(view, 201);
});

monitorApiRoutes.get(`/api/v1/detentions/${ID}`, async (c) => {
  const { actor } = requirePrincipal(c);
  return c.json(await getDetention(c.var.services, c.var.origin, actor, c.req.param("id")));
});

for (const [path, add] of [["statuses", addStatusChange], ["proofs-of-life", addProofOfLife], ["treatment-reports", addTreatmentReport]] as const) {
  monitorApiRoutes.post(`/api/v1/detentions/${ID}/${path}`, async (c) => {
    const { actor } = requirePrincipal(c);
    return c.json(await add(c.var.services, c.var.origin, actor, c.req.param("id"), () => readJson(c)), 201);
  });
}

monitorApiRoutes.get(`/api/v1/people/${ID}/detentions`, async (c) => {
  const { actor } = requirePrincipal(c);
  return c.json({ detentions: await personDetentions(c.var.services, c.var.origin, actor, c.req.param("id")) });
});

monitorApiRoutes.get("/api/v1/facilities", async (c) => {
  const { actor } = requirePrincipal(c);
  return c.json({ facilities: await listFacilities(c.var.services, c.var.origin, actor, c.req.query()) });
});

monitorApiRoutes.get(`/api/v1/facilities/${ID}`, async (c) => {
  const { actor } = requirePrincipal(c);
  return c.json(await getFacility(c.var.services, c.var.origin, actor, c.req.param("id")));
});
