import { Hono, type Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { addTerm, changeTerm, getVocabulary, listVocabularies, termLabel, type TermView, type VocabularyView } from "../../records/index.ts";
import type { AppEnv } from "../env.ts";
import { requirePrincipal } from "../middleware/auth.ts";
import { field, readForm, readJson } from "../middleware/body.ts";
import { formProblem, Redirect, renderPage, signedIn, type FormProblem } from "../render.tsx";
import { Csrf, ErrorSummary, Notice, type PageContext } from "../pages/layout.tsx";

/**
 * Controlled vocabularies: read over the API by every member but partners, changed by administrators
 * over the API and on /admin/vocabularies (plain forms, no script needed). Thin: src/records decides.
 */
export const vocabularyRoutes = new Hono<AppEnv>();

const NAME = ":name{[a-z][a-z-]{1,39}}";
const CODE = ":code{[a-z0-9][a-z0-9-]{0,63}}";

// ——— API ———

vocabularyRoutes.get("/api/v1/vocabularies", async (c) => {
  const { actor } = requirePrincipal(c);
  return c.json({ vocabularies: await listVocabularies(c.var.services, c.var.origin, actor) });
});

vocabularyRoutes.get(`/api/v1/vocabularies/${NAME}`, async (c) => {
  const { actor } = requirePrincipal(c);
  return c.json(await getVocabulary(c.var.services, c.var.origin, actor, c.req.param("name")));
});

vocabularyRoutes.post(`/api/v1/vocabularies/${NAME}/terms`, async (c) => {
  const { actor } = requirePrincipal(c);
  const term = await addTerm(c.var.services, c.var.origin, actor, c.req.param("name"), () => readJson(c));
  return c.json(term, 201);
});

vocabularyRoutes.patch(`/api/v1/vocabularies/${NAME}/terms/${CODE}`, async (c) => {
  const { actor } = requirePrincipal(c);
  return c.json(await changeTerm(c.var.services, c.var.origin, actor, c.req.param("name"), c.req.param("code"), () => readJson(c)));
});

// ——— pages ———

const LANGUAGES = [
  { key: "en", lang: "en", dir: "ltr" },
  { key: "ug", lang: "ug", dir: "rtl" },
  { key: "zh-Hans", lang: "zh-Hans", dir: "ltr" },
] as const;

function IndexPage(page: PageContext, vocabularies: VocabularyView[]) {
  const { t } = page;
  return (
    <>
      <h1>{t("vocabularies.title")}</h1>
      <p>{t("vocabularies.intro")}</p>
      <ul class="vocabularies">
        {vocabularies.map((v) => (
          <li>
            <a href={`/admin/vocabularies/${v.name}`}>{t(`vocabularies.names.${v.name}`)}</a>{" "}
            <span class="hint">{t("vocabularies.count", { n: v.terms.filter((term) => !term.retired).length })}</span>
          </li>
        ))}
      </ul>
    </>
  );
}

interface TermForm {
  code?: string;
  en?: string;
  ug?: string;
  "zh-Hans"?: string;
}

/** The three label inputs of a term, each in its own language and direction. */
function LabelInputs({ page, prefix, values, errors }: { page: PageContext; prefix: string; values: TermForm; errors: Record<string, string> }) {
  const { t } = page;
  return (
    <>
      {LANGUAGES.map(({ key, lang, dir }) => {
        const id = `f-${prefix}-${key}`;
        const error = errors[`labels.${key}`];
        return (
          <div class={error ? "field has-error" : "field"}>
            <label for={id}>{t(`vocabularies.label.${key}`)}</label>
            {error ? (
              <p class="field-error" id={`${id}-error`}>
                {error}
              </p>
            ) : null}
            <input id={id} name={key} type="text" value={values[key] ?? ""} lang={lang} dir={dir} maxlength={200} required={key === "en"} aria-invalid={error ? "true" : undefined} aria-describedby={error ? `${id}-error` : undefined} />
          </div>
        );
      })}
    </>
  );
}

interface VocabularyPageView {
  vocabulary: VocabularyView;
  notice?: string | null;
  problem?: FormProblem;
  /** What the person typed in the form that failed: the add form, or one term's labels. */
  failed?: { code: string | null; values: TermForm };
}

function TermItem({ page, vocabulary, term, view }: { page: PageContext; vocabulary: string; term: TermView; view: VocabularyPageView }) {
  const { t, locale } = page;
  const mine = view.failed?.code === term.code;
  const values: TermForm = mine ? view.failed!.values : { en: term.labels.en, ug: term.labels.ug, "zh-Hans": term.labels["zh-Hans"] };
  return (
    <li class={term.retired ? "term retired" : "term"}>
      <form method="post" action={`/admin/vocabularies/${vocabulary}/terms/${term.code}`}>
        <Csrf page={page} />
        <fieldset>
          <legend>
            <span lang={locale} dir="auto">
              {termLabel(term, locale)}
            </span>{" "}
            <code dir="ltr">{term.code}</code> · {term.retired ? t("vocabularies.retired") : t("vocabularies.current")} · {term.builtIn ? t("vocabularies.builtIn") : t("vocabularies.own")}
          </legend>
          <LabelInputs page={page} prefix={term.code} values={values} errors={mine ? (view.problem?.errors ?? {}) : {}} />
          <button type="submit" class="small">
            {t("vocabularies.save")}
            <span class="visually-hidden"> {term.code}</span>
          </button>
        </fieldset>
      </form>
      <form method="post" action={`/admin/vocabularies/${vocabulary}/terms/${term.code}/${term.retired ? "reinstate" : "retire"}`} class="inline">
        <Csrf page={page} />
        <button type="submit" class={term.retired ? "small" : "small danger"}>
          {term.retired ? t("vocabularies.reinstate") : t("vocabularies.retire")}
          <span class="visually-hidden"> {term.code}</span>
        </button>
      </form>
    </li>
  );
}

function VocabularyPage(page: PageContext, view: VocabularyPageView) {
  const { t } = page;
  const { vocabulary } = view;
  const adding = view.failed?.code === null;
  const addValues: TermForm = adding ? view.failed!.values : {};
  const addErrors = adding ? (view.problem?.errors ?? {}) : {};
  return (
    <>
      <p>
        <a href="/admin/vocabularies">{t("vocabularies.back")}</a>
      </p>
      <h1>{t(`vocabularies.names.${vocabulary.name}`)}</h1>
      <p>{t("vocabularies.intro")}</p>
      <p class="hint">
        {t("vocabularies.usedBy")}{" "}
        {vocabulary.properties.map((p, i) => (
          <>
            {i > 0 ? ", " : null}
            <code dir="ltr">{p}</code>
          </>
        ))}
      </p>
      <Notice text={view.notice} />
      <ErrorSummary page={page} message={view.problem?.message} errors={{}} />
      <h2>{t("vocabularies.terms")}</h2>
      <ul class="terms">
        {vocabulary.terms.map((term) => (
          <TermItem page={page} vocabulary={vocabulary.name} term={term} view={view} />
        ))}
      </ul>
      <h2 id="add">{t("vocabularies.addTitle")}</h2>
      <form method="post" action={`/admin/vocabularies/${vocabulary.name}/terms`}>
        <Csrf page={page} />
        <div class={addErrors.code ? "field has-error" : "field"}>
          <label for="f-new-code">{t("vocabularies.code")}</label>
          <p class="hint" id="f-new-code-hint">
            {t("vocabularies.codeHint")}
          </p>
          {addErrors.code ? (
            <p class="field-error" id="f-new-code-error">
              {addErrors.code}
            </p>
          ) : null}
          <input id="f-new-code" name="code" type="text" value={addValues.code ?? ""} dir="ltr" maxlength={64} required pattern="[a-z0-9][a-z0-9\-]{0,63}" aria-describedby={addErrors.code ? "f-new-code-hint f-new-code-error" : "f-new-code-hint"} />
        </div>
        <LabelInputs page={page} prefix="new" values={addValues} errors={addErrors} />
        <p class="hint">{t("vocabularies.translationHint")}</p>
        <button type="submit">{t("vocabularies.add")}</button>
      </form>
    </>
  );
}

vocabularyRoutes.get("/admin/vocabularies", async (c) => {
  const principal = signedIn(c);
  const vocabularies = await listVocabularies(c.var.services, c.var.origin, principal.actor, { manage: true });
  return renderPage(c, c.var.t("vocabularies.title"), (page) => IndexPage(page, vocabularies));
});

const DONE = new Set(["added", "saved", "retired", "reinstated"]);

async function showVocabulary(c: Context<AppEnv>, extra: Omit<VocabularyPageView, "vocabulary"> = {}, status: ContentfulStatusCode = 200) {
  const principal = signedIn(c);
  const vocabulary = await getVocabulary(c.var.services, c.var.origin, principal.actor, c.req.param("name")!, { manage: true });
  return renderPage(c, c.var.t(`vocabularies.names.${vocabulary.name}`), (page) => VocabularyPage(page, { vocabulary, ...extra }), status);
}

vocabularyRoutes.get(`/admin/vocabularies/${NAME}`, async (c) => {
  const done = c.req.query("done");
  return showVocabulary(c, { notice: done && DONE.has(done) ? c.var.t(`vocabularies.done.${done}`) : null });
});

function labelsOf(form: Record<string, string | string[]>): TermForm {
  return { en: field(form, "en"), ug: field(form, "ug"), "zh-Hans": field(form, "zh-Hans") };
}

/** Runs a change from a form: on success back to the page with a notice, on a fixable error the page again with what was typed. */
async function termAction(c: Context<AppEnv>, run: () => Promise<unknown>, done: string, failed: VocabularyPageView["failed"]) {
  try {
    await run();
  } catch (error) {
    const problem = formProblem(c, error);
    return showVocabulary(c, { problem, failed }, problem.status);
  }
  throw new Redirect(`/admin/vocabularies/${c.req.param("name")}?done=${done}`);
}

vocabularyRoutes.post(`/admin/vocabularies/${NAME}/terms`, async (c) => {
  const principal = signedIn(c);
  const form = await readForm(c);
  const values = { code: field(form, "code").trim(), ...labelsOf(form) };
  const labels = { en: values.en, ...(values.ug ? { ug: values.ug } : {}), ...(values["zh-Hans"] ? { "zh-Hans": values["zh-Hans"] } : {}) };
  return termAction(c, () => addTerm(c.var.services, c.var.origin, principal.actor, c.req.param("name"), { code: values.code, labels }), "added", { code: null, values });
});

vocabularyRoutes.post(`/admin/vocabularies/${NAME}/terms/${CODE}`, async (c) => {
  const principal = signedIn(c);
  const form = await readForm(c);
  const values = labelsOf(form);
  return termAction(c, () => changeTerm(c.var.services, c.var.origin, principal.actor, c.req.param("name"), c.req.param("code"), { labels: values }), "saved", { code: c.req.param("code"), values });
});

vocabularyRoutes.post(`/admin/vocabularies/${NAME}/terms/${CODE}/retire`, async (c) => {
  const principal = signedIn(c);
  await readForm(c);
  return termAction(c, () => changeTerm(c.var.services, c.var.origin, principal.actor, c.req.param("name"), c.req.param("code"), { retired: true }), "retired", undefined);
});

vocabularyRoutes.post(`/admin/vocabularies/${NAME}/terms/${CODE}/reinstate`, async (c) => {
  const principal = signedIn(c);
  await readForm(c);
  return termAction(c, () => changeTerm(c.var.services, c.var.origin, principal.actor, c.req.param("name"), c.req.param("code"), { retired: false }), "reinstated", undefined);
});
