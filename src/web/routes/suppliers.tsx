import { Hono, type Context } from "hono";
import { DEFAULT_HOPS, MAX_HOPS, requireSupplierScreening, screenSuppliers, supplierReportCsv, type SupplierFinding, type SupplierReport } from "../../accountability/index.ts";
import { DEFAULT_THRESHOLD } from "../../names/index.ts";
import { getVocabulary, termLabel, type TermView } from "../../records/index.ts";
import { listLists, type ListSummary } from "../../screening/index.ts";
import type { AppEnv } from "../env.ts";
import { readForm } from "../middleware/body.ts";
import { ErrorSummary, type PageContext } from "../pages/layout.tsx";
import { formProblem, renderPage, signedIn, type FormProblem } from "../render.tsx";
import { multipartAction, readMultipartBytes } from "./screening.tsx";
import { RejectedLines } from "../pages/rejected-lines.tsx";

/**
 * Supply-chain screening: a company uploads its supplier list (or pastes it), names its columns if
 * Vigil does not recognise them, chooses how many ownership hops to follow and which watch lists to
 * add, and reads the report on the page or downloads it as CSV. Multipart, as bulk screening is.
 */
export const supplierPages = new Hono<AppEnv>();

interface SupplierInput {
  csv: string;
  nameColumn: string;
  addressColumn: string;
  countryColumn: string;
  hops: string;
  threshold: string;
  lists: string[];
}

const BLANK: SupplierInput = { csv: "", nameColumn: "", addressColumn: "", countryColumn: "", hops: String(DEFAULT_HOPS), threshold: String(DEFAULT_THRESHOLD), lists: [] };

function SupplierForm({ page, input, lists, problem }: { page: PageContext; input: SupplierInput; lists: ListSummary[]; problem?: FormProblem | undefined }) {
  const { t } = page;
  const e = problem?.errors ?? {};
  const text = (name: "nameColumn" | "addressColumn" | "countryColumn", label: string) => (
    <div class={e[name] ? "field has-error" : "field"}>
      <label for={`f-${name}`}>{label}</label>
      <input id={`f-${name}`} name={name} value={input[name]} dir="auto" maxlength={200} />
    </div>
  );
  return (
    <form method="post" action={multipartAction(page, "/suppliers")} enctype="multipart/form-data">
      <ErrorSummary page={page} message={problem?.message} errors={e} />
      <div class={e.file ? "field has-error" : "field"}>
        <label for="f-file">{t("suppliers.upload")}</label>
        <p class="hint" id="f-file-hint">{t("suppliers.uploadHint")}</p>
        <input id="f-file" name="file" type="file" accept=".csv,text/csv,text/plain" aria-describedby="f-file-hint" />
      </div>
      <div class="field">
        <label for="f-csv">{t("suppliers.paste")}</label>
        <textarea id="f-csv" name="csv" rows={6} dir="auto">{input.csv}</textarea>
      </div>
      <fieldset>
        <legend>{t("suppliers.columns")}</legend>
        <p class="hint">{t("suppliers.columnsHint")}</p>
        {text("nameColumn", t("suppliers.nameColumn"))}
        {text("addressColumn", t("suppliers.addressColumn"))}
        {text("countryColumn", t("suppliers.countryColumn"))}
      </fieldset>
      <div class={e.hops ? "field has-error" : "field"}>
        <label for="f-hops">{t("suppliers.hops")}</label>
        <p class="hint" id="f-hops-hint">{t("suppliers.hopsHint", { max: String(MAX_HOPS) })}</p>
        <input id="f-hops" name="hops" type="number" min="0" max={String(MAX_HOPS)} value={input.hops} dir="ltr" aria-describedby="f-hops-hint" />
      </div>
      <div class={e.threshold ? "field has-error" : "field"}>
        <label for="f-threshold">{t("screening.threshold")}</label>
        <input id="f-threshold" name="threshold" inputmode="decimal" value={input.threshold} dir="ltr" />
      </div>
      {lists.some((l) => !l.archived) ? (
        <fieldset class={e.lists ? "has-error" : undefined}>
          <legend>{t("suppliers.watchLists")}</legend>
          {lists.filter((l) => !l.archived).map((l) => (
            <div>
              <input type="checkbox" id={`f-list-${l.name}`} name="list" value={l.name} checked={input.lists.includes(l.name)} />{" "}
              <label for={`f-list-${l.name}`} dir="auto">{l.title} ({l.name})</label>
            </div>
          ))}
        </fieldset>
      ) : null}
      <button type="submit">{t("suppliers.submit")}</button>{" "}
      <button type="submit" formaction={multipartAction(page, "/suppliers/report.csv")}>{t("suppliers.downloadNow")}</button>
    </form>
  );
}

function PathText({ page, finding }: { page: PageContext; finding: SupplierFinding }) {
  const { t } = page;
  if (finding.path.length === 0) return <span dir="auto">{finding.supplier.name}</span>;
  return (
    <ol class="path">
      {finding.path.map((step, i) => (
        <li>
          {i > 0 ? (finding.links[i - 1]?.percentage ? t("suppliers.ownedShareBy", { share: finding.links[i - 1]!.percentage! }) : t("suppliers.ownedBy")) + " " : ""}
          <a href={`/records/${step.id}`} dir="auto">{step.caption ?? step.id}</a>
        </li>
      ))}
    </ol>
  );
}

function ReasonText({ page, finding, terms }: { page: PageContext; finding: SupplierFinding; terms: readonly TermView[] }) {
  const { t } = page;
  const r = finding.reason;
  if (r.kind === "watch-list") return <>{t("suppliers.onWatchList", { list: r.title })}</>;
  if (r.kind === "list") return <>{t("suppliers.onList", { list: r.list, jurisdiction: r.jurisdiction ?? "—", entry: r.entry, score: r.score.toFixed(2) })}</>;
  const label = (code: string) => {
    const term = terms.find((x) => x.code === code);
    return term ? termLabel(term, page.locale) : code;
  };
  return (
    <ul>
      {r.findings.map((f) => (
        <li>
          <a href={`/records/${f.id}`}>{t("suppliers.complicity", { types: f.types.map(label).join(", ") })}</a>
          {f.summary ? <span dir="auto"> — {f.summary}</span> : null}
          <div class="hint">
            {f.sources.length ? <>{t("complicity.sources")} {f.sources.map((s, i) => <>{i > 0 ? ", " : ""}<a href={`/records/${s.id}`} dir="auto">{s.caption ?? s.id}</a></>)} · </> : null}
            {t("complicity.evidence", { n: String(f.evidence) })}
          </div>
        </li>
      ))}
    </ul>
  );
}

function Report({ page, report, input, terms }: { page: PageContext; report: SupplierReport; input: SupplierInput; terms: readonly TermView[] }) {
  const { t } = page;
  return (
    <section aria-labelledby="report-title">
      <h2 id="report-title">{t("suppliers.report")}</h2>
      <p role="status">{t("suppliers.summary", { suppliers: String(report.suppliers), flagged: String(report.flagged), rejected: String(report.rejected.length), hops: String(report.hops) })}</p>
      <p class="hint">{t("suppliers.columnsUsed", { name: report.columns.name, address: report.columns.address ?? "—", country: report.columns.country ?? "—" })}</p>
      {report.unknownCountries.length ? <p class="hint">{t("suppliers.unknownCountries", { lines: report.unknownCountries.slice(0, 20).join(", ") })}</p> : null}
      <form method="post" action={multipartAction(page, "/suppliers/report.csv")} enctype="multipart/form-data">
        <input type="hidden" name="csv" value={input.csv} />
        {(["nameColumn", "addressColumn", "countryColumn", "hops", "threshold"] as const).map((k) => <input type="hidden" name={k} value={input[k]} />)}
        {input.lists.map((l) => <input type="hidden" name="list" value={l} />)}
        <button type="submit">{t("suppliers.download")}</button>
      </form>
      {report.findings.length === 0 ? <p>{t("suppliers.noFindings")}</p> : (
        <table>
          <caption>{t("suppliers.findings")}</caption>
          <thead>
            <tr>
              <th scope="col">{t("screening.line")}</th>
              <th scope="col">{t("suppliers.supplier")}</th>
              <th scope="col">{t("suppliers.path")}</th>
              <th scope="col">{t("suppliers.reason")}</th>
            </tr>
          </thead>
          <tbody>
            {report.findings.map((f) => (
              <tr>
                <td>{f.line}</td>
                <td>
                  <span dir="auto">{f.supplier.name}</span>
                  {f.supplier.country ? <span class="hint"> ({f.supplier.country})</span> : null}
                  {f.matched ? <div class="hint">{t("screening.score", { score: f.matched.score.toFixed(2) })}</div> : null}
                </td>
                <td>
                  <PathText page={page} finding={f} />
                  <div class="hint">{t("suppliers.hopsCount", { n: String(f.hops) })}</div>
                </td>
                <td>
                  <ReasonText page={page} finding={f} terms={terms} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {report.rejected.length > 0 ? (
        <RejectedLines page={page} rows={report.rejected} caption={t("screening.rejected")} quotesFile />
      ) : null}
    </section>
  );
}

async function renderSuppliers(c: Context<AppEnv>, input: SupplierInput, extra: { report?: SupplierReport; problem?: FormProblem } = {}) {
  const { actor } = signedIn(c);
  const lists = await listLists(c.var.services, c.var.origin, actor);
  const terms = extra.report ? (await getVocabulary(c.var.services, c.var.origin, actor, "complicity-types")).terms : [];
  return renderPage(c, c.var.t("suppliers.title"), (page) => (
    <>
      <h1>{page.t("suppliers.title")}</h1>
      <p>{page.t("suppliers.intro")}</p>
      <p>
        <a href="/complicity">{page.t("complicity.title")}</a>
      </p>
      <SupplierForm page={page} input={input} lists={lists} problem={extra.problem} />
      {extra.report ? <Report page={page} report={extra.report} input={input} terms={terms} /> : null}
    </>
  ), extra.problem?.status ?? 200);
}

async function readSuppliers(c: Context<AppEnv>): Promise<{ input: SupplierInput; file: Buffer | string }> {
  // A urlencoded form (pasted text only) is read as a form; an upload as multipart.
  const multipart = (c.req.header("content-type") ?? "").toLowerCase().startsWith("multipart/form-data");
  const form = multipart ? await readMultipartBytes(c, 60) : { fields: Object.fromEntries(Object.entries(await readForm(c)).map(([k, v]) => [k, Array.isArray(v) ? v : [v]])), file: null };
  const one = (name: string) => (form.fields[name]?.[0] ?? "").trim();
  const input: SupplierInput = {
    csv: form.fields.csv?.[0] ?? "",
    nameColumn: one("nameColumn"),
    addressColumn: one("addressColumn"),
    countryColumn: one("countryColumn"),
    hops: one("hops") || BLANK.hops,
    threshold: one("threshold") || BLANK.threshold,
    lists: (form.fields.list ?? []).map((l) => l.trim()).filter(Boolean),
  };
  // A chosen file wins over pasted text; the bytes go to the service, which checks their encoding.
  const file = form.file !== null && form.file.length > 0 ? form.file : input.csv;
  if (typeof file !== "string") {
    try {
      input.csv = new TextDecoder("utf-8", { fatal: true }).decode(file);
    } catch {
      // Not UTF-8: the service says so; nothing garbled goes back into the form.
      input.csv = "";
    }
  }
  return { input, file };
}

function runScreening(c: Context<AppEnv>, input: SupplierInput, file: Buffer | string) {
  const { actor } = signedIn(c);
  return screenSuppliers(c.var.services, c.var.origin, actor, file, {
    nameColumn: input.nameColumn || undefined,
    addressColumn: input.addressColumn || undefined,
    countryColumn: input.countryColumn || undefined,
    hops: input.hops,
    threshold: input.threshold,
    lists: input.lists,
  });
}

supplierPages.get("/suppliers", async (c) => {
  await requireSupplierScreening(c.var.services, c.var.origin, signedIn(c).actor);
  return renderSuppliers(c, BLANK);
});

supplierPages.post("/suppliers", async (c) => {
  // Permission before the body is read.
  await requireSupplierScreening(c.var.services, c.var.origin, signedIn(c).actor);
  const { input, file } = await readSuppliers(c);
  try {
    return await renderSuppliers(c, input, { report: await runScreening(c, input, file) });
  } catch (error) {
    return renderSuppliers(c, input, { problem: formProblem(c, error) });
  }
});

supplierPages.post("/suppliers/report.csv", async (c) => {
  await requireSupplierScreening(c.var.services, c.var.origin, signedIn(c).actor);
  const { input, file } = await readSuppliers(c);
  const report = await runScreening(c, input, file);
  c.header("Content-Type", "text/csv; charset=utf-8");
  c.header("Content-Disposition", 'attachment; filename="supplier-screening.csv"');
  return c.body(supplierReportCsv(report));
});
