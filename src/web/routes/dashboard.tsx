import { Hono } from "hono";
import { isSetupComplete } from "../../accounts/index.ts";
import type { Role } from "../../core/index.ts";
import type { AppEnv } from "../env.ts";
import { Redirect, renderPage, signedIn } from "../render.tsx";

export const dashboardPages = new Hono<AppEnv>();

type LinkKey =
  | "records" | "map" | "timeline" | "search" | "evidence" | "screening" | "duplicates" | "monitor" | "facilities" | "alerts" | "urgentActions" | "families"
  | "officials" | "sanctions" | "gaps" | "complicity" | "suppliers" | "dossiers" | "cases";

/** Each area of Vigil and where it starts; a link is shown only to the roles its pages admit. */
const AREAS: { area: "records" | "evidence" | "names" | "detainees" | "accountability"; links: [LinkKey, string, "documenter"?][] }[] = [
  { area: "records", links: [["records", "/records"], ["search", "/search"], ["map", "/map"], ["timeline", "/timeline"]] },
  { area: "evidence", links: [["evidence", "/evidence"]] },
  { area: "names", links: [["screening", "/screening"], ["duplicates", "/duplicates", "documenter"]] },
  { area: "detainees", links: [["monitor", "/monitor"], ["facilities", "/monitor/facilities"], ["alerts", "/alerts"], ["urgentActions", "/urgent-actions"], ["families", "/monitor/families"]] },
  {
    area: "accountability",
    links: [["officials", "/officials"], ["sanctions", "/sanctions"], ["gaps", "/sanctions/gaps"], ["complicity", "/complicity"], ["suppliers", "/suppliers"], ["dossiers", "/dossiers"], ["cases", "/cases"]],
  },
];

// Every page linked above refuses a partner: partners reach only what is shared with them.
const READS_AREAS = (role: Role) => role !== "partner";
const DOCUMENTS = (role: Role) => role === "admin" || role === "editor" || role === "researcher";

dashboardPages.get("/", async (c) => {
  if (!c.var.principal && !(await isSetupComplete(c.var.services))) throw new Redirect("/setup");
  const principal = signedIn(c);
  const reader = READS_AREAS(principal.actor.role);
  return renderPage(c, c.var.t("dashboard.title"), ({ t }) => (
    <>
      <h1>{t("dashboard.welcome", { name: principal.user.name })}</h1>
      <p>{t("dashboard.intro", { organisation: principal.org.name })}</p>
      {!principal.user.totpEnabled ? (
        <p class="notice">
          {t("dashboard.secondFactorAdvice")} <a href="/account/second-factor">{t("account.enableSecondFactor")}</a>
        </p>
      ) : null}
      {reader ? null : <p>{t("dashboard.links.partnerNote")}</p>}
      <ul class="areas">
        {AREAS.map(({ area, links }) => (
          <li id={area}>
            <h2>{t(`nav.${area}`)}</h2>
            <p>{t(`dashboard.areas.${area}`)}</p>
            {reader ? (
              <ul>
                {links.filter(([, , who]) => who !== "documenter" || DOCUMENTS(principal.actor.role)).map(([key, href]) => (
                  <li>
                    <a href={href}>{t(`dashboard.links.${key}`)}</a>
                  </li>
                ))}
              </ul>
            ) : null}
          </li>
        ))}
      </ul>
    </>
  ));
});
