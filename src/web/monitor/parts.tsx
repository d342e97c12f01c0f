// Pieces the monitoring pages share: a detention's status in the reader's language, where the
// person is held, the days since the last proof of life, and the source and facility pickers.
import type { DetentionSummary, DetentionView } from "../../monitor/index.ts";
import type { RecordCaption } from "../../records/index.ts";
import type { PageContext } from "../pages/layout.tsx";
import { dateSpan, valueLabel } from "../records/labels.ts";
import { RecordLink, Written, type Lookup } from "../records/parts.tsx";

/** Whole days from the last day a proof of life can mean to today (both YYYY-MM-DD). */
export function daysSince(day: string, today: string): number {
  return Math.max(0, Math.round((Date.parse(`${today}T00:00:00Z`) - Date.parse(`${day}T00:00:00Z`)) / 86_400_000));
}

export function StatusText({ page, lookup, summary }: { page: PageContext; lookup: Lookup; summary: DetentionSummary }) {
  const { t } = page;
  if (!summary.status) return <span class="hint">{t("monitor.noStatus")}</span>;
  const label = valueLabel(t, page.locale, lookup.vocabularies, "CustodyStatus", "status", summary.status);
  const span = dateSpan(page.locale, summary.statusEarliest, summary.statusLatest);
  return (
    <>
      {label}
      {span ? <span class="hint"> ({span})</span> : null}
    </>
  );
}

export function FacilityText({ page, lookup, summary }: { page: PageContext; lookup: Lookup; summary: DetentionSummary }) {
  if (!summary.facilityId) return <span class="hint">{page.t("monitor.unknownPlace")}</span>;
  const caption = lookup.captions.get(summary.facilityId);
  if (!caption) return <span class="hint">{page.t("records.notShown")}</span>;
  return <a href={`/monitor/facilities/${summary.facilityId}`}>{caption.caption ? <Written value={caption.caption} lang={caption.lang} script={caption.script} /> : page.t("monitor.facility")}</a>;
}

export function SilenceText({ page, summary, today }: { page: PageContext; summary: DetentionSummary; today: string }) {
  const { t } = page;
  if (!summary.ongoing) return <span class="hint">{t("monitor.ended")}</span>;
  if (!summary.lastProofOfLife) return <strong>{t("monitor.noProofOfLife")}</strong>;
  const days = daysSince(summary.lastProofOfLife, today);
  const overdue = summary.silenceDays !== null && days > summary.silenceDays;
  const text = t("monitor.daysSince", { n: days });
  return overdue ? <strong class="badge restricted">{text}</strong> : <span>{text}</span>;
}

export function PersonLink({ page, lookup, view }: { page: PageContext; lookup: Lookup; view: DetentionView }) {
  const id = view.summary.personId;
  return id ? <RecordLink page={page} id={id} caption={lookup.captions.get(id)} /> : <span class="hint">{page.t("records.notShown")}</span>;
}

/** Every record a set of detention views names: people, facilities, sources, places of status changes. */
export function referencedBy(views: readonly DetentionView[]): string[] {
  const ids: string[] = [];
  for (const v of views) {
    if (v.summary.personId) ids.push(v.summary.personId);
    if (v.summary.facilityId) ids.push(v.summary.facilityId);
    for (const entry of v.timeline) {
      for (const s of entry.record.statements) {
        if (s.source) ids.push(s.source);
        if (s.value && ["person", "facility", "agency", "officials"].includes(s.property)) ids.push(s.value);
      }
    }
  }
  return ids;
}

/** A labelled select of records (sources, facilities), with a first "none" choice when optional. */
export function RecordSelect({ page, id, name, label, value, options, none, error, hint }: {
  page: PageContext;
  id: string;
  name: string;
  label: string;
  value: string | undefined;
  options: readonly RecordCaption[];
  none: string;
  error?: string | undefined;
  hint?: string | undefined;
}) {
  const described = [hint ? `${id}-hint` : "", error ? `${id}-error` : ""].filter(Boolean).join(" ") || undefined;
  const seen = new Set<string>();
  return (
    <div class={error ? "field has-error" : "field"}>
      <label for={id}>{label}</label>
      {hint ? <p class="hint" id={`${id}-hint`}>{hint}</p> : null}
      {error ? <p class="field-error" id={`${id}-error`}>{error}</p> : null}
      <select id={id} name={name} aria-invalid={error ? "true" : undefined} aria-describedby={described}>
        <option value="">{none}</option>
        {options
          .filter((o) => !seen.has(o.id) && seen.add(o.id))
          .map((o) => (
            <option value={o.id} selected={o.id === value} lang={o.lang ?? undefined}>
              {o.caption ?? page.t("records.notShown")}
            </option>
          ))}
      </select>
    </div>
  );
}
