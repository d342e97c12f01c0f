import { Hono, type Context } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { Unauthenticated } from "../core/index.ts";
import type { Services } from "../context.ts";
import type { AppEnv } from "./env.ts";
import { isLocale, negotiateLocale, translator } from "./i18n.ts";
import { resolvePrincipal } from "./middleware/auth.ts";
import { csrfProtection } from "./middleware/csrf.ts";
import { requestContext } from "./middleware/request-context.ts";
import { securityHeaders } from "./middleware/security-headers.ts";
import { problemResponse, toProblem } from "./problem.ts";
import { Redirect, renderPage, safeNext } from "./render.tsx";
import { LOCALE_COOKIE, readCookie } from "./cookies.ts";
import { accountPages } from "./routes/account-pages.tsx";
import { adminPages } from "./routes/admin-pages.tsx";
import { api } from "./routes/api.ts";
import { authPages } from "./routes/auth-pages.tsx";
import { dashboardPages } from "./routes/dashboard.tsx";
import { evidenceRoutes, isUploadPath } from "./routes/evidence.tsx";
import { evidencePanelRoutes } from "./routes/evidence-panel.tsx";
import { captureRoutes } from "./routes/captures.tsx";
import { vaultPages } from "./routes/vault.tsx";
import { entityRoutes } from "./routes/entities.ts";
import { vocabularyRoutes } from "./routes/vocabularies.tsx";
import { recordPages } from "./routes/records.tsx";
import { ledgerRoutes } from "./routes/ledger.ts";
import { matchRoutes } from "./routes/match.ts";
import { screeningPages } from "./routes/screening.tsx";
import { searchRoutes } from "./routes/search.tsx";
import { mapRoutes } from "./routes/map.tsx";
import { importRoutes, IMPORT_UPLOAD_PATHS } from "./routes/imports.tsx";
import { exportRoutes } from "./routes/exports.tsx";
import { staticAssets } from "./static.ts";
import { monitorApiRoutes } from "./routes/monitor-api.ts";
import { monitorPages } from "./monitor/pages.tsx";
import { alertRoutes } from "./routes/alerts.tsx";
import { unreadCount } from "../monitor/index.ts";
// Families in detainee monitoring: the organisation's API and pages, and the families' own public pages.
import { familyApi } from "./routes/family-api.ts";
import { familyPages } from "./routes/family-pages.tsx";
import { familyPublicPages } from "./routes/family-public.tsx";
import { monitorRoutes } from "./routes/monitor.tsx";
import { urgentPages } from "./routes/urgent.tsx";
import { urgentApi } from "./routes/urgent-api.ts";
import { casePages } from "./routes/cases.tsx";
import { casesApi } from "./routes/cases-api.ts";
import { complicityPages } from "./routes/complicity.tsx";
import { complicityApi } from "./routes/complicity-api.ts";
import { supplierPages } from "./routes/suppliers.tsx";
import { sanctionsPages } from "./routes/sanctions.tsx";
import { sanctionsApi, SANCTIONS_UPLOAD_PATHS } from "./routes/sanctions-api.ts";
import { officialPages } from "./routes/officials.tsx";
import { officialsApi } from "./routes/officials-api.ts";
import { dossierPages } from "./routes/dossiers.tsx";
import { dossiersApi } from "./routes/dossiers-api.ts";

function isApi(c: Context<AppEnv>): boolean {
  const path = new URL(c.req.url).pathname;
  // The ledger's tiles and checkpoints are read by tools, not people: no sign-in redirect.
  return path.startsWith("/api/") || path.startsWith("/ledger/") || path === "/healthz";
}

function ErrorPage(c: Context<AppEnv>, status: number, detail: string) {
  const t = c.var.t;
  const key = [401, 403, 404, 413, 415, 429].includes(status) ? String(status) : status < 500 ? "400" : "500";
  return renderPage(
    c,
    t(`error.${key}.title`),
    (page) => (
      <section class="narrow">
        <h1>{t(`error.${key}.title`)}</h1>
        <p>{detail}</p>
        <p class="hint">{t("error.reference", { id: c.var.requestId })}</p>
        <p>
          <a href={page.principal ? "/" : "/login"}>{t("error.home")}</a>
        </p>
      </section>
    ),
    status as ContentfulStatusCode,
  );
}

export function createApp(services: Services): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.use("*", requestContext(services));
  app.use("*", securityHeaders());
  app.use("*", async (c, next) => {
    // Refuse a declared oversized body before anything reads it; bodies without a length are counted as read.
    // Evidence uploads stream to disk under their own limit (VIGIL_MAX_UPLOAD_BYTES).
    // Imports stream to disk under VIGIL_MAX_IMPORT_BYTES.
    const path = new URL(c.req.url).pathname;
    const upload = c.req.method === "POST" && (isUploadPath(path) || IMPORT_UPLOAD_PATHS.has(path) || SANCTIONS_UPLOAD_PATHS.has(path));
    if (!upload && Number(c.req.header("content-length") ?? "0") > services.config.maxBodyBytes) {
      throw new HTTPException(413, { message: `the request body is larger than ${services.config.maxBodyBytes} bytes` });
    }
    await next();
  });
  app.use("*", async (c, next) => {
    const cookie = readCookie(c, LOCALE_COOKIE);
    const fallback = services.config.defaultLocale;
    const locale = isLocale(cookie) ? cookie : negotiateLocale(c.req.header("accept-language"), fallback);
    c.set("locale", locale);
    c.set("t", translator(locale));
    await next();
  });
  app.use("*", resolvePrincipal());
  app.use("*", async (c, next) => {
    // The person's own setting wins over the browser's, once we know who they are.
    const own = c.var.principal?.user.locale;
    if (isLocale(own)) {
      c.set("locale", own);
      c.set("t", translator(own));
    }
    await next();
  });
  app.use("*", csrfProtection());
  // The count of unread alerts in the header, for pages only.
  app.use("*", async (c, next) => {
    const principal = c.var.principal;
    if (c.req.method === "GET" && principal && !principal.secondFactorPending && principal.via !== "token" && !isApi(c)) c.set("alertsUnread", await unreadCount(services, principal.actor));
    await next();
  });

  app.route("/", staticAssets);
  app.route("/", api);
  app.route("/", entityRoutes);
  app.route("/", vocabularyRoutes);
  app.route("/", recordPages);
  app.route("/", matchRoutes);
  app.route("/", screeningPages);
  app.route("/", searchRoutes);
  app.route("/", mapRoutes);
  app.route("/", monitorRoutes);
  app.route("/", importRoutes);
  app.route("/", exportRoutes);
  app.route("/", monitorApiRoutes);
  app.route("/", monitorPages);
  app.route("/", ledgerRoutes);
  app.route("/", authPages);
  app.route("/", dashboardPages);
  app.route("/", evidencePanelRoutes);
  app.route("/", captureRoutes);
  app.route("/", evidenceRoutes);
  app.route("/", vaultPages);
  app.route("/", adminPages);
  app.route("/", accountPages);
  app.route("/", alertRoutes);
  app.route("/", familyApi);
  app.route("/", familyPages);
  app.route("/", familyPublicPages);
  // Detainee monitoring: urgent actions.
  app.route("/", urgentApi);
  app.route("/", urgentPages);
  // Accountability: legal cases, consent and court bundles.
  app.route("/", casesApi);
  app.route("/", casePages);
  app.route("/", complicityApi);
  app.route("/", complicityPages);
  app.route("/", supplierPages);
  // Accountability: sanctions lists, matches and the gap table.
  app.route("/", sanctionsApi);
  app.route("/", sanctionsPages);
  app.route("/", officialsApi);
  app.route("/", officialPages);
  app.route("/", dossiersApi);
  app.route("/", dossierPages);

  app.notFound((c) => {
    if (isApi(c)) return problemResponse(c, { type: "about:blank", title: "Not Found", status: 404, detail: "no such resource", requestId: c.var.requestId });
    return ErrorPage(c, 404, c.var.t("error.404.detail"));
  });

  app.onError((error, c) => {
    if (error instanceof Redirect) return c.redirect(error.location, 303);
    if (!isApi(c) && error instanceof Unauthenticated && !c.var.principal) {
      const url = new URL(c.req.url);
      return c.redirect(`/login?next=${encodeURIComponent(safeNext(url.pathname))}`, 303);
    }
    // Hono has no `t` yet when a middleware before the locale fails; fall back to English.
    if (!c.var.t) c.set("t", translator(services.config.defaultLocale));
    const problem = toProblem(c, error);
    if (isApi(c)) return problemResponse(c, problem, error);
    if (error instanceof HTTPException && error.status === 405) c.header("Allow", "GET, POST");
    return ErrorPage(c, problem.status, problem.detail ?? problem.title);
  });
  return app;
}
