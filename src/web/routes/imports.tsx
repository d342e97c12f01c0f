import { Hono, type Context } from "hono";
import { Invalid } from "../../core/index.ts";
import {
  authorizeImport, cancelImport, checkImport, commitImport, findSchema, getImport, importRejections, listImports, listMappings, previewImport, receiveImport, saveMapping, setImportMapping,
  suggestMapping, SENSITIVITIES, type ImportMapping, type ImportView, type PreviewRow, type RejectionPage, type SavedMapping,
} from "../../records/index.ts";
import type { AppEnv } from "../env.ts";
import { formatTime, UUID_PARAM } from "../format.ts";
import { requirePrincipal } from "../middleware/auth.ts";
import { field, readForm, readJson } from "../middleware/body.ts";
import { CSRF_FIELD } from "../middleware/csrf.ts";
import { Csrf, ErrorSummary, type PageContext } from "../pages/layout.tsx";
import { formProblem, Redirect, renderPage, signedIn, type FormProblem } from "../render.tsx";
import { editedProperties, propertyLabel, RECORD_TYPE_SLUGS, RECORD_TYPES, schemaLabel } from "../records/labels.ts";
import { declaredLength, mediaTypeOf, multipartUpload, requestBodyStream } from "../upload.ts";
import { JobProgress } from "./exports.tsx";
import { RejectedLines } from "../pages/rejected-lines.tsx";

/**
 * Imports: a CSV file with a column mapping, or FollowTheMoney JSON lines. Upload (streamed to
 * disk), mapping, preview, check, commit, over the API and on pages that need no script (the
 * progress page refreshes itself). Thin: src/records checks permission and does the work.
 */
export const importRoutes = new Hono<AppEnv>();

/** Upload routes stream to disk under VIGIL_MAX_IMPORT_BYTES, not the body limit. */
export const IMPORT_UPLOAD_PATHS = new Set(["/api/v1/imports", "/imports"]);

const ID = `:id{${UUID_PARAM}}`;

function uploadOf(c: Context<AppEnv>, fields: { format?: string | undefined; filename?: string | null }) {
  return { declaredSize: declaredLength(c), format: fields.format ?? "", filename: fields.filename ?? null };
}

// ——— API ———

importRoutes.post("/api/v1/imports", async (c) => {
  const { actor } = requirePrincipal(c);
  // Permission first: nobody learns how an upload is handled without the right to import.
  await authorizeImport(c.var.services, c.var.origin, actor);
  const body = requestBodyStream(c);
  if (!body) throw new Invalid("the file is empty", { file: "the file is empty" });
  let started: ImportView;
  if (mediaTypeOf(c) === "multipart/form-data") {
    const upload = await multipartUpload(c, body);
    started = await receiveImport(c.var.services, c.var.origin, actor, { source: upload.source, ...uploadOf(c, { format: upload.fields.format ?? c.req.query("format"), filename: upload.filename }) });
  } else {
    let filename: string | null;
    try {
      filename = c.req.header("x-filename") ? decodeURIComponent(c.req.header("x-filename")!) : null;
    } catch {
      throw new Invalid("some fields are not valid", { "X-Filename": "percent-encode the name as UTF-8" });
    }
    started = await receiveImport(c.var.services, c.var.origin, actor, { source: body, ...uploadOf(c, { format: c.req.query("format"), filename }) });
  }
  c.header("Location", `/api/v1/imports/${started.id}`);
  return c.json(started, 201);
});

importRoutes.get("/api/v1/imports", async (c) => {
  const { actor } = requirePrincipal(c);
  return c.json({ imports: await listImports(c.var.services, c.var.origin, actor) });
});

importRoutes.get(`/api/v1/imports/${ID}`, async (c) => {
  const { actor } = requirePrincipal(c);
  return c.json(await getImport(c.var.services, c.var.origin, actor, c.req.param("id")));
});

importRoutes.post(`/api/v1/imports/${ID}/mapping`, async (c) => {
  const { actor } = requirePrincipal(c);
  return c.json(await setImportMapping(c.var.services, c.var.origin, actor, c.req.param("id"), () => readJson(c)));
});

importRoutes.get(`/api/v1/imports/${ID}/preview`, async (c) => {
  const { actor } = requirePrincipal(c);
  return c.json({ rows: await previewImport(c.var.services, c.var.origin, actor, c.req.param("id")) });
});

importRoutes.get(`/api/v1/imports/${ID}/rejections`, async (c) => {
  const { actor } = requirePrincipal(c);
  return c.json(await importRejections(c.var.services, c.var.origin, actor, c.req.param("id"), c.req.query("after") ?? 0, c.req.query("limit") ?? 100));
});

importRoutes.post(`/api/v1/imports/${ID}/check`, async (c) => {
  const { actor } = requirePrincipal(c);
  return c.json(await checkImport(c.var.services, c.var.origin, actor, c.req.param("id")), 202);
});

importRoutes.post(`/api/v1/imports/${ID}/commit`, async (c) => {
  const { actor } = requirePrincipal(c);
  // The options are optional: a request without a body commits with the defaults.
  const hasBody = c.req.header("content-type") !== undefined;
  return c.json(await commitImport(c.var.services, c.var.origin, actor, c.req.param("id"), hasBody ? () => readJson(c) : {}), 202);
});

importRoutes.post(`/api/v1/imports/${ID}/cancel`, async (c) => {
  const { actor } = requirePrincipal(c);
  return c.json(await cancelImport(c.var.services, c.var.origin, actor, c.req.param("id")));
});

importRoutes.get("/api/v1/import-mappings", async (c) => {
  const { actor } = requirePrincipal(c);
  return c.json({ mappings: await listMappings(c.var.services, c.var.origin, actor) });
});

importRoutes.post("/api/v1/import-mappings", async (c) => {
  const { actor } = requirePrincipal(c);
  // Permission is checked by saveMapping before it reads the name and mapping.
  await authorizeImport(c.var.services, c.var.origin, actor);
  const body = (await readJson(c)) as { name?: unknown; mapping?: unknown } | null;
  return c.json(await saveMapping(c.var.services, c.var.origin, actor, body?.name, body?.mapping), 201);
});

// ——— pages ———

/** The schemata the pages offer to import into, in the order of the record lists. */
const IMPORTABLE = [...new Set(RECORD_TYPE_SLUGS.flatMap((slug) => RECORD_TYPES[slug].schemata as readonly string[]))];

function multipartAction(page: PageContext, path: string): string {
  return `${path}?${CSRF_FIELD}=${encodeURIComponent(page.csrfToken)}`;
}

function stateLabel(page: PageContext, state: string) {
  return page.t(`imports.states.${state}`);
}

function ImportsPage({ page, imports, limit, problem }: { page: PageContext; imports: ImportView[]; limit: number; problem?: FormProblem | undefined }) {
  const { t } = page;
  const e = problem?.errors ?? {};
  return (
    <>
      <h1>{t("imports.title")}</h1>
      <p>{t("imports.intro")}</p>
      <p>
        <a href="/exports">{t("exports.title")}</a>
      </p>
      <form method="post" action={multipartAction(page, "/imports")} enctype="multipart/form-data">
        <ErrorSummary page={page} message={problem?.message} errors={e} />
        <fieldset>
          <legend>{t("imports.format")}</legend>
          <p>
            <input type="radio" id="f-csv" name="format" value="csv" checked />
            <label for="f-csv">{t("imports.formats.csv")}</label>
          </p>
          <p>
            <input type="radio" id="f-ftm" name="format" value="ftm" />
            <label for="f-ftm">{t("imports.formats.ftm")}</label>
          </p>
        </fieldset>
        <div class={e.file ? "field has-error" : "field"}>
          <label for="f-file">{t("imports.file")}</label>
          <p class="hint" id="f-file-hint">{t("imports.fileHint", { mb: Math.floor(limit / 1024 ** 2) })}</p>
          <input id="f-file" name="file" type="file" accept=".csv,.txt,.json,.jsonl,.ndjson,text/csv,text/plain,application/json" aria-describedby="f-file-hint" required />
        </div>
        <button type="submit">{t("imports.upload")}</button>
      </form>
      <h2>{t("imports.yours")}</h2>
      {imports.length === 0 ? <p>{t("imports.none")}</p> : (
        <table>
          <caption class="visually-hidden">{t("imports.yours")}</caption>
          <thead>
            <tr>
              <th scope="col">{t("imports.file")}</th>
              <th scope="col">{t("imports.format")}</th>
              <th scope="col">{t("imports.state")}</th>
              <th scope="col">{t("imports.rows")}</th>
              <th scope="col">{t("imports.when")}</th>
            </tr>
          </thead>
          <tbody>
            {imports.map((i) => (
              <tr>
                <td><a href={`/imports/${i.id}`} dir="auto">{i.filename}</a></td>
                <td>{t(`imports.formats.${i.format}`)}</td>
                <td>{stateLabel(page, i.state)}</td>
                <td>{i.rowsTotal ?? ""}</td>
                <td>{formatTime(page.locale, i.createdAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}

async function renderImports(c: Context<AppEnv>, problem?: FormProblem) {
  const principal = signedIn(c);
  const imports = await listImports(c.var.services, c.var.origin, principal.actor);
  return renderPage(c, c.var.t("imports.title"), (page) => <ImportsPage page={page} imports={imports} limit={c.var.services.config.maxImportBytes} problem={problem} />, problem?.status ?? 200);
}

importRoutes.get("/imports", async (c) => renderImports(c));

importRoutes.post("/imports", async (c) => {
  const principal = signedIn(c);
  await authorizeImport(c.var.services, c.var.origin, principal.actor);
  try {
    const body = requestBodyStream(c);
    if (!body || mediaTypeOf(c) !== "multipart/form-data") throw new Invalid("some fields are not valid", { file: "choose a file" });
    const upload = await multipartUpload(c, body);
    const started = await receiveImport(c.var.services, c.var.origin, principal.actor, { source: upload.source, ...uploadOf(c, { format: upload.fields.format, filename: upload.filename }) });
    throw new Redirect(`/imports/${started.id}`);
  } catch (error) {
    if (error instanceof Redirect) throw error;
    return renderImports(c, formProblem(c, error));
  }
});

/** Properties offered for a column: those the editor offers first, in its order, then every other one. */
function propertyChoices(page: PageContext, schemaName: string): { name: string; label: string }[] {
  const schema = findSchema(schemaName);
  if (!schema) return [];
  const first = editedProperties(schemaName);
  const rest = [...schema.getProperties().values()].filter((p) => !p.stub && !first.includes(p.name)).sort((a, b) => a.label.localeCompare(b.label));
  return [...first.map((name) => ({ name, label: propertyLabel(page.t, schemaName, name) })), ...rest.map((p) => ({ name: p.name, label: p.label }))];
}

function MappingForm({ page, view, mapping, saved, problem }: { page: PageContext; view: ImportView; mapping: ImportMapping; saved: SavedMapping[]; problem?: FormProblem | undefined }) {
  const { t } = page;
  const e = problem?.errors ?? {};
  const choices = propertyChoices(page, mapping.schema);
  const targetOf = (column: string) => {
    const target = mapping.columns[column];
    return target === null || target === undefined ? { property: "", lang: "" } : typeof target === "string" ? { property: target, lang: "" } : { property: target.property, lang: target.lang ?? "" };
  };
  return (
    <section aria-labelledby="mapping-title">
      <h2 id="mapping-title">{t("imports.mapping")}</h2>
      <ErrorSummary page={page} message={problem?.message} errors={e} />
      {saved.length > 0 ? (
        <form method="post" action={`/imports/${view.id}/mapping`} class="inline-form">
          <Csrf page={page} />
          <label for="f-saved">{t("imports.savedMapping")}</label>{" "}
          <select id="f-saved" name="mappingName">
            {saved.map((m) => (
              <option value={m.name} dir="auto">{m.name} ({schemaLabel(t, m.mapping.schema)})</option>
            ))}
          </select>{" "}
          <button type="submit">{t("imports.useSaved")}</button>
        </form>
      ) : null}
      <form method="get" action={`/imports/${view.id}`} class="inline-form">
        <label for="f-schema">{t("imports.schema")}</label>{" "}
        <select id="f-schema" name="schema">
          {IMPORTABLE.map((s) => (
            <option value={s} selected={s === mapping.schema}>{schemaLabel(t, s)}</option>
          ))}
        </select>{" "}
        <button type="submit">{t("imports.chooseSchema")}</button>
      </form>
      <form method="post" action={`/imports/${view.id}/mapping`}>
        <Csrf page={page} />
        <input type="hidden" name="schema" value={mapping.schema} />
        <table>
          <caption>{t("imports.columnsCaption", { schema: schemaLabel(t, mapping.schema) })}</caption>
          <thead>
            <tr>
              <th scope="col">{t("imports.column")}</th>
              <th scope="col">{t("imports.property")}</th>
              <th scope="col">{t("imports.valueLanguage")}</th>
            </tr>
          </thead>
          <tbody>
            {view.columns.map((column, i) => {
              const target = targetOf(column);
              const err = e[`mapping.columns.${column}`];
              return (
                <tr class={err ? "has-error" : undefined}>
                  <th scope="row">
                    <label for={`f-col-${i}`} dir="auto">{column || t("imports.unnamedColumn", { n: i + 1 })}</label>
                    <input type="hidden" name={`column.${i}`} value={column} />
                    {err ? <p class="error" dir="auto">{err}</p> : null}
                  </th>
                  <td>
                    <select id={`f-col-${i}`} name={`property.${i}`}>
                      <option value="">{t("imports.notImported")}</option>
                      {choices.map((p) => (
                        <option value={p.name} selected={p.name === target.property}>{p.label} ({p.name})</option>
                      ))}
                    </select>
                  </td>
                  <td>
                    <input id={`f-lang-${i}`} name={`lang.${i}`} value={target.lang} size={8} dir="ltr" aria-label={t("imports.valueLanguageOf", { column })} />
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
        <div class="field">
          <label for="f-sensitivity">{t("imports.sensitivity")}</label>
          <select id="f-sensitivity" name="sensitivity">
            {SENSITIVITIES.map((s) => (
              <option value={s} selected={s === mapping.sensitivity}>{t(`records.sensitivityLevel.${s}`)}</option>
            ))}
          </select>
        </div>
        <div class="field">
          <input type="checkbox" id="f-restricted" name="restricted" value="yes" checked={mapping.restricted} />{" "}
          <label for="f-restricted">{t("imports.restricted")}</label>
        </div>
        <div class="field">
          <label for="f-delimiter">{t("imports.delimiter")}</label>
          <select id="f-delimiter" name="delimiter">
            {([",", ";", "\t", "|"] as const).map((d) => (
              <option value={d} selected={d === mapping.delimiter}>{t(`imports.delimiters.${d === "\t" ? "tab" : d === "," ? "comma" : d === ";" ? "semicolon" : "bar"}`)}</option>
            ))}
          </select>
        </div>
        <div class={e.saveAs ? "field has-error" : "field"}>
          <label for="f-save-as">{t("imports.saveAs")}</label>
          <p class="hint" id="f-save-as-hint">{t("imports.saveAsHint")}</p>
          <input id="f-save-as" name="saveAs" maxlength={100} dir="auto" aria-describedby="f-save-as-hint" />
        </div>
        <button type="submit">{t("imports.setMapping")}</button>
      </form>
    </section>
  );
}

function Preview({ page, rows }: { page: PageContext; rows: PreviewRow[] }) {
  const { t } = page;
  return (
    <section aria-labelledby="preview-title">
      <h2 id="preview-title">{t("imports.preview")}</h2>
      <p class="hint">{t("imports.previewHint")}</p>
      <table>
        <thead>
          <tr>
            <th scope="col">{t("imports.line")}</th>
            <th scope="col">{t("imports.asStored")}</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr>
              <td>{r.line}</td>
              <td>
                {r.ok ? (
                  <dl class="compact">
                    {r.values.map((v) => (
                      <>
                        <dt>{propertyLabel(t, r.schema!, v.property)}</dt>
                        <dd dir="auto" lang={v.lang ?? undefined}>{v.value}</dd>
                      </>
                    ))}
                  </dl>
                ) : (
                  <p class="error"><strong>{t("imports.rejected")}:</strong> <span lang="en" dir="ltr">{r.reason}</span></p>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

function Rejections({ page, view, rejections, after }: { page: PageContext; view: ImportView; rejections: RejectionPage; after: number }) {
  const { t } = page;
  if (rejections.rejections.length === 0 && after === 0) return null;
  return (
    <section aria-labelledby="rejections-title">
      <h2 id="rejections-title">{t("imports.rejections", { n: view.rowsRejected ?? rejections.rejections.length })}</h2>
      <p class="hint">{t("imports.rejectionsHint")}</p>
      <RejectedLines page={page} rows={rejections.rejections} />
      {rejections.nextAfter !== null ? <p><a href={`/imports/${view.id}?after=${rejections.nextAfter}`}>{t("imports.moreRejections")}</a></p> : null}
    </section>
  );
}

function ImportPage(props: { page: PageContext; view: ImportView; mapping: ImportMapping | null; saved: SavedMapping[]; preview: PreviewRow[] | null; rejections: RejectionPage; after: number; problem?: FormProblem | undefined }) {
  const { page, view, problem } = props;
  const { t } = page;
  const busy = view.state === "checking" || view.state === "importing";
  const editable = view.state === "uploaded" || view.state === "checked" || view.state === "failed";
  return (
    <>
      {busy ? <meta http-equiv="refresh" content="3" /> : null}
      <p><a href="/imports">{t("imports.title")}</a></p>
      <h1 dir="auto">{view.filename}</h1>
      {!props.mapping && problem ? <ErrorSummary page={page} message={problem.message} errors={problem.errors} /> : null}
      <dl class="summary">
        <dt>{t("imports.state")}</dt>
        <dd role="status">{stateLabel(page, view.state)}</dd>
        <dt>{t("imports.format")}</dt>
        <dd>{t(`imports.formats.${view.format}`)} · {view.encoding.toUpperCase()} · {t("imports.bytes", { n: view.byteSize })}</dd>
        <dt>{t("imports.rows")}</dt>
        <dd>{view.rowsTotal ?? "—"}</dd>
        {view.rowsValid !== null ? (
          <>
            <dt>{t("imports.checked")}</dt>
            <dd>{t("imports.checkedCounts", { valid: view.rowsValid, rejected: view.rowsRejected ?? 0 })}</dd>
          </>
        ) : null}
        {view.entitiesCreated !== null ? (
          <>
            <dt>{t("imports.created")}</dt>
            <dd>{view.entitiesCreated}</dd>
          </>
        ) : null}
        {view.sourceId ? (
          <>
            <dt>{t("imports.source")}</dt>
            <dd><a href={`/records/${view.sourceId}`}>{t("imports.sourceLink")}</a></dd>
          </>
        ) : null}
        {view.error ? (
          <>
            <dt>{t("imports.problem")}</dt>
            <dd lang="en" dir="ltr">{view.error}</dd>
          </>
        ) : null}
        <dt>{t("imports.sha256")}</dt>
        <dd><code>{view.sha256}</code></dd>
      </dl>
      {view.job && busy ? <JobProgress page={page} job={view.job} /> : null}
      {editable && view.format === "csv" && props.mapping ? <MappingForm page={page} view={view} mapping={props.mapping} saved={props.saved} problem={problem} /> : null}
      {props.preview ? <Preview page={page} rows={props.preview} /> : null}
      {editable && (view.format === "ftm" || view.mapping) ? (
        <section aria-labelledby="actions-title">
          <h2 id="actions-title">{t("imports.actions")}</h2>
          <form method="post" action={`/imports/${view.id}/check`} class="inline-form">
            <Csrf page={page} />
            <button type="submit">{t("imports.check")}</button>
          </form>
          <form method="post" action={`/imports/${view.id}/commit`}>
            <Csrf page={page} />
            <p>
              <input type="checkbox" id="f-partial" name="partial" value="yes" />{" "}
              <label for="f-partial">{t("imports.partial")}</label>
            </p>
            <button type="submit">{t("imports.commit")}</button>
          </form>
        </section>
      ) : null}
      {editable || busy ? (
        <form method="post" action={`/imports/${view.id}/cancel`}>
          <Csrf page={page} />
          <button type="submit" class="secondary">{t("imports.cancel")}</button>
        </form>
      ) : null}
      <Rejections page={page} view={view} rejections={props.rejections} after={props.after} />
    </>
  );
}

async function renderImport(c: Context<AppEnv>, id: string, problem?: FormProblem) {
  const principal = signedIn(c);
  const { services, origin } = c.var;
  const view = await getImport(services, origin, principal.actor, id);
  const editable = view.state === "uploaded" || view.state === "checked" || view.state === "failed";
  const wanted = c.req.query("schema");
  let mapping: ImportMapping | null = null;
  let saved: SavedMapping[] = [];
  if (view.format === "csv" && editable) {
    saved = await listMappings(services, origin, principal.actor);
    const schema = wanted && findSchema(wanted) && IMPORTABLE.includes(wanted) ? wanted : (view.mapping?.schema ?? "Person");
    mapping = view.mapping && view.mapping.schema === schema ? view.mapping : suggestMapping(schema, view.columns);
  }
  let preview: PreviewRow[] | null = null;
  if (editable && (view.format === "ftm" || view.mapping)) {
    try {
      preview = await previewImport(services, origin, principal.actor, id);
    } catch (error) {
      problem ??= formProblem(c, error);
    }
  }
  const after = /^\d{1,15}$/.test(c.req.query("after") ?? "") ? Number(c.req.query("after")) : 0;
  const rejections = await importRejections(services, origin, principal.actor, id, after, 100);
  return renderPage(c, view.filename, (page) => <ImportPage page={page} view={view} mapping={mapping} saved={saved} preview={preview} rejections={rejections} after={after} problem={problem} />, problem?.status ?? 200);
}

importRoutes.get(`/imports/${ID}`, async (c) => renderImport(c, c.req.param("id")));

/** The mapping form as the service takes it: column i → property i (and its language), the rest. */
function mappingFromForm(form: Record<string, string | string[]>): unknown {
  const columns: Record<string, unknown> = {};
  for (const key of Object.keys(form)) {
    const match = /^column\.(\d{1,3})$/.exec(key);
    if (!match) continue;
    const column = field(form, key);
    const property = field(form, `property.${match[1]}`).trim();
    const lang = field(form, `lang.${match[1]}`).trim();
    columns[column] = property === "" ? null : lang ? { property, lang } : property;
  }
  return { schema: field(form, "schema"), columns, sensitivity: field(form, "sensitivity") || "internal", restricted: field(form, "restricted") === "yes", delimiter: field(form, "delimiter") || "," };
}

importRoutes.post(`/imports/${ID}/mapping`, async (c) => {
  const principal = signedIn(c);
  const id = c.req.param("id");
  await authorizeImport(c.var.services, c.var.origin, principal.actor);
  const form = await readForm(c);
  try {
    const name = field(form, "mappingName");
    const saveAs = field(form, "saveAs").trim();
    const choice = name ? { mappingName: name } : { mapping: mappingFromForm(form), ...(saveAs ? { saveAs } : {}) };
    await setImportMapping(c.var.services, c.var.origin, principal.actor, id, choice);
  } catch (error) {
    return renderImport(c, id, formProblem(c, error));
  }
  throw new Redirect(`/imports/${id}`);
});

importRoutes.post(`/imports/${ID}/check`, async (c) => {
  const principal = signedIn(c);
  const id = c.req.param("id");
  try {
    await checkImport(c.var.services, c.var.origin, principal.actor, id);
  } catch (error) {
    return renderImport(c, id, formProblem(c, error));
  }
  throw new Redirect(`/imports/${id}`);
});

importRoutes.post(`/imports/${ID}/commit`, async (c) => {
  const principal = signedIn(c);
  const id = c.req.param("id");
  await authorizeImport(c.var.services, c.var.origin, principal.actor);
  const form = await readForm(c);
  try {
    await commitImport(c.var.services, c.var.origin, principal.actor, id, { partial: field(form, "partial") === "yes" });
  } catch (error) {
    return renderImport(c, id, formProblem(c, error));
  }
  throw new Redirect(`/imports/${id}`);
});

importRoutes.post(`/imports/${ID}/cancel`, async (c) => {
  const principal = signedIn(c);
  const id = c.req.param("id");
  try {
    await cancelImport(c.var.services, c.var.origin, principal.actor, id);
  } catch (error) {
    return renderImport(c, id, formProblem(c, error));
  }
  throw new Redirect(`/imports/${id}`);
});
