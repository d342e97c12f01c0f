import { Hono, type Context } from "hono";
import {
  archiveAddressee, buildEmailDraft, createAddressee, exportUrgentAction, generateUrgentAction, getAddressee, getTemplate, getUrgentAction, listAddressees, listTemplates,
  listUrgentActions, mailtoLink, regenerateUrgentAction, renderPdf, saveTemplate, templateHistory, trackUrgentAction, updateAddressee,
  type AddresseeView, type TemplateView, type UrgentActionView,
} from "../../monitor/index.ts";
import { Invalid } from "../../core/index.ts";
import type { AppEnv } from "../env.ts";
import { UUID_PARAM } from "../format.ts";
import { requirePrincipal } from "../middleware/auth.ts";
import { readJson } from "../middleware/body.ts";

/** The urgent actions' API: thin, as every check and rule is in src/monitor. */
export const urgentApi = new Hono<AppEnv>();

const ID = `:id{${UUID_PARAM}}`;
const LANGUAGE = ":language{en|ug|zh}";

function versionParam(c: Context<AppEnv>): number | undefined {
  const raw = c.req.query("version");
  if (raw === undefined) return undefined;
  const v = Number(raw);
  if (!Number.isInteger(v) || v < 1) throw new Invalid("version is a whole number from 1", { version: "a whole number from 1" });
  return v;
}

function actionJson(a: UrgentActionView) {
  const iso = (d: Date) => new Date(d).toISOString();
  return {
    id: a.id,
    detention: a.detentionId,
    status: a.status,
    createdAt: iso(a.createdAt),
    updatedAt: iso(a.updatedAt),
    createdBy: a.createdBy,
    latestVersion: a.latestVersion,
    versions: a.versions.map((v) => ({ ...v, createdAt: iso(v.createdAt) })),
    version: { ...a.version, createdAt: iso(a.version.createdAt), mailto: mailtoLink(a.version.document) },
    events: a.events.map((e) => ({ ...e, createdAt: iso(e.createdAt) })),
  };
}

function addresseeJson(a: AddresseeView) {
  return { ...a, createdAt: a.createdAt.toISOString(), updatedAt: a.updatedAt.toISOString(), archived: a.archived ? { at: a.archived.at.toISOString(), reason: a.archived.reason } : null };
}

function templateJson(t: TemplateView) {
  return { ...t, createdAt: t.createdAt ? t.createdAt.toISOString() : null };
}

/** A file name for a download: the reference and the version, nothing from the case. */
function fileName(a: UrgentActionView, extension: string): string {
  return `${a.version.document.reference.replace(/[^A-Za-z0-9-]/g, "")}-v${a.version.version}.${extension}`;
}

urgentApi.get("/api/v1/urgent-actions", async (c) => {
  const { actor } = requirePrincipal(c);
  const actions = await listUrgentActions(c.var.services, c.var.origin, actor, c.req.query());
  return c.json({ items: actions.map((a) => ({ id: a.id, detention: a.detentionId, status: a.status, subject: a.subject, language: a.language, latestVersion: a.latestVersion, updatedAt: a.updatedAt.toISOString() })) });
});

urgentApi.post("/api/v1/urgent-actions", async (c) => {
  const { actor } = requirePrincipal(c);
  const action = await generateUrgentAction(c.var.services, c.var.origin, actor, () => readJson(c));
  c.header("Location", `/api/v1/urgent-actions/${action.id}`);
  return c.json(actionJson(action), 201);
});

urgentApi.get(`/api/v1/urgent-actions/${ID}`, async (c) => {
  const { actor } = requirePrincipal(c);
  return c.json(actionJson(await getUrgentAction(c.var.services, c.var.origin, actor, c.req.param("id"), versionParam(c))));
});

urgentApi.post(`/api/v1/urgent-actions/${ID}/versions`, async (c) => {
  const { actor } = requirePrincipal(c);
  const action = await regenerateUrgentAction(c.var.services, c.var.origin, actor, c.req.param("id"), () => readJson(c));
  c.header("Location", `/api/v1/urgent-actions/${action.id}?version=${action.version.version}`);
  return c.json(actionJson(action), 201);
});

urgentApi.post(`/api/v1/urgent-actions/${ID}/events`, async (c) => {
  const { actor } = requirePrincipal(c);
  const action = await trackUrgentAction(c.var.services, c.var.origin, actor, c.req.param("id"), () => readJson(c));
  return c.json(actionJson(action), 201);
});

urgentApi.get(`/api/v1/urgent-actions/${ID}/pdf`, async (c) => {
  const { actor } = requirePrincipal(c);
  const action = await exportUrgentAction(c.var.services, c.var.origin, actor, c.req.param("id"), versionParam(c), "pdf");
  const pdf = await renderPdf(action.version.document, c.var.services.config.chromiumPath);
  return c.body(new Uint8Array(pdf), 200, {
    "Content-Type": "application/pdf",
    "Content-Disposition": `inline; filename="${fileName(action, "pdf")}"`,
    "Cache-Control": "private, no-store",
  });
});

urgentApi.get(`/api/v1/urgent-actions/${ID}/email`, async (c) => {
  const { actor } = requirePrincipal(c);
  const action = await exportUrgentAction(c.var.services, c.var.origin, actor, c.req.param("id"), versionParam(c), "email");
  const eml = await buildEmailDraft(action.version.document, c.var.services.now());
  return c.body(new Uint8Array(eml), 200, {
    "Content-Type": "message/rfc822",
    "Content-Disposition": `attachment; filename="${fileName(action, "eml")}"`,
    "Cache-Control": "private, no-store",
  });
});

urgentApi.get("/api/v1/urgent-addressees", async (c) => {
  const { actor } = requirePrincipal(c);
  return c.json({ items: (await listAddressees(c.var.services, c.var.origin, actor, c.req.query())).map(addresseeJson) });
});

urgentApi.post("/api/v1/urgent-addressees", async (c) => {
  const { actor } = requirePrincipal(c);
  const created = await createAddressee(c.var.services, c.var.origin, actor, () => readJson(c));
  c.header("Location", `/api/v1/urgent-addressees/${created.id}`);
  return c.json(addresseeJson(created), 201);
});

urgentApi.get(`/api/v1/urgent-addressees/${ID}`, async (c) => {
  const { actor } = requirePrincipal(c);
  return c.json(addresseeJson(await getAddressee(c.var.services, c.var.origin, actor, c.req.param("id"))));
});

urgentApi.patch(`/api/v1/urgent-addressees/${ID}`, async (c) => {
  const { actor } = requirePrincipal(c);
  return c.json(addresseeJson(await updateAddressee(c.var.services, c.var.origin, actor, c.req.param("id"), () => readJson(c))));
});

urgentApi.post(`/api/v1/urgent-addressees/${ID}/archive`, async (c) => {
  const { actor } = requirePrincipal(c);
  return c.json(addresseeJson(await archiveAddressee(c.var.services, c.var.origin, actor, c.req.param("id"), () => readJson(c))));
});

urgentApi.get("/api/v1/urgent-templates", async (c) => {
  const { actor } = requirePrincipal(c);
  return c.json({ items: (await listTemplates(c.var.services, c.var.origin, actor)).map(templateJson) });
});

urgentApi.get(`/api/v1/urgent-templates/${LANGUAGE}`, async (c) => {
  const { actor } = requirePrincipal(c);
  return c.json(templateJson(await getTemplate(c.var.services, c.var.origin, actor, c.req.param("language"), versionParam(c))));
});

urgentApi.post(`/api/v1/urgent-templates/${LANGUAGE}`, async (c) => {
  const { actor } = requirePrincipal(c);
  const saved = await saveTemplate(c.var.services, c.var.origin, actor, c.req.param("language"), () => readJson(c));
  return c.json(templateJson(saved), 201);
});

urgentApi.get(`/api/v1/urgent-templates/${LANGUAGE}/history`, async (c) => {
  const { actor } = requirePrincipal(c);
  const history = await templateHistory(c.var.services, c.var.origin, actor, c.req.param("language"));
  return c.json({ items: history.map((h) => ({ ...h, createdAt: h.createdAt.toISOString() })) });
});
