import type { Child, FC } from "hono/jsx";
import type { Principal } from "../../accounts/index.ts";
import { direction, LOCALES, type Locale, type Translate } from "../i18n.ts";

export interface PageContext {
  t: Translate;
  locale: Locale;
  principal: Principal | null;
  csrfToken: string;
  /** The current path, to mark the navigation and build language links. */
  path: string;
  /** Unread alerts in the person's inbox, shown beside the Alerts link. */
  alertsUnread?: number;
}

const LOCALE_NAMES: Record<Locale, { label: string; dir: "ltr" | "rtl" }> = {
  en: { label: "English", dir: "ltr" },
  ug: { label: "ئۇيغۇرچە", dir: "rtl" },
  "zh-Hans": { label: "简体中文", dir: "ltr" },
};

const Navigation: FC<{ page: PageContext }> = ({ page }) => {
  const { t, principal, path } = page;
  if (!principal || principal.secondFactorPending) return null;
  const isAdmin = principal.actor.role === "admin";
  const link = (href: string, label: string) => (
    <li>
      <a href={href} aria-current={path === href ? "page" : undefined}>
        {label}
      </a>
    </li>
  );
  return (
    <nav aria-label={t("nav.main")}>
      <ul class="nav">
        {link("/", t("nav.dashboard"))}
        {principal.actor.role !== "partner" ? link("/records", t("nav.records")) : null}
        {principal.actor.role !== "partner" ? link("/evidence", t("nav.evidence")) : null}
        {principal.actor.role !== "partner" ? link("/map", t("nav.map")) : null}
        {principal.actor.role !== "partner" ? link("/timeline", t("nav.timeline")) : null}
        {["admin", "editor", "researcher"].includes(principal.actor.role) ? link("/imports", t("nav.imports")) : null}
        {principal.actor.role !== "partner" ? link("/exports", t("nav.exports")) : null}
        {principal.actor.role !== "partner" ? link("/screening", t("nav.names")) : null}
        {principal.actor.role !== "partner" ? link("/monitor", t("nav.detainees")) : null}
        {principal.actor.role !== "partner" ? link("/monitor/facilities", t("monitor.facilities.title")) : null}
        {principal.actor.role !== "partner" ? link("/complicity", t("nav.complicity")) : null}
        {principal.actor.role !== "partner" ? (
          <li>
            <a href="/alerts" aria-current={path === "/alerts" ? "page" : undefined}>
              {t("alerts.nav")}
              {page.alertsUnread ? <span class="badge"> {t("alerts.unreadCount", { n: String(page.alertsUnread) })}</span> : null}
            </a>
          </li>
        ) : null}
        {principal.actor.role !== "partner" ? link("/sanctions", t("nav.sanctions")) : null}
        {principal.actor.role !== "partner" ? link("/officials", t("nav.officials")) : null}
        {principal.actor.role !== "partner" ? link("/cases", t("nav.cases")) : null}
        {principal.actor.role !== "partner" ? link("/#accountability", t("nav.accountability")) : null}
        {isAdmin ? link("/admin/users", t("nav.users")) : null}
        {isAdmin ? link("/admin/audit", t("nav.audit")) : null}
        {isAdmin ? link("/admin/vocabularies", t("nav.vocabularies")) : null}
        {isAdmin ? link("/admin/vault", t("nav.vault")) : null}
        {isAdmin ? link("/admin/capture", t("nav.captureSettings")) : null}
        {link("/account", t("nav.account"))}
      </ul>
    </nav>
  );
};

/** The search box on every page, for those who read records; a plain GET form, no script needed. */
const HeaderSearch: FC<{ page: PageContext }> = ({ page }) => {
  const { t, principal } = page;
  if (!principal || principal.secondFactorPending || principal.actor.role === "partner") return null;
  return (
    <form method="get" action="/search" role="search" class="top-search">
      <label for="top-q" class="visually-hidden">{t("search.label")}</label>
      <input id="top-q" name="q" type="search" maxlength={500} dir="auto" />
      <button type="submit">{t("search.submit")}</button>
    </form>
  );
};

export const Layout: FC<{ page: PageContext; title: string; children?: Child }> = ({ page, title, children }) => {
  const { t, locale, principal, csrfToken } = page;
  return (
    <html lang={locale} dir={direction(locale)}>
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="referrer" content="same-origin" />
        <title>{`${title} · Vigil`}</title>
        <link rel="stylesheet" href="/static/vigil.css" />
        <link rel="icon" href="/static/favicon.svg" type="image/svg+xml" />
        <script src="/static/vigil.js" defer></script>
      </head>
      <body>
        <a class="skip" href="#main">
          {t("app.skip")}
        </a>
        <header class="top">
          <a class="brand" href="/">
            Vigil
          </a>
          <HeaderSearch page={page} />
          {principal && !principal.secondFactorPending ? (
            <div class="who">
              <span>
                {principal.user.name} · {principal.org.name} · {t(`roles.${principal.actor.role}`)}
              </span>
              <form method="post" action="/logout" class="inline">
                <input type="hidden" name="_csrf" value={csrfToken} />
                <button type="submit" class="link">
                  {t("nav.signOut")}
                </button>
              </form>
            </div>
          ) : null}
        </header>
        <Navigation page={page} />
        <main id="main" tabindex={-1}>
          {children}
        </main>
        <footer class="foot">
          <nav aria-label={t("nav.language")}>
            <ul class="langs">
              {LOCALES.map((l) => (
                <li>
                  <a href={`/language/${l}?back=${encodeURIComponent(page.path)}`} lang={l} dir={LOCALE_NAMES[l].dir} hreflang={l} aria-current={l === locale ? "true" : undefined}>
                    {LOCALE_NAMES[l].label}
                  </a>
                </li>
              ))}
            </ul>
          </nav>
        </footer>
      </body>
    </html>
  );
};

export const Csrf: FC<{ page: PageContext }> = ({ page }) => <input type="hidden" name="_csrf" value={page.csrfToken} />;

export const ErrorSummary: FC<{ page: PageContext; message?: string | null; errors?: Record<string, string> }> = ({ page, message, errors }) => {
  if (!message && (!errors || Object.keys(errors).length === 0)) return null;
  return (
    <div class="error-summary" role="alert" tabindex={-1}>
      <h2>{page.t("form.problem")}</h2>
      {message ? <p>{message}</p> : null}
      {errors && Object.keys(errors).length ? (
        <ul>
          {Object.entries(errors).map(([name, text]) => (
            <li>
              <a href={`#f-${name}`}>{text}</a>
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
};

export interface FieldProps {
  name: string;
  label: string;
  type?: string;
  value?: string;
  error?: string | undefined;
  hint?: string;
  autocomplete?: string;
  required?: boolean;
  maxlength?: number;
  inputmode?: "numeric" | "text" | "email";
  dir?: "auto" | "ltr" | "rtl";
}

export const Field: FC<FieldProps> = (p) => {
  const id = `f-${p.name}`;
  const described = [p.hint ? `${id}-hint` : null, p.error ? `${id}-error` : null].filter(Boolean).join(" ") || undefined;
  return (
    <div class={p.error ? "field has-error" : "field"}>
      <label for={id}>{p.label}</label>
      {p.hint ? (
        <p class="hint" id={`${id}-hint`}>
          {p.hint}
        </p>
      ) : null}
      {p.error ? (
        <p class="field-error" id={`${id}-error`}>
          {p.error}
        </p>
      ) : null}
      <input
        id={id}
        name={p.name}
        type={p.type ?? "text"}
        value={p.type === "password" ? undefined : p.value}
        autocomplete={p.autocomplete}
        required={p.required}
        maxlength={p.maxlength}
        inputmode={p.inputmode}
        dir={p.dir ?? "auto"}
        aria-invalid={p.error ? "true" : undefined}
        aria-describedby={described}
      />
    </div>
  );
};

export const Notice: FC<{ text?: string | null }> = ({ text }) =>
  text ? (
    <p class="notice" role="status">
      {text}
    </p>
  ) : null;
