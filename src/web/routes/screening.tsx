import { Readable } from "node:stream";
import type { IncomingMessage } from "node:http";
import busboy from "busboy";
import { Hono, type Context } from "hono";
import { HTTPException } from "hono/http-exception";
import { Invalid } from "../../core/index.ts";
import { DEFAULT_LIST, listLists, reportCsv, requireMatching, screenCsv, MATCHABLE_SCHEMATA, type ListSummary, type ScreeningReport } from "../../screening/index.ts";
import { DEFAULT_THRESHOLD, type EntitySchema } from "../../names/index.ts";
import type { AppEnv } from "../env.ts";
import { field, readForm } from "../middleware/body.ts";
import { CSRF_FIELD } from "../middleware/csrf.ts";
import { formProblem, renderPage, signedIn, type FormProblem } from "../render.tsx";
import { ErrorSummary, type PageContext } from "../pages/layout.tsx";
import { duplicatePages } from "./duplicates.tsx";
import { listRoutes } from "./lists.tsx";
import { RejectedLines } from "../pages/rejected-lines.tsx";

/**
 * Bulk screening: upload a CSV file or paste one, read the report on the page or download it as
 * CSV. The upload is a multipart form read as it arrives and refused past the body limit; the
 * CSRF token of a multipart form travels in its action URL, as the evidence upload's does.
 */
export const screeningPages = new Hono<AppEnv>();

// Named lists (API and pages) and the duplicates page live beside screening and are served with it.
screeningPages.route("/", listRoutes);
screeningPages.route("/", duplicatePages);

interface ScreeningInput {
  csv: string;
  schema: string;
  threshold: string;
  list: string;
}

const BLANK: ScreeningInput = { csv: "", schema: "Person", threshold: String(DEFAULT_THRESHOLD), list: DEFAULT_LIST };

export function multipartAction(page: PageContext, path: string): string {
  return `${path}?${CSRF_FIELD}=${encodeURIComponent(page.csrfToken)}`;
}

function ScreeningForm({ page, input, lists, problem }: { page: PageContext; input: ScreeningInput; lists: ListSummary[]; problem?: FormProblem | undefined }) {
  const { t } = page;
  const e = problem?.errors ?? {};
  return (
    <form method="post" action={multipartAction(page, "/screening")} enctype="multipart/form-data">
      <ErrorSummary page={page} message={problem?.message} errors={e} />
      <div class={e.file ? "field has-error" : "field"}>
        <label for="f-upload">{t("screening.upload")}</label>
        <p class="hint" id="f-upload-hint">{t("screening.uploadHint")}</p>
        <input id="f-upload" name="file" type="file" accept=".csv,text/csv,text/plain" aria-describedby="f-upload-hint" />
      </div>
      <div class={e.file ? "field has-error" : "field"}>
        <label for="f-file">{t("screening.csv")}</label>
        <p class="hint" id="f-file-hint">{t("screening.csvHint")}</p>
        <textarea id="f-file" name="csv" rows={8} dir="auto" aria-describedby="f-file-hint">{input.csv}</textarea>
      </div>
      <div class="field">
        <label for="f-schema">{t("screening.schema")}</label>
        <select id="f-schema" name="schema">
          {MATCHABLE_SCHEMATA.map((s) => (
            <option value={s} selected={s === input.schema}>{s}</option>
          ))}
        </select>
      </div>
      <div class={e.list ? "field has-error" : "field"}>
        <label for="f-list">{t("screening.list")}</label>
        <select id="f-list" name="list">
          <option value={DEFAULT_LIST} selected={input.list === DEFAULT_LIST}>{t("screening.everyRecord")}</option>
          {lists.filter((l) => !l.archived).map((l) => (
            <option value={l.name} selected={l.name === input.list} dir="auto">{l.title} ({l.name})</option>
          ))}
        </select>
      </div>
      <div class={e.threshold ? "field has-error" : "field"}>
        <label for="f-threshold">{t("screening.threshold")}</label>
        <input id="f-threshold" name="threshold" inputmode="decimal" value={input.threshold} dir="ltr" />
      </div>
      <button type="submit">{t("screening.submit")}</button>{" "}
      <button type="submit" formaction={multipartAction(page, "/screening/report.csv")}>{t("screening.downloadNow")}</button>
    </form>
  );
}

function Report({ page, report, input }: { page: PageContext; report: ScreeningReport; input: ScreeningInput }) {
  const { t } = page;
  const matched = report.rows.filter((r) => r.matches.some((m) => m.result.match)).length;
  return (
    <section aria-labelledby="report-title">
      <h2 id="report-title">{t("screening.report")}</h2>
      <p role="status">{t("screening.summary", { rows: String(report.rows.length), matched: String(matched), rejected: String(report.rejected.length) })}</p>
      {/* Multipart, so a long non-Latin file is not tripled by percent-encoding on its way back. */}
      <form method="post" action={multipartAction(page, "/screening/report.csv")} enctype="multipart/form-data">
        <input type="hidden" name="csv" value={input.csv} />
        <input type="hidden" name="schema" value={input.schema} />
        <input type="hidden" name="threshold" value={input.threshold} />
        <input type="hidden" name="list" value={input.list} />
        <button type="submit">{t("screening.download")}</button>
      </form>
      <table>
        <caption>{t("screening.results")}</caption>
        <thead>
          <tr>
            <th scope="col">{t("screening.line")}</th>
            <th scope="col">{t("screening.name")}</th>
            <th scope="col">{t("screening.matches")}</th>
          </tr>
        </thead>
        <tbody>
          {report.rows.map((row) => (
            <tr>
              <td>{row.line}</td>
              <td dir="auto">{row.name}</td>
              <td>
                {row.matches.length === 0 ? t("screening.noCandidate") : (
                  <ul>
                    {row.matches.map((m) => (
                      <li>
                        <strong dir="auto">{m.caption}</strong> ({m.schema}, <code>{m.id}</code>) — {t("screening.score", { score: m.result.score.toFixed(2) })}{" "}
                        {m.result.match ? <em>{t("screening.match")}</em> : null}
                        <ul class="hint">
                          {m.result.explanation.map((line) => (
                            <li dir="auto">{line}</li>
                          ))}
                        </ul>
                      </li>
                    ))}
                  </ul>
                )}
                {row.truncated ? <p class="hint">{t("screening.truncated")}</p> : null}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {report.rejected.length > 0 ? (
        <RejectedLines page={page} rows={report.rejected} caption={t("screening.rejected")} quotesFile />
      ) : null}
    </section>
  );
}

async function renderScreening(c: Context<AppEnv>, input: ScreeningInput, extra: { report?: ScreeningReport; problem?: FormProblem } = {}) {
  const lists = await listLists(c.var.services, c.var.origin, signedIn(c).actor);
  return renderPage(
    c,
    c.var.t("screening.title"),
    (page) => (
      <>
        <h1>{page.t("screening.title")}</h1>
        <p>{page.t("screening.intro")}</p>
        <p>
          <a href="/lists">{page.t("lists.title")}</a> · <a href="/duplicates">{page.t("duplicates.title")}</a>
        </p>
        <ScreeningForm page={page} input={input} lists={lists} problem={extra.problem} />
        {extra.report ? <Report page={page} report={extra.report} input={input} /> : null}
      </>
    ),
    extra.problem?.status ?? 200,
  );
}

function mediaType(c: Context<AppEnv>): string {
  return (c.req.header("content-type") ?? "").split(";")[0]!.trim().toLowerCase();
}

function tooLarge(limit: number): HTTPException {
  return new HTTPException(413, { message: `the file is larger than ${limit} bytes` });
}

/** The request body as a Node stream: the socket's own under the Node server, the Web stream elsewhere (tests). */
function bodyStream(c: Context<AppEnv>): Readable | null {
  const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;
  if (incoming && !c.req.raw.bodyUsed) return incoming;
  const body = c.req.raw.body;
  return body ? Readable.fromWeb(body as import("node:stream/web").ReadableStream<Uint8Array>) : null;
}

function decodeUtf8(bytes: Buffer, what: string): string {
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new Invalid(`the ${what} is not UTF-8 text: save it as CSV UTF-8`, { file: "save the file as CSV UTF-8" });
  }
}

/**
 * A multipart form: its text fields (every value of each, in order) and the uploaded file's bytes,
 * read as they arrive. The whole body is bounded by the body limit: a file that goes past it is
 * refused (413) without reading the rest. Shared with supplier screening (routes/suppliers.tsx).
 */
export function readMultipartBytes(c: Context<AppEnv>, maxFields = 10): Promise<{ fields: Record<string, string[]>; file: Buffer | null }> {
  const limit = c.var.services.config.maxBodyBytes;
  const body = bodyStream(c);
  return new Promise((resolve, reject) => {
    if (!body) return resolve({ fields: {}, file: null });
    let parser: busboy.Busboy;
    try {
      parser = busboy({ headers: { "content-type": c.req.header("content-type") ?? "" }, limits: { files: 1, fields: maxFields, fileSize: limit, fieldSize: limit, parts: maxFields + 2 } });
    } catch {
      return reject(new Invalid("the form is not valid multipart/form-data"));
    }
    const fields: Record<string, string[]> = {};
    let file: Promise<Buffer | null> = Promise.resolve(null);
    let failed = false;
    const fail = (error: Error) => {
      if (failed) return;
      failed = true;
      body.unpipe(parser);
      body.resume();
      reject(error);
    };
    let read = 0;
    body.on("data", (chunk: Buffer) => {
      read += chunk.length;
      // Counted as it arrives, so a body without a Content-Length cannot exceed the limit either.
      if (read > limit + 64 * 1024) fail(tooLarge(limit));
    });
    parser.on("field", (name, value, info) => {
      if (info.valueTruncated) return fail(tooLarge(limit));
      (fields[name] ??= []).push(value);
    });
    parser.on("file", (_name, stream) => {
      const chunks: Buffer[] = [];
      file = new Promise((done) => {
        stream.on("data", (chunk: Buffer) => chunks.push(chunk));
        stream.on("limit", () => fail(tooLarge(limit)));
        stream.on("end", () => done(chunks.length === 0 ? null : Buffer.concat(chunks)));
      });
    });
    parser.on("error", (error) => fail(error instanceof Error ? new Invalid(`the form could not be read: ${error.message}`) : new Invalid("the form could not be read")));
    parser.on("close", () => {
      if (failed) return;
      file.then((bytes) => {
        if (!failed) resolve({ fields, file: bytes });
      }, reject);
    });
    body.pipe(parser);
  });
}

/** The screening form: the first value of each field and the file as UTF-8 text. */
async function readMultipart(c: Context<AppEnv>): Promise<{ fields: Record<string, string>; file: string | null }> {
  const form = await readMultipartBytes(c);
  return { fields: Object.fromEntries(Object.entries(form.fields).map(([k, v]) => [k, v[0]!])), file: form.file === null ? null : decodeUtf8(form.file, "file") };
}

async function readScreening(c: Context<AppEnv>): Promise<ScreeningInput> {
  let values: Record<string, string>;
  let file: string | null = null;
  if (mediaType(c) === "multipart/form-data") {
    const form = await readMultipart(c);
    values = form.fields;
    file = form.file;
  } else {
    const form = await readForm(c);
    values = { csv: field(form, "csv"), schema: field(form, "schema"), threshold: field(form, "threshold"), list: field(form, "list") };
  }
  // A chosen file wins over pasted text; the page shows what was screened either way.
  const csv = file !== null && file.trim() !== "" ? file : (values.csv ?? "");
  return { csv, schema: values.schema || BLANK.schema, threshold: (values.threshold ?? "").trim() || BLANK.threshold, list: (values.list ?? "").trim() || DEFAULT_LIST };
}

function runScreening(c: Context<AppEnv>, input: ScreeningInput) {
  const principal = signedIn(c);
  const schema = (MATCHABLE_SCHEMATA as readonly string[]).includes(input.schema) ? (input.schema as EntitySchema) : "Person";
  const threshold = /^\s*(0(\.\d+)?|1(\.0+)?|\.\d+)\s*$/.test(input.threshold) ? Number(input.threshold) : Number.NaN;
  return screenCsv(c.var.services, c.var.origin, principal.actor, input.csv, { schema, threshold, list: input.list });
}

screeningPages.get("/screening", async (c) => {
  await requireMatching(c.var.services, c.var.origin, signedIn(c).actor);
  return renderScreening(c, BLANK);
});

screeningPages.post("/screening", async (c) => {
  // Permission before the body is read: nobody learns how an upload is handled without the right to screen.
  await requireMatching(c.var.services, c.var.origin, signedIn(c).actor);
  const input = await readScreening(c);
  try {
    return await renderScreening(c, input, { report: await runScreening(c, input) });
  } catch (error) {
    return renderScreening(c, input, { problem: formProblem(c, error) });
  }
});

screeningPages.post("/screening/report.csv", async (c) => {
  await requireMatching(c.var.services, c.var.origin, signedIn(c).actor);
  const input = await readScreening(c);
  const report = await runScreening(c, input);
  c.header("Content-Type", "text/csv; charset=utf-8");
  c.header("Content-Disposition", 'attachment; filename="screening-report.csv"');
  return c.body(reportCsv(report));
});
