import { Hono } from "hono";
import {
  acceptFamilyReport, approveFamilyUpdate, createFamilyCase, declineFamilyReport, getFamilyCase, getFamilyReport, issueFamilyCode, listFamilyCases,
  listFamilyReports, listFamilyUpdates, revokeFamilyAccess, withdrawFamilyUpdate, writeFamilyUpdate,
} from "../../monitor/index.ts";
import type { AppEnv } from "../env.ts";
import { requirePrincipal } from "../middleware/auth.ts";
import { readJson } from "../middleware/body.ts";

/**
 * The organisation's side of family access over the API (src/monitor/family*.ts decides): cases and
 * their one-time codes, the triage queue of sealed reports, and updates with their approval.
 * The family's own pages are outside /api (src/web/routes/family-public.tsx).
 */
export const familyApi = new Hono<AppEnv>();

const ID = ":id{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}}";

familyApi.get("/api/v1/family/cases", async (c) => {
  const { actor } = requirePrincipal(c);
  return c.json({ cases: await listFamilyCases(c.var.services, c.var.origin, actor) });
});

familyApi.post("/api/v1/family/cases", async (c) => {
  const { actor } = requirePrincipal(c);
  return c.json(await createFamilyCase(c.var.services, c.var.origin, actor, () => readJson(c)), 201);
});

familyApi.get(`/api/v1/family/cases/${ID}`, async (c) => {
  const { actor } = requirePrincipal(c);
  return c.json(await getFamilyCase(c.var.services, c.var.origin, actor, c.req.param("id")));
});

familyApi.post(`/api/v1/family/cases/${ID}/codes`, async (c) => {
  const { actor } = requirePrincipal(c);
  return c.json(await issueFamilyCode(c.var.services, c.var.origin, actor, c.req.param("id")), 201);
});

familyApi.post(`/api/v1/family/cases/${ID}/revoke`, async (c) => {
  const { actor } = requirePrincipal(c);
  return c.json(await revokeFamilyAccess(c.var.services, c.var.origin, actor, c.req.param("id")));
});

familyApi.get(`/api/v1/family/cases/${ID}/updates`, async (c) => {
  const { actor } = requirePrincipal(c);
  return c.json({ updates: await listFamilyUpdates(c.var.services, c.var.origin, actor, c.req.param("id")) });
});

familyApi.post(`/api/v1/family/cases/${ID}/updates`, async (c) => {
  const { actor } = requirePrincipal(c);
  return c.json(await writeFamilyUpdate(c.var.services, c.var.origin, actor, c.req.param("id"), () => readJson(c)), 201);
});

familyApi.post(`/api/v1/family/updates/${ID}/approve`, async (c) => {
  const { actor } = requirePrincipal(c);
  return c.json(await approveFamilyUpdate(c.var.services, c.var.origin, actor, c.req.param("id")));
});

familyApi.post(`/api/v1/family/updates/${ID}/withdraw`, async (c) => {
  const { actor } = requirePrincipal(c);
  return c.json(await withdrawFamilyUpdate(c.var.services, c.var.origin, actor, c.req.param("id")));
});

familyApi.get("/api/v1/family/reports", async (c) => {
  const { actor } = requirePrincipal(c);
  return c.json({ reports: await listFamilyReports(c.var.services, c.var.origin, actor, c.req.query()) });
});

familyApi.get(`/api/v1/family/reports/${ID}`, async (c) => {
  const { actor } = requirePrincipal(c);
  return c.json(await getFamilyReport(c.var.services, c.var.origin, actor, c.req.param("id")));
});

familyApi.post(`/api/v1/family/reports/${ID}/accept`, async (c) => {
  const { actor } = requirePrincipal(c);
  return c.json(await acceptFamilyReport(c.var.services, c.var.origin, actor, c.req.param("id"), () => readJson(c)));
});

familyApi.post(`/api/v1/family/reports/${ID}/decline`, async (c) => {
  const { actor } = requirePrincipal(c);
  return c.json(await declineFamilyReport(c.var.services, c.var.origin, actor, c.req.param("id"), () => readJson(c)));
});
