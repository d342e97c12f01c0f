import { Hono, type Context } from "hono";
import { raw } from "hono/html";
import {
  authorizeListImport, checkListImport, decideMatch, getSanctionsStatus, entryHistory, gapTable, gapTableAll, getListImport, getMatch, getSanctionsList, JURISDICTIONS, LIST_FORMATS,
  LIST_KINDS, listEntries, listImportFields, listMatches, listSanctionsLists, MATCH_PAGE, ENTRY_PAGE, GAP_PAGE, screenRecords, startListImport,
  type GapRow, type Jurisdiction, type JurisdictionStatus, type ListSummary, type ListVersion, type MatchView,
} from "../../accountability/index.ts";
import { can, Invalid } from "../../core/index.ts";
import type { EntityView } from "../../records/index.ts";
import type { Child } from "hono/jsx";
import { readJob, type JobView } from "../../jobs/index.ts";
import type { AppEnv } from "../env.ts";
import { formatTime, UUID_PARAM } from "../format.ts";
import { field, readForm } from "../middleware/body.ts";
import { CSRF_FIELD } from "../middleware/csrf.ts";
import { Csrf, ErrorSummary, type PageContext } from "../pages/layout.tsx";
import { formProblem, Redirect, renderPage, signedIn, type FormProblem } from "../render.tsx";
import { declaredLength, mediaTypeOf, multipartUpload, requestBodyStream } from "../upload.ts";
import { JobProgress } from "./exports.tsx";
import { RejectedLines } from "../pages/rejected-lines.tsx";

/**
 * Sanctions: the lists and their imports (upload, progress, versions, entries and their history),
 * the candidate matches of officials and companies with their decisions, and the gap table with
 * its CSV and printable page. No script needed; src/accountability decides who may do what.
 */
export const sanctionsPages = new Hono<AppEnv>();

const ID = `:id{${UUID_PARAM}}`;
const LIST = ":list{[a-z0-9][a-z0-9_-]{0,63}}";

function SanctionsNav({ page }: { page: PageContext }) {
  const { t } = page;
  return (
    <nav aria-label={t("sanctions.title")} class="subnav">
      <a href="/sanctions">{t("sanctions.lists")}</a> · <a href="/sanctions/matches">{t("sanctions.matches.title")}</a> · <a href="/sanctions/gaps">{t("sanctions.gaps.title")}</a>
    </nav>
  );
}

function Jurisdictions({ page, list }: { page: PageContext; list: readonly Jurisdiction[] }) {
  return <>{list.length === 0 ? page.t("sanctions.noJurisdiction") : list.map((j) => page.t(`sanctions.jurisdictions.${j}`)).join(", ")}</>;
}

function VersionState({ page, v }: { page: PageContext; v: ListVersion }) {
  return <>{page.t(`sanctions.states.${v.state}`)}</>;
}

// ——— the lists and the upload ———

function ListsPage({ page, lists, canImport, problem, limit }: { page: PageContext; lists: ListSummary[]; canImport: boolean; problem?: FormProblem | undefined; limit: number }) {
  const { t } = page;
  const e = problem?.errors ?? {};
  return (
    <>
      <h1>{t("sanctions.title")}</h1>
      <SanctionsNav page={page} />
      <p>{t("sanctions.intro")}</p>
      <h2>{t("sanctions.lists")}</h2>
      {lists.length === 0 ? <p>{t("sanctions.noLists")}</p> : (
        <table>
          <thead>
            <tr>
              <th scope="col">{t("sanctions.list")}</th>
              <th scope="col">{t("sanctions.jurisdiction")}</th>
              <th scope="col">{t("sanctions.publisher")}</th>
              <th scope="col">{t("sanctions.version")}</th>
              <th scope="col">{t("sanctions.publishedOn")}</th>
              <th scope="col">{t("sanctions.listed")}</th>
              <th scope="col">{t("sanctions.delisted")}</th>
            </tr>
          </thead>
          <tbody>
            {lists.map((l) => (
              <tr>
                <td><a href={`/sanctions/lists/${l.name}`} dir="auto">{l.title}</a> <small>({l.name})</small></td>
                <td><Jurisdictions page={page} list={l.jurisdictions} /></td>
                <td dir="auto">{l.publisher ?? ""}</td>
                <td>{l.current?.version ?? "—"}</td>
                <td>{l.current?.publishedOn ?? "—"}</td>
                <td>{l.listed}</td>
                <td>{l.delisted}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {canImport ? (
        <section aria-labelledby="import-title">
          <h2 id="import-title">{t("sanctions.import.title")}</h2>
          <p>{t("sanctions.import.intro")}</p>
          <form method="post" action={`/sanctions/imports?${CSRF_FIELD}=${encodeURIComponent(page.csrfToken)}`} enctype="multipart/form-data" data-upload-progress="upload-progress">
            <ErrorSummary page={page} message={problem?.message} errors={e} />
            <div class={e.list ? "field has-error" : "field"}>
              <label for="f-list">{t("sanctions.import.list")}</label>
              <p class="hint" id="f-list-hint">{t("sanctions.import.listHint")}</p>
              <input id="f-list" name="list" required maxlength={64} pattern="[a-z0-9][a-z0-9_\-]{0,63}" aria-describedby="f-list-hint" dir="ltr" />
            </div>
            <div class="field">
              <label for="f-title">{t("sanctions.import.listTitle")}</label>
              <input id="f-title" name="title" maxlength={200} dir="auto" />
            </div>
            <div class={e.format ? "field has-error" : "field"}>
              <label for="f-format">{t("sanctions.import.format")}</label>
              <select id="f-format" name="format">
                {LIST_FORMATS.map((f) => <option value={f}>{t(`sanctions.formats.${f}`)}</option>)}
              </select>
            </div>
            <fieldset>
              <legend>{t("sanctions.jurisdiction")}</legend>
              <p class="hint">{t("sanctions.import.jurisdictionsHint")}</p>
              {JURISDICTIONS.map((j) => (
                <span class="checkbox">
                  <input type="checkbox" id={`f-j-${j}`} name={`jurisdiction_${j}`} value="on" />
                  <label for={`f-j-${j}`}>{t(`sanctions.jurisdictions.${j}`)}</label>{" "}
                </span>
              ))}
            </fieldset>
            <div class="field">
              <label for="f-kind">{t("sanctions.import.kind")}</label>
              <select id="f-kind" name="kind">
                {LIST_KINDS.map((k) => <option value={k}>{t(`sanctions.kinds.${k}`)}</option>)}
              </select>
            </div>
            <div class="field">
              <label for="f-publisher">{t("sanctions.publisher")}</label>
              <input id="f-publisher" name="publisher" maxlength={200} dir="auto" />
            </div>
            <div class={e.publishedOn ? "field has-error" : "field"}>
              <label for="f-published">{t("sanctions.publishedOn")}</label>
              <p class="hint" id="f-published-hint">{t("sanctions.import.publishedHint")}</p>
              <input id="f-published" name="publishedOn" type="date" aria-describedby="f-published-hint" />
            </div>
            <div class={e.mapping ? "field has-error" : "field"}>
              <label for="f-mapping">{t("sanctions.import.mapping")}</label>
              <p class="hint" id="f-mapping-hint">{t("sanctions.import.mappingHint")}</p>
              <textarea id="f-mapping" name="mapping" rows={3} dir="ltr" aria-describedby="f-mapping-hint"></textarea>
            </div>
            <p>
              <input type="checkbox" id="f-skip" name="skipBad" value="on" />
              <label for="f-skip">{t("sanctions.import.skipBad")}</label>
            </p>
            <div class={e.file ? "field has-error" : "field"}>
              <label for="f-file">{t("sanctions.import.file")}</label>
              <p class="hint" id="f-file-hint">{t("imports.fileHint", { mb: Math.floor(limit / 1024 ** 2) })}</p>
              <input id="f-file" name="file" type="file" required aria-describedby="f-file-hint" />
            </div>
            <progress id="upload-progress" max={100} value={0} hidden aria-label={t("sanctions.import.uploading")} />
            <button type="submit">{t("sanctions.import.submit")}</button>
          </form>
        </section>
      ) : null}
    </>
  );
}

async function renderLists(c: Context<AppEnv>, problem?: FormProblem) {
  const { actor } = signedIn(c);
  const lists = await listSanctionsLists(c.var.services, c.var.origin, actor);
  const canImport = can(actor, "sanctions.import", { kind: "sanctions", orgId: actor.orgId });
  return renderPage(c, c.var.t("sanctions.title"), (page) => <ListsPage page={page} lists={lists} canImport={canImport} problem={problem} limit={c.var.services.config.maxImportBytes} />, problem?.status ?? 200);
}

sanctionsPages.get("/sanctions", (c) => renderLists(c));

sanctionsPages.post("/sanctions/imports", async (c) => {
  const { actor } = signedIn(c);
  await authorizeListImport(c.var.services, c.var.origin, actor);
  try {
    const body = requestBodyStream(c);
    if (!body || mediaTypeOf(c) !== "multipart/form-data") throw new Invalid("some fields are not valid", { file: "choose a file" });
    const upload = await multipartUpload(c, body);
    const fields: Record<string, string> = { ...upload.fields };
    const chosen = JURISDICTIONS.filter((j) => fields[`jurisdiction_${j}`] === "on");
    if (chosen.length > 0) fields.jurisdictions = chosen.join(",");
    for (const j of JURISDICTIONS) delete fields[`jurisdiction_${j}`];
    const options = await checkListImport(c.var.services, c.var.origin, actor, listImportFields(fields));
    const started = await startListImport(c.var.services, c.var.origin, actor, options, { source: upload.source, filename: upload.filename, declaredSize: declaredLength(c) });
    throw new Redirect(`/sanctions/imports/${started.id}`);
  } catch (error) {
    if (error instanceof Redirect) throw error;
    return renderLists(c, formProblem(c, error));
  }
});

function Rejections({ page, v }: { page: PageContext; v: ListVersion }) {
  const { t } = page;
  if (v.errors.length === 0) return null;
  return (
    <section aria-labelledby="rejected-title">
      <h2 id="rejected-title">{t("sanctions.import.rejected", { n: v.rejected })}</h2>
      {v.rejected > v.errors.length ? <p>{t("sanctions.import.firstRejected", { n: v.errors.length })}</p> : null}
      <RejectedLines page={page} rows={v.errors} />
    </section>
  );
}

function ImportPage({ page, v, job }: { page: PageContext; v: ListVersion & { list: string }; job: JobView | null }) {
  const { t } = page;
  const busy = v.state === "received" || v.state === "importing";
  return (
    <>
      {busy ? <meta http-equiv="refresh" content="2" /> : null}
      <SanctionsNav page={page} />
      <h1 dir="auto">{v.filename}</h1>
      <dl class="summary">
        <dt>{t("sanctions.list")}</dt>
        <dd><a href={`/sanctions/lists/${v.list}`}>{v.list}</a></dd>
        <dt>{t("sanctions.import.state")}</dt>
        <dd><span role="status" id="import-state">{t(`sanctions.states.${v.state}`)}</span></dd>
        <dt>{t("sanctions.import.format")}</dt>
        <dd>{t(`sanctions.formats.${v.format}`)}</dd>
        <dt>SHA-256</dt>
        <dd><code>{v.sha256}</code></dd>
        <dt>{t("sanctions.publishedOn")}</dt>
        <dd>{v.publishedOn ?? "—"}</dd>
        {v.version !== null ? (
          <>
            <dt>{t("sanctions.version")}</dt>
            <dd>{v.version}</dd>
            <dt>{t("sanctions.import.changes")}</dt>
            <dd id="import-changes">{t("sanctions.import.counts", { added: v.added, changed: v.changed, delisted: v.delisted, unchanged: v.unchanged })}</dd>
          </>
        ) : null}
        {v.error ? (
          <>
            <dt>{t("sanctions.import.outcome")}</dt>
            <dd lang="en" dir="ltr">{v.error}</dd>
          </>
        ) : null}
      </dl>
      {busy && job ? <JobProgress page={page} job={job} /> : null}
      {v.state === "imported" ? (
        <form method="post" action="/sanctions/screen">
          <Csrf page={page} />
          <button type="submit">{t("sanctions.matches.run")}</button>
        </form>
      ) : null}
      <Rejections page={page} v={v} />
    </>
  );
}

sanctionsPages.get(`/sanctions/imports/${ID}`, async (c) => {
  const { actor } = signedIn(c);
  const v = await getListImport(c.var.services, c.var.origin, actor, c.req.param("id"));
  const job = v.jobId ? await readJob(c.var.services, actor, v.jobId).catch(() => null) : null;
  return renderPage(c, v.filename, (page) => <ImportPage page={page} v={v} job={job} />);
});

// ——— one list ———

sanctionsPages.get(`/sanctions/lists/${LIST}`, async (c) => {
  const { actor } = signedIn(c);
  const name = c.req.param("list");
  const list = await getSanctionsList(c.var.services, c.var.origin, actor, name);
  const q = c.req.query();
  const page = await listEntries(c.var.services, c.var.origin, actor, name, { ...(q.q ? { q: q.q } : {}), ...(q.status ? { status: q.status } : {}), ...(q.version ? { version: q.version } : {}), ...(q.change ? { change: q.change } : {}), ...(q.page ? { page: q.page } : {}) });
  return renderPage(c, list.title, (p) => {
    const { t } = p;
    return (
      <>
        <SanctionsNav page={p} />
        <h1 dir="auto">{list.title}</h1>
        <dl class="summary">
          <dt>{t("sanctions.jurisdiction")}</dt>
          <dd><Jurisdictions page={p} list={list.jurisdictions} /></dd>
          <dt>{t("sanctions.publisher")}</dt>
          <dd dir="auto">{list.publisher ?? "—"}</dd>
          <dt>{t("sanctions.import.kind")}</dt>
          <dd>{t(`sanctions.kinds.${list.kind}`)}</dd>
          <dt>{t("sanctions.listed")}</dt>
          <dd>{list.listed}</dd>
          <dt>{t("sanctions.delisted")}</dt>
          <dd>{list.delisted}</dd>
        </dl>
        <p><a href={`/api/v1/sanctions/lists/${list.name}/ftm`} download>{t("sanctions.exportFtm")}</a></p>
        <h2>{t("sanctions.versions")}</h2>
        <table>
          <thead>
            <tr>
              <th scope="col">{t("sanctions.version")}</th>
              <th scope="col">{t("sanctions.import.file")}</th>
              <th scope="col">SHA-256</th>
              <th scope="col">{t("sanctions.publishedOn")}</th>
              <th scope="col">{t("sanctions.import.state")}</th>
              <th scope="col">{t("sanctions.import.changes")}</th>
              <th scope="col">{t("sanctions.import.when")}</th>
            </tr>
          </thead>
          <tbody>
            {list.versions.map((v) => (
              <tr>
                <td>{v.version ?? "—"}</td>
                <td><a href={`/sanctions/imports/${v.id}`} dir="auto">{v.filename}</a></td>
                <td><code title={v.sha256}>{v.sha256.slice(0, 16)}…</code></td>
                <td>{v.publishedOn ?? "—"}</td>
                <td><VersionState page={p} v={v} /></td>
                <td>
                  {v.version !== null ? (
                    <>
                      <a href={`/sanctions/lists/${list.name}?version=${v.version}&change=added`}>+{v.added}</a> · <a href={`/sanctions/lists/${list.name}?version=${v.version}&change=changed`}>~{v.changed}</a> ·{" "}
                      <a href={`/sanctions/lists/${list.name}?version=${v.version}&change=delisted`}>−{v.delisted}</a>
                    </>
                  ) : v.rejected > 0 ? t("sanctions.import.rejected", { n: v.rejected }) : ""}
                </td>
                <td>{formatTime(p.locale, v.createdAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <h2>{t("sanctions.entries")}</h2>
        <form method="get" action={`/sanctions/lists/${list.name}`} class="inline-form">
          <label for="f-q">{t("sanctions.filterName")}</label> <input id="f-q" name="q" value={q.q ?? ""} maxlength={200} dir="auto" />{" "}
          <label for="f-status">{t("sanctions.status")}</label>{" "}
          <select id="f-status" name="status">
            {(["all", "listed", "delisted"] as const).map((s) => <option value={s} selected={(q.status ?? "all") === s}>{t(`sanctions.entryStatus.${s}`)}</option>)}
          </select>{" "}
          <button type="submit">{t("sanctions.filter")}</button>
        </form>
        <p>{t("sanctions.entriesCount", { n: page.total })}</p>
        <table>
          <thead>
            <tr>
              <th scope="col">{t("sanctions.name")}</th>
              <th scope="col">{t("sanctions.schema")}</th>
              <th scope="col">{t("sanctions.programs")}</th>
              <th scope="col">{t("sanctions.status")}</th>
            </tr>
          </thead>
          <tbody>
            {page.entries.map((e) => (
              <tr>
                <td><a href={`/sanctions/lists/${list.name}/entries/${e.id}`} dir="auto">{e.caption}</a> <small>({e.sourceId})</small></td>
                <td>{e.schema}</td>
                <td>{e.programs.join(", ")}</td>
                <td>{e.status === "delisted" ? t("sanctions.delistedIn", { v: e.delistedIn ?? "" }) : t("sanctions.entryStatus.listed")}</td>
              </tr>
            ))}
          </tbody>
        </table>
        {page.total > page.page * ENTRY_PAGE ? <p><a href={`/sanctions/lists/${list.name}?${new URLSearchParams({ ...q, page: String(page.page + 1) })}`}>{t("sanctions.next")}</a></p> : null}
      </>
    );
  });
});

sanctionsPages.get(`/sanctions/lists/${LIST}/entries/${ID}`, async (c) => {
  const { actor } = signedIn(c);
  const h = await entryHistory(c.var.services, c.var.origin, actor, c.req.param("list"), c.req.param("id"));
  return renderPage(c, h.entry.caption, (p) => {
    const { t } = p;
    const Properties = ({ properties }: { properties: Record<string, string[]> }) => (
      <dl class="summary">
        {Object.entries(properties).map(([k, vs]) => (
          <>
            <dt>{k}</dt>
            <dd dir="auto">{vs.join(" · ")}</dd>
          </>
        ))}
      </dl>
    );
    return (
      <>
        <SanctionsNav page={p} />
        <p><a href={`/sanctions/lists/${h.list.name}`} dir="auto">{h.list.title}</a></p>
        <h1 dir="auto">{h.entry.caption}</h1>
        <p>{h.entry.schema} · {h.entry.sourceId} · {h.entry.status === "delisted" ? t("sanctions.delistedIn", { v: h.entry.delistedIn ?? "" }) : t("sanctions.entryStatus.listed")}</p>
        {h.entry.programs.length > 0 ? <p>{t("sanctions.programs")}: {h.entry.programs.join(", ")}</p> : null}
        <Properties properties={h.entry.properties} />
        <h2>{t("sanctions.history")}</h2>
        <ol>
          {h.changes.map((ch) => (
            <li>
              {t("sanctions.version")} {ch.version ?? "—"}: {t(`sanctions.changes.${ch.change}`)} ({formatTime(p.locale, ch.at)})
              {ch.previous ? (
                <details>
                  <summary>{t("sanctions.before")}</summary>
                  <Properties properties={ch.previous.properties} />
                </details>
              ) : null}
            </li>
          ))}
        </ol>
      </>
    );
  });
});

// ——— matches ———

function statusLabel(page: PageContext, s: JurisdictionStatus): string {
  return page.t(`sanctions.jurisdictionStatus.${s}`);
}

function MatchRow({ page, m }: { page: PageContext; m: MatchView }) {
  return (
    <tr>
      <td><a href={`/records/${m.entity.id}`} dir="auto">{m.entity.caption ?? m.entity.id}</a></td>
      <td dir="auto">{m.entry.caption}</td>
      <td><a href={`/sanctions/lists/${m.list.name}`} dir="auto">{m.list.title}</a> (<Jurisdictions page={page} list={m.list.jurisdictions} />)</td>
      <td>{m.score.toFixed(2)}</td>
      <td>{page.t(`sanctions.matchStatus.${m.status}`)}</td>
      <td><a href={`/sanctions/matches/${m.id}`}>{page.t("sanctions.matches.review")}</a></td>
    </tr>
  );
}

sanctionsPages.get("/sanctions/matches", async (c) => {
  const { actor } = signedIn(c);
  const q = c.req.query();
  const result = await listMatches(c.var.services, c.var.origin, actor, { ...(q.status ? { status: q.status } : {}), ...(q.entity ? { entity: q.entity } : {}), ...(q.page ? { page: q.page } : {}) });
  const canReview = can(actor, "sanctions.review", { kind: "sanctions", orgId: actor.orgId });
  const notice = q.found !== undefined ? c.var.t("sanctions.matches.found", { n: Number(q.found) || 0 }) : null;
  return renderPage(c, c.var.t("sanctions.matches.title"), (p) => {
    const { t } = p;
    return (
      <>
        <h1>{t("sanctions.matches.title")}</h1>
        <SanctionsNav page={p} />
        {notice ? <p role="status" class="notice">{notice}</p> : null}
        <p>{t("sanctions.matches.intro")}</p>
        {canReview ? (
          <form method="post" action="/sanctions/screen">
            <Csrf page={p} />
            <button type="submit">{t("sanctions.matches.run")}</button>
          </form>
        ) : null}
        <form method="get" action="/sanctions/matches" class="inline-form">
          <label for="f-mstatus">{t("sanctions.status")}</label>{" "}
          <select id="f-mstatus" name="status">
            {(["candidate", "confirmed", "rejected", "all"] as const).map((s) => <option value={s} selected={(q.status ?? "candidate") === s}>{t(`sanctions.matchStatus.${s}`)}</option>)}
          </select>{" "}
          <button type="submit">{t("sanctions.filter")}</button>
        </form>
        <p>{t("sanctions.matches.count", { n: result.total })}</p>
        <table>
          <thead>
            <tr>
              <th scope="col">{t("sanctions.matches.record")}</th>
              <th scope="col">{t("sanctions.matches.entry")}</th>
              <th scope="col">{t("sanctions.list")}</th>
              <th scope="col">{t("sanctions.matches.score")}</th>
              <th scope="col">{t("sanctions.status")}</th>
              <th scope="col"><span class="visually-hidden">{t("sanctions.matches.review")}</span></th>
            </tr>
          </thead>
          <tbody>{result.items.map((m) => <MatchRow page={p} m={m} />)}</tbody>
        </table>
        {result.total > result.page * MATCH_PAGE ? <p><a href={`/sanctions/matches?${new URLSearchParams({ ...q, page: String(result.page + 1) })}`}>{t("sanctions.next")}</a></p> : null}
      </>
    );
  });
});

sanctionsPages.post("/sanctions/screen", async (c) => {
  const { actor } = signedIn(c);
  await readForm(c);
  const outcome = await screenRecords(c.var.services, c.var.origin, actor, {});
  throw new Redirect(`/sanctions/matches?found=${outcome.candidates}`);
});

async function renderMatch(c: Context<AppEnv>, id: string, problem?: FormProblem) {
  const { actor } = signedIn(c);
  const m = await getMatch(c.var.services, c.var.origin, actor, id);
  const canReview = can(actor, "sanctions.review", { kind: "sanctions", orgId: actor.orgId });
  return renderPage(c, c.var.t("sanctions.matches.one"), (p) => {
    const { t } = p;
    const e = problem?.errors ?? {};
    return (
      <>
        <SanctionsNav page={p} />
        <h1>{t("sanctions.matches.one")}</h1>
        <dl class="summary">
          <dt>{t("sanctions.matches.record")}</dt>
          <dd><a href={`/records/${m.entity.id}`} dir="auto">{m.entity.caption ?? m.entity.id}</a></dd>
          <dt>{t("sanctions.matches.entry")}</dt>
          <dd><a href={`/sanctions/lists/${m.list.name}/entries/${m.entry.id}`} dir="auto">{m.entry.caption}</a> ({m.entry.sourceId}{m.entry.delisted ? `, ${t("sanctions.entryStatus.delisted")}` : ""})</dd>
          <dt>{t("sanctions.list")}</dt>
          <dd dir="auto">{m.list.title} (<Jurisdictions page={p} list={m.list.jurisdictions} />)</dd>
          <dt>{t("sanctions.programs")}</dt>
          <dd>{m.entry.programs.join(", ") || "—"}</dd>
          <dt>{t("sanctions.matches.score")}</dt>
          <dd>{m.score.toFixed(2)}</dd>
          <dt>{t("sanctions.status")}</dt>
          <dd id="match-status">{t(`sanctions.matchStatus.${m.status}`)}</dd>
        </dl>
        <h2>{t("sanctions.matches.why")}</h2>
        <ul lang="en" dir="ltr">{m.explanation.map((x) => <li>{x}</li>)}</ul>
        {canReview ? (
          <form method="post" action={`/sanctions/matches/${m.id}/decision`}>
            <Csrf page={p} />
            <ErrorSummary page={p} message={problem?.message} errors={e} />
            <fieldset>
              <legend>{t("sanctions.matches.decide")}</legend>
              {(["confirmed", "rejected", "candidate"] as const).map((s) => (
                <p>
                  <input type="radio" id={`f-d-${s}`} name="status" value={s} checked={s === (m.status === "candidate" ? "confirmed" : "candidate")} />
                  <label for={`f-d-${s}`}>{t(`sanctions.matches.decision.${s}`)}</label>
                </p>
              ))}
            </fieldset>
            <div class={e.reason ? "field has-error" : "field"}>
              <label for="f-reason">{t("sanctions.matches.reason")}</label>
              <textarea id="f-reason" name="reason" rows={3} required maxlength={2000} dir="auto"></textarea>
            </div>
            <button type="submit">{t("sanctions.matches.save")}</button>
          </form>
        ) : null}
        {m.decisions.length > 0 ? (
          <>
            <h2>{t("sanctions.history")}</h2>
            <ol>{m.decisions.map((d) => <li>{formatTime(p.locale, d.at)}: {t(`sanctions.matchStatus.${d.status}`)} — <span dir="auto">{d.reason}</span></li>)}</ol>
          </>
        ) : null}
      </>
    );
  }, problem?.status ?? 200);
}

sanctionsPages.get(`/sanctions/matches/${ID}`, (c) => renderMatch(c, c.req.param("id")));

sanctionsPages.post(`/sanctions/matches/${ID}/decision`, async (c) => {
  const { actor } = signedIn(c);
  const id = c.req.param("id");
  try {
    await decideMatch(c.var.services, c.var.origin, actor, id, async () => {
      const form = await readForm(c);
      return { status: field(form, "status"), reason: field(form, "reason") };
    });
  } catch (error) {
    return renderMatch(c, id, formProblem(c, error));
  }
  throw new Redirect(`/sanctions/matches/${id}`);
});

// ——— the gap table ———

const GAP_FILTERS = ["jurisdictions", "notBy", "by", "gapsOnly", "minGravity", "q", "page"] as const;

function gapQuery(c: Context<AppEnv>): Record<string, string> {
  const q = c.req.query();
  const out: Record<string, string> = {};
  for (const k of GAP_FILTERS) if (q[k] !== undefined && q[k] !== "") out[k] = q[k];
  return out;
}

function GapTableView({ page, jurisdictions, rows, offset }: { page: PageContext; jurisdictions: Jurisdiction[]; rows: GapRow[]; offset: number }) {
  const { t } = page;
  return (
    <table class="gap-table">
      <thead>
        <tr>
          <th scope="col">#</th>
          <th scope="col">{t("sanctions.gaps.official")}</th>
          <th scope="col">{t("sanctions.gaps.direct")}</th>
          <th scope="col">{t("sanctions.gaps.command")}</th>
          <th scope="col">{t("sanctions.gaps.gravity")}</th>
          {jurisdictions.map((j) => <th scope="col">{t(`sanctions.jurisdictions.${j}`)}</th>)}
          <th scope="col">{t("sanctions.gaps.gap")}</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((r, i) => (
          <tr>
            <td>{offset + i + 1}</td>
            <td><a href={`/records/${r.person.id}`} dir="auto">{r.person.caption ?? r.person.id}</a></td>
            <td>{r.direct}</td>
            <td>{r.command}</td>
            <td>{r.gravity}</td>
            {jurisdictions.map((j) => <td class={`status-${r.status[j]}`}>{statusLabel(page, r.status[j])}</td>)}
            <td>{gapText(page, r)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function gapText(page: PageContext, r: GapRow): string {
  const names = (js: Jurisdiction[], joiner: string) => js.map((j) => page.t(`sanctions.jurisdictions.${j}`)).join(joiner);
  if (r.sanctionedBy.length === 0) return page.t("sanctions.gaps.none");
  if (r.notSanctionedBy.length === 0) return page.t("sanctions.gaps.all", { by: names(r.sanctionedBy, ", ") });
  return page.t("sanctions.gaps.partial", { by: names(r.sanctionedBy, ", "), not: names(r.notSanctionedBy, page.t("sanctions.gaps.or")) });
}

sanctionsPages.get("/sanctions/gaps", async (c) => {
  const { actor } = signedIn(c);
  const q = gapQuery(c);
  let table;
  let problem: FormProblem | undefined;
  try {
    table = await gapTable(c.var.services, c.var.origin, actor, q);
  } catch (error) {
    problem = formProblem(c, error);
    table = await gapTable(c.var.services, c.var.origin, actor, {});
  }
  const filters = new URLSearchParams(Object.entries(q).filter(([k]) => k !== "page"));
  return renderPage(c, c.var.t("sanctions.gaps.title"), (p) => {
    const { t } = p;
    return (
      <>
        <h1>{t("sanctions.gaps.title")}</h1>
        <SanctionsNav page={p} />
        <p>{t("sanctions.gaps.intro")}</p>
        <ErrorSummary page={p} message={problem?.message} errors={problem?.errors ?? {}} />
        <form method="get" action="/sanctions/gaps" class="inline-form">
          <label for="f-notby">{t("sanctions.gaps.notBy")}</label>{" "}
          <select id="f-notby" name="notBy">
            <option value="">—</option>
            {JURISDICTIONS.map((j) => <option value={j} selected={q.notBy === j}>{t(`sanctions.jurisdictions.${j}`)}</option>)}
          </select>{" "}
          <label for="f-by">{t("sanctions.gaps.by")}</label>{" "}
          <select id="f-by" name="by">
            <option value="">—</option>
            {JURISDICTIONS.map((j) => <option value={j} selected={q.by === j}>{t(`sanctions.jurisdictions.${j}`)}</option>)}
          </select>{" "}
          <label for="f-min">{t("sanctions.gaps.minGravity")}</label> <input id="f-min" name="minGravity" type="number" min={0} value={q.minGravity ?? ""} />{" "}
          <input type="checkbox" id="f-gaps" name="gapsOnly" value="true" checked={q.gapsOnly === "true"} /> <label for="f-gaps">{t("sanctions.gaps.gapsOnly")}</label>{" "}
          <label for="f-gq">{t("sanctions.filterName")}</label> <input id="f-gq" name="q" value={q.q ?? ""} maxlength={200} dir="auto" />{" "}
          <button type="submit">{t("sanctions.filter")}</button>
        </form>
        <p>
          <a href={`/api/v1/sanctions/gaps?${new URLSearchParams([...filters, ["format", "csv"]])}`} download>{t("sanctions.gaps.csv")}</a> ·{" "}
          <a href={`/sanctions/gaps/print?${filters}`}>{t("sanctions.gaps.print")}</a>
        </p>
        <p>{t("sanctions.gaps.count", { n: table.total })}{table.truncated ? ` ${t("sanctions.gaps.truncated")}` : ""}</p>
        <GapTableView page={p} jurisdictions={table.jurisdictions} rows={table.rows} offset={(table.page - 1) * GAP_PAGE} />
        {table.total > table.page * GAP_PAGE ? <p><a href={`/sanctions/gaps?${new URLSearchParams({ ...q, page: String(table.page + 1) })}`}>{t("sanctions.next")}</a></p> : null}
      </>
    );
  }, problem?.status ?? 200);
});

sanctionsPages.get("/sanctions/gaps/print", async (c) => {
  const { actor } = signedIn(c);
  const table = await gapTableAll(c.var.services, c.var.origin, actor, gapQuery(c));
  const t = c.var.t;
  const page: PageContext = { t, locale: c.var.locale, principal: c.var.principal, csrfToken: c.var.csrfToken, path: "/sanctions/gaps/print" };
  const dir = c.var.locale === "ug" ? "rtl" : "ltr";
  return c.html(
    <>
      {raw("<!doctype html>")}
      <html lang={c.var.locale} dir={dir}>
        <head>
          <meta charset="utf-8" />
          <meta name="viewport" content="width=device-width, initial-scale=1" />
          <title>{t("sanctions.gaps.title")}</title>
          <link rel="icon" href="/static/favicon.svg" type="image/svg+xml" />
          <link rel="stylesheet" href="/static/vigil.css" />
        </head>
        <body class="print-page">
          <main>
            <h1>{t("sanctions.gaps.title")}</h1>
            <p>{t("sanctions.gaps.printedOn", { date: c.var.services.now().toISOString().slice(0, 10) })} · {t("sanctions.gaps.count", { n: table.total })}</p>
            <GapTableView page={page} jurisdictions={table.jurisdictions} rows={table.rows} offset={0} />
          </main>
        </body>
      </html>
    </>,
  );
});

// ——— the "Sanctions" section of a record's page ———

const PANEL_SCHEMATA = new Set(["Person", "Company", "Organization", "PublicBody", "LegalEntity"]);

/** A person's or organisation's status per jurisdiction, for its record page; null for other records or readers who may not see sanctions. */
export async function sanctionsPanelFor(c: Context<AppEnv>, entity: EntityView): Promise<Child | null> {
  const { actor } = signedIn(c);
  if (!PANEL_SCHEMATA.has(entity.schema) || entity.mergedInto || !can(actor, "sanctions.view", { kind: "sanctions", orgId: actor.orgId })) return null;
  const status = await getSanctionsStatus(c.var.services, c.var.origin, actor, entity.id);
  const t = c.var.t;
  const shown = JURISDICTIONS.filter((j) => status.byJurisdiction[j] !== "none");
  return (
    <section aria-labelledby="sanctions-title" id="sanctions">
      <h2 id="sanctions-title">{t("sanctions.title")}</h2>
      {shown.length === 0 ? <p>{t("sanctions.panel.none")}</p> : (
        <ul class="links">
          {shown.map((j) => <li>{t(`sanctions.jurisdictions.${j}`)}: {t(`sanctions.jurisdictionStatus.${status.byJurisdiction[j]}`)}</li>)}
        </ul>
      )}
      {status.lists.length > 0 ? <p>{t("sanctions.programs")}: {status.lists.map((l) => `${l.title}${l.programs.length ? ` (${l.programs.join(", ")})` : ""}`).join("; ")}</p> : null}
      <p><a href={`/sanctions/matches?entity=${entity.id}&status=all`}>{t("sanctions.panel.matches")}</a></p>
    </section>
  );
}
