// Adding a relationship from a record: choose what kind (involved in an incident, member of an
// organisation, relative of…), find the other record by name with a plain GET search (the script,
// when present, searches as one types), then say how and on what source.
import { findSchema, schemaAndDescendants, SENSITIVITIES, type EntityView, type ListedRecord, type RecordCaption, type TermView } from "../../records/index.ts";
import { termLabel } from "../../records/index.ts";
import { Csrf, ErrorSummary, type PageContext } from "../pages/layout.tsx";
import type { FormProblem } from "../render.tsx";
import { propertyLabel, propertyType, schemaLabel } from "./labels.ts";
import { BackToRecord } from "./entity-page.tsx";
import { ReasonField, TextField, ValueText, Written, type Lookup } from "./parts.tsx";

/** The relationship schemata a record can be added to from its page. */
const EDGE_SCHEMATA = ["Involvement", "Membership", "Employment", "Family", "Associate", "Occupancy", "Ownership", "Directorship"] as const;

export interface RelationshipKind {
  /** "Involvement.participant": the record is the Involvement's participant. */
  key: string;
  schema: string;
  self: string;
  other: string;
  /** The schema the other record must be. */
  range: string;
  /** The property saying how: role, relationship. */
  how: string | null;
}

/** The kinds of relationship a record of this schema can be one end of, from the model's edges. */
export function relationshipKinds(schema: string): RelationshipKind[] {
  const own = findSchema(schema);
  if (!own) return [];
  const kinds: RelationshipKind[] = [];
  for (const name of EDGE_SCHEMATA) {
    const edge = findSchema(name)!;
    const ends = [edge.edge!.source!, edge.edge!.target!];
    for (const [self, other] of [[ends[0]!, ends[1]!], [ends[1]!, ends[0]!]] as const) {
      const selfRange = edge.getProperties().get(self)!.getRange().name;
      if (!own.isA(selfRange)) continue;
      const how = edge.getProperties().has("role") ? "role" : edge.getProperties().has("relationship") ? "relationship" : null;
      kinds.push({ key: `${name}.${self}`, schema: name, self, other, range: edge.getProperties().get(other)!.getRange().name, how });
    }
  }
  // Family and Associate are symmetric: one direction is enough.
  return kinds.filter((k, i) => !(k.schema === "Family" || k.schema === "Associate") || kinds.findIndex((x) => x.schema === k.schema) === i);
}

export function rangeSchemata(kind: RelationshipKind): string[] {
  return schemaAndDescendants(kind.range).filter((s) => !findSchema(s)!.abstract);
}

export interface RelatePageView {
  entity: EntityView;
  kinds: RelationshipKind[];
  kind: RelationshipKind;
  q: string;
  candidates: ListedRecord[] | null;
  sources: RecordCaption[];
  roles: TermView[];
  lookup: Lookup;
  problem?: FormProblem | undefined;
  values?: Record<string, string>;
}

export function SearchBox({ page, action, q, label, hidden }: { page: PageContext; action: string; q: string; label: string; hidden: Record<string, string> }) {
  const { t } = page;
  return (
    <form method="get" action={action} role="search" class="search-form" data-live-search="candidates">
      {Object.entries(hidden).map(([k, v]) => (
        <input type="hidden" name={k} value={v} />
      ))}
      <div class="field">
        <label for="f-q">{label}</label>
        <p class="hint" id="f-q-hint">
          {t("records.relate.searchHint")}
        </p>
        <input id="f-q" name="q" type="search" value={q} maxlength={200} dir="auto" autocomplete="off" aria-describedby="f-q-hint" aria-controls="candidates" />
      </div>
      <button type="submit">{t("records.relate.find")}</button>
    </form>
  );
}

/** Two or three values that tell candidates apart (a birth date, a place, a date). */
export function CandidateFacts({ page, record, lookup }: { page: PageContext; record: ListedRecord; lookup: Lookup }) {
  const shown = ["birthDate", "date", "startDate", "nationality", "country", "city", "violation", "place", "sourceType", "publishedAt"].filter((p) => record.values[p]?.length).slice(0, 3);
  if (shown.length === 0) return null;
  return (
    <span class="hint">
      {shown.map((p, i) => (
        <>
          {i > 0 ? " · " : null}
          {propertyLabel(page.t, record.schema, p)}: <ValueText page={page} lookup={lookup} schema={record.schema} property={p} value={record.values[p]![0]!.value} earliest={propertyType(record.schema, p) === "date" ? null : undefined} />
        </>
      ))}
    </span>
  );
}

export function RelatePage(page: PageContext, view: RelatePageView) {
  const { t, locale } = page;
  const { entity, kind } = view;
  const base = `/records/${entity.id}/relate`;
  const errors = view.problem?.errors ?? {};
  const values = view.values ?? {};
  return (
    <>
      <BackToRecord page={page} entity={entity} />
      <h1>{t("records.relate.title")}</h1>
      <ErrorSummary page={page} message={view.problem?.message} errors={errors} />
      <form method="get" action={base} class="filters">
        <div class="field">
          <label for="f-kind">{t("records.relate.kind")}</label>
          <select id="f-kind" name="kind">
            {view.kinds.map((k) => (
              <option value={k.key} selected={k.key === kind.key}>
                {t(`records.relate.kinds.${k.key}`)}
              </option>
            ))}
          </select>
        </div>
        <button type="submit">{t("records.relate.chooseKind")}</button>
      </form>
      <SearchBox page={page} action={base} q={view.q} label={t("records.relate.search", { kind: schemaLabel(t, kind.range) })} hidden={{ kind: kind.key }} />
      <form method="post" action={base}>
        <Csrf page={page} />
        <input type="hidden" name="kind" value={kind.key} />
        <input type="hidden" name="q" value={view.q} />
        <div id="candidates" aria-live="polite">
          {view.candidates === null ? null : view.candidates.length === 0 ? (
            <p>{t("records.relate.none")}</p>
          ) : (
            <fieldset class={errors.other ? "has-error" : undefined}>
              <legend id="f-other">{t("records.relate.choose", { kind: schemaLabel(t, kind.range) })}</legend>
              {errors.other ? <p class="field-error">{errors.other}</p> : null}
              {view.candidates.map((c, i) => {
                const caption = c.values.name?.[0] ?? c.values.full?.[0];
                return (
                  <div class="field checkbox">
                    <input type="radio" name="other" value={c.id} id={`f-other-${i}`} checked={values.other === c.id || view.candidates!.length === 1} />
                    <label for={`f-other-${i}`}>
                      {caption ? <Written value={caption.value} lang={caption.lang} script={caption.script} /> : t("records.unnamed", { kind: schemaLabel(t, c.schema) })} <span class="hint">({schemaLabel(t, c.schema)})</span>{" "}
                      <CandidateFacts page={page} record={c} lookup={view.lookup} />
                    </label>
                  </div>
                );
              })}
            </fieldset>
          )}
        </div>
        {kind.how === "role" && kind.schema === "Involvement" ? (
          <div class={errors.how ? "field has-error" : "field"}>
            <label for="f-how">{propertyLabel(t, kind.schema, "role")}</label>
            {errors.how ? <p class="field-error" id="f-how-error">{errors.how}</p> : null}
            <select id="f-how" name="how" aria-describedby={errors.how ? "f-how-error" : undefined}>
              <option value="">{t("records.editor.noValue")}</option>
              {view.roles.map((term) => (
                <option value={term.code} selected={values.how === term.code}>
                  {termLabel(term, locale)}
                </option>
              ))}
            </select>
          </div>
        ) : kind.how ? (
          <TextField id="f-how" name="how" label={propertyLabel(t, kind.schema, kind.how)} value={values.how} error={errors.how} />
        ) : null}
        <TextField id="f-startDate" name="startDate" label={propertyLabel(t, kind.schema, "startDate")} value={values.startDate} error={errors.startDate} hint={t("records.editor.dateHint")} dir="ltr" />
        <TextField id="f-endDate" name="endDate" label={propertyLabel(t, kind.schema, "endDate")} value={values.endDate} error={errors.endDate} dir="ltr" />
        <div class={errors.source ? "field has-error" : "field"}>
          <label for="f-source">{t("records.editor.source")}</label>
          {errors.source ? <p class="field-error" id="f-source-error">{errors.source}</p> : null}
          <select id="f-source" name="source" aria-describedby={errors.source ? "f-source-error" : undefined}>
            <option value="">{t("records.editor.noSource")}</option>
            {view.sources.map((s) => (
              <option value={s.id} selected={values.source === s.id} dir="auto" lang={s.lang ?? undefined}>
                {s.caption ?? s.id}
              </option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for="f-sensitivity">{t("records.editor.sensitivity")}</label>
          <select id="f-sensitivity" name="sensitivity">
            {SENSITIVITIES.map((s) => (
              <option value={s} selected={(values.sensitivity ?? "internal") === s}>
                {t(`records.sensitivityLevel.${s}`)}
              </option>
            ))}
          </select>
        </div>
        <ReasonField page={page} id="f-relate-reason" value={values.reason} error={errors.reason} label={t("records.relate.reason")} optional />
        <button type="submit">{t("records.relate.submit")}</button>
      </form>
    </>
  );
}
