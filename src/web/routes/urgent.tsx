import { Hono, type Context } from "hono";
import { raw } from "hono/html";
import type { Child } from "hono/jsx";
import {
  archiveAddressee, createAddressee, documentFragment, exportUrgentAction, documentHtml, generateUrgentAction, getAddressee, getTemplate, getUrgentAction, LANGUAGE_DIRECTION, LANGUAGE_TAG,
  listAddressees, listTemplates, listUrgentActions, mailtoLink, PLACEHOLDERS, prepareUrgentAction, regenerateUrgentAction, saveTemplate, templateHistory, trackUrgentAction,
  updateAddressee, URGENT_CHANNELS, URGENT_LANGUAGES, URGENT_STATUSES, type AddresseeView, type TemplateView, type UrgentActionView, type UrgentLanguage,
} from "../../monitor/index.ts";
import { can } from "../../core/index.ts";
import { captionsOf } from "../../records/index.ts";
import type { AppEnv, FormData } from "../env.ts";
import { formatTime, UUID_PARAM } from "../format.ts";
import { readForm } from "../middleware/body.ts";
import { Csrf, ErrorSummary, Notice, type PageContext } from "../pages/layout.tsx";
import { RecordLink } from "../records/parts.tsx";
import { formProblem, Redirect, renderPage, signedIn, type FormProblem } from "../render.tsx";

/**
 * Urgent actions' pages: generating one from a detention, its page (versions, printable page, PDF
 * and email draft, tracking), the addressees and the templates. No script needed anywhere; the
 * services in src/monitor decide who may do what.
 */
export const urgentPages = new Hono<AppEnv>();

const ID = `:id{${UUID_PARAM}}`;
const LANGUAGE = ":language{en|ug|zh}";

function field(form: FormData, name: string): string {
  const value = form[name];
  return typeof value === "string" ? value : "";
}

function all(form: FormData, name: string): string[] {
  const value = form[name];
  return Array.isArray(value) ? value : typeof value === "string" && value !== "" ? [value] : [];
}

function lines(text: string): string[] | undefined {
  const list = text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== "");
  return list.length > 0 ? list : undefined;
}

function versionQuery(c: Context<AppEnv>): number | undefined {
  const v = Number(c.req.query("version"));
  return Number.isInteger(v) && v > 0 ? v : undefined;
}

// ——— small form parts ———

function FieldError(props: { id: string; error?: string }) {
  return props.error ? (
    <p class="field-error" id={`${props.id}-error`}>
      {props.error}
    </p>
  ) : null;
}

function TextArea(props: { name: string; label: string; value: string; hint?: string; error?: string; rows?: number; dir?: "auto" | "ltr" | "rtl"; required?: boolean; idPrefix?: string }) {
  const id = `f-${props.idPrefix ?? ""}${props.name}`;
  const described = [props.hint ? `${id}-hint` : null, props.error ? `${id}-error` : null].filter(Boolean).join(" ") || undefined;
  return (
    <div class={props.error ? "field has-error" : "field"}>
      <label for={id}>{props.label}</label>
      {props.hint ? (
        <p class="hint" id={`${id}-hint`}>
          {props.hint}
        </p>
      ) : null}
      <FieldError id={id} error={props.error} />
      <textarea id={id} name={props.name} rows={props.rows ?? 4} dir={props.dir ?? "auto"} required={props.required} aria-invalid={props.error ? "true" : undefined} aria-describedby={described}>
        {props.value}
      </textarea>
    </div>
  );
}

function Input(props: { name: string; label: string; value: string; type?: string; error?: string; hint?: string; required?: boolean; dir?: "auto" | "ltr"; idPrefix?: string; maxlength?: number }) {
  const id = `f-${props.idPrefix ?? ""}${props.name}`;
  const described = [props.hint ? `${id}-hint` : null, props.error ? `${id}-error` : null].filter(Boolean).join(" ") || undefined;
  return (
    <div class={props.error ? "field has-error" : "field"}>
      <label for={id}>{props.label}</label>
      {props.hint ? (
        <p class="hint" id={`${id}-hint`}>
          {props.hint}
        </p>
      ) : null}
      <FieldError id={id} error={props.error} />
      <input id={id} name={props.name} type={props.type ?? "text"} value={props.value} required={props.required} maxlength={props.maxlength} dir={props.dir ?? "auto"} aria-invalid={props.error ? "true" : undefined} aria-describedby={described} />
    </div>
  );
}

function Select(props: { name: string; label: string; value: string; options: { value: string; label: string }[]; error?: string; idPrefix?: string; required?: boolean }) {
  const id = `f-${props.idPrefix ?? ""}${props.name}`;
  return (
    <div class={props.error ? "field has-error" : "field"}>
      <label for={id}>{props.label}</label>
      <FieldError id={id} error={props.error} />
      <select id={id} name={props.name} required={props.required} aria-invalid={props.error ? "true" : undefined} aria-describedby={props.error ? `${id}-error` : undefined}>
        {props.options.map((o) => (
          <option value={o.value} selected={o.value === props.value}>
            {o.label}
          </option>
        ))}
      </select>
    </div>
  );
}

function fieldErrors(problem: FormProblem | undefined, prefix: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(problem?.errors ?? {})) {
    const name = key.split(".")[0]!;
    out[name] ??= value;
    if (prefix) out[`${prefix}${name}`] ??= value;
  }
  return out;
}

// ——— generating ———

interface GenerateState {
  language: UrgentLanguage;
  addressees: string[];
  salutation: string;
  concerns: string;
  requests: string;
  includeRestricted: boolean;
  includeSecret: boolean;
}

function stateOf(form: FormData): GenerateState {
  const language = field(form, "language");
  return {
    language: (URGENT_LANGUAGES as readonly string[]).includes(language) ? (language as UrgentLanguage) : "en",
    addressees: all(form, "addressees"),
    salutation: field(form, "salutation"),
    concerns: field(form, "concerns"),
    requests: field(form, "requests"),
    includeRestricted: field(form, "includeRestricted") === "on",
    includeSecret: field(form, "includeSecret") === "on",
  };
}

function inputOf(state: GenerateState) {
  return {
    language: state.language,
    addressees: state.addressees,
    ...(state.salutation.trim() ? { salutation: state.salutation } : {}),
    ...(lines(state.concerns) ? { concerns: lines(state.concerns) } : {}),
    ...(lines(state.requests) ? { requests: lines(state.requests) } : {}),
    includeRestricted: state.includeRestricted,
    includeSecret: state.includeSecret,
  };
}

function GenerateFields(props: { page: PageContext; state: GenerateState; addressees: AddresseeView[]; mayIncludeRestricted: boolean; mayIncludeSecret: boolean; problem?: FormProblem }) {
  const { t } = props.page;
  const { state } = props;
  const errors = fieldErrors(props.problem, "");
  return (
    <>
      <fieldset>
        <legend>{t("urgent.generate.language")}</legend>
        {errors.language ? <p class="field-error">{errors.language}</p> : null}
        {URGENT_LANGUAGES.map((l) => (
          <div class="choice">
            <input type="radio" id={`f-language-${l}`} name="language" value={l} checked={state.language === l} />
            <label for={`f-language-${l}`} lang={LANGUAGE_TAG[l]} dir={LANGUAGE_DIRECTION[l]}>
              {t(`urgent.languages.${l}`)}
            </label>
          </div>
        ))}
      </fieldset>
      <fieldset id="f-addressees">
        <legend>{t("urgent.generate.addressees")}</legend>
        {errors.addressees ? <p class="field-error">{errors.addressees}</p> : null}
        {props.addressees.length === 0 ? (
          <p class="hint">
            {t("urgent.generate.noAddressees")} <a href="/urgent-actions/addressees">{t("urgent.addressees.title")}</a>
          </p>
        ) : (
          props.addressees.map((a) => (
            <div class="choice">
              <input type="checkbox" id={`f-addressee-${a.id}`} name="addressees" value={a.id} checked={state.addressees.includes(a.id)} />
              <label for={`f-addressee-${a.id}`}>
                <bdi>{a.name}</bdi>
                {a.title ? <> — <bdi>{a.title}</bdi></> : null} <small>({t(`urgent.languages.${a.language}`)})</small>
              </label>
            </div>
          ))
        )}
      </fieldset>
      <Input name="salutation" label={t("urgent.generate.salutation")} value={state.salutation} hint={t("urgent.generate.salutationHint")} error={errors.salutation} maxlength={300} />
      <TextArea name="concerns" label={t("urgent.generate.concerns")} value={state.concerns} hint={t("urgent.generate.linesHint")} error={errors.concerns} />
      <TextArea name="requests" label={t("urgent.generate.requests")} value={state.requests} hint={t("urgent.generate.linesHint")} error={errors.requests} />
      {props.mayIncludeRestricted || props.mayIncludeSecret ? (
        <fieldset class="warning">
          <legend>{t("urgent.generate.sensitiveLegend")}</legend>
          <p class="hint" id="f-sensitive-hint">
            {t("urgent.generate.sensitiveWarning")}
          </p>
          {props.mayIncludeRestricted ? (
            <div class="field checkbox">
              <input type="checkbox" id="f-includeRestricted" name="includeRestricted" value="on" checked={state.includeRestricted} aria-describedby="f-sensitive-hint" />
              <label for="f-includeRestricted">{t("urgent.generate.includeRestricted")}</label>
            </div>
          ) : null}
          {props.mayIncludeSecret ? (
            <div class="field checkbox">
              <input type="checkbox" id="f-includeSecret" name="includeSecret" value="on" checked={state.includeSecret} aria-describedby="f-sensitive-hint" />
              <label for="f-includeSecret">{t("urgent.generate.includeSecret")}</label>
            </div>
          ) : null}
        </fieldset>
      ) : null}
    </>
  );
}

const EMPTY_STATE: GenerateState = { language: "en", addressees: [], salutation: "", concerns: "", requests: "", includeRestricted: false, includeSecret: false };

async function generateForm(c: Context<AppEnv>, detentionId: string, state: GenerateState, problem?: FormProblem) {
  const { actor } = signedIn(c);
  const { services, origin } = c.var;
  const prepared = await prepareUrgentAction(services, origin, actor, detentionId);
  const addressees = await listAddressees(services, origin, actor);
  const caption = (await captionsOf(services, actor, [detentionId])).get(detentionId);
  const title = c.var.t("urgent.generate.title");
  return renderPage(
    c,
    title,
    (page) => (
      <section class="narrow">
        <h1>{title}</h1>
        <p>
          {page.t("urgent.generate.for")} <RecordLink page={page} id={detentionId} caption={caption} />
        </p>
        <p class="hint">{page.t("urgent.generate.intro")}</p>
        <ErrorSummary page={page} message={problem?.message} errors={problem?.errors} />
        <form method="post" action={`/urgent-actions/new/${detentionId}`}>
          <Csrf page={page} />
          <GenerateFields page={page} state={state} addressees={addressees} mayIncludeRestricted={prepared.mayIncludeRestricted} mayIncludeSecret={prepared.mayIncludeSecret} problem={problem} />
          <button type="submit">{page.t("urgent.generate.submit")}</button>
        </form>
      </section>
    ),
    problem?.status ?? 200,
  );
}

urgentPages.get(`/urgent-actions/new/${ID}`, (c) => generateForm(c, c.req.param("id"), EMPTY_STATE));

urgentPages.post(`/urgent-actions/new/${ID}`, async (c) => {
  const { actor } = signedIn(c);
  const detention = c.req.param("id");
  let state = EMPTY_STATE;
  let id: string;
  try {
    const action = await generateUrgentAction(c.var.services, c.var.origin, actor, async () => {
      state = stateOf(await readForm(c));
      return { detention, ...inputOf(state) };
    });
    id = action.id;
  } catch (error) {
    return generateForm(c, detention, state, formProblem(c, error));
  }
  throw new Redirect(`/urgent-actions/${id}?done=generated`);
});

// ——— the list ———

urgentPages.get("/urgent-actions", async (c) => {
  const { actor } = signedIn(c);
  const { services, origin } = c.var;
  const detention = c.req.query("detention");
  const status = c.req.query("status");
  const actions = await listUrgentActions(services, origin, actor, {
    ...(detention && new RegExp(`^${UUID_PARAM}$`).test(detention) ? { detention } : {}),
    ...(status && (URGENT_STATUSES as readonly string[]).includes(status) ? { status } : {}),
    limit: 200,
  });
  const captions = await captionsOf(services, actor, actions.map((a) => a.detentionId));
  const title = c.var.t("urgent.list.title");
  return renderPage(c, title, (page) => (
    <>
      <h1>{title}</h1>
      <p>
        <a href="/urgent-actions/addressees">{page.t("urgent.addressees.title")}</a> · <a href="/urgent-actions/templates">{page.t("urgent.templates.title")}</a>
      </p>
      <p class="hint">{page.t("urgent.list.intro")}</p>
      <form method="get" action="/urgent-actions" class="filters">
        {detention ? <input type="hidden" name="detention" value={detention} /> : null}
        <Select
          name="status"
          label={page.t("urgent.status.label")}
          value={status ?? ""}
          options={[{ value: "", label: page.t("urgent.list.anyStatus") }, ...URGENT_STATUSES.map((s) => ({ value: s, label: page.t(`urgent.status.${s}`) }))]}
        />
        <button type="submit">{page.t("urgent.list.filter")}</button>
      </form>
      {actions.length === 0 ? (
        <p>{page.t("urgent.list.empty")}</p>
      ) : (
        <table>
          <caption class="visually-hidden">{title}</caption>
          <thead>
            <tr>
              <th scope="col">{page.t("urgent.list.subject")}</th>
              <th scope="col">{page.t("urgent.list.detention")}</th>
              <th scope="col">{page.t("urgent.status.label")}</th>
              <th scope="col">{page.t("urgent.list.updated")}</th>
            </tr>
          </thead>
          <tbody>
            {actions.map((a) => (
              <tr>
                <td>
                  <a href={`/urgent-actions/${a.id}`} lang={LANGUAGE_TAG[a.language]} dir={LANGUAGE_DIRECTION[a.language]}>
                    {a.subject}
                  </a>
                </td>
                <td>
                  <RecordLink page={page} id={a.detentionId} caption={captions.get(a.detentionId)} />
                </td>
                <td>{page.t(`urgent.status.${a.status}`)}</td>
                <td>{formatTime(page.locale, a.updatedAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  ));
});

// ——— one urgent action ———

const DONE = new Set(["generated", "regenerated", "sent", "response", "status"]);

interface ActionPageView {
  action: UrgentActionView;
  addressees: AddresseeView[];
  mayWrite: boolean;
  mayIncludeRestricted: boolean;
  mayIncludeSecret: boolean;
  notice: string | null;
  problem?: FormProblem;
  failedForm?: string;
  state?: GenerateState;
}

function SensitivityNotes(props: { page: PageContext; action: UrgentActionView }) {
  const { t } = props.page;
  const doc = props.action.version.document;
  const name = (fact: string) => t(`urgent.facts.${fact.replace(/\./g, "_")}`);
  return (
    <>
      {doc.included.length > 0 ? (
        <div class="error-summary" role="alert">
          <h2>{t("urgent.page.includedTitle")}</h2>
          <p>{t("urgent.page.includedWarning")}</p>
          <ul>
            {doc.included.map((n) => (
              <li>
                {name(n.fact)} ({t(`urgent.sensitivity.${n.sensitivity}`)})
              </li>
            ))}
          </ul>
        </div>
      ) : null}
      {doc.omitted.length > 0 ? (
        <div class="notice">
          <p>{t("urgent.page.omitted")}</p>
          <ul>
            {doc.omitted.map((n) => (
              <li>
                {name(n.fact)} ({t(`urgent.sensitivity.${n.sensitivity}`)})
              </li>
            ))}
          </ul>
        </div>
      ) : null}
    </>
  );
}

function TrackingForms(props: { page: PageContext; view: ActionPageView }) {
  const { t } = props.page;
  const { action, addressees, problem, failedForm } = props.view;
  const id = action.id;
  const today = new Date(action.updatedAt).toISOString().slice(0, 10);
  const errorsFor = (form: string) => (failedForm === form ? fieldErrors(problem, "") : {});
  const inVersion = new Set(action.version.addressees);
  const options = [...addressees].sort((a, b) => Number(inVersion.has(b.id)) - Number(inVersion.has(a.id))).map((a) => ({ value: a.id, label: a.title ? `${a.name} — ${a.title}` : a.name }));
  const sent = errorsFor("sent");
  const response = errorsFor("response");
  const status = errorsFor("status");
  return (
    <div class="urgent-tracking-forms">
      <form method="post" action={`/urgent-actions/${id}/events`}>
        <Csrf page={props.page} />
        <input type="hidden" name="kind" value="sent" />
        <h3>{t("urgent.track.sentTitle")}</h3>
        <Select idPrefix="sent-" name="addressee" label={t("urgent.track.addressee")} value="" options={options} error={sent.addressee} required />
        <Select idPrefix="sent-" name="channel" label={t("urgent.track.channel")} value="letter" options={URGENT_CHANNELS.map((ch) => ({ value: ch, label: t(`urgent.channels.${ch}`) }))} error={sent.channel} />
        <Input idPrefix="sent-" name="date" type="date" label={t("urgent.track.date")} value={today} error={sent.date} required dir="ltr" />
        <TextArea idPrefix="sent-" name="summary" label={t("urgent.track.note")} value="" rows={2} error={sent.summary} />
        <button type="submit">{t("urgent.track.sentSubmit")}</button>
      </form>
      <form method="post" action={`/urgent-actions/${id}/events`}>
        <Csrf page={props.page} />
        <input type="hidden" name="kind" value="response" />
        <h3>{t("urgent.track.responseTitle")}</h3>
        <Select idPrefix="response-" name="addressee" label={t("urgent.track.from")} value="" options={[{ value: "", label: t("urgent.track.unknownSender") }, ...options]} error={response.addressee} />
        <Input idPrefix="response-" name="date" type="date" label={t("urgent.track.date")} value={today} error={response.date} required dir="ltr" />
        <TextArea idPrefix="response-" name="summary" label={t("urgent.track.summary")} value="" rows={3} error={response.summary} required />
        <Input idPrefix="response-" name="evidenceUrl" type="url" label={t("urgent.track.evidenceUrl")} value="" error={response.evidenceUrl} dir="ltr" maxlength={4096} />
        <button type="submit">{t("urgent.track.responseSubmit")}</button>
      </form>
      <form method="post" action={`/urgent-actions/${id}/events`}>
        <Csrf page={props.page} />
        <input type="hidden" name="kind" value="status" />
        <h3>{t("urgent.track.statusTitle")}</h3>
        <Select idPrefix="status-" name="status" label={t("urgent.status.label")} value={action.status} options={URGENT_STATUSES.map((s) => ({ value: s, label: t(`urgent.status.${s}`) }))} error={status.status} />
        <TextArea idPrefix="status-" name="summary" label={t("urgent.track.note")} value="" rows={2} error={status.summary} />
        <button type="submit">{t("urgent.track.statusSubmit")}</button>
      </form>
    </div>
  );
}

function ActionPage(page: PageContext, view: ActionPageView) {
  const { t, locale } = page;
  const { action } = view;
  const doc = action.version.document;
  const v = action.version.version;
  const suffix = v === action.latestVersion ? "" : `?version=${v}`;
  const mailto = mailtoLink(doc);
  return (
    <>
      <h1>
        <bdi lang={LANGUAGE_TAG[doc.language]}>{doc.subject}</bdi>
      </h1>
      <Notice text={view.notice} />
      <ErrorSummary page={page} message={view.problem?.message} errors={view.problem?.errors} />
      <dl class="facts">
        <dt>{t("urgent.status.label")}</dt>
        <dd>{t(`urgent.status.${action.status}`)}</dd>
        <dt>{t("urgent.page.reference")}</dt>
        <dd dir="ltr">{doc.reference}</dd>
        <dt>{t("urgent.page.version")}</dt>
        <dd>
          {t("urgent.page.versionOf", { n: v, total: action.latestVersion })} · {t(`urgent.languages.${doc.language}`)} · {formatTime(locale, action.version.createdAt)}
        </dd>
        <dt>{t("urgent.list.detention")}</dt>
        <dd>
          <a href={`/records/${action.detentionId}`}>{t("urgent.page.openDetention")}</a>
        </dd>
      </dl>
      <SensitivityNotes page={page} action={action} />
      <ul class="actions-bar">
        <li>
          <a href={`/urgent-actions/${action.id}/print${suffix}`}>{t("urgent.page.print")}</a>
        </li>
        <li>
          <a href={`/api/v1/urgent-actions/${action.id}/pdf${suffix}`} type="application/pdf">
            {t("urgent.page.pdf")}
          </a>
        </li>
        <li>
          <a href={`/api/v1/urgent-actions/${action.id}/email${suffix}`} download>
            {t("urgent.page.eml")}
          </a>
        </li>
        {mailto ? (
          <li>
            <a href={mailto}>{t("urgent.page.mailto")}</a>
          </li>
        ) : null}
      </ul>
      {mailto ? null : <p class="hint">{t("urgent.page.mailtoTooLong")}</p>}
      <section aria-labelledby="ua-document-heading" class="ua-frame">
        <h2 id="ua-document-heading" class="visually-hidden">
          {t("urgent.page.document")}
        </h2>
        {raw(documentFragment(doc))}
      </section>
      <section aria-labelledby="ua-versions">
        <h2 id="ua-versions">{t("urgent.page.versions")}</h2>
        <ol reversed>
          {action.versions.map((s) => (
            <li>
              <a href={`/urgent-actions/${action.id}?version=${s.version}`} aria-current={s.version === v ? "page" : undefined}>
                {t("urgent.page.versionOf", { n: s.version, total: action.latestVersion })}
              </a>{" "}
              · {t(`urgent.languages.${s.language}`)} · {formatTime(locale, s.createdAt)}
              {s.includesRestricted || s.includesSecret ? <strong> · {t("urgent.page.hasSensitive")}</strong> : null}
            </li>
          ))}
        </ol>
      </section>
      <section aria-labelledby="ua-log">
        <h2 id="ua-log">{t("urgent.track.title")}</h2>
        {action.events.length === 0 ? (
          <p>{t("urgent.track.empty")}</p>
        ) : (
          <table>
            <caption class="visually-hidden">{t("urgent.track.title")}</caption>
            <thead>
              <tr>
                <th scope="col">{t("urgent.track.date")}</th>
                <th scope="col">{t("urgent.track.what")}</th>
                <th scope="col">{t("urgent.track.addressee")}</th>
                <th scope="col">{t("urgent.track.summary")}</th>
                <th scope="col">{t("urgent.track.by")}</th>
              </tr>
            </thead>
            <tbody>
              {action.events.map((e) => (
                <tr>
                  <td dir="ltr">{e.date ?? ""}</td>
                  <td>
                    {t(`urgent.track.kinds.${e.kind}`)}
                    {e.channel ? ` (${t(`urgent.channels.${e.channel}`)})` : ""}
                    {e.statusTo ? ` → ${t(`urgent.status.${e.statusTo}`)}` : ""}
                  </td>
                  <td>
                    <bdi>{e.addressee?.name ?? ""}</bdi>
                  </td>
                  <td>
                    <bdi>{e.summary}</bdi>
                    {e.evidenceUrl ? (
                      <>
                        {" "}
                        <a href={e.evidenceUrl} rel="noopener noreferrer nofollow" dir="ltr">
                          {t("urgent.track.evidence")}
                        </a>
                      </>
                    ) : null}
                  </td>
                  <td>
                    <bdi>{e.actorName ?? ""}</bdi>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {view.mayWrite ? <TrackingForms page={page} view={view} /> : null}
      </section>
      {view.mayWrite && action.status !== "closed" ? (
        <section aria-labelledby="ua-regenerate">
          <details open={view.failedForm === "regenerate"}>
            <summary>
              <h2 id="ua-regenerate">{t("urgent.page.regenerate")}</h2>
            </summary>
            <p class="hint">{t("urgent.page.regenerateHint")}</p>
            <form method="post" action={`/urgent-actions/${action.id}/regenerate`}>
              <Csrf page={page} />
              <GenerateFields
                page={page}
                state={view.state ?? { ...EMPTY_STATE, language: doc.language, addressees: action.version.addressees }}
                addressees={view.addressees}
                mayIncludeRestricted={view.mayIncludeRestricted}
                mayIncludeSecret={view.mayIncludeSecret}
                problem={view.failedForm === "regenerate" ? view.problem : undefined}
              />
              <button type="submit">{t("urgent.page.regenerateSubmit")}</button>
            </form>
          </details>
        </section>
      ) : null}
    </>
  );
}

async function showAction(c: Context<AppEnv>, id: string, extras: { notice?: string | null; problem?: FormProblem; failedForm?: string; state?: GenerateState } = {}) {
  const { actor } = signedIn(c);
  const { services, origin } = c.var;
  const action = await getUrgentAction(services, origin, actor, id, versionQuery(c));
  const addressees = await listAddressees(services, origin, actor);
  // What the page offers; the services check again when a form is sent.
  const prepared = can(actor, "urgent.create", { kind: "record", orgId: actor.orgId, restricted: false, onAccessList: false }) ? await prepareUrgentAction(services, origin, actor, action.detentionId).catch(() => null) : null;
  const mayWrite = prepared !== null;
  const mayIncludeRestricted = prepared?.mayIncludeRestricted ?? false;
  const mayIncludeSecret = prepared?.mayIncludeSecret ?? false;
  const view: ActionPageView = { action, addressees, mayWrite, mayIncludeRestricted, mayIncludeSecret, notice: extras.notice ?? null, problem: extras.problem, failedForm: extras.failedForm, state: extras.state };
  return renderPage(c, action.version.document.subject.slice(0, 120), (page) => ActionPage(page, view), extras.problem?.status ?? 200);
}

urgentPages.get(`/urgent-actions/${ID}`, (c) => {
  const done = c.req.query("done");
  return showAction(c, c.req.param("id"), { notice: done && DONE.has(done) ? c.var.t(`urgent.done.${done}`) : null });
});

urgentPages.get(`/urgent-actions/${ID}/print`, async (c) => {
  const { actor } = signedIn(c);
  const action = await exportUrgentAction(c.var.services, c.var.origin, actor, c.req.param("id"), versionQuery(c), "print");
  return c.html(documentHtml(action.version.document, { href: "/static/urgent.css" }));
});

urgentPages.post(`/urgent-actions/${ID}/regenerate`, async (c) => {
  const { actor } = signedIn(c);
  const id = c.req.param("id");
  let state: GenerateState | undefined;
  let version: number;
  try {
    const action = await regenerateUrgentAction(c.var.services, c.var.origin, actor, id, async () => {
      state = stateOf(await readForm(c));
      return inputOf(state);
    });
    version = action.version.version;
  } catch (error) {
    return showAction(c, id, { problem: formProblem(c, error), failedForm: "regenerate", state });
  }
  throw new Redirect(`/urgent-actions/${id}?done=regenerated&version=${version}`);
});

urgentPages.post(`/urgent-actions/${ID}/events`, async (c) => {
  const { actor } = signedIn(c);
  const id = c.req.param("id");
  let kind = "";
  try {
    await trackUrgentAction(c.var.services, c.var.origin, actor, id, async () => {
      const form = await readForm(c);
      kind = field(form, "kind");
      const body: Record<string, string> = { kind };
      for (const name of ["addressee", "channel", "date", "summary", "evidenceUrl", "status"]) if (field(form, name) !== "") body[name] = field(form, name);
      return body;
    });
  } catch (error) {
    return showAction(c, id, { problem: formProblem(c, error), failedForm: kind });
  }
  throw new Redirect(`/urgent-actions/${id}?done=${DONE.has(kind) ? kind : "status"}`);
});

// ——— addressees ———

const ADDRESSEE_FIELDS = ["name", "title", "organisation", "postalAddress", "email", "fax", "salutation", "language"] as const;

function addresseeInput(form: FormData): Record<string, string> {
  return Object.fromEntries(ADDRESSEE_FIELDS.map((f) => [f, field(form, f)]));
}

function AddresseeFields(props: { page: PageContext; value: Record<string, string>; problem?: FormProblem }) {
  const { t } = props.page;
  const errors = fieldErrors(props.problem, "");
  const v = props.value;
  return (
    <>
      <Input name="name" label={t("urgent.addressees.name")} value={v.name ?? ""} error={errors.name} required maxlength={300} />
      <Input name="title" label={t("urgent.addressees.titleField")} value={v.title ?? ""} error={errors.title} maxlength={300} />
      <Input name="organisation" label={t("urgent.addressees.organisation")} value={v.organisation ?? ""} error={errors.organisation} maxlength={300} />
      <TextArea name="postalAddress" label={t("urgent.addressees.postalAddress")} value={v.postalAddress ?? ""} error={errors.postalAddress} rows={4} />
      <Input name="email" type="email" label={t("urgent.addressees.email")} value={v.email ?? ""} error={errors.email} dir="ltr" maxlength={320} />
      <Input name="fax" type="tel" label={t("urgent.addressees.fax")} value={v.fax ?? ""} error={errors.fax} dir="ltr" maxlength={64} />
      <Input name="salutation" label={t("urgent.addressees.salutation")} value={v.salutation ?? ""} hint={t("urgent.addressees.salutationHint")} error={errors.salutation} maxlength={300} />
      <Select name="language" label={t("urgent.addressees.language")} value={v.language ?? "en"} options={URGENT_LANGUAGES.map((l) => ({ value: l, label: t(`urgent.languages.${l}`) }))} error={errors.language} />
    </>
  );
}

async function addresseesPage(c: Context<AppEnv>, extras: { problem?: FormProblem; value?: Record<string, string> } = {}) {
  const { actor } = signedIn(c);
  const { services, origin } = c.var;
  const archived = c.req.query("archived") === "include" ? "include" : "exclude";
  const addressees = await listAddressees(services, origin, actor, { archived });
  const mayManage = can(actor, "urgent.addressee.manage", { kind: "urgent-actions", orgId: actor.orgId });
  const title = c.var.t("urgent.addressees.title");
  const done = c.req.query("done");
  return renderPage(
    c,
    title,
    (page) => (
      <>
        <h1>{title}</h1>
        <Notice text={done === "added" || done === "archived" ? page.t(`urgent.addressees.done.${done}`) : null} />
        <p class="hint">{page.t("urgent.addressees.intro")}</p>
        <p>{archived === "include" ? <a href="/urgent-actions/addressees">{page.t("urgent.addressees.hideArchived")}</a> : <a href="/urgent-actions/addressees?archived=include">{page.t("urgent.addressees.showArchived")}</a>}</p>
        {addressees.length === 0 ? (
          <p>{page.t("urgent.addressees.empty")}</p>
        ) : (
          <table>
            <caption class="visually-hidden">{title}</caption>
            <thead>
              <tr>
                <th scope="col">{page.t("urgent.addressees.name")}</th>
                <th scope="col">{page.t("urgent.addressees.organisation")}</th>
                <th scope="col">{page.t("urgent.addressees.language")}</th>
                <th scope="col">{page.t("urgent.addressees.email")}</th>
              </tr>
            </thead>
            <tbody>
              {addressees.map((a) => (
                <tr>
                  <td>
                    <a href={`/urgent-actions/addressees/${a.id}`}>
                      <bdi>{a.name}</bdi>
                    </a>
                    {a.title ? <> — <bdi>{a.title}</bdi></> : null}
                    {a.archived ? <small> ({page.t("urgent.addressees.archivedMark")})</small> : null}
                  </td>
                  <td>
                    <bdi>{a.organisation}</bdi>
                  </td>
                  <td>{page.t(`urgent.languages.${a.language}`)}</td>
                  <td dir="ltr">{a.email}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {mayManage ? (
          <section class="narrow" aria-labelledby="add-addressee">
            <h2 id="add-addressee">{page.t("urgent.addressees.add")}</h2>
            <ErrorSummary page={page} message={extras.problem?.message} errors={extras.problem?.errors} />
            <form method="post" action="/urgent-actions/addressees">
              <Csrf page={page} />
              <AddresseeFields page={page} value={extras.value ?? {}} problem={extras.problem} />
              <button type="submit">{page.t("urgent.addressees.addSubmit")}</button>
            </form>
          </section>
        ) : null}
      </>
    ),
    extras.problem?.status ?? 200,
  );
}

urgentPages.get("/urgent-actions/addressees", (c) => addresseesPage(c));

urgentPages.post("/urgent-actions/addressees", async (c) => {
  const { actor } = signedIn(c);
  let value: Record<string, string> = {};
  try {
    await createAddressee(c.var.services, c.var.origin, actor, async () => (value = addresseeInput(await readForm(c))));
  } catch (error) {
    return addresseesPage(c, { problem: formProblem(c, error), value });
  }
  throw new Redirect("/urgent-actions/addressees?done=added");
});

async function addresseePage(c: Context<AppEnv>, id: string, extras: { problem?: FormProblem; value?: Record<string, string>; failedForm?: string } = {}) {
  const { actor } = signedIn(c);
  const { services, origin } = c.var;
  const a = await getAddressee(services, origin, actor, id);
  const mayManage = can(actor, "urgent.addressee.manage", { kind: "urgent-actions", orgId: actor.orgId });
  const done = c.req.query("done");
  const value = extras.value ?? { name: a.name, title: a.title, organisation: a.organisation, postalAddress: a.postalAddress, email: a.email, fax: a.fax, salutation: a.salutation, language: a.language };
  return renderPage(
    c,
    a.name,
    (page) => (
      <section class="narrow">
        <h1>
          <bdi>{a.name}</bdi>
        </h1>
        <p>
          <a href="/urgent-actions/addressees">{page.t("urgent.addressees.title")}</a>
        </p>
        <Notice text={done === "saved" ? page.t("urgent.addressees.done.saved") : null} />
        {a.archived ? <p class="notice">{page.t("urgent.addressees.archivedOn", { date: formatTime(page.locale, a.archived.at), reason: a.archived.reason })}</p> : null}
        <ErrorSummary page={page} message={extras.problem?.message} errors={extras.problem?.errors} />
        {mayManage && !a.archived ? (
          <>
            <form method="post" action={`/urgent-actions/addressees/${a.id}`}>
              <Csrf page={page} />
              <AddresseeFields page={page} value={value} problem={extras.failedForm === "edit" ? extras.problem : undefined} />
              <button type="submit">{page.t("urgent.addressees.save")}</button>
            </form>
            <form method="post" action={`/urgent-actions/addressees/${a.id}/archive`}>
              <Csrf page={page} />
              <h2>{page.t("urgent.addressees.archive")}</h2>
              <TextArea name="reason" label={page.t("urgent.addressees.archiveReason")} value="" rows={2} required error={extras.failedForm === "archive" ? fieldErrors(extras.problem, "").reason : undefined} />
              <button type="submit" class="danger">
                {page.t("urgent.addressees.archiveSubmit")}
              </button>
            </form>
          </>
        ) : (
          <dl class="facts">
            {ADDRESSEE_FIELDS.filter((f) => value[f]).map((f) => (
              <>
                <dt>{page.t(`urgent.addressees.${f === "title" ? "titleField" : f}`)}</dt>
                <dd>{f === "language" ? page.t(`urgent.languages.${value[f]}`) : <bdi>{value[f]}</bdi>}</dd>
              </>
            ))}
          </dl>
        )}
      </section>
    ),
    extras.problem?.status ?? 200,
  );
}

urgentPages.get(`/urgent-actions/addressees/${ID}`, (c) => addresseePage(c, c.req.param("id")));

urgentPages.post(`/urgent-actions/addressees/${ID}`, async (c) => {
  const { actor } = signedIn(c);
  const id = c.req.param("id");
  let value: Record<string, string> | undefined;
  try {
    await updateAddressee(c.var.services, c.var.origin, actor, id, async () => (value = addresseeInput(await readForm(c))));
  } catch (error) {
    return addresseePage(c, id, { problem: formProblem(c, error), value, failedForm: "edit" });
  }
  throw new Redirect(`/urgent-actions/addressees/${id}?done=saved`);
});

urgentPages.post(`/urgent-actions/addressees/${ID}/archive`, async (c) => {
  const { actor } = signedIn(c);
  const id = c.req.param("id");
  try {
    await archiveAddressee(c.var.services, c.var.origin, actor, id, async () => ({ reason: field(await readForm(c), "reason") }));
  } catch (error) {
    return addresseePage(c, id, { problem: formProblem(c, error), failedForm: "archive" });
  }
  throw new Redirect("/urgent-actions/addressees?done=archived");
});

// ——— templates ———

urgentPages.get("/urgent-actions/templates", async (c) => {
  const { actor } = signedIn(c);
  const templates = await listTemplates(c.var.services, c.var.origin, actor);
  const title = c.var.t("urgent.templates.title");
  return renderPage(c, title, (page) => (
    <section class="narrow">
      <h1>{title}</h1>
      <p class="hint">{page.t("urgent.templates.intro")}</p>
      <ul>
        {templates.map((tpl) => (
          <li>
            <a href={`/urgent-actions/templates/${tpl.language}`}>{page.t(`urgent.languages.${tpl.language}`)}</a> —{" "}
            {tpl.isDefault ? page.t("urgent.templates.default") : page.t("urgent.templates.edited", { n: tpl.version, date: formatTime(page.locale, tpl.createdAt) })}
          </li>
        ))}
      </ul>
    </section>
  ));
});

interface TemplateFormValue {
  subject: string;
  body: string;
  concerns: string;
  requests: string;
  reason: string;
  baseVersion: string;
}

function valueOfTemplate(tpl: TemplateView, baseVersion: number): TemplateFormValue {
  return { subject: tpl.subject, body: tpl.body, concerns: tpl.concerns.join("\n"), requests: tpl.requests.join("\n"), reason: "", baseVersion: String(baseVersion) };
}

async function templatePage(c: Context<AppEnv>, language: UrgentLanguage, extras: { problem?: FormProblem; value?: TemplateFormValue } = {}) {
  const { actor } = signedIn(c);
  const { services, origin } = c.var;
  const current = await getTemplate(services, origin, actor, language);
  const asked = versionQuery(c);
  const shown = asked !== undefined && asked !== current.version ? await getTemplate(services, origin, actor, language, asked) : current;
  const history = await templateHistory(services, origin, actor, language);
  const mayManage = can(actor, "urgent.template.manage", { kind: "urgent-actions", orgId: actor.orgId });
  const value = extras.value ?? valueOfTemplate(shown, current.version);
  const errors = fieldErrors(extras.problem, "");
  const title = c.var.t("urgent.templates.editTitle", { language: c.var.t(`urgent.languages.${language}`) });
  const done = c.req.query("done");
  const dir = LANGUAGE_DIRECTION[language];
  const lang = LANGUAGE_TAG[language];
  const box = (name: "subject" | "body" | "concerns" | "requests", rows: number, hint?: string): Child => {
    const id = `f-${name}`;
    return (
      <div class={errors[name] ? "field has-error" : "field"}>
        <label for={id}>{c.var.t(`urgent.templates.${name}`)}</label>
        {hint ? (
          <p class="hint" id={`${id}-hint`}>
            {hint}
          </p>
        ) : null}
        <FieldError id={id} error={errors[name]} />
        <textarea id={id} name={name} rows={rows} lang={lang} dir={dir} readonly={!mayManage} aria-invalid={errors[name] ? "true" : undefined} aria-describedby={[hint ? `${id}-hint` : null, errors[name] ? `${id}-error` : null].filter(Boolean).join(" ") || undefined}>
          {value[name]}
        </textarea>
      </div>
    );
  };
  return renderPage(
    c,
    title,
    (page) => (
      <>
        <h1>{title}</h1>
        <p>
          <a href="/urgent-actions/templates">{page.t("urgent.templates.title")}</a>
        </p>
        <Notice text={done === "saved" ? page.t("urgent.templates.saved") : null} />
        {shown !== current ? <p class="notice">{page.t("urgent.templates.viewingOld", { n: shown.version, current: current.version })}</p> : null}
        <ErrorSummary page={page} message={extras.problem?.message} errors={extras.problem?.errors} />
        <details>
          <summary>{page.t("urgent.templates.syntaxTitle")}</summary>
          <p>{page.t("urgent.templates.syntax")}</p>
          <ul dir="ltr">
            {PLACEHOLDERS.map((p) => (
              <li>
                <code>{`{{${p}}}`}</code> — {page.t(`urgent.facts.${p.replace(/\./g, "_")}`)}
              </li>
            ))}
          </ul>
        </details>
        <form method="post" action={`/urgent-actions/templates/${language}`} class="wide-form">
          <Csrf page={page} />
          <input type="hidden" name="baseVersion" value={value.baseVersion} />
          {box("subject", 1)}
          {box("body", 24, page.t("urgent.templates.bodyHint"))}
          {box("concerns", 5, page.t("urgent.templates.linesHint"))}
          {box("requests", 6, page.t("urgent.templates.linesHint"))}
          {mayManage ? (
            <>
              <TextArea name="reason" label={page.t("urgent.templates.reason")} value={value.reason} rows={2} required error={errors.reason} />
              <button type="submit">{page.t("urgent.templates.save")}</button>
            </>
          ) : null}
        </form>
        <section aria-labelledby="tpl-history">
          <h2 id="tpl-history">{page.t("urgent.templates.history")}</h2>
          {history.length === 0 ? (
            <p>{page.t("urgent.templates.noHistory")}</p>
          ) : (
            <ol reversed>
              {history.map((h) => (
                <li>
                  <a href={`/urgent-actions/templates/${language}?version=${h.version}`}>{page.t("urgent.templates.versionN", { n: h.version })}</a> · {formatTime(page.locale, h.createdAt)} ·{" "}
                  <bdi>{h.authorName ?? ""}</bdi> · <bdi>{h.reason}</bdi>
                </li>
              ))}
            </ol>
          )}
        </section>
      </>
    ),
    extras.problem?.status ?? 200,
  );
}

urgentPages.get(`/urgent-actions/templates/${LANGUAGE}`, (c) => templatePage(c, c.req.param("language") as UrgentLanguage));

urgentPages.post(`/urgent-actions/templates/${LANGUAGE}`, async (c) => {
  const { actor } = signedIn(c);
  const language = c.req.param("language") as UrgentLanguage;
  let value: TemplateFormValue | undefined;
  try {
    await saveTemplate(c.var.services, c.var.origin, actor, language, async () => {
      const form = await readForm(c);
      value = { subject: field(form, "subject"), body: field(form, "body"), concerns: field(form, "concerns"), requests: field(form, "requests"), reason: field(form, "reason"), baseVersion: field(form, "baseVersion") };
      return { subject: value.subject, body: value.body, concerns: lines(value.concerns) ?? [], requests: lines(value.requests) ?? [], reason: value.reason, baseVersion: Number(value.baseVersion) };
    });
  } catch (error) {
    return templatePage(c, language, { problem: formProblem(c, error), value });
  }
  throw new Redirect(`/urgent-actions/templates/${language}?done=saved`);
});

// ——— on a detention's record page ———

/** The detention's urgent actions and, for who may write one, the way to generate one. */
export async function urgentActionsPanel(c: Context<AppEnv>, detentionId: string): Promise<Child> {
  const { actor } = signedIn(c);
  const { services, origin } = c.var;
  if (!can(actor, "urgent.view", { kind: "record", orgId: actor.orgId, restricted: false, onAccessList: false })) return null;
  const actions = await listUrgentActions(services, origin, actor, { detention: detentionId, limit: 50 });
  const mayCreate = can(actor, "urgent.create", { kind: "record", orgId: actor.orgId, restricted: false, onAccessList: false });
  const page = { t: c.var.t, locale: c.var.locale };
  return (
    <section aria-labelledby="urgent-actions-title" class="urgent-panel">
      <h2 id="urgent-actions-title">{page.t("urgent.record.title")}</h2>
      {actions.length === 0 ? (
        <p>{page.t("urgent.list.empty")}</p>
      ) : (
        <ul>
          {actions.map((a) => (
            <li>
              <a href={`/urgent-actions/${a.id}`} lang={LANGUAGE_TAG[a.language]} dir={LANGUAGE_DIRECTION[a.language]}>
                {a.subject}
              </a>{" "}
              · {page.t(`urgent.status.${a.status}`)} · {formatTime(page.locale, a.updatedAt)}
            </li>
          ))}
        </ul>
      )}
      {mayCreate ? (
        <p>
          <a href={`/urgent-actions/new/${detentionId}`} class="button">
            {page.t("urgent.record.generate")}
          </a>
        </p>
      ) : null}
    </section>
  );
}
