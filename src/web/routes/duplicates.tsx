import { Hono, type Context } from "hono";
import { acceptDuplicate, findDuplicates, rejectDuplicate, type DuplicatePage, type DuplicatePair, type DuplicateSide } from "../../screening/index.ts";
import type { AppEnv } from "../env.ts";
import { field, readForm } from "../middleware/body.ts";
import { Csrf, ErrorSummary, Notice, type PageContext } from "../pages/layout.tsx";
import { formProblem, Redirect, renderPage, signedIn, type FormProblem } from "../render.tsx";

/**
 * Probable duplicates among the records: score and explanation for each pair, merge one into the
 * other (through the records service's reversible merge) or set the pair aside for good.
 */
export const duplicatePages = new Hono<AppEnv>();

const DONE = new Set(["merged", "rejected"]);
const SHOWN_PROPERTIES = ["name", "alias", "birthDate", "nationality", "gender", "idNumber", "passportNumber", "registrationNumber"];

function Side({ page, side }: { page: PageContext; side: DuplicateSide }) {
  return (
    <div class="duplicate-side">
      <p>
        <strong dir="auto">{side.caption}</strong> ({side.schema}) <code>{side.id}</code>
      </p>
      <dl>
        {SHOWN_PROPERTIES.filter((p) => (side.properties[p]?.length ?? 0) > 0).map((p) => (
          <>
            <dt>{page.t(`duplicates.properties.${p}`)}</dt>
            <dd dir="auto">{side.properties[p]!.join(" · ")}</dd>
          </>
        ))}
      </dl>
    </div>
  );
}

function PairForms({ page, pair, index, back }: { page: PageContext; pair: DuplicatePair; index: number; back: string }) {
  const { t } = page;
  const keep = (kept: DuplicateSide, merged: DuplicateSide, label: string) => (
    <form method="post" action="/duplicates/merge" class="inline">
      <Csrf page={page} />
      <input type="hidden" name="keep" value={kept.id} />
      <input type="hidden" name="merge" value={merged.id} />
      <input type="hidden" name="keepRevision" value={String(kept.revision)} />
      <input type="hidden" name="mergeRevision" value={String(merged.revision)} />
      <input type="hidden" name="back" value={back} />
      <input type="hidden" name="reason" value={t("duplicates.mergeReason", { score: pair.result.score.toFixed(2) })} />
      <button type="submit">{label}</button>
    </form>
  );
  return (
    <div class="duplicate-actions">
      {keep(pair.a, pair.b, t("duplicates.keepFirst"))} {keep(pair.b, pair.a, t("duplicates.keepSecond"))}
      <form method="post" action="/duplicates/reject">
        <Csrf page={page} />
        <input type="hidden" name="a" value={pair.a.id} />
        <input type="hidden" name="b" value={pair.b.id} />
        <input type="hidden" name="back" value={back} />
        <div class="field">
          <label for={`f-reason-${index}`}>{t("duplicates.rejectReason")}</label>
          <input id={`f-reason-${index}`} name="reason" dir="auto" required maxlength={2000} />
        </div>
        <button type="submit">{t("duplicates.reject")}</button>
      </form>
    </div>
  );
}

function DuplicatesView({ page, result, notice, problem, back }: { page: PageContext; result: DuplicatePage; notice: string | null; problem?: FormProblem | undefined; back: string }) {
  const { t } = page;
  return (
    <>
      <h1>{t("duplicates.title")}</h1>
      <p>{t("duplicates.intro", { threshold: result.threshold.toFixed(2) })}</p>
      <Notice text={notice} />
      <ErrorSummary page={page} message={problem?.message} errors={problem?.errors ?? {}} />
      <p role="status">{t("duplicates.summary", { checked: String(result.checked), pairs: String(result.pairs.length) })}</p>
      {result.pairs.length === 0 ? <p>{t("duplicates.none")}</p> : null}
      {result.pairs.map((pair, i) => (
        <section class="duplicate" aria-labelledby={`pair-${i}`}>
          <h2 id={`pair-${i}`}>
            {t("duplicates.pair", { n: String(i + 1), score: pair.result.score.toFixed(2) })}
          </h2>
          <Side page={page} side={pair.a} />
          <Side page={page} side={pair.b} />
          <details>
            <summary>{t("duplicates.why")}</summary>
            <ul class="hint">
              {pair.result.explanation.map((line) => (
                <li dir="auto">{line}</li>
              ))}
            </ul>
          </details>
          <PairForms page={page} pair={pair} index={i} back={back} />
        </section>
      ))}
      {result.next ? (
        <p>
          <a href={`/duplicates?after=${encodeURIComponent(result.next)}`}>{t("duplicates.next")}</a>
        </p>
      ) : null}
    </>
  );
}

function backOf(value: string): string {
  // Only this page, with or without its cursor, is a place to come back to.
  return /^\/duplicates(\?after=[A-Za-z0-9_%-]{1,300})?$/.test(value) ? value : "/duplicates";
}

async function showDuplicates(c: Context<AppEnv>, problem?: FormProblem) {
  const { actor } = signedIn(c);
  const after = c.req.query("after");
  const result = await findDuplicates(c.var.services, c.var.origin, actor, after ? { after } : {});
  const done = c.req.query("done");
  const notice = !problem && done && DONE.has(done) ? c.var.t(`duplicates.done.${done}`) : null;
  const back = after ? `/duplicates?after=${encodeURIComponent(after)}` : "/duplicates";
  return renderPage(c, c.var.t("duplicates.title"), (page) => <DuplicatesView page={page} result={result} notice={notice} problem={problem} back={back} />, problem?.status ?? 200);
}

duplicatePages.get("/duplicates", async (c) => showDuplicates(c));

async function decide(c: Context<AppEnv>, done: string, act: (read: () => Promise<Record<string, string>>) => Promise<unknown>) {
  signedIn(c);
  let back = "/duplicates";
  try {
    await act(async () => {
      const form = await readForm(c);
      back = backOf(field(form, "back"));
      return Object.fromEntries(["a", "b", "keep", "merge", "keepRevision", "mergeRevision", "reason"].map((k) => [k, field(form, k)]));
    });
  } catch (error) {
    return showDuplicates(c, formProblem(c, error));
  }
  throw new Redirect(`${back}${back.includes("?") ? "&" : "?"}done=${done}`);
}

duplicatePages.post("/duplicates/reject", async (c) =>
  decide(c, "rejected", (read) =>
    rejectDuplicate(c.var.services, c.var.origin, signedIn(c).actor, async () => {
      const f = await read();
      return { a: f.a, b: f.b, reason: f.reason };
    }),
  ),
);

duplicatePages.post("/duplicates/merge", async (c) =>
  decide(c, "merged", (read) =>
    acceptDuplicate(c.var.services, c.var.origin, signedIn(c).actor, async () => {
      const f = await read();
      return { keep: f.keep, merge: f.merge, keepRevision: f.keepRevision, mergeRevision: f.mergeRevision, reason: f.reason };
    }),
  ),
);
