import { Hono, type Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import {
  CaptureFailed,
  CaptureRefused,
  CaptureTimeout,
  CaptureTooLarge,
  captureWebPage,
  getCapture,
  getCaptureSettings,
  prepareCaptureForm,
  requireCaptureConfiguration,
  setCaptureSettings,
  Unreachable,
  unlockable,
  type CaptureResult,
  type CaptureView,
} from "../../capture/index.ts";
import { personCaller } from "../../evidence/index.ts";
import { captionsOf, type RecordCaption } from "../../records/index.ts";
import type { AppEnv } from "../env.ts";
import { formatSize, formatTime, UUID_PARAM } from "../format.ts";
import { requirePrincipal } from "../middleware/auth.ts";
import { readForm, readJson } from "../middleware/body.ts";
import { Csrf, ErrorSummary, Notice, type PageContext } from "../pages/layout.tsx";
import { RecordLink } from "../records/parts.tsx";
import { formProblem, Redirect, renderPage, signedIn, type FormProblem } from "../render.tsx";
import { EvidencePanel, loadEvidencePanel } from "./evidence-panel.tsx";

/**
 * "Capture this page": the form (no script needed: the answer comes when the capture is done),
 * the capture's own page with its Source's evidence, the API, and the administrators' setting
 * for private addresses. src/capture does the work and every check.
 */
export const captureRoutes = new Hono<AppEnv>();

const ID = `:id{${UUID_PARAM}}`;

function field(form: Record<string, string | string[]>, name: string): string {
  const value = form[name];
  return typeof value === "string" ? value : "";
}

/** A capture's refusal in the reader's language, naming what was refused. */
function captureProblem(c: Context<AppEnv>, error: unknown): FormProblem {
  const t = c.var.t;
  const say = (status: number, message: string, errors: Record<string, string> = {}): FormProblem => ({ status: status as ContentfulStatusCode, message, errors });
  if (error instanceof CaptureRefused) {
    const host = error.host ?? "";
    let message: string;
    if (error.reason === "scheme" || error.reason === "credentials" || error.reason === "self" || error.reason === "redirect-scheme") message = t(`capture.refused.${error.reason}`, { host });
    else {
      message = t(error.viaRedirect ? "capture.refused.redirect" : "capture.refused.address", { host, kind: t(`capture.addressClass.${error.reason}`) });
      if (unlockable(error.reason)) message = `${message} ${t("capture.refused.askAdmin")}`;
    }
    return say(error.status, message, error.viaRedirect ? {} : { url: message });
  }
  if (error instanceof Unreachable) return say(error.status, t("capture.unreachable", { host: error.host }), { url: t("capture.unreachable", { host: error.host }) });
  if (error instanceof CaptureTimeout) return say(error.status, t("capture.timeout", { n: error.seconds }));
  if (error instanceof CaptureTooLarge) return say(error.status, t("capture.tooLarge", { size: formatSize(c.var.locale, error.limit) }));
  if (error instanceof CaptureFailed) return say(error.status, t("capture.failed", { detail: error.detail ?? "—" }));
  return formProblem(c, error);
}

interface FormView {
  url: string;
  source: { id: string; caption: RecordCaption | undefined } | null;
  allowPrivate: boolean;
  problem?: FormProblem;
}

function CaptureForm(page: PageContext, view: FormView) {
  const { t } = page;
  const error = view.problem?.errors.url;
  return (
    <section class="narrow">
      <h1>{t("capture.title")}</h1>
      <p>{t("capture.intro")}</p>
      <ErrorSummary page={page} message={view.problem?.message} errors={view.problem?.errors} />
      {view.source ? (
        <p>
          {t("capture.forSource")} <RecordLink page={page} id={view.source.id} caption={view.source.caption} />
        </p>
      ) : (
        <p class="hint">{t("capture.newSource")}</p>
      )}
      <form method="post" action="/captures" class="capture">
        <Csrf page={page} />
        {view.source ? <input type="hidden" name="source" value={view.source.id} /> : null}
        <div class={error ? "field has-error" : "field"}>
          <label for="f-url">{t("capture.url")}</label>
          <p class="hint" id="f-url-hint">
            {t("capture.urlHint")} {view.allowPrivate ? t("capture.privateAllowed") : t("capture.privateRefused")}
          </p>
          {error ? (
            <p class="field-error" id="f-url-error">
              {error}
            </p>
          ) : null}
          <input id="f-url" name="url" type="url" required maxlength={4096} dir="ltr" value={view.url} aria-describedby={error ? "f-url-hint f-url-error" : "f-url-hint"} aria-invalid={error ? "true" : undefined} />
        </div>
        <p class="hint">{t("capture.wait")}</p>
        <button type="submit">{t("capture.submit")}</button>
      </form>
    </section>
  );
}

async function formView(c: Context<AppEnv>, url: string, sourceId: string | null, problem?: FormProblem) {
  const principal = signedIn(c);
  const prepared = await prepareCaptureForm(c.var.services, c.var.origin, personCaller(principal), sourceId);
  const id = prepared.source?.row.id;
  const source = id ? { id, caption: (await captionsOf(c.var.services, principal.actor, [id])).get(id) } : null;
  return renderPage(c, c.var.t("capture.title"), (page) => CaptureForm(page, { url, source, allowPrivate: prepared.allowPrivate, problem }), problem?.status ?? 200);
}

captureRoutes.get("/captures/new", (c) => {
  const source = c.req.query("source");
  return formView(c, "", source && new RegExp(`^${UUID_PARAM}$`).test(source) ? source : null);
});

captureRoutes.post("/captures", async (c) => {
  const principal = signedIn(c);
  const form = await readForm(c);
  const url = field(form, "url");
  const source = field(form, "source") || null;
  let result: CaptureResult;
  try {
    result = await captureWebPage(c.var.services, c.var.origin, personCaller(principal), { url, ...(source ? { source } : {}) });
  } catch (error) {
    return formView(c, url.slice(0, 4096), source && new RegExp(`^${UUID_PARAM}$`).test(source) ? source : null, captureProblem(c, error));
  }
  throw new Redirect(`/captures/${result.id}?done=captured`);
});

function CapturePage(page: PageContext, view: { capture: CaptureView; source: RecordCaption | undefined; panel: Awaited<ReturnType<typeof loadEvidencePanel>>; notice: string | null }) {
  const { t, locale } = page;
  const { capture } = view;
  return (
    <>
      <h1>{t("capture.resultTitle")}</h1>
      <Notice text={view.notice} />
      {capture.status >= 400 ? <p class="notice">{t("capture.errorStatus", { status: capture.status })}</p> : null}
      <dl class="facts">
        <dt>{t("capture.source")}</dt>
        <dd>
          <RecordLink page={page} id={capture.sourceId} caption={view.source} />
        </dd>
        <dt>{t("capture.capturedAt")}</dt>
        <dd>{formatTime(locale, capture.capturedAt)}</dd>
        <dt>{t("capture.status")}</dt>
        <dd dir="ltr">{capture.status}</dd>
        <dt>{t("capture.resources")}</dt>
        <dd>{capture.resources}</dd>
        <dt>{t("capture.refusedCount")}</dt>
        <dd>{capture.refused}</dd>
      </dl>
      <ul class="capture-artifacts">
        {capture.artifacts.map((a) => (
          <li>
            <a href={`/evidence/${a.evidenceId}`}>{t(`capture.roles.${a.role}`)}</a>
          </li>
        ))}
      </ul>
      {view.panel ? <EvidencePanel page={page} data={view.panel} /> : null}
    </>
  );
}

captureRoutes.get(`/captures/${ID}`, async (c) => {
  const principal = signedIn(c);
  const capture = await getCapture(c.var.services, c.var.origin, personCaller(principal), c.req.param("id"));
  const source = (await captionsOf(c.var.services, principal.actor, [capture.sourceId])).get(capture.sourceId);
  const panel = await loadEvidencePanel(c, capture.sourceId, { back: `/captures/${capture.id}` });
  const notice = c.req.query("done") === "captured" ? c.var.t("capture.done") : null;
  return renderPage(c, c.var.t("capture.resultTitle"), (page) => CapturePage(page, { capture, source, panel, notice }));
});

// ——— administrators: private addresses ———

function SettingsPage(page: PageContext, view: { allowPrivate: boolean; notice: string | null }) {
  const { t } = page;
  return (
    <section class="narrow">
      <h1>{t("capture.settingsTitle")}</h1>
      <Notice text={view.notice} />
      <p>{t("capture.settingsIntro")}</p>
      <form method="post" action="/admin/capture">
        <Csrf page={page} />
        <div class="field checkbox">
          <input id="f-allow-private" type="checkbox" name="allowPrivateAddresses" value="on" checked={view.allowPrivate} aria-describedby="f-allow-private-hint" />
          <label for="f-allow-private">{t("capture.allowPrivate")}</label>
          <p class="hint" id="f-allow-private-hint">
            {t("capture.allowPrivateHint")}
          </p>
        </div>
        <button type="submit">{t("capture.saveSettings")}</button>
      </form>
    </section>
  );
}

captureRoutes.get("/admin/capture", async (c) => {
  const { actor } = signedIn(c);
  await requireCaptureConfiguration(c.var.services, c.var.origin, actor);
  const settings = await getCaptureSettings(c.var.services, c.var.origin, actor);
  const notice = c.req.query("done") === "saved" ? c.var.t("capture.settingsSaved") : null;
  return renderPage(c, c.var.t("capture.settingsTitle"), (page) => SettingsPage(page, { allowPrivate: settings.allowPrivateAddresses, notice }));
});

captureRoutes.post("/admin/capture", async (c) => {
  const { actor } = signedIn(c);
  await setCaptureSettings(c.var.services, c.var.origin, actor, async () => ({ allowPrivateAddresses: field(await readForm(c), "allowPrivateAddresses") === "on" }));
  throw new Redirect("/admin/capture?done=saved");
});

// ——— API ———

function resultJson(r: CaptureResult) {
  return {
    id: r.id,
    source: r.sourceId,
    createdSource: r.createdSource,
    url: r.url,
    finalUrl: r.finalUrl,
    status: r.status,
    capturedAt: r.capturedAt.toISOString(),
    resources: r.resources,
    refused: r.refused,
    artifacts: r.artifacts.map((a) => ({ role: a.role, id: a.id, sha256: a.sha256, size: a.size, mediaType: a.mediaType, ledgerIndex: a.ledgerIndex })),
  };
}

captureRoutes.post("/api/v1/captures", async (c) => {
  const principal = requirePrincipal(c);
  const result = await captureWebPage(c.var.services, c.var.origin, personCaller(principal), () => readJson(c));
  c.header("Location", `/api/v1/captures/${result.id}`);
  return c.json(resultJson(result), 201);
});

captureRoutes.get(`/api/v1/captures/${ID}`, async (c) => {
  const principal = requirePrincipal(c);
  const capture = await getCapture(c.var.services, c.var.origin, personCaller(principal), c.req.param("id"));
  return c.json({ ...capture, capturedAt: capture.capturedAt.toISOString() });
});

captureRoutes.get("/api/v1/captures/settings", async (c) => {
  const { actor } = requirePrincipal(c);
  const settings = await getCaptureSettings(c.var.services, c.var.origin, actor);
  return c.json({ allowPrivateAddresses: settings.allowPrivateAddresses, updatedAt: settings.updatedAt?.toISOString() ?? null });
});

captureRoutes.post("/api/v1/captures/settings", async (c) => {
  const { actor } = requirePrincipal(c);
  const settings = await setCaptureSettings(c.var.services, c.var.origin, actor, () => readJson(c));
  return c.json({ allowPrivateAddresses: settings.allowPrivateAddresses, updatedAt: settings.updatedAt?.toISOString() ?? null });
});
