import { Hono, type Context } from "hono";
import { changeRole, configureOrganisation, inviteMember, listInvitations, listMembers, revokeInvitation, setActive } from "../../accounts/index.ts";
import { can, ROLES } from "../../core/index.ts";
import { AuditFilterSchema, listAuditEvents, type AuditPage } from "../../audit/index.ts";
import { ledgerOverview, type LedgerOverview } from "../../custody/index.ts";
import type { AppEnv } from "../env.ts";
import { formatTime, UUID_PARAM } from "../format.ts";
import { field, readForm } from "../middleware/body.ts";
import { formProblem, Redirect, renderPage, signedIn, type FormProblem } from "../render.tsx";
import { Csrf, ErrorSummary, Field, Notice, type PageContext } from "../pages/layout.tsx";
import { parseInput } from "../../accounts/index.ts";

export const adminPages = new Hono<AppEnv>();

interface UsersView {
  members: Awaited<ReturnType<typeof listMembers>>;
  invitations: Awaited<ReturnType<typeof listInvitations>>;
  inviteLink?: string;
  notice?: string | null;
  problem?: FormProblem;
  inviteValues?: { email: string; role: string };
}

function UsersPage(page: PageContext, view: UsersView) {
  const { t, principal, locale } = page;
  const e = view.problem?.errors ?? {};
  return (
    <>
      <h1>{t("users.title")}</h1>
      <Notice text={view.notice} />
      <ErrorSummary page={page} message={view.problem?.message} errors={e} />
      {view.inviteLink ? (
        <div class="notice" role="status">
          <p>{t("users.inviteCreated")}</p>
          <p>
            <label for="invite-link">{t("users.inviteLink")}</label>
            <input id="invite-link" class="copy" readonly value={view.inviteLink} dir="ltr" />
          </p>
        </div>
      ) : null}
      <table>
        <caption>{t("users.members")}</caption>
        <thead>
          <tr>
            <th scope="col">{t("fields.name")}</th>
            <th scope="col">{t("fields.email")}</th>
            <th scope="col">{t("users.role")}</th>
            <th scope="col">{t("users.secondFactor")}</th>
            <th scope="col">{t("users.status")}</th>
            <th scope="col">{t("users.actions")}</th>
          </tr>
        </thead>
        <tbody>
          {view.members.map((m) => {
            const self = m.id === principal!.user.id;
            return (
              <tr>
                <td dir="auto">{m.name}</td>
                <td dir="ltr">{m.email}</td>
                <td>
                  {self ? (
                    t(`roles.${m.role}`)
                  ) : (
                    <form method="post" action={`/admin/users/${m.id}/role`} class="inline">
                      <Csrf page={page} />
                      <label class="visually-hidden" for={`role-${m.id}`}>
                        {t("users.roleOf", { name: m.name })}
                      </label>
                      <select id={`role-${m.id}`} name="role">
                        {ROLES.map((r) => (
                          <option value={r} selected={r === m.role}>
                            {t(`roles.${r}`)}
                          </option>
                        ))}
                      </select>
                      <button type="submit" class="small">
                        {t("users.changeRole")}
                      </button>
                    </form>
                  )}
                </td>
                <td>{m.totpEnabled ? t("common.yes") : t("common.no")}</td>
                <td>{m.deactivatedAt ? t("users.deactivated") : t("users.active")}</td>
                <td>
                  {self ? null : (
                    <form method="post" action={`/admin/users/${m.id}/${m.deactivatedAt ? "reactivate" : "deactivate"}`} class="inline">
                      <Csrf page={page} />
                      <button type="submit" class={m.deactivatedAt ? "small" : "small danger"}>
                        {m.deactivatedAt ? t("users.reactivate") : t("users.deactivate")}
                        <span class="visually-hidden"> {m.name}</span>
                      </button>
                    </form>
                  )}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>

      <h2>{t("users.inviteTitle")}</h2>
      <form method="post" action="/admin/users/invite">
        <Csrf page={page} />
        <Field name="email" type="email" label={t("fields.email")} value={view.inviteValues?.email} error={e.email} required maxlength={254} dir="ltr" />
        <div class="field">
          <label for="f-role">{t("users.role")}</label>
          <select id="f-role" name="role">
            {ROLES.map((r) => (
              <option value={r} selected={r === (view.inviteValues?.role ?? "viewer")}>
                {t(`roles.${r}`)} — {t(`roles.${r}Hint`)}
              </option>
            ))}
          </select>
        </div>
        <button type="submit">{t("users.invite")}</button>
      </form>

      {view.invitations.length ? (
        <table>
          <caption>{t("users.openInvitations")}</caption>
          <thead>
            <tr>
              <th scope="col">{t("fields.email")}</th>
              <th scope="col">{t("users.role")}</th>
              <th scope="col">{t("users.expires")}</th>
              <th scope="col">{t("users.actions")}</th>
            </tr>
          </thead>
          <tbody>
            {view.invitations.map((i) => (
              <tr>
                <td dir="ltr">{i.email}</td>
                <td>{t(`roles.${i.role}`)}</td>
                <td>{formatTime(locale, i.expires_at)}</td>
                <td>
                  <form method="post" action={`/admin/invitations/${i.id}/revoke`} class="inline">
                    <Csrf page={page} />
                    <button type="submit" class="small danger">
                      {t("users.revokeInvitation")}
                      <span class="visually-hidden"> {i.email}</span>
                    </button>
                  </form>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}

      <h2>{t("organisation.title")}</h2>
      <form method="post" action="/admin/organisation">
        <Csrf page={page} />
        <div class="field checkbox">
          <input type="checkbox" id="f-requireTotp" name="requireTotp" value="on" checked={principal!.org.requireTotp} />
          <label for="f-requireTotp">{t("organisation.requireTotp")}</label>
        </div>
        <button type="submit">{t("common.save")}</button>
      </form>
    </>
  );
}

async function usersView(c: Context<AppEnv>, extra: Partial<UsersView> = {}) {
  const principal = signedIn(c);
  const services = c.var.services;
  const members = await listMembers(services, c.var.origin, principal);
  const invitations = await listInvitations(services, c.var.origin, principal);
  return { members, invitations, ...extra };
}

const DONE = new Set(["role-changed", "deactivated", "reactivated", "invitation-revoked", "organisation-saved"]);

adminPages.get("/admin/users", async (c) => {
  const done = c.req.query("done");
  const view = await usersView(c, { notice: done && DONE.has(done) ? c.var.t(`users.done.${done}`) : null });
  return renderPage(c, c.var.t("users.title"), (page) => UsersPage(page, view));
});

adminPages.post("/admin/users/invite", async (c) => {
  const principal = signedIn(c);
  const form = await readForm(c);
  const values = { email: field(form, "email"), role: field(form, "role") };
  try {
    const invitation = await inviteMember(c.var.services, c.var.origin, principal, values);
    const base = c.var.services.config.publicUrl ?? new URL(c.req.url).origin;
    const view = await usersView(c, { inviteLink: new URL(`/invite/${invitation.token}`, base).toString() });
    return renderPage(c, c.var.t("users.title"), (page) => UsersPage(page, view), 201);
  } catch (error) {
    const problem = formProblem(c, error);
    const view = await usersView(c, { problem, inviteValues: values });
    return renderPage(c, c.var.t("users.title"), (page) => UsersPage(page, view), problem.status);
  }
});

async function userAction(c: Context<AppEnv>, run: () => Promise<void>, done: string) {
  try {
    await run();
  } catch (error) {
    const problem = formProblem(c, error);
    const view = await usersView(c, { problem });
    return renderPage(c, c.var.t("users.title"), (page) => UsersPage(page, view), problem.status);
  }
  throw new Redirect(`/admin/users?done=${done}`);
}

adminPages.post(`/admin/users/:id{${UUID_PARAM}}/role`, async (c) => {
  const principal = signedIn(c);
  const form = await readForm(c);
  return userAction(c, () => changeRole(c.var.services, c.var.origin, principal, c.req.param("id"), { role: field(form, "role") }), "role-changed");
});

adminPages.post(`/admin/users/:id{${UUID_PARAM}}/deactivate`, async (c) => {
  const principal = signedIn(c);
  await readForm(c);
  return userAction(c, () => setActive(c.var.services, c.var.origin, principal, c.req.param("id"), false), "deactivated");
});

adminPages.post(`/admin/users/:id{${UUID_PARAM}}/reactivate`, async (c) => {
  const principal = signedIn(c);
  await readForm(c);
  return userAction(c, () => setActive(c.var.services, c.var.origin, principal, c.req.param("id"), true), "reactivated");
});

adminPages.post(`/admin/invitations/:id{${UUID_PARAM}}/revoke`, async (c) => {
  const principal = signedIn(c);
  await readForm(c);
  return userAction(c, () => revokeInvitation(c.var.services, c.var.origin, principal, c.req.param("id")), "invitation-revoked");
});

adminPages.post("/admin/organisation", async (c) => {
  const principal = signedIn(c);
  const form = await readForm(c);
  return userAction(c, () => configureOrganisation(c.var.services, c.var.origin, principal, { requireTotp: field(form, "requireTotp") === "on" }), "organisation-saved");
});

// ——— audit trail ———

/** The organisation's custody ledger: its size, latest checkpoint and verifier key, and whether its hashes are public. */
function LedgerSection({ page, ledger, saved }: { page: PageContext; ledger: LedgerOverview; saved: boolean }) {
  const { t, locale } = page;
  return (
    <section id="ledger" aria-labelledby="ledger-title">
      <h2 id="ledger-title">{t("audit.ledger.title")}</h2>
      <Notice text={saved ? t("audit.ledger.saved") : null} />
      <dl>
        <dt>{t("audit.ledger.size")}</dt>
        <dd>{ledger.size.toLocaleString(locale)}</dd>
        <dt>{t("audit.ledger.checkpoint")}</dt>
        <dd>{ledger.checkpoint ? <pre dir="ltr">{ledger.checkpoint}</pre> : t("audit.ledger.noCheckpoint")}</dd>
        <dt>{t("audit.ledger.verifierKey")}</dt>
        <dd>
          <code dir="ltr">{ledger.verifierKey}</code>
          <p class="hint">{t("audit.ledger.verifierHint")}</p>
        </dd>
      </dl>
      <form method="post" action="/api/v1/ledger/settings">
        <Csrf page={page} />
        <div class="field checkbox">
          <input type="checkbox" id="f-ledger-public" name="public" value="on" checked={ledger.isPublic} aria-describedby="f-ledger-public-hint" />
          <label for="f-ledger-public">{t("audit.ledger.public")}</label>
          <p class="hint" id="f-ledger-public-hint">{t("audit.ledger.publicHint")}</p>
        </div>
        <button type="submit">{t("audit.ledger.save")}</button>
      </form>
    </section>
  );
}

function AuditPageView(page: PageContext, result: AuditPage, filter: Record<string, string>, ledger?: { overview: LedgerOverview; saved: boolean }) {
  const { t, locale } = page;
  const nextQuery = new URLSearchParams({ ...filter, before: String(result.nextBefore ?? "") });
  return (
    <>
      <h1>{t("audit.title")}</h1>
      <form method="get" action="/admin/audit" class="filters">
        <Field name="action" label={t("audit.action")} value={filter.action} maxlength={100} dir="ltr" hint={t("audit.actionHint")} />
        <div class="field">
          <label for="f-outcome">{t("audit.outcome")}</label>
          <select id="f-outcome" name="outcome">
            <option value="">{t("audit.any")}</option>
            {(["ok", "denied", "failed"] as const).map((o) => (
              <option value={o} selected={filter.outcome === o}>
                {t(`audit.outcomes.${o}`)}
              </option>
            ))}
          </select>
        </div>
        <Field name="from" type="date" label={t("audit.from")} value={filter.from} dir="ltr" />
        <Field name="to" type="date" label={t("audit.to")} value={filter.to} dir="ltr" />
        <button type="submit">{t("audit.filter")}</button>
      </form>
      <table class="audit">
        <caption>{t("audit.caption")}</caption>
        <thead>
          <tr>
            <th scope="col">{t("audit.time")}</th>
            <th scope="col">{t("audit.actor")}</th>
            <th scope="col">{t("audit.action")}</th>
            <th scope="col">{t("audit.outcome")}</th>
            <th scope="col">{t("audit.target")}</th>
            <th scope="col">{t("audit.address")}</th>
            <th scope="col">{t("audit.request")}</th>
          </tr>
        </thead>
        <tbody>
          {result.events.map((e) => (
            <tr>
              <td>{formatTime(locale, e.at)}</td>
              <td dir="auto">{e.actor_name ?? e.actor_label ?? "—"}</td>
              <td dir="ltr">
                <code>{e.action}</code>
              </td>
              <td class={`outcome-${e.outcome}`}>{t(`audit.outcomes.${e.outcome}`)}</td>
              <td dir="ltr">{e.target_type ? `${e.target_type} ${e.target_id ?? ""}` : "—"}</td>
              <td dir="ltr">{e.ip ?? "—"}</td>
              <td dir="ltr">
                <code>{e.request_id?.slice(0, 8) ?? "—"}</code>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {result.events.length === 0 ? <p>{t("audit.none")}</p> : null}
      {result.nextBefore ? (
        <p>
          <a href={`/admin/audit?${nextQuery.toString()}`}>{t("audit.older")}</a>
        </p>
      ) : null}
      {ledger ? <LedgerSection page={page} ledger={ledger.overview} saved={ledger.saved} /> : null}
    </>
  );
}

adminPages.get("/admin/audit", async (c) => {
  const principal = signedIn(c);
  const { ledger: saved, ...query } = c.req.query();
  const raw = Object.fromEntries(Object.entries(query).filter(([, v]) => v !== ""));
  const filter = parseInput(AuditFilterSchema, raw);
  const result = await listAuditEvents(c.var.services, c.var.origin, principal.actor, filter);
  const shown: Record<string, string> = {};
  for (const key of ["action", "outcome", "from", "to"] as const) if (filter[key]) shown[key] = String(filter[key]);
  // Shown to those who may change the setting; asking otherwise would record a refusal on every visit.
  const actor = principal.actor;
  const ledger = can(actor, "ledger.configure", { kind: "ledger", orgId: actor.orgId })
    ? { overview: await ledgerOverview(c.var.services, c.var.origin, actor), saved: saved === "saved" }
    : undefined;
  return renderPage(c, c.var.t("audit.title"), (page) => AuditPageView(page, result, shown, ledger));
});
