import { Hono, type Context } from "hono";
import {
  acceptInvitation, completeSecondFactor, completeSetup, confirmEnrolment, findOpenInvitation, isSetupComplete,
  promoteAfterEnrolment, signIn, signOut, startEnrolment,
} from "../../accounts/index.ts";
import { TooManyRequests } from "../../core/index.ts";
import type { AppEnv } from "../env.ts";
import { isLocale } from "../i18n.ts";
import { field, readForm } from "../middleware/body.ts";
import { refreshCsrfToken } from "../middleware/csrf.ts";
import { clearCookie, LOCALE_COOKIE, SESSION_COOKIE, writeCookie } from "../cookies.ts";
import { formProblem, pageContext, Redirect, renderPage, safeNext, type FormProblem } from "../render.tsx";
import { Csrf, ErrorSummary, Field, Notice, type PageContext } from "../pages/layout.tsx";

export const authPages = new Hono<AppEnv>();

function startSession(c: Context<AppEnv>, token: string) {
  writeCookie(c, SESSION_COOKIE, token);
}

// ——— first-run setup ———

function SetupForm(page: PageContext, values: Record<string, string>, problem?: FormProblem) {
  const { t } = page;
  const e = problem?.errors ?? {};
  return (
    <section class="narrow">
      <h1>{t("setup.title")}</h1>
      <p>{t("setup.intro")}</p>
      <ErrorSummary page={page} message={problem?.message} errors={e} />
      <form method="post" action="/setup" novalidate>
        <Csrf page={page} />
        <fieldset>
          <legend>{t("setup.organisation")}</legend>
          <Field name="organisationName" label={t("setup.organisationName")} value={values.organisationName} error={e.organisationName} required maxlength={200} autocomplete="organization" />
          <Field name="organisationSlug" label={t("setup.organisationSlug")} hint={t("setup.organisationSlugHint")} value={values.organisationSlug} error={e.organisationSlug} required maxlength={63} dir="ltr" />
        </fieldset>
        <fieldset>
          <legend>{t("setup.administrator")}</legend>
          <Field name="name" label={t("fields.name")} value={values.name} error={e.name} required maxlength={200} autocomplete="name" />
          <Field name="email" type="email" label={t("fields.email")} value={values.email} error={e.email} required maxlength={254} autocomplete="email" dir="ltr" />
          <Field name="password" type="password" label={t("fields.password")} hint={t("fields.passwordHint")} error={e.password} required autocomplete="new-password" dir="ltr" />
        </fieldset>
        <button type="submit">{t("setup.submit")}</button>
      </form>
    </section>
  );
}

authPages.get("/setup", async (c) => {
  if (await isSetupComplete(c.var.services)) throw new Redirect("/login");
  return renderPage(c, c.var.t("setup.title"), (page) => SetupForm(page, {}));
});

authPages.post("/setup", async (c) => {
  const services = c.var.services;
  if (await isSetupComplete(services)) throw new Redirect("/login");
  const form = await readForm(c);
  const values = {
    organisationName: field(form, "organisationName"),
    organisationSlug: field(form, "organisationSlug"),
    name: field(form, "name"),
    email: field(form, "email"),
    password: field(form, "password"),
  };
  try {
    await completeSetup(services, c.var.origin, values);
  } catch (error) {
    const problem = formProblem(c, error);
    return renderPage(c, c.var.t("setup.title"), (page) => SetupForm(page, values, problem), problem.status);
  }
  throw new Redirect("/login?done=setup");
});

// ——— sign in ———

function SignInForm(page: PageContext, next: string, email: string, notice: string | null, problem?: FormProblem) {
  const { t } = page;
  return (
    <section class="narrow">
      <h1>{t("signIn.title")}</h1>
      <Notice text={notice} />
      <ErrorSummary page={page} message={problem?.message} />
      <form method="post" action={`/login?next=${encodeURIComponent(next)}`}>
        <Csrf page={page} />
        <Field name="email" type="email" label={t("fields.email")} value={email} required maxlength={254} autocomplete="username" dir="ltr" />
        <Field name="password" type="password" label={t("fields.password")} required autocomplete="current-password" dir="ltr" />
        <button type="submit">{t("signIn.submit")}</button>
      </form>
    </section>
  );
}

authPages.get("/login", async (c) => {
  if (!(await isSetupComplete(c.var.services))) throw new Redirect("/setup");
  const principal = c.var.principal;
  if (principal) throw new Redirect(principal.secondFactorPending ? "/login/second-factor" : "/");
  const done = c.req.query("done");
  const notice = done === "setup" || done === "signed-out" || done === "invited" ? c.var.t(`signIn.done.${done}`) : null;
  return renderPage(c, c.var.t("signIn.title"), (page) => SignInForm(page, safeNext(c.req.query("next")), "", notice));
});

authPages.post("/login", async (c) => {
  const form = await readForm(c);
  const next = safeNext(c.req.query("next"));
  const email = field(form, "email");
  try {
    const result = await signIn(c.var.services, c.var.origin, { email, password: field(form, "password") });
    startSession(c, result.token);
    throw new Redirect(result.secondFactorPending ? `/login/second-factor?next=${encodeURIComponent(next)}` : next);
  } catch (error) {
    if (error instanceof Redirect) throw error;
    const problem = formProblem(c, error);
    if (error instanceof TooManyRequests) c.header("Retry-After", String(error.retryAfterSeconds));
    return renderPage(c, c.var.t("signIn.title"), (page) => SignInForm(page, next, email, null, problem), problem.status);
  }
});

// ——— second factor: verify, or enrol when the organisation requires one ———

async function SecondFactorPage(c: Context<AppEnv>, page: PageContext, next: string, problem?: FormProblem) {
  const { t } = page;
  const principal = page.principal!;
  if (!principal.user.totpEnabled) {
    const enrolment = await startEnrolment(c.var.services, principal);
    return (
      <section class="narrow">
        <h1>{t("secondFactor.enrolTitle")}</h1>
        <p>{t("secondFactor.requiredByOrganisation")}</p>
        <ErrorSummary page={page} message={problem?.message} />
        <EnrolmentSteps page={page} qrSvg={enrolment.qrSvg} secret={enrolment.secret} action={`/login/second-factor?next=${encodeURIComponent(next)}`} />
      </section>
    );
  }
  return (
    <section class="narrow">
      <h1>{t("secondFactor.title")}</h1>
      <p>{t("secondFactor.intro")}</p>
      <ErrorSummary page={page} message={problem?.message} />
      <form method="post" action={`/login/second-factor?next=${encodeURIComponent(next)}`}>
        <Csrf page={page} />
        <Field name="code" label={t("secondFactor.code")} hint={t("secondFactor.codeHint")} required autocomplete="one-time-code" inputmode="numeric" maxlength={20} dir="ltr" />
        <button type="submit">{t("secondFactor.submit")}</button>
      </form>
    </section>
  );
}

export function EnrolmentSteps(props: { page: PageContext; qrSvg: string; secret: string; action: string }) {
  const { t } = props.page;
  return (
    <>
      <ol>
        <li>{t("secondFactor.step1")}</li>
        <li>
          {t("secondFactor.step2")}
          <figure class="qr">
            <img src={`data:image/svg+xml;base64,${Buffer.from(props.qrSvg).toString("base64")}`} alt={t("secondFactor.qrAlt")} width={200} height={200} />
            <figcaption>
              {t("secondFactor.manual")} <code dir="ltr">{props.secret.replace(/(.{4})/g, "$1 ").trim()}</code>
            </figcaption>
          </figure>
        </li>
        <li>{t("secondFactor.step3")}</li>
      </ol>
      <form method="post" action={props.action}>
        <Csrf page={props.page} />
        <Field name="code" label={t("secondFactor.code")} required autocomplete="one-time-code" inputmode="numeric" maxlength={10} dir="ltr" />
        <button type="submit">{t("secondFactor.confirm")}</button>
      </form>
    </>
  );
}

export function RecoveryCodes(props: { page: PageContext; codes: string[]; next: string }) {
  const { t } = props.page;
  return (
    <section class="narrow">
      <h1>{t("recovery.title")}</h1>
      <p>{t("recovery.intro")}</p>
      <ul class="codes" dir="ltr">
        {props.codes.map((code) => (
          <li>
            <code>{code}</code>
          </li>
        ))}
      </ul>
      <p>
        <a class="button" href={props.next}>
          {t("recovery.continue")}
        </a>
      </p>
    </section>
  );
}

function pendingPrincipal(c: Context<AppEnv>) {
  const principal = c.var.principal;
  if (!principal) throw new Redirect("/login");
  if (!principal.secondFactorPending) throw new Redirect("/");
  return principal;
}

authPages.get("/login/second-factor", async (c) => {
  pendingPrincipal(c);
  const next = safeNext(c.req.query("next"));
  const page = pageContext(c);
  const body = await SecondFactorPage(c, page, next);
  return renderPage(c, c.var.t("secondFactor.title"), () => body);
});

authPages.post("/login/second-factor", async (c) => {
  const principal = pendingPrincipal(c);
  const form = await readForm(c);
  const next = safeNext(c.req.query("next"));
  const code = field(form, "code");
  const services = c.var.services;
  try {
    if (!principal.user.totpEnabled) {
      const codes = await confirmEnrolment(services, c.var.origin, principal, code);
      const session = await promoteAfterEnrolment(services, c.var.origin, principal);
      startSession(c, session.token);
      return renderPage(c, c.var.t("recovery.title"), (page) => <RecoveryCodes page={page} codes={codes} next={next} />);
    }
    const session = await completeSecondFactor(services, c.var.origin, principal, code);
    startSession(c, session.token);
  } catch (error) {
    const problem = formProblem(c, error);
    if (error instanceof TooManyRequests) c.header("Retry-After", String(error.retryAfterSeconds));
    const page = pageContext(c);
    const body = await SecondFactorPage(c, page, next, problem);
    return renderPage(c, c.var.t("secondFactor.title"), () => body, problem.status);
  }
  throw new Redirect(next);
});

// ——— sign out ———

authPages.post("/logout", async (c) => {
  const principal = c.var.principal;
  if (principal) await signOut(c.var.services, c.var.origin, principal);
  clearCookie(c, SESSION_COOKIE);
  c.set("principal", null);
  refreshCsrfToken(c);
  throw new Redirect("/login?done=signed-out");
});

// ——— language ———

authPages.get("/language/:locale", async (c) => {
  const locale = c.req.param("locale");
  if (!isLocale(locale)) return c.notFound();
  writeCookie(c, LOCALE_COOKIE, locale, 365 * 86_400);
  throw new Redirect(safeNext(c.req.query("back")));
});

// ——— invitation ———

function InvitationForm(page: PageContext, token: string, invitation: { email: string; org_name: string; role: string }, name: string, problem?: FormProblem) {
  const { t } = page;
  const e = problem?.errors ?? {};
  return (
    <section class="narrow">
      <h1>{t("invitation.title", { organisation: invitation.org_name })}</h1>
      <p>{t("invitation.intro", { email: invitation.email, role: t(`roles.${invitation.role}`) })}</p>
      <ErrorSummary page={page} message={problem?.message} errors={e} />
      <form method="post" action={`/invite/${token}`}>
        <Csrf page={page} />
        <Field name="name" label={t("fields.name")} value={name} error={e.name} required maxlength={200} autocomplete="name" />
        <Field name="password" type="password" label={t("fields.password")} hint={t("fields.passwordHint")} error={e.password} required autocomplete="new-password" dir="ltr" />
        <button type="submit">{t("invitation.submit")}</button>
      </form>
    </section>
  );
}

function InvitationGone(page: PageContext) {
  return (
    <section class="narrow">
      <h1>{page.t("invitation.goneTitle")}</h1>
      <p>{page.t("invitation.gone")}</p>
    </section>
  );
}

authPages.get("/invite/:token", async (c) => {
  const token = c.req.param("token");
  const invitation = await findOpenInvitation(c.var.services, token);
  if (!invitation) return renderPage(c, c.var.t("invitation.goneTitle"), InvitationGone, 404);
  return renderPage(c, c.var.t("invitation.title", { organisation: invitation.org_name }), (page) => InvitationForm(page, token, invitation, ""));
});

authPages.post("/invite/:token", async (c) => {
  const token = c.req.param("token");
  const form = await readForm(c);
  const invitation = await findOpenInvitation(c.var.services, token);
  if (!invitation) return renderPage(c, c.var.t("invitation.goneTitle"), InvitationGone, 404);
  const name = field(form, "name");
  try {
    await acceptInvitation(c.var.services, c.var.origin, token, { name, password: field(form, "password") });
  } catch (error) {
    const problem = formProblem(c, error);
    return renderPage(c, c.var.t("invitation.title", { organisation: invitation.org_name }), (page) => InvitationForm(page, token, invitation, name, problem), problem.status);
  }
  throw new Redirect("/login?done=invited");
});

