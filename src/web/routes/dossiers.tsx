import { Hono, type Context } from "hono";
import { raw } from "hono/html";
import {
  createDossier, DOSSIER_OUTCOMES, DOSSIER_STATUSES, dossierBlocks, dossierHtml, escapeXml as escapeHtml, getDossier, listDossiers, prepareDossierExport, trackDossier, updateDossier,
  type DossierDocument, type DossierView,
} from "../../accountability/index.ts";
import { can, type Actor } from "../../core/index.ts";
import { personCaller } from "../../evidence/index.ts";
import { captionsOf, type RecordCaption } from "../../records/index.ts";
import type { AppEnv, FormData } from "../env.ts";
import { formatTime, UUID_PARAM } from "../format.ts";
import { readForm } from "../middleware/body.ts";
import { Csrf, ErrorSummary, Notice, type PageContext } from "../pages/layout.tsx";
import { formProblem, Redirect, renderPage, signedIn, type FormProblem } from "../render.tsx";

/**
 * Referral dossiers' pages: the list, drafting one from an official's (or an organisation's) page,
 * its page (the editable fields, the document as it would be exported, the downloads, the
 * tracking log), and its printable page. No script needed; src/accountability decides.
 */
export const dossierPages = new Hono<AppEnv>();

const ID = `:id{${UUID_PARAM}}`;
const DONE = new Set(["created", "edited", "submitted", "outcome", "status"]);

function field(form: FormData, name: string): string {
  const value = form[name];
  return typeof value === "string" ? value : "";
}

const anyAccountability = (actor: Actor) => ({ kind: "accountability" as const, orgId: actor.orgId });

function lines(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== "");
}

/** The document drawn inside the page: the same outline as the PDF and the editable file. */
function documentFragment(doc: DossierDocument): string {
  return dossierBlocks(doc)
    .map((b) => {
      switch (b.kind) {
        case "title":
          return `<h3 class="doc-title">${escapeHtml(b.text)}</h3>`;
        case "heading":
          return `<h4>${escapeHtml(b.text)}</h4>`;
        case "subheading":
          return `<h5>${escapeHtml(b.text)}</h5>`;
        case "paragraph":
          return `<p>${escapeHtml(b.text)}</p>`;
        case "fact":
          return `<p><b>${escapeHtml(b.label)}:</b> ${escapeHtml(b.text)}</p>`;
        case "list":
          return `<ol>${b.items.map((i) => `<li>${escapeHtml(i)}</li>`).join("")}</ol>`;
      }
    })
    .join("\n");
}

interface DossierPageView {
  dossier: DossierView;
  subject: RecordCaption | undefined;
  document: DossierDocument | null;
  documentProblem: string | null;
  mayWrite: boolean;
  mayTrack: boolean;
  /** The vault is sealed: the exhibits cannot be decrypted, so the package is not offered. */
  sealed: boolean;
  notice: string | null;
  problem?: FormProblem | undefined;
  failedForm?: string | undefined;
}

function FieldsForm({ page, view }: { page: PageContext; view: DossierPageView }) {
  const { t } = page;
  const f = view.dossier.fields;
  const failed = view.failedForm === "edit" ? view.problem : undefined;
  const err = (name: string) => failed?.errors[`fields.${name}`];
  const area = (name: "summary" | "notes", rows: number) => (
    <div class={err(name) ? "field has-error" : "field"}>
      <label for={`f-${name}`}>{t(`dossiers.fields.${name}`)}</label>
      {err(name) ? <p class="field-error">{err(name)}</p> : null}
      <textarea id={`f-${name}`} name={name} rows={rows} dir="auto">
        {f[name]}
      </textarea>
    </div>
  );
  const text = (name: "title" | "programme" | "recipient", hint?: string) => (
    <div class={err(name) ? "field has-error" : "field"}>
      <label for={`f-${name}`}>{t(`dossiers.fields.${name}`)}</label>
      {hint ? <p class="hint">{hint}</p> : null}
      {err(name) ? <p class="field-error">{err(name)}</p> : null}
      <input id={`f-${name}`} name={name} value={f[name]} maxlength={300} dir="auto" />
    </div>
  );
  return (
    <form method="post" action={`/dossiers/${view.dossier.id}`} class="wide-form">
      <Csrf page={page} />
      <input type="hidden" name="revision" value={String(view.dossier.revision)} />
      {text("title")}
      {text("programme", t("dossiers.fields.programmeHint"))}
      {text("recipient")}
      {area("summary", 6)}
      <div class="field">
        <label for="f-requestedMeasures">{t("dossiers.fields.requestedMeasures")}</label>
        <p class="hint">{t("dossiers.fields.measuresHint")}</p>
        <textarea id="f-requestedMeasures" name="requestedMeasures" rows={4} dir="auto">
          {f.requestedMeasures.join("\n")}
        </textarea>
      </div>
      {area("notes", 3)}
      {view.document && view.document.acts.length + f.excludedActs.length > 0 ? (
        <fieldset>
          <legend>{t("dossiers.fields.acts")}</legend>
          {view.document.acts.map((a) => (
            <div class="field checkbox">
              <input type="checkbox" id={`act-${a.recordId}`} name="excludedActs" value={a.recordId} />
              <label for={`act-${a.recordId}`}>
                {t("dossiers.fields.leaveOut")} A-{a.number}. <bdi>{a.name}</bdi>
              </label>
            </div>
          ))}
          {f.excludedActs.map((id) => (
            <div class="field checkbox">
              <input type="checkbox" id={`act-${id}`} name="excludedActs" value={id} checked />
              <label for={`act-${id}`}>
                {t("dossiers.fields.leftOut")} <a href={`/records/${id}`}>{id.slice(0, 8)}</a>
              </label>
            </div>
          ))}
        </fieldset>
      ) : null}
      <div class="field checkbox">
        <input type="checkbox" id="f-includeRestricted" name="includeRestricted" checked={f.includeRestricted} />
        <label for="f-includeRestricted">{t("dossiers.fields.includeRestricted")}</label>
      </div>
      <div class="field">
        <label for="f-reason">{t("dossiers.fields.reason")}</label>
        <input id="f-reason" name="reason" maxlength={2000} dir="auto" />
      </div>
      <button type="submit">{t("dossiers.fields.save")}</button>
    </form>
  );
}

function TrackForms({ page, view }: { page: PageContext; view: DossierPageView }) {
  const { t } = page;
  const id = view.dossier.id;
  const failed = (kind: string) => (view.failedForm === kind ? view.problem?.errors : undefined);
  const error = (kind: string, name: string) => {
    const e = failed(kind)?.[name];
    return e ? <p class="field-error">{e}</p> : null;
  };
  return (
    <div class="tracking-forms">
      <form method="post" action={`/dossiers/${id}/events`}>
        <Csrf page={page} />
        <input type="hidden" name="kind" value="submitted" />
        <fieldset>
          <legend>{t("dossiers.track.submitted")}</legend>
          <div class="field">
            <label for="s-recipient">{t("dossiers.track.recipient")}</label>
            {error("submitted", "recipient")}
            <input id="s-recipient" name="recipient" maxlength={300} dir="auto" value={view.dossier.fields.recipient} />
          </div>
          <div class="field">
            <label for="s-date">{t("dossiers.track.date")}</label>
            {error("submitted", "date")}
            <input id="s-date" name="date" type="date" />
          </div>
          <div class="field">
            <label for="s-summary">{t("dossiers.track.summary")}</label>
            <textarea id="s-summary" name="summary" rows={2} dir="auto"></textarea>
          </div>
          <button type="submit">{t("dossiers.track.saveSubmitted")}</button>
        </fieldset>
      </form>
      <form method="post" action={`/dossiers/${id}/events`}>
        <Csrf page={page} />
        <input type="hidden" name="kind" value="outcome" />
        <fieldset>
          <legend>{t("dossiers.track.outcome")}</legend>
          <div class="field">
            <label for="o-outcome">{t("dossiers.track.outcomeLabel")}</label>
            {error("outcome", "outcome")}
            <select id="o-outcome" name="outcome">
              {DOSSIER_OUTCOMES.map((o) => (
                <option value={o}>{t(`dossiers.outcome.${o}`)}</option>
              ))}
            </select>
          </div>
          <div class="field">
            <label for="o-date">{t("dossiers.track.date")}</label>
            {error("outcome", "date")}
            <input id="o-date" name="date" type="date" />
          </div>
          <div class="field">
            <label for="o-recipient">{t("dossiers.track.from")}</label>
            <input id="o-recipient" name="recipient" maxlength={300} dir="auto" />
          </div>
          <div class="field">
            <label for="o-summary">{t("dossiers.track.summary")}</label>
            <textarea id="o-summary" name="summary" rows={2} dir="auto"></textarea>
          </div>
          <button type="submit">{t("dossiers.track.saveOutcome")}</button>
        </fieldset>
      </form>
      <form method="post" action={`/dossiers/${id}/events`}>
        <Csrf page={page} />
        <input type="hidden" name="kind" value="status" />
        <fieldset>
          <legend>{t("dossiers.track.status")}</legend>
          <div class="field">
            <label for="st-status">{t("dossiers.status.label")}</label>
            {error("status", "status")}
            <select id="st-status" name="status">
              {DOSSIER_STATUSES.filter((s) => s !== view.dossier.status).map((s) => (
                <option value={s}>{t(`dossiers.status.${s}`)}</option>
              ))}
            </select>
          </div>
          <div class="field">
            <label for="st-summary">{t("dossiers.track.why")}</label>
            {error("status", "summary")}
            <input id="st-summary" name="summary" maxlength={2000} dir="auto" />
          </div>
          <button type="submit">{t("dossiers.track.saveStatus")}</button>
        </fieldset>
      </form>
    </div>
  );
}

function DossierPage(page: PageContext, view: DossierPageView) {
  const { t, locale } = page;
  const d = view.dossier;
  return (
    <>
      <h1>
        <bdi>{d.fields.title}</bdi>
      </h1>
      <Notice text={view.notice} />
      <ErrorSummary page={page} message={view.problem?.message} errors={view.problem?.errors} />
      <dl class="facts">
        <dt>{t("dossiers.reference")}</dt>
        <dd dir="ltr">{d.reference}</dd>
        <dt>{t("dossiers.status.label")}</dt>
        <dd>{t(`dossiers.status.${d.status}`)}</dd>
        <dt>{t("dossiers.subject")}</dt>
        <dd>
          <a href={`/officials/${d.subjectId}`}>
            <bdi>{view.subject?.caption ?? t("officials.unnamed")}</bdi>
          </a>
        </dd>
        <dt>{t("dossiers.updated")}</dt>
        <dd>{formatTime(locale, d.updatedAt)}</dd>
      </dl>
      {d.fields.includeRestricted ? <p class="warning">{t("dossiers.includesRestricted")}</p> : null}
      <ul class="actions-bar">
        <li>
          <a href={`/dossiers/${d.id}/print`}>{t("dossiers.print")}</a>
        </li>
        <li>
          <a href={`/api/v1/dossiers/${d.id}/pdf`} type="application/pdf">
            {t("dossiers.pdf")}
          </a>
        </li>
        <li>
          <a href={`/api/v1/dossiers/${d.id}/odt`} download>
            {t("dossiers.odt")}
          </a>
        </li>
        {view.sealed ? null : (
          <li>
            <a href={`/api/v1/dossiers/${d.id}/package`} download>
              {t("dossiers.package")}
            </a>
          </li>
        )}
      </ul>
      <p class={view.sealed ? "warning" : "hint"}>{t(view.sealed ? "dossiers.packageSealed" : "dossiers.packageHint")}</p>
      {view.document ? (
        <p class="hint">
          {t("dossiers.counts", { acts: String(view.document.acts.length), exhibits: String(view.document.exhibits.length), sources: String(view.document.sources.length) })}
          {view.document.omitted.restricted > 0 ? <> {t("dossiers.omittedRestricted", { n: String(view.document.omitted.restricted) })}</> : null}
        </p>
      ) : null}
      {view.mayWrite && d.status !== "closed" ? (
        <details open={view.failedForm === "edit"}>
          <summary>{t("dossiers.edit")}</summary>
          <FieldsForm page={page} view={view} />
        </details>
      ) : null}
      <section aria-labelledby="doc-h" class="ua-frame">
        <h2 id="doc-h">{t("dossiers.document")}</h2>
        {view.document ? <div lang="en" dir="ltr">{raw(documentFragment(view.document))}</div> : <p class="warning">{view.documentProblem}</p>}
      </section>
      <section aria-labelledby="log-h">
        <h2 id="log-h">{t("dossiers.history")}</h2>
        <table>
          <caption class="visually-hidden">{t("dossiers.history")}</caption>
          <thead>
            <tr>
              <th scope="col">{t("dossiers.track.when")}</th>
              <th scope="col">{t("dossiers.track.what")}</th>
              <th scope="col">{t("dossiers.track.details")}</th>
              <th scope="col">{t("dossiers.track.by")}</th>
            </tr>
          </thead>
          <tbody>
            {[...d.events].reverse().map((e) => (
              <tr>
                <td>
                  {e.date ? <span dir="ltr">{e.date}</span> : formatTime(locale, e.createdAt)}
                </td>
                <td>
                  {t(`dossiers.event.${e.kind}`)}
                  {e.statusTo ? <> → {t(`dossiers.status.${e.statusTo}`)}</> : null}
                </td>
                <td>
                  {e.recipient ? <bdi>{e.recipient}</bdi> : null}
                  {e.outcome ? <> · {t(`dossiers.outcome.${e.outcome}`)}</> : null}
                  {e.kind === "exported" && typeof e.details.format === "string" ? <> {t(`dossiers.format.${e.details.format}`)}</> : null}
                  {e.summary ? <> · <bdi>{e.summary}</bdi></> : null}
                </td>
                <td>{e.actorName ?? ""}</td>
              </tr>
            ))}
          </tbody>
        </table>
        {view.mayTrack ? <TrackForms page={page} view={view} /> : null}
      </section>
    </>
  );
}

async function showDossier(c: Context<AppEnv>, id: string, extras: { notice?: string | null; problem?: FormProblem; failedForm?: string } = {}) {
  const principal = signedIn(c);
  const { actor } = principal;
  const { services, origin } = c.var;
  const dossier = await getDossier(services, origin, actor, id);
  let document: DossierDocument | null = null;
  let documentProblem: string | null = null;
  try {
    document = (await prepareDossierExport(services, origin, actor, personCaller(principal), id, "print", { log: false })).document;
  } catch (error) {
    documentProblem = formProblem(c, error).message;
  }
  const subject = (await captionsOf(services, actor, [dossier.subjectId])).get(dossier.subjectId);
  const view: DossierPageView = {
    dossier,
    subject,
    document,
    documentProblem,
    mayWrite: can(actor, "dossier.write", anyAccountability(actor)),
    mayTrack: can(actor, "dossier.track", anyAccountability(actor)),
    sealed: !services.keyring.identity(actor.orgId),
    notice: extras.notice ?? null,
    problem: extras.problem,
    failedForm: extras.failedForm,
  };
  return renderPage(c, dossier.fields.title.slice(0, 120), (page) => DossierPage(page, view), extras.problem?.status ?? 200);
}

dossierPages.get("/dossiers", async (c) => {
  const { actor } = signedIn(c);
  const status = c.req.query("status");
  const dossiers = await listDossiers(c.var.services, c.var.origin, actor, status ? { status } : {});
  const captions = await captionsOf(c.var.services, actor, dossiers.map((d) => d.subjectId));
  return renderPage(c, c.var.t("dossiers.title"), (page) => (
    <>
      <h1>{page.t("dossiers.title")}</h1>
      <p class="hint">{page.t("dossiers.intro")}</p>
      <form method="get" action="/dossiers" class="filters">
        <label for="status">{page.t("dossiers.status.label")}</label>
        <select id="status" name="status">
          <option value="">{page.t("dossiers.status.any")}</option>
          {DOSSIER_STATUSES.map((s) => (
            <option value={s} selected={status === s}>
              {page.t(`dossiers.status.${s}`)}
            </option>
          ))}
        </select>
        <button type="submit">{page.t("dossiers.filter")}</button>
      </form>
      {dossiers.length === 0 ? (
        <p>{page.t("dossiers.none")}</p>
      ) : (
        <table>
          <caption class="visually-hidden">{page.t("dossiers.title")}</caption>
          <thead>
            <tr>
              <th scope="col">{page.t("dossiers.reference")}</th>
              <th scope="col">{page.t("dossiers.fields.title")}</th>
              <th scope="col">{page.t("dossiers.subject")}</th>
              <th scope="col">{page.t("dossiers.status.label")}</th>
              <th scope="col">{page.t("dossiers.updated")}</th>
            </tr>
          </thead>
          <tbody>
            {dossiers.map((d) => (
              <tr>
                <td dir="ltr">{d.reference}</td>
                <td>
                  <a href={`/dossiers/${d.id}`}>
                    <bdi>{d.title}</bdi>
                  </a>
                </td>
                <td>
                  <bdi>{captions.get(d.subjectId)?.caption ?? page.t("officials.unnamed")}</bdi>
                </td>
                <td>{page.t(`dossiers.status.${d.status}`)}</td>
                <td>{formatTime(page.locale, d.updatedAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  ));
});

dossierPages.post("/dossiers", async (c) => {
  const { actor } = signedIn(c);
  let subject = "";
  let id: string;
  try {
    const dossier = await createDossier(
      c.var.services,
      c.var.origin,
      actor,
      async () => {
        subject = field(await readForm(c), "subject");
        return { subject };
      },
      async (s) => {
        const name = (await captionsOf(c.var.services, actor, [s.row.id])).get(s.row.id)?.caption;
        return `Referral for targeted sanctions: ${name ?? "unnamed"}`;
      },
    );
    id = dossier.id;
  } catch (error) {
    const problem = formProblem(c, error);
    return renderPage(c, c.var.t("dossiers.title"), (page) => <ErrorSummary page={page} message={problem.message} errors={problem.errors} />, problem.status);
  }
  throw new Redirect(`/dossiers/${id}?done=created`);
});

dossierPages.get(`/dossiers/${ID}`, (c) => {
  const done = c.req.query("done");
  return showDossier(c, c.req.param("id"), { notice: done && DONE.has(done) ? c.var.t(`dossiers.done.${done}`) : null });
});

dossierPages.post(`/dossiers/${ID}`, async (c) => {
  const { actor } = signedIn(c);
  const id = c.req.param("id");
  try {
    await updateDossier(c.var.services, c.var.origin, actor, id, async () => {
      const form = await readForm(c);
      const excluded = form.excludedActs;
      return {
        revision: Number(field(form, "revision")) || 0,
        reason: field(form, "reason"),
        fields: {
          title: field(form, "title"),
          programme: field(form, "programme"),
          recipient: field(form, "recipient"),
          summary: field(form, "summary"),
          notes: field(form, "notes"),
          requestedMeasures: lines(field(form, "requestedMeasures")),
          excludedActs: Array.isArray(excluded) ? excluded : typeof excluded === "string" && excluded !== "" ? [excluded] : [],
          includeRestricted: field(form, "includeRestricted") === "on",
        },
      };
    });
  } catch (error) {
    return showDossier(c, id, { problem: formProblem(c, error), failedForm: "edit" });
  }
  throw new Redirect(`/dossiers/${id}?done=edited`);
});

dossierPages.post(`/dossiers/${ID}/events`, async (c) => {
  const { actor } = signedIn(c);
  const id = c.req.param("id");
  let kind = "";
  try {
    await trackDossier(c.var.services, c.var.origin, actor, id, async () => {
      const form = await readForm(c);
      kind = field(form, "kind");
      const body: Record<string, string> = { kind };
      for (const name of ["recipient", "date", "summary", "outcome", "status"]) if (field(form, name) !== "") body[name] = field(form, name);
      return body;
    });
  } catch (error) {
    return showDossier(c, id, { problem: formProblem(c, error), failedForm: kind });
  }
  throw new Redirect(`/dossiers/${id}?done=${DONE.has(kind) ? kind : "status"}`);
});

dossierPages.get(`/dossiers/${ID}/print`, async (c) => {
  const principal = signedIn(c);
  const { document } = await prepareDossierExport(c.var.services, c.var.origin, principal.actor, personCaller(principal), c.req.param("id"), "print");
  return c.html(dossierHtml(document, { href: "/static/dossier.css", icon: "/static/favicon.svg" }));
});
