import { Hono, type Context } from "hono";
import {
  changePassword, confirmEnrolment, countUnusedRecoveryCodes, createApiToken, disableSecondFactor, listApiTokens,
  listSessions, regenerateRecoveryCodes, revokeApiToken, scopesAllowed, setPreferences, signOutEverywhere, startEnrolment,
  type CreatedToken,
} from "../../accounts/index.ts";
import type { AppEnv } from "../env.ts";
import { formatTime, UUID_PARAM } from "../format.ts";
import { LOCALES } from "../i18n.ts";
import { field, fields, readForm } from "../middleware/body.ts";
import { clearCookie, SESSION_COOKIE } from "../cookies.ts";
import { formProblem, Redirect, renderPage, signedIn, type FormProblem } from "../render.tsx";
import { Csrf, ErrorSummary, Field, Notice, type PageContext } from "../pages/layout.tsx";
import { EnrolmentSteps, RecoveryCodes } from "./auth-pages.tsx";

export const accountPages = new Hono<AppEnv>();

interface AccountView {
  sessions: Awaited<ReturnType<typeof listSessions>>;
  tokens: Awaited<ReturnType<typeof listApiTokens>>;
  recoveryLeft: number;
  notice?: string | null;
  problem?: FormProblem;
  section?: "password" | "token" | "preferences" | "second-factor";
  newToken?: CreatedToken;
}

function AccountPage(page: PageContext, view: AccountView) {
  const { t, principal, locale } = page;
  const p = principal!;
  const e = view.problem?.errors ?? {};
  const problemFor = (section: AccountView["section"]) => (view.section === section ? view.problem : undefined);
  return (
    <>
      <h1>{t("account.title")}</h1>
      <Notice text={view.notice} />
      <dl class="facts">
        <dt>{t("fields.name")}</dt>
        <dd dir="auto">{p.user.name}</dd>
        <dt>{t("fields.email")}</dt>
        <dd dir="ltr">{p.user.email}</dd>
        <dt>{t("users.role")}</dt>
        <dd>{t(`roles.${p.actor.role}`)}</dd>
      </dl>

      <section aria-labelledby="h-password">
        <h2 id="h-password">{t("account.password")}</h2>
        <ErrorSummary page={page} message={problemFor("password")?.message} errors={view.section === "password" ? e : {}} />
        <form method="post" action="/account/password">
          <Csrf page={page} />
          <Field name="current" type="password" label={t("account.currentPassword")} error={view.section === "password" ? e.current : undefined} required autocomplete="current-password" dir="ltr" />
          <Field name="password" type="password" label={t("account.newPassword")} hint={t("fields.passwordHint")} error={view.section === "password" ? e.password : undefined} required autocomplete="new-password" dir="ltr" />
          <button type="submit">{t("account.changePassword")}</button>
        </form>
      </section>

      <section aria-labelledby="h-language">
        <h2 id="h-language">{t("account.language")}</h2>
        <form method="post" action="/account/preferences">
          <Csrf page={page} />
          <div class="field">
            <label for="f-locale" class="visually-hidden">
              {t("account.language")}
            </label>
            <select id="f-locale" name="locale">
              <option value="">{t("account.browserLanguage")}</option>
              {LOCALES.map((l) => (
                <option value={l} selected={p.user.locale === l}>
                  {t(`languages.${l}`)}
                </option>
              ))}
            </select>
          </div>
          <button type="submit">{t("common.save")}</button>
        </form>
      </section>

      <section aria-labelledby="h-2fa">
        <h2 id="h-2fa">{t("account.secondFactor")}</h2>
        <ErrorSummary page={page} message={problemFor("second-factor")?.message} />
        {p.user.totpEnabled ? (
          <>
            <p>{t("account.secondFactorOn", { count: view.recoveryLeft })}</p>
            <form method="post" action="/account/recovery-codes" class="inline">
              <Csrf page={page} />
              <button type="submit">{t("account.newRecoveryCodes")}</button>
            </form>
            {p.org.requireTotp ? (
              <p>{t("account.secondFactorRequired")}</p>
            ) : (
              <form method="post" action="/account/second-factor/disable">
                <Csrf page={page} />
                <Field name="password" type="password" label={t("account.currentPassword")} required autocomplete="current-password" dir="ltr" />
                <button type="submit" class="danger">
                  {t("account.disableSecondFactor")}
                </button>
              </form>
            )}
          </>
        ) : (
          <>
            <p>{t("account.secondFactorOff")}</p>
            <p>
              <a class="button" href="/account/second-factor">
                {t("account.enableSecondFactor")}
              </a>
            </p>
          </>
        )}
      </section>

      <section aria-labelledby="h-sessions">
        <h2 id="h-sessions">{t("account.sessions")}</h2>
        <table>
          <caption>{t("account.sessionsCaption")}</caption>
          <thead>
            <tr>
              <th scope="col">{t("account.started")}</th>
              <th scope="col">{t("account.lastSeen")}</th>
              <th scope="col">{t("audit.address")}</th>
              <th scope="col">{t("account.device")}</th>
            </tr>
          </thead>
          <tbody>
            {view.sessions.map((s) => (
              <tr>
                <td>
                  {formatTime(locale, s.created_at)}
                  {s.id === p.sessionId ? ` (${t("account.thisSession")})` : ""}
                </td>
                <td>{formatTime(locale, s.last_seen_at)}</td>
                <td dir="ltr">{s.ip ?? "—"}</td>
                <td dir="ltr">{s.user_agent?.slice(0, 80) ?? "—"}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <form method="post" action="/account/sessions/revoke-all">
          <Csrf page={page} />
          <button type="submit" class="danger">
            {t("account.signOutEverywhere")}
          </button>
        </form>
      </section>

      <section aria-labelledby="h-tokens">
        <h2 id="h-tokens">{t("account.tokens")}</h2>
        <p>{t("account.tokensIntro")}</p>
        {view.newToken ? (
          <div class="notice" role="status">
            <p>{t("account.tokenCreated")}</p>
            <label for="new-token">{t("account.tokenValue")}</label>
            <input id="new-token" class="copy" readonly value={view.newToken.token} dir="ltr" />
          </div>
        ) : null}
        <ErrorSummary page={page} message={problemFor("token")?.message} errors={view.section === "token" ? e : {}} />
        {view.tokens.length ? (
          <table>
            <caption>{t("account.tokensCaption")}</caption>
            <thead>
              <tr>
                <th scope="col">{t("account.tokenName")}</th>
                <th scope="col">{t("account.scopes")}</th>
                <th scope="col">{t("users.expires")}</th>
                <th scope="col">{t("account.lastUsed")}</th>
                <th scope="col">{t("users.actions")}</th>
              </tr>
            </thead>
            <tbody>
              {view.tokens.map((tk) => (
                <tr>
                  <td dir="auto">{tk.name}</td>
                  <td>{tk.scopes.map((s) => t(`scopes.${s}`)).join(", ")}</td>
                  <td>{formatTime(locale, tk.expires_at)}</td>
                  <td>{formatTime(locale, tk.last_used_at)}</td>
                  <td>
                    <form method="post" action={`/account/tokens/${tk.id}/revoke`} class="inline">
                      <Csrf page={page} />
                      <button type="submit" class="small danger">
                        {t("account.revoke")}
                        <span class="visually-hidden"> {tk.name}</span>
                      </button>
                    </form>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : null}
        <form method="post" action="/account/tokens">
          <Csrf page={page} />
          <Field name="name" label={t("account.tokenName")} error={view.section === "token" ? e.name : undefined} required maxlength={100} />
          <fieldset>
            <legend>{t("account.scopes")}</legend>
            {scopesAllowed(p.actor.role).map((s) => (
              <div class="field checkbox">
                <input type="checkbox" id={`scope-${s}`} name="scopes" value={s} checked={s === "read"} />
                <label for={`scope-${s}`}>{t(`scopes.${s}`)}</label>
              </div>
            ))}
          </fieldset>
          <Field name="expiresInDays" type="number" label={t("account.expiresInDays")} value="90" error={view.section === "token" ? e.expiresInDays : undefined} dir="ltr" />
          <button type="submit">{t("account.createToken")}</button>
        </form>
      </section>
    </>
  );
}

async function accountView(c: Context<AppEnv>, extra: Partial<AccountView> = {}): Promise<AccountView> {
  const principal = signedIn(c);
  const services = c.var.services;
  return {
    sessions: await listSessions(services, principal),
    tokens: await listApiTokens(services, principal),
    recoveryLeft: principal.user.totpEnabled ? await countUnusedRecoveryCodes(services, principal.user.id) : 0,
    ...extra,
  };
}

const DONE = new Set(["password-changed", "preferences-saved", "token-revoked", "second-factor-disabled", "second-factor-enabled"]);

accountPages.get("/account", async (c) => {
  const done = c.req.query("done");
  const view = await accountView(c, { notice: done && DONE.has(done) ? c.var.t(`account.done.${done}`) : null });
  return renderPage(c, c.var.t("account.title"), (page) => AccountPage(page, view));
});

async function accountAction(c: Context<AppEnv>, section: AccountView["section"], run: () => Promise<void>, done: string) {
  try {
    await run();
  } catch (error) {
    const problem = formProblem(c, error);
    const view = await accountView(c, { problem, section });
    return renderPage(c, c.var.t("account.title"), (page) => AccountPage(page, view), problem.status);
  }
  throw new Redirect(`/account?done=${done}`);
}

accountPages.post("/account/password", async (c) => {
  const principal = signedIn(c);
  const form = await readForm(c);
  return accountAction(c, "password", () => changePassword(c.var.services, c.var.origin, principal, { current: field(form, "current"), password: field(form, "password") }), "password-changed");
});

accountPages.post("/account/preferences", async (c) => {
  const principal = signedIn(c);
  const form = await readForm(c);
  return accountAction(c, "preferences", () => setPreferences(c.var.services, c.var.origin, principal, { locale: field(form, "locale") }), "preferences-saved");
});

accountPages.post("/account/tokens", async (c) => {
  const principal = signedIn(c);
  const form = await readForm(c);
  const days = field(form, "expiresInDays").trim();
  try {
    const token = await createApiToken(c.var.services, c.var.origin, principal, {
      name: field(form, "name"),
      scopes: fields(form, "scopes"),
      expiresInDays: days === "" ? null : days,
    });
    const view = await accountView(c, { newToken: token });
    return renderPage(c, c.var.t("account.title"), (page) => AccountPage(page, view), 201);
  } catch (error) {
    const problem = formProblem(c, error);
    const view = await accountView(c, { problem, section: "token" });
    return renderPage(c, c.var.t("account.title"), (page) => AccountPage(page, view), problem.status);
  }
});

accountPages.post(`/account/tokens/:id{${UUID_PARAM}}/revoke`, async (c) => {
  const principal = signedIn(c);
  await readForm(c);
  return accountAction(c, "token", () => revokeApiToken(c.var.services, c.var.origin, principal, c.req.param("id")), "token-revoked");
});

accountPages.post("/account/sessions/revoke-all", async (c) => {
  const principal = signedIn(c);
  await readForm(c);
  await signOutEverywhere(c.var.services, c.var.origin, principal);
  clearCookie(c, SESSION_COOKIE);
  throw new Redirect("/login?done=signed-out");
});

accountPages.get("/account/second-factor", async (c) => {
  const principal = signedIn(c);
  if (principal.user.totpEnabled) throw new Redirect("/account");
  const enrolment = await startEnrolment(c.var.services, principal);
  return renderPage(c, c.var.t("secondFactor.enrolTitle"), (page) => (
    <section class="narrow">
      <h1>{page.t("secondFactor.enrolTitle")}</h1>
      <EnrolmentSteps page={page} qrSvg={enrolment.qrSvg} secret={enrolment.secret} action="/account/second-factor" />
    </section>
  ));
});

accountPages.post("/account/second-factor", async (c) => {
  const principal = signedIn(c);
  const form = await readForm(c);
  try {
    const codes = await confirmEnrolment(c.var.services, c.var.origin, principal, field(form, "code"));
    return renderPage(c, c.var.t("recovery.title"), (page) => <RecoveryCodes page={page} codes={codes} next="/account?done=second-factor-enabled" />);
  } catch (error) {
    const problem = formProblem(c, error);
    const enrolment = await startEnrolment(c.var.services, principal);
    return renderPage(
      c,
      c.var.t("secondFactor.enrolTitle"),
      (page) => (
        <section class="narrow">
          <h1>{page.t("secondFactor.enrolTitle")}</h1>
          <ErrorSummary page={page} message={problem.message} />
          <EnrolmentSteps page={page} qrSvg={enrolment.qrSvg} secret={enrolment.secret} action="/account/second-factor" />
        </section>
      ),
      problem.status,
    );
  }
});

accountPages.post("/account/second-factor/disable", async (c) => {
  const principal = signedIn(c);
  const form = await readForm(c);
  return accountAction(c, "second-factor", () => disableSecondFactor(c.var.services, c.var.origin, principal, field(form, "password")), "second-factor-disabled");
});

accountPages.post("/account/recovery-codes", async (c) => {
  const principal = signedIn(c);
  await readForm(c);
  const codes = await regenerateRecoveryCodes(c.var.services, c.var.origin, principal);
  return renderPage(c, c.var.t("recovery.title"), (page) => <RecoveryCodes page={page} codes={codes} next="/account" />);
});
