import type { FC } from "hono/jsx";
import type { Context } from "hono";
import type { AppEnv } from "../env.ts";
import { Csrf, ErrorSummary, Field, type PageContext } from "../pages/layout.tsx";
import { translateMessage } from "../i18n.ts";
import { CODE_REFUSED } from "../../monitor/index.ts";

/** Shared parts of the family pages: the report form, used on the public page and after a code is redeemed. */

export interface ReportValues {
  names?: string;
  birthDate?: string;
  lastSeenDate?: string;
  lastSeenPlace?: string;
  circumstances?: string;
  takenBy?: string;
  contact?: string;
}

// The family service's own messages, in the family section of the locales.
const MESSAGES: Record<string, string> = {
  [CODE_REFUSED]: "family.messages.codeRefused",
  "this page does not exist, or the organisation has closed it": "family.messages.linkClosed",
  "too many reports today: the organisation has what you sent; try again tomorrow": "family.messages.tooManyReports",
  "another administrator or editor must approve an update you wrote": "family.messages.secondApprover",
  "the organisation has no vault keys yet: an administrator must make them before families can be given access": "family.messages.noVaultKeys",
};

export function familyMessage(c: Context<AppEnv>, message: string): string {
  const key = MESSAGES[message];
  return key ? c.var.t(key) : translateMessage(c.var.t, message);
}

const TextArea: FC<{ name: string; label: string; hint?: string; value?: string | undefined; error?: string | undefined; rows?: number; maxlength: number; required?: boolean }> = (p) => {
  const id = `f-${p.name}`;
  const described = [p.hint ? `${id}-hint` : null, p.error ? `${id}-error` : null].filter(Boolean).join(" ") || undefined;
  return (
    <div class={p.error ? "field has-error" : "field"}>
      <label for={id}>{p.label}</label>
      {p.hint ? <p class="hint" id={`${id}-hint`}>{p.hint}</p> : null}
      {p.error ? <p class="field-error" id={`${id}-error`}>{p.error}</p> : null}
      <textarea id={id} name={p.name} rows={p.rows ?? 4} dir="auto" maxlength={p.maxlength} required={p.required} aria-invalid={p.error ? "true" : undefined} aria-describedby={described}>
        {p.value ?? ""}
      </textarea>
    </div>
  );
};

/** What happens to what a family writes: said before they write it. */
export const DataNote: FC<{ page: PageContext }> = ({ page }) => {
  const { t } = page;
  return (
    <aside class="notice" aria-labelledby="family-data-note">
      <h2 id="family-data-note">{t("family.public.dataTitle")}</h2>
      <ul>
        <li>{t("family.public.dataSealed")}</li>
        <li>{t("family.public.dataReview")}</li>
        <li>{t("family.public.dataContact")}</li>
        <li>{t("family.public.dataSafety")}</li>
      </ul>
    </aside>
  );
};

export const ReportForm: FC<{ page: PageContext; action: string; values: ReportValues; errors?: Record<string, string>; message?: string | null }> = ({ page, action, values, errors = {}, message }) => {
  const { t } = page;
  return (
    <section aria-labelledby="family-report-title">
      <h2 id="family-report-title">{t("family.public.reportTitle")}</h2>
      <p>{t("family.public.reportIntro")}</p>
      <ErrorSummary page={page} message={message} errors={errors} />
      <form method="post" action={action} novalidate>
        <Csrf page={page} />
        <TextArea name="names" label={t("family.public.names")} hint={t("family.public.namesHint")} value={values.names} error={errors.names} rows={3} maxlength={1000} required />
        <Field name="birthDate" label={t("family.public.birthDate")} hint={t("family.public.dateHint")} value={values.birthDate} error={errors.birthDate} maxlength={100} />
        <Field name="lastSeenDate" label={t("family.public.lastSeenDate")} hint={t("family.public.dateHint")} value={values.lastSeenDate} error={errors.lastSeenDate} maxlength={200} />
        <Field name="lastSeenPlace" label={t("family.public.lastSeenPlace")} value={values.lastSeenPlace} error={errors.lastSeenPlace} maxlength={500} />
        <TextArea name="takenBy" label={t("family.public.takenBy")} hint={t("family.public.takenByHint")} value={values.takenBy} error={errors.takenBy} rows={2} maxlength={2000} />
        <TextArea name="circumstances" label={t("family.public.circumstances")} hint={t("family.public.circumstancesHint")} value={values.circumstances} error={errors.circumstances} rows={6} maxlength={10000} />
        <TextArea name="contact" label={t("family.public.contact")} hint={t("family.public.contactHint")} value={values.contact} error={errors.contact} rows={2} maxlength={1000} />
        <DataNote page={page} />
        <button type="submit">{t("family.public.send")}</button>
      </form>
    </section>
  );
};
