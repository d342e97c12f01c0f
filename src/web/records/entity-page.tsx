// A record's page: its names in every script, every statement with its source (values the sources
// disagree on side by side), relationships both ways, a timeline of its dated statements, where
// it is for a place, and the forms that act on it (archive, restore, undo a merge).
import type { Child } from "hono/jsx";
import { parseEdtf } from "../../core/index.ts";
import type { EdgeView, EntityView, LinkView, MergeView, RecordCaption, RecordCapabilities, RelationshipsView, RevisionView, StatementView } from "../../records/index.ts";
import { formatTime } from "../format.ts";
import { Csrf, ErrorSummary, Notice, type PageContext } from "../pages/layout.tsx";
import type { FormProblem } from "../render.tsx";
import { dateSpan, listPathOf, propertyLabel, propertyType, schemaLabel, textDirection, typeOfSchema } from "./labels.ts";
import { Badges, ReasonField, RecordLink, ValueText, Written, type Lookup } from "./parts.tsx";

export interface EntityPageView {
  entity: EntityView;
  may: RecordCapabilities;
  relationships: RelationshipsView;
  revisions: RevisionView[];
  /** Merges this record took part in that are not undone, newest first, for the undo form. */
  merges: MergeView[];
  lookup: Lookup;
  revealed: boolean;
  notice?: string | null;
  problem?: FormProblem | undefined;
  /** Which form the problem belongs to. */
  failedForm?: "archive" | "restore" | "undo" | undefined;
  /** The evidence panel, when the evidence pages provide one. */
  evidence?: Child;
  /** A person's detentions, when the monitoring pages provide them. */
  detentions?: Child;
  /** An organisation's complicity findings and its ownership graph link (src/web/routes/complicity.tsx). */
  complicity?: Child | undefined;
  /** A person's or organisation's sanctions status per jurisdiction (src/web/routes/sanctions.tsx). */
  sanctions?: Child;
  /** A detention's urgent actions panel (src/web/routes/urgent.tsx). */
  urgentActions?: Child;
  /** A person's career as an official (src/web/routes/officials.tsx). */
  career?: Child;
  /** The name of the member the record is assigned to, when the reader may see who that is. */
  assigneeName?: string | null;
  /** For a source: the records that cite it, and whether there are more than shown. */
  citedBy?: { records: RecordCaption[]; more: boolean } | undefined;
  /** Whether relationships can be added from this record (a place has none of its own). */
  canRelate: boolean;
}

/** Name-like properties, shown together in every script at the top. */
const NAME_PROPERTIES = new Set(["name", "alias", "weakAlias", "previousName", "firstName", "lastName", "full"]);
/** Types whose several values are a disagreement between sources, not a list (two birth dates, two counts of victims). */
const SINGULAR_TYPES = new Set(["date", "number", "gender"]);

export function captionOf(entity: EntityView): StatementView | null {
  for (const property of ["name", "full", "alias", "city", "role"]) {
    const s = entity.statements.find((st) => st.property === property && st.value !== null);
    if (s) return s;
  }
  return null;
}

export function Title({ page, entity, former }: { page: PageContext; entity: EntityView; former?: RecordCaption | undefined }) {
  const caption = captionOf(entity);
  if (caption) return <Written value={caption.value!} lang={caption.lang} script={caption.script} />;
  // A merged record has no values of its own left: it goes by the name it had.
  if (former?.caption) return <Written value={former.caption} lang={former.lang} script={former.script} />;
  return <>{page.t("records.unnamed", { kind: schemaLabel(page.t, entity.schema) })}</>;
}

/** The way back to a record from the pages that act on it. */
export function BackToRecord({ page, entity }: { page: PageContext; entity: EntityView }) {
  return (
    <p class="breadcrumb">
      <a href={`/records/${entity.id}`}>
        <Title page={page} entity={entity} />
      </a>
    </p>
  );
}

/** "per Testimony T-12", in the word order of the reader's language. */
export function PerSource({ page, lookup, source }: { page: PageContext; lookup: Lookup; source: string | null }) {
  const { t } = page;
  if (!source) return <span class="hint">{t("records.noSource")}</span>;
  const [before, after] = t("records.perSource").split("{source}") as [string, string | undefined];
  return (
    <span class="per">
      {before}
      <RecordLink page={page} id={source} caption={lookup.captions.get(source)} />
      {after ?? ""}
    </span>
  );
}

function StatementDetails({ page, s }: { page: PageContext; s: StatementView }) {
  const { t } = page;
  const parts: string[] = [];
  if (s.lang) parts.push(t("records.language", { lang: s.lang }));
  if (s.sensitivity !== "internal") parts.push(t(`records.sensitivityLevel.${s.sensitivity}`));
  if (s.confidence !== null) parts.push(t("records.confidence", { n: Math.round(s.confidence * 100) }));
  if (s.copiedFrom) parts.push(t("records.copiedByMerge"));
  return parts.length ? <span class="hint"> · {parts.join(" · ")}</span> : null;
}

function StatementValue({ page, view, s }: { page: PageContext; view: EntityPageView; s: StatementView }) {
  const { t } = page;
  if (s.value === null) {
    return (
      <span class="sealed">
        {t("records.sealed")}
        {view.may.revealSecrets && !view.revealed ? (
          <>
            {" "}
            <a href={`/records/${view.entity.id}?reveal=secrets#statements`}>{t("records.reveal")}</a>
          </>
        ) : null}
      </span>
    );
  }
  return <ValueText page={page} lookup={view.lookup} schema={view.entity.schema} property={s.property} value={s.value} lang={s.lang} script={s.script} earliest={s.dateEarliest} latest={s.dateLatest} />;
}

function Names({ page, view }: { page: PageContext; view: EntityPageView }) {
  const { t } = page;
  const names = view.entity.statements.filter((s) => NAME_PROPERTIES.has(s.property));
  if (names.length === 0) return null;
  return (
    <section aria-labelledby="names-title">
      <h2 id="names-title">{t("records.names")}</h2>
      <ul class="names">
        {names.map((s) => (
          <li>
            <span class="fact-name">{propertyLabel(t, view.entity.schema, s.property)}:</span>{" "}
            {s.value === null ? <StatementValue page={page} view={view} s={s} /> : <Written value={s.value} lang={s.lang} script={s.script} />} <span class="hint">—</span> <PerSource page={page} lookup={view.lookup} source={s.source} />
            <StatementDetails page={page} s={s} />
          </li>
        ))}
      </ul>
    </section>
  );
}

function Statements({ page, view }: { page: PageContext; view: EntityPageView }) {
  const { t } = page;
  const { entity } = view;
  const byProperty = new Map<string, StatementView[]>();
  for (const s of entity.statements) if (!NAME_PROPERTIES.has(s.property)) (byProperty.get(s.property) ?? byProperty.set(s.property, []).get(s.property)!).push(s);
  return (
    <section aria-labelledby="statements-title" id="statements">
      <h2 id="statements-title">{t("records.statements")}</h2>
      {byProperty.size === 0 ? <p>{t("records.noStatements")}</p> : null}
      <dl class="statements">
        {[...byProperty].map(([property, statements]) => {
          const distinct = new Set(statements.map((s) => s.value ?? `\u0000${s.id}`));
          const disagree = distinct.size > 1 && SINGULAR_TYPES.has(propertyType(entity.schema, property) ?? "");
          return (
            <>
              <dt>{propertyLabel(t, entity.schema, property)}</dt>
              <dd>
                {disagree ? (
                  <p class="conflict">
                    <strong>{t("records.sourcesDisagree")}</strong>{" "}
                    {statements.map((s, i) => (
                      <>
                        {i > 0 ? "; " : null}
                        <StatementValue page={page} view={view} s={s} /> <PerSource page={page} lookup={view.lookup} source={s.source} />
                      </>
                    ))}
                  </p>
                ) : null}
                <ul class="values">
                  {statements.map((s) => (
                    <li>
                      <StatementValue page={page} view={view} s={s} /> <span class="hint">—</span> <PerSource page={page} lookup={view.lookup} source={s.source} />
                      <StatementDetails page={page} s={s} />
                    </li>
                  ))}
                </ul>
              </dd>
            </>
          );
        })}
      </dl>
    </section>
  );
}

function EdgeRow({ page, view, edge }: { page: PageContext; view: EntityPageView; edge: EdgeView }) {
  const { t } = page;
  const r = edge.relationship;
  const roles = [...(r.properties.role ?? []), ...(r.properties.relationship ?? [])];
  const dates = ["date", "startDate", "endDate"].flatMap((p) => r.properties[p] ?? []);
  return (
    <tr>
      <td>
        <a href={`/records/${r.id}`}>{schemaLabel(t, r.schema)}</a>
        {r.archived ? <span class="badge archived"> {t("records.archived")}</span> : null}
      </td>
      <td>{propertyLabel(t, r.schema, edge.property)}</td>
      <td>
        {roles.map((role, i) => (
          <>
            {i > 0 ? ", " : null}
            <ValueText page={page} lookup={view.lookup} schema={r.schema} property={r.properties.role?.includes(role) ? "role" : "relationship"} value={role} />
          </>
        ))}
      </td>
      <td>
        {edge.others.map((o, i) => (
          <>
            {i > 0 ? "; " : null}
            <span class="fact-name">{propertyLabel(t, r.schema, o.property)}:</span> <RecordLink page={page} id={o.record.id} caption={view.lookup.captions.get(o.record.id)} />
          </>
        ))}
      </td>
      <td dir="ltr">{dates.join(" – ")}</td>
    </tr>
  );
}

function LinkItem({ page, view, link }: { page: PageContext; view: EntityPageView; link: LinkView }) {
  const { t } = page;
  const schema = link.direction === "outgoing" ? view.entity.schema : link.record.schema;
  return (
    <li>
      {link.direction === "outgoing" ? (
        <>
          <span class="fact-name">{propertyLabel(t, schema, link.property)}:</span> <RecordLink page={page} id={link.record.id} caption={view.lookup.captions.get(link.record.id)} />
        </>
      ) : (
        <>
          <RecordLink page={page} id={link.record.id} caption={view.lookup.captions.get(link.record.id)} /> <span class="hint">({schemaLabel(t, link.record.schema)})</span>{" "}
          {t("records.pointsHereAs", { property: propertyLabel(t, schema, link.property) })}
        </>
      )}
    </li>
  );
}

function Relationships({ page, view }: { page: PageContext; view: EntityPageView }) {
  const { t } = page;
  const { edges, links, truncated } = view.relationships;
  return (
    <section aria-labelledby="relationships-title" id="relationships">
      <h2 id="relationships-title">{t("records.relationships")}</h2>
      {view.may.edit && view.canRelate && !view.entity.archived ? (
        <p>
          <a href={`/records/${view.entity.id}/relate`}>{t("records.relate.link")}</a>
        </p>
      ) : null}
      {edges.length === 0 && links.length === 0 ? <p>{t("records.noRelationships")}</p> : null}
      {edges.length > 0 ? (
        <table class="relationships">
          <caption class="visually-hidden">{t("records.relationships")}</caption>
          <thead>
            <tr>
              <th scope="col">{t("records.columns.relationship")}</th>
              <th scope="col">{t("records.columns.as")}</th>
              <th scope="col">{t("records.columns.role")}</th>
              <th scope="col">{t("records.columns.with")}</th>
              <th scope="col">{t("records.columns.dates")}</th>
            </tr>
          </thead>
          <tbody>
            {edges.map((edge) => (
              <EdgeRow page={page} view={view} edge={edge} />
            ))}
          </tbody>
        </table>
      ) : null}
      {links.length > 0 ? (
        <ul class="links">
          {links.map((link) => (
            <LinkItem page={page} view={view} link={link} />
          ))}
        </ul>
      ) : null}
      {truncated ? <p class="hint">{t("records.relationshipsTruncated")}</p> : null}
    </section>
  );
}

interface TimelineItem {
  earliest: string;
  latest: string;
  value: string;
  label: string;
  source: string | null;
  record?: { id: string; property: string; schema: string } | undefined;
}

function timelineOf(page: PageContext, view: EntityPageView): TimelineItem[] {
  const { t } = page;
  const items: TimelineItem[] = view.entity.statements
    .filter((s) => s.dateEarliest !== null && s.value !== null)
    .map((s) => ({ earliest: s.dateEarliest!, latest: s.dateLatest ?? s.dateEarliest!, value: s.value!, label: propertyLabel(t, view.entity.schema, s.property), source: s.source }));
  for (const edge of view.relationships.edges) {
    for (const property of ["date", "startDate", "endDate"]) {
      for (const value of edge.relationship.properties[property] ?? []) {
        const parsed = parseEdtf(value);
        if (!parsed.ok) continue;
        const other = edge.others[0];
        items.push({
          earliest: parsed.value.earliest,
          latest: parsed.value.latest,
          value,
          label: `${schemaLabel(t, edge.relationship.schema)} · ${propertyLabel(t, edge.relationship.schema, property)}`,
          source: null,
          record: other ? { id: other.record.id, property: other.property, schema: edge.relationship.schema } : undefined,
        });
      }
    }
  }
  return items.sort((a, b) => a.earliest.localeCompare(b.earliest) || a.latest.localeCompare(b.latest));
}

function Timeline({ page, view }: { page: PageContext; view: EntityPageView }) {
  const { t } = page;
  const items = timelineOf(page, view);
  if (items.length === 0) return null;
  return (
    <section aria-labelledby="timeline-title" id="timeline">
      <h2 id="timeline-title">{t("records.timeline")}</h2>
      <ol class="timeline">
        {items.map((item) => (
          <li>
            <span class="when" dir="ltr">
              {item.value}
            </span>{" "}
            <span class="hint">({dateSpan(page.locale, item.earliest, item.latest)})</span> — {item.label}
            {item.record ? (
              <>
                {" "}
                — <RecordLink page={page} id={item.record.id} caption={view.lookup.captions.get(item.record.id)} />
              </>
            ) : null}
            {item.source ? (
              <>
                {" "}
                — <PerSource page={page} lookup={view.lookup} source={item.source} />
              </>
            ) : null}
          </li>
        ))}
      </ol>
    </section>
  );
}

function CitedBy({ page, view }: { page: PageContext; view: EntityPageView }) {
  const { t } = page;
  if (!view.citedBy) return null;
  return (
    <section aria-labelledby="cited-title" id="cited-by">
      <h2 id="cited-title">{t("records.citedBy")}</h2>
      {view.citedBy.records.length === 0 ? <p>{t("records.citedByNone")}</p> : null}
      <ul class="links">
        {view.citedBy.records.map((c) => (
          <li>
            <RecordLink page={page} id={c.id} caption={c} /> <span class="hint">({schemaLabel(t, c.schema)})</span>
          </li>
        ))}
      </ul>
      {view.citedBy.more ? <p class="hint">{t("records.citedByMore")}</p> : null}
    </section>
  );
}

function Place({ page, view }: { page: PageContext; view: EntityPageView }) {
  const { t } = page;
  const { properties } = view.entity;
  // An incident (or any record with a place) is shown on the map at its places.
  if (!isPlace(view.entity.schema)) {
    const places = (properties.place ?? []).filter((id) => view.lookup.captions.has(id));
    if (places.length === 0) return null;
    return (
      <section aria-labelledby="place-title" id="place">
        <h2 id="place-title">{t("records.onTheMap")}</h2>
        <ul class="links">
          {places.map((id) => (
            <li>
              <a href={`/map?place=${id}`}>{t("records.showOnMapAt")}</a> <RecordLink page={page} id={id} caption={view.lookup.captions.get(id)} />
            </li>
          ))}
        </ul>
      </section>
    );
  }
  const lat = properties.latitude?.[0];
  const lon = properties.longitude?.[0];
  return (
    <section aria-labelledby="place-title" id="place">
      <h2 id="place-title">{t("records.onTheMap")}</h2>
      {lat && lon ? (
        <p>
          <span dir="ltr">
            {lat}, {lon}
          </span>{" "}
          <a href={`/map?kind=places&place=${view.entity.id}`}>{t("records.showOnMap")}</a> · <a href={`/map?place=${view.entity.id}`}>{t("records.incidentsOnMap")}</a>
        </p>
      ) : (
        <p class="hint">{t("records.noCoordinates")}</p>
      )}
    </section>
  );
}

function isPlace(schema: string): boolean {
  return schema === "Address";
}

function Marks({ page, view }: { page: PageContext; view: EntityPageView }) {
  const { t } = page;
  const { entity } = view;
  if (entity.tags.length === 0 && !entity.assignee) return null;
  const type = typeOfSchema(entity.schema);
  return (
    <p class="marks">
      {entity.tags.length > 0 ? (
        <>
          <span class="fact-name">{t("records.columns.tags")}:</span>{" "}
          {entity.tags.map((tag, i) => (
            <>
              {i > 0 ? ", " : null}
              <a href={`${listPathOf(type)}?tag=${encodeURIComponent(tag)}`} dir="auto">
                {tag}
              </a>
            </>
          ))}
        </>
      ) : null}
      {entity.assignee ? (
        <>
          {" "}
          <span class="fact-name">{t("records.columns.assignee")}:</span> {view.assigneeName ? <span dir="auto">{view.assigneeName}</span> : t("records.someone")}
        </>
      ) : null}
    </p>
  );
}

function ArchiveForm({ page, view }: { page: PageContext; view: EntityPageView }) {
  const { t } = page;
  const { entity } = view;
  if (!view.may.archive || entity.mergedInto) return null;
  const restoring = entity.archived !== null;
  const errors = (view.failedForm === "archive" || view.failedForm === "restore") ? (view.problem?.errors ?? {}) : {};
  return (
    <section aria-labelledby="archive-title" id="archive">
      <h2 id="archive-title">{restoring ? t("records.restoreTitle") : t("records.archiveTitle")}</h2>
      <p class="hint">{restoring ? t("records.restoreHint") : t("records.archiveHint")}</p>
      <form method="post" action={`/records/${entity.id}/${restoring ? "restore" : "archive"}`}>
        <Csrf page={page} />
        <input type="hidden" name="revision" value={String(entity.revision)} />
        <ReasonField page={page} id="f-archive-reason" error={errors.reason} />
        <button type="submit" class={restoring ? undefined : "danger"}>
          {restoring ? t("records.restore") : t("records.archive")}
        </button>
      </form>
    </section>
  );
}

function MergeNotices({ page, view }: { page: PageContext; view: EntityPageView }) {
  const { t } = page;
  if (view.merges.length === 0) return null;
  const errors = view.failedForm === "undo" ? (view.problem?.errors ?? {}) : {};
  return (
    <section aria-labelledby="merges-title" id="merges">
      <h2 id="merges-title">{t("records.merges")}</h2>
      {view.merges.map((merge) => {
        const intoThis = merge.target === view.entity.id;
        const other = intoThis ? merge.merged : merge.target;
        return (
          <div class="merge">
            <p>
              {intoThis ? t("records.mergedHere") : t("records.mergedAway")} <RecordLink page={page} id={other} caption={view.lookup.captions.get(other)} /> <span class="hint">({formatTime(page.locale, merge.createdAt)})</span>
            </p>
            <p class="hint" dir="auto">
              {t("records.reasonWas", { reason: merge.reason })}
            </p>
            {view.may.merge ? (
              <form method="post" action={`/records/merges/${merge.id}/undo`}>
                <Csrf page={page} />
                <input type="hidden" name="back" value={`/records/${view.entity.id}`} />
                <ReasonField page={page} id={`f-undo-${merge.id}`} error={errors.reason} />
                <button type="submit">{t("records.undoMerge")}</button>
              </form>
            ) : null}
          </div>
        );
      })}
    </section>
  );
}

function Actions({ page, view }: { page: PageContext; view: EntityPageView }) {
  const { t } = page;
  const { entity, may } = view;
  const live = entity.archived === null;
  const items: Child[] = [];
  if (may.edit && live) items.push(<a href={`/records/${entity.id}/edit`}>{t("records.edit")}</a>);
  if (may.merge && live) items.push(<a href={`/records/${entity.id}/merge`}>{t("records.merge.link")}</a>);
  items.push(<a href={`/records/${entity.id}/history`}>{t("records.history.link")}</a>);
  if (may.manageAccess) items.push(<a href={`/records/${entity.id}/access`}>{t("records.access.link")}</a>);
  if (may.revealSecrets && !view.revealed && entity.statements.some((s) => s.sealed)) items.push(<a href={`/records/${entity.id}?reveal=secrets`}>{t("records.revealAll")}</a>);
  return (
    <ul class="actions">
      {items.map((item) => (
        <li>{item}</li>
      ))}
    </ul>
  );
}

export function EntityPage(page: PageContext, view: EntityPageView) {
  const { t } = page;
  const { entity } = view;
  const type = typeOfSchema(entity.schema);
  const caption = captionOf(entity);
  return (
    <>
      <p class="breadcrumb">
        <a href={listPathOf(type)}>{t(type ? `records.types.${type}` : "records.types.all")}</a>
      </p>
      <h1 lang={caption?.lang ?? undefined} dir={caption ? textDirection(caption.lang, caption.script) : undefined}>
        <Title page={page} entity={entity} former={view.lookup.captions.get(entity.id)} />
      </h1>
      <p class="hint">
        {schemaLabel(t, entity.schema)} · {t("records.revision", { n: entity.revision })} · {t("records.updated", { when: formatTime(page.locale, entity.updatedAt) })}
        <Badges page={page} restricted={entity.restricted} archived={entity.archived !== null} merged={entity.mergedInto !== null} />
      </p>
      <Notice text={view.notice} />
      <ErrorSummary page={page} message={view.problem?.message} errors={view.problem?.errors} />
      {entity.mergedInto ? (
        <p class="notice">
          {t("records.redirect")} <RecordLink page={page} id={entity.mergedInto} caption={view.lookup.captions.get(entity.mergedInto)} />
        </p>
      ) : entity.archived ? (
        <p class="notice" dir="auto">
          {t("records.archivedOn", { when: formatTime(page.locale, entity.archived.at), reason: entity.archived.reason })}
        </p>
      ) : null}
      <Actions page={page} view={view} />
      <Marks page={page} view={view} />
      <Names page={page} view={view} />
      <Statements page={page} view={view} />
      {view.career ?? null}
      {view.detentions ?? null}
      {view.complicity ?? null}
      {view.sanctions ?? null}
      <CitedBy page={page} view={view} />
      <Relationships page={page} view={view} />
      <Timeline page={page} view={view} />
      <Place page={page} view={view} />
      {view.evidence ?? null}
      {view.urgentActions ?? null}
      <MergeNotices page={page} view={view} />
      <ArchiveForm page={page} view={view} />
    </>
  );
}

/** Every record the page names besides itself: sources, values that point at records, relationships' ends. */
export function referencedOf(entity: EntityView, relationships: RelationshipsView, merges: readonly MergeView[]): string[] {
  const ids: string[] = [];
  for (const s of entity.statements) {
    if (s.source) ids.push(s.source);
    if (s.value && propertyType(entity.schema, s.property) === "entity") ids.push(s.value);
  }
  for (const edge of relationships.edges) ids.push(edge.relationship.id, ...edge.others.map((o) => o.record.id));
  for (const link of relationships.links) ids.push(link.record.id);
  for (const merge of merges) ids.push(merge.target, merge.merged);
  if (entity.mergedInto) ids.push(entity.mergedInto);
  return ids;
}
