import { Hono } from "hono";
import { stream } from "hono/streaming";
import { PassThrough } from "node:stream";
import {
  createDossier, dossierFileName, dossierOdt, dossierPdf, getDossier, listDossiers, prepareDossierExport, startDossierPackage, trackDossier, updateDossier,
  type DossierView,
} from "../../accountability/index.ts";
import { personCaller } from "../../evidence/index.ts";
import type { AppEnv } from "../env.ts";
import { UUID_PARAM } from "../format.ts";
import { requirePrincipal } from "../middleware/auth.ts";
import { readJson } from "../middleware/body.ts";

/** Referral dossiers as JSON, and their downloads: thin, every rule is in src/accountability. */
export const dossiersApi = new Hono<AppEnv>();

const ID = `:id{${UUID_PARAM}}`;

function dossierJson(d: DossierView) {
  return {
    ...d,
    createdAt: d.createdAt.toISOString(),
    updatedAt: d.updatedAt.toISOString(),
    events: d.events.map((e) => ({ ...e, createdAt: e.createdAt.toISOString() })),
  };
}

dossiersApi.get("/api/v1/dossiers", async (c) => {
  const { actor } = requirePrincipal(c);
  const items = await listDossiers(c.var.services, c.var.origin, actor, c.req.query());
  return c.json({ items: items.map((d) => ({ ...d, updatedAt: d.updatedAt.toISOString() })) });
});

dossiersApi.post("/api/v1/dossiers", async (c) => {
  const { actor } = requirePrincipal(c);
  const dossier = await createDossier(c.var.services, c.var.origin, actor, () => readJson(c));
  c.header("Location", `/api/v1/dossiers/${dossier.id}`);
  return c.json(dossierJson(dossier), 201);
});

dossiersApi.get(`/api/v1/dossiers/${ID}`, async (c) => {
  const { actor } = requirePrincipal(c);
  return c.json(dossierJson(await getDossier(c.var.services, c.var.origin, actor, c.req.param("id"))));
});

dossiersApi.patch(`/api/v1/dossiers/${ID}`, async (c) => {
  const { actor } = requirePrincipal(c);
  return c.json(dossierJson(await updateDossier(c.var.services, c.var.origin, actor, c.req.param("id"), () => readJson(c))));
});

dossiersApi.post(`/api/v1/dossiers/${ID}/events`, async (c) => {
  const { actor } = requirePrincipal(c);
  return c.json(dossierJson(await trackDossier(c.var.services, c.var.origin, actor, c.req.param("id"), () => readJson(c))), 201);
});

dossiersApi.get(`/api/v1/dossiers/${ID}/pdf`, async (c) => {
  const principal = requirePrincipal(c);
  const { dossier, document } = await prepareDossierExport(c.var.services, c.var.origin, principal.actor, personCaller(principal), c.req.param("id"), "pdf");
  const pdf = await dossierPdf(c.var.services, document);
  c.header("Content-Type", "application/pdf");
  c.header("Content-Disposition", `inline; filename="${dossierFileName(dossier, "pdf")}"`);
  return c.body(new Uint8Array(pdf));
});

dossiersApi.get(`/api/v1/dossiers/${ID}/odt`, async (c) => {
  const principal = requirePrincipal(c);
  const { dossier, document } = await prepareDossierExport(c.var.services, c.var.origin, principal.actor, personCaller(principal), c.req.param("id"), "odt");
  const odt = await dossierOdt(document);
  c.header("Content-Type", "application/vnd.oasis.opendocument.text");
  c.header("Content-Disposition", `attachment; filename="${dossierFileName(dossier, "odt")}"`);
  return c.body(new Uint8Array(odt));
});

dossiersApi.get(`/api/v1/dossiers/${ID}/package`, async (c) => {
  const principal = requirePrincipal(c);
  const { prepared, write } = await startDossierPackage(c.var.services, c.var.origin, principal.actor, personCaller(principal), c.req.param("id"));
  c.header("Content-Type", "application/zip");
  c.header("Content-Disposition", `attachment; filename="${dossierFileName(prepared.dossier, "zip")}"`);
  return stream(c, async (out) => {
    const sink = new PassThrough();
    const done = write(sink).then(
      () => sink.end(),
      (error: unknown) => {
        c.var.services.log.error({ dossier: prepared.dossier.id, err: { message: (error as Error).message } }, "dossier package failed");
        sink.destroy(error as Error);
      },
    );
    for await (const chunk of sink) await out.write(chunk as Uint8Array);
    await done;
  });
});
