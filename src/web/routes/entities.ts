import { Hono } from "hono";
import { createEntity, entityHistory, getEntity, listEntities, setArchived, updateEntity } from "../../records/index.ts";
import type { AppEnv } from "../env.ts";
import { requirePrincipal } from "../middleware/auth.ts";
import { readJson } from "../middleware/body.ts";

/**
 * Documentation records over JSON, in FollowTheMoney's entity shape. Thin: src/records checks
 * permission, then reads the body (passed lazily for that reason), validates and writes.
 */
export const entityRoutes = new Hono<AppEnv>();

const ID = ":id{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}}";

entityRoutes.get("/api/v1/entities", async (c) => {
  const { actor } = requirePrincipal(c);
  return c.json(await listEntities(c.var.services, c.var.origin, actor, c.req.query()));
});

entityRoutes.post("/api/v1/entities", async (c) => {
  const { actor } = requirePrincipal(c);
  const entity = await createEntity(c.var.services, c.var.origin, actor, () => readJson(c));
  c.header("Location", `/api/v1/entities/${entity.id}`);
  return c.json(entity, 201);
});

entityRoutes.get(`/api/v1/entities/${ID}`, async (c) => {
  const { actor } = requirePrincipal(c);
  return c.json(await getEntity(c.var.services, c.var.origin, actor, c.req.param("id"), { revealSecrets: c.req.query("reveal") === "secrets" }));
});

entityRoutes.patch(`/api/v1/entities/${ID}`, async (c) => {
  const { actor } = requirePrincipal(c);
  return c.json(await updateEntity(c.var.services, c.var.origin, actor, c.req.param("id"), () => readJson(c)));
});

entityRoutes.post(`/api/v1/entities/${ID}/archive`, async (c) => {
  const { actor } = requirePrincipal(c);
  return c.json(await setArchived(c.var.services, c.var.origin, actor, c.req.param("id"), true, () => readJson(c)));
});

entityRoutes.post(`/api/v1/entities/${ID}/restore`, async (c) => {
  const { actor } = requirePrincipal(c);
  return c.json(await setArchived(c.var.services, c.var.origin, actor, c.req.param("id"), false, () => readJson(c)));
});

entityRoutes.get(`/api/v1/entities/${ID}/history`, async (c) => {
  const { actor } = requirePrincipal(c);
  return c.json(await entityHistory(c.var.services, c.var.origin, actor, c.req.param("id"), c.req.query()));
});
