import { Hono } from "hono";
import {
  addTeamMember, createEntity, createTeam, entityHistory, getAccessList, cancelBulkOperation, getBulkOperation, getEntity, getEntityAt, getMerge, grantAccess, listEntities, listRelationships,
  listTeams, mergeEntities, removeTeamMember, revokeAccess, runBulkOperation, setArchived, startBulkOperation, undoMerge, updateEntity, BULK_BATCH,
} from "../../records/index.ts";
import type { AppEnv } from "../env.ts";
import { UUID_PARAM } from "../format.ts";
import { requirePrincipal } from "../middleware/auth.ts";
import { readJson } from "../middleware/body.ts";

/**
 * Documentation records over JSON, in FollowTheMoney's entity shape, with their relationships,
 * merges, access lists, teams and bulk actions. Thin: src/records checks permission, then reads the
 * body (passed lazily for that reason), validates and writes.
 */
export const entityRoutes = new Hono<AppEnv>();

const ID = `:id{${UUID_PARAM}}`;

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
  const entity = await getEntity(c.var.services, c.var.origin, actor, c.req.param("id"), { revealSecrets: c.req.query("reveal") === "secrets" });
  // A merged record answers with itself (its history stays readable) and names where it went.
  if (entity.mergedInto) c.header("Link", `</api/v1/entities/${entity.mergedInto}>; rel="canonical"`);
  return c.json(entity);
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

entityRoutes.get(`/api/v1/entities/${ID}/revisions/:revision{[0-9]{1,9}}`, async (c) => {
  const { actor } = requirePrincipal(c);
  return c.json(await getEntityAt(c.var.services, c.var.origin, actor, c.req.param("id"), Number(c.req.param("revision"))));
});

entityRoutes.get(`/api/v1/entities/${ID}/relationships`, async (c) => {
  const { actor } = requirePrincipal(c);
  return c.json(await listRelationships(c.var.services, c.var.origin, actor, c.req.param("id"), c.req.query()));
});

// ——— merges ———

entityRoutes.post(`/api/v1/entities/${ID}/merge`, async (c) => {
  const { actor } = requirePrincipal(c);
  const merge = await mergeEntities(c.var.services, c.var.origin, actor, c.req.param("id"), () => readJson(c));
  c.header("Location", `/api/v1/merges/${merge.id}`);
  return c.json(merge, 201);
});

entityRoutes.get(`/api/v1/merges/${ID}`, async (c) => {
  const { actor } = requirePrincipal(c);
  return c.json(await getMerge(c.var.services, c.var.origin, actor, c.req.param("id")));
});

entityRoutes.post(`/api/v1/merges/${ID}/undo`, async (c) => {
  const { actor } = requirePrincipal(c);
  return c.json(await undoMerge(c.var.services, c.var.origin, actor, c.req.param("id"), () => readJson(c)));
});

// ——— access lists and teams ———

entityRoutes.get(`/api/v1/entities/${ID}/access`, async (c) => {
  const { actor } = requirePrincipal(c);
  return c.json(await getAccessList(c.var.services, c.var.origin, actor, c.req.param("id")));
});

entityRoutes.post(`/api/v1/entities/${ID}/access`, async (c) => {
  const { actor } = requirePrincipal(c);
  return c.json(await grantAccess(c.var.services, c.var.origin, actor, c.req.param("id"), () => readJson(c)));
});

entityRoutes.delete(`/api/v1/entities/${ID}/access/users/:user{${UUID_PARAM}}`, async (c) => {
  const { actor } = requirePrincipal(c);
  await revokeAccess(c.var.services, c.var.origin, actor, c.req.param("id"), { user: c.req.param("user") });
  return c.body(null, 204);
});

entityRoutes.delete(`/api/v1/entities/${ID}/access/teams/:team{${UUID_PARAM}}`, async (c) => {
  const { actor } = requirePrincipal(c);
  await revokeAccess(c.var.services, c.var.origin, actor, c.req.param("id"), { team: c.req.param("team") });
  return c.body(null, 204);
});

entityRoutes.get("/api/v1/teams", async (c) => {
  const { actor } = requirePrincipal(c);
  return c.json({ teams: await listTeams(c.var.services, c.var.origin, actor) });
});

entityRoutes.post("/api/v1/teams", async (c) => {
  const { actor } = requirePrincipal(c);
  const team = await createTeam(c.var.services, c.var.origin, actor, () => readJson(c));
  return c.json(team, 201);
});

entityRoutes.post(`/api/v1/teams/${ID}/members`, async (c) => {
  const { actor } = requirePrincipal(c);
  await addTeamMember(c.var.services, c.var.origin, actor, c.req.param("id"), () => readJson(c));
  return c.body(null, 204);
});

entityRoutes.delete(`/api/v1/teams/${ID}/members/:user{${UUID_PARAM}}`, async (c) => {
  const { actor } = requirePrincipal(c);
  await removeTeamMember(c.var.services, c.var.origin, actor, c.req.param("id"), c.req.param("user"));
  return c.body(null, 204);
});

// ——— bulk actions ———

entityRoutes.post("/api/v1/bulk", async (c) => {
  const { actor } = requirePrincipal(c);
  const started = await startBulkOperation(c.var.services, c.var.origin, actor, () => readJson(c));
  c.header("Location", `/api/v1/bulk/${started.id}`);
  // One batch is done before answering; more is a background job, to be followed at Location.
  if (started.total <= BULK_BATCH) return c.json(await runBulkOperation(c.var.services, c.var.origin, started.id), 200);
  return c.json(started, 202);
});

entityRoutes.get(`/api/v1/bulk/${ID}`, async (c) => {
  const { actor } = requirePrincipal(c);
  return c.json(await getBulkOperation(c.var.services, c.var.origin, actor, c.req.param("id")));
});

entityRoutes.post(`/api/v1/bulk/${ID}/cancel`, async (c) => {
  const { actor } = requirePrincipal(c);
  return c.json(await cancelBulkOperation(c.var.services, c.var.origin, actor, c.req.param("id")));
});
