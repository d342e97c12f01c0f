// The lists of records: one per kind (people, organisations, incidents, places, sources…) and one
// of all, with filters in a plain GET form, sorting, cursor pages, a count that counts only what
// the reader may see, and bulk actions on the records ticked (a POST form, no script needed).
import { termLabel, type Assignee, type BulkOperationView, type ListedRecord, type RecordList, type TagCount, type TermView } from "../../records/index.ts";
import { formatTime } from "../format.ts";
import { Csrf, ErrorSummary, Notice, type PageContext } from "../pages/layout.tsx";
import type { FormProblem } from "../render.tsx";
import { editedProperties, listPathOf, propertyLabel, propertyType, RECORD_TYPE_SLUGS, RECORD_TYPES, schemaLabel, type RecordType } from "./labels.ts";
import { Badges, NewRecordLinks, RecordLink, Select, TextField, ValueText, Written, type Lookup } from "./parts.tsx";

/** The query parameters a list reads; anything else in the address is ignored. */
export const LIST_PARAMS = ["schema", "q", "violation", "role", "place", "from", "to", "sensitivity", "tag", "assignee", "archived", "sort", "cursor", "limit"] as const;

export const listPath = listPathOf;

export interface ListPageView {
  type: RecordType | null;
  params: Record<string, string>;
  list: RecordList | null;
  problem?: FormProblem | undefined;
  /** Problem with a bulk action, with what was ticked. */
  bulkProblem?: FormProblem | undefined;
  ticked?: string[];
  notice?: string | null;
  counts: Record<string, number>;
  lookup: Lookup;
  terms: { violations: TermView[]; roles: TermView[] };
  places: { id: string; caption: string; lang: string | null; script: string | null }[];
  tags: TagCount[];
  assignees: Assignee[];
  may: { create: boolean; tag: boolean; archive: boolean };
  /** The exports page filled in with this list's filters, when an export can keep them. */
  exportHref: string | null;
  /** Whether a bulk action can take every record of the list (its filters are ones a bulk operation keeps), not only those ticked. */
  wholeList: boolean;
}

/** Which filters a list offers. */
function offers(type: RecordType | null) {
  return {
    violation: type === null || type === "incidents",
    role: type === null || type === "people" || type === "organisations" || type === "incidents",
    place: type === null || type === "incidents" || type === "events",
  };
}

function countOf(view: ListPageView, type: RecordType | null): number {
  const schemata = type ? (RECORD_TYPES[type].schemata as readonly string[]) : null;
  return Object.entries(view.counts).filter(([schema]) => schemata === null || schemata.includes(schema)).reduce((n, [, c]) => n + c, 0);
}

function KindTabs({ page, view }: { page: PageContext; view: ListPageView }) {
  const { t } = page;
  const fmt = new Intl.NumberFormat(page.locale);
  const tab = (type: RecordType | null) => (
    <li>
      <a href={listPath(type)} aria-current={view.type === type ? "page" : undefined}>
        {t(type ? `records.types.${type}` : "records.types.all")}
      </a>{" "}
      <span class="hint">({fmt.format(countOf(view, type))})</span>
    </li>
  );
  return (
    <nav aria-label={t("records.kinds")} class="tabs">
      <ul>
        {tab(null)}
        {RECORD_TYPE_SLUGS.map((type) => tab(type))}
      </ul>
    </nav>
  );
}

function Filters({ page, view }: { page: PageContext; view: ListPageView }) {
  const { t, locale } = page;
  const p = view.params;
  const errors = view.problem?.errors ?? {};
  const offered = offers(view.type);
  const kinds = view.type ? (RECORD_TYPES[view.type].schemata as readonly string[]) : [];
  const any = { value: "", label: t("records.filter.any") };
  return (
    <form method="get" action={listPath(view.type)} class="filters records-filters" aria-labelledby="filters-title">
      <h2 id="filters-title" class="visually-hidden">
        {t("records.filter.title")}
      </h2>
      <TextField id="f-q" name="q" label={t("records.filter.name")} value={p.q} error={errors.q} />
      {kinds.length > 1 ? (
        <Select id="f-schema" name="schema" label={t("records.filter.kind")} value={p.schema} error={errors.schema} options={[any, ...kinds.map((s) => ({ value: s, label: schemaLabel(t, s) }))]} />
      ) : null}
      {offered.violation ? (
        <Select id="f-violation" name="violation" label={t("records.filter.violation")} value={p.violation} error={errors.violation} options={[any, ...view.terms.violations.map((term) => ({ value: term.code, label: termLabel(term, locale) }))]} />
      ) : null}
      {offered.role ? (
        <Select id="f-role" name="role" label={t("records.filter.role")} value={p.role} error={errors.role} options={[any, ...view.terms.roles.map((term) => ({ value: term.code, label: termLabel(term, locale) }))]} />
      ) : null}
      {offered.place ? (
        <Select id="f-place" name="place" label={t("records.filter.place")} value={p.place} error={errors.place} options={[any, ...view.places.map((pl) => ({ value: pl.id, label: pl.caption, lang: pl.lang ?? undefined, dir: "auto" }))]} />
      ) : null}
      <TextField id="f-from" name="from" label={t("records.filter.from")} value={p.from} error={errors.from} hint={t("records.filter.dateHint")} dir="ltr" />
      <TextField id="f-to" name="to" label={t("records.filter.to")} value={p.to} error={errors.to} dir="ltr" />
      <Select id="f-sensitivity" name="sensitivity" label={t("records.filter.sensitivity")} value={p.sensitivity} error={errors.sensitivity} options={[any, ...(["public", "internal", "restricted", "secret"] as const).map((s) => ({ value: s, label: t(`records.sensitivityLevel.${s}`) }))]} />
      <Select id="f-tag" name="tag" label={t("records.filter.tag")} value={p.tag} error={errors.tag} options={[any, ...view.tags.map((tag) => ({ value: tag.tag, label: `${tag.tag} (${tag.records})`, dir: "auto" }))]} />
      <Select
        id="f-assignee"
        name="assignee"
        label={t("records.filter.assignee")}
        value={p.assignee}
        error={errors.assignee}
        options={[any, { value: "me", label: t("records.filter.me") }, ...view.assignees.filter((a) => a.id !== page.principal?.user.id).map((a) => ({ value: a.id, label: a.name, dir: "auto" }))]}
      />
      <Select id="f-archived" name="archived" label={t("records.filter.archived")} value={p.archived ?? "exclude"} error={errors.archived} options={(["exclude", "include", "only"] as const).map((v) => ({ value: v, label: t(`records.filter.archivedOptions.${v}`) }))} />
      <Select id="f-sort" name="sort" label={t("records.filter.sort")} value={p.sort ?? "newest"} error={errors.sort} options={(["newest", "oldest", "updated", "name", "date", "date-desc"] as const).map((v) => ({ value: v, label: t(`records.sort.${v}`) }))} />
      <button type="submit">{t("records.filter.apply")}</button>
      <p class="filter-reset">
        <a href={listPath(view.type)}>{t("records.filter.clear")}</a>
      </p>
    </form>
  );
}

/** The few values that tell records of a kind apart in a list (an incident's violation, date and place). */
function facts(record: ListedRecord): { property: string; values: ListedRecord["values"][string] }[] {
  const skip = new Set(["name", "alias", "full", "description", "notes", "summary", "bodyText", "firstName", "lastName"]);
  return editedProperties(record.schema)
    .filter((p) => !skip.has(p) && record.values[p]?.length)
    .slice(0, 4)
    .map((property) => ({ property, values: record.values[property]!.slice(0, 3) }));
}

function captionOf(record: ListedRecord) {
  for (const property of ["name", "full", "alias", "city"]) {
    const v = record.values[property]?.[0];
    if (v) return v;
  }
  return null;
}

function Row({ page, view, record, selectable }: { page: PageContext; view: ListPageView; record: ListedRecord; selectable: boolean }) {
  const { t } = page;
  const caption = captionOf(record);
  const label = caption?.value ?? t("records.unnamed", { kind: schemaLabel(t, record.schema) });
  const ticked = view.ticked?.includes(record.id);
  return (
    <tr>
      {selectable ? (
        <td>
          <input type="checkbox" name="ids" value={record.id} id={`sel-${record.id}`} checked={ticked} form="bulk" />
          <label for={`sel-${record.id}`} class="visually-hidden">
            {t("records.bulk.select", { name: label })}
          </label>
        </td>
      ) : null}
      <th scope="row">
        <a href={`/records/${record.id}`}>{caption ? <Written value={caption.value} lang={caption.lang} script={caption.script} /> : label}</a>
        <Badges page={page} restricted={record.restricted} archived={record.archived} merged={record.merged} />
      </th>
      <td>{schemaLabel(t, record.schema)}</td>
      <td>
        {facts(record).map((f) => (
          <div class="fact">
            <span class="fact-name">{propertyLabel(t, record.schema, f.property)}:</span>{" "}
            {f.values.map((v, i) => (
              <>
                {i > 0 ? "; " : null}
                <ValueText page={page} lookup={view.lookup} schema={record.schema} property={f.property} value={v.value} lang={v.lang} script={v.script} earliest={propertyType(record.schema, f.property) === "date" ? null : v.dateEarliest} latest={v.dateLatest} />
              </>
            ))}
          </div>
        ))}
      </td>
      <td>
        {record.tags.map((tag, i) => (
          <>
            {i > 0 ? ", " : null}
            <a href={`${listPath(view.type)}?tag=${encodeURIComponent(tag)}`} dir="auto">
              {tag}
            </a>
          </>
        ))}
      </td>
      <td>{record.assignee ? <span dir="auto">{record.assignee.name}</span> : null}</td>
      <td>{formatTime(page.locale, record.updatedAt)}</td>
    </tr>
  );
}

function BulkForm({ page, view, back }: { page: PageContext; view: ListPageView; back: string }) {
  const { t } = page;
  const errors = view.bulkProblem?.errors ?? {};
  const actions = [...(view.may.tag ? (["tag", "untag", "assign", "unassign"] as const) : []), ...(view.may.archive ? (["archive"] as const) : [])];
  return (
    <form method="post" action="/records/bulk" id="bulk" class="bulk" aria-labelledby="bulk-title">
      <Csrf page={page} />
      <input type="hidden" name="back" value={back} />
      <fieldset>
        <legend id="bulk-title">{t("records.bulk.title")}</legend>
        <p class="hint">{t("records.bulk.hint")}</p>
        {errors.ids ? <p class="field-error" id="f-ids">{errors.ids}</p> : null}
        {view.wholeList && view.list ? (
          <fieldset class="scope">
            <legend>{t("records.bulk.scope")}</legend>
            <div class="field checkbox">
              <input type="radio" name="scope" value="ticked" id="f-scope-ticked" checked />
              <label for="f-scope-ticked">{t("records.bulk.ticked")}</label>
            </div>
            <div class="field checkbox">
              <input type="radio" name="scope" value="all" id="f-scope-all" />
              <label for="f-scope-all">{t("records.bulk.all", { n: new Intl.NumberFormat(page.locale).format(view.list.count.value) })}</label>
            </div>
          </fieldset>
        ) : null}
        <Select id="f-action" name="action" label={t("records.bulk.action")} value={view.params.action} error={errors.action} options={actions.map((a) => ({ value: a, label: t(`records.bulk.actions.${a}`) }))} />
        <div class={errors.tag ? "field has-error" : "field"}>
          <label for="f-tag-bulk">{t("records.bulk.tag")}</label>
          <p class="hint" id="f-tag-bulk-hint">{t("records.bulk.tagHint")}</p>
          {errors.tag ? <p class="field-error" id="f-tag-bulk-error">{errors.tag}</p> : null}
          <input id="f-tag-bulk" name="tag" type="text" maxlength={64} list="tags-in-use" dir="auto" aria-describedby={errors.tag ? "f-tag-bulk-hint f-tag-bulk-error" : "f-tag-bulk-hint"} aria-invalid={errors.tag ? "true" : undefined} />
          <datalist id="tags-in-use">
            {view.tags.map((tag) => (
              <option value={tag.tag} />
            ))}
          </datalist>
        </div>
        <Select id="f-user" name="user" label={t("records.bulk.user")} value={undefined} error={errors.user} options={[{ value: "", label: t("records.bulk.nobody") }, ...view.assignees.map((a) => ({ value: a.id, label: a.name, dir: "auto" }))]} />
        <div class={errors.reason ? "field has-error" : "field"}>
          <label for="f-bulk-reason">{t("records.bulk.reason")}</label>
          {errors.reason ? <p class="field-error" id="f-bulk-reason-error">{errors.reason}</p> : null}
          <input id="f-bulk-reason" name="reason" type="text" maxlength={2000} dir="auto" aria-describedby={errors.reason ? "f-bulk-reason-error" : undefined} aria-invalid={errors.reason ? "true" : undefined} />
        </div>
        <button type="submit">{t("records.bulk.submit")}</button>
      </fieldset>
    </form>
  );
}

function nextHref(view: ListPageView, cursor: string): string {
  const next = new URLSearchParams(Object.entries(view.params).filter(([k]) => k !== "cursor"));
  next.set("cursor", cursor);
  return `${listPath(view.type)}?${next.toString()}`;
}

function firstHref(view: ListPageView): string {
  const first = new URLSearchParams(Object.entries(view.params).filter(([k]) => k !== "cursor"));
  const query = first.toString();
  return query ? `${listPath(view.type)}?${query}` : listPath(view.type);
}

export function ListPage(page: PageContext, view: ListPageView) {
  const { t } = page;
  const fmt = new Intl.NumberFormat(page.locale);
  const list = view.list;
  const selectable = (view.may.tag || view.may.archive) && (list?.records.length ?? 0) > 0;
  const back = firstHref(view);
  const creatable = view.type ? (RECORD_TYPES[view.type].create as readonly string[]) : [];
  return (
    <>
      <h1>{t(view.type ? `records.types.${view.type}` : "records.types.all")}</h1>
      <Notice text={view.notice} />
      <KindTabs page={page} view={view} />
      {view.may.create && creatable.length > 0 ? <NewRecordLinks page={page} schemata={creatable} /> : null}
      <ErrorSummary page={page} message={view.problem?.message ?? view.bulkProblem?.message} errors={{ ...(view.problem?.errors ?? {}), ...(view.bulkProblem?.errors ?? {}) }} />
      <Filters page={page} view={view} />
      {list ? (
        <>
          <p role="status" id="record-count">
            {list.count.value === 0 ? t("records.count.none") : list.count.more ? t("records.count.more", { n: fmt.format(list.count.value) }) : t("records.count.some", { n: fmt.format(list.count.value) })}
          </p>
          {list.records.length > 0 ? (
            <table class="records" data-tick-all={t("records.bulk.tickAll")}>
              <caption class="visually-hidden">{t(view.type ? `records.types.${view.type}` : "records.types.all")}</caption>
              <thead>
                <tr>
                  {selectable ? (
                    <th scope="col">
                      <span class="visually-hidden">{t("records.bulk.selectColumn")}</span>
                    </th>
                  ) : null}
                  <th scope="col">{t("records.columns.name")}</th>
                  <th scope="col">{t("records.columns.kind")}</th>
                  <th scope="col">{t("records.columns.details")}</th>
                  <th scope="col">{t("records.columns.tags")}</th>
                  <th scope="col">{t("records.columns.assignee")}</th>
                  <th scope="col">{t("records.columns.updated")}</th>
                </tr>
              </thead>
              <tbody>
                {list.records.map((record) => (
                  <Row page={page} view={view} record={record} selectable={selectable} />
                ))}
              </tbody>
            </table>
          ) : null}
          {view.exportHref && list.count.value > 0 ? (
            <p>
              <a href={view.exportHref}>{t("records.exportList")}</a>
            </p>
          ) : null}
          {list.nextCursor || view.params.cursor ? (
            <nav aria-label={t("records.pages")} class="pager">
              <ul>
                {view.params.cursor ? (
                  <li>
                    <a href={firstHref(view)}>{t("records.firstPage")}</a>
                  </li>
                ) : null}
                {list.nextCursor ? (
                  <li>
                    <a href={nextHref(view, list.nextCursor)} rel="next">
                      {t("records.nextPage")}
                    </a>
                  </li>
                ) : null}
              </ul>
            </nav>
          ) : null}
          {selectable ? <BulkForm page={page} view={view} back={back} /> : null}
        </>
      ) : null}
    </>
  );
}

/** Where a bulk operation run in the background stands; the page says to come back, and links to itself. */
export function BulkProgressPage(page: PageContext, operation: BulkOperationView, problem?: FormProblem) {
  const { t } = page;
  const fmt = new Intl.NumberFormat(page.locale);
  return (
    <>
      <h1>{t("records.bulk.progressTitle")}</h1>
      {problem ? <ErrorSummary page={page} message={problem.message} errors={problem.errors} /> : null}
      <p>{t(`records.bulk.actions.${operation.action}`)}</p>
      <p role="status" id="bulk-status">
        {t(`records.bulk.status.${operation.status}`)} — {t("records.bulk.progress", { processed: fmt.format(operation.processed), total: fmt.format(operation.total), changed: fmt.format(operation.changed) })}
      </p>
      {operation.error ? <p class="field-error">{operation.error}</p> : null}
      {operation.status === "cancelled" ? <p>{t("records.bulk.cancelledNote")}</p> : null}
      {operation.status === "pending" || operation.status === "running" ? (
        <>
          <p>
            <a href={`/records/bulk/${operation.id}`}>{t("records.bulk.checkAgain")}</a>
          </p>
          <form method="post" action={`/records/bulk/${operation.id}/cancel`}>
            <Csrf page={page} />
            <button type="submit">{t("records.bulk.cancel")}</button>
          </form>
        </>
      ) : (
        <p>
          <a href="/records">{t("records.types.all")}</a>
        </p>
      )}
    </>
  );
}

/** The record ids of list rows, to look their referenced records' captions up in one go. */
export function referencedIds(records: readonly ListedRecord[]): string[] {
  return records.flatMap((r) => Object.entries(r.values).filter(([p]) => propertyType(r.schema, p) === "entity").flatMap(([, vs]) => vs.map((v) => v.value)));
}

export { RecordLink };
