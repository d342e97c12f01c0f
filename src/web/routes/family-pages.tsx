import { Hono, type Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { can, Forbidden, Invalid, Sealed, VigilError, type Actor } from "../../core/index.ts";
import {
  acceptFamilyReport, approveFamilyUpdate, createFamilyCase, declineFamilyReport, getFamilyCase, issueFamilyCode, listFamilyCases, listFamilyReports,
  listFamilyUpdates, revokeFamilyAccess, withdrawFamilyUpdate, writeFamilyUpdate, type FamilyCaseView, type FamilyReportView, type FamilyUpdateView,
  type IssuedFamilyCode,
} from "../../monitor/index.ts";
import type { AppEnv } from "../env.ts";
import { field, readForm } from "../middleware/body.ts";
import { Redirect, renderPage, signedIn } from "../render.tsx";
import { Csrf, ErrorSummary, Field, Notice, type PageContext } from "../pages/layout.tsx";
import { familyMessage } from "./family-parts.tsx";

/**
 * The organisation's family pages under /monitor/families: cases and their one-time codes, the
 * triage queue of reports (readable only while the vault is unsealed), and updates awaiting
 * approval. Plain forms; src/monitor decides who may do what.
 */
export const familyPages = new Hono<AppEnv>();

const ID = ":id{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}}";
const BASE = "/monitor/families";

function mayManage(actor: Actor): boolean {
  return can(actor, "family.manage", { kind: "family", orgId: actor.orgId });
}

function day(iso: string | null): string {
  return iso ? iso.slice(0, 10) : "—";
}

interface Problem {
  status: ContentfulStatusCode;
  message: string;
  errors: Record<string, string>;
}

function problemOf(c: Context<AppEnv>, error: unknown): Problem {
  if (!(error instanceof VigilError) || error instanceof Forbidden) throw error;
  const errors = error instanceof Invalid ? Object.fromEntries(Object.entries(error.fields).map(([k, v]) => [k, familyMessage(c, v)])) : {};
  return { status: error.status as ContentfulStatusCode, message: familyMessage(c, error.message), errors };
}

const IssuedCode = ({ page, issued }: { page: PageContext; issued: IssuedFamilyCode }) => (
  <section class="notice" aria-labelledby="family-code-title">
    <h2 id="family-code-title">{page.t("family.staff.codeTitle", { reference: issued.reference })}</h2>
    <p class="secret-link" dir="ltr">
      <code>{issued.code}</code>
    </p>
    <p>{page.t("family.staff.codeOnce", { date: day(issued.expiresAt) })}</p>
    <p class="hint">{page.t("family.staff.codeHowTo")}</p>
  </section>
);

function CasesPage(page: PageContext, cases: FamilyCaseView[], extra: { issued?: IssuedFamilyCode; problem?: Problem; values?: Record<string, string> } = {}) {
  const { t } = page;
  const actor = page.principal!.actor;
  const values = extra.values ?? {};
  return (
    <>
      <h1>{t("family.staff.title")}</h1>
      <p>{t("family.staff.intro")}</p>
      {mayManage(actor) ? (
        <p>
          <a href={`${BASE}/reports`}>{t("family.staff.queueLink")}</a>
        </p>
      ) : null}
      {extra.issued ? <IssuedCode page={page} issued={extra.issued} /> : null}
      {mayManage(actor) ? (
        <section aria-labelledby="family-new-title">
          <h2 id="family-new-title">{t("family.staff.newTitle")}</h2>
          <ErrorSummary page={page} message={extra.problem?.message} errors={extra.problem?.errors} />
          <form method="post" action={BASE}>
            <Csrf page={page} />
            <Field name="personId" label={t("family.staff.personId")} hint={t("family.staff.recordIdHint")} value={values.personId} error={extra.problem?.errors.personId} maxlength={36} dir="ltr" />
            <Field name="detentionId" label={t("family.staff.detentionId")} hint={t("family.staff.recordIdHint")} value={values.detentionId} error={extra.problem?.errors.detentionId} maxlength={36} dir="ltr" />
            <button type="submit">{t("family.staff.create")}</button>
          </form>
        </section>
      ) : null}
      <h2>{t("family.staff.casesTitle")}</h2>
      {cases.length === 0 ? (
        <p>{t("family.staff.noCases")}</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">{t("family.staff.reference")}</th>
              <th scope="col">{t("family.staff.created")}</th>
              <th scope="col">{t("family.staff.access")}</th>
              <th scope="col">{t("family.staff.newReports")}</th>
              <th scope="col">{t("family.staff.pendingUpdates")}</th>
            </tr>
          </thead>
          <tbody>
            {cases.map((k) => (
              <tr>
                <td>
                  <a href={`${BASE}/${k.id}`} dir="ltr">
                    {k.reference}
                  </a>
                </td>
                <td>{day(k.createdAt)}</td>
                <td>{t(`family.staff.accessState.${accessState(k)}`)}</td>
                <td>{k.reports.new}</td>
                <td>{k.updates.pending}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}

function accessState(k: FamilyCaseView): string {
  if (k.revokedAt) return "revoked";
  if (k.linkActive) return "link";
  if (k.openCodeExpiresAt) return "code";
  return "none";
}

familyPages.get(BASE, async (c) => {
  const { actor } = signedIn(c);
  const cases = await listFamilyCases(c.var.services, c.var.origin, actor);
  return renderPage(c, c.var.t("family.staff.title"), (page) => CasesPage(page, cases));
});

familyPages.post(BASE, async (c) => {
  const { actor } = signedIn(c);
  const form = await readForm(c);
  const values = { personId: field(form, "personId"), detentionId: field(form, "detentionId") };
  try {
    const issued = await createFamilyCase(c.var.services, c.var.origin, actor, values);
    const cases = await listFamilyCases(c.var.services, c.var.origin, actor);
    return renderPage(c, c.var.t("family.staff.title"), (page) => CasesPage(page, cases, { issued }), 201);
  } catch (error) {
    const problem = problemOf(c, error);
    const cases = await listFamilyCases(c.var.services, c.var.origin, actor);
    return renderPage(c, c.var.t("family.staff.title"), (page) => CasesPage(page, cases, { problem, values }), problem.status);
  }
});

function CasePage(page: PageContext, k: FamilyCaseView, updates: FamilyUpdateView[] | null, extra: { issued?: IssuedFamilyCode; notice?: string | null; problem?: Problem; body?: string } = {}) {
  const { t } = page;
  const actor = page.principal!.actor;
  const manage = mayManage(actor);
  return (
    <>
      <p>
        <a href={BASE}>{t("family.staff.title")}</a>
      </p>
      <h1 dir="ltr">{k.reference}</h1>
      <Notice text={extra.notice} />
      {extra.issued ? <IssuedCode page={page} issued={extra.issued} /> : null}
      <dl>
        <dt>{t("family.staff.access")}</dt>
        <dd>{t(`family.staff.accessState.${accessState(k)}`)}</dd>
        <dt>{t("family.staff.linkLastUsed")}</dt>
        <dd>{day(k.linkLastUsedAt)}</dd>
        <dt>{t("family.staff.codeExpires")}</dt>
        <dd>{day(k.openCodeExpiresAt)}</dd>
        {k.personId ? (
          <>
            <dt>{t("family.staff.person")}</dt>
            <dd>
              <a href={`/records/${k.personId}`}>{t("family.staff.openRecord")}</a>
            </dd>
          </>
        ) : null}
        {k.detentionId ? (
          <>
            <dt>{t("family.staff.detention")}</dt>
            <dd>
              <a href={`/records/${k.detentionId}`}>{t("family.staff.openRecord")}</a>
            </dd>
          </>
        ) : null}
        <dt>{t("family.staff.reports")}</dt>
        <dd>{t("family.staff.reportCounts", k.reports)}</dd>
      </dl>
      {manage ? (
        <div class="actions">
          <form method="post" action={`${BASE}/${k.id}/codes`} class="inline">
            <Csrf page={page} />
            <button type="submit">{t("family.staff.issueCode")}</button>
          </form>
          {k.revokedAt ? null : (
            <form method="post" action={`${BASE}/${k.id}/revoke`} class="inline">
              <Csrf page={page} />
              <button type="submit" class="danger">
                {t("family.staff.revoke")}
              </button>
            </form>
          )}
        </div>
      ) : null}
      {manage ? (
        <section aria-labelledby="family-updates-title">
          <h2 id="family-updates-title">{t("family.staff.updatesTitle")}</h2>
          <p class="hint">{t("family.staff.updatesRule")}</p>
          {updates === null ? (
            <p>{t("family.staff.sealed")}</p>
          ) : updates.length === 0 ? (
            <p>{t("family.staff.noUpdates")}</p>
          ) : (
            <ol class="family-updates">
              {updates.map((u) => (
                <li>
                  <p class="hint">
                    {t(`family.staff.updateState.${u.state}`)} · {t("family.staff.writtenBy", { name: u.writtenBy, date: day(u.writtenAt) })}
                    {u.approvedBy ? ` · ${t("family.staff.approvedBy", { name: u.approvedBy, date: day(u.approvedAt) })}` : ""}
                  </p>
                  <p dir="auto" class="prewrap">
                    {u.body}
                  </p>
                  {u.state === "pending" ? (
                    <form method="post" action={`${BASE}/updates/${u.id}/approve`} class="inline">
                      <Csrf page={page} />
                      <button type="submit">{t("family.staff.approve")}</button>
                    </form>
                  ) : null}
                  {u.state !== "withdrawn" ? (
                    <form method="post" action={`${BASE}/updates/${u.id}/withdraw`} class="inline">
                      <Csrf page={page} />
                      <button type="submit" class="link">
                        {t("family.staff.withdraw")}
                      </button>
                    </form>
                  ) : null}
                </li>
              ))}
            </ol>
          )}
          {updates !== null ? (
            <form method="post" action={`${BASE}/${k.id}/updates`}>
              <Csrf page={page} />
              <ErrorSummary page={page} message={extra.problem?.message} errors={extra.problem?.errors} />
              <div class="field">
                <label for="f-body">{t("family.staff.updateBody")}</label>
                <p class="hint" id="f-body-hint">
                  {t("family.staff.updateHint")}
                </p>
                <textarea id="f-body" name="body" rows={5} dir="auto" maxlength={10000} aria-describedby="f-body-hint">
                  {extra.body ?? ""}
                </textarea>
              </div>
              <button type="submit">{t("family.staff.writeUpdate")}</button>
            </form>
          ) : null}
        </section>
      ) : null}
    </>
  );
}

async function updatesOrSealed(c: Context<AppEnv>, actor: Actor, caseId: string): Promise<FamilyUpdateView[] | null> {
  if (!mayManage(actor)) return [];
  try {
    return await listFamilyUpdates(c.var.services, c.var.origin, actor, caseId);
  } catch (error) {
    if (error instanceof Sealed) return null;
    throw error;
  }
}

async function showCase(c: Context<AppEnv>, caseId: string, extra: Parameters<typeof CasePage>[3] = {}, status: ContentfulStatusCode = 200) {
  const { actor } = signedIn(c);
  const k = await getFamilyCase(c.var.services, c.var.origin, actor, caseId);
  const updates = await updatesOrSealed(c, actor, caseId);
  return renderPage(c, k.reference, (page) => CasePage(page, k, updates, extra), status);
}

familyPages.get(`${BASE}/${ID}`, (c) => {
  const done = c.req.query("done");
  const notice = done && ["revoked", "written", "approved", "withdrawn"].includes(done) ? c.var.t(`family.staff.done.${done}`) : null;
  return showCase(c, c.req.param("id"), { notice });
});

familyPages.post(`${BASE}/${ID}/codes`, async (c) => {
  const { actor } = signedIn(c);
  const issued = await issueFamilyCode(c.var.services, c.var.origin, actor, c.req.param("id"));
  return showCase(c, issued.caseId, { issued }, 201);
});

familyPages.post(`${BASE}/${ID}/revoke`, async (c) => {
  const { actor } = signedIn(c);
  await revokeFamilyAccess(c.var.services, c.var.origin, actor, c.req.param("id"));
  throw new Redirect(`${BASE}/${c.req.param("id")}?done=revoked`);
});

familyPages.post(`${BASE}/${ID}/updates`, async (c) => {
  const { actor } = signedIn(c);
  const form = await readForm(c);
  const body = field(form, "body");
  try {
    await writeFamilyUpdate(c.var.services, c.var.origin, actor, c.req.param("id"), { body });
  } catch (error) {
    return showCase(c, c.req.param("id"), { problem: problemOf(c, error), body }, 422);
  }
  throw new Redirect(`${BASE}/${c.req.param("id")}?done=written`);
});

familyPages.post(`${BASE}/updates/${ID}/approve`, async (c) => {
  const { actor } = signedIn(c);
  const update = await approveFamilyUpdate(c.var.services, c.var.origin, actor, c.req.param("id"));
  throw new Redirect(`${BASE}/${update.caseId}?done=approved`);
});

familyPages.post(`${BASE}/updates/${ID}/withdraw`, async (c) => {
  const { actor } = signedIn(c);
  const update = await withdrawFamilyUpdate(c.var.services, c.var.origin, actor, c.req.param("id"));
  throw new Redirect(`${BASE}/${update.caseId}?done=withdrawn`);
});

// ——— the triage queue ———

function ReportCard({ page, r, problem }: { page: PageContext; r: FamilyReportView; problem?: Problem | undefined }) {
  const { t } = page;
  const rows: [string, string | undefined][] = [
    ["names", r.report.names],
    ["birthDate", r.report.birthDate],
    ["lastSeenDate", r.report.lastSeenDate],
    ["lastSeenPlace", r.report.lastSeenPlace],
    ["takenBy", r.report.takenBy],
    ["circumstances", r.report.circumstances],
    ["contact", r.report.contact],
  ];
  return (
    <article class="family-report" id={`report-${r.id}`} aria-labelledby={`report-${r.id}-title`}>
      <h2 id={`report-${r.id}-title`}>
        <span dir="ltr">{r.reference}</span> · <time datetime={r.receivedAt}>{day(r.receivedAt)}</time>
      </h2>
      <dl>
        {rows
          .filter(([, v]) => v)
          .map(([k, v]) => (
            <>
              <dt>{t(`family.public.${k}`)}</dt>
              <dd dir="auto" class="prewrap">
                {v}
              </dd>
            </>
          ))}
      </dl>
      {r.state === "new" ? (
        <>
          {problem ? <ErrorSummary page={page} message={problem.message} errors={problem.errors} /> : null}
          <form method="post" action={`${BASE}/reports/${r.id}/accept`}>
            <Csrf page={page} />
            <fieldset>
              <legend>{t("family.staff.acceptTitle")}</legend>
              <p class="hint">{t("family.staff.acceptHint")}</p>
              <Field name="personId" label={t("family.staff.personId")} hint={t("family.staff.recordIdHint")} error={problem?.errors.personId} maxlength={36} dir="ltr" />
              <Field name="detentionId" label={t("family.staff.detentionId")} hint={t("family.staff.recordIdHint")} error={problem?.errors.detentionId} maxlength={36} dir="ltr" />
              <Field name="startDate" label={t("family.staff.startDate")} hint={t("family.staff.startDateHint")} error={problem?.errors.startDate} maxlength={100} dir="ltr" />
              <div class="field">
                <label for={`f-restricted-${r.id}`}>{t("family.staff.restricted")}</label>
                <select id={`f-restricted-${r.id}`} name="restricted">
                  <option value="yes" selected>
                    {t("family.staff.restrictedYes")}
                  </option>
                  <option value="no">{t("family.staff.restrictedNo")}</option>
                </select>
              </div>
              <button type="submit">{t("family.staff.accept")}</button>
            </fieldset>
          </form>
          <form method="post" action={`${BASE}/reports/${r.id}/decline`}>
            <Csrf page={page} />
            <fieldset>
              <legend>{t("family.staff.declineTitle")}</legend>
              <div class="field">
                <label for={`f-reason-${r.id}`}>{t("family.staff.reason")}</label>
                {problem?.errors.reason ? <p class="field-error">{problem.errors.reason}</p> : null}
                <textarea id={`f-reason-${r.id}`} name="reason" rows={2} dir="auto" maxlength={2000}></textarea>
              </div>
              <button type="submit" class="danger">
                {t("family.staff.decline")}
              </button>
            </fieldset>
          </form>
        </>
      ) : (
        <p class="hint">
          {t(`family.staff.reportState.${r.state}`, { date: day(r.decidedAt), name: r.decidedBy ?? "—" })}
          {r.declineReason ? ` — ${r.declineReason}` : ""}
          {r.personId ? (
            <>
              {" "}
              <a href={`/records/${r.personId}`}>{t("family.staff.person")}</a>
            </>
          ) : null}
          {r.detentionId ? (
            <>
              {" "}
              <a href={`/records/${r.detentionId}`}>{t("family.staff.detention")}</a>
            </>
          ) : null}
        </p>
      )}
    </article>
  );
}

const STATES = ["new", "accepted", "declined"] as const;

async function showQueue(c: Context<AppEnv>, extra: { notice?: string | null; problem?: { reportId: string; problem: Problem } } = {}, status: ContentfulStatusCode = 200) {
  const { actor } = signedIn(c);
  const state = STATES.find((s) => s === c.req.query("state")) ?? "new";
  const title = c.var.t("family.staff.queueTitle");
  let reports: FamilyReportView[] | null;
  try {
    reports = await listFamilyReports(c.var.services, c.var.origin, actor, { state });
  } catch (error) {
    if (!(error instanceof Sealed)) throw error;
    reports = null;
  }
  return renderPage(
    c,
    title,
    (page) => (
      <>
        <p>
          <a href={BASE}>{page.t("family.staff.title")}</a>
        </p>
        <h1>{title}</h1>
        <p>{page.t("family.staff.queueIntro")}</p>
        <Notice text={extra.notice} />
        <nav aria-label={page.t("family.staff.queueStates")}>
          <ul class="tabs">
            {STATES.map((s) => (
              <li>
                <a href={`${BASE}/reports?state=${s}`} aria-current={s === state ? "page" : undefined}>
                  {page.t(`family.staff.queueState.${s}`)}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        {reports === null ? (
          <p class="notice" role="status">
            {page.t("family.staff.sealed")}
          </p>
        ) : reports.length === 0 ? (
          <p>{page.t("family.staff.queueEmpty")}</p>
        ) : (
          reports.map((r) => <ReportCard page={page} r={r} problem={extra.problem?.reportId === r.id ? extra.problem.problem : undefined} />)
        )}
      </>
    ),
    status,
  );
}

familyPages.get(`${BASE}/reports`, (c) => {
  const done = c.req.query("done");
  return showQueue(c, { notice: done === "accepted" || done === "declined" ? c.var.t(`family.staff.done.${done}`) : null });
});

familyPages.post(`${BASE}/reports/${ID}/accept`, async (c) => {
  const { actor } = signedIn(c);
  const form = await readForm(c);
  const reportId = c.req.param("id");
  try {
    await acceptFamilyReport(c.var.services, c.var.origin, actor, reportId, {
      personId: field(form, "personId"),
      detentionId: field(form, "detentionId"),
      startDate: field(form, "startDate"),
      restricted: field(form, "restricted") || "yes",
    });
  } catch (error) {
    const problem = problemOf(c, error);
    return showQueue(c, { problem: { reportId, problem } }, problem.status);
  }
  throw new Redirect(`${BASE}/reports?done=accepted`);
});

familyPages.post(`${BASE}/reports/${ID}/decline`, async (c) => {
  const { actor } = signedIn(c);
  const form = await readForm(c);
  const reportId = c.req.param("id");
  try {
    await declineFamilyReport(c.var.services, c.var.origin, actor, reportId, { reason: field(form, "reason") });
  } catch (error) {
    const problem = problemOf(c, error);
    return showQueue(c, { problem: { reportId, problem } }, problem.status);
  }
  throw new Redirect(`${BASE}/reports?done=declined`);
});
