// Merging a record entered twice: find the duplicate by name, look at both side by side, say why,
// merge. Undoing is offered on both records' pages afterwards.
import type { EntityView, ListedRecord } from "../../records/index.ts";
import { Csrf, ErrorSummary, type PageContext } from "../pages/layout.tsx";
import type { FormProblem } from "../render.tsx";
import { propertyLabel, schemaLabel } from "./labels.ts";
import { captionOf, BackToRecord, Title } from "./entity-page.tsx";
import { ReasonField, Written, type Lookup } from "./parts.tsx";
import { CandidateFacts, SearchBox } from "./relate-page.tsx";

export interface MergePageView {
  entity: EntityView;
  q: string;
  candidates: ListedRecord[] | null;
  duplicate: EntityView | null;
  lookup: Lookup;
  problem?: FormProblem | undefined;
  reason?: string;
}

function Side({ page, entity, title }: { page: PageContext; entity: EntityView; title: string }) {
  const { t } = page;
  return (
    <section aria-label={title}>
      <h2>
        {title}: <Title page={page} entity={entity} />
      </h2>
      <p class="hint">
        {schemaLabel(t, entity.schema)} · {t("records.revision", { n: entity.revision })} · {t("records.merge.values", { n: entity.statements.length })}
      </p>
      <ul class="values">
        {entity.statements.slice(0, 40).map((s) => (
          <li>
            <span class="fact-name">{propertyLabel(t, entity.schema, s.property)}:</span> {s.value === null ? t("records.sealed") : <Written value={s.value.slice(0, 200)} lang={s.lang} script={s.script} />}
          </li>
        ))}
      </ul>
    </section>
  );
}

export function MergePage(page: PageContext, view: MergePageView) {
  const { t } = page;
  const { entity, duplicate } = view;
  const base = `/records/${entity.id}/merge`;
  return (
    <>
      <BackToRecord page={page} entity={entity} />
      <h1>{t("records.merge.title")}</h1>
      <p>{t("records.merge.intro")}</p>
      <ErrorSummary page={page} message={view.problem?.message} errors={view.problem?.errors} />
      {duplicate ? (
        <>
          <div class="versions">
            <Side page={page} entity={entity} title={t("records.merge.keep")} />
            <Side page={page} entity={duplicate} title={t("records.merge.duplicate")} />
          </div>
          <form method="post" action={base}>
            <Csrf page={page} />
            <input type="hidden" name="duplicate" value={duplicate.id} />
            <input type="hidden" name="revision" value={String(entity.revision)} />
            <input type="hidden" name="duplicateRevision" value={String(duplicate.revision)} />
            <p class="hint">{t("records.merge.explain")}</p>
            <ReasonField page={page} id="f-merge-reason" value={view.reason} error={view.problem?.errors.reason} />
            <button type="submit">{t("records.merge.confirm")}</button> <a href={base}>{t("records.merge.another")}</a>
          </form>
        </>
      ) : (
        <>
          <SearchBox page={page} action={base} q={view.q} label={t("records.merge.search")} hidden={{}} />
          <div id="candidates" aria-live="polite">
            {view.candidates !== null ? (
              view.candidates.length === 0 ? (
                <p>{t("records.merge.none")}</p>
              ) : (
                <ul class="candidates">
                  {view.candidates.map((c) => {
                    const caption = c.values.name?.[0] ?? c.values.full?.[0];
                    return (
                      <li>
                        <a href={`${base}?duplicate=${c.id}`}>{caption ? <Written value={caption.value} lang={caption.lang} script={caption.script} /> : t("records.unnamed", { kind: schemaLabel(t, c.schema) })}</a>{" "}
                        <span class="hint">({schemaLabel(t, c.schema)})</span> <CandidateFacts page={page} record={c} lookup={view.lookup} />
                      </li>
                    );
                  })}
                </ul>
              )
            ) : null}
          </div>
        </>
      )}
    </>
  );
}

/** What the merge page searches first: the record's own name. */
export function defaultQuery(entity: EntityView): string {
  return captionOf(entity)?.value?.slice(0, 100) ?? "";
}
