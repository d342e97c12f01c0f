import { Hono } from "hono";
import { listComplicity, ownershipGraph, screenSuppliers, supplierReportCsv, requireSupplierScreening } from "../../accountability/index.ts";
import type { AppEnv } from "../env.ts";
import { UUID_PARAM } from "../format.ts";
import { requirePrincipal } from "../middleware/auth.ts";
import { readBytes } from "../middleware/body.ts";
import { HTTPException } from "hono/http-exception";

/** The complicity registry's API: thin, as every check and rule is in src/accountability. */
export const complicityApi = new Hono<AppEnv>();

const ID = `:id{${UUID_PARAM}}`;

complicityApi.get("/api/v1/complicity", async (c) => {
  const { actor } = requirePrincipal(c);
  const registry = await listComplicity(c.var.services, c.var.origin, actor, c.req.query());
  return c.json({ items: registry.findings, page: registry.page, more: registry.more });
});

complicityApi.get(`/api/v1/complicity/graph/${ID}`, async (c) => {
  const { actor } = requirePrincipal(c);
  return c.json(await ownershipGraph(c.var.services, c.var.origin, actor, c.req.param("id"), c.req.query()));
});

complicityApi.post("/api/v1/suppliers/screen", async (c) => {
  const { actor } = requirePrincipal(c);
  // Permission before the body is read.
  await requireSupplierScreening(c.var.services, c.var.origin, actor);
  const type = (c.req.header("content-type") ?? "").split(";")[0]!.trim().toLowerCase();
  if (type !== "text/csv" && type !== "text/plain") throw new HTTPException(415, { message: "send the supplier list as text/csv (UTF-8)" });
  const query = c.req.queries();
  const one = (name: string) => query[name]?.[0];
  const report = await screenSuppliers(c.var.services, c.var.origin, actor, await readBytes(c), {
    ...(one("nameColumn") !== undefined ? { nameColumn: one("nameColumn") } : {}),
    ...(one("addressColumn") !== undefined ? { addressColumn: one("addressColumn") } : {}),
    ...(one("countryColumn") !== undefined ? { countryColumn: one("countryColumn") } : {}),
    ...(one("hops") !== undefined ? { hops: one("hops") } : {}),
    ...(one("threshold") !== undefined ? { threshold: one("threshold") } : {}),
    lists: query.list ?? [],
  });
  if ((c.req.header("accept") ?? "").includes("text/csv")) {
    c.header("Content-Type", "text/csv; charset=utf-8");
    c.header("Content-Disposition", 'attachment; filename="supplier-screening.csv"');
    return c.body(supplierReportCsv(report));
  }
  return c.json(report);
});
