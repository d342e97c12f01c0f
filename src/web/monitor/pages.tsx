// Detainee monitoring pages: a detention's timeline with the forms that add to it, recording a
// detention from a person, the facility registry and a facility's page, and the "Detentions"
// section of a person's record page. Server-rendered; every form works without JavaScript.
import { Hono, type Context } from "hono";
import type { Child } from "hono/jsx";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { can, Forbidden, NotFound } from "../../core/index.ts";
import {
  addProofOfLife, addStatusChange, addTreatmentReport, getDetention, getFacility, listFacilities, personDetentions, recordDetention, type DetentionView, type FacilitySummary,
} from "../../monitor/index.ts";
import { browseRecords, captionsOf, getEntity, listVocabularies, termLabel, type EntityView, type RecordCaption } from "../../records/index.ts";
import type { AppEnv } from "../env.ts";
import { UUID_PARAM } from "../format.ts";
import { field, readForm, type FormData } from "../middleware/body.ts";
import { Csrf, ErrorSummary, Notice, type PageContext } from "../pages/layout.tsx";
import { Redirect, renderPage, signedIn, type FormProblem } from "../render.tsx";
import { dateSpan, propertyLabel, valueLabel, vocabularyIndex } from "../records/labels.ts";
import { recordProblem } from "../records/messages.ts";
import { ReasonField, RecordLink, Select, TextField, Written, type Lookup } from "../records/parts.tsx";
import { FacilityText, PersonLink, RecordSelect, referencedBy, SilenceText, StatusText } from "./parts.tsx";

export const monitorPages = new Hono<AppEnv>();

const ID = `:id{${UUID_PARAM}}`;
const ADD_FORMS = ["statuses", "proofs-of-life", "treatment-reports"] as const;
type AddForm = (typeof ADD_FORMS)[number];
const DONE = new Set(["recorded", ...ADD_FORMS]);

type Translate = AppEnv["Variables"]["t"];

/** The monitoring service's own messages, in the reader's language; the records' ones as the records pages show them. */
const MESSAGES: [RegExp, (t: Translate, m: RegExpExecArray) => string][] = [
  [/^is before the detention began \((.+)\)$/, (t, m) => t("monitor.errors.beforeStart", { date: m[1]! })],
  [/^is in the future: today is (.+)$/, (t, m) => t("monitor.errors.future", { today: m[1]! })],
  [/^the person is already recorded as released \((.+?)\)/, (t, m) => t("monitor.errors.alreadyReleased", { date: m[1]! })],
  [/^the person is already recorded as detained \(since (.+?), detention/, (t, m) => t("monitor.errors.overlapOngoing", { since: m[1]! })],
  [/^overlaps the detention \S+ \((.+) to (.+)\)/, (t, m) => t("monitor.errors.overlap", { from: m[1]!, to: m[2]! })],
  [/^no such person$/, (t) => t("monitor.errors.noPerson")],
  [/^no such facility$/, (t) => t("monitor.errors.noFacility")],
  [/^this place is not a facility/, (t) => t("monitor.errors.notFacility")],
  [/^cite the Source record/, (t) => t("monitor.errors.cite")],
  [/^between 1 and 3650 days$/, (t) => t("monitor.errors.silenceDays")],
  [/^not an EDTF date/, (t) => t("monitor.errors.edtf")],
  [/^choose a status$/, (t) => t("monitor.errors.chooseStatus")],
  [/^choose a treatment$/, (t) => t("monitor.errors.chooseTreatment")],
  [/^ends before the status change$/, (t) => t("monitor.errors.sentenceEnd")],
  [/^the detention is archived/, (t) => t("monitor.errors.archived")],
];

function monitorMessage(t: Translate, message: string): string | null {
  for (const [pattern, render] of MESSAGES) {
    const m = pattern.exec(message);
    if (m) return render(t, m);
  }
  return null;
}

function monitorProblem(c: Context<AppEnv>, error: unknown): FormProblem {
  const problem = recordProblem(c, error);
  const fields = (error as { fields?: Record<string, string> }).fields ?? {};
  const t = c.var.t;
  return {
    status: problem.status,
    message: monitorMessage(t, error instanceof Error ? error.message : "") ?? problem.message,
    errors: Object.fromEntries(Object.entries(problem.errors).map(([k, v]) => [k, monitorMessage(t, fields[k] ?? "") ?? v])),
  };
}

function today(c: Context<AppEnv>): string {
  return c.var.services.now().toISOString().slice(0, 10);
}

function mayWrite(c: Context<AppEnv>): boolean {
  const { actor } = signedIn(c);
  return can(actor, "record.create", { kind: "records", orgId: actor.orgId });
}

async function lookupFor(c: Context<AppEnv>, ids: readonly string[]): Promise<Lookup> {
  const { actor } = signedIn(c);
  const vocabularies = vocabularyIndex(await listVocabularies(c.var.services, c.var.origin, actor));
  return { vocabularies, captions: await captionsOf(c.var.services, actor, ids) };
}

/** Terms of a vocabulary still offered, labelled in the reader's language. */
function termOptions(page: PageContext, lookup: Lookup, vocabulary: string, none?: string) {
  const terms = [...(lookup.vocabularies.get(vocabulary)?.values() ?? [])].filter((term) => !term.retired);
  return [...(none !== undefined ? [{ value: "", label: none }] : []), ...terms.map((term) => ({ value: term.code, label: termLabel(term, page.locale) }))];
}

interface Pickers {
  sources: RecordCaption[];
  facilities: RecordCaption[];
  sourceQuery: string;
}

/** The sources offered (those found by the query first, then the latest changed) and every facility. */
async function pickers(c: Context<AppEnv>, sourceQuery: string): Promise<Pickers> {
  const { actor } = signedIn(c);
  const { services, origin } = c.var;
  const found = sourceQuery ? (await browseRecords(services, origin, actor, { q: sourceQuery.slice(0, 200), limit: 30 }, ["Source"])).records.map((r) => r.id) : [];
  const latest = (await browseRecords(services, origin, actor, { sort: "updated", limit: 50 }, ["Source"])).records.map((r) => r.id);
  const facilities: FacilitySummary[] = await listFacilities(services, origin, actor, { limit: 500 });
  const captions = await captionsOf(services, actor, [...found, ...latest, ...facilities.map((f) => f.facility.id)]);
  const of = (ids: readonly string[]) => ids.map((id) => captions.get(id)).filter((x): x is RecordCaption => x !== undefined);
  return { sources: of([...found, ...latest]), facilities: of(facilities.map((f) => f.facility.id)), sourceQuery };
}

/** A form's fields as the service reads them: empty fields left out, checkboxes as booleans. */
function inputFrom(form: FormData, names: readonly string[], flags: readonly string[] = []): Record<string, unknown> {
  const input: Record<string, unknown> = {};
  for (const name of names) {
    const value = field(form, name).trim();
    if (value !== "") input[name] = value;
  }
  for (const flag of flags) if (field(form, flag) === "yes") input[flag] = true;
  return input;
}

function SensitivityChoice({ page, id, value }: { page: PageContext; id: string; value: string | undefined }) {
  const { t } = page;
  return (
    <>
      <Select id={`${id}-sensitivity`} name="sensitivity" label={t("monitor.form.sensitivity")} value={value ?? "internal"} options={(["public", "internal", "restricted"] as const).map((s) => ({ value: s, label: t(`records.sensitivityLevel.${s}`) }))} />
      <div class="field">
        <input type="checkbox" id={`${id}-restricted`} name="restricted" value="yes" />
        <label for={`${id}-restricted`}>{t("monitor.form.restricted")}</label>
      </div>
    </>
  );
}

function DateField({ id, name, label, value, error, hint }: { id: string; name: string; label: string; value: string | undefined; error?: string | undefined; hint: string }) {
  return <TextField id={id} name={name} label={label} value={value} error={error} hint={hint} dir="ltr" />;
}

// ---------------------------------------------------------------------------------------------
// A detention's page

interface DetentionPageView {
  view: DetentionView;
  lookup: Lookup;
  pickers: Pickers | null;
  today: string;
  notice?: string | null;
  problem?: FormProblem | undefined;
  failedForm?: AddForm | undefined;
  values?: Record<string, string>;
}

function TimelineEntryText({ page, lookup, entry }: { page: PageContext; lookup: Lookup; entry: DetentionView["timeline"][number] }) {
  const { t } = page;
  const r = entry.record;
  const value = (property: string) => r.statements.find((s) => s.property === property && s.value !== null);
  const label = (property: string) => {
    const s = value(property);
    return s ? valueLabel(t, page.locale, lookup.vocabularies, r.schema, property, s.value!) : null;
  };
  const sources = [...new Set(r.statements.map((s) => s.source).filter((s): s is string => s !== null))];
  const facts: Child[] = [];
  if (entry.kind === "detained") facts.push(<strong>{t("monitor.timeline.detained")}</strong>);
  if (entry.kind === "status") facts.push(<strong>{label("status") ?? t("records.notShown")}</strong>);
  if (entry.kind === "proof-of-life") facts.push(<strong>{t("monitor.timeline.proofOfLife")}</strong>, label("kind"), label("reliability"));
  if (entry.kind === "treatment") facts.push(<strong>{label("treatment") ?? t("records.notShown")}</strong>);
  for (const property of ["facility"]) {
    const s = value(property);
    if (s) facts.push(<>{propertyLabel(t, r.schema, property)}: <RecordLink page={page} id={s.value!} caption={lookup.captions.get(s.value!)} /></>);
  }
  if (entry.kind === "status" && r.properties.status?.[0] === "transferred" && !value("facility")) facts.push(<em>{t("monitor.unknownPlace")}</em>);
  for (const property of ["court", "term", "sentenceEnd", "reporter", "grounds", "description"]) {
    const s = value(property);
    if (s) facts.push(<>{propertyLabel(t, r.schema, property)}: <Written value={s.value!} lang={s.lang} script={s.script} /></>);
  }
  if (r.statements.some((s) => s.sealed)) facts.push(<span class="sealed">{t("records.sealed")}</span>);
  return (
    <li>
      <span class="when" dir="ltr">{entry.date ?? "?"}</span>
      {entry.earliest ? <span class="hint"> ({dateSpan(page.locale, entry.earliest, entry.latest)})</span> : null} —{" "}
      {facts.filter((f) => f !== null).map((f, i) => (
        <>
          {i > 0 ? " · " : null}
          {f}
        </>
      ))}
      {r.restricted ? <span class="badge restricted"> {t("records.restricted")}</span> : null}
      <span class="hint">
        {" "}
        — {sources.length === 0 ? t("records.noSource") : null}
        {sources.map((s, i) => (
          <>
            {i > 0 ? ", " : null}
            <RecordLink page={page} id={s} caption={lookup.captions.get(s)} />
          </>
        ))}{" "}
        · <a href={`/records/${r.id}`}>{t("monitor.timeline.record")}</a>
      </span>
    </li>
  );
}

function AddForms({ page, v }: { page: PageContext; v: DetentionPageView }) {
  const { t } = page;
  if (!v.pickers || v.view.detention.archived) return null;
  const id = v.view.detention.id;
  const errorsOf = (form: AddForm) => (v.failedForm === form ? (v.problem?.errors ?? {}) : {});
  const valueOf = (form: AddForm, name: string) => (v.failedForm === form ? v.values?.[name] : undefined);
  const dateHint = t("monitor.form.dateHint");
  const source = (form: AddForm, prefix: string) => (
    <RecordSelect page={page} id={`f-${prefix}-source`} name="source" label={t("monitor.form.source")} value={valueOf(form, "source")} options={v.pickers!.sources} none={t("monitor.form.chooseSource")} error={errorsOf(form).source} hint={t("monitor.form.sourceHint")} />
  );
  const facility = (form: AddForm, prefix: string) => (
    <RecordSelect page={page} id={`f-${prefix}-facility`} name="facility" label={t("monitor.form.facility")} value={valueOf(form, "facility")} options={v.pickers!.facilities} none={t("monitor.form.noFacility")} error={errorsOf(form).facility} hint={t("monitor.form.facilityHint")} />
  );
  return (
    <section aria-labelledby="add-title" id="add">
      <h2 id="add-title">{t("monitor.add.title")}</h2>
      <form method="get" action={`/monitor/detentions/${id}#add`} class="inline">
        <label for="f-sourceq">{t("monitor.form.findSource")}</label> <input id="f-sourceq" name="sourceq" type="search" value={v.pickers.sourceQuery} dir="auto" maxlength={200} /> <button type="submit">{t("monitor.form.find")}</button>
      </form>
      <form method="post" action={`/monitor/detentions/${id}/statuses`} id="statuses">
        <h3>{t("monitor.add.status")}</h3>
        <Csrf page={page} />
        <Select id="f-status-status" name="status" label={t("monitor.form.status")} value={valueOf("statuses", "status")} options={termOptions(page, v.lookup, "custody-statuses", t("monitor.form.chooseStatus"))} error={errorsOf("statuses").status} />
        <DateField id="f-status-date" name="date" label={t("monitor.form.date")} value={valueOf("statuses", "date")} error={errorsOf("statuses").date} hint={dateHint} />
        {source("statuses", "status")}
        {facility("statuses", "status")}
        <TextField id="f-status-court" name="court" label={t("monitor.form.court")} value={valueOf("statuses", "court")} error={errorsOf("statuses").court} />
        <TextField id="f-status-term" name="term" label={t("monitor.form.term")} value={valueOf("statuses", "term")} error={errorsOf("statuses").term} />
        <DateField id="f-status-sentenceEnd" name="sentenceEnd" label={t("monitor.form.sentenceEnd")} value={valueOf("statuses", "sentenceEnd")} error={errorsOf("statuses").sentenceEnd} hint={dateHint} />
        <SensitivityChoice page={page} id="f-status" value={valueOf("statuses", "sensitivity")} />
        <button type="submit">{t("monitor.add.statusSubmit")}</button>
      </form>
      <form method="post" action={`/monitor/detentions/${id}/proofs-of-life`} id="proofs-of-life">
        <h3>{t("monitor.add.proofOfLife")}</h3>
        <Csrf page={page} />
        <DateField id="f-proof-date" name="date" label={t("monitor.form.date")} value={valueOf("proofs-of-life", "date")} error={errorsOf("proofs-of-life").date} hint={dateHint} />
        <Select id="f-proof-kind" name="kind" label={t("monitor.form.kind")} value={valueOf("proofs-of-life", "kind")} options={termOptions(page, v.lookup, "proof-of-life-kinds", "—")} error={errorsOf("proofs-of-life").kind} />
        <Select id="f-proof-reliability" name="reliability" label={t("monitor.form.reliability")} value={valueOf("proofs-of-life", "reliability")} options={termOptions(page, v.lookup, "reliability", "—")} error={errorsOf("proofs-of-life").reliability} />
        <TextField id="f-proof-reporter" name="reporter" label={t("monitor.form.reporter")} value={valueOf("proofs-of-life", "reporter")} error={errorsOf("proofs-of-life").reporter} hint={t("monitor.form.reporterHint")} />
        <Select id="f-proof-reporterSensitivity" name="reporterSensitivity" label={t("monitor.form.reporterSensitivity")} value={valueOf("proofs-of-life", "reporterSensitivity") ?? "secret"} options={(["secret", "restricted", "internal"] as const).map((s) => ({ value: s, label: t(`records.sensitivityLevel.${s}`) }))} />
        {source("proofs-of-life", "proof")}
        <SensitivityChoice page={page} id="f-proof" value={valueOf("proofs-of-life", "sensitivity")} />
        <button type="submit">{t("monitor.add.proofOfLifeSubmit")}</button>
      </form>
      <form method="post" action={`/monitor/detentions/${id}/treatment-reports`} id="treatment-reports">
        <h3>{t("monitor.add.treatment")}</h3>
        <Csrf page={page} />
        <Select id="f-treatment-treatment" name="treatment" label={t("monitor.form.treatment")} value={valueOf("treatment-reports", "treatment")} options={termOptions(page, v.lookup, "treatment-types", t("monitor.form.chooseTreatment"))} error={errorsOf("treatment-reports").treatment} />
        <DateField id="f-treatment-date" name="date" label={t("monitor.form.date")} value={valueOf("treatment-reports", "date")} error={errorsOf("treatment-reports").date} hint={dateHint} />
        <div class="field">
          <label for="f-treatment-description">{t("monitor.form.description")}</label>
          <textarea id="f-treatment-description" name="description" rows={4} dir="auto">{valueOf("treatment-reports", "description") ?? ""}</textarea>
        </div>
        {source("treatment-reports", "treatment")}
        <SensitivityChoice page={page} id="f-treatment" value={valueOf("treatment-reports", "sensitivity")} />
        <button type="submit">{t("monitor.add.treatmentSubmit")}</button>
      </form>
    </section>
  );
}

const FORM_PREFIX: Record<AddForm, string> = { statuses: "status", "proofs-of-life": "proof", "treatment-reports": "treatment" };

function DetentionPage(page: PageContext, v: DetentionPageView) {
  const { t } = page;
  const { view, lookup } = v;
  const s = view.summary;
  const summaryErrors = v.failedForm ? Object.fromEntries(Object.entries(v.problem?.errors ?? {}).map(([k, m]) => [`${FORM_PREFIX[v.failedForm!]}-${k}`, m])) : {};
  return (
    <>
      <p class="breadcrumb">
        {s.personId ? <RecordLink page={page} id={s.personId} caption={lookup.captions.get(s.personId)} /> : null}
      </p>
      <h1>
        {t("monitor.detention.title")} — <PersonLink page={page} lookup={lookup} view={view} />
      </h1>
      {view.detention.archived ? <p class="notice">{t("monitor.detention.archived")}</p> : null}
      {view.detention.restricted ? <p class="hint"><span class="badge restricted">{t("records.restricted")}</span></p> : null}
      <Notice text={v.notice} />
      <ErrorSummary page={page} message={v.problem?.message} errors={summaryErrors} />
      <section aria-labelledby="summary-title">
        <h2 id="summary-title" class="visually-hidden">{t("monitor.detention.summary")}</h2>
        <dl class="statements">
          <dt>{t("monitor.columns.status")}</dt>
          <dd><StatusText page={page} lookup={lookup} summary={s} /></dd>
          <dt>{t("monitor.columns.facility")}</dt>
          <dd><FacilityText page={page} lookup={lookup} summary={s} /></dd>
          <dt>{t("monitor.columns.since")}</dt>
          <dd>{dateSpan(page.locale, s.startedEarliest, s.startedLatest) ?? <span class="hint">{t("monitor.unknownDate")}</span>}</dd>
          <dt>{t("monitor.columns.silence")}</dt>
          <dd><SilenceText page={page} summary={s} today={v.today} /></dd>
          {s.sentenceEnd ? (
            <>
              <dt>{t("monitor.columns.sentenceEnd")}</dt>
              <dd>{dateSpan(page.locale, s.sentenceEnd, s.sentenceEnd)}</dd>
            </>
          ) : null}
          {s.silenceDays !== null ? (
            <>
              <dt>{t("monitor.columns.window")}</dt>
              <dd>{t("monitor.windowDays", { n: s.silenceDays })}</dd>
            </>
          ) : null}
        </dl>
        <p>
          <a href={`/records/${view.detention.id}`}>{t("monitor.detention.recordLink")}</a>
        </p>
      </section>
      <section aria-labelledby="timeline-title" id="timeline">
        <h2 id="timeline-title">{t("monitor.timeline.title")}</h2>
        <ol class="timeline">
          {view.timeline.map((entry) => (
            <TimelineEntryText page={page} lookup={lookup} entry={entry} />
          ))}
        </ol>
      </section>
      <AddForms page={page} v={v} />
    </>
  );
}

async function showDetention(c: Context<AppEnv>, id: string, extras: Partial<DetentionPageView> = {}, status: ContentfulStatusCode = 200) {
  const { actor } = signedIn(c);
  const view = await getDetention(c.var.services, c.var.origin, actor, id);
  const writer = mayWrite(c);
  const pick = writer ? await pickers(c, c.req.query("sourceq") ?? "") : null;
  const lookup = await lookupFor(c, [...referencedBy([view]), ...(extras.values?.source ? [extras.values.source] : [])]);
  const v: DetentionPageView = { view, lookup, pickers: pick, today: today(c), ...extras };
  return renderPage(c, c.var.t("monitor.detention.title"), (page) => DetentionPage(page, v), status);
}

monitorPages.get(`/monitor/detentions/${ID}`, (c) => {
  const done = c.req.query("done");
  return showDetention(c, c.req.param("id"), { notice: done && DONE.has(done) ? c.var.t(`monitor.done.${done}`) : null });
});

const ADDERS = { statuses: addStatusChange, "proofs-of-life": addProofOfLife, "treatment-reports": addTreatmentReport } as const;
const FIELDS: Record<AddForm, readonly string[]> = {
  statuses: ["status", "date", "source", "facility", "court", "term", "sentenceEnd", "sensitivity"],
  "proofs-of-life": ["date", "kind", "reliability", "reporter", "reporterSensitivity", "source", "sensitivity"],
  "treatment-reports": ["treatment", "date", "description", "source", "sensitivity"],
};

for (const form of ADD_FORMS) {
  monitorPages.post(`/monitor/detentions/${ID}/${form}`, async (c) => {
    const { actor } = signedIn(c);
    const id = c.req.param("id");
    let values: Record<string, string> = {};
    try {
      await ADDERS[form](c.var.services, c.var.origin, actor, id, async () => {
        const data = await readForm(c);
        const input = inputFrom(data, FIELDS[form], ["restricted"]);
        values = Object.fromEntries(Object.entries(input).filter(([, v]) => typeof v === "string")) as Record<string, string>;
        return input;
      });
    } catch (error) {
      const problem = monitorProblem(c, error);
      return showDetention(c, id, { problem, failedForm: form, values }, problem.status);
    }
    throw new Redirect(`/monitor/detentions/${id}?done=${form}#timeline`);
  });
}

// ---------------------------------------------------------------------------------------------
// Recording a detention

interface NewDetentionView {
  person: EntityView;
  lookup: Lookup;
  pickers: Pickers;
  problem?: FormProblem | undefined;
  values: Record<string, string>;
}

function NewDetentionPage(page: PageContext, v: NewDetentionView) {
  const { t } = page;
  const errors = v.problem?.errors ?? {};
  const prefixed = Object.fromEntries(Object.entries(errors).map(([k, m]) => [`new-${k}`, m]));
  const dateHint = t("monitor.form.dateHint");
  return (
    <>
      <p class="breadcrumb">
        <RecordLink page={page} id={v.person.id} caption={v.lookup.captions.get(v.person.id)} />
      </p>
      <h1>{t("monitor.new.title")}</h1>
      <ErrorSummary page={page} message={v.problem?.message} errors={prefixed} />
      <form method="get" action="/monitor/detentions/new" class="inline">
        <input type="hidden" name="person" value={v.person.id} />
        <label for="f-sourceq">{t("monitor.form.findSource")}</label> <input id="f-sourceq" name="sourceq" type="search" value={v.pickers.sourceQuery} dir="auto" maxlength={200} /> <button type="submit">{t("monitor.form.find")}</button>
      </form>
      <form method="post" action={`/monitor/detentions/new?person=${v.person.id}`}>
        <Csrf page={page} />
        <input type="hidden" name="person" value={v.person.id} />
        <p>
          {t("monitor.new.person")}: <RecordLink page={page} id={v.person.id} caption={v.lookup.captions.get(v.person.id)} />
        </p>
        {errors.person ? <p class="field-error" id="f-new-person">{errors.person}</p> : null}
        <DateField id="f-new-startDate" name="startDate" label={t("monitor.form.startDate")} value={v.values.startDate} error={errors.startDate} hint={dateHint} />
        <RecordSelect page={page} id="f-new-facility" name="facility" label={t("monitor.form.facility")} value={v.values.facility} options={v.pickers.facilities} none={t("monitor.form.noFacility")} error={errors.facility} hint={t("monitor.form.facilityHint")} />
        <RecordSelect page={page} id="f-new-source" name="source" label={t("monitor.form.source")} value={v.values.source} options={v.pickers.sources} none={t("monitor.form.chooseSource")} error={errors.source} hint={t("monitor.form.sourceHint")} />
        <div class={errors.grounds ? "field has-error" : "field"}>
          <label for="f-new-grounds">{t("monitor.form.grounds")}</label>
          {errors.grounds ? <p class="field-error">{errors.grounds}</p> : null}
          <textarea id="f-new-grounds" name="grounds" rows={3} dir="auto">{v.values.grounds ?? ""}</textarea>
        </div>
        <div class={errors.silenceDays ? "field has-error" : "field"}>
          <label for="f-new-silenceDays">{t("monitor.form.silenceDays")}</label>
          <p class="hint" id="f-new-silenceDays-hint">{t("monitor.form.silenceDaysHint")}</p>
          {errors.silenceDays ? <p class="field-error" id="f-new-silenceDays-error">{errors.silenceDays}</p> : null}
          <input id="f-new-silenceDays" name="silenceDays" type="number" min={1} max={3650} inputmode="numeric" value={v.values.silenceDays ?? ""} aria-invalid={errors.silenceDays ? "true" : undefined} aria-describedby={`f-new-silenceDays-hint${errors.silenceDays ? " f-new-silenceDays-error" : ""}`} />
        </div>
        <SensitivityChoice page={page} id="f-new" value={v.values.sensitivity} />
        {errors.confirmOverlap ? (
          <div class="field has-error">
            <p class="field-error">{errors.confirmOverlap}</p>
            <input type="checkbox" id="f-new-confirmOverlap" name="confirmOverlap" value="yes" />
            <label for="f-new-confirmOverlap">{t("monitor.new.confirmOverlap")}</label>
          </div>
        ) : null}
        <ReasonField page={page} id="f-new-reason" optional error={errors.reason} value={v.values.reason} />
        <button type="submit">{t("monitor.new.submit")}</button>
      </form>
    </>
  );
}

async function showNewDetention(c: Context<AppEnv>, values: Record<string, string>, problem?: FormProblem, status: ContentfulStatusCode = 200) {
  const { actor } = signedIn(c);
  // Asked before anything is read: a viewer is refused, not told about the person.
  if (!mayWrite(c)) throw new Forbidden("only those who document may record a detention");
  const personId = c.req.query("person") ?? "";
  const person = await getEntity(c.var.services, c.var.origin, actor, personId).catch((error: unknown) => {
    throw error instanceof NotFound || !/^[0-9a-f-]{36}$/.test(personId) ? new NotFound("no such person") : error;
  });
  if (person.schema !== "Person") throw new NotFound("no such person");
  const pick = await pickers(c, c.req.query("sourceq") ?? "");
  const lookup = await lookupFor(c, [person.id, ...(values.source ? [values.source] : [])]);
  return renderPage(c, c.var.t("monitor.new.title"), (page) => NewDetentionPage(page, { person, lookup, pickers: pick, problem, values }), status);
}

monitorPages.get("/monitor/detentions/new", (c) => showNewDetention(c, {}));

monitorPages.post("/monitor/detentions/new", async (c) => {
  const { actor } = signedIn(c);
  let values: Record<string, string> = {};
  let created: DetentionView;
  try {
    created = await recordDetention(c.var.services, c.var.origin, actor, async () => {
      const data = await readForm(c);
      const input = inputFrom(data, ["person", "startDate", "facility", "source", "grounds", "silenceDays", "sensitivity", "reason"], ["restricted", "confirmOverlap"]);
      values = Object.fromEntries(Object.entries(input).filter(([, v]) => typeof v === "string")) as Record<string, string>;
      return input;
    });
  } catch (error) {
    const problem = monitorProblem(c, error);
    return showNewDetention(c, values, problem, problem.status);
  }
  throw new Redirect(`/monitor/detentions/${created.detention.id}?done=recorded`);
});

// ---------------------------------------------------------------------------------------------
// Facilities

function FacilitiesPage(page: PageContext, facilities: FacilitySummary[], lookup: Lookup) {
  const { t } = page;
  return (
    <>
      <h1>{t("monitor.facilities.title")}</h1>
      <p class="hint">{t("monitor.facilities.intro")}</p>
      {facilities.length === 0 ? <p>{t("monitor.facilities.none")}</p> : (
        <table>
          <caption class="visually-hidden">{t("monitor.facilities.title")}</caption>
          <thead>
            <tr>
              <th scope="col">{t("monitor.columns.facility")}</th>
              <th scope="col">{t("monitor.columns.type")}</th>
              <th scope="col">{t("monitor.columns.heldNow")}</th>
              <th scope="col">{t("monitor.columns.activity")}</th>
            </tr>
          </thead>
          <tbody>
            {facilities.map(({ facility, heldNow }) => {
              const caption = lookup.captions.get(facility.id);
              return (
                <tr>
                  <td>
                    <a href={`/monitor/facilities/${facility.id}`}>{caption?.caption ? <Written value={caption.caption} lang={caption.lang} script={caption.script} /> : t("monitor.facility")}</a>
                  </td>
                  <td>{(facility.properties.placeType ?? []).map((p) => valueLabel(t, page.locale, lookup.vocabularies, "Address", "placeType", p)).join(", ")}</td>
                  <td>{heldNow}</td>
                  <td dir="ltr">{[facility.properties.firstActivity?.[0], facility.properties.lastActivity?.[0]].filter(Boolean).join(" – ")}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </>
  );
}

monitorPages.get("/monitor/facilities", async (c) => {
  const { actor } = signedIn(c);
  const facilities = await listFacilities(c.var.services, c.var.origin, actor, { limit: 500 });
  const lookup = await lookupFor(c, facilities.map((f) => f.facility.id));
  return renderPage(c, c.var.t("monitor.facilities.title"), (page) => FacilitiesPage(page, facilities, lookup));
});

function DetentionRows({ page, lookup, views, today }: { page: PageContext; lookup: Lookup; views: DetentionView[]; today: string }) {
  const { t } = page;
  return (
    <table>
      <thead>
        <tr>
          <th scope="col">{t("monitor.columns.person")}</th>
          <th scope="col">{t("monitor.columns.status")}</th>
          <th scope="col">{t("monitor.columns.since")}</th>
          <th scope="col">{t("monitor.columns.silence")}</th>
          <th scope="col">{t("monitor.columns.detention")}</th>
        </tr>
      </thead>
      <tbody>
        {views.map((view) => (
          <tr>
            <td><PersonLink page={page} lookup={lookup} view={view} /></td>
            <td><StatusText page={page} lookup={lookup} summary={view.summary} /></td>
            <td>{dateSpan(page.locale, view.summary.startedEarliest, view.summary.startedLatest) ?? "?"}</td>
            <td><SilenceText page={page} summary={view.summary} today={today} /></td>
            <td><a href={`/monitor/detentions/${view.detention.id}`}>{t("monitor.open")}</a></td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

monitorPages.get(`/monitor/facilities/${ID}`, async (c) => {
  const { actor } = signedIn(c);
  const view = await getFacility(c.var.services, c.var.origin, actor, c.req.param("id"));
  const all = [...view.heldNow, ...view.heldBefore];
  const lookup = await lookupFor(c, [view.facility.id, ...referencedBy(all), ...(view.facility.properties.operator ?? [])]);
  const caption = lookup.captions.get(view.facility.id);
  const day = today(c);
  return renderPage(c, caption?.caption ?? c.var.t("monitor.facility"), (page) => {
    const { t } = page;
    const p = view.facility.properties;
    return (
      <>
        <p class="breadcrumb"><a href="/monitor/facilities">{t("monitor.facilities.title")}</a></p>
        <h1>{caption?.caption ? <Written value={caption.caption} lang={caption.lang} script={caption.script} /> : t("monitor.facility")}</h1>
        <dl class="statements">
          <dt>{t("monitor.columns.type")}</dt>
          <dd>{(p.placeType ?? []).map((x) => valueLabel(t, page.locale, lookup.vocabularies, "Address", "placeType", x)).join(", ")}</dd>
          {p.operator?.length ? (<><dt>{propertyLabel(t, "Address", "operator")}</dt><dd>{p.operator.map((o) => <RecordLink page={page} id={o} caption={lookup.captions.get(o)} />)}</dd></>) : null}
          {p.capacity?.length ? (<><dt>{propertyLabel(t, "Address", "capacity")}</dt><dd>{p.capacity.join(", ")}</dd></>) : null}
          {p.latitude?.length && p.longitude?.length ? (<><dt>{t("monitor.columns.coordinates")}</dt><dd dir="ltr">{p.latitude[0]}, {p.longitude[0]}</dd></>) : null}
          <dt>{t("monitor.columns.activity")}</dt>
          <dd dir="ltr">{[p.firstActivity?.[0], p.lastActivity?.[0]].filter(Boolean).join(" – ") || "?"}</dd>
        </dl>
        <p><a href={`/records/${view.facility.id}`}>{t("monitor.facilities.recordLink")}</a></p>
        <section aria-labelledby="now-title">
          <h2 id="now-title">{t("monitor.facilities.heldNow", { n: view.heldNow.length })}</h2>
          {view.heldNow.length ? <DetentionRows page={page} lookup={lookup} views={view.heldNow} today={day} /> : <p>{t("monitor.facilities.nobody")}</p>}
        </section>
        <section aria-labelledby="before-title">
          <h2 id="before-title">{t("monitor.facilities.heldBefore", { n: view.heldBefore.length })}</h2>
          {view.heldBefore.length ? <DetentionRows page={page} lookup={lookup} views={view.heldBefore} today={day} /> : <p>{t("monitor.facilities.nobody")}</p>}
        </section>
        {view.truncated ? <p class="hint">{t("monitor.facilities.truncated")}</p> : null}
      </>
    );
  });
});

// ---------------------------------------------------------------------------------------------
// The "Detentions" section of a person's record page

/** The section for a person's record page; null for any other record. */
export async function detentionsPanelFor(c: Context<AppEnv>, entity: EntityView): Promise<Child | null> {
  if (entity.schema !== "Person" || entity.mergedInto) return null;
  const { actor } = signedIn(c);
  const views = await personDetentions(c.var.services, c.var.origin, actor, entity.id);
  const lookup = await lookupFor(c, referencedBy(views));
  const writer = mayWrite(c) && entity.archived === null;
  const day = today(c);
  const t = c.var.t;
  return (
    <section aria-labelledby="detentions-title" id="detentions">
      <h2 id="detentions-title">{t("monitor.person.title")}</h2>
      {views.length === 0 ? <p>{t("monitor.person.none")}</p> : null}
      {views.length > 0 ? (
        <ul class="links">
          {views.map((view) => {
            const page: PageContext = { t, locale: c.var.locale, principal: c.var.principal, csrfToken: c.var.csrfToken, path: "" };
            return (
              <li>
                <a href={`/monitor/detentions/${view.detention.id}`}>
                  {t("monitor.person.since", { when: dateSpan(c.var.locale, view.summary.startedEarliest, view.summary.startedLatest) ?? "?" })}
                </a>{" "}
                — <StatusText page={page} lookup={lookup} summary={view.summary} /> · <FacilityText page={page} lookup={lookup} summary={view.summary} /> · <SilenceText page={page} summary={view.summary} today={day} />
              </li>
            );
          })}
        </ul>
      ) : null}
      {writer ? (
        <p>
          <a href={`/monitor/detentions/new?person=${entity.id}`}>{t("monitor.person.record")}</a>
        </p>
      ) : null}
    </section>
  );
}
