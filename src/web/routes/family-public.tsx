import { Hono, type Context } from "hono";
import { Invalid, TooManyRequests, VigilError } from "../../core/index.ts";
import { familyPagePath, openFamilyPage, redeemFamilyCode, submitFamilyReport, type FamilyPageView } from "../../monitor/index.ts";
import type { AppEnv } from "../env.ts";
import { field, readForm, type FormData } from "../middleware/body.ts";
import { raw } from "hono/html";
import type { Child } from "hono/jsx";
import { pageContext } from "../render.tsx";
import { Csrf, ErrorSummary, Field, Layout, Notice, type PageContext } from "../pages/layout.tsx";
import { DataNote, familyMessage, ReportForm, type ReportValues } from "./family-parts.tsx";
import type { ContentfulStatusCode } from "hono/utils/http-status";

/**
 * The family pages: outside /api, no account, no script. A one-time code (typed on /family) opens
 * the family's secret page (/family/c/<secret>), where they report a missing relative and read the
 * updates the organisation approved. Forms carry the pre-session CSRF token; failures are
 * throttled per address by the service. Log lines name the route pattern, never the path, so
 * neither a code (only ever in a POST body) nor a link secret reaches a log.
 */
export const familyPublicPages = new Hono<AppEnv>();

const SECRET = ":secret{[A-Za-z0-9_-]{43}}";

// A family page is no one's business but the family's: not indexed, not cached, not framed.
familyPublicPages.use("/family", noTrace);
familyPublicPages.use("/family/*", noTrace);
async function noTrace(c: Context<AppEnv>, next: () => Promise<void>) {
  await next();
  c.header("X-Robots-Tag", "noindex, nofollow, noarchive");
  c.header("Cache-Control", "no-store");
}

/**
 * Renders a family page as if it were /family: the language links then point back to /family, so
 * the link's secret never travels in another URL (a query string a proxy may log).
 */
function renderPage(c: Context<AppEnv>, title: string, body: (page: PageContext) => Child, status: ContentfulStatusCode = 200) {
  const page = { ...pageContext(c), path: "/family" };
  return c.html(
    <>
      {raw("<!doctype html>")}
      <Layout page={page} title={title}>
        {body(page)}
      </Layout>
    </>,
    status,
  );
}

function problemOf(c: Context<AppEnv>, error: unknown): { status: ContentfulStatusCode; message: string; errors: Record<string, string> } {
  if (!(error instanceof VigilError)) throw error;
  if (error instanceof TooManyRequests) c.header("Retry-After", String(error.retryAfterSeconds));
  const errors = error instanceof Invalid ? Object.fromEntries(Object.entries(error.fields).map(([k, v]) => [k, familyMessage(c, v)])) : {};
  return { status: error.status as ContentfulStatusCode, message: familyMessage(c, error.message), errors };
}

function CodePage(page: PageContext, code: string, problem?: { message: string; errors: Record<string, string> }) {
  const { t } = page;
  return (
    <section class="narrow">
      <h1>{t("family.public.title")}</h1>
      <p>{t("family.public.intro")}</p>
      <ErrorSummary page={page} message={problem?.message} errors={problem?.errors} />
      <form method="post" action="/family" novalidate>
        <Csrf page={page} />
        <Field name="code" label={t("family.public.code")} hint={t("family.public.codeHint")} value={code} error={problem?.errors.code} required maxlength={40} autocomplete="off" dir="ltr" />
        <button type="submit">{t("family.public.open")}</button>
      </form>
      <DataNote page={page} />
    </section>
  );
}

familyPublicPages.get("/family", (c) => renderPage(c, c.var.t("family.public.title"), (page) => CodePage(page, "")));

familyPublicPages.post("/family", async (c) => {
  const form = await readForm(c);
  try {
    const { secret } = await redeemFamilyCode(c.var.services, c.var.origin, { code: field(form, "code") });
    const path = familyPagePath(secret);
    const url = new URL(path, c.req.url).toString();
    // Shown once, here: Vigil keeps only its hash and cannot show it again.
    return renderPage(c, c.var.t("family.public.linkTitle"), (page) => (
      <section class="narrow">
        <h1>{page.t("family.public.linkTitle")}</h1>
        <p>{page.t("family.public.linkIntro")}</p>
        <p class="secret-link">
          <a href={path} dir="ltr">
            {url}
          </a>
        </p>
        <p class="hint">{page.t("family.public.linkWarning")}</p>
        <ReportForm page={page} action={`${path}/report`} values={{}} />
      </section>
    ));
  } catch (error) {
    const problem = problemOf(c, error);
    // The code typed is not shown back: a wrong code on the screen helps no one and a right one should not linger.
    return renderPage(c, c.var.t("family.public.title"), (page) => CodePage(page, "", problem), problem.status);
  }
});

function CasePage(page: PageContext, secret: string, view: FamilyPageView, values: ReportValues, extra: { notice?: string | null; errors?: Record<string, string>; message?: string | null } = {}) {
  const { t } = page;
  const date = (iso: string) => iso.slice(0, 10);
  return (
    <section class="narrow">
      <h1>{t("family.public.caseTitle")}</h1>
      <p class="hint">{t("family.public.reference", { reference: view.reference })}</p>
      <Notice text={extra.notice} />
      <section aria-labelledby="family-updates-title">
        <h2 id="family-updates-title">{t("family.public.updatesTitle")}</h2>
        {view.updates === null ? (
          <p>{t("family.public.updatesUnavailable")}</p>
        ) : view.updates.length === 0 ? (
          <p>{t("family.public.noUpdates")}</p>
        ) : (
          <ol class="family-updates">
            {view.updates.map((u) => (
              <li>
                <p class="hint">
                  <time datetime={u.approvedAt}>{date(u.approvedAt)}</time>
                </p>
                <p dir="auto" class="prewrap">
                  {u.body}
                </p>
              </li>
            ))}
          </ol>
        )}
      </section>
      {view.reportsReceived.length ? (
        <section aria-labelledby="family-received-title">
          <h2 id="family-received-title">{t("family.public.receivedTitle")}</h2>
          <ul>
            {view.reportsReceived.map((at) => (
              <li>
                <time datetime={at}>{date(at)}</time>
              </li>
            ))}
          </ul>
        </section>
      ) : null}
      <ReportForm page={page} action={`${familyPagePath(secret)}/report`} values={values} errors={extra.errors} message={extra.message} />
    </section>
  );
}

familyPublicPages.get(`/family/c/${SECRET}`, async (c) => {
  const secret = c.req.param("secret");
  const view = await openFamilyPage(c.var.services, c.var.origin, secret);
  const notice = c.req.query("sent") === "1" ? c.var.t("family.public.sent") : null;
  return renderPage(c, c.var.t("family.public.caseTitle"), (page) => CasePage(page, secret, view, {}, { notice }));
});

function reportValues(form: FormData): ReportValues {
  const names = ["names", "birthDate", "lastSeenDate", "lastSeenPlace", "circumstances", "takenBy", "contact"] as const;
  return Object.fromEntries(names.map((n) => [n, field(form, n)]));
}

familyPublicPages.post(`/family/c/${SECRET}/report`, async (c) => {
  const secret = c.req.param("secret");
  const form = await readForm(c);
  const values = reportValues(form);
  try {
    await submitFamilyReport(c.var.services, c.var.origin, secret, values, c.var.locale);
  } catch (error) {
    const problem = problemOf(c, error);
    if (problem.status === 404) throw error;
    const view = await openFamilyPage(c.var.services, c.var.origin, secret);
    return renderPage(c, c.var.t("family.public.caseTitle"), (page) => CasePage(page, secret, view, values, { errors: problem.errors, message: problem.message }), problem.status);
  }
  // After a post, a plain page: reloading it does not send the report again.
  return c.redirect(`${familyPagePath(secret)}?sent=1`, 303);
});
