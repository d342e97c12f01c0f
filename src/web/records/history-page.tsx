// A record's history: every revision with its author, kind and reason, and the difference between
// any two of them (what was added, what was withdrawn), chosen with a plain GET form.
import type { EntityView, HistoryView, StatementView } from "../../records/index.ts";
import { formatTime } from "../format.ts";
import { ErrorSummary, type PageContext } from "../pages/layout.tsx";
import type { FormProblem } from "../render.tsx";
import { propertyLabel } from "./labels.ts";
import { BackToRecord, PerSource } from "./entity-page.tsx";
import { ValueText, type Lookup } from "./parts.tsx";

export interface HistoryPageView {
  entity: EntityView;
  history: HistoryView | null;
  lookup: Lookup;
  problem?: FormProblem | undefined;
  from: number;
  to: number;
}

function counts(summary: Record<string, unknown>, key: "added" | "retracted"): number {
  const value = summary[key];
  return value && typeof value === "object" ? Object.values(value as Record<string, number>).reduce((n, c) => n + (typeof c === "number" ? c : 0), 0) : 0;
}

function Change({ page, view, s, kind }: { page: PageContext; view: HistoryPageView; s: StatementView; kind: "added" | "removed" }) {
  const { t } = page;
  return (
    <li class={kind}>
      <span class="change-kind">{t(kind === "added" ? "records.history.added" : "records.history.removed")}</span>{" "}
      <span class="fact-name">{propertyLabel(t, view.entity.schema, s.property)}:</span>{" "}
      {s.value === null ? t("records.sealed") : <ValueText page={page} lookup={view.lookup} schema={view.entity.schema} property={s.property} value={s.value} lang={s.lang} script={s.script} earliest={s.dateEarliest} latest={s.dateLatest} />}{" "}
      <span class="hint">—</span> <PerSource page={page} lookup={view.lookup} source={s.source} />
      {s.sensitivity !== "internal" ? <span class="hint"> · {t(`records.sensitivityLevel.${s.sensitivity}`)}</span> : null}
    </li>
  );
}

export function HistoryPage(page: PageContext, view: HistoryPageView) {
  const { t } = page;
  const { entity, history } = view;
  const numbers = Array.from({ length: entity.revision + 1 }, (_, i) => i);
  return (
    <>
      <BackToRecord page={page} entity={entity} />
      <h1>{t("records.history.title")}</h1>
      <ErrorSummary page={page} message={view.problem?.message} errors={view.problem?.errors} />
      <form method="get" action={`/records/${entity.id}/history`} class="filters">
        <div class="field">
          <label for="f-from">{t("records.history.from")}</label>
          <select id="f-from" name="from">
            {numbers.slice(0, -1).map((n) => (
              <option value={String(n)} selected={n === view.from}>
                {n === 0 ? t("records.history.nothing") : t("records.revision", { n })}
              </option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for="f-to">{t("records.history.to")}</label>
          <select id="f-to" name="to">
            {numbers.slice(1).map((n) => (
              <option value={String(n)} selected={n === view.to}>
                {t("records.revision", { n })}
              </option>
            ))}
          </select>
        </div>
        <button type="submit">{t("records.history.compare")}</button>
      </form>
      {history ? (
        <section aria-labelledby="diff-title" id="diff">
          <h2 id="diff-title">{history.diff.from === 0 ? t("records.history.diffFromStart", { to: history.diff.to }) : t("records.history.diffTitle", { from: history.diff.from, to: history.diff.to })}</h2>
          {history.diff.added.length === 0 && history.diff.removed.length === 0 ? <p>{t("records.history.noDifference")}</p> : null}
          <ul class="diff">
            {history.diff.removed.map((s) => (
              <Change page={page} view={view} s={s} kind="removed" />
            ))}
            {history.diff.added.map((s) => (
              <Change page={page} view={view} s={s} kind="added" />
            ))}
          </ul>
        </section>
      ) : null}
      {history ? (
        <table class="revisions">
          <caption>{t("records.history.revisions")}</caption>
          <thead>
            <tr>
              <th scope="col">{t("records.history.number")}</th>
              <th scope="col">{t("records.history.when")}</th>
              <th scope="col">{t("records.history.who")}</th>
              <th scope="col">{t("records.history.kind")}</th>
              <th scope="col">{t("records.history.why")}</th>
              <th scope="col">{t("records.history.changes")}</th>
            </tr>
          </thead>
          <tbody>
            {history.revisions.map((r) => (
              <tr>
                <td>{r.number}</td>
                <td>{formatTime(page.locale, r.createdAt)}</td>
                <td dir="auto">{r.authorName ?? "—"}</td>
                <td>{t(`records.history.kinds.${r.kind}`)}</td>
                <td dir="auto">{r.reason}</td>
                <td>
                  {t("records.history.counts", { added: counts(r.summary, "added"), removed: counts(r.summary, "retracted") })}{" "}
                  {r.number > 1 ? <a href={`/records/${entity.id}/history?from=${r.number - 1}&to=${r.number}#diff`}>{t("records.history.showChange", { n: r.number })}</a> : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </>
  );
}
