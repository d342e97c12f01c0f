// What the evidence pages show of one item, shared by the item's own page and a record's evidence panel.
import { formatSize, formatTime } from "../format.ts";
import { Csrf, type PageContext } from "../pages/layout.tsx";
import type { CustodyEntry, EvidenceMetadata, EvidenceSummary } from "../../evidence/index.ts";

/** Image types shown inline: the browser renders them itself, nothing runs. */
export const PREVIEWABLE = /^image\/(jpeg|png|gif|webp)$/;

/** Says the vault is sealed, with the way to unseal it for an administrator. */
export function SealedNotice({ page, sealed }: { page: PageContext; sealed: boolean }) {
  if (!sealed) return null;
  const isAdmin = page.principal?.actor.role === "admin";
  return (
    <p class="notice" role="status" id="vault-sealed">
      {page.t("evidence.sealedNotice")} {isAdmin ? <a href="/admin/vault">{page.t("vault.unsealLink")}</a> : null}
    </p>
  );
}

/** An item's custody-ledger events, each with its RFC 6962 inclusion proof in the log as it stands. */
export function CustodyTable({ page, history }: { page: PageContext; history: CustodyEntry[] }) {
  const { t, locale } = page;
  return (
    <table class="custody">
      <caption>{t("evidence.historyCaption")}</caption>
      <thead>
        <tr>
          <th scope="col">{t("evidence.leaf")}</th>
          <th scope="col">{t("evidence.event")}</th>
          <th scope="col">{t("evidence.when")}</th>
          <th scope="col">{t("evidence.proof")}</th>
        </tr>
      </thead>
      <tbody>
        {history.map((entry) => (
          <tr>
            <td>{entry.index}</td>
            <td>
              <code>{entry.event.kind}</code>
            </td>
            <td>{formatTime(locale, new Date(entry.event.time))}</td>
            <td dir="ltr">
              <details class="inclusion-proof">
                <summary>{t("evidence.proofSummary", { n: String(entry.treeSize) })}</summary>
                <p>
                  {t("evidence.root")}: <code class="hash">{entry.rootHash}</code>
                </p>
                <ol>
                  {entry.proof.map((h) => (
                    <li>
                      <code class="hash">{h}</code>
                    </li>
                  ))}
                </ol>
              </details>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/**
 * The facts anyone allowed to see an item may see (type, size, time, blob hash, commitment), and its
 * content hash once the metadata was read. `ids` marks the single item of a page for its tests.
 */
export function ItemFacts({ page, item, metadata, ids = false }: { page: PageContext; item: EvidenceSummary; metadata: EvidenceMetadata | null; ids?: boolean }) {
  const { t, locale } = page;
  return (
    <>
      <dt>{t("evidence.type")}</dt>
      <dd dir="ltr" class="evidence-type" id={ids ? "evidence-type" : undefined}>
        {item.mediaType}
      </dd>
      <dt>{t("evidence.size")}</dt>
      <dd>{formatSize(locale, item.size)}</dd>
      <dt>{t("evidence.received")}</dt>
      <dd>{formatTime(locale, item.receivedAt)}</dd>
      <dt>{t("evidence.blob")}</dt>
      <dd dir="ltr">
        <code class="hash">{item.sha256}</code>
      </dd>
      <dt>{t("evidence.commitment")}</dt>
      <dd dir="ltr">
        <code class="hash">{item.commitment}</code>
      </dd>
      {metadata ? (
        <>
          <dt>{t("evidence.plaintextHash")}</dt>
          <dd dir="ltr">
            <code class="hash plaintext-sha256" id={ids ? "plaintext-sha256" : undefined}>
              {metadata.plaintextSha256}
            </code>
          </dd>
        </>
      ) : null}
    </>
  );
}

/** What a web capture recorded with the file: address, time, status and the page's response headers. */
export function CaptureFacts({ page, capture }: { page: PageContext; capture: Record<string, unknown> }) {
  const { t, locale } = page;
  const text = (v: unknown) => (typeof v === "string" || typeof v === "number" ? String(v) : "—");
  const headers = Array.isArray(capture.responseHeaders) ? (capture.responseHeaders as [string, string][]) : [];
  return (
    <>
      <dt>{t("capture.url")}</dt>
      <dd dir="ltr">
        <code class="url">{text(capture.url)}</code>
      </dd>
      {capture.finalUrl && capture.finalUrl !== capture.url ? (
        <>
          <dt>{t("capture.finalUrl")}</dt>
          <dd dir="ltr">
            <code class="url">{text(capture.finalUrl)}</code>
          </dd>
        </>
      ) : null}
      <dt>{t("capture.capturedAt")}</dt>
      <dd>{typeof capture.capturedAt === "string" ? formatTime(locale, new Date(capture.capturedAt)) : "—"}</dd>
      <dt>{t("capture.status")}</dt>
      <dd dir="ltr" class="capture-status">
        {text(capture.status)} {text(capture.statusText)}
      </dd>
      {headers.length ? (
        <>
          <dt>{t("capture.headers")}</dt>
          <dd>
            <details>
              <summary>{t("capture.headersCount", { n: headers.length })}</summary>
              <dl class="headers" dir="ltr">
                {headers.map(([name, value]) => (
                  <>
                    <dt>{name}</dt>
                    <dd>{value}</dd>
                  </>
                ))}
              </dl>
            </details>
          </dd>
        </>
      ) : null}
    </>
  );
}


/** Withdraws one link, with the reason (required), and returns to `back`. */
export function UnlinkForm({ page, linkId, back }: { page: PageContext; linkId: string; back: string }) {
  const id = `f-unlink-${linkId}`;
  return (
    <form method="post" action={`/evidence/links/${linkId}/unlink`} class="unlink">
      <Csrf page={page} />
      <input type="hidden" name="back" value={back} />
      <div class="field">
        <label for={id}>{page.t("evidencePanel.unlinkReason")}</label>
        <input id={id} name="reason" required maxlength={2000} dir="auto" />
      </div>
      <button type="submit">{page.t("evidencePanel.unlink")}</button>
    </form>
  );
}

/**
 * Links an item to a record: from a record's panel the item is asked for (`ask: "evidence"`), from
 * an item's page the record is. Returns to `back`.
 */
export function LinkForm({ page, ask, known, back }: { page: PageContext; ask: "evidence" | "entity"; known: string; back: string }) {
  const { t } = page;
  const text = ask === "evidence"
    ? { title: t("evidencePanel.linkTitle"), label: t("evidencePanel.evidenceId"), hint: t("evidencePanel.evidenceIdHint") }
    : { title: t("evidencePanel.linkRecordTitle"), label: t("evidencePanel.recordId"), hint: t("evidencePanel.recordIdHint") };
  return (
    <form method="post" action="/evidence/links" class="link-evidence">
      <h3>{text.title}</h3>
      <Csrf page={page} />
      <input type="hidden" name={ask === "evidence" ? "entity" : "evidence"} value={known} />
      <input type="hidden" name="back" value={back} />
      <div class="field">
        <label for={`f-link-${ask}`}>{text.label}</label>
        <p class="hint" id={`f-link-${ask}-hint`}>
          {text.hint}
        </p>
        <input id={`f-link-${ask}`} name={ask} required dir="ltr" pattern="[0-9a-f-]{36}" aria-describedby={`f-link-${ask}-hint`} />
      </div>
      <div class="field">
        <label for={`f-link-${ask}-reason`}>{t("evidencePanel.linkReason")}</label>
        <input id={`f-link-${ask}-reason`} name="reason" required maxlength={2000} dir="auto" />
      </div>
      <button type="submit">{t("evidencePanel.link")}</button>
    </form>
  );
}
