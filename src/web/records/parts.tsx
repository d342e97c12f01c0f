// Small pieces every records page uses: a name in its own language and direction, a link to a
// record by its caption, a value in the reader's language, a reason field, notices.
import type { Child } from "hono/jsx";
import type { RecordCaption } from "../../records/index.ts";
import type { PageContext } from "../pages/layout.tsx";
import { dateSpan, schemaLabel, textDirection, valueLabel, propertyType, type VocabularyIndex } from "./labels.ts";

export const recordHref = (id: string) => `/records/${id}`;

/** A value written in its own language and direction (a Uyghur name reads right to left inside an English page). */
export function Written({ value, lang, script }: { value: string; lang?: string | null; script?: string | null }) {
  return (
    <span lang={lang ?? undefined} dir={textDirection(lang ?? null, script ?? null)}>
      {value}
    </span>
  );
}

/** A link to a record by its name; a record without a readable name is called by its kind. */
export function RecordLink({ page, id, caption }: { page: PageContext; id: string; caption: RecordCaption | undefined }) {
  if (!caption) return <span class="hint">{page.t("records.notShown")}</span>;
  return (
    <a href={recordHref(id)}>
      {caption.caption ? <Written value={caption.caption} lang={caption.lang} script={caption.script} /> : page.t("records.unnamed", { kind: schemaLabel(page.t, caption.schema) })}
    </a>
  );
}

/** What the records pages know beside the records themselves: labels of terms, and captions of the records they point at. */
export interface Lookup {
  vocabularies: VocabularyIndex;
  captions: Map<string, RecordCaption>;
}

/** One value of a property as the reader should read it: a linked record, a labelled term, a date and its span, or the text in its own language. */
export function ValueText({ page, lookup, schema, property, value, lang, script, earliest, latest }: {
  page: PageContext;
  lookup: Lookup;
  schema: string;
  property: string;
  value: string;
  lang?: string | null;
  script?: string | null;
  earliest?: string | null;
  latest?: string | null;
}) {
  const type = propertyType(schema, property);
  if (type === "entity") return <RecordLink page={page} id={value} caption={lookup.captions.get(value)} />;
  if (type === "date") {
    const span = dateSpan(page.locale, earliest ?? null, latest ?? null);
    return (
      <>
        <span dir="ltr">{value}</span>
        {span && span !== value ? <span class="hint"> ({page.t("records.dateMeans", { span })})</span> : null}
      </>
    );
  }
  if (type === "url" && /^https?:\/\//.test(value)) {
    return (
      <a href={value} rel="noreferrer noopener nofollow" dir="ltr">
        {value}
      </a>
    );
  }
  const label = valueLabel(page.t, page.locale, lookup.vocabularies, schema, property, value);
  if (label !== value) return <span>{label}</span>;
  return type === "text" ? <span class="long-text" lang={lang ?? undefined} dir={textDirection(lang ?? null, script ?? null)}>{value}</span> : <Written value={value} lang={lang} script={script} />;
}

/** A required reason: every change says why. */
export function ReasonField({ page, id, error, value, label, optional }: { page: PageContext; id: string; error?: string | undefined; value?: string | undefined; label?: string; optional?: boolean }) {
  const { t } = page;
  return (
    <div class={error ? "field has-error" : "field"}>
      <label for={id}>{label ?? t("records.reason")}</label>
      <p class="hint" id={`${id}-hint`}>
        {t("records.reasonHint")}
      </p>
      {error ? (
        <p class="field-error" id={`${id}-error`}>
          {error}
        </p>
      ) : null}
      <input id={id} name="reason" type="text" value={value ?? ""} maxlength={2000} required={!optional} dir="auto" aria-invalid={error ? "true" : undefined} aria-describedby={error ? `${id}-hint ${id}-error` : `${id}-hint`} />
    </div>
  );
}

export function Badges({ page, restricted, archived, merged }: { page: PageContext; restricted: boolean; archived: boolean; merged?: boolean }) {
  const { t } = page;
  const badges: Child[] = [];
  if (restricted) badges.push(<span class="badge restricted">{t("records.restricted")}</span>);
  if (merged) badges.push(<span class="badge archived">{t("records.merged")}</span>);
  else if (archived) badges.push(<span class="badge archived">{t("records.archived")}</span>);
  return badges.length ? <>{badges.map((b) => <> {b}</>)}</> : null;
}

/** A labelled select with its hint and problem, described by both. */
export function Select({ id, name, label, value, options, error, hint }: { id: string; name: string; label: string; value: string | undefined; options: { value: string; label: string; lang?: string | undefined; dir?: string | undefined }[]; error?: string | undefined; hint?: string }) {
  return (
    <div class={error ? "field has-error" : "field"}>
      <label for={id}>{label}</label>
      {hint ? <p class="hint" id={`${id}-hint`}>{hint}</p> : null}
      {error ? <p class="field-error" id={`${id}-error`}>{error}</p> : null}
      <select id={id} name={name} aria-invalid={error ? "true" : undefined} aria-describedby={[hint ? `${id}-hint` : "", error ? `${id}-error` : ""].filter(Boolean).join(" ") || undefined}>
        {options.map((o) => (
          <option value={o.value} selected={o.value === (value ?? "")} lang={o.lang} dir={o.dir}>
            {o.label}
          </option>
        ))}
      </select>
    </div>
  );
}

/** A labelled one-line text field with its hint and problem, described by both. */
export function TextField({ id, name, label, value, error, hint, dir }: { id: string; name: string; label: string; value: string | undefined; error?: string | undefined; hint?: string; dir?: "ltr" | "auto" }) {
  const described = [hint ? `${id}-hint` : "", error ? `${id}-error` : ""].filter(Boolean).join(" ") || undefined;
  return (
    <div class={error ? "field has-error" : "field"}>
      <label for={id}>{label}</label>
      {hint ? <p class="hint" id={`${id}-hint`}>{hint}</p> : null}
      {error ? <p class="field-error" id={`${id}-error`}>{error}</p> : null}
      <input id={id} name={name} type="text" value={value ?? ""} maxlength={200} dir={dir ?? "auto"} aria-invalid={error ? "true" : undefined} aria-describedby={described} />
    </div>
  );
}

/** Buttons that open the editor on a new record of each kind. */
export function NewRecordLinks({ page, schemata }: { page: PageContext; schemata: readonly string[] }) {
  return (
    <ul class="actions">
      {schemata.map((schema) => (
        <li>
          <a class="button" href={`/records/new?schema=${schema}`}>
            {page.t("records.new", { kind: schemaLabel(page.t, schema) })}
          </a>
        </li>
      ))}
    </ul>
  );
}
