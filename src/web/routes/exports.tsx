import { Readable } from "node:stream";
import { Hono, type Context } from "hono";
import { cancelOwnJob, readJob, type JobView } from "../../jobs/index.ts";
import { cancelExport, getExport, listExports, openExportFile, startExport, type ExportFile, type ExportView } from "../../records/index.ts";
import type { AppEnv } from "../env.ts";
import { formatTime, UUID_PARAM } from "../format.ts";
import { requirePrincipal } from "../middleware/auth.ts";
import { field, readForm, readJson } from "../middleware/body.ts";
import { Csrf, ErrorSummary, type PageContext } from "../pages/layout.tsx";
import { formProblem, Redirect, renderPage, signedIn, type FormProblem } from "../render.tsx";
import { RECORD_TYPE_SLUGS, RECORD_TYPES, schemaLabel } from "../records/labels.ts";

/**
 * Exports of a records list as CSV or FollowTheMoney JSON lines, always as a job the owner follows
 * and whose file only they download (audited); and the progress of any background job, for its
 * owner. Thin: src/records and src/jobs decide.
 */
export const exportRoutes = new Hono<AppEnv>();

const ID = `:id{${UUID_PARAM}}`;

function jobJson(job: JobView) {
  return { id: job.id, kind: job.kind, state: job.state, attempts: job.attempts, maxAttempts: job.maxAttempts, progress: job.progress, result: job.result, error: job.error, createdAt: job.createdAt, startedAt: job.startedAt, finishedAt: job.finishedAt };
}

function download(file: ExportFile): Response {
  return new Response(Readable.toWeb(file.stream) as ReadableStream<Uint8Array>, {
    headers: {
      "Content-Type": file.contentType,
      "Content-Length": String(file.size),
      "Content-Disposition": `attachment; filename="${file.filename}"`,
      "Cache-Control": "no-store",
      "X-Content-Type-Options": "nosniff",
    },
  });
}

// ——— API ———

exportRoutes.post("/api/v1/exports", async (c) => {
  const { actor } = requirePrincipal(c);
  const started = await startExport(c.var.services, c.var.origin, actor, () => readJson(c));
  c.header("Location", `/api/v1/exports/${started.id}`);
  return c.json(started, 202);
});

exportRoutes.get("/api/v1/exports", async (c) => {
  const { actor } = requirePrincipal(c);
  return c.json({ exports: await listExports(c.var.services, c.var.origin, actor) });
});

exportRoutes.get(`/api/v1/exports/${ID}`, async (c) => {
  const { actor } = requirePrincipal(c);
  return c.json(await getExport(c.var.services, c.var.origin, actor, c.req.param("id")));
});

exportRoutes.get(`/api/v1/exports/${ID}/file`, async (c) => {
  const { actor } = requirePrincipal(c);
  return download(await openExportFile(c.var.services, c.var.origin, actor, c.req.param("id")));
});

exportRoutes.post(`/api/v1/exports/${ID}/cancel`, async (c) => {
  const { actor } = requirePrincipal(c);
  return c.json(await cancelExport(c.var.services, c.var.origin, actor, c.req.param("id")));
});

exportRoutes.get(`/api/v1/jobs/${ID}`, async (c) => {
  const { actor } = requirePrincipal(c);
  return c.json(jobJson(await readJob(c.var.services, actor, c.req.param("id"))));
});

exportRoutes.post(`/api/v1/jobs/${ID}/cancel`, async (c) => {
  const { actor } = requirePrincipal(c);
  const state = await cancelOwnJob(c.var.services, actor, c.req.param("id"));
  return c.json(jobJson(await readJob(c.var.services, actor, c.req.param("id"))), state === null ? 409 : 200);
});

// ——— pages ———

/** A job's progress, for pages that refresh themselves while it runs. */
export function JobProgress({ page, job }: { page: PageContext; job: JobView }) {
  const { t } = page;
  const { done, total, message } = job.progress;
  return (
    <section aria-labelledby="progress-title" class="progress">
      <h2 id="progress-title">{t("jobs.progress")}</h2>
      {total !== null && total > 0 ? (
        <progress value={Math.min(done, total)} max={total} aria-describedby="progress-text">{t("jobs.counts", { done, total })}</progress>
      ) : (
        <progress aria-describedby="progress-text" />
      )}
      <p id="progress-text" role="status">
        {job.state === "queued" ? t("jobs.queued") : total !== null ? t("jobs.counts", { done, total }) : t("jobs.running")}
        {message ? <> · <span lang="en" dir="ltr">{message}</span></> : null}
      </p>
      <p class="hint">{t("jobs.refreshes")}</p>
    </section>
  );
}

const EXPORT_SCHEMATA = [...new Set(RECORD_TYPE_SLUGS.flatMap((slug) => RECORD_TYPES[slug].schemata as readonly string[]))];

function ExportsPage({ page, exports, query, problem }: { page: PageContext; exports: ExportView[]; query: Record<string, string>; problem?: FormProblem | undefined }) {
  const { t } = page;
  const e = problem?.errors ?? {};
  return (
    <>
      <h1>{t("exports.title")}</h1>
      <p>{t("exports.intro")}</p>
      <p>
        <a href="/imports">{t("imports.title")}</a>
      </p>
      <form method="post" action="/exports">
        <Csrf page={page} />
        <ErrorSummary page={page} message={problem?.message} errors={e} />
        <fieldset>
          <legend>{t("exports.format")}</legend>
          <p>
            <input type="radio" id="x-csv" name="format" value="csv" checked={query.format !== "ftm"} />
            <label for="x-csv">{t("exports.formats.csv")}</label>
          </p>
          <p>
            <input type="radio" id="x-ftm" name="format" value="ftm" checked={query.format === "ftm"} />
            <label for="x-ftm">{t("exports.formats.ftm")}</label>
          </p>
        </fieldset>
        <div class={e["filter.schema"] ? "field has-error" : "field"}>
          <label for="x-schema">{t("exports.schema")}</label>
          <select id="x-schema" name="schema">
            <option value="">{t("exports.everyKind")}</option>
            {EXPORT_SCHEMATA.map((s) => (
              <option value={s} selected={s === query.schema}>{schemaLabel(t, s)}</option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for="x-archived">{t("exports.archived")}</label>
          <select id="x-archived" name="archived">
            {(["exclude", "include", "only"] as const).map((a) => (
              <option value={a} selected={a === (query.archived ?? "exclude")}>{t(`exports.archivedChoices.${a}`)}</option>
            ))}
          </select>
        </div>
        <div class={e["filter.tag"] ? "field has-error" : "field"}>
          <label for="x-tag">{t("exports.tag")}</label>
          <input id="x-tag" name="tag" value={query.tag ?? ""} maxlength={64} dir="auto" />
        </div>
        <div class="field">
          <input type="checkbox" id="x-mine" name="assignee" value="me" checked={query.assignee === "me"} />{" "}
          <label for="x-mine">{t("exports.assignedToMe")}</label>
        </div>
        <div class="field">
          <input type="checkbox" id="x-restricted" name="restricted" value="yes" />{" "}
          <label for="x-restricted">{t("exports.restricted")}</label>
          <p class="hint">{t("exports.restrictedHint")}</p>
        </div>
        <button type="submit">{t("exports.start")}</button>
      </form>
      <h2>{t("exports.yours")}</h2>
      {exports.length === 0 ? <p>{t("exports.none")}</p> : (
        <table>
          <caption class="visually-hidden">{t("exports.yours")}</caption>
          <thead>
            <tr>
              <th scope="col">{t("exports.when")}</th>
              <th scope="col">{t("exports.format")}</th>
              <th scope="col">{t("exports.state")}</th>
              <th scope="col">{t("exports.records")}</th>
            </tr>
          </thead>
          <tbody>
            {exports.map((x) => (
              <tr>
                <td><a href={`/exports/${x.id}`}>{formatTime(page.locale, x.createdAt)}</a></td>
                <td>{t(`exports.formats.${x.format}`)}</td>
                <td>{t(`exports.states.${x.state}`)}</td>
                <td>{x.rowCount ?? ""}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}

async function renderExports(c: Context<AppEnv>, query: Record<string, string>, problem?: FormProblem) {
  const principal = signedIn(c);
  const exports = await listExports(c.var.services, c.var.origin, principal.actor);
  return renderPage(c, c.var.t("exports.title"), (page) => <ExportsPage page={page} exports={exports} query={query} problem={problem} />, problem?.status ?? 200);
}

exportRoutes.get("/exports", async (c) => renderExports(c, c.req.query()));

exportRoutes.post("/exports", async (c) => {
  const principal = signedIn(c);
  const form = await readForm(c);
  const query = { format: field(form, "format"), schema: field(form, "schema"), archived: field(form, "archived"), tag: field(form, "tag"), assignee: field(form, "assignee") };
  let id: string;
  try {
    const filter: Record<string, string> = { archived: query.archived || "exclude" };
    if (query.schema) filter.schema = query.schema;
    if (query.tag.trim()) filter.tag = query.tag;
    if (query.assignee === "me") filter.assignee = "me";
    id = (await startExport(c.var.services, c.var.origin, principal.actor, { format: query.format, filter, restricted: field(form, "restricted") === "yes" })).id;
  } catch (error) {
    return renderExports(c, query, formProblem(c, error));
  }
  throw new Redirect(`/exports/${id}`);
});

function ExportPage({ page, view }: { page: PageContext; view: ExportView }) {
  const { t } = page;
  const busy = view.state === "queued" || view.state === "running";
  const filter = [
    view.filter.schema ? schemaLabel(t, view.filter.schema) : t("exports.everyKind"),
    t(`exports.archivedChoices.${view.filter.archived}`),
    ...(view.filter.tag ? [`${t("exports.tag")}: ${view.filter.tag}`] : []),
    ...(view.filter.assignee ? [t("exports.assignedToMe")] : []),
    ...(view.restricted ? [t("exports.restricted")] : []),
  ];
  return (
    <>
      {busy ? <meta http-equiv="refresh" content="3" /> : null}
      <p><a href="/exports">{t("exports.title")}</a></p>
      <h1>{t("exports.one", { when: formatTime(page.locale, view.createdAt) })}</h1>
      <dl class="summary">
        <dt>{t("exports.state")}</dt>
        <dd role="status">{t(`exports.states.${view.state}`)}</dd>
        <dt>{t("exports.format")}</dt>
        <dd>{t(`exports.formats.${view.format}`)}</dd>
        <dt>{t("exports.filter")}</dt>
        <dd dir="auto">{filter.join(" · ")}</dd>
        {view.rowCount !== null ? (
          <>
            <dt>{t("exports.records")}</dt>
            <dd>{view.rowCount}</dd>
          </>
        ) : null}
        {view.sha256 ? (
          <>
            <dt>{t("imports.sha256")}</dt>
            <dd><code>{view.sha256}</code></dd>
          </>
        ) : null}
        {view.error ? (
          <>
            <dt>{t("imports.problem")}</dt>
            <dd lang="en" dir="ltr">{view.error}</dd>
          </>
        ) : null}
      </dl>
      {busy && view.job ? <JobProgress page={page} job={view.job} /> : null}
      {view.available && page.principal?.actor.userId === view.createdBy ? (
        <p>
          <a href={`/exports/${view.id}/download`} download>{t("exports.download", { n: view.byteSize ?? 0 })}</a>
          <br />
          <span class="hint">{t("exports.downloadHint")}</span>
        </p>
      ) : null}
      {view.state === "ready" && !view.available ? <p>{t("exports.removed")}</p> : null}
      {busy ? (
        <form method="post" action={`/exports/${view.id}/cancel`}>
          <Csrf page={page} />
          <button type="submit" class="secondary">{t("exports.cancel")}</button>
        </form>
      ) : null}
    </>
  );
}

exportRoutes.get(`/exports/${ID}`, async (c) => {
  const principal = signedIn(c);
  const view = await getExport(c.var.services, c.var.origin, principal.actor, c.req.param("id"));
  return renderPage(c, c.var.t("exports.title"), (page) => <ExportPage page={page} view={view} />);
});

exportRoutes.get(`/exports/${ID}/download`, async (c) => {
  const principal = signedIn(c);
  return download(await openExportFile(c.var.services, c.var.origin, principal.actor, c.req.param("id")));
});

exportRoutes.post(`/exports/${ID}/cancel`, async (c) => {
  const principal = signedIn(c);
  const id = c.req.param("id");
  try {
    await cancelExport(c.var.services, c.var.origin, principal.actor, id);
  } catch (error) {
    const problem = formProblem(c, error);
    const view = await getExport(c.var.services, c.var.origin, principal.actor, id);
    return renderPage(c, c.var.t("exports.title"), (page) => (
      <>
        <ErrorSummary page={page} message={problem.message} errors={problem.errors} />
        <ExportPage page={page} view={view} />
      </>
    ), problem.status);
  }
  throw new Redirect(`/exports/${id}`);
});
