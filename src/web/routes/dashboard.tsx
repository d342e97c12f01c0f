import { Hono } from "hono";
import { isSetupComplete } from "../../accounts/index.ts";
import type { AppEnv } from "../env.ts";
import { Redirect, renderPage, signedIn } from "../render.tsx";

export const dashboardPages = new Hono<AppEnv>();

const AREAS = ["records", "evidence", "names", "detainees", "accountability"] as const;

dashboardPages.get("/", async (c) => {
  if (!c.var.principal && !(await isSetupComplete(c.var.services))) throw new Redirect("/setup");
  const principal = signedIn(c);
  return renderPage(c, c.var.t("dashboard.title"), ({ t }) => (
    <>
      <h1>{t("dashboard.welcome", { name: principal.user.name })}</h1>
      <p>{t("dashboard.intro", { organisation: principal.org.name })}</p>
      {!principal.user.totpEnabled ? (
        <p class="notice">
          {t("dashboard.secondFactorAdvice")} <a href="/account/second-factor">{t("account.enableSecondFactor")}</a>
        </p>
      ) : null}
      <ul class="areas">
        {AREAS.map((area) => (
          <li>
            <h2>{t(`nav.${area}`)}</h2>
            <p>{t(`dashboard.areas.${area}`)}</p>
            {area === "records" && principal.actor.role !== "partner" ? (
              <p>
                <a href="/records">{t("nav.records")}</a>
              </p>
            ) : area === "accountability" && principal.actor.role !== "partner" ? (
              <p>
                <a href="/officials">{t("nav.accountability")}</a>
              </p>
            ) : (
              <p class="soon">{t("nav.comingSoon")}</p>
            )}
          </li>
        ))}
      </ul>
    </>
  ));
});
