/**
 * The evidence of one record (a Source, an Incident, a Person…), for the record's page, and the
 * routes that add to it: upload straight onto the record, link an item already in the vault,
 * withdraw a link (with a reason), over pages and over the API.
 *
 * For a record page:
 *
 *   const evidence = await evidencePanelFor(c, entity.id);   // JSX, or null for a reader who may not see evidence (a partner)
 *   EntityPage(page, { ...view, evidence });
 *
 * or, to place it yourself, `const data = await loadEvidencePanel(c, id)` then
 * `<EvidencePanel page={page} data={data} />`. Props of EvidencePanel:
 *
 *   page  the PageContext of the page it sits on
 *   data  EvidencePanelData from loadEvidencePanel(c, entityId, { back? }):
 *         entityId, schema; items (each: its link (who, when, why), the item's summary (type, size,
 *         blob hash, commitment), its capture role if a web capture made it, its decrypted metadata
 *         (file name, plaintext SHA-256, capture facts) when the vault is unsealed and the reader may
 *         read evidence, its latest custody events with their inclusion proofs); withdrawn links;
 *         sealed; what the reader may do (upload, link and withdraw, capture); `back`, the address
 *         the panel's forms return to (default /records/<id>#evidence).
 *
 * Loading the panel reads each shown item's encrypted metadata while the vault is unsealed: like
 * opening the item's own page, each read is a "viewed" custody-ledger event. A record the reader
 * may not know of is not found (404), as everywhere.
 */
import { Hono, type Context } from "hono";
import type { Child } from "hono/jsx";
import { captureRolesOf, type ArtifactRole } from "../../capture/index.ts";
import { can, Sealed } from "../../core/index.ts";
import {
  custodyHistory,
  linkEvidence,
  listEvidenceLinks,
  listRecordEvidence,
  personCaller,
  readEvidenceMetadata,
  receiveEvidenceForRecord,
  unlinkEvidence,
  type CustodyEntry,
  type EvidenceLinkView,
  type EvidenceMetadata,
  type EvidenceSummary,
} from "../../evidence/index.ts";
import { loadRecord } from "../../records/index.ts";
import type { AppEnv } from "../env.ts";
import { formatTime, UUID_PARAM } from "../format.ts";
import { requirePrincipal } from "../middleware/auth.ts";
import { readForm, readJson } from "../middleware/body.ts";
import { ErrorSummary, type PageContext } from "../pages/layout.tsx";
import { formProblem, pageContext, Redirect, renderPage, safeNext, signedIn, type FormProblem } from "../render.tsx";
import { incomingFile, summaryJson } from "./evidence.tsx";
import { CaptureFacts, CustodyTable, ItemFacts, LinkForm, PREVIEWABLE, SealedNotice, UnlinkForm } from "./evidence-parts.tsx";

export const evidencePanelRoutes = new Hono<AppEnv>();

const ID = `:id{${UUID_PARAM}}`;
/** Items shown on a panel; more are reached from the evidence list. */
const PANEL_ITEMS = 50;
/** Custody events shown per item on a panel; the item's page has them all. */
const PANEL_EVENTS = 10;

export interface PanelItem {
  link: EvidenceLinkView;
  evidence: EvidenceSummary;
  capture: { capture: string; role: ArtifactRole } | null;
  metadata: EvidenceMetadata | null;
  history: CustodyEntry[];
}

export interface EvidencePanelData {
  entityId: string;
  schema: string;
  items: PanelItem[];
  /** Links withdrawn from the record, newest first: the record's evidence history. */
  withdrawn: { link: EvidenceLinkView; evidence: EvidenceSummary }[];
  more: boolean;
  sealed: boolean;
  mayRead: boolean;
  mayUpload: boolean;
  mayLink: boolean;
  mayCapture: boolean;
  back: string;
}

function defaultBack(entityId: string): string {
  return `/records/${entityId}#evidence`;
}

/** Loads what the panel shows; null for a reader who may not see evidence at all. */
export async function loadEvidencePanel(c: Context<AppEnv>, entityId: string, options: { back?: string } = {}): Promise<EvidencePanelData | null> {
  const principal = signedIn(c);
  const { actor } = principal;
  const { services, origin } = c.var;
  const evidence = { kind: "evidence", orgId: actor.orgId } as const;
  if (!can(actor, "evidence.view", evidence)) return null;
  const caller = personCaller(principal);
  const record = await loadRecord(services, actor, entityId);
  const all = await listRecordEvidence(services, origin, caller, entityId, { withdrawn: true, limit: 500 });
  const live = all.filter((l) => !l.link.unlinked);
  const shown = live.slice(0, PANEL_ITEMS);
  const sealed = services.keyring.isSealed(actor.orgId);
  const mayRead = can(actor, "evidence.read", evidence);
  const roles = await captureRolesOf(services, shown.map((l) => l.evidence.id));
  const items: PanelItem[] = [];
  for (const { link, evidence: item } of shown) {
    const metadata =
      !sealed && mayRead
        ? await readEvidenceMetadata(services, origin, caller, item.id).catch((error: unknown) => {
            if (error instanceof Sealed) return null;
            throw error;
          })
        : null;
    const history = await custodyHistory(services, origin, caller, item.id, { latest: PANEL_EVENTS });
    items.push({ link, evidence: item, capture: roles.get(item.id) ?? null, metadata, history });
  }
  const mayEdit = can(actor, "record.edit", record.subject) && !record.row.merged_into;
  const mayLink = mayEdit && can(actor, "evidence.link", evidence);
  return {
    entityId: record.row.id,
    schema: record.row.schema,
    items,
    withdrawn: all.filter((l) => l.link.unlinked),
    more: live.length > shown.length,
    sealed,
    mayRead,
    mayUpload: mayLink && can(actor, "evidence.upload", evidence),
    mayLink,
    mayCapture: mayLink && record.row.schema === "Source" && !record.row.archived_at && can(actor, "evidence.capture", evidence),
    back: safeNext(options.back ?? defaultBack(record.row.id)),
  };
}

/** The panel, ready to put on a record's page; null for a reader who may not see evidence. */
export async function evidencePanelFor(c: Context<AppEnv>, entityId: string, options: { back?: string } = {}): Promise<Child | null> {
  const data = await loadEvidencePanel(c, entityId, options);
  return data ? <EvidencePanel page={pageContext(c)} data={data} /> : null;
}

function headingOf(page: PageContext, item: PanelItem): string {
  if (item.capture) return page.t(`capture.roles.${item.capture.role}`);
  return item.metadata?.filename ?? page.t("evidence.itemTitle");
}

function Item({ page, data, item }: { page: PageContext; data: EvidencePanelData; item: PanelItem }) {
  const { t, locale } = page;
  const { evidence, link, metadata } = item;
  const capture = metadata?.capture as Record<string, unknown> | undefined;
  return (
    <article class="evidence-item" id={`evidence-${evidence.id}`} aria-labelledby={`evidence-${evidence.id}-h`}>
      <h3 id={`evidence-${evidence.id}-h`}>
        <a href={`/evidence/${evidence.id}`} dir="auto">
          {headingOf(page, item)}
        </a>
      </h3>
      <dl class="facts">
        <ItemFacts page={page} item={evidence} metadata={metadata} />
        {capture ? <CaptureFacts page={page} capture={capture} /> : null}
        <dt>{t("evidencePanel.linked")}</dt>
        <dd>
          {t("evidencePanel.linkedBy", { who: link.linkedByName ?? t("evidencePanel.someone"), when: formatTime(locale, link.linkedAt) })}
          {" — "}
          <span dir="auto">{link.reason}</span>
        </dd>
      </dl>
      {data.sealed ? (
        <p class="hint sealed-download">{t("evidencePanel.downloadSealed")}</p>
      ) : data.mayRead ? (
        <p>
          <a href={`/evidence/${evidence.id}/download`} class="button download">
            {t("evidence.download")}
          </a>
        </p>
      ) : null}
      {!data.sealed && data.mayRead && PREVIEWABLE.test(evidence.mediaType) ? (
        <figure>
          <img src={`/evidence/${evidence.id}/preview`} alt={t("evidencePanel.previewAlt", { what: headingOf(page, item) })} class="preview" />
        </figure>
      ) : null}
      <details class="custody-history">
        <summary>{t("evidencePanel.history", { n: item.history.length })}</summary>
        <CustodyTable page={page} history={item.history} />
        <p>
          <a href={`/evidence/${evidence.id}`}>{t("evidencePanel.fullHistory")}</a>
        </p>
      </details>
      {data.mayLink ? <UnlinkForm page={page} linkId={link.id} back={data.back} /> : null}
    </article>
  );
}

export function EvidencePanel({ page, data }: { page: PageContext; data: EvidencePanelData }) {
  const { t, locale } = page;
  const back = encodeURIComponent(data.back);
  return (
    <section class="evidence-panel" id="evidence" aria-labelledby="evidence-panel-h">
      <h2 id="evidence-panel-h">{t("evidencePanel.title")}</h2>
      <SealedNotice page={page} sealed={data.sealed} />
      {data.items.length === 0 ? <p>{t("evidencePanel.none")}</p> : data.items.map((item) => <Item page={page} data={data} item={item} />)}
      {data.more ? <p class="hint">{t("evidencePanel.more", { n: PANEL_ITEMS })}</p> : null}
      {data.mayCapture ? (
        <p>
          <a href={`/captures/new?source=${data.entityId}`} class="button capture-link">
            {t("capture.action")}
          </a>
        </p>
      ) : null}
      {data.mayUpload ? (
        <form method="post" action={`/evidence/to/${data.entityId}?_csrf=${encodeURIComponent(page.csrfToken)}&back=${back}`} enctype="multipart/form-data" class="upload">
          <h3>{t("evidencePanel.uploadTitle")}</h3>
          <div class="field">
            <label for="f-panel-file">{t("evidence.file")}</label>
            <p class="hint" id="f-panel-file-hint">
              {t("evidence.fileHint")}
            </p>
            <input id="f-panel-file" type="file" name="file" required aria-describedby="f-panel-file-hint" />
          </div>
          <button type="submit">{t("evidence.upload")}</button>
        </form>
      ) : null}
      {data.mayLink ? <LinkForm page={page} ask="evidence" known={data.entityId} back={data.back} /> : null}
      {data.withdrawn.length ? (
        <table class="withdrawn-links">
          <caption>{t("evidencePanel.withdrawnCaption")}</caption>
          <thead>
            <tr>
              <th scope="col">{t("evidence.itemTitle")}</th>
              <th scope="col">{t("evidencePanel.withdrawnWhen")}</th>
              <th scope="col">{t("evidencePanel.withdrawnWhy")}</th>
            </tr>
          </thead>
          <tbody>
            {data.withdrawn.map(({ link, evidence }) => (
              <tr>
                <td>
                  <a href={`/evidence/${evidence.id}`} dir="ltr">
                    {evidence.mediaType}
                  </a>
                </td>
                <td>{t("evidencePanel.linkedBy", { who: link.unlinked!.byName ?? t("evidencePanel.someone"), when: formatTime(locale, link.unlinked!.at) })}</td>
                <td dir="auto">{link.unlinked!.reason}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </section>
  );
}

// ——— pages: the panel's forms ———

/** A form on the panel was refused: say why on a page of its own, with the way back. */
function refusedPage(c: Context<AppEnv>, problem: FormProblem, back: string) {
  return renderPage(
    c,
    c.var.t("evidencePanel.refusedTitle"),
    (page) => (
      <section class="narrow">
        <h1>{page.t("evidencePanel.refusedTitle")}</h1>
        <ErrorSummary page={page} message={problem.message} errors={problem.errors} />
        <p>
          <a href={back}>{page.t("evidencePanel.back")}</a>
        </p>
      </section>
    ),
    problem.status,
  );
}

function field(form: Record<string, string | string[]>, name: string): string {
  const value = form[name];
  return typeof value === "string" ? value : "";
}

async function answer(c: Context<AppEnv>, back: string, act: () => Promise<unknown>) {
  try {
    await act();
  } catch (error) {
    return refusedPage(c, formProblem(c, error), back);
  }
  throw new Redirect(back);
}

evidencePanelRoutes.post(`/evidence/to/${ID}`, async (c) => {
  const principal = signedIn(c);
  const id = c.req.param("id");
  const back = safeNext(c.req.query("back") ?? defaultBack(id));
  return answer(c, back, () => receiveEvidenceForRecord(c.var.services, c.var.origin, personCaller(principal), id, () => incomingFile(c, false)));
});

evidencePanelRoutes.post("/evidence/links", async (c) => {
  const principal = signedIn(c);
  const form = await readForm(c);
  const entity = field(form, "entity");
  const back = safeNext(field(form, "back") || defaultBack(entity));
  return answer(c, back, () => linkEvidence(c.var.services, c.var.origin, personCaller(principal), entity, { evidence: field(form, "evidence").trim().toLowerCase(), reason: field(form, "reason") }));
});

evidencePanelRoutes.post(`/evidence/links/${ID}/unlink`, async (c) => {
  const principal = signedIn(c);
  const form = await readForm(c);
  const back = safeNext(field(form, "back") || "/evidence");
  return answer(c, back, () => unlinkEvidence(c.var.services, c.var.origin, personCaller(principal), c.req.param("id"), { reason: field(form, "reason") }));
});

// ——— API ———

export function linkJson(link: EvidenceLinkView) {
  return {
    id: link.id,
    evidence: link.evidenceId,
    entity: link.entityId,
    reason: link.reason,
    linkedBy: link.linkedBy,
    linkedAt: link.linkedAt.toISOString(),
    ledgerIndex: link.ledgerIndex,
    unlinked: link.unlinked ? { at: link.unlinked.at.toISOString(), by: link.unlinked.by, reason: link.unlinked.reason, ledgerIndex: link.unlinked.ledgerIndex } : null,
  };
}

evidencePanelRoutes.get(`/api/v1/entities/${ID}/evidence`, async (c) => {
  const principal = requirePrincipal(c);
  const items = await listRecordEvidence(c.var.services, c.var.origin, personCaller(principal), c.req.param("id"), { withdrawn: c.req.query("withdrawn") === "include" });
  return c.json({ items: items.map(({ link, evidence }) => ({ link: linkJson(link), evidence: summaryJson(evidence) })) });
});

evidencePanelRoutes.post(`/api/v1/entities/${ID}/evidence`, async (c) => {
  const principal = requirePrincipal(c);
  const received = await receiveEvidenceForRecord(c.var.services, c.var.origin, personCaller(principal), c.req.param("id"), () => incomingFile(c, true));
  c.header("Location", `/api/v1/evidence/${received.id}`);
  return c.json({ id: received.id, sha256: received.sha256, size: received.size, mediaType: received.mediaType, ledgerIndex: received.ledgerIndex, link: linkJson(received.link) }, 201);
});

evidencePanelRoutes.post(`/api/v1/entities/${ID}/evidence-links`, async (c) => {
  const principal = requirePrincipal(c);
  const link = await linkEvidence(c.var.services, c.var.origin, personCaller(principal), c.req.param("id"), () => readJson(c));
  return c.json(linkJson(link), 201);
});

evidencePanelRoutes.post(`/api/v1/evidence-links/${ID}/unlink`, async (c) => {
  const principal = requirePrincipal(c);
  const link = await unlinkEvidence(c.var.services, c.var.origin, personCaller(principal), c.req.param("id"), () => readJson(c));
  return c.json(linkJson(link));
});

evidencePanelRoutes.get(`/api/v1/evidence/${ID}/links`, async (c) => {
  const principal = requirePrincipal(c);
  const links = await listEvidenceLinks(c.var.services, c.var.origin, personCaller(principal), c.req.param("id"), { withdrawn: c.req.query("withdrawn") === "include" });
  return c.json({ links: links.map((l) => ({ ...linkJson(l), schema: l.schema })) });
});

