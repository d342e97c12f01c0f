import { Hono, type Context } from "hono";
import { reportCsv, requireMatching, screenCsv, MATCHABLE_SCHEMATA, type ScreeningReport } from "../../screening/index.ts";
import { DEFAULT_THRESHOLD, type EntitySchema } from "../../names/index.ts";
import type { AppEnv } from "../env.ts";
import { field, readForm } from "../middleware/body.ts";
import { formProblem, renderPage, signedIn, type FormProblem } from "../render.tsx";
import { Csrf, ErrorSummary, type PageContext } from "../pages/layout.tsx";

/** Bulk screening: paste a CSV of names, read the report on the page or download it as CSV. */
export const screeningPages = new Hono<AppEnv>();

interface ScreeningInput {
  csv: string;
  schema: string;
  threshold: string;
}

function ScreeningForm({ page, input, problem }: { page: PageContext; input: ScreeningInput; problem?: FormProblem | undefined }) {
  const { t } = page;
  const e = problem?.errors ?? {};
  return (
    <form method="post" action="/screening">
      <Csrf page={page} />
      <ErrorSummary page={page} message={problem?.message} errors={e} />
      <div class={e.file ? "field has-error" : "field"}>
        <label for="f-file">{t("screening.csv")}</label>
        <p class="hint" id="f-file-hint">{t("screening.csvHint")}</p>
        <textarea id="f-file" name="csv" rows={12} dir="auto" aria-describedby="f-file-hint" required>{input.csv}</textarea>
      </div>
      <div class="field">
        <label for="f-schema">{t("screening.schema")}</label>
        <select id="f-schema" name="schema">
          {MATCHABLE_SCHEMATA.map((s) => (
            <option value={s} selected={s === input.schema}>{s}</option>
          ))}
        </select>
      </div>
      <div class={e.threshold ? "field has-error" : "field"}>
        <label for="f-threshold">{t("screening.threshold")}</label>
        <input id="f-threshold" name="threshold" inputmode="decimal" value={input.threshold} dir="ltr" />
      </div>
      <button type="submit">{t("screening.submit")}</button>
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
      <form method="post" action="/screening/report.csv">
        <Csrf page={page} />
        <input type="hidden" name="csv" value={input.csv} />
        <input type="hidden" name="schema" value={input.schema} />
        <input type="hidden" name="threshold" value={input.threshold} />
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
                {row.matches.length === 0 ? (
                  t("screening.noCandidate")
                ) : (
                  <ul>
                    {row.matches.map((m) => (
                      <li>
                        <strong dir="auto">{m.caption}</strong> ({m.entity.schema}) — {t("screening.score", { score: m.result.score.toFixed(2) })}{" "}
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
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {report.rejected.length > 0 ? (
        <table>
          <caption>{t("screening.rejected")}</caption>
          <thead>
            <tr>
              <th scope="col">{t("screening.line")}</th>
              <th scope="col">{t("screening.reason")}</th>
            </tr>
          </thead>
          <tbody>
            {report.rejected.map((r) => (
              <tr>
                <td>{r.line}</td>
                <td>{r.reason}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </section>
  );
}

function renderScreening(c: Context<AppEnv>, input: ScreeningInput, extra: { report?: ScreeningReport; problem?: FormProblem } = {}) {
  return renderPage(
    c,
    c.var.t("screening.title"),
    (page) => (
      <>
        <h1>{page.t("screening.title")}</h1>
        <p>{page.t("screening.intro")}</p>
        <ScreeningForm page={page} input={input} problem={extra.problem} />
        {extra.report ? <Report page={page} report={extra.report} input={input} /> : null}
      </>
    ),
    extra.problem?.status ?? 200,
  );
}

async function readScreening(c: Context<AppEnv>): Promise<ScreeningInput> {
  const form = await readForm(c);
  return { csv: field(form, "csv"), schema: field(form, "schema") || "Person", threshold: field(form, "threshold").trim() || String(DEFAULT_THRESHOLD) };
}

function runScreening(c: Context<AppEnv>, input: ScreeningInput) {
  const principal = signedIn(c);
  const schema = (MATCHABLE_SCHEMATA as readonly string[]).includes(input.schema) ? (input.schema as EntitySchema) : "Person";
  return screenCsv(c.var.services, c.var.origin, principal.actor, input.csv, { schema, threshold: Number(input.threshold) });
}

screeningPages.get("/screening", async (c) => {
  await requireMatching(c.var.services, c.var.origin, signedIn(c).actor);
  return renderScreening(c, { csv: "", schema: "Person", threshold: String(DEFAULT_THRESHOLD) });
});

screeningPages.post("/screening", async (c) => {
  signedIn(c);
  const input = await readScreening(c);
  try {
    return renderScreening(c, input, { report: await runScreening(c, input) });
  } catch (error) {
    return renderScreening(c, input, { problem: formProblem(c, error) });
  }
});

screeningPages.post("/screening/report.csv", async (c) => {
  signedIn(c);
  const input = await readScreening(c);
  const report = await runScreening(c, input);
  c.header("Content-Type", "text/csv; charset=utf-8");
  c.header("Content-Disposition", 'attachment; filename="screening-report.csv"');
  return c.body(reportCsv(report));
});
