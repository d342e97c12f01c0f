import { Hono } from "hono";
import { can } from "../../core/index.ts";
import { VERSION } from "../../version.ts";
import type { AppEnv } from "../env.ts";
import { requirePrincipal } from "../middleware/auth.ts";
import { requirePermission } from "../../audit/index.ts";
import { MePatchSchema, openApiDocument } from "../openapi.ts";
import { readJson } from "../middleware/body.ts";
import { parseInput, setPreferences, type Principal } from "../../accounts/index.ts";

export const api = new Hono<AppEnv>();

api.get("/healthz", async (c) => {
  const services = c.var.services;
  // A health check that does not touch the database would report a dead installation as healthy.
  await services.db.selectFrom("schema_migrations").select("version").limit(1).execute();
  return c.json({ status: "ok", database: services.dbKind, version: VERSION });
});

function describeMe(principal: Principal) {
  const { actor } = principal;
  return {
    user: { id: principal.user.id, name: principal.user.name, email: principal.user.email, locale: principal.user.locale, secondFactor: principal.user.totpEnabled },
    organisation: { id: principal.org.id, name: principal.org.name, slug: principal.org.slug },
    role: actor.role,
    authenticatedWith: principal.via,
    scopes: actor.scopes,
  };
}

api.get("/api/v1/me", async (c) => {
  const principal = requirePrincipal(c);
  const { actor } = principal;
  const own = { kind: "own-account", userId: actor.userId } as const;
  await requirePermission(c.var.services, c.var.origin, can(actor, "account.view", own), actor, "account.view", { type: "user", id: actor.userId });
  return c.json(describeMe(principal));
});

api.patch("/api/v1/me", async (c) => {
  const principal = requirePrincipal(c);
  const input = parseInput(MePatchSchema, await readJson(c));
  await setPreferences(c.var.services, c.var.origin, principal, { locale: input.locale ?? "" });
  return c.json(describeMe({ ...principal, user: { ...principal.user, locale: input.locale } }));
});

api.get("/api/v1/openapi.json", (c) => c.json(openApiDocument()));
